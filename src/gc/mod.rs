//! The garbage collector: precise, non-moving mark-sweep, with the world
//! stopped.
//!
//! A collection runs on the system stack of a goroutine that is at a safe
//! point (every frame of every goroutine is then described by the
//! pclntab's stack maps), with every other P stopped:
//!   1. roots are marked: the data and bss segments (pointer masks from the
//!      linker's GC programs), every goroutine's stack (the same frame
//!      walk as stack copying: locals, arguments, stack objects; frames
//!      interrupted by asynchronous preemption are scanned conservatively)
//!      and the pointers the runtime keeps for goroutines (closure
//!      contexts, defer records, wait queues, labels), pending timers, the
//!      runtime's own tables (reflect offsets, finalizers, sync.Pool's
//!      cleanup function);
//!   2. marked objects are scanned with the heap's pointer bits until no
//!      grey object is left;
//!   3. unreachable objects with finalizers are resurrected (marked, with
//!      everything they reach) and queued for the finalizer goroutine;
//!   4. every span is swept: its marks become its allocation bits; empty
//!      spans go back to the page heap; free pages beyond need are
//!      returned to the system.
//! The next collection starts when the heap has grown by GOGC percent over
//! what survived (at least 4 MB, scaled by GOGC), or earlier under a memory
//! limit. Collections start from allocation (mallocgc asks, and the
//! allocating goroutine collects when its Rust call returns: see rtcall's
//! hook), from runtime.GC, and from debug.FreeOSMemory.
//!
//! No write barriers are needed: the mutator never runs during marking.

mod finalizer;
mod mark;

pub use finalizer::*;

use crate::heap::{self, malloc, Mspan};
use crate::lock::Mutex;
use crate::sched;
use core::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering};

/// Heap bytes allocated since the last collection plus what survived it
/// (spans handed to caches count in full).
static HEAP_LIVE: AtomicUsize = AtomicUsize::new(0);
/// Heap bytes that survived the last collection.
static HEAP_MARKED: AtomicUsize = AtomicUsize::new(0);
/// A collection starts when HEAP_LIVE reaches this.
static TRIGGER: AtomicUsize = AtomicUsize::new(4 << 20);
/// Completed collections.
static NUM_GC: AtomicU32 = AtomicU32::new(0);
static NUM_FORCED_GC: AtomicU32 = AtomicU32::new(0);
static PAUSE_TOTAL_NS: AtomicU64 = AtomicU64::new(0);
static LAST_GC_UNIX: AtomicU64 = AtomicU64::new(0);
/// Cumulative frees (objects and bytes) found by sweeps.
static FREES: AtomicU64 = AtomicU64::new(0);
static FREED_BYTES: AtomicU64 = AtomicU64::new(0);
static RELEASED: AtomicUsize = AtomicUsize::new(0);
/// Start of the process (for gctrace's @time).
static START_NS: AtomicI64 = AtomicI64::new(0);
static GCTRACE: AtomicBool = AtomicBool::new(false);
/// Debugging: collect at every n-th refill (GORT_GCSTRESS=n).
static POISON: AtomicBool = AtomicBool::new(false);
static STRESS: AtomicUsize = AtomicUsize::new(0);
static STRESS_COUNT: AtomicUsize = AtomicUsize::new(0);

/// Pause times of the last 256 collections (MemStats.PauseNs).
static mut PAUSES: [u64; 256] = [0; 256];
static mut PAUSE_ENDS: [u64; 256] = [0; 256];

/// Serialises collections (the Go side also holds worldsema).
static GC_LOCK: Mutex = Mutex::new();

const HEAP_MINIMUM: usize = 4 << 20;

pub fn init() {
    START_NS.store(crate::time::nanotime(), Ordering::Relaxed);
    if let Some(v) = crate::env::getenv(b"GODEBUG") {
        for kv in v.split(|&c| c == b',') {
            if kv == b"gctrace=1" || kv == b"gctrace=2" {
                GCTRACE.store(true, Ordering::Relaxed);
            }
        }
    }
    if crate::env::getenv(b"GORT_GCPOISON").is_some() {
        POISON.store(true, Ordering::Relaxed);
    }
    if crate::env::getenv(b"GORT_GCDEBUG").is_some() {
        mark::DEBUG.store(true, Ordering::Relaxed);
    }
    if let Some(v) = crate::env::getenv(b"GORT_GCSTRESS") {
        let n = v.iter().take_while(|c| c.is_ascii_digit()).fold(0usize, |n, &c| n * 10 + (c - b'0') as usize);
        STRESS.store(n, Ordering::Relaxed);
    }
    set_trigger(0);
}

