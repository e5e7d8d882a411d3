//! What the scheduler measures about itself, for runtime/metrics
//! (proc/metrics.rs reads it):
//!   - time histograms: how long runnable goroutines wait for a processor
//!     (sampled: one transition in `TRACK_PERIOD` per goroutine), and how
//!     long stop-the-world pauses take to stop and in all, for the collector
//!     and for anything else;
//!   - processor time by class: all of it (GOMAXPROCS integrated over wall
//!     time), idle (Ps on the idle list), the collector's pauses (every P
//!     stopped), the background scavenger's work;
//!   - the time goroutines spent blocked in sync.Mutex and sync.RWMutex.
//!
//! The histogram's buckets are upstream's (runtime/metrics exposes their
//! boundaries): below 2^8 ns, four linear buckets of 64 ns; then, for each
//! power of two 2^k (k = 8..46), four linear buckets of 2^(k-2) ns; one
//! bucket below zero and one at and above 2^47 ns.

use super::*;

/// Counting buckets of a time histogram (without the two outer ones).
pub const HIST_INNER: usize = 160;
/// All buckets: below zero, the inner ones, overflow.
pub const HIST_BUCKETS: usize = HIST_INNER + 2;

/// A histogram of durations in nanoseconds, safe to record into from any
/// thread.
pub struct TimeHist {
    counts: [AtomicU64; HIST_BUCKETS],
}

impl TimeHist {
    pub const fn new() -> TimeHist {
        TimeHist { counts: [const { AtomicU64::new(0) }; HIST_BUCKETS] }
    }

    pub fn record(&self, ns: i64) {
        self.counts[bucket_of(ns)].fetch_add(1, Ordering::Relaxed);
    }

    /// Copy the counts out (out.len() == HIST_BUCKETS), lowest bucket first.
    pub fn read(&self, out: &mut [u64]) {
        for (o, c) in out.iter_mut().zip(self.counts.iter()) {
            *o = c.load(Ordering::Relaxed);
        }
    }
}

impl Default for TimeHist {
    fn default() -> Self {
        Self::new()
    }
}

/// The bucket a duration falls in (0: negative; HIST_BUCKETS-1: 2^47 ns
/// or more).
pub fn bucket_of(ns: i64) -> usize {
    if ns < 0 {
        return 0;
    }
    let v = ns as u64;
    let inner = if v < 256 {
        (v >> 6) as usize
    } else {
        let top = 63 - v.leading_zeros() as usize; // 8..63
        let group = top - 7;
        let sub = ((v >> (top - 2)) & 3) as usize;
        group * 4 + sub
    };
    if inner >= HIST_INNER {
        HIST_BUCKETS - 1
    } else {
        inner + 1
    }
}

/// The lower bound, in ns, of inner bucket i (0..=HIST_INNER; HIST_INNER
/// is where the overflow bucket starts).
pub fn inner_lower_bound(i: usize) -> u64 {
    if i < 4 {
        (i as u64) << 6
    } else {
        (4 + (i as u64 & 3)) << (i / 4 + 5)
    }
}

/// Runnable-to-running delays (upstream's /sched/latencies:seconds).
pub static SCHED_LATENCY: TimeHist = TimeHist::new();
/// Stop-the-world pauses: time to stop, and in all (request to restart),
/// for the collector and for the rest (GOMAXPROCS).
pub static STW_STOPPING_GC: TimeHist = TimeHist::new();
pub static STW_STOPPING_OTHER: TimeHist = TimeHist::new();
pub static STW_TOTAL_GC: TimeHist = TimeHist::new();
pub static STW_TOTAL_OTHER: TimeHist = TimeHist::new();

/// One goroutine transition in this many is timed.
const TRACK_PERIOD: u8 = 8;

/// Is this transition one to time? One in TRACK_PERIOD of each
/// goroutine's, or all of them when runtime tests ask for it.
fn sampled(seq: u8) -> bool {
    // SAFETY: runtime·casgstatusAlwaysTrack is a Go bool, written only by
    // runtime tests before they make the transitions they measure.
    let always = unsafe { &*(crate::links::links().casgstatusAlwaysTrack as *const core::sync::atomic::AtomicBool) };
    seq.is_multiple_of(TRACK_PERIOD) || always.load(Ordering::Relaxed)
}

