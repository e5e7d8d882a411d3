//! Settings of runtime/debug: the collector's GC percent and memory limit,
//! the stack and thread limits, FreeOSMemory.

use crate::layout::GoString;
use core::sync::atomic::{AtomicI32, AtomicI64, AtomicIsize, Ordering};

static GC_PERCENT: AtomicI32 = AtomicI32::new(100);
static MEMORY_LIMIT: AtomicI64 = AtomicI64::new(i64::MAX);
static MAX_STACK: AtomicIsize = AtomicIsize::new(1_000_000_000);

/// Read GOGC ("off" disables collection: -1) and GOMEMLIMIT at startup.
pub fn init() {
    if let Some(v) = crate::env::getenv(b"GOGC") {
        if v == b"off" {
            GC_PERCENT.store(-1, Ordering::Relaxed);
        } else if let Some(n) = parse_int(v) {
            GC_PERCENT.store(n as i32, Ordering::Relaxed);
        }
    }
    if let Some(v) = crate::env::getenv(b"GOMEMLIMIT") {
        if !v.is_empty() && v != b"off" {
            match parse_byte_count(v) {
                Some(n) => MEMORY_LIMIT.store(n, Ordering::Relaxed),
                None => {
                    crate::gprint!(b"GOMEMLIMIT=", v, b"\n");
                    crate::fatal::throw("malformed GOMEMLIMIT; see `go doc runtime/debug.SetMemoryLimit`");
                }
            }
        }
    }
}

/// A byte count with an optional unit suffix (B, KiB, MiB, GiB, TiB), as
/// GOMEMLIMIT takes it.
fn parse_byte_count(v: &[u8]) -> Option<i64> {
    let digits = v.iter().take_while(|c| c.is_ascii_digit()).count();
    let n = parse_int(&v[..digits])?;
    let shift = match &v[digits..] {
        b"" | b"B" => 0,
        b"KiB" => 10,
        b"MiB" => 20,
        b"GiB" => 30,
        b"TiB" => 40,
        _ => return None,
    };
    n.checked_mul(1 << shift)
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
    let old = GC_PERCENT.swap(if v < 0 { -1 } else { v }, Ordering::Relaxed);
    crate::gc::retune();
    old
}

pub fn gc_percent() -> i32 {
    GC_PERCENT.load(Ordering::Relaxed)
}

pub fn memory_limit() -> i64 {
    MEMORY_LIMIT.load(Ordering::Relaxed)
}

pub fn setMemoryLimit(v: i64) -> i64 {
    if v < 0 {
        return MEMORY_LIMIT.load(Ordering::Relaxed);
    }
    let old = MEMORY_LIMIT.swap(v, Ordering::Relaxed);
    crate::gc::retune();
    old
}

/// The goroutine stack limit (bytes).
pub fn max_stack() -> isize {
    MAX_STACK.load(Ordering::Relaxed)
}

pub fn setMaxStack(v: isize) -> isize {
    MAX_STACK.swap(v, Ordering::Relaxed)
}

/// debug.SetMaxThreads: the new limit applies at once (a program already
/// over it dies, as upstream).
pub fn setMaxThreads(v: isize) -> isize {
    crate::sched::set_max_mcount(v.min(i32::MAX as isize) as i64) as isize
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

/// debug.FreeOSMemory's second half (after a collection, on the Go side):
/// give every free page back to the system.
pub fn rt_scavengeAll() {
    crate::gc::note_released(crate::heap::scavenge(1));
}

pub fn modinfo() -> GoString {
    // SAFETY: runtime.modinfo is a string the linker fills in.
    unsafe { *(crate::proc::links().modinfo as *const GoString) }
}
