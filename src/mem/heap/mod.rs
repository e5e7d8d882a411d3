//! The Go heap: where `new`, `make`, `append` and every escaping value live.
//!
//! Structure (upstream's vocabulary):
//!   - arenas: 64 MiB regions of address space, mapped at hints from
//!     0xc000000000 up (as upstream), found from an address through a sparse
//!     index (`arena_index`). Each arena records, per 8 KiB page, the span
//!     owning it and whether it is in use; and, per word, whether the word
//!     holds a pointer (the heap bitmap the collector scans with, written
//!     when an object is allocated: `bits.rs`);
//!   - a span (`Mspan`) is a run of pages holding either objects of one size
//!     class or one large object. Its `allocbits` say which objects are
//!     allocated (objects below `freeindex` are, too: they were handed out
//!     since the last sweep); `gcmarkbits` are the collector's marks. A
//!     sweep makes the marks the new allocation bits;
//!   - per-P caches (`Mcache`) hold one span per span class (size class x
//!     has-pointers), so small allocations take no lock; `central` lists
//!     hold the other spans with free objects, per span class.
//! Free pages are found by scanning the arenas' page bitmaps; pages freed
//! by the collector are reused (and zeroed when handed out again).

pub mod bits;
pub mod malloc;
pub mod pin;
pub mod sizeclasses;
pub mod sweep;

use crate::lock::Locked;
use crate::persistent;
use crate::pvec::PVec;
use crate::sys;
use crate::sysstat::{self, Stat};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use sizeclasses::*;

pub const ARENA_SHIFT: usize = 26;
pub const ARENA_SIZE: usize = 1 << ARENA_SHIFT;
pub const PAGES_PER_ARENA: usize = ARENA_SIZE / PAGE_SIZE;
/// Entries of the arena index: 48 bits of address space in arena units.
const ARENA_INDEX_LEN: usize = 1 << (48 - ARENA_SHIFT);
/// First address hint for arenas (upstream's choice: recognisable heap
/// pointers such as 0xc000012345).
const ARENA_HINT: usize = 0x00c0_0000_0000;

/// Largest allocation (upstream's maxAlloc on 64-bit: the heap address bits).
pub const MAX_ALLOC: usize = 1 << 48;

pub const SPAN_FREE: u8 = 0;
pub const SPAN_IN_USE: u8 = 1;
// asm/runtime/debugger.go names both for debuggers (mSpanInUse, _PageSize).
const _: () = assert!(SPAN_IN_USE == 1 && PAGE_SIZE == 8192);

/// A run of pages.
#[repr(C)]
pub struct Mspan {
    pub start: usize,
    pub npages: usize,
    /// size class << 1 | noscan; class 0 means one large object.
    pub spanclass: u8,
    pub state: u8,
    /// Some of its memory was used before: objects must be zeroed.
    pub needzero: bool,
    /// Owned by a P's cache (not on a central list).
    pub in_cache: bool,
    pub elemsize: usize,
    pub nelems: usize,
    /// Objects below this index are allocated; above, allocbits tell.
    pub freeindex: usize,
    /// Inverted allocbits from the 64-aligned word holding freeindex,
    /// shifted so that bit 0 is freeindex.
    pub alloc_cache: u64,
    pub alloc_count: usize,
    pub allocbits: *mut u64,
    pub gcmarkbits: *mut u64,
    /// Capacity of each bitmap, in u64 words.
    pub bits_cap: usize,
    /// Link on a central list or the free span-struct list.
    pub next: *mut Mspan,
    pub prev: *mut Mspan,
    /// Requested size of a large object (for its heap bits).
    pub largesize: usize,
    /// Index in ALLSPANS (for removal).
    pub allidx: usize,
    /// obj_index's multiplier for elemsize (sizeclasses::div_multiplier;
    /// unused for one-object spans).
    pub div_mul: u64,
    /// Memory-profile records of its sampled objects (mprof.rs).
    pub specials: *mut crate::mprof::Special,
}

