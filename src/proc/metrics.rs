//! runtime/metrics: the table of metrics upstream 1.22 publishes (names,
//! kinds and units are the API: runtime/metrics.All describes them) and
//! their values, computed from one snapshot of the runtime's counters per
//! Read, so that related values agree (the memory classes sum to the
//! total, allocations minus frees are the live objects).
//!
//! The Go side (asm/runtime/metrics.go) serialises readers, allocates the
//! histogram values (Go memory: it asks for each histogram's shape first)
//! and answers the /godebug/ counters, whose readers are Go functions.
//!
//! Where gort's design makes a value differ in kind from upstream's, the
//! value is still what the description says of gort (docs/STATUS.md lists
//! them): the collector's mark workers are a quarter of GOMAXPROCS, as
//! upstream's dedicated ones; there is no GC CPU limiter (never enabled:
//! 0); goroutine stacks are mapped for stacks, not carved from
//! the heap: those in use are reported as heap/stacks (MemStats'
//! StackInuse), the mapped ones kept free for reuse as os-stacks (the rest
//! of StackSys; OS thread stacks are the C library's and not counted, as
//! upstream's are not in cgo programs).

use crate::heap::{self, sizeclasses::{CLASS_TO_SIZE, NUM_SIZE_CLASSES}};
use crate::layout::rt::{metricFloat64Histogram, metricSample};
use crate::layout::{GoSlice, GoString};
use crate::sched::{self, stats};
use crate::sysstat::{self, Stat};

/// runtime/metrics.ValueKind.
const KIND_BAD: isize = 0;
const KIND_UINT64: isize = 1;
const KIND_FLOAT64: isize = 2;
const KIND_HISTOGRAM: isize = 3;

/// Histogram shapes (the Go side keeps one bucket slice per shape).
const SHAPE_SIZES: isize = 1;
const SHAPE_TIMES: isize = 2;

/// Names under this prefix belong to the Go side (internal/godebug's
/// counters).
const GODEBUG_PREFIX: &[u8] = b"/godebug/";

/// The highest user time a Read has reported (Snap::user).
static USER_HIGH: core::sync::atomic::AtomicI64 = core::sync::atomic::AtomicI64::new(0);

/// The counters a Read works from, gathered at its start.
struct Snap {
    /// Processor time; its total is the sum of the classes (see user).
    cpu: stats::CpuTime,
    /// Processor time outside the other classes. Work of the collector or
    /// the scavenger is counted once it is done: until then it looks like
    /// user time, which would then shrink. So user time is kept from
    /// going back (the total with it: the classes always sum to it).
    user: i64,
    /// Marking outside the pauses: assists, mark workers (ns).
    mark_assist: i64,
    mark_workers: i64,
    mark_idle: i64,
    num_gc: u64,
    num_forced_gc: u64,
    scan_heap: u64,
    scan_stack: u64,
    scan_globals: u64,
    /// Small allocations and frees per size class (class 0 unused), large
    /// ones apart.
    allocs: [u64; NUM_SIZE_CLASSES],
    frees: [u64; NUM_SIZE_CLASSES],
    large_allocs: u64,
    large_frees: u64,
    alloc_bytes: u64,
    free_bytes: u64,
    heap_goal: u64,
    heap_live: u64,
    heap_sys: u64,
    heap_inuse: u64,
    heap_free_dirty: u64,
    stacks: u64,
    stacks_free: u64,
    mspan_sys: u64,
    mspan_inuse: u64,
    mcache_sys: u64,
    gc_sys: u64,
    other_sys: u64,
    buckhash_sys: u64,
    /// Allocations packed into tiny blocks.
    tiny_allocs: u64,
}