/// GOGC (negative: off).
fn gcpercent() -> i64 {
    crate::debug::gc_percent() as i64
}

/// Recompute the trigger from what survived.
fn set_trigger(marked: usize) {
    let pct = gcpercent();
    let limit = crate::debug::memory_limit();
    let mut goal = if pct < 0 {
        usize::MAX
    } else {
        let min = HEAP_MINIMUM * pct as usize / 100;
        (marked + marked * pct as usize / 100).max(min.max(1 << 20))
    };
    if limit >= 0 && (limit as u64) < u64::MAX >> 1 {
        // Leave room for what the runtime uses outside the heap.
        let cap = (limit as usize).saturating_sub(crate::stack::stack_inuse()).max(marked + (marked >> 5) + (1 << 20));
        goal = goal.min(cap);
    }
    TRIGGER.store(goal, Ordering::Relaxed);
}

/// The heap goal (MemStats.NextGC).
pub fn next_gc() -> usize {
    TRIGGER.load(Ordering::Relaxed)
}

/// mallocgc accounting: `bytes` more are in use. Past the trigger, the
/// current goroutine will collect when its Rust call returns.
pub fn note_alloc(bytes: usize) {
    let live = HEAP_LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    let stress = STRESS.load(Ordering::Relaxed);
    if live >= TRIGGER.load(Ordering::Relaxed)
        || (stress > 0 && STRESS_COUNT.fetch_add(1, Ordering::Relaxed) % stress == stress - 1)
    {
        request();
    }
}

/// Ask the current m's goroutine to collect at its next return from Rust.
fn request() {
    let mp = sched::getm();
    // SAFETY: mp is the current m.
    unsafe { (*mp).rtcallHook |= HOOK_GC };
}

/// Bits of m.rtcallHook.
pub const HOOK_GC: u32 = 1;

/// The hook rtcall runs before returning to Go code (with the calling
/// trampoline's frame still on the stack): returns true if the goroutine
/// should collect now (the Go side then takes worldsema and calls
/// rt_gcCollect).
pub fn rt_hookWanted() -> bool {
    let mp = sched::getm();
    // SAFETY: mp is the current m, on behalf of its goroutine.
    unsafe {
        let h = (*mp).rtcallHook;
        if h & HOOK_GC == 0 {
            return false;
        }
        // Only a goroutine running normally with its P can stop the world
        // (not one entering or leaving a system call): the request waits
        // for the next return from Rust.
        let gp = (*mp).curg;
        if (*mp).p == 0 || gp.is_null() || sched::readgstatus(gp) != sched::G_RUNNING {
            return false;
        }
        (*mp).rtcallHook = 0;
        // Not while the goroutine holds runtime locks or is pinned to its P
        // (sync.Pool), nor while dying: another allocation will ask again.
        (*mp).locks == 0 && (*mp).mallocing == 0 && (*mp).dying == 0 && should_collect()
    }
}

fn should_collect() -> bool {
    let stress = STRESS.load(Ordering::Relaxed);
    stress > 0 || HEAP_LIVE.load(Ordering::Relaxed) >= TRIGGER.load(Ordering::Relaxed)
}