impl Mspan {
    pub fn limit(&self) -> usize {
        self.start + self.npages * PAGE_SIZE
    }
    pub fn size_class(&self) -> usize {
        (self.spanclass >> 1) as usize
    }
    pub fn noscan(&self) -> bool {
        self.spanclass & 1 != 0
    }
    /// Is object i allocated?
    pub fn is_allocated(&self, i: usize) -> bool {
        // SAFETY: i < nelems; allocbits has bits_cap words.
        i < self.freeindex || unsafe { *self.allocbits.add(i / 64) >> (i % 64) & 1 != 0 }
    }
    /// The address of object i.
    #[inline]
    pub fn obj_base(&self, i: usize) -> usize {
        self.start + i * self.elemsize
    }
    /// The index of the object containing address p (p inside the span).
    #[inline]
    pub fn obj_index(&self, p: usize) -> usize {
        if self.nelems == 1 {
            0
        } else {
            (((p - self.start) as u64 * self.div_mul) >> 32) as usize
        }
    }
    pub fn is_marked(&self, i: usize) -> bool {
        // SAFETY: i < nelems.
        unsafe { *self.gcmarkbits.add(i / 64) >> (i % 64) & 1 != 0 }
    }
    /// Marked objects (the collection's survivors, before the sweep).
    pub fn marked_count(&self) -> usize {
        // SAFETY: gcmarkbits holds at least ceil(nelems/64) words.
        let marks = unsafe { core::slice::from_raw_parts(self.gcmarkbits, self.nelems.div_ceil(64)) };
        marks.iter().map(|w| w.count_ones() as usize).sum()
    }
    /// Objects allocated before the sweep (is_allocated, counted a bitmap
    /// word at a time): all below freeindex, and those at or above it
    /// whose allocation bit is set.
    pub fn allocated_count(&self) -> usize {
        let n = self.nelems;
        let f = self.freeindex.min(n);
        // SAFETY: allocbits holds at least ceil(nelems/64) words.
        let bits = unsafe { core::slice::from_raw_parts(self.allocbits, n.div_ceil(64)) };
        let mut count = f;
        for (w, &word) in bits.iter().enumerate().skip(f / 64) {
            let lo = w * 64;
            let mut m = word;
            if f > lo {
                m &= !0u64 << (f - lo);
            }
            if n - lo < 64 {
                m &= (1u64 << (n - lo)) - 1;
            }
            count += m.count_ones() as usize;
        }
        count
    }
    /// Set mark bit i; returns whether it was already set (racing markers
    /// may both be told it was not).
    pub fn set_mark(&self, i: usize) -> bool {
        let b = 1u8 << (i % 8);
        // SAFETY: i < nelems, so the byte is in gcmarkbits (bit i of the
        // little-endian words is bit i%8 of byte i/8). Markers on several
        // threads (and allocation during marking) set bits of the same
        // byte: read first (most objects are met marked), then set with
        // an atomic or whose old value is not needed (a plain locked or,
        // no compare-and-swap loop). Two markers may both find the bit
        // clear and both grey the object: it is then scanned twice, which
        // is harmless.
        unsafe {
            let byte = &*(self.gcmarkbits as *const core::sync::atomic::AtomicU8).add(i / 8);
            if byte.load(core::sync::atomic::Ordering::Relaxed) & b != 0 {
                return true;
            }
            byte.fetch_or(b, core::sync::atomic::Ordering::Relaxed);
            false
        }
    }}


/// Per-arena metadata.
#[repr(C)]
pub struct HeapArena {
    pub spans: [*mut Mspan; PAGES_PER_ARENA],
    /// Pages in use (bit per page).
    pub inuse: [u64; PAGES_PER_ARENA / 64],
    /// Pages used since they were last known zero (bit per page).
    pub dirty: [u64; PAGES_PER_ARENA / 64],
    /// One bit per word of the arena: the word holds a pointer.
    pub heapbits: *mut u64,
    pub base: usize,
    pub free_pages: usize,
    /// Pages from the start counted in HeapSys (a multiple of GROW_PAGES).
    pub grown: usize,
}

