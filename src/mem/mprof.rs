//! The memory profile (runtime.MemProfile, runtime/pprof's heap and allocs
//! profiles, `go test -memprofile`).
//!
//! Sampling: each P's cache counts down the bytes left until its next
//! sample (`Mcache::next_sample`); the distance between samples is drawn
//! from an exponential distribution whose mean is runtime.MemProfileRate
//! (1: every allocation; 0: none), so that the samples form a Poisson
//! process over the bytes allocated, as upstream's. A sampled allocation
//! is charged, with the size of its slot, to the bucket of its goroutine's
//! stack (profbucket.rs), and its object gets a profile record in its
//! span's list (`Mspan::specials`): when a sweep finds the object dead, it
//! charges the free to the same bucket.
//!
//! Publication follows upstream's three-cycle scheme, so that a profile
//! never shows allocations whose frees could not have been seen yet.
//! `CYCLE` counts mark terminations. An allocation during cycle C counts
//! toward slot (C+2)%3 of its bucket; a sweep free during cycle C toward
//! (C+1)%3 (sweeping finishes the previous cycle's business). When a
//! mark termination makes the count C+1, slot C%3 (old C's allocations are
//! now two terminations old... precisely: everything of the cycle just
//! published) is added to the bucket's published counts (`active`) by
//! `flush`, once the world runs again. runtime.GC, having swept
//! everything, also publishes the frees of its own cycle (`post_sweep`).
//! runtime.MemProfile reads only the published counts, but, when nothing
//! at all has been published (no collection yet), takes everything.

use crate::heap::{Mcache, Mspan};
use crate::lock::{Locked, Mutex};
use crate::lockrank::Rank;
use crate::layout::GoSlice;
use crate::profbucket::{Bucket, Table, MAX_STACK};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

/// Counts of one cycle, or the published totals.
#[derive(Default)]
pub struct Counts {
    allocs: AtomicUsize,
    frees: AtomicUsize,
    alloc_bytes: AtomicUsize,
    free_bytes: AtomicUsize,
}

impl Counts {
    fn add_from(&self, o: &Counts, take: bool) {
        let get = |a: &AtomicUsize| if take { a.swap(0, Ordering::Relaxed) } else { a.load(Ordering::Relaxed) };
        self.allocs.fetch_add(get(&o.allocs), Ordering::Relaxed);
        self.frees.fetch_add(get(&o.frees), Ordering::Relaxed);
        self.alloc_bytes.fetch_add(get(&o.alloc_bytes), Ordering::Relaxed);
        self.free_bytes.fetch_add(get(&o.free_bytes), Ordering::Relaxed);
    }
}

/// A memory-profile bucket's record: the published totals, and the three
/// cycles not yet published (indexed by cycle % 3).
#[derive(Default)]
pub struct MemRecord {
    active: Counts,
    cycles: [Counts; 3],
}

static TABLE: Table<MemRecord> = Table::new();

/// Mark terminations seen (wrapping at a multiple of 3) << 1, with bit 0
/// set once the cycle's slot has been flushed into the published counts.
static CYCLE: AtomicU32 = AtomicU32::new(0);
const CYCLE_WRAP: u32 = 3 << 24;

/// Held while published counts change or are read (flushes, MemProfile).
static ACTIVE: Mutex = Mutex::new(Rank::Profile);

fn cycle() -> u32 {
    CYCLE.load(Ordering::Acquire) >> 1
}

/// Mark termination (world stopped): later events count toward the next
/// cycle. `flush` must follow before the next call.
pub fn next_cycle() {
    let c = (cycle() + 1) % CYCLE_WRAP;
    CYCLE.store(c << 1, Ordering::Release);
}

fn flush_slot(slot: usize) {
    TABLE.for_each(|b| b.rec.active.add_from(&b.rec.cycles[slot], true));
}

/// After a mark termination, once the world runs: publish the cycle that
/// just ended (every bucket's slot of the current count).
pub fn flush() {
    let old = CYCLE.fetch_or(1, Ordering::AcqRel);
    if old & 1 != 0 {
        return;
    }
    ACTIVE.lock();
    flush_slot(((old >> 1) % 3) as usize);
    ACTIVE.unlock();
}

/// runtime.GC after sweeping everything: the frees of the last cycle are
/// all known, publish them (without advancing the cycle). The collector
/// calls it only if no other mark termination came since.
pub fn post_sweep() {
    ACTIVE.lock();
    flush_slot(((cycle() + 1) % 3) as usize);
    ACTIVE.unlock();
}

// ---- sampling ----

/// The Go variable runtime.MemProfileRate.
fn rate() -> isize {
    // SAFETY: the link is the address of a Go int variable; Go code may
    // store to it at any time (the program sets it once, early).
    unsafe { core::ptr::read_volatile(crate::links::links().memProfileRate as *const isize) }
}