/// Run a collection (from the Go side, holding worldsema). `forced`:
/// runtime.GC (always collects); else only if still needed.
pub fn rt_gcCollect(forced: bool) {
    GC_LOCK.lock();
    if !forced && !should_collect() {
        GC_LOCK.unlock();
        return;
    }
    if forced {
        NUM_FORCED_GC.fetch_add(1, Ordering::Relaxed);
    }
    let mp = sched::getm();
    // SAFETY: the current m; no preemption during the collection.
    unsafe { (*mp).locks += 1 };
    let t0 = crate::time::nanotime();
    sched::stop_the_world();
    let t1 = crate::time::nanotime();
    let before = HEAP_LIVE.load(Ordering::Relaxed);
    collect();
    let t2 = crate::time::nanotime();
    sched::start_the_world();
    let t3 = crate::time::nanotime();
    // SAFETY: as above.
    unsafe { (*mp).locks -= 1 };
    let n = NUM_GC.fetch_add(1, Ordering::Relaxed) + 1;
    let pause = (t3 - t0) as u64;
    PAUSE_TOTAL_NS.fetch_add(pause, Ordering::Relaxed);
    let now_unix = crate::time::now();
    let unix_ns = (now_unix.0 as u64) * 1_000_000_000 + now_unix.1 as u64;
    LAST_GC_UNIX.store(unix_ns, Ordering::Relaxed);
    // SAFETY: only collections (serialised by GC_LOCK) write the ring.
    unsafe {
        PAUSES[(n as usize + 255) % 256] = pause;
        PAUSE_ENDS[(n as usize + 255) % 256] = unix_ns;
    }
    GC_LOCK.unlock();
    if GCTRACE.load(Ordering::Relaxed) {
        trace_line(n, t0, t1 - t0, t2 - t1, t3 - t2, before);
    }
    finalizer::wake_runner();
}

/// gctrace's line, in upstream's format (all phases ran with the world
/// stopped, so the concurrent mark figure is the stopped mark's).
fn trace_line(n: u32, t0: i64, stw1: i64, mark: i64, stw2: i64, before: usize) {
    let since = (t0 - START_NS.load(Ordering::Relaxed)).max(0);
    let mb = |b: usize| b >> 20;
    let marked = HEAP_MARKED.load(Ordering::Relaxed);
    let ms = |ns: i64| ns as f64 / 1e6;
    let mut w = crate::fatal::Stderr;
    let _ = core::fmt::Write::write_fmt(
        &mut w,
        format_args!(
            "gc {} @{:.3}s 0%: {:.3}+{:.3}+{:.3} ms clock, {:.3}+0/{:.3}/0+{:.3} ms cpu, {}->{}->{} MB, {} MB goal, {} MB stacks, 0 MB globals, {} P\n",
            n,
            since as f64 / 1e9,
            ms(stw1),
            ms(mark),
            ms(stw2),
            ms(stw1),
            ms(mark),
            ms(stw2),
            mb(before),
            mb(before),
            mb(marked),
            mb(next_gc()),
            mb(crate::stack::stack_inuse()),
            sched::gomaxprocs()
        ),
    );
}

/// The collection proper (world stopped).
fn collect() {
    for i in 0..sched::gomaxprocs() as usize {
        // SAFETY: Ps below gomaxprocs are live.
        unsafe { malloc::release_all((*sched::allp(i)).mcache) };
    }
    malloc::central_reset();
    finalizer::clear_pools();
    let mut m = mark::Marker::new();
    m.mark_roots();
    m.drain();
    finalizer::mark_finalizers(&mut m);
    m.drain();
    m.free();
    let marked = sweep();
    HEAP_MARKED.store(marked, Ordering::Relaxed);
    HEAP_LIVE.store(marked, Ordering::Relaxed);
    set_trigger(marked);
    // Give memory back: free runs of 64 KiB or more beyond what the next
    // cycle needs (simple policy: release every such run).
    RELEASED.fetch_add(heap::scavenge(8), Ordering::Relaxed);
}