/// The page heap's state, under the heap lock.
struct Mheap {
    next_hint: usize,
    /// The arenas, in the order they were mapped.
    arenas: PVec<*mut HeapArena>,
    /// Span structs of freed spans, for reuse (a list through next).
    spanfree: *mut Mspan,
    /// Every in-use span (the collector sweeps them); Mspan.allidx is its
    /// index.
    allspans: PVec<*mut Mspan>,
}

// SAFETY: arenas and spans are runtime structures every thread may use;
// the lists are reached only under the heap lock.
unsafe impl Send for Mheap {}

static HEAP: Locked<Mheap> = Locked::new(crate::lockrank::Rank::Heap, Mheap {
    next_hint: ARENA_HINT,
    arenas: PVec::persistent(16, Stat::Gc),
    spanfree: null_mut(),
    allspans: PVec::persistent(1024, Stat::Other),
});

/// The sparse index from address to arena (ARENA_INDEX_LEN slots):
/// mapped at startup, slots written under the heap lock when an arena is
/// mapped, read without it.
static ARENA_INDEX: AtomicPtr<AtomicPtr<HeapArena>> = AtomicPtr::new(null_mut());

/// Bytes of address space mapped for the heap.
static MAPPED: AtomicUsize = AtomicUsize::new(0);
/// Bytes of the arenas' grown parts (HeapSys).
static GROWN: AtomicUsize = AtomicUsize::new(0);
/// Free pages whose memory has been used and not returned to the OS.
static DIRTY_FREE: AtomicUsize = AtomicUsize::new(0);
/// Bytes in in-use spans.
static INUSE: AtomicUsize = AtomicUsize::new(0);

/// In-use spans (statistics: read without the heap lock).
static NSPANS: AtomicUsize = AtomicUsize::new(0);

pub fn init() {
    let bytes = ARENA_INDEX_LEN * core::mem::size_of::<AtomicPtr<HeapArena>>();
    let index = sys::mmap_anon(bytes).unwrap_or_else(|| crate::fatal::throw("runtime: cannot reserve heap arena index"));
    ARENA_INDEX.store(index as *mut AtomicPtr<HeapArena>, Ordering::Release);
}

#[inline]
pub fn arena_of(p: usize) -> *mut HeapArena {
    let idx = p >> ARENA_SHIFT;
    if idx >= ARENA_INDEX_LEN {
        return null_mut();
    }
    // SAFETY: the index has ARENA_INDEX_LEN slots (init); mmap zeroed
    // them, and an all-zero AtomicPtr is null.
    unsafe { (*ARENA_INDEX.load(Ordering::Relaxed).add(idx)).load(Ordering::Acquire) }
}

/// The span containing address p, or null if p is not in the Go heap.
#[inline]
pub fn span_of(p: usize) -> *mut Mspan {
    let ha = arena_of(p);
    if ha.is_null() {
        return null_mut();
    }
    // SAFETY: an arena's spans table covers every page of the arena.
    unsafe { (*ha).spans[(p & (ARENA_SIZE - 1)) >> PAGE_SHIFT] }
}

/// The in-use span containing p, or null.
#[inline]
pub fn span_of_heap(p: usize) -> *mut Mspan {
    let s = span_of(p);
    // SAFETY: span_of returns null or a span struct (never freed).
    if s.is_null() || unsafe { (*s).state != SPAN_IN_USE || p < (*s).start || p >= (*s).limit() } {
        return null_mut();
    }
    s
}

const MAP_FIXED_NOREPLACE: usize = 0x100000;

/// Race builds: give the arenas mapped before the race runtime started
/// their shadow (later ones get it as they are mapped).
pub fn race_map_arenas() {
    HEAP.with(|h| {
        for &ha in h.arenas.as_slice() {
            // SAFETY: arenas are never freed.
            crate::tsan::map_heap(unsafe { (*ha).base }, ARENA_SIZE);
        }
    });
}

