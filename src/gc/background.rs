//! The collector's runtime goroutines (their Go loops are in
//! asm/runtime/mgcsweep.go), started by runtime.main as upstream's are:
//!   - the forced-GC helper: parked until sysmon finds that no collection
//!     ran for two minutes, then collects;
//!   - the background sweeper: readied at the end of each collection,
//!     sweeps spans in batches (yielding when other goroutines want the
//!     P), then wakes the scavenger and parks;
//!   - the background scavenger: returns runs of free pages to the system
//!     an arena at a time, then parks until the next sweep is over.
//! Each parks with its lock held until it is off its stack (the park
//! commit unlocks), so a waker that takes the lock sees either a goroutine
//! still running or one fully parked.

use crate::heap;
use crate::layout::rt::{self, g};
use crate::lock::Mutex;
use crate::sched;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, Ordering};

/// One parked-or-running runtime goroutine.
struct Helper {
    lock: Mutex,
    gp: AtomicPtr<g>,
    parked: AtomicBool,
    /// Work was requested while the goroutine was running.
    wanted: AtomicBool,
}

impl Helper {
    const fn new() -> Helper {
        Helper { lock: Mutex::new(crate::lockrank::Rank::GcHelper), gp: AtomicPtr::new(null_mut()), parked: AtomicBool::new(false), wanted: AtomicBool::new(false) }
    }

    /// From the goroutine itself: park unless work was requested since it
    /// last looked. True: parking is prepared (the Go side calls mcall).
    fn park(&self, reason: u8) -> bool {
        self.lock.lock();
        self.gp.store(crate::gm::curg(), Ordering::Relaxed);
        if self.wanted.swap(false, Ordering::AcqRel) {
            self.lock.unlock();
            return false;
        }
        self.parked.store(true, Ordering::Release);
        sched::schedule::prepare_park(Some(sched::schedule::unlock_commit), &self.lock as *const Mutex as *mut u8, reason);
        true
    }

    /// Ask the goroutine to run: ready it if parked, else make its next
    /// park return at once. Needs a P (ready puts it in our run queue).
    fn wake(&self) {
        self.lock.lock();
        let gp = self.gp.load(Ordering::Relaxed);
        let was_parked = self.parked.swap(false, Ordering::AcqRel);
        if !was_parked {
            self.wanted.store(true, Ordering::Release);
        }
        self.lock.unlock();
        if was_parked && !gp.is_null() {
            sched::schedule::ready(gp);
        }
    }
}

static FORCEGC: Helper = Helper::new();
static SWEEPER: Helper = Helper::new();
static SCAVENGER: Helper = Helper::new();

// ---- forced collections ----

pub fn rt_forcegcPark() -> bool {
    FORCEGC.park(rt::waitReasonForceGCIdle as u8)
}

/// For sysmon (no P): if a periodic collection is due and the helper is
/// parked, put it on the global run queue.
pub fn sysmon_forcegc(now: i64) {
    if !FORCEGC.parked.load(Ordering::Acquire) || !super::time_trigger_due(now) {
        return;
    }
    FORCEGC.lock.lock();
    let gp = FORCEGC.gp.load(Ordering::Relaxed);
    let parked = FORCEGC.parked.swap(false, Ordering::AcqRel);
    FORCEGC.lock.unlock();
    if parked && !gp.is_null() {
        sched::runq::inject_one(gp);
    }
}

// ---- sweeping ----

/// Spans the background sweeper sweeps between checks for other work.
const SWEEP_BATCH: usize = 10;

/// One batch of background sweeping; false when nothing is left.
pub fn rt_sweepStep() -> bool {
    heap::sweep::step(SWEEP_BATCH)
}

/// The collection whose sweep the scavenger last followed.
static SCAVENGED_AFTER: AtomicU32 = AtomicU32::new(0);

/// The sweeper found nothing left: hand over to the scavenger (once per
/// collection) and park (true), unless the next cycle's spans already
/// wait (false).
pub fn rt_sweepPark() -> bool {
    if !heap::sweep::done() {
        return false;
    }
    let n = super::stats().num_gc;
    if SCAVENGED_AFTER.swap(n, Ordering::AcqRel) != n {
        SCAVENGER.wake();
    }
    SWEEPER.park(rt::waitReasonGCSweepWait as u8)
}

/// After a collection: the new cycle's spans are unswept.
pub fn wake_sweeper() {
    SWEEPER.wake();
}

/// runtime.GC's promise: when it returns, the heap is swept.
pub fn rt_sweepAll() {
    heap::sweep::finish();
}

// ---- scavenging ----

/// Heap page the scavenger looks at next.
static SCAV_NEXT: AtomicUsize = AtomicUsize::new(0);
/// Free runs at least this long (64 KiB) are returned to the system
/// (while the heap keeps more than its retain goal).
const SCAV_MIN_PAGES: usize = 8;
/// At most this much (512 KiB) per step: a step is one Rust call, which
/// cannot be preempted.
const SCAV_MAX_PAGES: usize = 64;

/// Return one run of free pages to the system; false when a pass over the
/// heap is complete, or when the heap keeps no more than its retain goal
/// (heap::retained_excess).
pub fn rt_scavengeStep() -> bool {
    let excess = heap::retained_excess();
    if excess == 0 {
        return false;
    }
    let max = SCAV_MAX_PAGES.min(excess.div_ceil(heap::sizeclasses::PAGE_SIZE)).max(SCAV_MIN_PAGES);
    match heap::scavenge_next(SCAV_NEXT.load(Ordering::Relaxed), SCAV_MIN_PAGES, max) {
        Some((next, _)) => {
            SCAV_NEXT.store(next, Ordering::Relaxed);
            true
        }
        None => {
            SCAV_NEXT.store(0, Ordering::Relaxed);
            false
        }
    }
}

pub fn rt_scavengePark() -> bool {
    SCAVENGER.park(rt::waitReasonGCScavengeWait as u8)
}

/// Is the current goroutine asked to yield, or does every P have work?
/// (The background goroutines then step aside.)
pub fn rt_schedBusy() -> bool {
    let gp = crate::gm::curg();
    // SAFETY: gp is the current goroutine.
    unsafe { (*gp).preempt || sched::sched().npidle.load(Ordering::Acquire) == 0 }
}
