//! The scheduler: G (goroutine), M (OS thread), P (the right to run Go code),
//! in upstream's vocabulary and with upstream's policies.
//!
//! Ownership and invariants:
//!   - A G runs only on an M that holds a P. `m.curg` is the G an M runs;
//!     `g.m` is the M running a G (null when it is not running).
//!   - GOMAXPROCS Ps exist (`ALLP[..gomaxprocs]`). A P is idle (on the idle
//!     list, under `SCHED.lock`), running (held by an M), in a system call
//!     (its M is in the kernel; sysmon may take the P away), stopped for a
//!     stop-the-world, or dead (beyond gomaxprocs).
//!   - Runnable Gs wait on a P's local run queue (a 256-slot lock-free ring
//!     plus the `runnext` slot; only the owner puts, anyone may steal) or on
//!     the global run queue (under `SCHED.lock`).
//!   - Ms are pthreads (`mthread.rs`), each with its g0 on the thread's own stack
//!     and an alternate signal stack. An M with nothing to do parks on its
//!     `m.park` note in the idle M list; at most one M blocks in the
//!     network poller, with a timeout for the earliest timer.
//!   - Every switch from a goroutine to the scheduler goes through mcall (the
//!     goroutine's context saved in g.sched, then gort_mcall runs on g0), and
//!     every switch to a goroutine through gogo. The Rust frames on g0 below
//!     `schedule` are abandoned at each gogo, so they must own nothing.
//!   - Dead Gs keep their stack and go on a free list for reuse.
//!
//! Submodules: `runq` (run queues and stealing), `mthread` (threads, idle lists,
//! hand-offs, locked threads), `schedule` (finding work and switching,
//! preemption requests), `mcall` (the far side of mcall), `syscall`
//! (entering and leaving system calls), `sysmon` (the monitor thread:
//! retaking Ps, schedtrace), `stw` (stopping the world, GOMAXPROCS),
//! `coro` (coroutines), `debugcall` (calls a debugger injects), `stats` (what the scheduler measures for
//! runtime/metrics), `cgo` (calls between C and Go, extra Ms for threads
//! C created), `cthread` (Ms' threads made through runtime/cgo); and the scheduler's clients in this layer:
//! `timer`, `netpoll`, `sema`, `chan`.

pub mod cgo;
mod cthread;
pub mod blockprof;
pub mod chan;
pub mod coro;
mod freecache;
mod debugcall;
mod mcall;
pub mod mthread;
pub mod netpoll;
pub mod runq;
pub mod schedule;
pub mod sema;
pub mod stats;
pub mod stw;
pub mod syscall;
pub mod sysmon;
pub mod timer;


use crate::layout::rt::{self, g};
use crate::global::Global;
use crate::lockrank::Rank;
use crate::lock::{Locked, Mutex, Note};
use crate::persistent;
use crate::stack;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering};

pub use crate::layout::rt::m;
use mthread::wakep;
use runq::runqput;
use stw::procresize;
use freecache::{FreeCache, FreeList, Linked};
use crate::gm::{allgadd, for_each_g};
pub(crate) use crate::gm::{casgstatus, curg, getm, readgstatus};
pub(crate) use crate::gm::{G_DEAD, G_IDLE, G_PREEMPTED, G_RUNNABLE, G_RUNNING, G_SYSCALL, G_WAITING};

extern "C" {
    fn gort_gogo(gp: *mut g, sp: usize, pc: usize, bp: usize, ctxt: *mut u8, ret: usize) -> !;
}

/// Switch to gp's saved context (g.sched), consuming it: everything but
/// the pc is cleared from the gobuf on the way out, so that a running
/// goroutine's gobuf holds no stale stack address or closure for anyone
/// to trust (or the collector to keep alive). Never returns; whatever the
/// current system stack holds is abandoned.
///
/// # Safety
/// gp must be the current m's goroutine (curg), marked running, with a
/// context saved by mcall, morestack, rtcall or newproc (or rewritten by a
/// recovery).
pub unsafe fn switch_to(gp: *mut g) -> ! {
    // SAFETY: per the function contract; the gobuf is gp's own.
    unsafe {
        if (*gp).stack.lo == launch_pad().lo {
            give_first_stack(gp);
        }
        let b = &mut (*gp).sched;
        let sp = core::mem::take(&mut b.sp);
        let bp = core::mem::take(&mut b.bp);
        let ctxt = core::mem::replace(&mut b.ctxt, core::ptr::null_mut());
        let ret = core::mem::take(&mut b.ret);
        gort_gogo(gp, sp, b.pc, bp, ctxt, ret)
    }
}

