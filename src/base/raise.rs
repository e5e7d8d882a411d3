//! Raising Go panics from Rust.
//!
//! A Rust entry point cannot panic in place (it runs on g0, and a panic runs
//! Go code on the goroutine's stack). Instead it records the panic in its m
//! (`raise_*`) and returns normally; runtime·rtcall then tail-calls the Go
//! side's rtpanic, which builds the panic value and panics. The entry point
//! must return promptly after raising; its results are ignored.

use crate::gm::getm;
use crate::layout::abi::Type;
use crate::layout::rt;
use crate::layout::GoString;

fn raise(kind: i64, args: [usize; 4]) {
    let mp = getm();
    crate::leaf::forbidden(mp, "raising a panic");
    // SAFETY: the current m is live.
    unsafe {
        (*mp).rtpanicKind = kind as u32;
        (*mp).rtpanicArgs = args;
    }
}

/// panic(errorString(msg)): printed as "runtime error: msg".
pub fn raise_error(msg: &'static str) {
    raise(rt::rtpanicErrorString, [msg.as_ptr() as usize, msg.len(), 0, 0]);
}

/// panic(plainError(msg)): printed as msg.
/// panic(errorString(s)) with a message built at run time (a Go string).
pub fn raise_error_go(s: GoString) {
    raise(rt::rtpanicErrorString, [s.ptr as usize, s.len as usize, 0, 0]);
}

pub fn raise_plain(msg: &'static str) {
    raise(rt::rtpanicPlainError, [msg.as_ptr() as usize, msg.len(), 0, 0]);
}

/// panic(&TypeAssertionError{iface, have, want, ""}).
pub fn raise_type_assert(iface: *const Type, have: *const Type, want: *const Type) {
    raise(rt::rtpanicTypeAssert, [iface as usize, have as usize, want as usize, 0]);
}

/// panic(&TypeAssertionError{nil, have, want, missing}).
pub fn raise_missing_method(have: *const Type, want: *const Type, missing: &'static [u8]) {
    raise(rt::rtpanicTypeAssertMM, [have as usize, want as usize, missing.as_ptr() as usize, missing.len()]);
}

/// A bad memory access at addr: "invalid memory address or nil pointer
/// dereference", with " addr=0x..." when `show_addr`.
pub fn raise_memory(addr: usize, show_addr: bool) {
    raise(rt::rtpanicMemory, [addr, show_addr as usize, 0, 0]);
}

pub fn raise_divide() {
    raise(rt::rtpanicDivide, [0; 4]);
}
