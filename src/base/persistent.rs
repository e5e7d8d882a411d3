//! Memory for the runtime's own long-lived structures (g, m, p, sudogs,
//! itabs, ...): bump allocation from large mmap'd chunks, never freed
//! (upstream's persistentalloc). Objects that die are recycled on
//! per-kind free lists by their owners. Not part of the Go heap: the garbage
//! collector neither scans nor frees it.

use crate::lock::Locked;
use crate::sysstat::{self, Stat};

const CHUNK: usize = 1 << 20;

struct Arena {
    next: usize,
    end: usize,
}

/// The chunk requests are carved from.
static ARENA: Locked<Arena> = Locked::new(crate::lockrank::Rank::Persistent, Arena { next: 0, end: 0 });

/// Zeroed memory of `size` bytes aligned to `align` (a power of two),
/// valid for the life of the process. Throws when the system is out of memory.
pub fn alloc(size: usize, align: usize) -> *mut u8 {
    alloc_for(size, align, Stat::Other)
}

/// Like `alloc`, counted under purpose `stat` (MemStats' *Sys fields).
pub fn alloc_for(size: usize, align: usize, stat: Stat) -> *mut u8 {
    if size >= CHUNK / 4 {
        return sysstat::map(size.next_multiple_of(4096), stat)
            .unwrap_or_else(|| crate::fatal::throw("runtime: cannot allocate memory"));
    }
    sysstat::transfer(Stat::Other, stat, size);
    let p = ARENA.with(|a| {
        let mut p = a.next.next_multiple_of(align);
        if a.next == 0 || p + size > a.end {
            // A chunk counts as Other until requests claim its bytes.
            let c = sysstat::map(CHUNK, Stat::Other)?;
            a.next = c as usize;
            a.end = c as usize + CHUNK;
            p = a.next.next_multiple_of(align);
        }
        a.next = p + size;
        Some(p as *mut u8)
    });
    p.unwrap_or_else(|| crate::fatal::throw("runtime: cannot allocate memory"))
}

/// A zeroed `T` in persistent memory.
pub fn new<T>() -> *mut T {
    new_for(Stat::Other)
}

/// A zeroed `T` in persistent memory, counted under `stat`.
pub fn new_for<T>(stat: Stat) -> *mut T {
    alloc_for(core::mem::size_of::<T>().max(1), core::mem::align_of::<T>(), stat) as *mut T
}
