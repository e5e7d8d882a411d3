//! Unrecoverable errors: `fatal error: ...` on stderr, exit status 2.
//!
//! Three sources: runtime invariants broken by the program (upstream's
//! `throw`), runtime entry points gort has not implemented yet (loud by
//! design: never a fake result), and bugs in gort itself (Rust panics).
//!
//! This module decides a report's layout (see HACKING.md: throw on the
//! system stack, throw on a goroutine's stack, fatal_user) and the
//! GOTRACEBACK setting; the stacks in it are printed by the metadata layer
//! (meta/traceback.rs), which registers its printers here at startup
//! (`REPORTER`). Before that, a report is its message alone.

use crate::hook::Hook;
use crate::layout::rt::g;
use crate::layout::GoString;
use crate::sys;
use core::fmt::Write;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

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

/// Threads reporting a fatal error (an unrecovered panic or a throw): once
/// set, the process is exiting and deadlock detection stands down.
pub static PANICKING: AtomicU32 = AtomicU32::new(0);

pub fn panicking() -> bool {
    PANICKING.load(Ordering::Acquire) > 0
}

/// The stack printers of fatal reports (meta/traceback.rs).
pub struct Reporter {
    /// The frames of the current system stack from `start` (a throw's
    /// "runtime stack:").
    pub system_stack: fn(SysFrameStart),
    /// gp's header and stack (gp is away in the runtime).
    pub goroutine: fn(*mut g),
    /// Every other goroutine (all of them when gp is null), the current
    /// m's first.
    pub others: fn(*mut g),
    /// The "[signal ...]" line of a goroutine that faulted.
    pub signal_line: fn(*mut g),
}

pub static REPORTER: Hook<Reporter> = Hook::new();

/// Where a system-stack walk starts: the reporting function's own pc,
/// frame base (its saved-frame-pointer slot) and stack pointer.
#[derive(Clone, Copy)]
pub struct SysFrameStart {
    pub pc: usize,
    pub bp: usize,
    pub sp: usize,
}

impl SysFrameStart {
    /// The caller's position (call from the function to be shown first).
    #[inline(always)]
    pub fn here() -> SysFrameStart {
        let (pc, bp, sp): (usize, usize, usize);
        // SAFETY: reads the instruction pointer and two registers; the
        // runtime is built with frame pointers (.cargo/config.toml).
        unsafe {
            core::arch::asm!("lea {pc}, [rip]", "mov {bp}, rbp", "mov {sp}, rsp", pc = out(reg) pc, bp = out(reg) bp, sp = out(reg) sp, options(nomem, nostack, preserves_flags));
        }
        SysFrameStart { pc, bp, sp }
    }
}

// ---- GOTRACEBACK ----

/// Bits of the traceback setting: level << 2 | crash << 1 | all.
static TRACEBACK: AtomicU32 = AtomicU32::new(1 << 2);
/// Set by runtime/debug.SetTraceback (only raises the level).
static TRACEBACK_DEBUG: AtomicU32 = AtomicU32::new(0);

/// GOTRACEBACK's value as setting bits (None: malformed).
pub fn parse_traceback(v: &[u8]) -> Option<u32> {
    Some(match v {
        b"none" => 0,
        b"single" | b"" => 1 << 2,
        b"all" => 1 << 2 | 1,
        b"system" => 2 << 2 | 1,
        b"crash" => 2 << 2 | 3,
        b"wer" => 2 << 2 | 3,
        _ => {
            let mut n = 0u32;
            for &c in v {
                if !c.is_ascii_digit() {
                    return None;
                }
                n = n.saturating_mul(10).saturating_add((c - b'0') as u32);
            }
            n.min(1 << 20) << 2 | 1
        }
    })
}

/// The environment's GOTRACEBACK (startup).
pub fn set_traceback(v: &[u8]) {
    TRACEBACK.store(parse_traceback(v).unwrap_or(1 << 2), Ordering::Relaxed);
}

/// runtime/debug.SetTraceback: like GOTRACEBACK, but never lowers the
/// level below the environment's.
pub fn set_traceback_debug(v: &[u8]) {
    let t = parse_traceback(v).unwrap_or(1 << 2);
    TRACEBACK_DEBUG.store(t | 1 << 31, Ordering::Relaxed);
}

/// Throwing states (m.throwing), as upstream.
pub const THROW_USER: u32 = 1;
pub const THROW_RUNTIME: u32 = 2;

