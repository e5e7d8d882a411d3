//! The Go heap: where `new`, `make`, `append` and every escaping value live.
//!
//! Structure (upstream's vocabulary):
//!   - arenas: 64 MiB regions of address space, mapped at hints from
//!     0xc000000000 up (as upstream), found from an address through a sparse
//!     index (`arena_index`);
//!   - pages of 8 KiB; a span (`Mspan`) is a run of pages holding either
//!     objects of one size class or one large object; every page of an arena
//!     records its span (`span_of`);
//!   - per-P caches (`Mcache`) hold one span per span class (size class x
//!     has-pointers), so small allocations take no lock.
//!
//! Interim, until the garbage collector lands: memory is never reclaimed.
//! Spans are filled front to back and retired when full; freshly mapped
//! memory is already zero, so nothing needs clearing. The span/page
//! structures are the ones the collector will sweep.

pub mod malloc;
pub mod sizeclasses;

use crate::lock::Mutex;
use crate::persistent;
use crate::sys;
use core::ptr::null_mut;
use sizeclasses::*;

pub const ARENA_SHIFT: usize = 26;
pub const ARENA_SIZE: usize = 1 << ARENA_SHIFT;
pub const PAGES_PER_ARENA: usize = ARENA_SIZE / PAGE_SIZE;
/// Entries of the arena index: 48 bits of address space in arena units.
const ARENA_INDEX_LEN: usize = 1 << (48 - ARENA_SHIFT);
/// First address hint for arenas (upstream's choice: recognisable heap
/// pointers such as 0xc000012345).
const ARENA_HINT: usize = 0x00c0_0000_0000;

pub const SPAN_FREE: u8 = 0;
pub const SPAN_IN_USE: u8 = 1;

/// A run of pages.
#[repr(C)]
pub struct Mspan {
    pub start: usize,
    pub npages: usize,
    /// size class << 1 | noscan; class 0 means one large object.
    pub spanclass: u8,
    pub state: u8,
    pub needzero: bool,
    pub elemsize: usize,
    pub nelems: usize,
    /// Index of the next object to hand out.
    pub freeindex: usize,
    pub alloc_count: usize,
    pub next: *mut Mspan,
    /// Type of a large object (for the collector).
    pub largetype: *mut crate::layout::abi::Type,
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
}

/// Per-arena metadata.
#[repr(C)]
pub struct HeapArena {
    pub spans: [*mut Mspan; PAGES_PER_ARENA],
}

struct Mheap {
    lock: Mutex,
    /// Free space left in the arena being carved.
    cur: usize,
    end: usize,
    next_hint: usize,
    arena_index: *mut *mut HeapArena,
    /// Bytes of heap memory handed out as spans.
    pub mapped: usize,
    spanfree: *mut Mspan,
}

static mut HEAP: Mheap = Mheap {
    lock: Mutex::new(),
    cur: 0,
    end: 0,
    next_hint: ARENA_HINT,
    arena_index: null_mut(),
    mapped: 0,
    spanfree: null_mut(),
};

fn heap() -> &'static mut Mheap {
    // SAFETY: mutable fields are only touched with HEAP.lock held (or during
    // single-threaded startup).
    unsafe { &mut *core::ptr::addr_of_mut!(HEAP) }
}

pub fn init() {
    let h = heap();
    let bytes = ARENA_INDEX_LEN * core::mem::size_of::<*mut HeapArena>();
    h.arena_index = sys::mmap_anon(bytes)
        .unwrap_or_else(|| crate::fatal::throw("runtime: cannot reserve heap arena index"))
        as *mut *mut HeapArena;
}

/// The span containing address p, or null if p is not in the Go heap.
#[inline]
pub fn span_of(p: usize) -> *mut Mspan {
    let idx = p >> ARENA_SHIFT;
    if idx >= ARENA_INDEX_LEN {
        return null_mut();
    }
    // SAFETY: arena_index has ARENA_INDEX_LEN entries (init); an arena's
    // spans table covers every page of the arena.
    unsafe {
        let ha = *heap().arena_index.add(idx);
        if ha.is_null() {
            return null_mut();
        }
        (*ha).spans[(p & (ARENA_SIZE - 1)) >> PAGE_SHIFT]
    }
}

