//! The memory layer: the Go heap (arenas, spans, size classes, per-P
//! caches, sweeping) and goroutine stacks (allocation, growth by copying).

pub mod heap;
pub mod stack;
pub mod wb;
