//! The block and mutex profiles (runtime.SetBlockProfileRate,
//! SetMutexProfileFraction, BlockProfile, MutexProfile; runtime/pprof's
//! "block" and "mutex" profiles, `go test -blockprofile/-mutexprofile`).
//!
//! Time is counted in "cycles", which for gort are nanoseconds of the
//! monotonic clock (runtime/pprof converts with runtime_cyclesPerSecond,
//! 1e9 here; upstream uses the CPU's time-stamp counter).
//!
//! Block events: a goroutine that waits on a channel, in a select, on a
//! semaphore (sync.WaitGroup, sync.Mutex, ...) or on a sync.Cond notes in
//! its sudog when it began waiting, as `releasetime = -start`, when block
//! profiling is on; its waker turns that into the time waited
//! (`released`), and the goroutine, once running again, reports it
//! (`blocked`). An event of `c` cycles is sampled with probability
//! min(1, c / rate), and counted scaled back up (rate/c events, rate
//! cycles), as upstream's.
//!
//! Mutex events: when sync.Mutex or RWMutex wakes a waiter, the unlocker
//! is charged the time the waiter waited (taken from the sudog, which
//! semaphores stamp for runtime/metrics anyway), one event in `fraction`
//! being sampled and counted `fraction` times. Upstream also charges the
//! other waiters still queued on the same lock (an estimate of their
//! waits so far); gort charges each waiter's whole wait to the unlock that
//! wakes it, which gives the same total.
//!
//! Stacks are the waiting (or unlocking) goroutine's, with the runtime's
//! entry frames left out so that the innermost frame is the one upstream
//! records (runtime.chanrecv1, runtime.selectgo, sync.(*Mutex).Lock,
//! sync.(*Mutex).Unlock...): each caller says how many frames of gort's Go
//! face are below it.

use crate::layout::rt::sudog;
use crate::layout::GoSlice;
use crate::lock::Mutex;
use crate::lockrank::Rank;
use crate::profbucket::{Table, MAX_STACK};
use crate::time::nanotime;
use core::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Sampling rate of the block profile, in cycles (0: off).
static BLOCK_RATE: AtomicI64 = AtomicI64::new(0);
/// One mutex event in this many is sampled (0: off).
static MUTEX_FRACTION: AtomicI64 = AtomicI64::new(0);

/// Cycles per second (runtime/pprof.runtime_cyclesPerSecond).
pub const CYCLES_PER_SECOND: i64 = 1_000_000_000;

/// A block or mutex bucket's record (changed and read under RECORDS).
#[derive(Default)]
pub struct BlockRecord {
    /// Events, scaled for sampling (an f64's bits).
    count: AtomicU64,
    cycles: AtomicI64,
}

static BLOCK: Table<BlockRecord> = Table::new();
static MUTEX: Table<BlockRecord> = Table::new();
static RECORDS: Mutex = Mutex::new(Rank::Profile);

pub fn SetBlockProfileRate(rate: isize) {
    let r = if rate <= 0 { 0 } else { (rate as i64).saturating_mul(CYCLES_PER_SECOND / 1_000_000_000).max(1) };
    BLOCK_RATE.store(r, Ordering::Relaxed);
}

pub fn SetMutexProfileFraction(rate: isize) -> isize {
    if rate < 0 {
        return MUTEX_FRACTION.load(Ordering::Relaxed) as isize;
    }
    MUTEX_FRACTION.swap(rate as i64, Ordering::Relaxed) as isize
}

pub fn runtime_cyclesPerSecond() -> i64 {
    CYCLES_PER_SECOND
}

// ---- block events ----

/// A waiter's sudog, as it is queued: what `releasetime` should start as
/// (-start when block profiling is on, else 0).
#[inline]
pub fn wait_start() -> i64 {
    if BLOCK_RATE.load(Ordering::Relaxed) > 0 {
        -nanotime().max(1)
    } else {
        0
    }
}

/// The waker of the goroutine waiting in `s`: the wait is over.
#[inline]
pub fn released(s: *mut sudog) {
    // SAFETY: s is a sudog its waker dequeued: the waiter is parked and
    // reads it only once readied, after this.
    unsafe {
        if (*s).releasetime < 0 {
            (*s).releasetime = (nanotime() + (*s).releasetime).max(1);
        }
    }
}

