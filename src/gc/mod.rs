//! The garbage collector: precise, non-moving mark-sweep; marking with the
//! world stopped, sweeping concurrent with the program.
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
//!   4. every span becomes unswept (heap::sweep), and the world restarts:
//!      spans are swept by the background sweeper goroutine and by the
//!      allocator as it needs them; their marks become their allocation
//!      bits, empty spans go back to the page heap. When sweeping is over,
//!      the background scavenger returns free pages to the system.
//! The next collection starts when the heap has grown by GOGC percent over
//! what survived (at least 4 MB, scaled by GOGC), or earlier under a memory
//! limit. Collections start from allocation (mallocgc asks, and the
//! allocating goroutine collects when its Rust call returns: see rtcall's
//! hook), from runtime.GC, and from debug.FreeOSMemory.
//!
//! No write barriers are needed: the mutator never runs during marking.

pub mod background;
pub mod finalizer;
mod mark;
pub mod pools;
mod roots;

use crate::heap::malloc::{self, HEAP_LIVE, HOOK_GC, STRESS, TRIGGER};
use crate::heap;
use crate::lock::Mutex;
use crate::sched;
use core::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering};

/// Heap bytes that survived the last collection.
static HEAP_MARKED: AtomicUsize = AtomicUsize::new(0);
/// Completed collections.
static NUM_GC: AtomicU32 = AtomicU32::new(0);
static NUM_FORCED_GC: AtomicU32 = AtomicU32::new(0);
/// Processor time the collector used (its pauses stop every P), and the
/// resulting share of all processor time since the start, as f64 bits
/// (MemStats.GCCPUFraction, updated at the end of each collection).
static GC_CPU_NS: AtomicU64 = AtomicU64::new(0);
static GC_CPU_FRACTION: AtomicU64 = AtomicU64::new(0);
/// Start of the process (for gctrace's @time).
static START_NS: AtomicI64 = AtomicI64::new(0);
static GCTRACE: AtomicBool = AtomicBool::new(false);

/// What MemStats reports of past collections, updated together at the end
/// of each (so a reader sees LastGC equal to the newest PauseEnd, and
/// PauseTotalNs the sum of PauseNs while fewer than 256 ran).
#[derive(Clone, Copy)]
pub struct History {
    pub num_gc: u32,
    pub num_forced_gc: u32,
    pub pause_total_ns: u64,
    pub last_gc: u64,
    pub pause_ns: [u64; 256],
    pub pause_end: [u64; 256],
}

static HISTORY: crate::lock::Locked<History> = crate::lock::Locked::new(crate::lockrank::Rank::History, History {
    num_gc: 0,
    num_forced_gc: 0,
    pause_total_ns: 0,
    last_gc: 0,
    pause_ns: [0; 256],
    pause_end: [0; 256],
});

/// A consistent copy of the collection history.
pub fn history() -> History {
    HISTORY.with(|h| *h)
}

/// Serialises collections (the Go side also holds worldsema).
static GC_LOCK: Mutex = Mutex::new(crate::lockrank::Rank::Gc);

const HEAP_MINIMUM: usize = 4 << 20;