/// Map n arenas of address space at the next free hint (heap lock held);
/// None when the system refuses.
fn map_arenas(h: &mut Mheap, n: usize) -> Option<usize> {
    loop {
        let hint = h.next_hint;
        h.next_hint += n * ARENA_SIZE;
        // SAFETY: MAP_FIXED_NOREPLACE never replaces an existing mapping.
        let r = unsafe {
            sys::syscall6(
                sys::SYS_MMAP,
                hint,
                n * ARENA_SIZE,
                sys::PROT_READ | sys::PROT_WRITE,
                sys::MAP_PRIVATE | sys::MAP_ANONYMOUS | sys::MAP_NORESERVE | MAP_FIXED_NOREPLACE,
                usize::MAX,
                0,
            )
        };
        if r == -17 {
            continue; // EEXIST: something lives there; try the next hint.
        }
        if r < 0 || r as usize != hint {
            return None;
        }
        for i in 0..n {
            let base = hint + i * ARENA_SIZE;
            let ha = persistent::new_for::<HeapArena>(Stat::Gc);
            // SAFETY: ha is fresh; the index covers the address space.
            unsafe {
                (*ha).base = base;
                (*ha).free_pages = PAGES_PER_ARENA;
                (*ha).heapbits = sysstat::map(ARENA_SIZE / 64, Stat::Gc)? as *mut u64;
                (*ARENA_INDEX.load(Ordering::Relaxed).add(base >> ARENA_SHIFT)).store(ha, Ordering::Release);
            }
            h.arenas.push(ha);
        }
        MAPPED.fetch_add(n * ARENA_SIZE, Ordering::Relaxed);
        crate::tsan::map_heap(hint, n * ARENA_SIZE);
        return Some(hint);
    }
}

fn bit(words: &[u64], i: usize) -> bool {
    words[i / 64] >> (i % 64) & 1 != 0
}

fn set_bits(words: &mut [u64], from: usize, n: usize, v: bool) {
    for i in from..from + n {
        if v {
            words[i / 64] |= 1 << (i % 64);
        } else {
            words[i / 64] &= !(1 << (i % 64));
        }
    }
}

/// First run of n free pages in arena ha, as a page index.
fn find_run(ha: &HeapArena, n: usize) -> Option<usize> {
    if ha.free_pages < n {
        return None;
    }
    let mut i = 0;
    while i + n <= PAGES_PER_ARENA {
        // Skip fully used words quickly.
        if i % 64 == 0 && ha.inuse[i / 64] == u64::MAX {
            i += 64;
            continue;
        }
        if bit(&ha.inuse, i) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < i + n && !bit(&ha.inuse, j) {
            j += 1;
        }
        if j == i + n {
            return Some(i);
        }
        i = j + 1;
    }
    None
}

/// Pages an arena's used part grows by (upstream grows the heap in 4 MiB
/// steps): HeapSys counts an arena up to its grown part, not the whole
/// reservation.
const GROW_PAGES: usize = 512;

/// Mark pages [i, i+n) of ha in use (heap lock held); returns whether any
/// of them had been used before (its memory must be zeroed).
fn take_pages(ha: &mut HeapArena, i: usize, n: usize) -> bool {
    let dirty = (i..i + n).filter(|&p| bit(&ha.dirty, p)).count();
    set_bits(&mut ha.inuse, i, n, true);
    set_bits(&mut ha.dirty, i, n, true);
    ha.free_pages -= n;
    DIRTY_FREE.fetch_sub(dirty, Ordering::Relaxed);
    let high = (i + n).next_multiple_of(GROW_PAGES).min(PAGES_PER_ARENA);
    if high > ha.grown {
        GROWN.fetch_add((high - ha.grown) * PAGE_SIZE, Ordering::Relaxed);
        ha.grown = high;
    }
    dirty > 0
}