impl Snap {
    fn take() -> Snap {
        let (mut alloc_bytes, mut nmalloc, mut tiny) = (0u64, 0u64, 0u64);
        let mut allocs = [0u64; NUM_SIZE_CLASSES];
        // Every P that ever existed (a retired P keeps its counts).
        sched::for_each_p(|pp| {
            // SAFETY: a P's cache lives as long as the P (racy counts, as
            // for MemStats).
            unsafe {
                let c = &*(*pp).mcache;
                alloc_bytes += c.allocated as u64;
                nmalloc += c.nmalloc as u64;
                tiny += c.tiny_allocs as u64;
                for (a, n) in allocs.iter_mut().zip(c.nmalloc_class.iter()) {
                    *a += *n as u64;
                }
            }
        });
        allocs[0] = 0;
        let (nfree, free_bytes) = heap::sweep::freed();
        let mut frees = [0u64; NUM_SIZE_CLASSES];
        for (c, f) in frees.iter_mut().enumerate().skip(1) {
            *f = heap::sweep::freed_in_class(c);
        }
        let small_allocs: u64 = allocs.iter().sum();
        let small_frees: u64 = frees.iter().sum();
        let h = crate::gc::history();
        let (scan_heap, scan_stack) = crate::gc::scan_stats();
        let heap_sys = heap::heap_sys() as u64;
        let (assist, workers, idle) = crate::gc::mark_cpu_ns();
        let mut snap = Snap {
            cpu: stats::cpu_time(),
            user: 0,
            mark_assist: assist as i64,
            mark_workers: workers as i64,
            mark_idle: idle as i64,
            num_gc: h.num_gc as u64,
            num_forced_gc: h.num_forced_gc as u64,
            scan_heap: scan_heap as u64,
            scan_stack: scan_stack as u64,
            scan_globals: crate::types::globals_size() as u64,
            allocs,
            frees,
            tiny_allocs: tiny,
            large_allocs: nmalloc.saturating_sub(small_allocs),
            large_frees: nfree.saturating_sub(small_frees),
            alloc_bytes,
            free_bytes: free_bytes.min(alloc_bytes),
            heap_goal: crate::gc::next_gc() as u64,
            heap_live: crate::gc::heap_marked() as u64,
            heap_sys,
            heap_inuse: (heap::heap_inuse() as u64).min(heap_sys),
            heap_free_dirty: heap::heap_free_dirty() as u64,
            stacks: crate::stack::stack_inuse() as u64,
            stacks_free: (sysstat::get(Stat::Stack) as u64).saturating_sub(crate::stack::stack_inuse() as u64),
            mspan_sys: sysstat::get(Stat::MSpan) as u64,
            mspan_inuse: heap::mspan_inuse() as u64,
            mcache_sys: sysstat::get(Stat::MCache) as u64,
            gc_sys: sysstat::get(Stat::Gc) as u64,
            other_sys: sysstat::get(Stat::Other) as u64,
            buckhash_sys: sysstat::get(Stat::BuckHash) as u64,
        };
        snap.settle_user();
        snap
    }

    /// User time: the rest of the total after the other classes, kept from
    /// going back (see `user`); the total is then the classes' sum.
    fn settle_user(&mut self) {
        let others = self.cpu.idle + self.gc_total() + self.cpu.scavenge_bg;
        let rest = self.cpu.total - others;
        self.user = rest.max(USER_HIGH.fetch_max(rest, core::sync::atomic::Ordering::Relaxed));
        self.cpu.total = others + self.user;
    }

    /// The collector's processor time: its pauses (every P) and marking
    /// between them.
    fn gc_total(&self) -> i64 {
        self.cpu.gc_pause + self.mark_assist + self.mark_workers + self.mark_idle
    }

    fn heap_objects(&self) -> u64 {
        self.alloc_bytes - self.free_bytes
    }

    /// Bytes of in-use spans that hold no object (heap/unused).
    fn heap_unused(&self) -> u64 {
        self.heap_inuse.saturating_sub(self.heap_objects())
    }

    /// Free heap pages returned to the system (heap/released).
    fn heap_released(&self) -> u64 {
        (self.heap_sys - self.heap_inuse).saturating_sub(self.heap_free_dirty)
    }

    fn memory_total(&self) -> u64 {
        // heap/free + heap/objects + heap/released + heap/unused is
        // heap_sys (unless objects overtake in-use spans in a racy read).
        let heap = self.heap_free_dirty.min(self.heap_sys - self.heap_inuse) + self.heap_objects() + self.heap_released() + self.heap_unused();
        heap + self.stacks + self.stacks_free + self.mspan_sys + self.mcache_sys + self.gc_sys + self.other_sys + self.buckhash_sys
    }
}

enum Value {
    Uint(fn(&Snap) -> u64),
    /// Seconds, from nanoseconds.
    Secs(fn(&Snap) -> i64),
    /// A histogram of the given shape.
    Hist(isize, fn(&Snap, &mut [u64])),
}

use Value::{Hist, Secs, Uint};

fn ns_of(v: i64) -> i64 {
    v.max(0)
}

