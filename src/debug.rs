//! Settings of runtime/debug. gort has no collector yet: the GC percent and
//! memory limit are recorded and reported back, and take effect when the
//! collector lands; there is no memory to return to the OS.

use crate::layout::GoString;
use core::sync::atomic::{AtomicI32, AtomicI64, AtomicIsize, Ordering};

static GC_PERCENT: AtomicI32 = AtomicI32::new(100);
static MEMORY_LIMIT: AtomicI64 = AtomicI64::new(i64::MAX);
static MAX_STACK: AtomicIsize = AtomicIsize::new(1_000_000_000);
static MAX_THREADS: AtomicIsize = AtomicIsize::new(10000);

/// Read GOGC at startup ("off" disables collection: -1).
pub fn init() {
    if let Some(v) = crate::env::getenv(b"GOGC") {
        if v == b"off" {
            GC_PERCENT.store(-1, Ordering::Relaxed);
        } else if let Some(n) = parse_int(v) {
            GC_PERCENT.store(n as i32, Ordering::Relaxed);
        }
    }
}

fn parse_int(v: &[u8]) -> Option<i64> {
    if v.is_empty() || v.len() > 18 {
        return None;
    }
    let mut n = 0i64;
    for &c in v {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (c - b'0') as i64;
    }
    Some(n)
}

pub fn setGCPercent(v: i32) -> i32 {
    // Negative means "off".
    GC_PERCENT.swap(if v < 0 { -1 } else { v }, Ordering::Relaxed)
}

pub fn setMemoryLimit(v: i64) -> i64 {
    if v < 0 {
        return MEMORY_LIMIT.load(Ordering::Relaxed);
    }
    MEMORY_LIMIT.swap(v, Ordering::Relaxed)
}

/// The goroutine stack limit (bytes).
pub fn max_stack() -> isize {
    MAX_STACK.load(Ordering::Relaxed)
}

pub fn setMaxStack(v: isize) -> isize {
    MAX_STACK.swap(v, Ordering::Relaxed)
}

pub fn setMaxThreads(v: isize) -> isize {
    MAX_THREADS.swap(v, Ordering::Relaxed)
}

pub fn setPanicOnFault(new: bool) -> bool {
    let mp = crate::sched::getm();
    // SAFETY: called on behalf of m.curg.
    unsafe {
        let gp = (*mp).curg;
        let old = (*gp).paniconfault;
        (*gp).paniconfault = new;
        old
    }
}

/// There is nothing to free: gort does not reclaim memory yet.
pub fn freeOSMemory() {}

pub fn modinfo() -> GoString {
    // SAFETY: runtime.modinfo is a string the linker fills in.
    unsafe { *(crate::proc::links().modinfo as *const GoString) }
}
