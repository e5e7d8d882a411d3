//! The execution tracer's hooks: what the lower layers tell the tracer
//! (proc/trace.rs), which registers `SINK` when a trace starts. Each call
//! site costs one relaxed load and a branch while no trace runs.

use crate::layout::rt::g;
use core::sync::atomic::{AtomicBool, Ordering};

/// Is a trace being recorded (and `SINK` registered)?
pub static ON: AtomicBool = AtomicBool::new(false);

/// What happened, as the lower layers see it. Every event is about the
/// current M (and its P and goroutine), except that a status change may
/// concern another goroutine (one made ready by this M).
#[derive(Clone, Copy)]
pub enum Ev {
    /// casgstatus(gp, old, new) succeeded.
    GStatus(*mut g, u32, u32),
    /// The current M is about to give up its P.
    ProcRelease,
    /// The current goroutine stops the world (true: for the collector).
    StwBegin(bool),
    /// ... and starts it again.
    StwEnd,
    /// A collection begins (the world stopped by the current goroutine).
    GcBegin,
    /// The collection's marking is over (the world still stopped).
    GcEnd,
    /// The current goroutine starts and ends a mark assist.
    AssistBegin,
    AssistEnd,
}

/// The tracer's entry (set by proc/trace.rs before `ON`).
pub static SINK: crate::hook::Hook<fn(Ev)> = crate::hook::Hook::new();

/// Report `e` if a trace runs.
#[inline(always)]
pub fn event(e: Ev) {
    if ON.load(Ordering::Relaxed) {
        deliver(e);
    }
}

#[cold]
#[inline(never)]
fn deliver(e: Ev) {
    if let Some(f) = SINK.get() {
        f(e);
    }
}