/// The current m's P (null when it holds none).
#[inline]
pub fn curp() -> *mut P {
    // SAFETY: the current m is live.
    unsafe { (*getm()).p as *mut P }
}

pub const P_IDLE: u32 = 0;
pub const P_RUNNING: u32 = 1;
pub const P_SYSCALL: u32 = 2;
pub const P_GCSTOP: u32 = 3;
pub const P_DEAD: u32 = 4;

/// Upper bound on GOMAXPROCS (upstream's _MaxGomaxprocs).
pub const MAX_GOMAXPROCS: usize = 1024;

pub(crate) const RUNQ_SIZE: usize = 256;

/// What sysmon last saw of a P (to notice a G running, or a system call
/// lasting, for a whole sysmon period): the ticks, and when it saw them
/// change.
#[repr(C)]
pub struct SysmonTick {
    pub schedtick: u32,
    pub syscalltick: u32,
    pub schedwhen: i64,
    pub syscallwhen: i64,
}

/// A processor: the resources needed to run Go code.
#[repr(C)]
pub struct P {
    /// The P's number (0..gomaxprocs). First: the Go side's procPin reads
    /// it through m.p (asm/runtime/linkname.go).
    pub id: i32,
    /// This P's allocation cache (second: the heap finds it through m.p
    /// as crate::heap::PCache).
    pub mcache: *mut crate::heap::Mcache,
    /// The race detector's processor context for this P (race builds: made
    /// with the P; TSan asks for it through proc/race.rs's callback).
    pub raceprocctx: usize,
    /// The race context timer functions run in on this P (race builds:
    /// made at the first one; src/sched/timer.rs run_one).
    pub racetimerctx: usize,
    /// P_IDLE, P_RUNNING, P_SYSCALL, P_GCSTOP or P_DEAD. Changed by its M,
    /// by sysmon (retaking a P from a system call: CAS from P_SYSCALL) and
    /// by stop-the-world; read by anyone.
    pub status: AtomicU32,
    /// Next P on the idle list (or on procresize's list of Ps with work);
    /// under sched.lock.
    pub link: *mut P,
    /// The M holding this P (null when idle or in a system call). Written
    /// by acquirep/releasep on that M, read racily by sysmon and
    /// preemption requests (Ms are never freed).
    pub m: *mut m,
    /// Incremented on every scheduler call (every new time slice).
    pub schedtick: u32,
    /// Incremented on every system call.
    pub syscalltick: u32,
    /// Goroutines parked here in sync.Mutex or RWMutex (wrapping: one in
    /// eight is timed, src/sched/stats.rs note_waiting).
    pub mutex_waits: u8,
    /// What sysmon saw at its last look (sysmon's own).
    pub sysmontick: SysmonTick,
    /// Set when the P should enter the scheduler as soon as possible.
    pub preempt: bool,
    /// The local run queue: a ring of RUNQ_SIZE Gs between head (consumers
    /// CAS it: the owner and thieves) and tail (only the owner stores it).
    pub(crate) runq_head: AtomicU32,
    pub(crate) runq_tail: AtomicU32,
    pub(crate) runq: [AtomicUsize; RUNQ_SIZE],
    /// A G readied by the running G, to run next (inherits the time slice).
    pub(crate) runnext: AtomicUsize,
    /// This P's timers (crate::timer: a heap under their own lock, plus
    /// the earliest deadline and count, readable without it).
    pub timers: crate::timer::PTimers,
    /// Goroutine ids reserved for this P: the next to hand out, and the end
    /// of the batch (ids come from sched.goidgen GOID_BATCH at a time, so
    /// goroutines made on different Ps get ids from different batches, as
    /// upstream's do).
    pub goidcache: u64,
    pub goidcacheend: u64,
    /// When the P went on the idle list (0: not on it); under sched.lock
    /// (processor-time accounting, stats.rs).
    pub idle_since: i64,
    /// Free sudogs and dead goroutines (without stacks) kept by this
    /// P, in front of the global free lists (freecache.rs): channel
    /// operations that wait take and give a sudog each, go statements and
    /// exits a G, and one lock for all Ps would be contended.
    pub sudogs: FreeCache<rt::sudog, SUDOG_CACHE>,
    pub gfree: FreeCache<g, GFREE_CACHE>,
    /// Starting-size stacks for goroutines to start on (mem/stack.rs).
    pub stacks: stack::StackCache,
}

