//! Unrecoverable errors: `fatal error: ...` on stderr, exit status 2.
//!
//! Three sources: runtime invariants broken by the program (upstream's
//! `throw`), runtime entry points gort has not implemented yet (loud by
//! design: never a fake result), and bugs in gort itself (Rust panics).

use crate::layout::GoString;
use crate::sys;
use core::fmt::Write;

/// Writes straight to fd 2, bypassing print's buffering and locks: used
/// when the runtime is already failing.
pub struct Stderr;

impl Write for Stderr {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        sys::write_all(2, s.as_bytes());
        Ok(())
    }
}

/// Upstream's `throw`: a fatal error the program cannot recover from.
pub fn throw(msg: &str) -> ! {
    fatal_bytes(msg.as_bytes())
}

fn fatal_bytes(msg: &[u8]) -> ! {
    crate::print::print_lock_for_death();
    sys::write_all(2, b"fatal error: ");
    sys::write_all(2, msg);
    sys::write_all(2, b"\n");
    crate::proc::die(2)
}

/// A runtime entry point that gort does not implement yet.
pub fn not_implemented(name: &str) -> ! {
    crate::print::print_lock_for_death();
    let _ = write!(Stderr, "fatal error: gort: {name} not implemented\n");
    crate::proc::die(2)
}

/// Go-side face's `fatal(s)`.
pub fn rt_fatal(s: GoString) -> ! {
    // SAFETY: s comes from Go code and describes an immutable Go string.
    fatal_bytes(unsafe { s.as_bytes() })
}

/// A Rust panic inside gort: always a gort bug.
pub fn rust_panic(info: &core::panic::PanicInfo) -> ! {
    crate::print::print_lock_for_death();
    let _ = write!(Stderr, "fatal error: gort internal error: {}", info.message());
    if let Some(l) = info.location() {
        let _ = write!(Stderr, " at {}:{}", l.file(), l.line());
    }
    let _ = Stderr.write_str("\n");
    crate::proc::die(2)
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
