//! The garbage collector: precise, non-moving, concurrent mark-sweep with
//! a snapshot-at-the-beginning write barrier.
//!
//! A cycle (`rt_gcStart`, from the goroutine whose allocation crossed the
//! trigger, runtime.GC, or the forced-GC goroutine) goes:
//!   1. **Start, world stopped.** Sweeping is finished, sync.Pool's caches
//!      are emptied, the runtime's own roots are marked grey (pending
//!      timers, reflect offsets, finalizers: what each finalizable object
//!      points to, sync.Pool's cleanup function), every goroutine is
//!      marked unscanned, and the write barrier goes on (mem/wb.rs); the
//!      world restarts. Nothing in this pause depends on the heap's size or
//!      on the goroutines' stacks.
//!   2. **Concurrent mark.** Mark workers (workers.rs; goroutines, a
//!      quarter of GOMAXPROCS at a time), allocating goroutines (assists,
//!      in proportion to what they allocate, parked when they owe more
//!      than there is to scan: assist.rs) and Ps with nothing to run
//!      scan goroutine stacks one at a time (stacks.rs: a goroutine that is
//!      not running is held with the scan bit while its frames, walked as
//!      stack copying walks them, and the runtime's pointers for it are
//!      scanned; frames interrupted by asynchronous preemption are scanned
//!      conservatively), the data and bss segments, and then grey objects
//!      from the shared queue, with the heap's pointer bits. Objects
//!      allocated during the mark are allocated marked. The barrier shades
//!      (marks grey) the pointer every store overwrites and the one it
//!      writes; the runtime's copies into new objects and into other
//!      goroutines' stacks shade what they copy; so a stack scanned once
//!      needs no second look, whatever the program moves around meanwhile.
//!   3. **Mark termination, world stopped** (`rt_gcMarkDone`, from the
//!      worker that found nothing grey left): the goroutines that were
//!      running or in system calls whenever a marker tried them are
//!      scanned, the write-barrier buffers are emptied and the last grey
//!      objects scanned; unreachable objects
//!      with finalizers are resurrected (marked, with everything they
//!      reach) and queued for the finalizer goroutine; the barrier goes
//!      off; every span becomes unswept (heap::sweep), and the world
//!      restarts.
//!   4. **Concurrent sweep**: spans are swept by the background sweeper
//!      goroutine and by the allocator as it needs them; their marks
//!      become their allocation bits, empty spans go back to the page
//!      heap. When sweeping is over, the background scavenger returns free
//!      pages to the system.
//! The heap goal is GOGC percent over what survived (at least 4 MB, scaled
//! by GOGC), capped under a memory limit; a cycle starts at 7/8 of the way
//! there. Collections start from allocation (mallocgc asks, and the
//! allocating goroutine starts one when its Rust call returns: see
//! rtcall's hook), from runtime.GC (which waits for a whole cycle and the
//! sweep), from debug.FreeOSMemory and from the forced-GC goroutine.
//!
//! GORT_GC=stw runs each whole cycle in one stop of the world instead (the
//! collector gort had before; kept for comparison). GORT_GCCHECKMARK=1
//! marks a second time from scratch at each mark termination and throws
//! if the concurrent marking missed an object (a missing barrier).

pub mod assist;
pub mod background;
pub mod finalizer;
mod mark;
mod pacer;
pub mod pools;
mod stacks;
pub mod workers;

use crate::heap::malloc::{self, HEAP_LIVE, HOOK_ASSIST_BIT, HOOK_GC, STRESS, TRIGGER};
use crate::heap;
use crate::lock::Mutex;
use crate::sched;
use core::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering};

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

/// Called after marking, before sweeping is prepared, with the world
/// stopped: the runtime tests' GCTestIsReachable reads the marks there
/// (proc/testhooks.rs registers it when a test asks).
pub static AFTER_MARK: crate::hook::Hook<fn()> = crate::hook::Hook::new();

/// Serialises the collector's phase changes (the Go side also holds
/// worldsema around each stop of the world).
static GC_LOCK: Mutex = Mutex::new(crate::lockrank::Rank::Gc);

const HEAP_MINIMUM: usize = pacer::HEAP_MINIMUM;

/// The pacer (pacer.rs): goal and start of the next cycle, from what the
/// last ones measured.
static PACER: crate::lock::Locked<pacer::Pacer> = crate::lock::Locked::new(crate::lockrank::Rank::Pacer, pacer::Pacer::new());
/// The cycle under way was asked for by runtime.GC (or the runtime tests):
/// it says nothing of the program's pace.
static CYCLE_FORCED: AtomicBool = AtomicBool::new(false);

