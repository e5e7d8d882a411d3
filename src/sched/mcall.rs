//! The far side of mcall (runtime·mcall, asm_amd64.s): on g0, with the
//! calling goroutine's context saved in its gobuf, do what it asked for:
//! park, yield, exit, leave a system call, switch coroutines, start and
//! end a debugger's call. Only the
//! assembly calls this; every path ends in schedule() or a switch to a
//! goroutine.

use super::coro::coroswitch_m;
use super::debugcall::{debugcall_m, debugdone_m};
use super::schedule::{goexit0, gosched_m, park_m, preempted_m, yield_m};
use super::syscall::exitsyscall0;
use crate::layout::rt::{self, g};

/// The far side of mcall: runs on g0 with the goroutine `gp` suspended.
///
/// # Safety
/// Called only by runtime·mcall, with gp the goroutine that called it.
#[no_mangle]
pub unsafe extern "C" fn gort_mcall(gp: *mut g, op: usize) -> ! {
    match op as i64 {
        rt::mcallPark => park_m(gp),
        rt::mcallGosched => gosched_m(gp),
        rt::mcallPreempt => preempted_m(gp),
        rt::mcallYield => yield_m(gp),
        rt::mcallGoexit => goexit0(gp),
        rt::mcallExitsyscall => exitsyscall0(gp),
        rt::mcallCoroswitch => coroswitch_m(gp),
        rt::mcallDebugCall => debugcall_m(gp),
        rt::mcallDebugDone => debugdone_m(gp),
        _ => crate::fatal::throw("gort_mcall: unknown operation"),
    }
}
