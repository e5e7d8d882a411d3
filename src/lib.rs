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
#![allow(non_snake_case)]
// Module docs are plain text (lists continue without markdown indentation).
#![allow(clippy::doc_lazy_continuation)]
#![deny(unsafe_op_in_unsafe_fn)]

// The crate is layered; each layer is a folder, and a module may name
// only modules of its own layer or of lower ones (tests/layers.rs checks
// it). From the bottom up:
mod base; // layouts, system calls, locks, print, fatal errors, non-heap memory
mod os; // the process environment, clocks, settings, the signal table
mod meta; // type descriptors, the pclntab, stack maps, tracebacks
mod mem; // the Go heap and goroutine stacks
mod sched; // goroutines, threads, Ps; timers, the network poller, semaphores, channels
mod lang; // what compiled code calls: maps, strings, slices, interfaces, panics, ...
mod gc; // the garbage collector, finalizers, the collector's goroutines
mod proc; // startup and exit, signal handling, the runtime/debug and syscall APIs

// Every module is also reachable by its short name (`crate::heap`), as the
// surface glue and the rest of the crate name them; its folder is its layer.
use base::{bitword, bytes, faketime, fatal, global, gm, hook, layout, leaf, links, lock, lockrank, persistent, print, pvec, raise, rand, sys, sysstat, tracehook, tsan};
use lang::{alg, callers, cgocheck, checkptr, errors, iface, maps, panic, reflectsupport, slice, softfloat, string};
use mem::{heap, mprof, profbucket, stack, wb};
use meta::{elfsym, gcprog, globals, racepc, stackmap, symtab, traceback, types};
use os::{env, proftimer, settings, sigtab, time, vdso};
use proc::{cpuprof, debug, heapdump, metrics, mstats, profile, race, signal, syscall, testhooks, trace};
use sched::{chan, netpoll, sema, timer};

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