/// Sudogs and dead Gs a P keeps; it trades half of them with the global
/// list when it runs out or over.
pub const SUDOG_CACHE: usize = 32;
pub const GFREE_CACHE: usize = 64;

// The Go side and the heap read a P's first fields through m.p.
const _: () = assert!(
    core::mem::offset_of!(P, id) == core::mem::offset_of!(crate::heap::PCache, id)
        && core::mem::offset_of!(P, mcache) == core::mem::offset_of!(crate::heap::PCache, mcache)
);

/// Goroutine ids a P reserves at a time.
const GOID_BATCH: u64 = 16;

/// The next goroutine id for a goroutine made on P pp.
fn next_goid(pp: *mut P) -> u64 {
    if pp.is_null() {
        return sched().goidgen.fetch_add(1, Ordering::Relaxed) + 1;
    }
    // SAFETY: pp is the current M's P: only its owner touches the cache.
    unsafe {
        if (*pp).goidcache == (*pp).goidcacheend {
            let end = sched().goidgen.fetch_add(GOID_BATCH, Ordering::Relaxed) + GOID_BATCH;
            (*pp).goidcache = end - GOID_BATCH + 1;
            (*pp).goidcacheend = end + 1;
        }
        let id = (*pp).goidcache;
        (*pp).goidcache += 1;
        id
    }
}

impl P {
    pub fn status(&self) -> u32 {
        self.status.load(Ordering::Acquire)
    }
    pub fn set_status(&self, s: u32) {
        self.status.store(s, Ordering::Release)
    }
}

/// Global scheduler state: atomics, and the fields `lock` protects
/// (`locked()`).
pub struct Sched {
    pub lock: Mutex,
    locked: Global<SchedLocked>,
    pub npidle: AtomicI32,
    pub nmspinning: AtomicI32,
    pub needspinning: AtomicU32,
    /// Length of the global run queue (read without the lock).
    pub runqsize: AtomicI32,
    /// Dead Gs with stacks, ready for reuse (behind the Ps' caches).
    gfree: Locked<FreeList<g>>,
    pub goidgen: AtomicU64,
    // Stop the world.
    pub gcwaiting: AtomicBool,
    pub stopnote: Note,
    // Sysmon asleep (nothing to watch) and its wakeup.
    pub sysmonwait: AtomicBool,
    pub sysmonnote: Note,
    pub sysmonlock: Mutex,
    /// Time of the last network poll (0: an M is blocked polling now).
    pub lastpoll: AtomicI64,
    /// When the blocked poller will wake up on its own (0: not blocked).
    pub poll_until: AtomicI64,
}

/// The scheduler's fields under SCHED.lock.
pub struct SchedLocked {
    // Idle Ms (a list through m.schedlink) and the counts checkdead uses.
    pub midle: *mut m,
    pub nmidle: i32,
    pub nmidlelocked: i32,
    pub mnext: i64,
    pub nmsys: i32,
    pub nmfreed: i64,
    /// Idle Ps (a list through P.link).
    pub pidle: *mut P,
    // The global run queue (a list through g.schedlink).
    pub runq_head: *mut g,
    pub runq_tail: *mut g,
    /// Ps a stop-the-world still waits for.
    pub stopwait: i32,
}

// SAFETY: the lists hold runtime objects (Ms, Ps, Gs) every thread may
// use; the fields are reached only under SCHED.lock (Sched::locked).
unsafe impl Send for SchedLocked {}

/// The free list of dead Gs (through g.schedlink).
impl Linked for g {
    unsafe fn next(p: *mut g) -> *mut g {
        // SAFETY: the trait's contract.
        unsafe { (*p).schedlink as *mut g }
    }
    unsafe fn set_next(p: *mut g, next: *mut g) {
        // SAFETY: the trait's contract.
        unsafe { (*p).schedlink = next as usize };
    }
}

impl Linked for rt::sudog {
    unsafe fn next(p: *mut rt::sudog) -> *mut rt::sudog {
        // SAFETY: the trait's contract.
        unsafe { (*p).next }
    }
    unsafe fn set_next(p: *mut rt::sudog, next: *mut rt::sudog) {
        // SAFETY: the trait's contract.
        unsafe { (*p).next = next };
    }
}

