//! Sweeping, concurrent with the program.
//!
//! A span is *swept* when its mark bits, written by the last collection,
//! have become its allocation bits: the objects the collection did not
//! reach are free again. Every in-use span not in a cache is on one list
//! of its span class: a central list (swept, with free objects), a full
//! list (swept, full), or an unswept list. Marking ends with the world
//! stopped; there `prepare` makes the central and full lists the unswept
//! ones, whole (the world is then restarted at once). From then on a span is swept by
//! exactly one of:
//!   - the background sweeper goroutine (`bgsweep`, asm/runtime/mgcsweep.go),
//!     a batch of spans at a time, yielding whenever another goroutine
//!     wants its P;
//!   - the allocator, when a P's cache needs a span of a class whose swept
//!     spans are all full (`take_for_class`: sweep spans of that class until
//!     one has a free object), and before it takes fresh pages (`credit`:
//!     sweep twice as many pages as it takes, so that sweeping is over long
//!     before the next collection is due);
//!   - `finish`: runtime.GC and the start of the next collection sweep
//!     what is left.
//! Invariants: an unswept span is on exactly one unswept list and in no
//! cache, central or full list; popping it under its list's lock makes the
//! popper its only user. Spans allocated after `prepare` are born swept.
//! Nothing reads an unswept span's allocation bits but the sweeper (the
//! collector's next marking starts only after `finish`).

use super::malloc;
use super::*;
use crate::lock::Locked;
use core::sync::atomic::{AtomicBool, AtomicU64};

/// One span class's spans in the heap's keeping that no central list
/// holds: the unswept ones (two lists, linked through `next`: what were
/// the central list and the full list when the last marking ended), and
/// the swept spans that are full (or were given up by a cache), which the
/// next marking's end makes unswept at once.
struct Lists {
    unswept: [*mut Mspan; 2],
    full: *mut Mspan,
    nfull: usize,
}

// SAFETY: the spans are heap metadata any thread may touch under the list's
// lock (see the module invariants).
unsafe impl Send for Lists {}

static LISTS: [Locked<Lists>; NUM_SPAN_CLASSES] =
    [const { Locked::new(crate::lockrank::Rank::Unswept, Lists { unswept: [null_mut(); 2], full: null_mut(), nfull: 0 }) }; NUM_SPAN_CLASSES];
/// Spans still on the unswept lists.
static PENDING: AtomicUsize = AtomicUsize::new(0);
/// Spans popped but not yet swept (a sweep in progress).
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
/// Where the background sweeper looks next (round robin over classes).
static NEXT_CLASS: AtomicUsize = AtomicUsize::new(0);

/// Objects and bytes the sweeps freed, since the start; small objects
/// freed per size class.
static FREES: AtomicU64 = AtomicU64::new(0);
static FREED_BYTES: AtomicU64 = AtomicU64::new(0);
static FREES_BY_CLASS: [AtomicU64; NUM_SIZE_CLASSES] = [const { AtomicU64::new(0) }; NUM_SIZE_CLASSES];

/// Debugging (GORT_GCPOISON=1): unreachable objects are filled with
/// 0xdeadbeef words and kept (marked), never reused: a use after a wrong
/// free then faults on a recognisable address instead of corrupting memory.
pub static POISON: AtomicBool = AtomicBool::new(false);

/// GODEBUG=clobberfree=1: objects the sweep frees are overwritten with
/// 0xdeadbeef words (then freed as usual), as upstream's.
pub static CLOBBER: AtomicBool = AtomicBool::new(false);

/// A swept span with no free object (or one a cache gives back, or a new
/// large object's) goes back to the heap's keeping.
pub fn push_full(s: *mut Mspan) {
    // SAFETY: s is an in-use span owned by the caller.
    let spc = unsafe { (*s).spanclass as usize };
    LISTS[spc].with(|l| {
        // SAFETY: as above; the list is ours under its lock.
        unsafe { (*s).next = l.full };
        l.full = s;
        l.nfull += 1;
    });
}

fn pop(spc: usize) -> *mut Mspan {
    LISTS[spc].with(|l| {
        let k = if l.unswept[0].is_null() { 1 } else { 0 };
        let s = l.unswept[k];
        if !s.is_null() {
            // SAFETY: s heads the list; popping makes it ours.
            unsafe {
                l.unswept[k] = (*s).next;
                (*s).next = null_mut();
                (*s).prev = null_mut();
            }
            ACTIVE.fetch_add(1, Ordering::Relaxed);
            PENDING.fetch_sub(1, Ordering::Relaxed);
        }
        s
    })
}

