//! Memory the runtime obtains from the operating system, counted by
//! purpose: MemStats' *Sys fields are these counters (their sum is Sys).
//! Every mapping the runtime keeps goes through `map` / `unmap` here or
//! through persistent memory (which charges each request to its purpose
//! and the unused rest of its chunks to `Other`). The heap's arenas are
//! counted by the heap itself (HeapSys). Address space merely reserved
//! and never touched (the arena index) is not counted, as upstream.

use crate::sys;
use core::sync::atomic::{AtomicUsize, Ordering};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    /// Goroutine stacks, in use or cached for reuse (StackSys).
    Stack = 0,
    /// Span descriptors (MSpanSys).
    MSpan,
    /// Per-P allocation caches (MCacheSys).
    MCache,
    /// Profiling bucket tables (BuckHashSys).
    BuckHash,
    /// Collector metadata: heap and span bitmaps, arena metadata, mark
    /// buffers, pointer masks (GCSys).
    Gc,
    /// Everything else: goroutine, thread and timer structures, itabs,
    /// signal stacks, tables (OtherSys).
    Other,
}

const N: usize = 6;
static BYTES: [AtomicUsize; N] = [const { AtomicUsize::new(0) }; N];

pub fn add(s: Stat, bytes: usize) {
    BYTES[s as usize].fetch_add(bytes, Ordering::Relaxed);
}

pub fn sub(s: Stat, bytes: usize) {
    BYTES[s as usize].fetch_sub(bytes, Ordering::Relaxed);
}

/// Move bytes already counted under one purpose to another.
pub fn transfer(from: Stat, to: Stat, bytes: usize) {
    if from != to {
        sub(from, bytes);
        add(to, bytes);
    }
}

pub fn get(s: Stat) -> usize {
    BYTES[s as usize].load(Ordering::Relaxed)
}

/// Fresh zeroed memory from the OS, counted under `s`.
pub fn map(size: usize, s: Stat) -> Option<*mut u8> {
    let p = sys::mmap_anon(size)?;
    add(s, size);
    Some(p)
}

/// Give back memory from `map` with the same purpose.
pub fn unmap(p: *mut u8, size: usize, s: Stat) {
    sys::munmap(p, size);
    sub(s, size);
}