impl Sched {
    /// The fields under `lock`.
    ///
    /// # Safety
    /// The current thread holds `self.lock` while it uses the reference
    /// (or the process is single-threaded), and no other reference from
    /// `locked()` is live.
    #[allow(clippy::mut_from_ref)]
    #[inline]
    pub unsafe fn locked(&self) -> &mut SchedLocked {
        // SAFETY: per the function contract.
        unsafe { self.locked.get() }
    }

    /// The locked part's address, for racy reads that take no lock.
    pub fn locked_ptr(&self) -> *const SchedLocked {
        self.locked.as_ptr()
    }
}

static SCHED: Sched = Sched {
    lock: Mutex::new(Rank::Sched),
    locked: Global::new(SchedLocked {
        midle: null_mut(),
        nmidle: 0,
        nmidlelocked: 0,
        mnext: 0,
        nmsys: 0,
        nmfreed: 0,
        pidle: null_mut(),
        runq_head: null_mut(),
        runq_tail: null_mut(),
        stopwait: 0,
    }),
    npidle: AtomicI32::new(0),
    nmspinning: AtomicI32::new(0),
    needspinning: AtomicU32::new(0),
    runqsize: AtomicI32::new(0),
    gfree: Locked::new(Rank::GFree, FreeList::new()),
    goidgen: AtomicU64::new(0),
    gcwaiting: AtomicBool::new(false),
    stopnote: Note::new(),
    sysmonwait: AtomicBool::new(false),
    sysmonnote: Note::new(),
    sysmonlock: Mutex::new(Rank::Sysmon),
    lastpoll: AtomicI64::new(0),
    poll_until: AtomicI64::new(0),
};

pub fn sched() -> &'static Sched {
    &SCHED
}

/// All Ps; entries below gomaxprocs are live. Entries are written only
/// during a stop-the-world (or startup) and never freed, so readers that
/// race with a resize see a P that exists.
static ALLP: [AtomicPtr<P>; MAX_GOMAXPROCS] = [const { AtomicPtr::new(null_mut()) }; MAX_GOMAXPROCS];
pub static GOMAXPROCS_N: AtomicI64 = AtomicI64::new(0);
pub static NCPU: AtomicI64 = AtomicI64::new(1);

pub fn gomaxprocs() -> i32 {
    GOMAXPROCS_N.load(Ordering::Acquire) as i32
}

/// Every P ever made, live or retired by GOMAXPROCS.
pub fn for_each_p(mut f: impl FnMut(*mut P)) {
    for slot in &ALLP {
        // A slot is written once (Ps are never freed).
        let pp = slot.load(Ordering::Acquire);
        if pp.is_null() {
            break;
        }
        f(pp);
    }
}

/// P number i (null if it was never made; live if i < gomaxprocs).
#[inline]
pub fn allp(i: usize) -> *mut P {
    ALLP[i].load(Ordering::Acquire)
}

/// A bit per P, readable without locks (upstream's pMask).
pub struct PMask([AtomicU64; MAX_GOMAXPROCS / 64]);

impl PMask {
    const fn new() -> PMask {
        PMask([const { AtomicU64::new(0) }; MAX_GOMAXPROCS / 64])
    }
    pub fn read(&self, id: usize) -> bool {
        self.0[id / 64].load(Ordering::Acquire) & (1 << (id % 64)) != 0
    }
    pub fn set(&self, id: usize) {
        self.0[id / 64].fetch_or(1 << (id % 64), Ordering::AcqRel);
    }
    pub fn clear(&self, id: usize) {
        self.0[id / 64].fetch_and(!(1 << (id % 64)), Ordering::AcqRel);
    }
}

/// Ps on the idle list.
pub static IDLEP_MASK: PMask = PMask::new();
/// Ps that may have timers.
pub static TIMERP_MASK: PMask = PMask::new();

/// Set once runtime.main starts: from then on new work wakes idle Ps.
pub static MAIN_STARTED: AtomicBool = AtomicBool::new(false);


/// Store to a goroutine's stackguard0 from another thread (preemption
/// requests): a plain aligned word store the goroutine's prologue reads.
#[inline]
pub fn set_stackguard0(gp: *mut g, v: usize) {
    // SAFETY: stackguard0 is an aligned word of a live G.
    unsafe { (*(core::ptr::addr_of_mut!((*gp).stackguard0) as *const AtomicUsize)).store(v, Ordering::Release) }
}

// ---- Ps ----