/// After marking: every in-use span becomes unswept, by moving whole lists
/// (the central lists of spans with room, and the full lists): the pause
/// does not depend on the heap's size. (Spans in caches were given back
/// to the full lists first: malloc::release_all.)
///
/// # Safety
/// The world is stopped.
pub unsafe fn prepare() {
    if PENDING.load(Ordering::Relaxed) != 0 || ACTIVE.load(Ordering::Relaxed) != 0 {
        crate::fatal::throw("gcSweep: previous sweep not finished");
    }
    let mut pending = 0;
    for (spc, lists) in LISTS.iter().enumerate() {
        let (partial, n) = malloc::central_take_all(spc);
        lists.with(|l| {
            l.unswept = [partial, l.full];
            l.full = null_mut();
            pending += n + l.nfull;
            l.nfull = 0;
        });
    }
    PENDING.store(pending, Ordering::Relaxed);
}

/// Debugging (with checkmark): every in-use span is on an unswept list,
/// each once.
///
/// # Safety
/// The world is stopped, right after `prepare`.
pub unsafe fn verify_prepared() {
    let mut n = 0usize;
    // SAFETY: the world is stopped (the function's contract).
    unsafe { for_each_span(|_| n += 1) };
    if n != PENDING.load(Ordering::Relaxed) {
        crate::gprint!(b"runtime: ", n, b" spans in use, ", PENDING.load(Ordering::Relaxed), b" to sweep\n");
        crate::fatal::throw("sweep: a span is on no list");
    }
}

/// How a span came out of its sweep.
#[derive(PartialEq, Eq)]
enum Swept {
    /// Nothing survived: its pages went back to the page heap.
    Freed,
    /// Every object is allocated.
    Full,
    /// It has free objects (a small-object span).
    Partial,
}

/// A run of sweeping by the current M (one call of the allocator's or of
/// the sweeper's entry points below): traced as one range, as upstream's,
/// from its first span (a run that sweeps nothing shows nothing), with the
/// bytes swept and the bytes of dead objects reclaimed.
///
/// Only the allocator's runs are traced, as upstream traces the sweeping
/// its allocation paths do (mcentral.cacheSpan, deductSweepCredit,
/// mheap.reclaim) and not the background sweeper's or the sweeping a
/// collection's start and runtime.GC do (sweepone).
struct Run {
    swept: u64,
    reclaimed: u64,
    traced: bool,
}

impl Run {
    /// An allocator's run: traced.
    const fn new() -> Run {
        Run { swept: 0, reclaimed: 0, traced: true }
    }

    /// The background sweeper's or a collection's run: not traced.
    const fn untraced() -> Run {
        Run { swept: 0, reclaimed: 0, traced: false }
    }

    fn span(&mut self, npages: usize, reclaimed: u64) {
        if self.swept == 0 && self.traced {
            crate::tracehook::event(crate::tracehook::Ev::SweepBegin);
        }
        self.swept += (npages * PAGE_SIZE) as u64;
        self.reclaimed += reclaimed;
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if self.swept != 0 && self.traced {
            crate::tracehook::event(crate::tracehook::Ev::SweepEnd(self.swept, self.reclaimed));
        }
    }
}

/// Sweep span s, which the caller popped from an unswept list.
fn sweep_span(s: *mut Mspan, run: &mut Run) -> Swept {
    // SAFETY: s is an in-use span only the caller uses (popped).
    let sp: &mut Mspan = unsafe { &mut *s };
    if crate::tsan::enabled() {
        race_free_unmarked(sp);
    }
    if POISON.load(Ordering::Relaxed) {
        poison_unmarked(sp);
    } else if CLOBBER.load(Ordering::Relaxed) {
        clobber_unmarked(sp);
    }
    if !sp.specials.is_null() {
        crate::mprof::sweep_specials(sp);
    }
    let words = sp.nelems.div_ceil(64);
    let count = sp.marked_count();
    let large = sp.size_class() == 0;
    let before = if large { 1 } else { sp.allocated_count() };
    let dead = before - count.min(before);
    FREES.fetch_add(dead as u64, Ordering::Relaxed);
    FREED_BYTES.fetch_add((dead * sp.elemsize) as u64, Ordering::Relaxed);
    if !large && dead > 0 {
        FREES_BY_CLASS[sp.size_class()].fetch_add(dead as u64, Ordering::Relaxed);
    }
    run.span(sp.npages, if large { (dead * sp.npages * PAGE_SIZE) as u64 } else { (dead * sp.elemsize) as u64 });
    let out = if count == 0 {
        free_span(s);
        Swept::Freed
    } else {
        // The marks become the allocation bits; the old bits, cleared, the
        // next marks.
        core::mem::swap(&mut sp.allocbits, &mut sp.gcmarkbits);
        // SAFETY: gcmarkbits holds at least `words` words.
        unsafe { core::ptr::write_bytes(sp.gcmarkbits, 0, words) };
        if large {
            sp.freeindex = 1;
            sp.alloc_count = 1;
            Swept::Full
        } else {
            if count < before {
                sp.needzero = true;
            }
            sp.alloc_count = count;
            malloc::reset_alloc(sp);
            if count < sp.nelems {
                Swept::Partial
            } else {
                Swept::Full
            }
        }
    };
    ACTIVE.fetch_sub(1, Ordering::Release);
    out
}