/// Every metric, by name (sorted, as runtime/metrics.All lists them).
static METRICS: &[(&str, Value)] = &[
    ("/cgo/go-to-c-calls:calls", Uint(|_| sched::cgo::NumCgoCall() as u64)),
    ("/cpu/classes/gc/mark/assist:cpu-seconds", Secs(|s| s.mark_assist)),
    ("/cpu/classes/gc/mark/dedicated:cpu-seconds", Secs(|s| s.mark_workers)),
    ("/cpu/classes/gc/mark/idle:cpu-seconds", Secs(|s| s.mark_idle)),
    ("/cpu/classes/gc/pause:cpu-seconds", Secs(|s| s.cpu.gc_pause)),
    ("/cpu/classes/gc/total:cpu-seconds", Secs(|s| s.gc_total())),
    ("/cpu/classes/idle:cpu-seconds", Secs(|s| s.cpu.idle)),
    ("/cpu/classes/scavenge/assist:cpu-seconds", Secs(|_| 0)),
    ("/cpu/classes/scavenge/background:cpu-seconds", Secs(|s| s.cpu.scavenge_bg)),
    ("/cpu/classes/scavenge/total:cpu-seconds", Secs(|s| s.cpu.scavenge_bg)),
    ("/cpu/classes/total:cpu-seconds", Secs(|s| s.cpu.total)),
    ("/cpu/classes/user:cpu-seconds", Secs(|s| s.user)),
    ("/gc/cycles/automatic:gc-cycles", Uint(|s| s.num_gc - s.num_forced_gc)),
    ("/gc/cycles/forced:gc-cycles", Uint(|s| s.num_forced_gc)),
    ("/gc/cycles/total:gc-cycles", Uint(|s| s.num_gc)),
    ("/gc/gogc:percent", Uint(|_| crate::settings::gc_percent() as i64 as u64)),
    ("/gc/gomemlimit:bytes", Uint(|_| crate::settings::memory_limit() as u64)),
    ("/gc/heap/allocs-by-size:bytes", Hist(SHAPE_SIZES, |s, out| by_size(&s.allocs, s.large_allocs, out))),
    ("/gc/heap/allocs:bytes", Uint(|s| s.alloc_bytes)),
    ("/gc/heap/allocs:objects", Uint(|s| s.allocs.iter().sum::<u64>() + s.large_allocs)),
    ("/gc/heap/frees-by-size:bytes", Hist(SHAPE_SIZES, |s, out| by_size(&s.frees, s.large_frees, out))),
    ("/gc/heap/frees:bytes", Uint(|s| s.free_bytes)),
    ("/gc/heap/frees:objects", Uint(|s| s.frees.iter().sum::<u64>() + s.large_frees)),
    ("/gc/heap/goal:bytes", Uint(|s| s.heap_goal)),
    ("/gc/heap/live:bytes", Uint(|s| s.heap_live)),
    ("/gc/heap/objects:objects", Uint(|s| (s.allocs.iter().sum::<u64>() + s.large_allocs).saturating_sub(s.frees.iter().sum::<u64>() + s.large_frees))),
    ("/gc/heap/tiny/allocs:objects", Uint(|s| s.tiny_allocs)),
    ("/gc/limiter/last-enabled:gc-cycle", Uint(|_| 0)),
    ("/gc/pauses:seconds", Hist(SHAPE_TIMES, |_, out| stats::STW_TOTAL_GC.read(out))),
    ("/gc/scan/globals:bytes", Uint(|s| s.scan_globals)),
    ("/gc/scan/heap:bytes", Uint(|s| s.scan_heap)),
    ("/gc/scan/stack:bytes", Uint(|s| s.scan_stack)),
    ("/gc/scan/total:bytes", Uint(|s| s.scan_globals + s.scan_heap + s.scan_stack)),
    ("/gc/stack/starting-size:bytes", Uint(|_| crate::stack::FIXED_STACK as u64)),
    ("/memory/classes/heap/free:bytes", Uint(|s| s.heap_free_dirty.min(s.heap_sys - s.heap_inuse))),
    ("/memory/classes/heap/objects:bytes", Uint(|s| s.heap_objects())),
    ("/memory/classes/heap/released:bytes", Uint(|s| s.heap_released())),
    ("/memory/classes/heap/stacks:bytes", Uint(|s| s.stacks)),
    ("/memory/classes/heap/unused:bytes", Uint(|s| s.heap_unused())),
    ("/memory/classes/metadata/mcache/free:bytes", Uint(|_| 0)),
    ("/memory/classes/metadata/mcache/inuse:bytes", Uint(|s| s.mcache_sys)),
    ("/memory/classes/metadata/mspan/free:bytes", Uint(|s| s.mspan_sys.saturating_sub(s.mspan_inuse))),
    ("/memory/classes/metadata/mspan/inuse:bytes", Uint(|s| s.mspan_inuse.min(s.mspan_sys))),
    ("/memory/classes/metadata/other:bytes", Uint(|s| s.gc_sys)),
    ("/memory/classes/os-stacks:bytes", Uint(|s| s.stacks_free)),
    ("/memory/classes/other:bytes", Uint(|s| s.other_sys)),
    ("/memory/classes/profiling/buckets:bytes", Uint(|s| s.buckhash_sys)),
    ("/memory/classes/total:bytes", Uint(|s| s.memory_total())),
    ("/sched/gomaxprocs:threads", Uint(|_| sched::gomaxprocs() as u64)),
    ("/sched/goroutines:goroutines", Uint(|_| sched::NumGoroutine() as u64)),
    ("/sched/latencies:seconds", Hist(SHAPE_TIMES, |_, out| stats::SCHED_LATENCY.read(out))),
    ("/sched/pauses/stopping/gc:seconds", Hist(SHAPE_TIMES, |_, out| stats::STW_STOPPING_GC.read(out))),
    ("/sched/pauses/stopping/other:seconds", Hist(SHAPE_TIMES, |_, out| stats::STW_STOPPING_OTHER.read(out))),
    ("/sched/pauses/total/gc:seconds", Hist(SHAPE_TIMES, |_, out| stats::STW_TOTAL_GC.read(out))),
    ("/sched/pauses/total/other:seconds", Hist(SHAPE_TIMES, |_, out| stats::STW_TOTAL_OTHER.read(out))),
    ("/sync/mutex/wait/total:seconds", Secs(|_| stats::mutex_wait_ns())),
];