fn new_p(id: usize) -> *mut P {
    let pp = persistent::new::<P>();
    // SAFETY: fresh zeroed P.
    unsafe {
        (*pp).id = id as i32;
        (*pp).status = AtomicU32::new(P_GCSTOP);
        (*pp).mcache = crate::heap::new_mcache();
        core::ptr::write(core::ptr::addr_of_mut!((*pp).timers), crate::timer::PTimers::new());
        if crate::tsan::enabled() {
            (*pp).raceprocctx = crate::tsan::proc_create();
        }
    }
    pp
}

/// Startup: create the Ps for `n` = GOMAXPROCS; the current m (m0) takes
/// P0, the others go on the idle list.
pub fn procinit(n: i32) {
    let s = sched();
    s.lock.lock();
    s.lastpoll.store(crate::time::nanotime(), Ordering::Relaxed);
    let list = procresize(n);
    s.lock.unlock();
    if !list.is_null() {
        crate::fatal::throw("unknown runnable goroutine during bootstrap");
    }
}

/// Ps with nothing to run.
pub fn npidle() -> i64 {
    sched().npidle.load(Ordering::Acquire) as i64
}

// ---- goroutine creation and reuse ----

/// Size of the initial frame of a new goroutine (room for its function's
/// return address and spill slots).
const START_FRAME: usize = 4 * 8;

/// Where a goroutine starts on a starting-size stack whose top is hi: the
/// slot holding its function's return address (into goexit).
const fn start_sp(hi: usize) -> usize {
    ((hi - START_FRAME) & !15) - 8
}

/// The stack goroutines that have not run yet share: a goroutine gets a
/// stack of its own when it first runs (give_first_stack) and gives it
/// back when it exits (gfput), so goroutines made faster than they start
/// (a loop of go statements outrunning the other Ps) cost a G each, not a
/// G and a stack page each. The pad holds only the frame every one of
/// them starts with: their function, not yet entered, returning into
/// goexit. Tracebacks, the collector's stack scans and debuggers read a
/// goroutine on it as they read any other (frames from g.sched inside
/// g.stack); nothing writes to it but the return address, once.
#[repr(C, align(2048))]
struct LaunchPad([AtomicUsize; stack::FIXED_STACK / 8]);

const _: () = assert!(core::mem::size_of::<LaunchPad>() == stack::FIXED_STACK);

static LAUNCH_PAD: LaunchPad = LaunchPad([const { AtomicUsize::new(0) }; stack::FIXED_STACK / 8]);

fn launch_pad() -> rt::stack {
    let lo = LAUNCH_PAD.0.as_ptr() as usize;
    rt::stack { lo, hi: lo + stack::FIXED_STACK }
}

/// gp (marked running on this M, on the launch pad) is about to run for
/// the first time: move it to a stack of its own, from this P's cache.
///
/// # Safety
/// gp is the current M's curg, never run, its context as newproc1 left it.
unsafe fn give_first_stack(gp: *mut g) {
    let pad = launch_pad();
    // SAFETY: per the function contract, gp is ours.
    unsafe {
        let gr = &mut *gp;
        if gr.sched.sp != start_sp(pad.hi) || gr.stktopsp != gr.sched.sp {
            crate::fatal::throw("runtime: goroutine left its launch pad before it ran");
        }
        let pp = curp();
        let st = if pp.is_null() { stack::stackalloc(stack::FIXED_STACK) } else { (*pp).stacks.take() };
        let sp = start_sp(st.hi);
        *(sp as *mut usize) = crate::links::links().goexitPC + 1;
        // A pending request (preemption) stays one; anything else was the
        // pad's ordinary guard.
        if !stack::is_guard_request(gr.stackguard0) {
            gr.stackguard0 = st.lo + crate::stack::guard();
        }
        gr.stack = st;
        gr.sched.sp = sp;
        gr.stktopsp = sp;
    }
}

/// A dead G from the free lists (null if there is none), without a stack.
fn gfget() -> *mut g {
    let pp = curp();
    if pp.is_null() {
        sched().gfree.with(|free| free.pop())
    } else {
        // SAFETY: pp is the current M's P: only its owner touches the cache.
        unsafe { (*pp).gfree.take(&sched().gfree) }
    }
}

