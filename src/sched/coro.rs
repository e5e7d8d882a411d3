//! Coroutines (asm/runtime/coro.go): a pair of goroutines taking turns on
//! one thread. `coro.gp` holds whichever side is blocked; a switch parks
//! the caller in its place and runs the blocked one directly on the
//! caller's M and P (no run queue, no new time slice). The coroutine's
//! goroutine is made blocked, and when its function returns it switches
//! away one last time and is destroyed.

use super::*;
use super::schedule::destroy_g;
use crate::layout::rt::coro;

/// corostart as a func value: its code word is written at every
/// rt_newcoro, always with the same value, before a goroutine runs from it
/// (a racing writer stores the same word).
static CORO_START: Global<rt::funcval> = Global::new(rt::funcval { r#fn: 0 });

/// newcoro's goroutine: running corostart, blocked until switched to.
///
/// # Safety
/// `c` is the coroutine newcoro allocated (a live heap object the new
/// goroutine keeps in coroarg).
pub unsafe fn rt_newcoro(c: *mut coro, callerpc: usize) -> *mut g {
    // SAFETY: the funcval is written before any goroutine can run from it,
    // always with the same value; newproc1 gets a live funcval.
    unsafe {
        let fv = CORO_START.as_ptr();
        core::ptr::write_volatile(core::ptr::addr_of_mut!((*fv).r#fn), crate::links::links().corostartPC);
        let gp = newproc1(fv, curg(), callerpc);
        (*gp).coroarg = c;
        (*gp).waitreason = rt::waitReasonCoroutine as u8;
        casgstatus(gp, G_RUNNABLE, G_WAITING);
        gp
    }
}

/// The far side of coroswitch, on g0: gp (the caller) blocks in c, or is
/// destroyed if its coroutine function returned; the other side runs.
pub(super) fn coroswitch_m(gp: *mut g) -> ! {
    let mp = getm();
    // SAFETY: gp is the goroutine that called mcall; c is the coroutine it
    // named, shared with the goroutine blocked in it.
    unsafe {
        let c = (*gp).coroarg;
        (*gp).coroarg = null_mut();
        let exit = (*gp).coroexit;
        (*gp).coroexit = false;
        let me = if exit {
            destroy_g(gp);
            null_mut()
        } else {
            (*gp).waitreason = rt::waitReasonCoroutine as u8;
            casgstatus(gp, G_RUNNING, G_WAITING);
            (*gp).m = null_mut();
            gp
        };
        // Swap ourselves in for the blocked side.
        let slot = &*(core::ptr::addr_of_mut!((*c).gp) as *const AtomicUsize);
        let next = slot.swap(me as usize, Ordering::AcqRel) as *mut g;
        if next.is_null() {
            crate::fatal::throw_on_goroutine("coroswitch on exited coro");
        }
        (*mp).curg = next;
        (*next).m = mp;
        casgstatus(next, G_WAITING, G_RUNNABLE);
        casgstatus(next, G_RUNNABLE, G_RUNNING);
        switch_to(next)
    }
}
