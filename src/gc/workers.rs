//! The mark workers and the goroutines waiting for a cycle to end.
//!
//! Mark workers are goroutines (gcBgMarkWorker, asm/runtime/mgc.go), one
//! per P as upstream's, created by the Go side before the first cycle
//! starts (and when GOMAXPROCS grows). The collector's share is a quarter
//! of the processors, split as upstream splits it: whole processors for
//! dedicated workers (a quarter of GOMAXPROCS, rounded, unless rounding
//! is off by more than 30%), and what is left of the share for one
//! fractional worker, which marks only while its marking time this cycle
//! is below that fraction of the time since marking began, and sleeps
//! otherwise (GOMAXPROCS=2: no dedicated worker, a fractional one at half
//! a processor). Each scans for about a millisecond per turn; between
//! turns it sleeps 50 us when it has nothing to scan (spinning through the
//! scheduler instead cost encoding/json 3% in clock reads alone) and
//! yields when asked to (a preemption), not because other goroutines
//! wait: upstream's scheduler runs its workers ahead of the run queues,
//! and a worker that yielded to them sat in the global run queue for whole
//! cycles of a busy program (gofmt: background marking 0-7 ms of a run's
//! 60, assists did the rest; after, 14-20 ms). The other workers stay
//! parked. Processors with nothing to run mark too (gc/mod.rs, idle_mark).
//! The worker that finds nothing grey left ends the cycle (rt_gcMarkDone).
//!
//! runtime.GC waits for the end of a cycle's marking here too.

use crate::layout::rt::{self, g};
use crate::lock::Mutex;
use crate::pvec::PVec;
use crate::sched;
use crate::sysstat::Stat;
use core::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, Ordering};

/// The parked workers, and the goroutines waiting in runtime.GC with the
/// cycle each waits for; both under LOCK, which a parking goroutine holds
/// until it is off its stack (the park commit releases it).
static LOCK: Mutex = Mutex::new(crate::lockrank::Rank::GcHelper);
static IDLE: crate::global::Global<PVec<usize>> = crate::global::Global::new(PVec::persistent(8, Stat::Gc));
static WAITERS: crate::global::Global<PVec<(usize, u32)>> = crate::global::Global::new(PVec::persistent(8, Stat::Gc));
/// Workers created (or asked for) so far.
static CREATED: AtomicU32 = AtomicU32::new(0);
/// Workers marking now.
static ACTIVE: AtomicU32 = AtomicU32::new(0);

/// The collector's share of GOMAXPROCS: whole processors for dedicated
/// workers, and the fraction of one processor for the fractional worker.
fn split() -> (u32, f64) {
    let goal = sched::gomaxprocs().max(1) as f64 * super::pacer::GOAL_UTILIZATION;
    let mut dedicated = (goal + 0.5) as u32;
    let off = dedicated as f64 / goal - 1.0;
    if off.abs() > 0.3 && dedicated as f64 > goal {
        dedicated -= 1;
    }
    let frac = goal - dedicated as f64;
    (dedicated, if frac > 0.01 { frac } else { 0.0 })
}

/// How many workers may mark at once.
fn max_active() -> u32 {
    let (dedicated, frac) = split();
    dedicated + (frac > 0.0) as u32
}

/// The worker marking as the fractional one (null: none), and its marking
/// time this cycle.
static FRACTIONAL: AtomicPtr<g> = AtomicPtr::new(core::ptr::null_mut());
static FRACTIONAL_NS: AtomicU64 = AtomicU64::new(0);

pub fn is_fractional(gp: *mut g) -> bool {
    FRACTIONAL.load(Ordering::Relaxed) == gp
}

/// The fractional worker marked for `ns`.
pub fn note_fractional(ns: u64) {
    FRACTIONAL_NS.fetch_add(ns, Ordering::Relaxed);
}

/// Has the fractional worker had its share of the time since marking
/// began at `mark_start`?
pub fn fraction_used(mark_start: i64) -> bool {
    let elapsed = (crate::time::nanotime() - mark_start).max(0) as f64;
    FRACTIONAL_NS.load(Ordering::Relaxed) as f64 >= split().1 * elapsed
}

