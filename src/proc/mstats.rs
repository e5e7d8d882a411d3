//! Memory statistics and the garbage-collector API.
//!
//! ReadMemStats reports the allocator's and the collector's counts, and
//! the memory obtained from the OS by purpose (crate::sysstat).

use crate::heap;
use crate::layout::abi::Type;
use crate::layout::Eface;
use crate::sched;
use crate::types::*;

/// The Go side's MemStats, field by field (see asm/runtime/api.go).
#[repr(C)]
pub struct MemStats {
    pub alloc: u64,
    pub total_alloc: u64,
    pub sys: u64,
    pub lookups: u64,
    pub mallocs: u64,
    pub frees: u64,
    pub heap_alloc: u64,
    pub heap_sys: u64,
    pub heap_idle: u64,
    pub heap_inuse: u64,
    pub heap_released: u64,
    pub heap_objects: u64,
    pub stack_inuse: u64,
    pub stack_sys: u64,
    pub mspan_inuse: u64,
    pub mspan_sys: u64,
    pub mcache_inuse: u64,
    pub mcache_sys: u64,
    pub buck_hash_sys: u64,
    pub gc_sys: u64,
    pub other_sys: u64,
    pub next_gc: u64,
    pub last_gc: u64,
    pub pause_total_ns: u64,
    pub pause_ns: [u64; 256],
    pub pause_end: [u64; 256],
    pub num_gc: u32,
    pub num_forced_gc: u32,
    pub gc_cpu_fraction: f64,
    pub enable_gc: bool,
    pub debug_gc: bool,
    pub by_size: [BySize; 61],
}

#[repr(C)]
pub struct BySize {
    pub size: u32,
    pub mallocs: u64,
    pub frees: u64,
}

const _: () = assert!(core::mem::size_of::<MemStats>() == 5776);

/// runtime.ReadMemStats' work: the statistics read with the world stopped
/// (as upstream's: every P's counts at one instant, so that the figures
/// agree with each other). The caller (Go) holds worldsema.
///
/// # Safety
/// `m` points at the caller's MemStats.
pub unsafe fn rt_readMemStats(m: *mut u8) {
    // SAFETY: per the function contract.
    sched::stw::with_world_stopped(sched::stats::StwReason::ReadMemStats, || unsafe { fill(m) });
}

/// Fill `m` with the current statistics (the world stopped, for figures
/// that agree).
///
/// # Safety
/// `m` points at the caller's MemStats.
pub unsafe fn fill(m: *mut u8) {
    use crate::heap::sizeclasses::{CLASS_TO_SIZE, NUM_SIZE_CLASSES};
    use crate::sysstat::{self, Stat};
    // Every P that ever existed: a P retired by GOMAXPROCS keeps the counts
    // of what was allocated through it.
    let (mut allocated, mut nmalloc, mut tiny) = (0u64, 0u64, 0u64);
    let mut by_class = [0u64; NUM_SIZE_CLASSES];
    sched::for_each_p(|pp| {
        // SAFETY: a live P with its cache (racy counts, for statistics).
        unsafe {
            let c = &*(*pp).mcache;
            allocated += c.allocated as u64;
            nmalloc += c.nmalloc as u64;
            tiny += c.tiny_allocs as u64;
            for (k, n) in c.nmalloc_class.iter().enumerate() {
                by_class[k] += *n as u64;
            }
        }
    });
    let g = crate::gc::stats();
    let h = crate::gc::history();
    let heap_sys = heap::heap_sys() as u64;
    let heap_inuse = (heap::heap_inuse() as u64).min(heap_sys);
    let heap_idle = heap_sys - heap_inuse;
    let heap_alloc = allocated.saturating_sub(g.freed_bytes);
    // SAFETY: m points at the caller's MemStats.
    let s = unsafe { &mut *(m as *mut MemStats) };
    // SAFETY: all-zero bytes are a valid MemStats.
    *s = unsafe { core::mem::zeroed() };
    s.alloc = heap_alloc;
    s.total_alloc = allocated;
    s.heap_alloc = heap_alloc;
    s.heap_sys = heap_sys;
    s.heap_inuse = heap_inuse;
    s.heap_idle = heap_idle;
    s.heap_released = heap_idle.saturating_sub(heap::heap_free_dirty() as u64);
    // Allocations packed into tiny blocks count as allocated and freed at
    // once (their blocks are counted as objects), as upstream's.
    s.mallocs = nmalloc + tiny;
    s.frees = g.frees + tiny;
    s.heap_objects = nmalloc.saturating_sub(g.frees);
    s.stack_inuse = crate::stack::stack_inuse() as u64;
    s.stack_sys = (sysstat::get(Stat::Stack) as u64).max(s.stack_inuse);
    s.mspan_inuse = heap::mspan_inuse() as u64;
    s.mspan_sys = sysstat::get(Stat::MSpan) as u64;
    s.mcache_inuse = sysstat::get(Stat::MCache) as u64;
    s.mcache_sys = s.mcache_inuse;
    s.buck_hash_sys = sysstat::get(Stat::BuckHash) as u64;
    s.gc_sys = sysstat::get(Stat::Gc) as u64;
    s.other_sys = sysstat::get(Stat::Other) as u64;
    s.sys = s.heap_sys + s.stack_sys + s.mspan_sys + s.mcache_sys + s.buck_hash_sys + s.gc_sys + s.other_sys;
    s.next_gc = crate::gc::next_gc() as u64;
    s.last_gc = h.last_gc;
    s.pause_total_ns = h.pause_total_ns;
    s.pause_ns = h.pause_ns;
    s.pause_end = h.pause_end;
    s.num_gc = h.num_gc;
    s.num_forced_gc = h.num_forced_gc;
    s.gc_cpu_fraction = g.gc_cpu_fraction;
    s.enable_gc = true;
    for (i, b) in s.by_size.iter_mut().enumerate() {
        b.size = CLASS_TO_SIZE[i] as u32;
        if i > 0 && i < NUM_SIZE_CLASSES {
            b.mallocs = by_class[i];
            b.frees = heap::sweep::freed_in_class(i).min(b.mallocs);
        }
    }
}

/// Pinner.Pin's argument: the pointer it holds (a panic for anything but
/// a non-nil pointer value).
pub fn rt_pinTarget(pointer: Eface) -> *mut u8 {
    if pointer.typ.is_null() {
        crate::raise::raise_error("runtime.Pinner: argument is nil");
        return core::ptr::null_mut();
    }
    // SAFETY: a live interface value's type descriptor.
    unsafe {
        let k = kind(pointer.typ);
        if k != KIND_POINTER && k != KIND_UNSAFE_POINTER {
            let s = crate::string::gostring_concat(&[b"runtime.Pinner: argument is not a pointer: ", type_string(pointer.typ as *const Type)]);
            crate::raise::raise_error_go(s);
            return core::ptr::null_mut();
        }
    }
    pointer.data
}

/// Pin or unpin the object ptr points into; whether it is a heap object
/// (only those are recorded by the Pinner).
pub fn rt_setPinned(ptr: *mut u8, pin: bool) -> bool {
    match crate::heap::pin::set_pinned(ptr as usize, pin) {
        Ok(heap) => heap,
        Err(msg) => {
            crate::raise::raise_error(msg);
            false
        }
    }
}
