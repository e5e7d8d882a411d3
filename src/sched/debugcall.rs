//! Calls a debugger injects into a running goroutine (asm/runtime/
//! debugcall.go has the protocol; debugCallV2 in asm_amd64.s is where the
//! debugger makes the goroutine go). This side decides whether a call may
//! be made where the goroutine stopped, and moves the thread between the
//! interrupted goroutine and the goroutine the call runs on:
//!
//!   - `debugcall_m` (mcallDebugCall, from debugCallWrap): the interrupted
//!     goroutine waits ("debug call"); a new goroutine, running
//!     debugCallRun, gets its thread at once and is locked to it (the
//!     debugger keeps talking to that thread). The thread's LockOSThread
//!     count is set aside in the call's record, so that the call cannot
//!     undo the interrupted goroutine's lock; an internal lock count
//!     keeps the thread locked whatever the call does.
//!   - `debugdone_m` (mcallDebugDone, from debugCallRun): the call's
//!     goroutine gives the thread back and goes to the global run queue
//!     (it only has to exit); the interrupted goroutine runs again, on
//!     the same thread, with its lock counts as they were.
//!
//! Records nest (a call injected into a call's goroutine, stopped at one
//! of its traps): m.debugCall is the innermost, each links the one it
//! interrupted.

use super::*;
use crate::layout::rt::debugCallRecord;
use crate::layout::GoString;

/// debugCallRun as a func value (its code word written once, at the
/// first injected call, always with the same value).
static RUN: Global<rt::funcval> = Global::new(rt::funcval { r#fn: 0 });

/// mcallDebugCall: gp (in debugCallWrap, its record in m.debugCall) waits
/// while its call runs on a new goroutine, which takes the thread now.
pub(super) fn debugcall_m(gp: *mut g) -> ! {
    let mp = getm();
    // SAFETY: gp is the goroutine that called mcall, on this m; its record
    // lies in its frame, which stays put while it waits. The funcval is
    // written before any goroutine can run from it, with the same value
    // every time.
    unsafe {
        let rec = (*mp).debugCall as *mut debugCallRecord;
        if rec.is_null() || (*mp).curg != gp {
            crate::fatal::throw("debugcall: no record");
        }
        (*rec).caller = gp as usize;
        (*rec).lockedExt = (*mp).lockedExt;
        (*mp).lockedExt = 0;
        (*mp).lockedInt += 1;
        let fv = RUN.as_ptr();
        core::ptr::write_volatile(core::ptr::addr_of_mut!((*fv).r#fn), crate::links::links().debugCallRunPC);
        let newg = newproc1(fv, gp, (*rec).gopc);
        (*gp).lockedm = 0;
        (*newg).lockedm = mp as usize;
        (*mp).lockedg = newg as usize;
        (*gp).waitreason = rt::waitReasonDebugCall as u8;
        casgstatus(gp, G_RUNNING, G_WAITING);
        (*gp).m = null_mut();
        (*mp).curg = null_mut();
        super::schedule::execute(newg, true)
    }
}

/// mcallDebugDone: the call's goroutine gp is finished with the debugger;
/// the goroutine it interrupted gets the thread back.
pub(super) fn debugdone_m(gp: *mut g) -> ! {
    let mp = getm();
    // SAFETY: gp is the call's goroutine (locked to this m), the record
    // the innermost on this m, its caller the goroutine waiting in
    // debugCallWrap for it.
    unsafe {
        let rec = (*mp).debugCall as *mut debugCallRecord;
        if rec.is_null() || (*rec).caller == 0 {
            crate::fatal::throw("debugcall: no record at the end of a call");
        }
        let caller = (*rec).caller as *mut g;
        (*mp).debugCall = (*rec).outer;
        let locked_ext = (*rec).lockedExt;
        // gp leaves the thread; it runs again (to exit) wherever.
        (*gp).lockedm = 0;
        (*mp).lockedg = 0;
        super::schedule::stop_running(gp);
        super::runq::globrunqput(gp);
        super::mthread::wakep();
        // The caller's lock, as it was before the call.
        (*mp).lockedExt = locked_ext;
        (*mp).lockedInt -= 1;
        if (*mp).lockedExt != 0 || (*mp).lockedInt != 0 {
            (*mp).lockedg = caller as usize;
            (*caller).lockedm = mp as usize;
        }
        casgstatus(caller, G_WAITING, G_RUNNABLE);
        stats::note_runnable(caller);
        super::schedule::execute(caller, true)
    }
}

// Why a call cannot be injected (the debugger shows the text).
const UNKNOWN_FUNC: &[u8] = b"call from unknown function";
const IN_RUNTIME: &[u8] = b"call from within the Go runtime";
const UNSAFE_POINT: &[u8] = b"call not at safe point";

/// pcdata UnsafePoint's value at an ordinary safe point.
const SAFE_POINT: i32 = -1;

/// debugCallCheck's question (asm/runtime/debugcall.go debugCallQuery).
#[repr(C)]
pub struct Query {
    pc: usize,
    reason: GoString,
}

/// May a call be injected into a goroutine stopped at pc (on its own
/// stack: debugCallCheck has made sure)? Leaves the reason in the query
/// if not. Reached from debugCallCheck through asmcgocall, on the system
/// stack.
///
/// # Safety
/// q is debugCallCheck's query, on the goroutine's stack.
#[no_mangle]
pub unsafe extern "C" fn gort_debugcall_check(q: *mut Query) {
    // SAFETY: per the function contract.
    let q = unsafe { &mut *q };
    if let Some(reason) = refusal(q.pc) {
        q.reason = GoString { ptr: reason.as_ptr(), len: reason.len() as isize };
    }
}

fn refusal(pc: usize) -> Option<&'static [u8]> {
    let Some(f) = crate::symtab::findfunc(pc) else { return Some(UNKNOWN_FUNC) };
    let name = f.name();
    // Stopped at a trap of a call's frame: the debugger may call again.
    let bare = name.strip_prefix(b"runtime.").unwrap_or(name);
    if let Some(size) = bare.strip_prefix(b"debugCall") {
        if !size.is_empty() && size.iter().all(u8::is_ascii_digit) {
            return None;
        }
    }
    if name.len() > b"runtime.".len() && name.starts_with(b"runtime.") {
        return Some(IN_RUNTIME);
    }
    // The unsafe-point table describes the instruction before a return
    // address; pc is one unless the goroutine stopped at the entry.
    let at = if pc == f.entry() { pc } else { pc - 1 };
    if f.pcdata_value(crate::symtab::PCDATA_UNSAFE_POINT, at) != SAFE_POINT {
        return Some(UNSAFE_POINT);
    }
    None
}