/// The collector's phase: off (the program runs, spans are swept), or
/// marking concurrently with the program (write barriers on, new objects
/// allocated marked).
const PHASE_OFF: u8 = 0;
const PHASE_MARK: u8 = 1;
static PHASE: AtomicU8 = AtomicU8::new(PHASE_OFF);
/// Cycles started (a cycle counts as completed in NUM_GC when its mark
/// termination is over).
static CYCLES: AtomicU32 = AtomicU32::new(0);
/// GORT_GC=stw: run each whole collection with the world stopped (the
/// collector gort had before it marked concurrently; kept for comparison).
static STW_MODE: AtomicBool = AtomicBool::new(false);
/// GORT_GCCHECKMARK=1: at mark termination, mark again from scratch with
/// the world stopped and throw if it finds an object the concurrent
/// marking missed (a missing write barrier).
static CHECKMARK: AtomicBool = AtomicBool::new(false);

/// GORT_GCCHECKMARK=1 is on.
pub fn checkmark_enabled() -> bool {
    CHECKMARK.load(Ordering::Relaxed)
}
/// The data and bss segments are still to be scanned this cycle.
static GLOBALS_PENDING: AtomicBool = AtomicBool::new(false);
/// Threads scanning grey objects right now (workers and assists).
static MARKERS: AtomicUsize = AtomicUsize::new(0);
/// Heap bytes the next collection starts at (its goal is TRIGGER's
/// `malloc::TRIGGER` counterpart for allocation: see set_trigger).
static GOAL: AtomicUsize = AtomicUsize::new(HEAP_MINIMUM);
/// Bytes this cycle expects to scan, and its heap goal (set when it
/// starts).
static EXPECT_SCAN: AtomicUsize = AtomicUsize::new(0);
static CYCLE_GOAL: AtomicUsize = AtomicUsize::new(0);

/// Bytes of scanning owed per byte allocated now: what is left to scan
/// over what is left before the goal (so that marking ends by then; past
/// the goal, an assist scans whatever it can find).
fn assist_ratio() -> f64 {
    let left_scan = EXPECT_SCAN.load(Ordering::Relaxed).saturating_sub(mark::SCANNED.load(Ordering::Relaxed)).max(256 << 10);
    let left_heap = CYCLE_GOAL.load(Ordering::Relaxed).saturating_sub(HEAP_LIVE.load(Ordering::Relaxed)).max(64 << 10);
    left_scan as f64 / left_heap as f64
}
/// Timestamps of the cycle under way (gctrace, pauses).
static T_START: AtomicI64 = AtomicI64::new(0);
static T_STW1: AtomicI64 = AtomicI64::new(0);
static HEAP_AT_START: AtomicUsize = AtomicUsize::new(0);

