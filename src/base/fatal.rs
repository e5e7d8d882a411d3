//! Unrecoverable errors: `fatal error: ...` on stderr, exit status 2.
//!
//! Three sources: runtime invariants broken by the program (upstream's
//! `throw`), runtime entry points gort has not implemented yet (loud by
//! design: never a fake result), and bugs in gort itself (Rust panics).

use crate::layout::GoString;
use crate::sys;
use core::fmt::Write;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Writes straight to fd 2, bypassing print's buffering and locks: used
/// when the runtime is already failing.
pub struct Stderr;

impl Write for Stderr {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        sys::write_all(2, s.as_bytes());
        Ok(())
    }
}

/// The thread reporting a fatal error (0: none yet).
static DYING_M: AtomicUsize = AtomicUsize::new(0);

/// Begin reporting a fatal error: mark the process as panicking (deadlock
/// detection stands down) and take the print lock. One thread reports;
/// another thread failing meanwhile waits for the process to exit rather
/// than interleaving its report (a failure while reporting, on the
/// reporting thread itself, goes on).
pub fn start_dying() {
    crate::panic::PANICKING.fetch_add(1, Ordering::AcqRel);
    let g = crate::gm::getg();
    // SAFETY: a non-null g has a live m (null only before startup).
    let mp = if g.is_null() { core::ptr::null_mut() } else { unsafe { (*g).m } };
    if let Err(other) = DYING_M.compare_exchange(0, mp as usize | 1, Ordering::AcqRel, Ordering::Acquire) {
        if other != mp as usize | 1 {
            loop {
                sys::nanosleep(1_000_000_000);
            }
        }
    }
    if !mp.is_null() {
        // SAFETY: mp is the current m.
        unsafe { (*mp).dying = 1 };
    }
    crate::print::print_lock_for_death();
}

/// Upstream's `throw` from the system stack (the Rust runtime always runs
/// there): a broken runtime invariant (a runtime bug, or memory
/// corruption). The report shows the runtime stack, then every goroutine.
#[inline(never)]
pub fn throw(msg: &str) -> ! {
    let here = crate::traceback::SysFrameStart::here();
    start_dying();
    set_throwing(crate::traceback::THROW_RUNTIME);
    crate::print::gwrite(b"fatal error: ");
    crate::print::gwrite(msg.as_bytes());
    crate::print::gwrite(b"\n");
    let (level, _, _) = crate::traceback::gotraceback();
    if level > 0 {
        crate::print::gwrite(b"\nruntime stack:\n");
        crate::traceback::print_system_stack(here);
        // As upstream's report from the system stack: every goroutine,
        // the one the runtime was working for first.
        crate::traceback::traceback_others(core::ptr::null_mut());
    }
    exit_or_crash()
}

/// Upstream's `throw` made on a goroutine's own stack (where upstream's
/// equivalent code runs there, as for runtime/debug's setters): the
/// report starts with that goroutine.
pub fn throw_on_goroutine(msg: &str) -> ! {
    fatalthrow(crate::traceback::THROW_RUNTIME, msg.as_bytes())
}

/// Upstream's `fatal`: an unrecoverable error caused by the program
/// (concurrent map writes, deadlock, ...).
pub fn fatal_user(msg: &str) -> ! {
    fatalthrow(crate::traceback::THROW_USER, msg.as_bytes())
}

fn set_throwing(kind: u32) {
    let mp = crate::gm::getm();
    if !mp.is_null() {
        // SAFETY: the current m is live.
        unsafe { (*mp).throwing = kind };
    }
}

fn fatalthrow(kind: u32, msg: &[u8]) -> ! {
    start_dying();
    let mp = crate::gm::getm();
    // SAFETY: the current m is live (null only before startup).
    if !mp.is_null() {
        unsafe { (*mp).throwing = kind };
    }
    crate::print::gwrite(b"fatal error: ");
    crate::print::gwrite(msg);
    crate::print::gwrite(b"\n");
    if !mp.is_null() {
        let gp = crate::gm::curg();
        // SAFETY: a non-null curg is a live goroutine.
        if !gp.is_null() && unsafe { (*gp).sig } != 0 {
            // A throw while handling a fault (sigpanic's "fault").
            crate::errors::print_signal_line(gp);
        }
        dopanic(gp);
    }
    exit_or_crash()
}

/// The end of a fatal report: exit status 2, or, with GOTRACEBACK=crash,
/// death by SIGABRT (a core dump where the system keeps them).
pub fn exit_or_crash() -> ! {
    let (_, _, crash) = crate::traceback::gotraceback();
    if crash {
        crate::sys::die_from_signal(libc::SIGABRT);
    }
    crate::sys::exit_group(2)
}

/// The traceback part of a fatal report: gp's stack (the goroutine on whose
/// behalf the runtime failed, if any), then the others when GOTRACEBACK or
/// the kind of failure asks for all.
pub fn dopanic(gp: *mut crate::layout::rt::g) {
    let (level, all, _crash) = crate::traceback::gotraceback();
    if level > 0 {
        if !gp.is_null() {
            crate::print::gwrite(b"\n");
            crate::traceback::goroutine_header(gp);
            crate::traceback::traceback_current(gp);
        }
        if all {
            crate::traceback::traceback_others(gp);
        }
    }
}

/// A runtime entry point that gort does not implement yet.
pub fn not_implemented(name: &str) -> ! {
    start_dying();
    let _ = write!(Stderr, "fatal error: gort: {name} not implemented\n");
    crate::sys::exit_group(2)
}

/// The Go side's fatal(s) (user errors) and throw(s) (runtime bugs).
pub fn rt_fatal(s: GoString) -> ! {
    // SAFETY: s comes from Go code and describes an immutable Go string.
    fatalthrow(crate::traceback::THROW_USER, unsafe { s.as_bytes() })
}

pub fn rt_throw(s: GoString) -> ! {
    // SAFETY: as for rt_fatal.
    fatalthrow(crate::traceback::THROW_RUNTIME, unsafe { s.as_bytes() })
}

/// A Rust panic inside gort: always a gort bug.
pub fn rust_panic(info: &core::panic::PanicInfo) -> ! {
    start_dying();
    let _ = write!(Stderr, "fatal error: gort internal error: {}", info.message());
    if let Some(l) = info.location() {
        let _ = write!(Stderr, " at {}:{}", l.file(), l.line());
    }
    let _ = Stderr.write_str("\n");
    crate::sys::exit_group(2)
}

/// Check a runtime invariant; on failure throw with the message.
#[macro_export]
macro_rules! rt_assert {
    ($cond:expr, $msg:expr) => {
        if !$cond {
            $crate::fatal::throw($msg)
        }
    };
}