/// Put dead gp on the free lists; its stack goes back (a starting-size
/// one to this P's cache, for the next goroutine to start).
pub fn gfput(gp: *mut g) {
    let pp = curp();
    // SAFETY: gp is dead and owned by the scheduler.
    unsafe {
        let st = core::mem::replace(&mut (*gp).stack, rt::stack { lo: 0, hi: 0 });
        (*gp).stackguard0 = 0;
        if st.lo != 0 && st.lo != launch_pad().lo {
            if st.hi - st.lo == stack::FIXED_STACK && !pp.is_null() {
                (*pp).stacks.give(st);
            } else {
                stack::stackfree(st);
            }
        }
    }
    if pp.is_null() {
        sched().gfree.with(|free| free.push(gp));
    } else {
        // SAFETY: pp is the current M's P: only its owner touches the cache.
        unsafe { (*pp).gfree.give(&sched().gfree, gp) };
    }
}

/// A new G (dead, on allgs), without a stack.
fn new_g() -> *mut g {
    let gp = persistent::new::<g>();
    // SAFETY: gp is fresh zeroed memory.
    unsafe {
        (*gp).stackguard1 = usize::MAX;
        (*gp).atomicstatus.store(G_DEAD, Ordering::Relaxed);
    }
    allgadd(gp);
    gp
}

/// A new G (dead, on allgs) with a starting-size stack.
fn malg() -> *mut g {
    let gp = new_g();
    let st = stack::stackalloc(stack::FIXED_STACK);
    // SAFETY: gp is new and ours.
    unsafe {
        (*gp).stackguard0 = st.lo + crate::stack::guard();
        (*gp).stack = st;
    }
    gp
}

/// Create a goroutine running `fn_` (a *funcval), made by the goroutine
/// `parent` at `callerpc`. The new G is runnable and on no queue.
///
/// # Safety
/// fn_ must point at a live funcval whose code is a Go function taking no
/// arguments (ABIInternal, closure context in DX).
pub unsafe fn newproc1(fn_: *mut rt::funcval, parent: *mut g, callerpc: usize) -> *mut g {
    if fn_.is_null() {
        crate::fatal::fatal_user("go of nil func value");
    }
    let mut gp = gfget();
    if gp.is_null() {
        gp = new_g();
    }
    // It starts on the launch pad, whose frame returns into goexit.
    let pad = launch_pad();
    let sp = start_sp(pad.hi);
    let ret = &LAUNCH_PAD.0[(sp - pad.lo) / 8];
    if ret.load(Ordering::Relaxed) == 0 {
        ret.store(crate::links::links().goexitPC + 1, Ordering::Relaxed);
    }
    // SAFETY: gp is dead (fresh or from the free list) and owned by us.
    unsafe {
        let gr = &mut *gp;
        gr.stack = rt::stack { lo: pad.lo, hi: pad.hi };
        gr.sched = core::mem::zeroed();
        gr.sched.sp = sp;
        gr.sched.pc = (*fn_).r#fn;
        gr.sched.g = gp as usize;
        gr.sched.ctxt = fn_ as *mut u8;
        // While the collector marks, a new goroutine's stack counts as
        // scanned (it holds nothing yet); what it starts with, its closure,
        // is shaded instead (its creator may drop it at once).
        gr.gcscandone = crate::wb::enabled();
        crate::wb::shade2(fn_ as usize, 0);
        gr.stktopsp = sp;
        gr.stackguard0 = pad.lo + crate::stack::guard();
        gr.startpc = (*fn_).r#fn;
        gr.gopc = callerpc;
        gr.parentGoid = if parent.is_null() { 0 } else { (*parent).goid };
        // Profiler labels are inherited (a heap object the parent keeps
        // alive; the collector marks it from every G that holds it).
        gr.labels = if parent.is_null() { null_mut() } else { (*parent).labels };
        gr.ancestors = if parent.is_null() { null_mut() } else { ancestry(parent) };
        gr.goid = next_goid(curp());
        gr.waitreason = 0;
        gr.trackingStamp = 0;
        gr._panic = null_mut();
        gr._defer = null_mut();
        gr.param = null_mut();
        gr.preempt = false;
        if crate::tsan::enabled() {
            // The new goroutine's race context; its creation stack is the
            // parent's (TSan's shadow stack) and callerpc.
            // A `go` statement in a timer function (time.AfterFunc's
            // goFunc), which runs on g0 in its P's timer context: that
            // context is the parent.
            let g0ctx = (*(*getm()).g0).racectx;
            let pctx = if g0ctx != 0 {
                g0ctx
            } else if parent.is_null() {
                0
            } else {
                (*parent).racectx
            };
            gr.racectx = crate::tsan::go_start(pctx, callerpc);
            // A reused G may have exited inside RaceDisable (a panic or
            // Goexit between sync's Disable and Enable): the new goroutine
            // starts reporting its synchronisation, as upstream's.
            gr.raceignore = 0;
        }
        casgstatus(gp, G_DEAD, G_RUNNABLE);
        stats::note_runnable(gp);
    }
    gp
}