/// Sweep every span; returns the bytes that survived.
fn sweep() -> usize {
    let mut live = 0usize;
    let mut frees = 0u64;
    let mut freed = 0u64;
    heap::for_each_span(|s| {
        // SAFETY: s is an in-use span; the world is stopped.
        let sp: &mut Mspan = unsafe { &mut *s };
        let words = sp.nelems.div_ceil(64);
        // SAFETY: both bitmaps hold at least `words` words.
        if sp.in_cache {
            crate::fatal::throw("sweep: span still in a cache");
        }
        if POISON.load(Ordering::Relaxed) {
            poison_unmarked(sp);
        }
        let marks = unsafe { core::slice::from_raw_parts(sp.gcmarkbits, words) };
        let count: usize = marks.iter().map(|w| w.count_ones() as usize).sum();
        let large = sp.size_class() == 0;
        let before = if large { 1 } else { allocated_count(sp) };
        frees += (before - count.min(before)) as u64;
        freed += ((before - count.min(before)) * sp.elemsize) as u64;
        if count == 0 {
            heap::free_span(s);
            return;
        }
        live += count * sp.elemsize;
        // The marks become the allocation bits; the old bits, cleared, the
        // next marks.
        core::mem::swap(&mut sp.allocbits, &mut sp.gcmarkbits);
        // SAFETY: as above.
        unsafe { core::ptr::write_bytes(sp.gcmarkbits, 0, words) };
        if large {
            sp.freeindex = 1;
            sp.alloc_count = 1;
            return;
        }
        if count < before {
            sp.needzero = true;
        }
        sp.alloc_count = count;
        malloc::reset_alloc(sp);
        if count < sp.nelems {
            malloc::central_put(s);
        }
    });
    FREES.fetch_add(frees, Ordering::Relaxed);
    FREED_BYTES.fetch_add(freed, Ordering::Relaxed);
    live
}

/// Debugging (GORT_GCPOISON=1): unreachable objects are filled with
/// 0xdeadbeef words and kept (marked), never reused: a use after a wrong
/// free then faults on a recognisable address instead of corrupting memory.
fn poison_unmarked(sp: &mut Mspan) {
    let large = sp.size_class() == 0;
    for i in 0..sp.nelems {
        if sp.is_allocated(i) && !sp.is_marked(i) {
            let base = sp.obj_base(i);
            let size = if large { sp.largesize } else { sp.elemsize };
            // SAFETY: an allocated object of this span, unreachable.
            unsafe { core::slice::from_raw_parts_mut(base as *mut u64, size / 8).fill(0xdeadbeefdeadbeef) };
            sp.set_mark(i);
        }
    }
}

/// Objects allocated in a span before this sweep (Mspan::is_allocated,
/// counted a bitmap word at a time): all below freeindex, and those at or
/// above it whose allocation bit is set.
fn allocated_count(s: &Mspan) -> usize {
    let n = s.nelems;
    let f = s.freeindex.min(n);
    // SAFETY: allocbits holds at least ceil(nelems/64) words.
    let bits = unsafe { core::slice::from_raw_parts(s.allocbits, n.div_ceil(64)) };
    let mut count = f;
    for (w, &word) in bits.iter().enumerate().skip(f / 64) {
        let lo = w * 64;
        let mut m = word;
        if f > lo {
            m &= !0u64 << (f - lo);
        }
        if n - lo < 64 {
            m &= (1u64 << (n - lo)) - 1;
        }
        count += m.count_ones() as usize;
    }
    count
}

/// runtime.GC's and MemStats' view.
pub struct Stats {
    pub num_gc: u32,
    pub num_forced_gc: u32,
    pub pause_total_ns: u64,
    pub last_gc: u64,
    pub frees: u64,
    pub freed_bytes: u64,
    pub released: u64,
}

pub fn stats() -> Stats {
    Stats {
        num_gc: NUM_GC.load(Ordering::Relaxed),
        num_forced_gc: NUM_FORCED_GC.load(Ordering::Relaxed),
        pause_total_ns: PAUSE_TOTAL_NS.load(Ordering::Relaxed),
        last_gc: LAST_GC_UNIX.load(Ordering::Relaxed),
        frees: FREES.load(Ordering::Relaxed),
        freed_bytes: FREED_BYTES.load(Ordering::Relaxed),
        released: RELEASED.load(Ordering::Relaxed) as u64,
    }
}

/// Copy the pause rings (MemStats.PauseNs, PauseEnd).
pub fn pauses(ns: &mut [u64; 256], ends: &mut [u64; 256]) {
    // SAFETY: racy snapshot of plain words, as upstream's ReadMemStats
    // takes with the world stopped.
    unsafe {
        *ns = *core::ptr::addr_of!(PAUSES);
        *ends = *core::ptr::addr_of!(PAUSE_ENDS);
    }
}

/// The trigger moved (SetGCPercent, SetMemoryLimit): recompute it.
pub fn retune() {
    set_trigger(HEAP_MARKED.load(Ordering::Relaxed));
}