/// a < b, bytewise (usable in constants).
const fn name_less(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

// lookup searches the table: it must be sorted.
const _: () = {
    let mut i = 1;
    while i < METRICS.len() {
        assert!(name_less(METRICS[i - 1].0, METRICS[i].0), "METRICS is not sorted");
        i += 1;
    }
};

/// A size-class histogram's counts: small classes 1.. in order, then the
/// large objects.
fn by_size(small: &[u64; NUM_SIZE_CLASSES], large: u64, out: &mut [u64]) {
    out[..NUM_SIZE_CLASSES - 1].copy_from_slice(&small[1..]);
    out[NUM_SIZE_CLASSES - 1] = large;
}

fn lookup(name: &[u8]) -> Option<&'static Value> {
    METRICS.binary_search_by(|(n, _)| n.as_bytes().cmp(name)).ok().map(|i| &METRICS[i].1)
}

/// Bucket boundaries of a histogram shape, written to `out` when it is
/// long enough; returns how many there are.
fn bounds(shape: isize, out: &mut [f64]) -> usize {
    let n = match shape {
        // [1, size+1 of each small class, +Inf): a class holds sizes up
        // to its size inclusive, a bucket excludes its upper bound.
        SHAPE_SIZES => NUM_SIZE_CLASSES + 1,
        // -Inf, the lower bound of every inner bucket and of the overflow
        // bucket (in seconds), +Inf.
        SHAPE_TIMES => stats::HIST_BUCKETS + 1,
        _ => 0,
    };
    if out.len() < n {
        return n;
    }
    match shape {
        SHAPE_SIZES => {
            out[0] = 1.0;
            for c in 1..NUM_SIZE_CLASSES {
                out[c] = (CLASS_TO_SIZE[c] as u64 + 1) as f64;
            }
            out[NUM_SIZE_CLASSES] = f64::INFINITY;
        }
        SHAPE_TIMES => {
            out[0] = f64::NEG_INFINITY;
            for i in 0..=stats::HIST_INNER {
                // Exact: the bounds are small multiples of powers of two.
                out[i + 1] = stats::inner_lower_bound(i) as f64 / 1e9;
            }
            out[n - 1] = f64::INFINITY;
        }
        _ => {}
    }
    n
}

/// The histogram shape of metric `name` (0: not a histogram).
pub fn rt_metricHistShape(name: GoString) -> isize {
    // SAFETY: a Go string.
    match lookup(unsafe { name.as_bytes() }) {
        Some(Hist(shape, _)) => *shape,
        _ => 0,
    }
}

