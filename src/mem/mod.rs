//! The memory layer: the Go heap (arenas, spans, size classes, per-P
//! caches, sweeping), goroutine stacks (allocation, growth by copying),
//! the memory profile (sampled in the allocator, frees seen by the sweep)
//! and the bucket tables every stack-keyed profile uses.

pub mod heap;
pub mod mprof;
pub mod profbucket;
pub mod stack;
pub mod wb;