pub fn init() {
    static FORCEGC: fn(i64) = background::sysmon_forcegc;
    sched::sysmon::SYSMON_FORCEGC.set(&FORCEGC);
    static IDLE: fn() -> bool = idle_mark;
    sched::schedule::IDLE_MARK.set(&IDLE);
    static PREEMPT: fn() = preempt_scan;
    sched::schedule::PREEMPT_SCAN.set(&PREEMPT);
    START_NS.store(crate::time::nanotime(), Ordering::Relaxed);
    // Upstream's GODEBUG settings, and gort's own names for the same
    // things (GORT_GCCHECKMARK gccheckmark, GORT_GC=stw gcstoptheworld).
    // GORT_GCPOISON is not clobberfree: it keeps the garbage it poisons.
    use crate::settings::godebug_at_start;
    if godebug_at_start(b"gctrace") > 0 {
        GCTRACE.store(true, Ordering::Relaxed);
    }
    if godebug_at_start(b"clobberfree") > 0 {
        heap::sweep::CLOBBER.store(true, Ordering::Relaxed);
    }
    if crate::env::getenv(b"GORT_GCPOISON").is_some() {
        heap::sweep::POISON.store(true, Ordering::Relaxed);
    }
    if crate::env::getenv(b"GORT_GCDEBUG").is_some() {
        mark::DEBUG.store(true, Ordering::Relaxed);
    }
    if crate::env::getenv(b"GORT_GCCHECKMARK").is_some_and(|v| v == b"1") || godebug_at_start(b"gccheckmark") > 0 {
        CHECKMARK.store(true, Ordering::Relaxed);
    }
    match crate::env::getenv(b"GORT_GC") {
        None | Some(b"concurrent") => {}
        Some(b"stw") => STW_MODE.store(true, Ordering::Relaxed),
        Some(_) => crate::fatal::throw("GORT_GC: want 'concurrent' or 'stw'"),
    }
    if godebug_at_start(b"gcstoptheworld") > 0 {
        STW_MODE.store(true, Ordering::Relaxed);
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

/// Recompute the goal and the trigger from what survived. The goal is
/// GOGC percent over the survivors (at least 4 MB scaled by GOGC), capped
/// by the memory limit; concurrent marking starts when 7/8 of the way
/// from the survivors to the goal has been allocated, so that it can
/// finish (with assists' help) before the goal.
fn set_trigger(marked: usize) {
    let pct = gcpercent();
    let limit = crate::settings::memory_limit();
    let mut goal = PACER.with(|p| p.goal(marked, pct));
    if limit >= 0 && (limit as u64) < u64::MAX >> 1 {
        // Leave room for what the runtime uses outside the heap.
        let cap = (limit as usize).saturating_sub(crate::stack::stack_inuse()).max(marked + (marked >> 5) + (1 << 20));
        goal = goal.min(cap);
    }
    GOAL.store(goal, Ordering::Relaxed);
    heap::set_retain_goal(goal);
    // (The pacer's trigger is the goal itself when there is no goal, or
    // when what survived already reaches it.)
    let trigger = if STW_MODE.load(Ordering::Relaxed) { goal } else { PACER.with(|p| p.trigger(marked, goal)) };
    TRIGGER.store(trigger, Ordering::Relaxed);
}

/// The heap goal (MemStats.NextGC).
pub fn next_gc() -> usize {
    GOAL.load(Ordering::Relaxed)
}

/// Is a concurrent mark under way?
pub fn marking() -> bool {
    PHASE.load(Ordering::Acquire) == PHASE_MARK
}

/// What the hook rtcall runs before returning to Go code asks of the
/// goroutine (the Go side's hook* constants).
pub const HOOK_NONE: u8 = 0;
/// Start a collection (the heap reached the trigger).
pub const HOOK_COLLECT: u8 = 1;
/// Help the collector mark: this goroutine allocated on credit.
pub const HOOK_ASSIST: u8 = 2;
/// Yield: a preemption request is pending (the trampolines of leaf entry
/// points run the hook for it too).
pub const HOOK_PREEMPT: u8 = 3;

/// The hook rtcall runs before returning to Go code (with the calling
/// trampoline's frame still on the stack): what the goroutine should do
/// now (a HOOK_* value).
pub fn rt_hookWanted() -> u8 {
    let mp = crate::gm::getm();
    // SAFETY: mp is the current m, on behalf of its goroutine.
    unsafe {
        let h = (*mp).rtcallHook;
        let gp = (*mp).curg;
        let preempt = !gp.is_null() && (*gp).preempt;
        if h & (HOOK_GC | HOOK_ASSIST_BIT) == 0 && !preempt {
            return HOOK_NONE;
        }
        // Only a goroutine running normally with its P can stop the world
        // or mark (not one entering or leaving a system call): the request
        // waits for the next return from Rust.
        if (*mp).p == 0 || gp.is_null() || crate::gm::readgstatus(gp) != crate::gm::G_RUNNING {
            return HOOK_NONE;
        }
        // Nor one the scheduler could not preempt (sched::schedule::can_preempt_m),
        // nor one dying. Among those: one about to park with a lock that its
        // park commit releases (m.waitunlockf), which collecting would park
        // in between (worldsema) and lose the commit, with the lock held;
        // one holding runtime locks or pinned to its P (sync.Pool); one
        // holding worldsema (m.preemptoff; sched/sema.rs), whose collection
        // would wait for itself and whose assist may park while the end of
        // the cycle waits for it (upstream's holders do not assist either).
        // The request is dropped (left set, it would fire again on this
        // call's own return, and again, forever): the next allocation past
        // the trigger asks again.
        (*mp).rtcallHook = 0;
        if !sched::schedule::can_preempt_m(mp) || (*mp).dying != 0 {
            return HOOK_NONE;
        }
        if h & HOOK_GC != 0 && !marking() && should_collect() {
            return HOOK_COLLECT;
        }
        if h & HOOK_ASSIST_BIT != 0 && marking() {
            return HOOK_ASSIST;
        }
        if preempt && sched::schedule::can_preempt_m(mp) {
            return HOOK_PREEMPT;
        }
        HOOK_NONE
    }
}

fn should_collect() -> bool {
    let stress = STRESS.load(Ordering::Relaxed);
    stress > 0 || HEAP_LIVE.load(Ordering::Relaxed) >= TRIGGER.load(Ordering::Relaxed)
}

/// Why a collection runs (the Go side's gcTrigger kinds).
pub const TRIGGER_HEAP: u8 = 0;
/// runtime.GC: cycle number n must have started.
pub const TRIGGER_USER: u8 = 1;
/// No collection for FORCEGC_PERIOD (the forced-GC goroutine).
pub const TRIGGER_TIME: u8 = 2;

/// Collect at least this often (when any collection ran before), as upstream.
/// (A variable: the runtime's tests shorten it through their hook.)
pub static FORCEGC_PERIOD: AtomicI64 = AtomicI64::new(2 * 60 * 1_000_000_000);
static LAST_GC_MONO: AtomicI64 = AtomicI64::new(0);

/// For sysmon: is a periodic collection due?
pub fn time_trigger_due(now: i64) -> bool {
    let last = LAST_GC_MONO.load(Ordering::Relaxed);
    gcpercent() >= 0 && last != 0 && now - last > FORCEGC_PERIOD.load(Ordering::Relaxed) && !marking()
}

/// Cycles started so far (runtime.GC waits for the one under way, then
/// starts the next).
pub fn rt_gcCycles() -> u32 {
    CYCLES.load(Ordering::Acquire)
}

/// Start a collection (from the Go side, holding worldsema) for trigger
/// `kind` (for TRIGGER_USER: unless cycle `n` already started); heap and
/// time triggers start one only if still due. With the world stopped:
/// finish sweeping, empty sync.Pool's caches, mark the roots (every
/// goroutine stack, the runtime's own tables), turn the write barrier on;
/// then the world restarts and the mark workers take over. Under
/// GORT_GC=stw, the whole collection runs in this one pause.
pub fn rt_gcStart(kind: u8, n: u32) {
    start(kind, n, STW_MODE.load(Ordering::Relaxed));
}

/// A whole collection now, with the world stopped throughout (the runtime
/// tests' hooks, which hold worldsema): a cycle marking concurrently is
/// finished first.
pub fn collect_stopped() {
    if marking() {
        rt_gcMarkDone();
    }
    start(TRIGGER_USER, CYCLES.load(Ordering::Relaxed) + 1, true);
}

fn start(kind: u8, n: u32, stw: bool) {
    // Sweep what the last cycle left before stopping the world (the
    // caller is a goroutine: others keep running meanwhile).
    heap::sweep::finish();
    GC_LOCK.lock();
    let due = !marking()
        && match kind {
            TRIGGER_USER => CYCLES.load(Ordering::Relaxed) < n,
            TRIGGER_TIME => time_trigger_due(crate::time::nanotime()),
            TRIGGER_HEAP => should_collect(),
            _ => false,
        };
    if !due {
        GC_LOCK.unlock();
        return;
    }
    if kind == TRIGGER_TIME && GCTRACE.load(Ordering::Relaxed) {
        crate::gprint!(b"GC forced\n");
    }
    if kind == TRIGGER_USER {
        NUM_FORCED_GC.fetch_add(1, Ordering::Relaxed);
    }
    CYCLE_FORCED.store(kind == TRIGGER_USER || stw, Ordering::Relaxed);
    // No preemption while the world is stopped by us.
    crate::gm::acquirem();
    let t0 = crate::time::nanotime();
    sched::stw::stop_the_world_for(sched::stats::StwReason::GcSweepTerm);
    crate::tracehook::event(crate::tracehook::Ev::GcBegin);
    HEAP_AT_START.store(HEAP_LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    T_START.store(t0, Ordering::Relaxed);
    start_marking();
    if stw {
        let t1 = crate::time::nanotime();
        T_STW1.store(t1 - t0, Ordering::Relaxed);
        finish_cycle(t1);
    } else {
        let t1 = sched::stw::start_the_world();
        T_STW1.store(t1 - t0, Ordering::Relaxed);
        crate::gm::releasem();
        GC_LOCK.unlock();
        workers::wake_for_cycle();
    }
}

/// With the world stopped: everything a cycle does before the program may
/// run again.
fn start_marking() {
    // Normally a no-op: the caller swept before stopping the world.
    heap::sweep::finish();
    pools::clear_pools();
    for md in crate::types::modules() {
        // SAFETY: the world is stopped, GC_LOCK held: the masks are built
        // here, and only read while this cycle marks.
        unsafe { crate::globals::module_masks(md) };
    }
    mark::SCANNED.store(0, Ordering::Relaxed);
    mark::STACK_SCANNED.store(0, Ordering::Relaxed);
    crate::wb::take_marked();
    for i in 0..sched::gomaxprocs() as usize {
        // SAFETY: Ps below gomaxprocs are live; the world is stopped.
        malloc::forget_tiny(unsafe { (*sched::allp(i)).mcache });
    }
    workers::cycle_started();
    assist::cycle_started();
    // Goroutine stacks are scanned while the program runs (stacks.rs).
    stacks::prepare();
    let mut m = mark::Marker::new();
    m.mark_runtime_roots();
    m.publish();
    m.free();
    GLOBALS_PENDING.store(true, Ordering::Release);
    // What this cycle expects to scan (what the last one found live) and
    // its goal, for assists and gctrace.
    EXPECT_SCAN.store(HEAP_MARKED.load(Ordering::Relaxed).max(1 << 20), Ordering::Relaxed);
    CYCLE_GOAL.store(GOAL.load(Ordering::Relaxed), Ordering::Relaxed);
    CYCLES.fetch_add(1, Ordering::Release);
    PHASE.store(PHASE_MARK, Ordering::Release);
    crate::wb::set_enabled(true);
}

/// The pointer masks of a module's data and bss segments, for the heap
/// dump (built now if no collection has yet; taken with GC_LOCK, which
/// serialises their construction).
pub fn module_masks(md: &crate::layout::rt::moduledata) -> (&'static crate::gcprog::Mask, &'static crate::gcprog::Mask) {
    GC_LOCK.lock();
    // SAFETY: GC_LOCK is held.
    let r = unsafe { crate::globals::module_masks(md) };
    GC_LOCK.unlock();
    r
}

/// Scan the globals if nobody has yet this cycle.
fn claim_globals(m: &mut mark::Marker) {
    if GLOBALS_PENDING.swap(false, Ordering::AcqRel) {
        m.mark_globals();
    }
}

/// A mark worker's turn (from the Go side, gcBgMarkWorker): scan grey
/// objects for about a millisecond. Returns MARK_MORE (call again after
/// yielding if asked to), MARK_IDLE (nothing to scan now, other markers
/// are busy: sleep a little), MARK_DONE (no grey object anywhere: finish the
/// cycle, rt_gcMarkDone), MARK_OVER (the cycle is over) or MARK_REST (a
/// fractional worker ahead of its share: sleep a little, then call again).
pub fn rt_gcMarkWork() -> u8 {
    if !marking() {
        return MARK_OVER;
    }
    // Under simulated time (faketime) the clock stands still: a share of
    // its time means nothing, and a worker that slept on a timer would
    // make the clock jump when the program's goroutines all wait (the
    // program would see the collector's naps): the worker marks as a
    // dedicated one, and yields rather than sleeps (asm/runtime/mgc.go).
    let fractional = workers::is_fractional(crate::gm::curg()) && crate::faketime::now() == 0;
    if fractional && workers::fraction_used(mark_start()) {
        let idle = MARKERS.load(Ordering::Acquire) == 0 && !marking_unfinished();
        return if idle { MARK_DONE } else { MARK_REST };
    }
    crate::tracehook::event(crate::tracehook::Ev::MarkWorker(fractional));
    let (more, others, ns) = marker_turn(|m, t0| {
        claim_globals(m);
        let mut turn = TurnClock::start(t0);
        let mut turn_over = || stw_pending() || turn.over();
        stacks::scan_some(m, &mut turn_over);
        assist::drain_paying(m, turn_over)
    });
    add_time(&WORKER_NS, &WORKER_NS_TOTAL, ns);
    if fractional {
        workers::note_fractional(ns);
    }
    if more || stacks::untaken() {
        MARK_MORE
    } else if others > 0 || crate::wb::queue_len() > 0 || stacks::running_unscanned() {
        MARK_IDLE
    } else {
        MARK_DONE
    }
}

/// When the cycle under way started marking concurrently (its first pause
/// ended).
pub(super) fn mark_start() -> i64 {
    T_START.load(Ordering::Relaxed) + T_STW1.load(Ordering::Relaxed)
}

/// Is there marking work no marker holds: grey objects in the shared
/// queue, goroutines not yet taken for scanning, or the globals?
pub(super) fn work_queued() -> bool {
    crate::wb::queue_len() > 0 || stacks::untaken() || GLOBALS_PENDING.load(Ordering::Acquire)
}

/// Is marking unfinished apart from what markers hold now: work queued, or
/// a running goroutine's stack still to scan once it yields?
pub(super) fn marking_unfinished() -> bool {
    work_queued() || stacks::running_unscanned()
}

/// A P with nothing to run while the collector marks: scan for up to a
/// millisecond, or until a goroutine is runnable or the world is to stop
/// (find_runnable, on the M's system stack, holding the P).
fn idle_mark() -> bool {
    if !marking() || STW_MODE.load(Ordering::Relaxed) || !work_queued() {
        return false;
    }
    let pp = sched::curp();
    let s = sched::sched();
    let ((), _, ns) = marker_turn(|m, t0| {
        claim_globals(m);
        let mut turn = TurnClock::start(t0);
        let mut stop = || {
            stw_pending()
                || s.runqsize.load(Ordering::Relaxed) != 0
                || !sched::runq::runq_empty(pp)
                || turn.over()
        };
        stacks::scan_some(m, &mut stop);
        assist::drain_paying(m, stop);
    });
    add_time(&WORKER_NS, &WORKER_NS_TOTAL, ns);
    add_time(&IDLE_NS, &IDLE_NS_TOTAL, ns);
    true
}

/// A background marker's turn lasts about a millisecond; it is asked
/// whether its time is up every 32 objects (and after each goroutine), but
/// reads the clock only at every 16th ask: a read (tens of ns) is worth
/// sparing next to scanning 32 small objects.
struct TurnClock {
    t0: i64,
    asks: u32,
}

impl TurnClock {
    const LENGTH_NS: i64 = 1_000_000;
    const ASKS_PER_READ: u32 = 16;

    fn start(t0: i64) -> TurnClock {
        TurnClock { t0, asks: 0 }
    }

    fn over(&mut self) -> bool {
        self.asks += 1;
        self.asks.is_multiple_of(Self::ASKS_PER_READ) && crate::time::nanotime() - self.t0 > Self::LENGTH_NS
    }
}

/// One turn of a concurrent marker (worker, assist, idle P, a goroutine
/// scanning itself at a preemption): counted in MARKERS while it holds
/// grey objects of its own (marking is not over meanwhile), `f` marks with
/// a fresh Marker (and the turn's start time), whose finds are then
/// published. Returns f's result, how many other markers are still at
/// work, and the turn's length in ns.
fn marker_turn<R>(f: impl FnOnce(&mut mark::Marker, i64) -> R) -> (R, usize, u64) {
    MARKERS.fetch_add(1, Ordering::AcqRel);
    let t0 = crate::time::nanotime();
    let mut m = mark::Marker::new();
    let r = f(&mut m, t0);
    m.publish();
    m.free();
    let others = MARKERS.fetch_sub(1, Ordering::AcqRel) - 1;
    (r, others, (crate::time::nanotime() - t0) as u64)
}

/// Add a turn's time to a per-cycle counter and its running total.
fn add_time(cycle: &AtomicU64, total: &AtomicU64, ns: u64) {
    cycle.fetch_add(ns, Ordering::Relaxed);
    total.fetch_add(ns, Ordering::Relaxed);
}

/// A goroutine stopping at a preemption request, on its M's system stack
/// (sched::schedule::PREEMPT_SCAN): while the collector marks, one whose
/// stack is still unscanned scans it now. Markers do not claim a running
/// goroutine; they ask it to yield (stacks.rs), and one that yields with
/// nothing else to run would run again at once, before a marker came
/// back for it.
fn preempt_scan() {
    if !marking() || !stacks::self_unscanned() {
        return;
    }
    let (_, _, ns) = marker_turn(|m, _| stacks::scan_self(m));
    // The goroutine's own time, as an assist's.
    add_time(&ASSIST_NS, &ASSIST_NS_TOTAL, ns);
}

pub const MARK_MORE: u8 = 0;
pub const MARK_IDLE: u8 = 1;
pub const MARK_REST: u8 = 4;
pub const MARK_DONE: u8 = 2;
pub const MARK_OVER: u8 = 3;

/// Is a stop of the world waiting for this goroutine? (Markers then
/// return to Go code, where it can stop.)
fn stw_pending() -> bool {
    sched::sched().gcwaiting.load(Ordering::Relaxed)
}

/// Processor time spent by mark workers and assists this cycle (gctrace).
static WORKER_NS: AtomicU64 = AtomicU64::new(0);
static ASSIST_NS: AtomicU64 = AtomicU64::new(0);
/// The part of WORKER_NS idle processors marked (the pacer), and the same
/// since the start.
static IDLE_NS: AtomicU64 = AtomicU64::new(0);
static IDLE_NS_TOTAL: AtomicU64 = AtomicU64::new(0);
/// The same since the start (runtime/metrics' /cpu/classes/gc/mark/*).
static WORKER_NS_TOTAL: AtomicU64 = AtomicU64::new(0);
static ASSIST_NS_TOTAL: AtomicU64 = AtomicU64::new(0);

/// Processor time of marking outside the pauses since the start, in ns:
/// assists (goroutines that allocated during a cycle), the mark workers
/// (a quarter of GOMAXPROCS: upstream's dedicated workers), and idle
/// processors.
pub fn mark_cpu_ns() -> (u64, u64, u64) {
    let idle = IDLE_NS_TOTAL.load(Ordering::Relaxed);
    (ASSIST_NS_TOTAL.load(Ordering::Relaxed), WORKER_NS_TOTAL.load(Ordering::Relaxed).saturating_sub(idle), idle)
}

/// Mark termination (from a mark worker that found no grey object left,
/// holding worldsema): stop the world, shade what the write-barrier buffers
/// hold and scan until nothing is grey, queue the finalizers of
/// unreachable objects, turn the barrier off, and make every span
/// unswept; then restart the world.
pub fn rt_gcMarkDone() {
    GC_LOCK.lock();
    if !marking() {
        GC_LOCK.unlock();
        return;
    }
    crate::gm::acquirem();
    let t1 = crate::time::nanotime();
    sched::stw::stop_the_world_for(sched::stats::StwReason::GcMarkTerm);
    finish_cycle(t1);
}

/// The end of a cycle, with the world stopped by us (GC_LOCK held,
/// acquirem'd); restarts the world. `t_mark_end`: when concurrent marking
/// ended (the pause began).
fn finish_cycle(t_mark_end: i64) {
    let mut m = mark::Marker::new();
    let mut mp = sched::mthread::allm();
    while !mp.is_null() {
        // SAFETY: the world is stopped; mp is on the list of live ms.
        unsafe {
            crate::wb::drain_buffer(mp);
            mp = (*mp).alllink;
        }
    }
    stacks::scan_rest(&mut m);
    claim_globals(&mut m);
    m.drain();
    finalizer::mark_finalizers(&mut m);
    m.drain();
    m.free();
    SCAN_HEAP.store(mark::SCANNED.load(Ordering::Relaxed), Ordering::Relaxed);
    SCAN_STACK.store(mark::STACK_SCANNED.load(Ordering::Relaxed), Ordering::Relaxed);
    if CHECKMARK.load(Ordering::Relaxed) {
        let marked = crate::wb::take_marked();
        checkmark();
        crate::wb::set_marked(marked);
    }
    if let Some(after_mark) = AFTER_MARK.get() {
        after_mark();
    }
    crate::wb::set_enabled(false);
    PHASE.store(PHASE_OFF, Ordering::Release);
    crate::wb::queue_release();
    let peak = HEAP_LIVE.load(Ordering::Relaxed);
    for i in 0..sched::gomaxprocs() as usize {
        // SAFETY: Ps below gomaxprocs are live.
        unsafe { malloc::release_all((*sched::allp(i)).mcache) };
    }
    let marked = crate::wb::take_marked();
    // SAFETY: the world is stopped (and GC_LOCK held).
    unsafe {
        heap::sweep::prepare();
        if CHECKMARK.load(Ordering::Relaxed) {
            heap::sweep::verify_prepared();
        }
    }
    HEAP_MARKED.store(marked, Ordering::Relaxed);
    HEAP_LIVE.store(marked, Ordering::Relaxed);
    let idle = IDLE_NS.swap(0, Ordering::Relaxed);
    let cycle = pacer::Cycle {
        live_at_start: HEAP_AT_START.load(Ordering::Relaxed),
        live_at_end: peak,
        heap_scan: mark::SCANNED.load(Ordering::Relaxed),
        stack_scan: mark::STACK_SCANNED.load(Ordering::Relaxed),
        globals_scan: crate::types::globals_size(),
        mark_ns: t_mark_end - mark_start(),
        procs: sched::gomaxprocs().max(1) as u32,
        worker_ns: WORKER_NS.load(Ordering::Relaxed).saturating_sub(idle),
        assist_ns: ASSIST_NS.load(Ordering::Relaxed),
        idle_ns: idle,
    };
    let concurrent = !STW_MODE.load(Ordering::Relaxed) && !CYCLE_FORCED.load(Ordering::Relaxed);
    PACER.with(|p| p.end_cycle(&cycle, concurrent));
    set_trigger(marked);
    // Later allocations and frees count toward the next memory-profile
    // cycle; the one that just ended is published once the world runs.
    crate::mprof::next_cycle();
    crate::tracehook::event(crate::tracehook::Ev::GcEnd);
    let t3 = crate::time::nanotime();
    let t4 = sched::stw::start_the_world();
    crate::gm::releasem();
    crate::mprof::flush();
    let n = NUM_GC.fetch_add(1, Ordering::Relaxed) + 1;
    LAST_GC_MONO.store(t4, Ordering::Relaxed);
    let stw1 = T_STW1.load(Ordering::Relaxed);
    let stw2 = t4 - t_mark_end;
    let pause = (stw1 + stw2) as u64;
    let procs = sched::gomaxprocs().max(1) as u64;
    // Idle processors' marking is left out of the collector's share, as
    // upstream leaves it out of GCCPUFraction (nothing else wanted them).
    let mark_cpu = WORKER_NS.swap(0, Ordering::Relaxed).saturating_sub(idle) + ASSIST_NS.load(Ordering::Relaxed);
    let cpu = GC_CPU_NS.fetch_add(pause * procs + mark_cpu, Ordering::Relaxed) + pause * procs + mark_cpu;
    let total = ((t4 - START_NS.load(Ordering::Relaxed)).max(1) as u64) * procs;
    GC_CPU_FRACTION.store((cpu as f64 / total as f64).min(1.0).to_bits(), Ordering::Relaxed);
    let unix_ns = crate::time::unix_nanos() as u64;
    HISTORY.with(|h| {
        h.num_gc = n;
        h.num_forced_gc = NUM_FORCED_GC.load(Ordering::Relaxed);
        h.pause_total_ns += pause;
        h.last_gc = unix_ns;
        h.pause_ns[(n as usize + 255) % 256] = pause;
        h.pause_end[(n as usize + 255) % 256] = unix_ns;
    });
    GC_LOCK.unlock();
    let assist_ns = ASSIST_NS.swap(0, Ordering::Relaxed) as i64;
    if GCTRACE.load(Ordering::Relaxed) {
        let t0 = T_START.load(Ordering::Relaxed);
        let mark = (t_mark_end - t0 - stw1).max(0);
        trace_line(n, t0, [stw1, mark, t3 - t_mark_end], assist_ns, mark_cpu as i64 - assist_ns, idle as i64, peak);
    }
    // Goroutines waiting in runtime.GC for this cycle; then the sweeper,
    // then the finalizer goroutine: the last readied runs next on this P
    // (a finalizer queued by this collection then runs before the
    // collector's caller resumes, as upstream's does), where it is not
    // stolen at once by an idle thread as a queued one would be.
    assist::release_all();
    workers::wake_waiters();
    background::wake_sweeper();
    finalizer::wake_runner();
}

/// runtime.GC, having swept everything after cycle `n`: the memory
/// profile's frees of that cycle are all known; publish them, unless a
/// later mark termination came meanwhile (its own publication then
/// covers them).
pub fn rt_mProfPostSweep(n: u32) {
    let c = CYCLES.load(Ordering::Acquire);
    if c == n || (marking() && c == n + 1) {
        crate::mprof::post_sweep();
    }
}

/// GORT_GCCHECKMARK: mark everything again from scratch (world stopped)
/// and check that the concurrent marks cover it.
fn checkmark() {
    // SAFETY: the world is stopped (mark termination).
    unsafe { checkmark_save() };
    mark::CHECKING.store(true, Ordering::Relaxed);
    let mut m = mark::Marker::new();
    m.mark_roots();
    m.drain();
    m.free();
    mark::CHECKING.store(false, Ordering::Relaxed);
    // SAFETY: as above; no span came or went since the save.
    unsafe { checkmark_compare_restore() };
}

/// The concurrent marks, saved while checkmark re-marks: every span's
/// bits in for_each_span's order, and (span, offset) sorted by span.
struct CheckSaved {
    bits: crate::pvec::PVec<u64>,
    index: crate::pvec::PVec<(usize, usize)>,
}

static CHECK_SAVED: crate::global::Global<CheckSaved> = crate::global::Global::new(CheckSaved {
    bits: crate::pvec::PVec::mapped(crate::sysstat::Stat::Gc),
    index: crate::pvec::PVec::mapped(crate::sysstat::Stat::Gc),
});

/// # Safety
/// The world is stopped.
unsafe fn checkmark_save() {
    // SAFETY: only checkmark uses CHECK_SAVED, with the world stopped.
    let cs = unsafe { CHECK_SAVED.get() };
    // SAFETY: the world is stopped.
    unsafe {
        heap::for_each_span(|s| {
            cs.index.push((s as usize, cs.bits.len()));
            for w in 0..(*s).nelems.div_ceil(64) {
                cs.bits.push(*(*s).gcmarkbits.add(w));
                *(*s).gcmarkbits.add(w) = 0;
            }
        })
    };
    cs.index.as_mut_slice().sort_unstable_by_key(|e| e.0);
}

/// Checkmark: did the concurrent marking mark object idx of span s?
pub(crate) fn checkmark_was_marked(s: *mut heap::Mspan, idx: usize) -> bool {
    // SAFETY: called while checkmark runs (world stopped).
    let cs = unsafe { CHECK_SAVED.get_ref() };
    let ix = cs.index.as_slice();
    match ix.binary_search_by_key(&(s as usize), |e| e.0) {
        Ok(k) => cs.bits.get(ix[k].1 + idx / 64) >> (idx % 64) & 1 != 0,
        Err(_) => true,
    }
}

/// # Safety
/// The world is stopped; checkmark_save ran in this pause.
unsafe fn checkmark_compare_restore() {
    // SAFETY: as for checkmark_save.
    let cs = unsafe { CHECK_SAVED.get() };
    let mut i = 0;
    let mut bad = 0;
    // SAFETY: the caller's contract.
    unsafe {
        heap::for_each_span(|s| {
            for w in 0..(*s).nelems.div_ceil(64) {
                let was = cs.bits.get(i);
                let now = *(*s).gcmarkbits.add(w);
                if now & !was != 0 {
                    bad += 1;
                }
                *(*s).gcmarkbits.add(w) = was | now;
                i += 1;
            }
        })
    };
    cs.bits.free();
    cs.index.free();
    if bad > 0 {
        crate::fatal::throw("checkmark found unmarked object");
    }
}

/// gctrace's line, in upstream's format: the two pauses and the
/// concurrent mark between them; the mark's processor time split into
/// assists and background workers.
fn trace_line(n: u32, t0: i64, clock: [i64; 3], assist: i64, bg: i64, idle: i64, peak: usize) {
    let since = (t0 - START_NS.load(Ordering::Relaxed)).max(0);
    let mb = |b: usize| b >> 20;
    let marked = HEAP_MARKED.load(Ordering::Relaxed);
    let ms = |ns: i64| ns as f64 / 1e6;
    let procs = sched::gomaxprocs().max(1) as i64;
    let frac = {
        let total = (since + clock.iter().sum::<i64>()).max(1) * procs;
        (GC_CPU_NS.load(Ordering::Relaxed) as f64 * 100.0 / total as f64 + 0.5) as i64
    };
    let before = HEAP_AT_START.load(Ordering::Relaxed);
    let mut w = crate::fatal::Stderr;
    let _ = core::fmt::Write::write_fmt(
        &mut w,
        format_args!(
            "gc {} @{:.3}s {}%: {:.3}+{:.3}+{:.3} ms clock, {:.3}+{:.3}/{:.3}/{:.3}+{:.3} ms cpu, {}->{}->{} MB, {} MB goal, {} MB stacks, {} MB globals, {} P\n",
            n,
            since as f64 / 1e9,
            frac,
            ms(clock[0]),
            ms(clock[1]),
            ms(clock[2]),
            ms(clock[0] * procs),
            ms(assist),
            ms(bg.max(0)),
            ms(idle),
            ms(clock[2] * procs),
            mb(before),
            mb(peak),
            mb(marked),
            mb(CYCLE_GOAL.load(Ordering::Relaxed).min(usize::MAX >> 1)),
            mb(crate::stack::stack_inuse()),
            mb(crate::types::globals_size()),
            procs
        ),
    );
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