/// log2(x) for x >= 1, to about 1e-5 (the sampling distance needs no
/// more): exponent from the bit pattern, mantissa through the atanh series.
fn log2(x: f64) -> f64 {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    let z = (m - 1.0) / (m + 1.0);
    let z2 = z * z;
    let ln_m = 2.0 * z * (1.0 + z2 * (1.0 / 3.0 + z2 * (1.0 / 5.0 + z2 * (1.0 / 7.0 + z2 / 9.0))));
    exp as f64 + ln_m * core::f64::consts::LOG2_E
}

/// Bytes to allocate before the next sample: exponentially distributed
/// with mean MemProfileRate (0 when every allocation is sampled).
pub fn next_sample() -> isize {
    let mean = rate();
    if mean <= 1 {
        return 0;
    }
    let mean = mean.min(0x700_0000) as f64;
    // u in (0, 1]: 26 random bits.
    const BITS: u32 = 26;
    let q = (crate::rand::cheaprand() & ((1 << BITS) - 1)) as f64 + 1.0;
    let lg = (log2(q) - BITS as f64).min(0.0);
    (-lg * core::f64::consts::LN_2 * mean) as isize + 1
}

/// mallocgc, after allocating the object at `p` in a slot of `size`
/// bytes: count it down, and sample it when its turn has come. Kept
/// small: it runs on every allocation.
///
/// # Safety
/// `c` is the current P's cache; `p` the object just allocated.
#[inline(always)]
pub unsafe fn on_alloc(c: *mut Mcache, p: *mut u8, size: usize) {
    // SAFETY: c is the current P's cache (the caller's contract).
    let ns = unsafe { &mut (*c).next_sample };
    // The rate is read every time, as upstream does: a program that sets
    // it to 1 has every later allocation sampled at once.
    let r = rate();
    if r > 1 && *ns > size as isize {
        *ns -= size as isize;
    } else if r > 0 {
        sample(ns, p, size);
    }
}

/// Would on_alloc sample an allocation of `size` bytes now?
///
/// # Safety
/// `c` is the current P's cache.
#[inline]
pub unsafe fn would_sample(c: *mut Mcache, size: usize) -> bool {
    let r = rate();
    // SAFETY: per the function contract.
    r > 0 && !(r > 1 && unsafe { (*c).next_sample } > size as isize)
}

#[cold]
#[inline(never)]
fn sample(ns: &mut isize, p: *mut u8, size: usize) {
    crate::leaf::forbidden(crate::gm::getm(), "a memory profile sample");
    *ns = next_sample();
    record_alloc(p, size);
}

/// The current goroutine's stack, as the memory and block profiles
/// record it: callers of the runtime entry point it is in (`skip` more
/// frames left out).
pub fn goroutine_stack(skip: isize, buf: &mut [usize]) -> usize {
    let gp = crate::gm::curg();
    if gp.is_null() {
        return 0;
    }
    crate::traceback::traceback_pcs(crate::traceback::Unwinder::for_g(gp), skip, buf)
}

fn record_alloc(p: *mut u8, size: usize) {
    let mut stk = [0usize; MAX_STACK];
    // The entry point's trampoline frame (runtime.newobject, makeslice...)
    // is left out, as upstream's record starts at mallocgc's caller's
    // caller.
    let n = goroutine_stack(1, &mut stk);
    let b = TABLE.lookup(&stk[..n], size);
    let slot = ((cycle() + 2) % 3) as usize;
    // SAFETY: buckets are never freed.
    let rec = unsafe { &(*b).rec.cycles[slot] };
    rec.allocs.fetch_add(1, Ordering::Relaxed);
    rec.alloc_bytes.fetch_add(size, Ordering::Relaxed);
    add_special(p as usize, b);
}

fn record_free(b: *mut Bucket<MemRecord>, size: usize) {
    let slot = ((cycle() + 1) % 3) as usize;
    // SAFETY: buckets are never freed.
    let rec = unsafe { &(*b).rec.cycles[slot] };
    rec.frees.fetch_add(1, Ordering::Relaxed);
    rec.free_bytes.fetch_add(size, Ordering::Relaxed);
}

// ---- the records on sampled objects ----

/// A sampled object's record, on its span's list.
pub struct Special {
    next: *mut Special,
    /// The object's index in its span.
    idx: usize,
    bucket: *mut Bucket<MemRecord>,
}

/// Records not in use (linked through `next`).
struct FreeSpecials(*mut Special);
// SAFETY: records are persistent memory reached only under the lock.
unsafe impl Send for FreeSpecials {}
static FREE_SPECIALS: Locked<FreeSpecials> = Locked::new(Rank::Profile, FreeSpecials(null_mut()));

