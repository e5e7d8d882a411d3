//! runtime/debug's API (GC percent, memory limit, stack and thread limits,
//! panic on fault, FreeOSMemory, module info) and the GODEBUG changes the
//! program makes with os.Setenv. The settings themselves are
//! os/settings.rs.

use crate::layout::GoString;
use crate::settings;

pub fn setGCPercent(v: i32) -> i32 {
    // Negative means "off".
    let old = settings::swap_gc_percent(if v < 0 { -1 } else { v });
    crate::gc::retune();
    old
}

pub fn setMemoryLimit(v: i64) -> i64 {
    if v < 0 {
        return settings::memory_limit();
    }
    let old = settings::swap_memory_limit(v);
    crate::gc::retune();
    old
}

pub fn setMaxStack(v: isize) -> isize {
    settings::swap_max_stack(v)
}

/// debug.SetMaxThreads: the new limit applies at once (a program already
/// over it dies, as upstream).
pub fn setMaxThreads(v: isize) -> isize {
    crate::sched::mthread::set_max_mcount(v.min(i32::MAX as isize) as i64) as isize
}

pub fn setPanicOnFault(new: bool) -> bool {
    let mp = crate::gm::getm();
    // SAFETY: called on behalf of m.curg.
    unsafe {
        let gp = (*mp).curg;
        let old = (*gp).paniconfault;
        (*gp).paniconfault = new;
        old
    }
}

/// debug.FreeOSMemory's second half (after a collection, on the Go side):
/// give every free page back to the system.
pub fn rt_scavengeAll() {
    crate::heap::scavenge(1);
}

pub fn modinfo() -> GoString {
    // SAFETY: runtime.modinfo is a string the linker fills in.
    unsafe { *(crate::links::links().modinfo as *const GoString) }
}

/// The program set GODEBUG to env (or unset it: env is empty).
pub fn rt_godebugChanged(env: GoString) {
    // SAFETY: env is a live Go string for the duration of the call.
    settings::godebug_changed(unsafe { env.as_bytes() });
}

/// Does panic(nil) panic with a *PanicNilError (GODEBUG panicnil != 1)?
pub fn rt_panicNilIsError() -> bool {
    settings::panicnil() != 1
}

/// runtime/debug.SetTraceback: like GOTRACEBACK, but never lowers the
/// level below the environment's.
pub fn SetTraceback(level: GoString) {
    // SAFETY: level is a Go string.
    crate::fatal::set_traceback_debug(unsafe { level.as_bytes() });
}
