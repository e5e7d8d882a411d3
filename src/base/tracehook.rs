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
    /// The current goroutine stops the world.
    StwBegin(StwReason),
    /// ... and starts it again.
    StwEnd,
    /// A collection begins (the world stopped by the current goroutine).
    GcBegin,
    /// The collection's marking is over (the world still stopped).
    GcEnd,
    /// The current goroutine starts and ends a mark assist.
    AssistBegin,
    AssistEnd,
    /// The current M sweeps its first span of a run of sweeping ...
    SweepBegin,
    /// ... and ends the run, having swept and reclaimed so many bytes.
    SweepEnd(u64, u64),
    /// The current goroutine, a mark worker, marks (true: as the
    /// fractional worker).
    MarkWorker(bool),
}

/// Why the world stops. Upstream's reasons, whose names are the kinds a
/// trace gives its stop-the-world ranges; the collector's count as GC
/// pauses in runtime/metrics, every other as "other".
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum StwReason {
    GcMarkTerm,
    GcSweepTerm,
    WriteHeapDump,
    GoroutineProfile,
    AllGoroutinesStack,
    ReadMemStats,
    Gomaxprocs,
    StartTrace,
    /// A test hook (export_test.go), named as upstream's.
    ForTest(&'static [u8]),
}

impl StwReason {
    pub fn is_gc(self) -> bool {
        matches!(self, StwReason::GcMarkTerm | StwReason::GcSweepTerm)
    }

    /// The name traces show (upstream's).
    pub fn name(self) -> &'static [u8] {
        match self {
            StwReason::GcMarkTerm => b"GC mark termination",
            StwReason::GcSweepTerm => b"GC sweep termination",
            StwReason::WriteHeapDump => b"write heap dump",
            StwReason::GoroutineProfile => b"goroutine profile",
            StwReason::AllGoroutinesStack => b"all goroutines stack trace",
            StwReason::ReadMemStats => b"read mem stats",
            StwReason::Gomaxprocs => b"GOMAXPROCS",
            StwReason::StartTrace => b"start trace",
            StwReason::ForTest(name) => name,
        }
    }
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