/// The goroutine that waited in `s`, running again: report the wait (if
/// timed) with its stack, `skip` frames of the Go face left out; clears
/// the stamp.
#[inline]
pub fn blocked(s: *mut sudog, skip: isize) {
    // SAFETY: s is the current goroutine's own sudog, already dequeued.
    let waited = unsafe { core::mem::replace(&mut (*s).releasetime, 0) };
    if waited > 0 {
        block_event(waited, skip);
    }
}

/// runtime.blockevent (runtime/pprof's tests call it): an event of
/// `cycles` at the caller's stack, the first `skip` frames left out (this
/// entry point's trampoline is the first, as upstream's blockevent is).
pub fn blockevent(cycles: i64, skip: isize) {
    block_event(cycles, skip);
}

#[inline(never)]
fn block_event(cycles: i64, skip: isize) {
    let cycles = cycles.max(1);
    let rate = BLOCK_RATE.load(Ordering::Relaxed);
    if rate <= 0 {
        return;
    }
    // Sampled with probability cycles/rate when shorter than the rate.
    if rate > cycles && (crate::rand::cheaprand64() % rate as u64) as i64 > cycles {
        return;
    }
    let (count, total) = if cycles < rate { (rate as f64 / cycles as f64, rate) } else { (1.0, cycles) };
    save(&BLOCK, count, total, skip);
}

// ---- mutex events ----

/// Is the mutex profile on (runtime.SetMutexProfileFraction > 0)?
#[inline]
pub fn mutex_profiling() -> bool {
    MUTEX_FRACTION.load(Ordering::Relaxed) > 0
}

/// The unlocker of a sync.Mutex/RWMutex woke a goroutine that had waited
/// `cycles`: charge it to the unlocker's stack (`skip` frames of the Go
/// face left out).
pub fn mutex_event(cycles: i64, skip: isize) {
    let fraction = MUTEX_FRACTION.load(Ordering::Relaxed);
    if fraction <= 0 || !crate::rand::cheaprand64().is_multiple_of(fraction as u64) {
        return;
    }
    save(&MUTEX, fraction as f64, fraction.saturating_mul(cycles.max(0)), skip);
}

fn save(table: &Table<BlockRecord>, count: f64, cycles: i64, skip: isize) {
    let mut stk = [0usize; MAX_STACK];
    let n = crate::mprof::goroutine_stack(skip, &mut stk);
    let b = table.lookup(&stk[..n], 0);
    // SAFETY: buckets are never freed.
    let rec = unsafe { &(*b).rec };
    RECORDS.lock();
    let c = f64::from_bits(rec.count.load(Ordering::Relaxed)) + count;
    rec.count.store(c.to_bits(), Ordering::Relaxed);
    rec.cycles.fetch_add(cycles, Ordering::Relaxed);
    RECORDS.unlock();
}

// ---- reading the profiles ----

/// runtime.BlockProfileRecord.
#[repr(C)]
struct BlockProfileRecord {
    count: i64,
    cycles: i64,
    stack0: [usize; MAX_STACK],
}

/// Copy a profile into the caller's records if they are enough.
///
/// # Safety
/// `p` is the Go caller's []BlockProfileRecord.
unsafe fn copy_out(table: &Table<BlockRecord>, p: GoSlice<u8>, at_least_one: bool) -> (isize, bool) {
    // SAFETY: the caller's slice of records.
    let recs = unsafe { GoSlice { ptr: p.ptr as *mut BlockProfileRecord, len: p.len, cap: p.cap }.as_mut_slice() };
    RECORDS.lock();
    let mut n = 0usize;
    table.for_each(|_| n += 1);
    let ok = n <= recs.len();
    if ok {
        let mut i = 0;
        table.for_each(|b| {
            let mut count = f64::from_bits(b.rec.count.load(Ordering::Relaxed)) as i64;
            if at_least_one && count == 0 {
                // A sampled event scaled below one still happened.
                count = 1;
            }
            recs[i] = BlockProfileRecord { count, cycles: b.rec.cycles.load(Ordering::Relaxed), stack0: b.stack_record() };
            i += 1;
        });
    }
    RECORDS.unlock();
    (n as isize, ok)
}

/// # Safety
/// `p` is the Go caller's []BlockProfileRecord.
pub unsafe fn BlockProfile(p: GoSlice<u8>) -> (isize, bool) {
    // SAFETY: per the function contract.
    unsafe { copy_out(&BLOCK, p, true) }
}

/// # Safety
/// `p` is the Go caller's []BlockProfileRecord.
pub unsafe fn MutexProfile(p: GoSlice<u8>) -> (isize, bool) {
    // SAFETY: per the function contract.
    unsafe { copy_out(&MUTEX, p, false) }
}
