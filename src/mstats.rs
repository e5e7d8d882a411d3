//! Memory statistics and the garbage-collector API.
//!
//! Interim, until the collector lands (see heap/mod.rs): memory is never
//! reclaimed, so GC() has nothing to do and returns, finalizers are checked
//! but never run, and pinning only validates its argument (objects never
//! move). ReadMemStats reports what the allocator knows: bytes and objects
//! allocated (never freed), and memory obtained from the system.

use crate::errors;
use crate::heap;
use crate::layout::abi::Type;
use crate::layout::Eface;
use crate::sched;
use crate::types::*;
use core::sync::atomic::{AtomicIsize, Ordering};

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

pub fn ReadMemStats(m: *mut u8) {
    let (mut allocated, mut nmalloc) = (0u64, 0u64);
    // SAFETY: ALLP entries below GOMAXPROCS are live Ps with caches.
    unsafe {
        for i in 0..sched::GOMAXPROCS_N.load(Ordering::Relaxed) as usize {
            let pp = sched::ALLP[i];
            if !pp.is_null() {
                allocated += (*(*pp).mcache).allocated as u64;
                nmalloc += (*(*pp).mcache).nmalloc as u64;
            }
        }
    }
    let heap_sys = heap::heap_mapped() as u64;
    // SAFETY: m points at the caller's MemStats.
    let s = unsafe { &mut *(m as *mut MemStats) };
    // SAFETY: all-zero bytes are a valid MemStats.
    *s = unsafe { core::mem::zeroed() };
    s.alloc = allocated;
    s.total_alloc = allocated;
    s.heap_alloc = allocated;
    s.heap_sys = heap_sys;
    s.heap_inuse = heap_sys;
    s.mallocs = nmalloc;
    s.heap_objects = nmalloc;
    s.sys = heap_sys;
    s.enable_gc = false;
    for (i, b) in s.by_size.iter_mut().enumerate() {
        b.size = heap::sizeclasses::CLASS_TO_SIZE[i] as u32;
    }
}

pub fn GC() {}

/// Validate SetFinalizer's arguments as upstream does (misuse is fatal).
/// Finalizers never run while gort does not collect.
pub fn SetFinalizer(obj: Eface, finalizer: Eface) {
    if obj.typ.is_null() {
        crate::fatal::throw("runtime.SetFinalizer: first argument is nil");
    }
    // SAFETY: a live interface value's type descriptor.
    unsafe {
        if kind(obj.typ) != KIND_POINTER {
            let s = type_string(obj.typ);
            fatal_concat(&[b"runtime.SetFinalizer: first argument is ", s, b", not pointer"]);
        }
        if obj.data.is_null() {
            crate::fatal::throw("nil elem type!");
        }
        if !finalizer.typ.is_null() && kind(finalizer.typ) != KIND_FUNC {
            let s = type_string(finalizer.typ);
            fatal_concat(&[b"runtime.SetFinalizer: second argument is ", s, b", not a function"]);
        }
    }
}

fn fatal_concat(parts: &[&[u8]]) -> ! {
    let mut buf = [0u8; 256];
    let mut n = 0;
    for p in parts {
        let k = p.len().min(buf.len() - n);
        buf[n..n + k].copy_from_slice(&p[..k]);
        n += k;
    }
    // SAFETY: type strings and our literals are UTF-8.
    crate::fatal::throw(unsafe { core::str::from_utf8_unchecked(&buf[..n]) })
}

pub fn rt_pinnerPin(pointer: Eface) {
    if pointer.typ.is_null() {
        errors::raise_error("runtime.Pinner: argument is nil");
        return;
    }
    // SAFETY: a live interface value's type descriptor.
    unsafe {
        let k = kind(pointer.typ);
        if k != KIND_POINTER && k != KIND_UNSAFE_POINTER {
            let s = crate::string::gostring_concat(&[b"runtime.Pinner: argument is not a pointer: ", type_string(pointer.typ as *const Type)]);
            errors::raise_error_go(s);
        }
    }
}

static BLOCK_PROFILE_RATE: AtomicIsize = AtomicIsize::new(0);
static MUTEX_PROFILE_FRACTION: AtomicIsize = AtomicIsize::new(0);

/// Record the rate; block profiles themselves are not implemented yet
/// (BlockProfile fails loudly).
pub fn SetBlockProfileRate(rate: isize) {
    BLOCK_PROFILE_RATE.store(rate, Ordering::Relaxed);
}

pub fn SetMutexProfileFraction(rate: isize) -> isize {
    if rate < 0 {
        return MUTEX_PROFILE_FRACTION.load(Ordering::Relaxed);
    }
    MUTEX_PROFILE_FRACTION.swap(rate, Ordering::Relaxed)
}