/// Is p inside the Go heap?
pub fn in_heap(p: usize) -> bool {
    let s = span_of(p);
    // SAFETY: span_of returns null or a live span.
    !s.is_null() && unsafe { (*s).state == SPAN_IN_USE && p < (*s).limit() }
}

/// Map a new arena (heap lock held).
fn grow(h: &mut Mheap) {
    loop {
        let hint = h.next_hint;
        h.next_hint += ARENA_SIZE;
        // SAFETY: MAP_FIXED_NOREPLACE never replaces an existing mapping.
        let r = unsafe {
            sys::syscall6(
                sys::SYS_MMAP,
                hint,
                ARENA_SIZE,
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
            h.lock.unlock();
            crate::fatal::throw("runtime: out of memory: cannot allocate heap arena");
        }
        let ha = persistent::new::<HeapArena>();
        // SAFETY: arena_index covers the whole 48-bit address space.
        unsafe { *h.arena_index.add(hint >> ARENA_SHIFT) = ha };
        h.cur = hint;
        h.end = hint + ARENA_SIZE;
        return;
    }
}

const MAP_FIXED_NOREPLACE: usize = 0x100000;

/// Allocate a span of npages for span class `spanclass`.
pub fn alloc_span(npages: usize, spanclass: u8) -> *mut Mspan {
    let h = heap();
    h.lock.lock();
    let bytes = npages * PAGE_SIZE;
    if h.end - h.cur < bytes {
        if bytes > ARENA_SIZE {
            // A huge object: map it directly, arena-aligned, and index every arena it covers.
            let p = alloc_huge(h, bytes);
            let s = new_span(h, p, npages, spanclass);
            h.lock.unlock();
            return s;
        }
        grow(h);
    }
    let p = h.cur;
    h.cur += bytes;
    let s = new_span(h, p, npages, spanclass);
    h.lock.unlock();
    s
}

fn alloc_huge(h: &mut Mheap, bytes: usize) -> usize {
    let n = bytes.div_ceil(ARENA_SIZE);
    loop {
        let hint = h.next_hint;
        h.next_hint += n * ARENA_SIZE;
        // SAFETY: as in grow.
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
            continue;
        }
        if r < 0 || r as usize != hint {
            h.lock.unlock();
            crate::fatal::throw("runtime: out of memory");
        }
        for i in 0..n {
            let ha = persistent::new::<HeapArena>();
            // SAFETY: as in grow.
            unsafe { *h.arena_index.add((hint >> ARENA_SHIFT) + i) = ha };
        }
        return hint;
    }
}

fn new_span(h: &mut Mheap, start: usize, npages: usize, spanclass: u8) -> *mut Mspan {
    let s = if h.spanfree.is_null() {
        persistent::new::<Mspan>()
    } else {
        let s = h.spanfree;
        // SAFETY: spanfree is a list of unused span structs.
        h.spanfree = unsafe { (*s).next };
        s
    };
    let class = (spanclass >> 1) as usize;
    let elemsize = if class == 0 { npages * PAGE_SIZE } else { CLASS_TO_SIZE[class] as usize };
    // SAFETY: s is ours; page table entries for [start, start+npages) belong
    // to indexed arenas (grow/alloc_huge).
    unsafe {
        *s = Mspan {
            start,
            npages,
            spanclass,
            state: SPAN_IN_USE,
            needzero: false,
            elemsize,
            nelems: npages * PAGE_SIZE / elemsize,
            freeindex: 0,
            alloc_count: 0,
            next: null_mut(),
            largetype: null_mut(),
        };
        for i in 0..npages {
            let p = start + i * PAGE_SIZE;
            let ha = *h.arena_index.add(p >> ARENA_SHIFT);
            (*ha).spans[(p & (ARENA_SIZE - 1)) >> PAGE_SHIFT] = s;
        }
    }
    h.mapped += npages * PAGE_SIZE;
    s
}

/// Bytes of heap handed out as spans so far.
pub fn heap_mapped() -> usize {
    heap().mapped
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
}

pub fn new_mcache() -> *mut Mcache {
    persistent::new::<Mcache>()
}
