//! How Ms' threads are made once the program calls C, and what the
//! scheduler's thread code tells the cgo half (sched/cgo.rs) without
//! depending on it: runtime/cgo's thread start (the C library's thread
//! creation with runtime/cgo's hooks), the calls into C made by Ms that
//! have exited, and the two helpers that reach runtime/cgo's C functions.

use crate::layout::rt::{g, m};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

extern "C" {
    /// A new M's thread started by runtime/cgo begins here (asm).
    fn gort_mstart_cgo();
}

/// The program calls C from now on (set by the first cgocall).
pub(super) static STARTED: AtomicBool = AtomicBool::new(false);

/// Read a C function pointer from one of runtime/cgo's Go variables
/// (0: the variable does not exist or is nil).
pub(super) fn cfn(var: usize) -> usize {
    if var == 0 {
        return 0;
    }
    // SAFETY: var is the address of a Go pointer variable (a golink).
    unsafe { *(var as *const usize) }
}

/// Call the C function at `f` with one pointer argument.
///
/// # Safety
/// f is a C function taking one pointer; arg is what it expects.
pub(super) unsafe fn ccall1(f: usize, arg: *mut u8) -> usize {
    // SAFETY: per the function contract.
    unsafe {
        let f: unsafe extern "C" fn(*mut u8) -> usize = core::mem::transmute(f);
        f(arg)
    }
}

/// Are new Ms' threads created by runtime/cgo?
pub fn threads_via_cgo() -> bool {
    STARTED.load(Ordering::Acquire) && cfn(crate::links::links().cgoThreadStart) != 0
}

/// runtime/cgo's ThreadStart (libcgo.h).
#[repr(C)]
struct ThreadStart {
    g: *mut g,
    tls: *mut usize,
    entry: unsafe extern "C" fn(),
}

/// Start mp's thread through runtime/cgo: it runs gort_mstart_cgo with
/// mp's g0 installed (EXEC_LOCK held).
pub fn start_thread(mp: *mut m) {
    // SAFETY: mp is a new m no thread runs yet; x_cgo_thread_start copies
    // the record before returning.
    unsafe {
        let mut ts = ThreadStart { g: (*mp).g0, tls: null_mut(), entry: gort_mstart_cgo };
        ccall1(cfn(crate::links::links().cgoThreadStart), core::ptr::addr_of_mut!(ts) as *mut u8);
    }
}

/// Calls into C made by Ms that have exited.
pub(super) static EXITED_NCGOCALL: AtomicU64 = AtomicU64::new(0);

/// mp leaves the list of all Ms: keep its count of calls into C.
pub fn m_exiting(mp: *mut m) {
    // SAFETY: mp is the exiting m.
    EXITED_NCGOCALL.fetch_add(unsafe { (*mp).ncgocall }, Ordering::Relaxed);
}