/// The bucket boundaries of a histogram shape (see bounds).
pub fn rt_metricHistBounds(shape: isize, out: GoSlice<f64>) -> isize {
    // SAFETY: the Go caller's slice.
    bounds(shape, unsafe { out.as_mut_slice() }) as isize
}

/// The number of metrics in the table, and the name of the i-th.
pub fn rt_metricCount() -> isize {
    METRICS.len() as isize
}

pub fn rt_metricName(i: isize) -> GoString {
    let n = METRICS[i as usize].0;
    GoString { ptr: n.as_ptr(), len: n.len() as isize }
}

/// runtime/metrics.Read's work: fill every sample's value. Histogram
/// samples arrive with their value prepared by the Go side (the shape's
/// buckets and counts of the right length); /godebug/ samples are left to
/// the Go side.
///
/// # Safety
/// `samples` is the caller's live slice of metrics.Sample.
pub unsafe fn rt_readMetrics(samples: GoSlice<metricSample>) {
    let snap = Snap::take();
    let mut counts = [0u64; stats::HIST_BUCKETS];
    // SAFETY: per the function contract.
    for s in unsafe { samples.as_mut_slice() } {
        // SAFETY: a Go string.
        let name = unsafe { s.name.as_bytes() };
        if name.starts_with(GODEBUG_PREFIX) {
            continue;
        }
        let v = &mut s.value;
        match lookup(name) {
            None => v.kind = KIND_BAD,
            Some(Uint(f)) => {
                v.kind = KIND_UINT64;
                v.scalar = f(&snap);
            }
            Some(Secs(f)) => {
                v.kind = KIND_FLOAT64;
                v.scalar = (ns_of(f(&snap)) as f64 / 1e9).to_bits();
            }
            Some(Hist(shape, f)) => {
                let h = v.pointer as *mut metricFloat64Histogram;
                let n = bounds(*shape, &mut []) - 1;
                // SAFETY: the Go side prepared the value (rt_metricHistShape).
                let out = unsafe {
                    if v.kind != KIND_HISTOGRAM || h.is_null() || (*h).counts.len as usize != n {
                        crate::fatal::throw("readMetrics: histogram value not prepared");
                    }
                    (*h).counts.as_mut_slice()
                };
                f(&snap, &mut counts[..n]);
                out.copy_from_slice(&counts[..n]);
            }
        }
    }
}

/// runtime/debug.readGCStats: the pause history, most recent first, then
/// the end times in the same order, then the time of the last collection,
/// the number of collections and the total pause (debug.ReadGCStats
/// allocates room for two histories and three words).
///
/// # Safety
/// `pauses` points at runtime/debug's live slice header.
pub unsafe fn readGCStats(pauses: *mut GoSlice<u64>) {
    let h = crate::gc::history();
    let ring = h.pause_ns.len();
    // SAFETY: per the function contract.
    let p = unsafe { &mut *pauses };
    if (p.cap as usize) < ring + 3 {
        crate::fatal::throw("short slice passed to readGCStats");
    }
    let n = (h.num_gc as usize).min(ring);
    // SAFETY: cap words are the slice's backing array.
    let buf = unsafe { core::slice::from_raw_parts_mut(p.ptr, p.cap as usize) };
    for i in 0..n {
        let k = (h.num_gc as usize - 1 - i) % ring;
        buf[i] = h.pause_ns[k];
        buf[n + i] = h.pause_end[k];
    }
    buf[2 * n] = h.last_gc;
    buf[2 * n + 1] = h.num_gc as u64;
    buf[2 * n + 2] = h.pause_total_ns;
    p.len = (2 * n + 3) as isize;
}

/// The background scavenger's step, timed for /cpu/classes/scavenge.
pub fn rt_scavengeStepTimed() -> bool {
    let t0 = crate::time::nanotime();
    let more = crate::gc::background::rt_scavengeStep();
    stats::add_scavenge_time(crate::time::nanotime() - t0);
    more
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_ascending() {
        for shape in [SHAPE_SIZES, SHAPE_TIMES] {
            let n = bounds(shape, &mut []);
            let mut b = vec![0.0; n];
            bounds(shape, &mut b);
            assert!(b.windows(2).all(|w| w[0] < w[1]), "shape {shape}: {b:?}");
        }
    }
}
