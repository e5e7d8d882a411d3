//! The mark workers and the goroutines waiting for a cycle to end.
//!
//! Mark workers are goroutines (gcBgMarkWorker, asm/runtime/mgc.go), one
//! per P as upstream's, created by the Go side before the first cycle
//! starts (and when GOMAXPROCS grows). A quarter of GOMAXPROCS of them
//! (at least one) mark at a time: each scans for about a millisecond per
//! turn, yielding between turns when other goroutines wait; the others
//! stay parked. The worker that finds nothing grey left ends the cycle
//! (rt_gcMarkDone).
//!
//! runtime.GC waits for the end of a cycle's marking here too.

use crate::layout::rt::{self, g};
use crate::lock::Mutex;
use crate::pvec::PVec;
use crate::sched;
use crate::sysstat::Stat;
use core::sync::atomic::{AtomicU32, Ordering};

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

/// How many workers may mark at once.
fn max_active() -> u32 {
    (sched::gomaxprocs().max(1) as u32 + 2) / 4
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