fn add_special(p: usize, b: *mut Bucket<MemRecord>) {
    let s = crate::heap::span_of_heap(p);
    if s.is_null() {
        crate::fatal::throw("memory profile: sampled object not in the heap");
    }
    let sp = FREE_SPECIALS.with(|f| {
        let sp = f.0;
        if !sp.is_null() {
            // SAFETY: a record on the free list, ours under the lock.
            f.0 = unsafe { (*sp).next };
        }
        sp
    });
    let sp = if sp.is_null() { crate::persistent::new::<Special>() } else { sp };
    // SAFETY: s is the in-use span of an object just allocated: its owner
    // (this P's cache, or the allocator for a large object) is the only
    // one touching its list; no sweep runs on it before the next
    // collection, which cannot start while this Rust call runs.
    unsafe {
        *sp = Special { next: (*s).specials, idx: (*s).obj_index(p), bucket: b };
        (*s).specials = sp;
    }
}

/// Sweep, before the marks become allocation bits: charge the free of
/// every sampled object of `s` the collection did not mark, and drop its
/// record.
pub fn sweep_specials(s: &mut Mspan) {
    let mut link: *mut *mut Special = &mut s.specials;
    // SAFETY: the sweeper owns the popped span and its list.
    unsafe {
        while !(*link).is_null() {
            let sp = *link;
            if s.is_marked((*sp).idx) {
                link = &mut (*sp).next;
                continue;
            }
            record_free((*sp).bucket, s.elemsize);
            *link = (*sp).next;
            FREE_SPECIALS.with(|f| {
                (*sp).next = f.0;
                f.0 = sp;
            });
        }
    }
}

// ---- the heap dump ----

/// Every memory-profile bucket with its published counts (as
/// runtime.MemProfile reports them): f(bucket address, size, stack,
/// allocations, frees).
pub fn for_each_bucket(mut f: impl FnMut(usize, usize, &[usize], usize, usize)) {
    ACTIVE.lock();
    TABLE.for_each(|b| {
        let a = &b.rec.active;
        f(b as *const Bucket<MemRecord> as usize, b.size, b.stack(), a.allocs.load(Ordering::Relaxed), a.frees.load(Ordering::Relaxed));
    });
    ACTIVE.unlock();
}

/// Every sampled object of span s: f(object address, its bucket's
/// address).
///
/// # Safety
/// The world is stopped and s is swept: nobody changes its list.
pub unsafe fn for_each_sample(s: &Mspan, mut f: impl FnMut(usize, usize)) {
    let mut sp = s.specials;
    while !sp.is_null() {
        // SAFETY: a record on the span's list (per the contract).
        unsafe {
            f(s.obj_base((*sp).idx), (*sp).bucket as usize);
            sp = (*sp).next;
        }
    }
}

// ---- runtime.MemProfile ----

/// runtime.MemProfileRecord.
#[repr(C)]
pub struct MemProfileRecord {
    alloc_bytes: i64,
    free_bytes: i64,
    alloc_objects: i64,
    free_objects: i64,
    stack0: [usize; MAX_STACK],
}

fn in_use_or(b: &Bucket<MemRecord>, inuse_zero: bool) -> bool {
    let a = &b.rec.active;
    inuse_zero || a.alloc_bytes.load(Ordering::Relaxed) != a.free_bytes.load(Ordering::Relaxed)
}

/// runtime.MemProfile: the published profile (see the module doc).
///
/// # Safety
/// `p` is the Go caller's []MemProfileRecord.
pub unsafe fn rt_memProfile(p: GoSlice<u8>, inuse_zero: bool) -> (isize, bool) {
    // SAFETY: the caller's slice of MemProfileRecords.
    let recs = unsafe { GoSlice { ptr: p.ptr as *mut MemProfileRecord, len: p.len, cap: p.cap }.as_mut_slice() };
    ACTIVE.lock();
    // Between a mark termination and its flush, publish its slot now (the
    // slot of the current cycle receives nothing: this is harmless after
    // the flush).
    flush_slot((cycle() % 3) as usize);
    let mut n = 0usize;
    let mut empty = true;
    TABLE.for_each(|b| {
        n += in_use_or(b, inuse_zero) as usize;
        let a = &b.rec.active;
        empty &= a.allocs.load(Ordering::Relaxed) == 0 && a.frees.load(Ordering::Relaxed) == 0;
    });
    if empty {
        // No collection has published anything yet: take every cycle, so
        // that a program that never collects still has a profile.
        n = 0;
        TABLE.for_each(|b| {
            for c in &b.rec.cycles {
                b.rec.active.add_from(c, true);
            }
            n += in_use_or(b, inuse_zero) as usize;
        });
    }
    let ok = n <= recs.len();
    if ok {
        let mut i = 0;
        TABLE.for_each(|b| {
            if in_use_or(b, inuse_zero) {
                let a = &b.rec.active;
                recs[i] = MemProfileRecord {
                    alloc_bytes: a.alloc_bytes.load(Ordering::Relaxed) as i64,
                    free_bytes: a.free_bytes.load(Ordering::Relaxed) as i64,
                    alloc_objects: a.allocs.load(Ordering::Relaxed) as i64,
                    free_objects: a.frees.load(Ordering::Relaxed) as i64,
                    stack0: b.stack_record(),
                };
                i += 1;
            }
        });
    }
    ACTIVE.unlock();
    (n as isize, ok)
}