/// gp has just parked on pp (its waitreason set): of the waits in
/// sync.Mutex or RWMutex on each P, one in TRACK_PERIOD is timed
/// (g.trackingStamp, nonzero while timed), as upstream samples them;
/// note_runnable ends it. (Counted per P, not with the goroutine's own
/// trackingSeq, which note_runnable steps too: a goroutine that alternates
/// a mutex wait with one other transition would be timed never or always.)
pub fn note_waiting(gp: *mut g, pp: *mut P) {
    // SAFETY: gp has just parked; pp is the current m's P, whose fields
    // only it writes.
    unsafe {
        let gr = &mut *gp;
        if !is_mutex_wait(gr.waitreason) {
            return;
        }
        let p = &mut *pp;
        p.mutex_waits = p.mutex_waits.wrapping_add(1);
        if sampled(p.mutex_waits) {
            gr.trackingStamp = crate::time::nanotime();
        }
    }
}

/// Waits in sync.Mutex.Lock, RWMutex.RLock and RWMutex.Lock.
pub fn is_mutex_wait(reason: u8) -> bool {
    use crate::layout::rt::{waitReasonSyncMutexLock, waitReasonSyncRWMutexLock, waitReasonSyncRWMutexRLock};
    [waitReasonSyncMutexLock, waitReasonSyncRWMutexRLock, waitReasonSyncRWMutexLock].iter().any(|&r| r as u8 == reason)
}

/// gp has just become runnable: end a timed mutex wait (counted
/// TRACK_PERIOD times: it stands for the waits not timed), and start
/// timing its wait for a processor, one time in TRACK_PERIOD (g.tracking,
/// g.trackingSeq, g.runnableTime).
pub fn note_runnable(gp: *mut g) {
    // SAFETY: gp is a live G whose status we just changed; only the thread
    // that changes a G's status touches these fields.
    unsafe {
        let gr = &mut *gp;
        let stamp = core::mem::take(&mut gr.trackingStamp);
        gr.trackingSeq = gr.trackingSeq.wrapping_add(1);
        gr.tracking = sampled(gr.trackingSeq);
        if stamp == 0 && !gr.tracking {
            return;
        }
        // One clock read serves both.
        let now = crate::time::nanotime();
        if stamp != 0 && now > stamp {
            MUTEX_WAIT_NS.fetch_add((now - stamp) * TRACK_PERIOD as i64, Ordering::Relaxed);
        }
        if gr.tracking {
            gr.runnableTime = now;
        }
    }
}

/// gp is about to run: record its wait if it was timed.
pub fn note_running(gp: *mut g) {
    // SAFETY: as for note_runnable.
    unsafe {
        let gr = &mut *gp;
        if gr.tracking {
            gr.tracking = false;
            SCHED_LATENCY.record(crate::time::nanotime() - gr.runnableTime);
        }
    }
}

// ---- processor time ----

/// GOMAXPROCS x wall time up to `TOTAL_SINCE` (ns), under sched.lock.
static TOTAL_NS: AtomicI64 = AtomicI64::new(0);
static TOTAL_SINCE: AtomicI64 = AtomicI64::new(0);
/// Time Ps spent on the idle list, up to their last departure from it
/// (sched.lock); a P on it now adds `now - P.idle_since`.
static IDLE_NS: AtomicI64 = AtomicI64::new(0);
/// Processor time of the collector's stop-the-world pauses (the pause
/// times GOMAXPROCS).
static GC_PAUSE_CPU_NS: AtomicI64 = AtomicI64::new(0);
/// Time the background scavenger spent returning memory.
static SCAVENGE_BG_NS: AtomicI64 = AtomicI64::new(0);
/// Time goroutines spent blocked in sync.Mutex and sync.RWMutex.
static MUTEX_WAIT_NS: AtomicI64 = AtomicI64::new(0);

/// GOMAXPROCS changes from `old` Ps (sched.lock held, or startup): close
/// the stretch of processor time they had.
pub(super) fn note_procresize(old: i32) {
    let now = crate::time::nanotime();
    let since = TOTAL_SINCE.swap(now, Ordering::Relaxed);
    if old > 0 {
        TOTAL_NS.fetch_add((now - since) * old as i64, Ordering::Relaxed);
    }
}

