//! The system-call glue: fork's and exec's brackets, the few system calls the standard
//! library asks the runtime to make, and the process's arguments and
//! environment as Go slices. (Entering and leaving blocking system calls is
//! the scheduler's business: sched/syscall.rs.)

use crate::env;
use crate::heap::malloc::mallocgc;
use crate::layout::{GoSlice, GoString};
use crate::sys;
use core::ptr::null_mut;

/// syscall.Exec is about to replace the process image: no thread may be
/// created meanwhile (it could be lost).
pub fn BeforeExec() {
    crate::sched::mthread::EXEC_LOCK.lock();
}

pub fn AfterExec() {
    crate::sched::mthread::EXEC_LOCK.unlock();
}

const SYS_FCNTL: usize = 72;

pub fn fcntl(fd: i32, cmd: i32, arg: i32) -> (i32, i32) {
    // SAFETY: fcntl with integer arguments touches no memory of ours.
    let r = unsafe { sys::syscall3(SYS_FCNTL, fd as usize, cmd as usize, arg as usize) };
    if r < 0 {
        (-1, -r as i32)
    } else {
        (r as i32, 0)
    }
}

/// # Safety
/// `p` points at the bytes (or the NUL-terminated string) the caller
/// passes.
pub unsafe fn write(fd: usize, p: *mut u8, n: i32) -> i32 {
    if (fd == 1 || fd == 2) && crate::faketime::now() != 0 {
        // SAFETY: p points at n bytes supplied by the caller.
        let b = unsafe { core::slice::from_raw_parts(p, n.max(0) as usize) };
        return crate::faketime::write_framed(fd, b) as i32;
    }
    // SAFETY: p points at n bytes supplied by the caller.
    unsafe { sys::syscall3(sys::SYS_WRITE, fd, p as usize, n as usize) as i32 }
}

/// A new []string of n strings produced by f (pointing at process memory
/// that lives as long as the process).
fn string_slice(n: usize, f: impl Fn(usize) -> &'static [u8]) -> GoSlice<GoString> {
    // SAFETY: string_type describes the elements.
    let p = unsafe { mallocgc(n * 16, crate::types::string_type(), true) } as *mut GoString;
    for i in 0..n {
        let s = f(i);
        // SAFETY: p has room for n strings.
        unsafe { *p.add(i) = GoString { ptr: s.as_ptr(), len: s.len() as isize } };
    }
    GoSlice { ptr: p, len: n as isize, cap: n as isize }
}

/// A copy of the initial environment, for the syscall package.
pub fn envs() -> GoSlice<GoString> {
    let n = env::envc();
    // In secure mode the program sees GOTRACEBACK=none, replacing or added.
    if env::secure() && !(0..n).any(|i| env::env(i).starts_with(b"GOTRACEBACK=")) {
        return string_slice(n + 1, |i| if i == n { b"GOTRACEBACK=none" } else { env::env(i) });
    }
    string_slice(n, env::env_for_program)
}

/// A copy of the command-line arguments, for os.Args.
pub fn args() -> GoSlice<GoString> {
    string_slice(env::argc(), env::arg)
}

pub fn arg0() -> GoString {
    if env::argc() == 0 {
        return crate::string::EMPTY;
    }
    let a = env::arg(0);
    GoString { ptr: a.as_ptr(), len: a.len() as isize }
}

/// # Safety
/// `p` points at the bytes (or the NUL-terminated string) the caller
/// passes.
pub unsafe fn gostring_c(p: *mut u8) -> GoString {
    // SAFETY: per the function contract.
    unsafe { crate::string::rt_gostring(p) }
}

/// A byte slice of len bytes whose contents need not be zeroed.
pub fn MakeNoZero(len: isize) -> GoSlice<u8> {
    if len < 0 || len as usize > crate::heap::MAX_ALLOC {
        crate::raise::raise_error("makeslice: len out of range");
        return GoSlice { ptr: null_mut(), len: 0, cap: 0 };
    }
    // SAFETY: bytes without pointers need no type.
    GoSlice { ptr: unsafe { mallocgc(len as usize, null_mut(), false) }, len, cap: len }
}

// ---- fork (syscall.forkExec) ----


/// Before fork: block every signal (the child must not run a Go handler
/// before it execs), remembering the mask.
pub fn runtime_BeforeFork() {
    let mp = crate::gm::getm();
    // SAFETY: the current m is live; the mask calls use its own field.
    unsafe {
        crate::gm::acquirem();
        let mut all: libc::sigset_t = core::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, core::ptr::addr_of_mut!((*mp).forkmask) as *mut libc::sigset_t);
    }
}

/// After fork, in the parent: restore the mask.
pub fn runtime_AfterFork() {
    let mp = crate::gm::getm();
    // SAFETY: as for runtime_BeforeFork.
    unsafe {
        libc::pthread_sigmask(libc::SIG_SETMASK, core::ptr::addr_of!((*mp).forkmask) as *const libc::sigset_t, core::ptr::null_mut());
        crate::gm::releasem();
    }
}

/// After fork, in the child (which shares the parent's memory until it
/// execs: it must write none of it): default dispositions for the signals
/// gort handles, then the saved mask.
pub fn runtime_AfterForkInChild() {
    let mp = crate::gm::getm();
    // SAFETY: system calls on locals and the m's saved mask.
    unsafe {
        for sig in 1..crate::sigtab::NSIG {
            if crate::signal::handling(sig) {
                let mut sa: libc::sigaction = core::mem::zeroed();
                sa.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(sig as i32, &sa, core::ptr::null_mut());
            }
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, core::ptr::addr_of!((*mp).forkmask) as *const libc::sigset_t, core::ptr::null_mut());
    }
}