/// Sweep s and put it where it belongs (a central list if it has room).
/// Returns its size in pages.
fn sweep_and_place(s: *mut Mspan, run: &mut Run) -> usize {
    // SAFETY: s is an in-use span we popped.
    let npages = unsafe { (*s).npages };
    match sweep_span(s, run) {
        Swept::Partial => malloc::central_put(s),
        Swept::Full => push_full(s),
        Swept::Freed => {}
    }
    npages
}

/// For the allocator: sweep unswept spans of class `spc` until one has a
/// free object, and return it (owned by the caller, on no list); null if
/// none does.
pub fn take_for_class(spc: usize) -> *mut Mspan {
    let mut run = Run::new();
    loop {
        let s = pop(spc);
        if s.is_null() {
            return null_mut();
        }
        match sweep_span(s, &mut run) {
            Swept::Partial => return s,
            Swept::Full => push_full(s),
            Swept::Freed => {}
        }
    }
}

/// Sweep at least `npages` pages' worth of spans (fewer if fewer are left).
/// The allocator calls this before taking fresh pages.
pub fn credit(npages: usize) {
    let mut run = Run::new();
    let mut done = 0;
    while done < npages && PENDING.load(Ordering::Relaxed) != 0 {
        match sweep_some_span(&mut run) {
            Some(n) => done += n,
            None => break,
        }
    }
}

/// Sweep one span of any class (round robin); its pages, or None if no
/// unswept span is left.
fn sweep_some_span(run: &mut Run) -> Option<usize> {
    let start = NEXT_CLASS.load(Ordering::Relaxed);
    for k in 0..NUM_SPAN_CLASSES {
        let spc = (start + k) % NUM_SPAN_CLASSES;
        let s = pop(spc);
        if !s.is_null() {
            NEXT_CLASS.store(spc, Ordering::Relaxed);
            return Some(sweep_and_place(s, run));
        }
    }
    None
}

/// The background sweeper's step: sweep up to `n` spans; false when none
/// is left to sweep.
pub fn step(n: usize) -> bool {
    let mut run = Run::untraced();
    for _ in 0..n {
        if sweep_some_span(&mut run).is_none() {
            return false;
        }
    }
    PENDING.load(Ordering::Relaxed) != 0
}

/// Sweep everything left, and wait for sweeps in progress elsewhere.
pub fn finish() {
    let mut run = Run::untraced();
    while sweep_some_span(&mut run).is_some() {}
    while ACTIVE.load(Ordering::Acquire) != 0 {
        core::hint::spin_loop();
    }
}

/// Is every span swept?
pub fn done() -> bool {
    PENDING.load(Ordering::Acquire) == 0 && ACTIVE.load(Ordering::Acquire) == 0
}

/// Objects and bytes freed by sweeps so far.
pub fn freed() -> (u64, u64) {
    (FREES.load(Ordering::Relaxed), FREED_BYTES.load(Ordering::Relaxed))
}

/// Small objects of size class `c` freed by sweeps so far.
pub fn freed_in_class(c: usize) -> u64 {
    FREES_BY_CLASS[c].load(Ordering::Relaxed)
}

/// Race builds: tell the race detector about each object the sweep frees.
fn race_free_unmarked(sp: &Mspan) {
    let large = sp.size_class() == 0;
    for i in 0..sp.nelems {
        if sp.is_allocated(i) && !sp.is_marked(i) {
            crate::tsan::free(sp.obj_base(i), if large { sp.largesize } else { sp.elemsize });
        }
    }
}

fn clobber_unmarked(sp: &Mspan) {
    let large = sp.size_class() == 0;
    for i in 0..sp.nelems {
        if sp.is_allocated(i) && !sp.is_marked(i) {
            let size = if large { sp.largesize } else { sp.elemsize };
            // SAFETY: an allocated object of this span, unreachable: being freed.
            unsafe { core::slice::from_raw_parts_mut(sp.obj_base(i) as *mut u64, size / 8).fill(0xdeadbeefdeadbeef) };
        }
    }
}

fn poison_unmarked(sp: &mut Mspan) {
    let large = sp.size_class() == 0;
    for i in 0..sp.nelems {
        if sp.is_allocated(i) && !sp.is_marked(i) {
            let base = sp.obj_base(i);
            let size = if large { sp.largesize } else { sp.elemsize };
            // SAFETY: an allocated object of this span, unreachable.
            unsafe { core::slice::from_raw_parts_mut(base as *mut u64, size / 8).fill(0xdeadbeefdeadbeef) };
            sp.set_mark(i);
        }
    }
}