/// pp goes on the idle list (sched.lock held).
pub(super) fn note_p_idle(pp: *mut P) {
    // SAFETY: pp is a live P; idle_since is under sched.lock.
    unsafe { (*pp).idle_since = crate::time::nanotime() };
}

/// pp leaves the idle list (sched.lock held).
pub(super) fn note_p_busy(pp: *mut P) {
    // SAFETY: as for note_p_idle.
    unsafe {
        let since = core::mem::take(&mut (*pp).idle_since);
        if since != 0 {
            IDLE_NS.fetch_add(crate::time::nanotime() - since, Ordering::Relaxed);
        }
    }
}

pub fn add_scavenge_time(ns: i64) {
    SCAVENGE_BG_NS.fetch_add(ns, Ordering::Relaxed);
}

pub fn mutex_wait_ns() -> i64 {
    MUTEX_WAIT_NS.load(Ordering::Relaxed)
}

/// Processor time by class, in ns, since the start.
#[derive(Clone, Copy, Default)]
pub struct CpuTime {
    pub total: i64,
    pub idle: i64,
    pub gc_pause: i64,
    pub scavenge_bg: i64,
}

/// A consistent reading of the processor-time counters (idle and total
/// at the same instant, under sched.lock).
pub fn cpu_time() -> CpuTime {
    let s = sched();
    s.lock.lock();
    let now = crate::time::nanotime();
    let total = TOTAL_NS.load(Ordering::Relaxed) + (now - TOTAL_SINCE.load(Ordering::Relaxed)) * gomaxprocs() as i64;
    let mut idle = IDLE_NS.load(Ordering::Relaxed);
    for i in 0..gomaxprocs() as usize {
        // SAFETY: Ps below gomaxprocs are live; idle_since is under
        // sched.lock, which we hold.
        let since = unsafe { (*allp(i)).idle_since };
        if since != 0 {
            idle += now - since;
        }
    }
    s.lock.unlock();
    CpuTime {
        total,
        idle,
        gc_pause: GC_PAUSE_CPU_NS.load(Ordering::Relaxed),
        scavenge_bg: SCAVENGE_BG_NS.load(Ordering::Relaxed),
    }
}

// ---- stop-the-world pauses ----

pub use crate::tracehook::StwReason;

/// The pause under way: its reason, and when it was asked for (only one
/// stop-the-world runs at a time).
static STW_GC: AtomicBool = AtomicBool::new(false);
static STW_START: AtomicI64 = AtomicI64::new(0);

pub(super) fn note_stw_begin(why: StwReason) -> i64 {
    let now = crate::time::nanotime();
    STW_GC.store(why.is_gc(), Ordering::Relaxed);
    STW_START.store(now, Ordering::Relaxed);
    now
}

pub(super) fn note_stw_stopped() {
    let d = crate::time::nanotime() - STW_START.load(Ordering::Relaxed);
    if STW_GC.load(Ordering::Relaxed) { &STW_STOPPING_GC } else { &STW_STOPPING_OTHER }.record(d);
}

/// The world runs again; `procs` Ps were stopped.
pub(super) fn note_stw_end(procs: i32, released: i64) {
    let d = released - STW_START.load(Ordering::Relaxed);
    if STW_GC.load(Ordering::Relaxed) {
        STW_TOTAL_GC.record(d);
        GC_PAUSE_CPU_NS.fetch_add(d * procs as i64, Ordering::Relaxed);
    } else {
        STW_TOTAL_OTHER.record(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_partition_the_line() {
        // Every bound falls in its own bucket and the value just below it
        // in the previous one.
        for i in 0..=HIST_INNER {
            let b = inner_lower_bound(i);
            assert_eq!(bucket_of(b as i64), i + 1, "bound {b}");
            if b > 0 {
                assert_eq!(bucket_of(b as i64 - 1), i, "below {b}");
            }
        }
        assert_eq!(bucket_of(-1), 0);
        assert_eq!(bucket_of(i64::MAX), HIST_BUCKETS - 1);
        assert_eq!(inner_lower_bound(HIST_INNER), 1 << 47);
        assert_eq!(inner_lower_bound(4), 256);
        assert_eq!(inner_lower_bound(5), 320);
    }
}