/// How many pcs of a creator's stack an ancestor record keeps.
const ANCESTOR_PCS: usize = 50;

/// GODEBUG=tracebackancestors=N: the record a goroutine created by
/// `parent` keeps of its origin: the parent's stack now, its goroutine id
/// and creation site, then the parent's own records, N in all at most.
/// One pointer-free heap block holds the slice header g.ancestors points
/// to, the records, and their pcs (the records' slices point into the
/// block, which the goroutine keeps alive); null when the setting is off.
///
/// # Safety
/// parent is the creating goroutine, away in the runtime (its context is
/// saved).
unsafe fn ancestry(parent: *mut g) -> *mut crate::layout::GoSlice<rt::ancestorInfo> {
    use crate::layout::GoSlice;
    let limit = crate::settings::traceback_ancestors();
    // SAFETY: parent is live (the caller's contract).
    let (goid, gopc, older) = unsafe { ((*parent).goid, (*parent).gopc, (*parent).ancestors) };
    if limit <= 0 || goid == 0 || crate::gm::gstatus(parent) != crate::gm::G_RUNNING {
        return null_mut();
    }
    // SAFETY: a parent's record, made by this function, lives while the
    // parent holds it.
    let older: &[rt::ancestorInfo] = if older.is_null() { &[] } else { unsafe { (*older).as_slice() } };
    let older = &older[..older.len().min(limit as usize - 1)];
    let mut pcs = [0usize; ANCESTOR_PCS];
    let n = crate::traceback::traceback_pcs(crate::traceback::Unwinder::for_g(parent), 0, &mut pcs);
    let recs = older.len() + 1;
    let words: usize = n + older.iter().map(|a| a.pcs.len as usize).sum::<usize>();
    let head = core::mem::size_of::<GoSlice<rt::ancestorInfo>>();
    let size = head + recs * core::mem::size_of::<rt::ancestorInfo>() + words * 8;
    // SAFETY: a pointer-free block, zeroed; filled before anyone sees it.
    unsafe {
        let base = crate::heap::malloc::mallocgc(size, null_mut(), true);
        let first = base.add(head) as *mut rt::ancestorInfo;
        let mut spare = first.add(recs) as *mut usize;
        let mut put = |i: usize, stack: &[usize], goid: u64, gopc: usize| {
            core::ptr::copy_nonoverlapping(stack.as_ptr(), spare, stack.len());
            *first.add(i) = rt::ancestorInfo { pcs: GoSlice { ptr: spare, len: stack.len() as isize, cap: stack.len() as isize }, goid, gopc };
            spare = spare.add(stack.len());
        };
        put(0, &pcs[..n], goid, gopc);
        for (i, a) in older.iter().enumerate() {
            put(i + 1, a.pcs.as_slice(), a.goid, a.gopc);
        }
        let list = base as *mut GoSlice<rt::ancestorInfo>;
        *list = GoSlice { ptr: first, len: recs as isize, cap: recs as isize };
        list
    }
}

/// Compiled `go` statements, via the Go-side face's newproc.
pub fn rt_newproc(fn_: *mut rt::funcval, callerpc: usize) {
    // SAFETY: called on g0 on behalf of m.curg; fn_ comes from compiled code.
    unsafe {
        let mp = getm();
        let parent = (*mp).curg;
        let gp = newproc1(fn_, parent, callerpc);
        runqput(curp(), gp, true);
        if sched().runqsize.load(Ordering::Relaxed) > PILE_LIMIT && !parent.is_null() && (*parent).lockedm == 0 {
            yield_soon(parent);
        }
    }
    if MAIN_STARTED.load(Ordering::Relaxed) {
        wakep();
    }
}

/// Goroutines on the global queue beyond which a goroutine that makes
/// another yields its P (see yield_soon).
const PILE_LIMIT: i32 = 1024;

