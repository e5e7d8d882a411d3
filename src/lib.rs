//! gort: Go's runtime (go1.22.12, linux/amd64) reimplemented in Rust.
//!
//! This crate is a `no_std` static library. The host linker puts it where
//! upstream's runtime code would be; compiled Go code reaches it through the
//! Go-side face in `asm/runtime` (declarations, assembly trampolines that
//! switch to the system stack, and a few loops that must run on goroutine
//! stacks). See ARCHITECTURE.md for the whole picture.
//!
//! Invariants that hold everywhere in this crate:
//!   - Rust code runs on a system stack (an m's g0), never on a goroutine's.
//!   - A path that ends in a context switch (`gogo`) holds nothing that needs
//!     dropping: prepare in Rust, switch in assembly, finish in Rust.
//!   - Anything not implemented yet is a fatal error naming it.

#![cfg_attr(not(test), no_std)]
#![allow(clippy::missing_safety_doc, non_snake_case)]

pub mod layout;
pub mod sys;
pub mod fatal;
pub mod print;
pub mod lock;
pub mod persistent;
pub mod sysstat;
pub mod env;
pub mod stack;
pub mod heap;
pub mod gc;
pub mod sched;
pub mod proc;
pub mod types;
pub mod errors;
pub mod traceback;
pub mod symtab;
pub mod elfsym;
pub mod panic;
pub mod string;
pub mod slice;
pub mod iface;
pub mod alg;
pub mod maps;
pub mod chan;
pub mod reflectsupport;
pub mod sema;
pub mod time;
pub mod timer;
pub mod vdso;
pub mod syscall;
pub mod debug;
pub mod mstats;
pub mod netpoll;
pub mod signal;
pub mod checkptr;
pub mod softfloat;
pub mod cgocheck;
pub mod testhooks;

/// Entry points generated from asm/surface.def.
mod surface {
    include!(concat!(env!("OUT_DIR"), "/surface_glue.rs"));
}
pub use surface::glue::GoLinks;

/// Precompiled `core` refers to the unwinding personality routine even
/// though gort builds with panic=abort; nothing ever unwinds, so it is never
/// called.
#[cfg(not(test))]
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}

#[cfg(not(test))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    // A Rust panic inside the runtime is a gort bug: report it as a runtime
    // fatal error with where it happened.
    fatal::rust_panic(info)
}