/// A cycle starts marking: the fractional worker's time starts over.
pub fn cycle_started() {
    FRACTIONAL_NS.store(0, Ordering::Relaxed);
}

/// From the Go side before a cycle starts: how many more workers to
/// create (one per P; none when collections stop the world).
pub fn rt_gcWorkersWanted() -> u32 {
    if super::STW_MODE.load(Ordering::Relaxed) {
        return 0;
    }
    let want = sched::gomaxprocs().max(1) as u32;
    let have = CREATED.load(Ordering::Relaxed);
    if have >= want {
        return 0;
    }
    CREATED.store(want, Ordering::Relaxed);
    want - have
}

/// A worker between turns of marking: true if it parks (the Go side then
/// calls mcall(mcallPark)); false if it should mark (a cycle is marking
/// and fewer than max_active workers are).
pub fn rt_gcWorkerWait() -> bool {
    LOCK.lock();
    if super::marking() {
        let n = ACTIVE.load(Ordering::Relaxed);
        if n < max_active().max(1) {
            ACTIVE.store(n + 1, Ordering::Relaxed);
            // The workers beyond the dedicated ones: the fractional one.
            if n >= split().0 && FRACTIONAL.load(Ordering::Relaxed).is_null() {
                FRACTIONAL.store(crate::gm::curg(), Ordering::Relaxed);
            }
            LOCK.unlock();
            return false;
        }
    }
    // SAFETY: IDLE is only used under LOCK.
    unsafe { IDLE.get().push(crate::gm::curg() as usize) };
    sched::schedule::prepare_park(Some(sched::schedule::unlock_commit), &LOCK as *const Mutex as *mut u8, rt::waitReasonGCWorkerIdle as u8);
    true
}

/// A worker's marking turns are over (the cycle ended, or it ends it).
pub fn rt_gcWorkerLeave() {
    LOCK.lock();
    let _ = FRACTIONAL.compare_exchange(crate::gm::curg(), core::ptr::null_mut(), Ordering::Relaxed, Ordering::Relaxed);
    ACTIVE.fetch_sub(1, Ordering::Relaxed);
    LOCK.unlock();
}

/// A cycle started marking (the caller has a P): ready the workers that
/// will mark.
pub fn wake_for_cycle() {
    let mut ready: [*mut g; 16] = [core::ptr::null_mut(); 16];
    let mut n = 0;
    LOCK.lock();
    let want = max_active().max(1).saturating_sub(ACTIVE.load(Ordering::Relaxed)) as usize;
    // SAFETY: IDLE is only used under LOCK.
    let idle = unsafe { IDLE.get() };
    while n < want.min(ready.len()) {
        match idle.pop() {
            Some(gp) => {
                ready[n] = gp as *mut g;
                n += 1;
            }
            None => break,
        }
    }
    LOCK.unlock();
    for &gp in &ready[..n] {
        sched::schedule::ready(gp);
    }
}

/// runtime.GC: park until cycle `n` has finished marking; false if it
/// already has (true: the Go side calls mcall(mcallPark), then asks again).
pub fn rt_gcWaitMark(n: u32) -> bool {
    LOCK.lock();
    if super::stats().num_gc >= n {
        LOCK.unlock();
        return false;
    }
    // SAFETY: WAITERS is only used under LOCK.
    unsafe { WAITERS.get().push((crate::gm::curg() as usize, n)) };
    sched::schedule::prepare_park(Some(sched::schedule::unlock_commit), &LOCK as *const Mutex as *mut u8, rt::waitReasonWaitForGCCycle as u8);
    true
}

/// A cycle ended: ready every goroutine waiting for it (the caller has a P).
pub fn wake_waiters() {
    let done = super::stats().num_gc;
    loop {
        LOCK.lock();
        // SAFETY: WAITERS is only used under LOCK.
        let w = unsafe { WAITERS.get() };
        let mut found = None;
        for i in 0..w.len() {
            let (gp, n) = w.get(i);
            if n <= done {
                w.swap_remove(i);
                found = Some(gp);
                break;
            }
        }
        LOCK.unlock();
        match found {
            Some(gp) => sched::schedule::ready(gp as *mut g),
            None => return,
        }
    }
}