/// Take npages pages (heap lock held); returns (address, needs zeroing),
/// or None when the system refuses more memory.
fn alloc_pages(h: &mut Mheap, npages: usize) -> Option<(usize, bool)> {
    if npages <= PAGES_PER_ARENA {
        for &ha in h.arenas.as_slice() {
            // SAFETY: arenas are live; their page maps change only under
            // the heap lock, which we hold.
            let ha = unsafe { &mut *ha };
            if let Some(i) = find_run(ha, npages) {
                let dirty = take_pages(ha, i, npages);
                return Some((ha.base + i * PAGE_SIZE, dirty));
            }
        }
        let base = map_arenas(h, 1)?;
        // SAFETY: just mapped.
        let ha = unsafe { &mut *arena_of(base) };
        take_pages(ha, 0, npages);
        return Some((base, false));
    }
    // Bigger than an arena: fresh contiguous arenas.
    let n = (npages * PAGE_SIZE).div_ceil(ARENA_SIZE);
    let base = map_arenas(h, n)?;
    let mut left = npages;
    for i in 0..n {
        // SAFETY: just mapped.
        let ha = unsafe { &mut *arena_of(base + i * ARENA_SIZE) };
        let k = left.min(PAGES_PER_ARENA);
        take_pages(ha, 0, k);
        left -= k;
    }
    Some((base, false))
}

/// Give pages back (heap lock held).
fn free_pages(start: usize, npages: usize) {
    let mut p = start;
    let mut left = npages;
    while left > 0 {
        // SAFETY: the pages belong to mapped arenas.
        let ha = unsafe { &mut *arena_of(p) };
        let i = (p - ha.base) / PAGE_SIZE;
        let k = left.min(PAGES_PER_ARENA - i);
        set_bits(&mut ha.inuse, i, k, false);
        for j in i..i + k {
            ha.spans[j] = null_mut();
        }
        ha.free_pages += k;
        // Pages in use were dirty: they stay so until scavenged.
        DIRTY_FREE.fetch_add(k, Ordering::Relaxed);
        left -= k;
        p += k * PAGE_SIZE;
    }
}

/// How much memory the heap may keep from the system (in use, or free
/// and not yet returned) before growing it returns free pages at once:
/// the collector's heap goal plus a tenth (upstream's margin).
static RETAIN_GOAL: AtomicUsize = AtomicUsize::new(usize::MAX);

/// The collector set a new heap goal.
pub fn set_retain_goal(heap_goal: usize) {
    RETAIN_GOAL.store(heap_goal.saturating_add(heap_goal / 10), Ordering::Relaxed);
}

/// Memory the heap keeps from the system beyond its retain goal (0 when
/// within it): what the background scavenger returns (upstream's
/// scavenger also aims at the heap goal plus a tenth, and leaves the rest
/// for reuse: pages given back are faulted in and zeroed again when the
/// heap grows into them).
pub fn retained_excess() -> usize {
    let retained = heap_inuse() + heap_free_dirty();
    retained.saturating_sub(RETAIN_GOAL.load(Ordering::Relaxed))
}

/// The heap grew by `growth` bytes: if what it keeps now exceeds the
/// retain goal, give free pages back to the system, as much as it grew
/// (or the excess, if smaller): as upstream does on heap growth, so that
/// a heap whose free pages are too scattered for a big allocation does
/// not keep them all (the background scavenger is slower to come).
fn scavenge_for_growth(growth: usize) {
    let retained = heap_inuse() + heap_free_dirty();
    let goal = RETAIN_GOAL.load(Ordering::Relaxed);
    if retained <= goal {
        return;
    }
    let mut todo = growth.min(retained - goal);
    let mut at = 0;
    while todo > 0 {
        let Some((next, bytes)) = scavenge_next(at, 1, todo.div_ceil(PAGE_SIZE)) else { break };
        todo = todo.saturating_sub(bytes);
        at = next;
    }
}

