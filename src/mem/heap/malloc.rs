//! mallocgc and the allocation entry points built on it: per-P span
//! caches, the central lists of spans with free objects, large objects,
//! and the accounting that triggers a collection.

use super::sizeclasses::*;
use super::*;
use crate::lock::Locked;
use crate::layout::abi::Type;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Spans with free objects of one span class, not owned by any cache (a
/// list through next/prev).
struct Central {
    partial: *mut Mspan,
    count: usize,
}

// SAFETY: spans are runtime structures; a list is reached only under its
// lock.
unsafe impl Send for Central {}

static CENTRAL: [Locked<Central>; NUM_SPAN_CLASSES] = [const { Locked::new(crate::lockrank::Rank::Central, Central { partial: null_mut(), count: 0 }) }; NUM_SPAN_CLASSES];

/// Put a span with free objects on its class's central list.
pub fn central_put(s: *mut Mspan) {
    // SAFETY: s is an in-use small-object span owned by nobody.
    let spc = unsafe { (*s).spanclass as usize };
    CENTRAL[spc].with(|c| {
        // SAFETY: s and the list's spans are span structs (under the list's
        // lock).
        unsafe {
            (*s).prev = null_mut();
            (*s).next = c.partial;
            if !c.partial.is_null() {
                (*c.partial).prev = s;
            }
        }
        c.partial = s;
        c.count += 1;
    });
}

fn central_take(spc: usize) -> *mut Mspan {
    CENTRAL[spc].with(|c| {
        let s = c.partial;
        if !s.is_null() {
            // SAFETY: the list's spans are span structs (under its lock).
            unsafe {
                c.partial = (*s).next;
                if !c.partial.is_null() {
                    (*c.partial).prev = null_mut();
                }
                (*s).next = null_mut();
            }
            c.count -= 1;
        }
        s
    })
}

/// Empty class `spc`'s central list (world stopped: its spans are about to
/// become unswept): its head (a list through `next`) and length.
pub fn central_take_all(spc: usize) -> (*mut Mspan, usize) {
    CENTRAL[spc].with(|c| {
        let r = (c.partial, c.count);
        c.partial = null_mut();
        c.count = 0;
        r
    })
}

/// The current P's cache.
#[inline(always)]
fn mcache() -> *mut Mcache {
    // SAFETY: the current m is live; m.p is null or its P.
    let pp = unsafe { (*crate::gm::getm()).p } as *const PCache;
    if pp.is_null() {
        no_p();
    }
    // SAFETY: a P begins with its PCache (checked in sched/mod.rs).
    unsafe { (*pp).mcache }
}

#[cold]
#[inline(never)]
fn no_p() -> ! {
    crate::fatal::throw("malloc: no P (allocating outside the scheduler)");
}

/// Load allocbits from the 64-object word at `word` into the span's cache.
fn refill_alloc_cache(s: &mut Mspan, word: usize) {
    // SAFETY: word < bits_cap.
    s.alloc_cache = !unsafe { *s.allocbits.add(word) };
}

/// The index of the next free object at or after freeindex (nelems if
/// none); advances freeindex past it.
fn next_free_index(s: &mut Mspan) -> usize {
    let n = s.nelems;
    let mut free = s.freeindex;
    if free == n {
        return n;
    }
    let mut a = s.alloc_cache;
    let mut bit = a.trailing_zeros() as usize;
    while bit == 64 {
        free = (free + 64) & !63;
        if free >= n {
            s.freeindex = n;
            return n;
        }
        refill_alloc_cache(s, free / 64);
        a = s.alloc_cache;
        bit = a.trailing_zeros() as usize;
    }
    let result = free + bit;
    if result >= n {
        s.freeindex = n;
        return n;
    }
    s.alloc_cache = if bit + 1 >= 64 { 0 } else { s.alloc_cache >> (bit + 1) };
    free = result + 1;
    if free.is_multiple_of(64) && free != n {
        refill_alloc_cache(s, free / 64);
    }
    s.freeindex = free;
    result
}

/// Prepare a span's allocation cache after a sweep reset freeindex to 0.
pub fn reset_alloc(s: &mut Mspan) {
    s.freeindex = 0;
    refill_alloc_cache(s, 0);
}

/// Replace the cache's span for `spc` with one that has a free object.
#[cold]
fn refill(c: *mut Mcache, spc: usize) -> *mut Mspan {
    // SAFETY: c is the current P's cache.
    unsafe {
        let old = (*c).alloc[spc];
        if !old.is_null() {
            // Full: it goes back to the heap's keeping (the next sweep finds it).
            (*old).in_cache = false;
            super::sweep::push_full(old);
        }
    }
    let mut s = central_take(spc);
    if s.is_null() {
        s = super::sweep::take_for_class(spc);
    }
    if s.is_null() {
        let class = spc >> 1;
        s = alloc_span(CLASS_TO_NPAGES[class] as usize, spc as u8);
    }
    // SAFETY: s is ours now.
    unsafe {
        if (*s).in_cache {
            crate::fatal::throw("malloc: span handed to two caches");
        }
        (*s).in_cache = true;
        (*c).alloc[spc] = s;
        // Account its free space as allocated now (the trigger sees it).
        let free = ((*s).nelems - (*s).alloc_count) * (*s).elemsize;
        note_alloc(free);
    }
    s
}

/// Return every cached span to the heap's keeping (world stopped: at mark
/// termination, or a P retired by GOMAXPROCS), and what the cache
/// allocated marked to the collector's count.
pub fn release_all(c: *mut Mcache) {
    // SAFETY: c is a P's cache; the world is stopped.
    unsafe {
        for spc in 0..NUM_SPAN_CLASSES {
            let s = (*c).alloc[spc];
            if !s.is_null() {
                (*s).in_cache = false;
                (*c).alloc[spc] = null_mut();
                super::sweep::push_full(s);
            }
        }
        crate::wb::add_marked((*c).black);
        (*c).black = 0;
        forget_tiny(c);
    }
}

/// Drop the cache's tiny block (world stopped). At a cycle's start, so
/// that everything packed while the collector marks goes into blocks
/// allocated marked; at its end, before the sweep may free the block.
pub fn forget_tiny(c: *mut Mcache) {
    // SAFETY: c is a P's cache; the world is stopped.
    unsafe {
        (*c).tiny = 0;
        (*c).tiny_used = 0;
    }
}

/// Requests below this size, without pointers, are packed into shared
/// 16-byte blocks (upstream's maxTinySize).
pub const TINY_SIZE: usize = 16;

/// The tiny allocator: `size` bytes (below TINY_SIZE, no pointers) out of
/// the cache's current block if they fit there, aligned as their size
/// allows (8, 4 or 2 bytes for sizes that are multiples of those); else
/// None, and the caller allocates a new block (`tiny_new_block`).
#[inline]
/// Where in the current tiny block an object of `size` bytes would go.
fn tiny_offset(c: *mut Mcache, size: usize) -> Option<usize> {
    // SAFETY: c is the current P's cache.
    unsafe {
        if (*c).tiny == 0 {
            return None;
        }
        let align = if size.is_multiple_of(8) {
            8
        } else if size.is_multiple_of(4) {
            4
        } else if size.is_multiple_of(2) {
            2
        } else {
            1
        };
        let at = (*c).tiny_used.next_multiple_of(align);
        if at + size > TINY_SIZE {
            return None;
        }
        Some(at)
    }
}

fn tiny_fit(c: *mut Mcache, size: usize) -> Option<*mut u8> {
    let at = tiny_offset(c, size)?;
    // SAFETY: c is the current P's cache.
    unsafe {
        (*c).tiny_used = at + size;
        (*c).tiny_allocs += 1;
        Some(((*c).tiny + at) as *mut u8)
    }
}

/// A new tiny block `block` (zeroed) whose first `size` bytes were just
/// handed out: it becomes the current one if it has more room left than
/// the current one.
#[inline]
fn tiny_new_block(c: *mut Mcache, block: usize, size: usize) {
    // SAFETY: c is the current P's cache.
    unsafe {
        if (*c).tiny == 0 || size < (*c).tiny_used {
            (*c).tiny = block;
            (*c).tiny_used = size;
        }
    }
}

/// Allocate `size` bytes of type `typ` (null for memory without pointers).
/// The memory is zeroed when `needzero`.
///
/// # Safety
/// `typ` is null or a type descriptor emitted by the compiler (or a runtime
/// type with the same layout).
pub unsafe fn mallocgc(size: usize, typ: *mut Type, needzero: bool) -> *mut u8 {
    // SAFETY: the caller's contract is mallocgc's.
    let p = unsafe { mallocgc_inner(size, typ, needzero) };
    if crate::tsan::enabled() && size != 0 {
        crate::tsan::malloc(p as usize, size);
    }
    p
}

/// mallocgc, but for the race detector's note of the new object.
///
/// # Safety
/// As mallocgc's.
#[inline(always)]
unsafe fn mallocgc_inner(size: usize, typ: *mut Type, needzero: bool) -> *mut u8 {
    // SAFETY: per the function contract.
    crate::leaf::ordinary(unsafe { malloc_in::<false>(size, typ, needzero) })
}

/// mallocgc for a leaf fast path (src/base/leaf.rs): the object if the
/// current P's cache serves it (a free slot in the cached span of its size
/// class, or room in the tiny block) with no memory profile sample due and
/// no GC program to run for its heap bits, in no race build and while no
/// initialisation is traced; None, with nothing changed, otherwise.
///
/// # Safety
/// As mallocgc's.
#[inline]
pub unsafe fn try_mallocgc(size: usize, typ: *mut Type, needzero: bool) -> Option<*mut u8> {
    // SAFETY: per the function contract.
    unsafe { malloc_in::<true>(size, typ, needzero) }
}

/// mallocgc (LEAF: try_mallocgc), for an entry point written once for its
/// ordinary call and its leaf fast path (`X_in::<LEAF>`): always Some when
/// not LEAF.
///
/// # Safety
/// As mallocgc's.
#[inline(always)]
pub unsafe fn mallocgc_in<const LEAF: bool>(size: usize, typ: *mut Type, needzero: bool) -> Option<*mut u8> {
    // SAFETY: per the function contract.
    unsafe {
        if LEAF {
            try_mallocgc(size, typ, needzero)
        } else {
            Some(mallocgc(size, typ, needzero))
        }
    }
}

/// mallocgc (LEAF: try_mallocgc, which stops where mallocgc would go
/// beyond the P's cache).
///
/// # Safety
/// As mallocgc's.
#[inline(always)]
unsafe fn malloc_in<const LEAF: bool>(size: usize, typ: *mut Type, needzero: bool) -> Option<*mut u8> {
    if size == 0 {
        return Some(crate::links::links().zerobase as *mut u8);
    }
    if INIT_TRACE_G.load(Ordering::Relaxed) != 0 {
        if LEAF {
            return None;
        }
        init_trace_note(size);
    }
    // Race builds give every tiny object a block of its own (TSan then
    // tells objects apart), as upstream's.
    let race = crate::tsan::enabled();
    if LEAF && (race || size > MAX_SMALL_SIZE) {
        return None;
    }
    let mp = crate::gm::getm();
    // SAFETY: mp is the current m.
    unsafe {
        if (*mp).mallocing != 0 {
            if LEAF {
                return None;
            }
            crate::fatal::throw("malloc deadlock");
        }
        if LEAF && (*mp).p == 0 {
            return None;
        }
        (*mp).mallocing = 1;
    }

    // SAFETY: typ is null or a type descriptor emitted by the compiler.
    let noscan = typ.is_null() || unsafe { (*typ).PtrBytes } == 0;
    let c = mcache();
    let tiny = noscan && size < TINY_SIZE;
    let requested = size;
    if tiny && !race {
        if let Some(p) = tiny_fit(c, size) {
            // SAFETY: mp is the current m.
            unsafe { (*mp).mallocing = 0 };
            return Some(p);
        }
    }
    // A tiny request takes a whole zeroed block; the rest of it is for the
    // next ones.
    let (size, needzero) = if tiny { (TINY_SIZE, true) } else { (size, needzero) };
    let p = if size <= MAX_SMALL_SIZE {
        let class = size_to_class(size);
        let spc = class << 1 | noscan as usize;
        // SAFETY: c is the current P's cache; its spans are owned by this P.
        unsafe {
            let mut s = (*c).alloc[spc];
            // A leaf fast path takes only a free slot of the cached span,
            // and no object the memory profile would sample or whose heap
            // bits need a GC program run (a buffer that may grow).
            if LEAF
                && (s.is_null()
                    || (*s).alloc_count >= (*s).nelems
                    || crate::mprof::would_sample(c, (*s).elemsize)
                    || (!noscan && (*typ).Kind_ & bits::KIND_GC_PROG != 0))
            {
                (*mp).mallocing = 0;
                return None;
            }
            let mut idx = if s.is_null() { usize::MAX } else { next_free_index(&mut *s) };
            if s.is_null() || idx == (*s).nelems {
                if LEAF {
                    // Not reached (a free slot was checked for above); the
                    // refill's code stays out of the fast paths.
                    (*mp).mallocing = 0;
                    return None;
                }
                crate::leaf::forbidden(mp, "mallocgc refilling its cache");
                s = refill(c, spc);
                idx = next_free_index(&mut *s);
                if idx == (*s).nelems {
                    crate::fatal::throw("malloc: refilled span is full");
                }
            }
            let sp = &mut *s;
            let obj = sp.obj_base(idx);
            sp.alloc_count += 1;
            if crate::wb::enabled() {
                // Allocated black: the collector marking now must not
                // free it (nor scan it: it holds nothing old yet).
                sp.set_mark(idx);
                (*c).black += sp.elemsize;
            }
            if needzero && sp.needzero {
                crate::bytes::zero_bytes(obj as *mut u8, sp.elemsize);
            }
            if !noscan {
                bits::write_object(obj, size, typ, sp.elemsize);
            }
            (*c).allocated += sp.elemsize;
            (*c).nmalloc_class[class] += 1;
            // (A new tiny block is sampled as a whole block; what is packed
            // into it later is not sampled, as upstream.)
            crate::mprof::on_alloc(c, obj as *mut u8, sp.elemsize);
            obj as *mut u8
        }
    } else {
        crate::leaf::forbidden(mp, "mallocgc of a large object");
        // SAFETY: c is the current P's cache; typ as this function's.
        unsafe { malloc_large(c, size, typ, noscan, needzero) }
    };
    let p = if tiny && race {
        // At the block's end, as upstream's race builds place it (checkptr
        // then catches arithmetic past the object).
        // SAFETY: requested < TINY_SIZE: inside the block.
        unsafe { p.add(TINY_SIZE - requested) }
    } else {
        if tiny {
            tiny_new_block(c, p as usize, requested);
        }
        p
    };
    // SAFETY: as above.
    unsafe {
        (*c).nmalloc += 1;
        (*mp).mallocing = 0;
    }
    Some(p)
}

/// mallocgc of an object of more than MAX_SMALL_SIZE bytes: a span of its
/// own. (Out of line: the small objects' path stays compact.)
///
/// # Safety
/// c is the current P's cache; typ is null (noscan) or a type descriptor.
#[inline(never)]
unsafe fn malloc_large(c: *mut Mcache, size: usize, typ: *mut Type, noscan: bool, needzero: bool) -> *mut u8 {
    let npages = size.div_ceil(PAGE_SIZE);
    let s = alloc_span(npages, noscan as u8);
    // SAFETY: s is a fresh span owned by us; c per the function contract.
    unsafe {
        (*s).largesize = size;
        (*s).freeindex = 1;
        (*s).alloc_count = 1;
        if crate::wb::enabled() {
            (*s).set_mark(0);
            (*c).black += (*s).elemsize;
        }
        if needzero && (*s).needzero {
            core::ptr::write_bytes((*s).start as *mut u8, 0, npages * PAGE_SIZE);
        }
        if !noscan {
            bits::write_object((*s).start, size, typ, npages * PAGE_SIZE);
        }
        (*c).allocated += npages * PAGE_SIZE;
        note_alloc(npages * PAGE_SIZE);
        crate::mprof::on_alloc(c, (*s).start as *mut u8, npages * PAGE_SIZE);
        // The span is in the heap's keeping from the start.
        super::sweep::push_full(s);
        (*s).start as *mut u8
    }
}

/// GODEBUG=inittrace=1: the goroutine running the package initialisers
/// (0: not tracing), and the allocations it has made (count, bytes).
pub static INIT_TRACE_G: AtomicUsize = AtomicUsize::new(0);
pub static INIT_TRACE_ALLOCS: AtomicU64 = AtomicU64::new(0);
pub static INIT_TRACE_BYTES: AtomicU64 = AtomicU64::new(0);

#[cold]
fn init_trace_note(size: usize) {
    if crate::gm::curg() as usize == INIT_TRACE_G.load(Ordering::Relaxed) {
        INIT_TRACE_ALLOCS.fetch_add(1, Ordering::Relaxed);
        INIT_TRACE_BYTES.fetch_add(size as u64, Ordering::Relaxed);
    }
}

/// # Safety
/// `typ` is null or a type descriptor emitted by the compiler (or a runtime
/// type with the same layout).
pub unsafe fn newobject(typ: *mut Type) -> *mut u8 {
    // SAFETY: typ is a type descriptor emitted by the compiler.
    unsafe { mallocgc((*typ).Size_, typ, true) }
}

/// The goroutine-stack fast path of newobject (src/base/leaf.rs).
///
/// # Safety
/// As newobject's.
pub unsafe fn leaf_newobject(typ: *mut Type) -> crate::leaf::Leaf {
    // SAFETY: typ is a type descriptor emitted by the compiler.
    match unsafe { try_mallocgc((*typ).Size_, typ, true) } {
        Some(p) => crate::leaf::Leaf::one(p as usize),
        None => crate::leaf::Leaf::DECLINE,
    }
}

// ---- the collection trigger ----

/// Heap bytes allocated since the last collection plus what survived it
/// (spans handed to caches count in full).
pub static HEAP_LIVE: AtomicUsize = AtomicUsize::new(0);
/// A collection starts when HEAP_LIVE reaches this (the collector sets
/// it from what survived: gc/mod.rs).
pub static TRIGGER: AtomicUsize = AtomicUsize::new(4 << 20);
/// Debugging: collect at every n-th refill (GORT_GCSTRESS=n).
pub static STRESS: AtomicUsize = AtomicUsize::new(0);
static STRESS_COUNT: AtomicUsize = AtomicUsize::new(0);

/// mallocgc accounting: `bytes` more are in use. Past the trigger, the
/// current goroutine will collect when its Rust call returns. While the
/// collector marks, the goroutine is charged for them: past its credit
/// (g.gcAssistBytes), it helps mark when its Rust call returns.
fn note_alloc(bytes: usize) {
    if crate::wb::enabled() {
        let gp = crate::gm::curg();
        if !gp.is_null() {
            // SAFETY: gp is the current goroutine.
            unsafe {
                (*gp).gcAssistBytes -= bytes as i64;
                if (*gp).gcAssistBytes < 0 {
                    (*crate::gm::getm()).rtcallHook |= HOOK_ASSIST_BIT;
                }
            }
        }
    }
    let live = HEAP_LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    let stress = STRESS.load(Ordering::Relaxed);
    if live >= TRIGGER.load(Ordering::Relaxed)
        || (stress > 0 && STRESS_COUNT.fetch_add(1, Ordering::Relaxed) % stress == stress - 1)
    {
        request();
    }
}

/// Ask the current m's goroutine to collect at its next return from Rust.
fn request() {
    let mp = crate::gm::getm();
    // SAFETY: mp is the current m.
    unsafe { (*mp).rtcallHook |= HOOK_GC };
}

/// Bits of m.rtcallHook.
pub const HOOK_GC: u32 = 1;
/// The goroutine owes the collector marking work (allocated on credit
/// while it marks).
pub const HOOK_ASSIST_BIT: u32 = 2;