/// gp (the current goroutine, on this M, in a go statement) makes
/// goroutines faster than the Ps start them: the global queue has grown
/// past PILE_LIMIT, so no P is keeping up. gp yields at its next function
/// prologue, to the global queue's tail, and its P runs what waits before
/// it; the pile stays bounded (each waiting goroutine holds a G, and what
/// its closure keeps alive) where it would grow for as long as the Ps
/// lag, e.g. for milliseconds when the thread of the P that would run
/// them is kept off the CPU. A request sysmon would make after 10 ms.
///
/// # Safety
/// gp is the current M's curg.
unsafe fn yield_soon(gp: *mut g) {
    // SAFETY: per the function contract.
    unsafe {
        (*gp).preempt = true;
        set_stackguard0(gp, stack::STACK_PREEMPT);
    }
}

/// Goroutines that exist and are not finished, without the runtime's own
/// (the finalizer goroutine).
pub fn NumGoroutine() -> isize {
    let mut n = 0;
    for_each_g(|gp| {
        let s = crate::gm::gstatus(gp);
        if s != G_DEAD && s != G_IDLE && !crate::traceback::is_system_goroutine(gp) {
            n += 1;
        }
    });
    n
}

pub fn NumCPU() -> isize {
    NCPU.load(Ordering::Relaxed) as isize
}


// ---- sudogs: a goroutine's place in a wait queue ----

/// Released sudogs (behind the Ps' caches).
static SUDOG_FREE: Locked<FreeList<rt::sudog>> = Locked::new(Rank::SudogFree, FreeList::new());

/// A clean sudog for the current goroutine to wait with: from the P's
/// cache (refilled from the global list), the global list without a P, or
/// new persistent memory.
pub fn acquire_sudog() -> *mut rt::sudog {
    let pp = curp();
    let s = if pp.is_null() {
        SUDOG_FREE.with(|free| free.pop())
    } else {
        // SAFETY: pp is the current M's P: only its owner touches the cache.
        unsafe { (*pp).sudogs.take(&SUDOG_FREE) }
    };
    let s = if s.is_null() { persistent::new::<rt::sudog>() } else { s };
    // SAFETY: s is ours; all-zero is a valid, empty sudog.
    unsafe { core::ptr::write_bytes(s, 0, 1) };
    s
}

pub fn release_sudog(s: *mut rt::sudog) {
    clear_released_sudog(s);
    let pp = curp();
    if pp.is_null() {
        SUDOG_FREE.with(|free| free.push(s));
    } else {
        // SAFETY: pp is the current M's P: only its owner touches the cache.
        unsafe { (*pp).sudogs.give(&SUDOG_FREE, s) };
    }
}

/// Can release_sudog keep s in the P's cache without a lock (a P, room
/// in its cache) and without complaint (s off every queue but for elem,
/// which the caller clears)? For the fast paths (src/base/leaf.rs), which
/// ask before they change anything.
pub fn sudog_release_is_quick(s: *mut rt::sudog) -> bool {
    let pp = curp();
    // SAFETY: pp is the current M's P: only its owner touches the cache;
    // s is the caller's.
    unsafe { !pp.is_null() && !(*pp).sudogs.is_full() && (*s).next.is_null() && (*s).prev.is_null() && (*s).waitlink.is_null() }
}

/// release_sudog where sudog_release_is_quick said so (and s.elem is
/// cleared).
pub fn release_sudog_quick(s: *mut rt::sudog) {
    clear_released_sudog(s);
    // SAFETY: pp is the current M's P (sudog_release_is_quick checked
    // there is one with room).
    let kept = unsafe { (*curp()).sudogs.give_if_room(s) };
    debug_assert!(kept);
}

/// Check that a sudog being released is off every queue, and drop its
/// references.
fn clear_released_sudog(s: *mut rt::sudog) {
    // SAFETY: s is no longer on any queue; we own it.
    unsafe {
        if !(*s).elem.is_null() || !(*s).next.is_null() || !(*s).prev.is_null() || !(*s).waitlink.is_null() {
            crate::fatal::throw("runtime: sudog with non-nil fields");
        }
        (*s).g = null_mut();
        (*s).c = null_mut();
    }
}

/// A P retired by GOMAXPROCS gives its cached sudogs, dead Gs and stacks
/// to the global lists (world stopped).
pub fn flush_free_caches(pp: *mut P) {
    // SAFETY: the world is stopped; pp runs nothing.
    unsafe {
        (*pp).sudogs.flush(&SUDOG_FREE);
        (*pp).gfree.flush(&sched().gfree);
        (*pp).stacks.flush();
    }
}