/// Allocate a span of npages for span class `spanclass`.
pub fn alloc_span(npages: usize, spanclass: u8) -> *mut Mspan {
    // Pay for fresh pages with sweeping (which may free some to reuse).
    sweep::credit(2 * npages);
    let before = GROWN.load(Ordering::Relaxed);
    let s = HEAP.with(|h| {
        let (start, needzero) = alloc_pages(h, npages)?;
        Some(new_span(h, start, npages, spanclass, needzero))
    });
    let grown = GROWN.load(Ordering::Relaxed).saturating_sub(before);
    let Some(s) = s else {
        // Upstream's report: the heap grows in 4 MiB steps, and the
        // allocation runs on the goroutine's behalf.
        let ask = npages.next_multiple_of(GROW_PAGES) * PAGE_SIZE;
        crate::gprint!(b"runtime: out of memory: cannot allocate ", ask, b"-byte block (", heap_inuse(), b" in use)\n");
        crate::fatal::throw_on_goroutine("out of memory");
    };
    INUSE.fetch_add(npages * PAGE_SIZE, Ordering::Relaxed);
    if grown > 0 {
        scavenge_for_growth(grown);
    }
    s
}

/// Return a span's pages to the heap (the world is stopped, or the span is
/// otherwise unreachable).
pub fn free_span(s: *mut Mspan) {
    HEAP.with(|h| {
        // SAFETY: s is an in-use span nobody uses any more.
        unsafe {
            let (start, npages) = ((*s).start, (*s).npages);
            free_pages(start, npages);
            (*s).state = SPAN_FREE;
            allspans_remove(h, s);
            (*s).next = h.spanfree;
            h.spanfree = s;
            INUSE.fetch_sub(npages * PAGE_SIZE, Ordering::Relaxed);
        }
    });
}

/// Record a new in-use span (heap lock held).
fn allspans_add(h: &mut Mheap, s: *mut Mspan) {
    // SAFETY: s is a span struct of ours.
    unsafe { (*s).allidx = h.allspans.len() };
    h.allspans.push(s);
    NSPANS.fetch_add(1, Ordering::Relaxed);
}

/// Forget a freed span (heap lock held).
fn allspans_remove(h: &mut Mheap, s: *mut Mspan) {
    // SAFETY: s is in the list at allidx; the entry moved into its place
    // (if any) is a live span struct.
    unsafe {
        let i = (*s).allidx;
        h.allspans.swap_remove(i);
        if i < h.allspans.len() {
            (*h.allspans.get(i)).allidx = i;
        }
    }
    NSPANS.fetch_sub(1, Ordering::Relaxed);
}

/// Call f for every in-use span.
///
/// # Safety
/// The world is stopped: nobody else allocates or frees spans meanwhile
/// (f may free spans itself, which moves the last entry into the freed
/// one's slot: the walk goes backwards).
pub unsafe fn for_each_span(mut f: impl FnMut(*mut Mspan)) {
    // SAFETY (each borrow below): the world is stopped, so no thread holds
    // the heap lock, and each borrow ends before f runs (f may take the
    // lock to free a span).
    let mut i = unsafe { HEAP.get_locked().allspans.len() };
    while i > 0 {
        i -= 1;
        // SAFETY: as said.
        let s = unsafe {
            let h = HEAP.get_locked();
            if i < h.allspans.len() {
                h.allspans.get(i)
            } else {
                null_mut()
            }
        };
        if !s.is_null() {
            f(s);
        }
    }
}