pub fn init() {
    static FORCEGC: fn(i64) = background::sysmon_forcegc;
    sched::sysmon::SYSMON_FORCEGC.set(&FORCEGC);
    START_NS.store(crate::time::nanotime(), Ordering::Relaxed);
    if let Some(v) = crate::env::getenv(b"GODEBUG") {
        for kv in v.split(|&c| c == b',') {
            if kv == b"gctrace=1" || kv == b"gctrace=2" {
                GCTRACE.store(true, Ordering::Relaxed);
            }
        }
    }
    if crate::env::getenv(b"GORT_GCPOISON").is_some() {
        heap::sweep::POISON.store(true, Ordering::Relaxed);
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
    crate::settings::gc_percent() as i64
}

/// Recompute the trigger from what survived.
fn set_trigger(marked: usize) {
    let pct = gcpercent();
    let limit = crate::settings::memory_limit();
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


/// The hook rtcall runs before returning to Go code (with the calling
/// trampoline's frame still on the stack): returns true if the goroutine
/// should collect now (the Go side then takes worldsema and calls
/// rt_gcCollect).
pub fn rt_hookWanted() -> bool {
    let mp = crate::gm::getm();
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
        if (*mp).p == 0 || gp.is_null() || crate::gm::readgstatus(gp) != crate::gm::G_RUNNING {
            return false;
        }
        // Nor one about to park with a lock that its park commit releases
        // (m.waitunlockf): collecting would park it in between (worldsema)
        // and lose the commit, with the lock held. The request is dropped
        // (left set, it would fire again on this call's own return, and
        // again, forever): the next allocation past the trigger asks again.
        (*mp).rtcallHook = 0;
        if (*mp).waitunlockf != 0 {
            return false;
        }
        // Not while the goroutine holds runtime locks or is pinned to its P
        // (sync.Pool), nor while dying: another allocation will ask again.
        (*mp).locks == 0 && (*mp).mallocing == 0 && (*mp).dying == 0 && should_collect()
    }
}

fn should_collect() -> bool {
    let stress = STRESS.load(Ordering::Relaxed);
    stress > 0 || HEAP_LIVE.load(Ordering::Relaxed) >= TRIGGER.load(Ordering::Relaxed)
}

/// Why a collection runs (the Go side's gcTrigger kinds; 0 is the heap
/// trigger). runtime.GC: always collects.
pub const TRIGGER_USER: u8 = 1;
/// No collection for FORCEGC_PERIOD (the forced-GC goroutine).
pub const TRIGGER_TIME: u8 = 2;

/// Collect at least this often (when any collection ran before), as upstream.
const FORCEGC_PERIOD: i64 = 2 * 60 * 1_000_000_000;
static LAST_GC_MONO: AtomicI64 = AtomicI64::new(0);

/// For sysmon: is a periodic collection due?
pub fn time_trigger_due(now: i64) -> bool {
    let last = LAST_GC_MONO.load(Ordering::Relaxed);
    gcpercent() >= 0 && last != 0 && now - last > FORCEGC_PERIOD
}

/// Run a collection (from the Go side, holding worldsema) for trigger
/// `kind`; heap and time triggers collect only if still due.
pub fn rt_gcCollect(kind: u8) {
    let forced = kind == TRIGGER_USER;
    if kind == TRIGGER_TIME && GCTRACE.load(Ordering::Relaxed) {
        crate::gprint!(b"GC forced\n");
    }
    // Sweep what the last cycle left before stopping the world (the
    // caller is a goroutine: others keep running meanwhile).
    heap::sweep::finish();
    GC_LOCK.lock();
    let due = match kind {
        TRIGGER_USER => true,
        TRIGGER_TIME => time_trigger_due(crate::time::nanotime()),
        _ => should_collect(),
    };
    if !due {
        GC_LOCK.unlock();
        return;
    }
    if forced {
        NUM_FORCED_GC.fetch_add(1, Ordering::Relaxed);
    }
    // No preemption during the collection.
    crate::gm::acquirem();
    let t0 = crate::time::nanotime();
    sched::stw::stop_the_world();
    let t1 = crate::time::nanotime();
    let before = HEAP_LIVE.load(Ordering::Relaxed);
    collect();
    let t2 = crate::time::nanotime();
    sched::stw::start_the_world();
    let t3 = crate::time::nanotime();
    crate::gm::releasem();
    let n = NUM_GC.fetch_add(1, Ordering::Relaxed) + 1;
    LAST_GC_MONO.store(t3, Ordering::Relaxed);
    let pause = (t3 - t0) as u64;
    let procs = sched::gomaxprocs().max(1) as u64;
    let cpu = GC_CPU_NS.fetch_add(pause * procs, Ordering::Relaxed) + pause * procs;
    let total = ((t3 - START_NS.load(Ordering::Relaxed)).max(1) as u64) * procs;
    GC_CPU_FRACTION.store((cpu as f64 / total as f64).min(1.0).to_bits(), Ordering::Relaxed);
    let now_unix = crate::time::now();
    let unix_ns = (now_unix.0 as u64) * 1_000_000_000 + now_unix.1 as u64;
    HISTORY.with(|h| {
        h.num_gc = n;
        h.num_forced_gc = NUM_FORCED_GC.load(Ordering::Relaxed);
        h.pause_total_ns += pause;
        h.last_gc = unix_ns;
        h.pause_ns[(n as usize + 255) % 256] = pause;
        h.pause_end[(n as usize + 255) % 256] = unix_ns;
    });
    GC_LOCK.unlock();
    if GCTRACE.load(Ordering::Relaxed) {
        trace_line(n, t0, t1 - t0, t2 - t1, t3 - t2, before);
    }
    // The sweeper first, then the finalizer goroutine: the last readied
    // runs next on this P (a finalizer queued by this collection then runs
    // before the collector's caller resumes, as upstream's does), where it
    // is not stolen at once by an idle thread as a queued one would be.
    background::wake_sweeper();
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
    // Normally a no-op: the caller swept before stopping the world.
    heap::sweep::finish();
    for i in 0..sched::gomaxprocs() as usize {
        // SAFETY: Ps below gomaxprocs are live.
        unsafe { malloc::release_all((*sched::allp(i)).mcache) };
    }
    malloc::central_reset();
    pools::clear_pools();
    let mut m = mark::Marker::new();
    m.mark_roots();
    m.drain();
    finalizer::mark_finalizers(&mut m);
    m.drain();
    SCAN_HEAP.store(m.heap_scanned, Ordering::Relaxed);
    SCAN_STACK.store(m.stack_scanned, Ordering::Relaxed);
    m.free();
    // SAFETY: collect runs with the world stopped (rt_gcCollect).
    let marked = unsafe { heap::sweep::prepare() };
    HEAP_MARKED.store(marked, Ordering::Relaxed);
    HEAP_LIVE.store(marked, Ordering::Relaxed);
    set_trigger(marked);
}

/// runtime.GC's and MemStats' view.
pub struct Stats {
    pub gc_cpu_fraction: f64,
    pub num_gc: u32,
    pub frees: u64,
    pub freed_bytes: u64,
}

pub fn stats() -> Stats {
    Stats {
        gc_cpu_fraction: f64::from_bits(GC_CPU_FRACTION.load(Ordering::Relaxed)),
        num_gc: NUM_GC.load(Ordering::Relaxed),
        frees: heap::sweep::freed().0,
        freed_bytes: heap::sweep::freed().1,
    }
}

/// Heap bytes that survived the last collection (runtime/metrics'
/// /gc/heap/live:bytes).
pub fn heap_marked() -> usize {
    HEAP_MARKED.load(Ordering::Relaxed)
}

/// Bytes the last collection scanned: of heap objects, of goroutine
/// stacks (runtime/metrics' /gc/scan/*).
static SCAN_HEAP: AtomicUsize = AtomicUsize::new(0);
static SCAN_STACK: AtomicUsize = AtomicUsize::new(0);

pub fn scan_stats() -> (usize, usize) {
    (SCAN_HEAP.load(Ordering::Relaxed), SCAN_STACK.load(Ordering::Relaxed))
}

/// The trigger moved (SetGCPercent, SetMemoryLimit): recompute it.
pub fn retune() {
    set_trigger(HEAP_MARKED.load(Ordering::Relaxed));
}