/// (level, all, crash) for the current thread.
pub fn gotraceback() -> (u32, bool, bool) {
    let mut t = TRACEBACK.load(Ordering::Relaxed);
    let d = TRACEBACK_DEBUG.load(Ordering::Relaxed);
    if d != 0 && (d & !(1 << 31)) >> 2 >= t >> 2 {
        t = d & !(1 << 31);
    }
    let mp = crate::gm::getm();
    // SAFETY: the current m is live.
    let (throwing, forced) = unsafe { ((*mp).throwing, (*mp).tracebackLevel) };
    let crash = t & 2 != 0;
    let all = throwing >= THROW_USER || t & 1 != 0;
    let level = if forced != 0 {
        forced as u32
    } else if throwing >= THROW_RUNTIME {
        2
    } else {
        t >> 2
    };
    (level, all, crash)
}

/// Begin reporting a fatal error: mark the process as panicking (deadlock
/// detection stands down) and take the print lock. One thread reports;
/// another thread failing meanwhile waits for the process to exit rather
/// than interleaving its report (a failure while reporting, on the
/// reporting thread itself, goes on).
pub fn start_dying() {
    PANICKING.fetch_add(1, Ordering::AcqRel);
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
    let here = SysFrameStart::here();
    start_dying();
    set_throwing(THROW_RUNTIME);
    crate::print::gwrite(b"fatal error: ");
    crate::print::gwrite(msg.as_bytes());
    crate::print::gwrite(b"\n");
    let (level, _, _) = gotraceback();
    if let (true, Some(r)) = (level > 0, REPORTER.get()) {
        crate::print::gwrite(b"\nruntime stack:\n");
        (r.system_stack)(here);
        // As upstream's report from the system stack: every goroutine,
        // the one the runtime was working for first.
        (r.others)(core::ptr::null_mut());
    }
    exit_or_crash()
}

/// Upstream's `throw` made on a goroutine's own stack (where upstream's
/// equivalent code runs there, as for runtime/debug's setters): the
/// report starts with that goroutine.
pub fn throw_on_goroutine(msg: &str) -> ! {
    fatalthrow(THROW_RUNTIME, msg.as_bytes())
}

/// Upstream's `fatal`: an unrecoverable error caused by the program
/// (concurrent map writes, deadlock, ...).
pub fn fatal_user(msg: &str) -> ! {
    fatalthrow(THROW_USER, msg.as_bytes())
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
            print_signal_line(gp);
        }
        dopanic(gp);
    }
    exit_or_crash()
}

/// The end of a fatal report: exit status 2, or, with GOTRACEBACK=crash,
/// death by SIGABRT (a core dump where the system keeps them).
pub fn exit_or_crash() -> ! {
    let (_, _, crash) = gotraceback();
    if crash {
        crate::sys::die_from_signal(libc::SIGABRT);
    }
    crate::sys::exit_group(2)
}

/// The traceback part of a fatal report: gp's stack (the goroutine on whose
/// behalf the runtime failed, if any), then the others when GOTRACEBACK or
/// the kind of failure asks for all.
pub fn dopanic(gp: *mut g) {
    let (level, all, _crash) = gotraceback();
    let Some(r) = REPORTER.get() else { return };
    if level > 0 {
        if !gp.is_null() {
            crate::print::gwrite(b"\n");
            (r.goroutine)(gp);
        }
        if all {
            (r.others)(gp);
        }
    }
}

/// "[signal SIGSEGV: segmentation violation code=... addr=... pc=...]"
/// for a goroutine that faulted.
pub fn print_signal_line(gp: *mut g) {
    if let Some(r) = REPORTER.get() {
        (r.signal_line)(gp);
    }
}

/// A runtime entry point that gort does not implement yet.
pub fn not_implemented(name: &str) -> ! {
    start_dying();
    let _ = writeln!(Stderr, "fatal error: gort: {name} not implemented");
    crate::sys::exit_group(2)
}

/// The Go side's fatal(s) (user errors) and throw(s) (runtime bugs).
pub fn rt_fatal(s: GoString) -> ! {
    // SAFETY: s comes from Go code and describes an immutable Go string.
    fatalthrow(THROW_USER, unsafe { s.as_bytes() })
}

pub fn rt_throw(s: GoString) -> ! {
    // SAFETY: as for rt_fatal.
    fatalthrow(THROW_RUNTIME, unsafe { s.as_bytes() })
}

/// A Rust panic inside gort: always a gort bug.
#[cfg_attr(test, allow(dead_code))]
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