fn new_span(h: &mut Mheap, start: usize, npages: usize, spanclass: u8, needzero: bool) -> *mut Mspan {
    let s = if h.spanfree.is_null() {
        persistent::new_for::<Mspan>(Stat::MSpan)
    } else {
        let s = h.spanfree;
        // SAFETY: spanfree is a list of unused span structs.
        h.spanfree = unsafe { (*s).next };
        s
    };
    let class = (spanclass >> 1) as usize;
    let elemsize = if class == 0 { npages * PAGE_SIZE } else { CLASS_TO_SIZE[class] as usize };
    let nelems = npages * PAGE_SIZE / elemsize;
    let words = nelems.div_ceil(64);
    // SAFETY: s is ours; page table entries for [start, start+npages) belong
    // to mapped arenas.
    unsafe {
        let (mut allocbits, mut gcmarkbits, mut cap) = ((*s).allocbits, (*s).gcmarkbits, (*s).bits_cap);
        if cap < words {
            // Whole cache lines: markers set mark bits with locked
            // instructions, and a line shared with another span's bits
            // (which the allocator and other markers use) would bounce
            // between processors.
            cap = words.next_multiple_of(8);
            allocbits = persistent::alloc_for(cap * 8, 64, Stat::Gc) as *mut u64;
            gcmarkbits = persistent::alloc_for(cap * 8, 64, Stat::Gc) as *mut u64;
        }
        core::ptr::write_bytes(allocbits, 0, cap);
        core::ptr::write_bytes(gcmarkbits, 0, cap);
        *s = Mspan {
            start,
            npages,
            spanclass,
            state: SPAN_IN_USE,
            needzero,
            in_cache: false,
            elemsize,
            nelems,
            freeindex: 0,
            alloc_cache: u64::MAX,
            alloc_count: 0,
            allocbits,
            gcmarkbits,
            bits_cap: cap,
            next: null_mut(),
            prev: null_mut(),
            largesize: 0,
            allidx: 0,
            div_mul: if class == 0 { 0 } else { div_multiplier(elemsize) },
            specials: null_mut(),
        };
        let mut p = start;
        for _ in 0..npages {
            let ha = arena_of(p);
            (*ha).spans[(p & (ARENA_SIZE - 1)) >> PAGE_SHIFT] = s;
            p += PAGE_SIZE;
        }
    }
    allspans_add(h, s);
    s
}

/// Bytes of heap memory obtained from the OS (MemStats.HeapSys): the
/// arenas' grown parts.
pub fn heap_sys() -> usize {
    GROWN.load(Ordering::Relaxed)
}

/// The lowest and highest addresses of the heap's arenas ((0, 0) before
/// the first one is mapped).
pub fn arena_bounds() -> (usize, usize) {
    HEAP.with(|h| {
        let (mut lo, mut hi) = (0usize, 0usize);
        for &ha in h.arenas.as_slice() {
            // SAFETY: a mapped arena's metadata, never freed.
            let base = unsafe { (*ha).base };
            if lo == 0 || base < lo {
                lo = base;
            }
            hi = hi.max(base + ARENA_SIZE);
        }
        (lo, hi)
    })
}

/// Bytes of free heap pages whose memory is still held (not returned to
/// the OS).
pub fn heap_free_dirty() -> usize {
    DIRTY_FREE.load(Ordering::Relaxed) * PAGE_SIZE
}

/// Bytes in span descriptors of in-use spans (MemStats.MSpanInuse).
pub fn mspan_inuse() -> usize {
    NSPANS.load(Ordering::Relaxed) * core::mem::size_of::<Mspan>()
}

/// Bytes in in-use spans.
pub fn heap_inuse() -> usize {
    INUSE.load(Ordering::Relaxed)
}

/// Return to the system the next run of free pages used since they were
/// last zero, at or after heap page `from` (arena index * PAGES_PER_ARENA
/// + page), at least `min_pages` and at most `max_pages` long. The run is
/// taken (marked in use) under the heap lock, given to the system without
/// the lock (allocation goes on meanwhile, elsewhere), then freed again.
/// Returns the heap page after the run and the bytes released, or None
/// when no such run is left.
pub fn scavenge_next(from: usize, min_pages: usize, max_pages: usize) -> Option<(usize, usize)> {
    let (ha, i, n) = HEAP.with(|h| {
        let mut k = from / PAGES_PER_ARENA;
        let mut i = from % PAGES_PER_ARENA;
        while k < h.arenas.len() {
            // SAFETY: arenas are live; their page maps change only under
            // the heap lock, which we hold.
            let ha = unsafe { &mut *h.arenas.get(k) };
            if let Some((at, n)) = dirty_free_run(ha, i, min_pages, max_pages) {
                take_pages_for_scavenge(ha, at, n);
                return Some((ha as *mut HeapArena, k * PAGES_PER_ARENA + at, n));
            }
            k += 1;
            i = 0;
        }
        None
    })?;
    // SAFETY: the pages are ours (in use to everyone else) until freed.
    unsafe {
        let base = (*ha).base + (i % PAGES_PER_ARENA) * PAGE_SIZE;
        sys::madvise_dontneed(base as *mut u8, n * PAGE_SIZE);
        HEAP.with(|_| {
            let ha = &mut *ha;
            set_bits(&mut ha.inuse, i % PAGES_PER_ARENA, n, false);
            ha.free_pages += n;
        });
    }
    Some((i + n, n * PAGE_SIZE))
}

/// The first run of free, dirty pages of ha at or after page `from`, at
/// least `min` long (its first `max` pages), as (page, length).
fn dirty_free_run(ha: &HeapArena, from: usize, min: usize, max: usize) -> Option<(usize, usize)> {
    let mut i = from;
    while i < PAGES_PER_ARENA {
        if i.is_multiple_of(64) && (ha.inuse[i / 64] == u64::MAX || ha.dirty[i / 64] == 0) {
            i += 64;
            continue;
        }
        if bit(&ha.inuse, i) || !bit(&ha.dirty, i) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < PAGES_PER_ARENA && !bit(&ha.inuse, j) && bit(&ha.dirty, j) {
            j += 1;
        }
        if j - i >= min {
            return Some((i, (j - i).min(max)));
        }
        i = j;
    }
    None
}

/// Hold pages [i, i+n) of ha (free and dirty) while they are given back to
/// the system: in use to the allocator, clean from now on (heap lock held).
fn take_pages_for_scavenge(ha: &mut HeapArena, i: usize, n: usize) {
    set_bits(&mut ha.inuse, i, n, true);
    set_bits(&mut ha.dirty, i, n, false);
    ha.free_pages -= n;
    DIRTY_FREE.fetch_sub(n, Ordering::Relaxed);
}

/// Release every run of at least `min_pages` free pages (a whole pass).
pub fn scavenge(min_pages: usize) -> usize {
    let mut total = 0;
    let mut at = 0;
    while let Some((next, b)) = scavenge_next(at, min_pages, usize::MAX) {
        total += b;
        at = next;
    }
    total
}

/// Number of span classes: size classes x {scan, noscan}.
pub const NUM_SPAN_CLASSES: usize = NUM_SIZE_CLASSES << 1;

/// A per-P cache of spans with free objects.
#[repr(C)]
pub struct Mcache {
    pub alloc: [*mut Mspan; NUM_SPAN_CLASSES],
    /// Bytes allocated through this cache (statistics).
    pub allocated: usize,
    pub nmalloc: usize,
    /// Small objects allocated, per size class (MemStats.BySize).
    pub nmalloc_class: [usize; NUM_SIZE_CLASSES],
    /// Bytes allocated marked during the collector's current mark (added
    /// to the marked total when the cache is released).
    pub black: usize,
    /// The tiny allocator's current block (0: none): a 16-byte object
    /// without pointers that small pointer-free allocations are packed
    /// into; `tiny_used` bytes of it are taken. A heap pointer outside the
    /// heap, so it never outlives a cycle's start or end (forget_tiny).
    pub tiny: usize,
    pub tiny_used: usize,
    /// Allocations packed into tiny blocks (statistics: each one counts as
    /// allocated and freed at once, as upstream's).
    pub tiny_allocs: usize,
    /// Bytes left to allocate before the memory profile's next sample
    /// (mprof.rs).
    pub next_sample: isize,
}

/// The start of every P (the scheduler's, sched/mod.rs, checks that it
/// begins so): its id, which the Go side's procPin reads, and its
/// allocation cache, which mallocgc reaches from m.p.
#[repr(C)]
pub struct PCache {
    pub id: i32,
    pub mcache: *mut Mcache,
}

pub fn new_mcache() -> *mut Mcache {
    let c = persistent::new_for::<Mcache>(Stat::MCache);
    // SAFETY: c is fresh.
    unsafe { (*c).next_sample = crate::mprof::next_sample() };
    c
}
