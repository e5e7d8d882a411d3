//! The scheduler: G (goroutine), M (OS thread), P (the right to run Go code),
//! in upstream's vocabulary.
//!
//! Ownership and invariants:
//!   - A G runs only on an M that holds a P. `m.curg` is the G an M runs;
//!     `g.m` is the M running a G (null when it is not running).
//!   - Runnable Gs wait on their P's local run queue (a 256-slot ring plus
//!     the `runnext` slot) or on the global run queue (under `SCHED.lock`).
//!   - Every switch from a goroutine to the scheduler goes through mcall (the
//!     goroutine's context saved in g.sched, then gort_mcall runs on g0), and
//!     every switch to a goroutine through gogo. The Rust frames on g0 below
//!     `schedule` are abandoned at each gogo, so they must own nothing.
//!   - Dead Gs keep their stack and go on a free list for reuse.
//!
//! This version runs every goroutine on the initial thread (m0); the P
//! structures, queues and goroutine life cycle are the real ones that extra
//! Ms will share.

use crate::layout::rt::{self, g, m};
use crate::lock::Mutex;
use crate::persistent;
use crate::stack;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering};

extern "C" {
    fn gort_getg() -> *mut g;
    fn gort_gogo(buf: *mut rt::gobuf) -> !;
}

/// The goroutine running on this thread (g0 while in the runtime).
#[inline]
pub fn getg() -> *mut g {
    // SAFETY: gort_getg only reads the TLS slot.
    unsafe { gort_getg() }
}

/// The m of the current thread.
#[inline]
pub fn getm() -> *mut m {
    // SAFETY: every thread that runs gort code has a g with an m.
    unsafe { (*getg()).m }
}

pub const G_IDLE: u32 = rt::_Gidle as u32;
pub const G_RUNNABLE: u32 = rt::_Grunnable as u32;
pub const G_RUNNING: u32 = rt::_Grunning as u32;
pub const G_SYSCALL: u32 = rt::_Gsyscall as u32;
pub const G_WAITING: u32 = rt::_Gwaiting as u32;
pub const G_DEAD: u32 = rt::_Gdead as u32;

const RUNQ_SIZE: usize = 256;

/// A processor: the resources needed to run Go code.
#[repr(C)]
pub struct P {
    pub id: i32,
    pub status: u32,
    pub link: *mut P,
    pub m: *mut m,
    pub schedtick: u32,
    /// This P's allocation cache.
    pub mcache: *mut crate::heap::Mcache,
    runq_head: AtomicU32,
    runq_tail: AtomicU32,
    runq: [AtomicUsize; RUNQ_SIZE],
    /// A G readied by the running G, to run next (inherits the time slice).
    runnext: AtomicUsize,
}

pub const P_IDLE: u32 = 0;
pub const P_RUNNING: u32 = 1;

/// Global scheduler state.
pub struct Sched {
    pub lock: Mutex,
    runq_head: *mut g,
    runq_tail: *mut g,
    pub runqsize: i32,
    /// Dead Gs with stacks, ready for reuse.
    gfree: *mut g,
    gfree_lock: Mutex,
    pub ngfree: i32,
    pub goidgen: AtomicU64,
    pub nmspinning: AtomicU32,
}

pub static mut SCHED: Sched = Sched {
    lock: Mutex::new(),
    runq_head: null_mut(),
    runq_tail: null_mut(),
    runqsize: 0,
    gfree: null_mut(),
    gfree_lock: Mutex::new(),
    ngfree: 0,
    goidgen: AtomicU64::new(0),
    nmspinning: AtomicU32::new(0),
};

pub fn sched() -> &'static mut Sched {
    // SAFETY: fields are protected by their own locks or are atomics; this
    // is the one place the static is borrowed.
    unsafe { &mut *core::ptr::addr_of_mut!(SCHED) }
}

/// All Ps (len == gomaxprocs).
pub static mut ALLP: [*mut P; 1024] = [null_mut(); 1024];
pub static GOMAXPROCS_N: AtomicI64 = AtomicI64::new(0);
pub static NCPU: AtomicI64 = AtomicI64::new(1);

/// All Gs ever created (debuggers and tracebacks walk it).
static ALLGS_LOCK: Mutex = Mutex::new();
static mut ALLGS: *mut *mut g = null_mut();
static mut ALLGLEN: usize = 0;
static mut ALLGCAP: usize = 0;

pub fn for_each_g(mut f: impl FnMut(*mut g)) {
    ALLGS_LOCK.lock();
    // SAFETY: ALLGS[..ALLGLEN] are live Gs; the list is only appended to
    // under ALLGS_LOCK.
    unsafe {
        for i in 0..ALLGLEN {
            f(*ALLGS.add(i));
        }
    }
    ALLGS_LOCK.unlock();
}

fn allgadd(gp: *mut g) {
    ALLGS_LOCK.lock();
    // SAFETY: under ALLGS_LOCK; a grown array copies the old one (the old
    // one stays valid for lock-free readers).
    unsafe {
        if ALLGLEN == ALLGCAP {
            let cap = (ALLGCAP * 2).max(64);
            let n = persistent::alloc(cap * 8, 8) as *mut *mut g;
            if ALLGLEN > 0 {
                core::ptr::copy_nonoverlapping(ALLGS, n, ALLGLEN);
            }
            ALLGS = n;
            ALLGCAP = cap;
        }
        *ALLGS.add(ALLGLEN) = gp;
        ALLGLEN += 1;
    }
    ALLGS_LOCK.unlock();
}

#[inline]
pub fn readgstatus(gp: *mut g) -> u32 {
    // SAFETY: gp is a live G.
    unsafe { (*gp).atomicstatus.load(Ordering::Acquire) }
}

#[inline]
pub fn casgstatus(gp: *mut g, old: u32, new: u32) {
    // SAFETY: gp is a live G.
    let ok = unsafe { (*gp).atomicstatus.compare_exchange(old, new, Ordering::AcqRel, Ordering::Acquire) };
    if ok.is_err() {
        crate::fatal::throw("casgstatus: bad incoming values");
    }
}

/// Create Ps for `n` = GOMAXPROCS and give P0 to the current m.
pub fn procinit(n: i32) {
    GOMAXPROCS_N.store(n as i64, Ordering::Relaxed);
    for i in 0..n as usize {
        let pp = persistent::new::<P>();
        // SAFETY: fresh zeroed P; ALLP is only written during startup here.
        unsafe {
            (*pp).id = i as i32;
            (*pp).status = P_IDLE;
            (*pp).mcache = crate::heap::new_mcache();
            ALLP[i] = pp;
        }
    }
    // SAFETY: ALLP[0] was just created; the current m is m0.
    unsafe {
        let mp = getm();
        let p0 = ALLP[0];
        (*p0).status = P_RUNNING;
        (*p0).m = mp;
        (*mp).p = p0 as usize;
    }
}

pub fn curp() -> *mut P {
    // SAFETY: the current m is live.
    unsafe { (*getm()).p as *mut P }
}

// ---- run queues ----

/// Put gp on pp's local run queue; with `next`, in the runnext slot (the
/// previous occupant moves to the queue's tail).
pub fn runqput(pp: *mut P, mut gp: *mut g, next: bool) {
    // SAFETY: pp is a live P owned by the current m; only its owner writes
    // runq_tail and runnext (others may steal from the head).
    unsafe {
        let p = &*pp;
        if next {
            let old = p.runnext.swap(gp as usize, Ordering::AcqRel) as *mut g;
            if old.is_null() {
                return;
            }
            gp = old;
        }
        loop {
            let h = p.runq_head.load(Ordering::Acquire);
            let t = p.runq_tail.load(Ordering::Relaxed);
            if t.wrapping_sub(h) < RUNQ_SIZE as u32 {
                p.runq[t as usize % RUNQ_SIZE].store(gp as usize, Ordering::Relaxed);
                p.runq_tail.store(t.wrapping_add(1), Ordering::Release);
                return;
            }
            if runqput_slow(pp, gp, h, t) {
                return;
            }
        }
    }
}

/// The local queue is full: move half of it plus gp to the global queue.
fn runqput_slow(pp: *mut P, gp: *mut g, h: u32, t: u32) -> bool {
    let n = t.wrapping_sub(h) / 2;
    let mut batch: [*mut g; RUNQ_SIZE / 2 + 1] = [null_mut(); RUNQ_SIZE / 2 + 1];
    // SAFETY: as for runqput.
    unsafe {
        let p = &*pp;
        for i in 0..n {
            batch[i as usize] = p.runq[(h.wrapping_add(i)) as usize % RUNQ_SIZE].load(Ordering::Relaxed) as *mut g;
        }
        if p.runq_head.compare_exchange(h, h.wrapping_add(n), Ordering::AcqRel, Ordering::Acquire).is_err() {
            return false;
        }
    }
    batch[n as usize] = gp;
    let s = sched();
    s.lock.lock();
    for &b in &batch[..=n as usize] {
        globrunqput_locked(b);
    }
    s.lock.unlock();
    true
}

/// Take a G from pp's local queue (runnext first). Returns (g, from runnext).
pub fn runqget(pp: *mut P) -> (*mut g, bool) {
    // SAFETY: as for runqput.
    unsafe {
        let p = &*pp;
        let next = p.runnext.load(Ordering::Acquire);
        if next != 0 && p.runnext.compare_exchange(next, 0, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            return (next as *mut g, true);
        }
        loop {
            let h = p.runq_head.load(Ordering::Acquire);
            let t = p.runq_tail.load(Ordering::Relaxed);
            if t == h {
                return (null_mut(), false);
            }
            let gp = p.runq[h as usize % RUNQ_SIZE].load(Ordering::Relaxed) as *mut g;
            if p.runq_head.compare_exchange(h, h.wrapping_add(1), Ordering::AcqRel, Ordering::Acquire).is_ok() {
                return (gp, false);
            }
        }
    }
}

pub fn runq_empty(pp: *mut P) -> bool {
    // SAFETY: pp is a live P.
    unsafe {
        let p = &*pp;
        p.runq_head.load(Ordering::Acquire) == p.runq_tail.load(Ordering::Acquire)
            && p.runnext.load(Ordering::Acquire) == 0
    }
}

fn globrunqput_locked(gp: *mut g) {
    let s = sched();
    // SAFETY: gp is a live G not on any queue; SCHED.lock is held.
    unsafe {
        (*gp).schedlink = 0;
        if s.runq_tail.is_null() {
            s.runq_head = gp;
        } else {
            (*s.runq_tail).schedlink = gp as usize;
        }
    }
    s.runq_tail = gp;
    s.runqsize += 1;
}

pub fn globrunqput(gp: *mut g) {
    let s = sched();
    s.lock.lock();
    globrunqput_locked(gp);
    s.lock.unlock();
}

fn globrunqget() -> *mut g {
    let s = sched();
    s.lock.lock();
    let gp = s.runq_head;
    if !gp.is_null() {
        // SAFETY: gp is the queue head, a live G; SCHED.lock is held.
        unsafe {
            s.runq_head = (*gp).schedlink as *mut g;
            (*gp).schedlink = 0;
        }
        if s.runq_head.is_null() {
            s.runq_tail = null_mut();
        }
        s.runqsize -= 1;
    }
    s.lock.unlock();
    gp
}

// ---- goroutine creation and reuse ----

/// Size of the initial frame of a new goroutine (room for its function's
/// return address and spill slots).
const START_FRAME: usize = 4 * 8;

fn gfget() -> *mut g {
    let s = sched();
    s.gfree_lock.lock();
    let gp = s.gfree;
    if !gp.is_null() {
        // SAFETY: gp heads the free list; gfree_lock is held.
        unsafe {
            s.gfree = (*gp).schedlink as *mut g;
            (*gp).schedlink = 0;
        }
        s.ngfree -= 1;
    }
    s.gfree_lock.unlock();
    gp
}

fn gfput(gp: *mut g) {
    let s = sched();
    s.gfree_lock.lock();
    // SAFETY: gp is dead and owned by the scheduler; gfree_lock is held.
    unsafe { (*gp).schedlink = s.gfree as usize };
    s.gfree = gp;
    s.ngfree += 1;
    s.gfree_lock.unlock();
}

fn malg() -> *mut g {
    let gp = persistent::new::<g>();
    let st = stack::stackalloc();
    // SAFETY: gp is fresh zeroed memory.
    unsafe {
        (*gp).stackguard0 = st.lo + rt::stackGuard as usize;
        (*gp).stack = st;
        (*gp).stackguard1 = usize::MAX;
        (*gp).atomicstatus.store(G_DEAD, Ordering::Relaxed);
    }
    allgadd(gp);
    gp
}

/// Create a goroutine running `fn_` (a *funcval), made by the goroutine
/// `parent` at `callerpc`, and queue it on the current P.
///
/// # Safety
/// fn_ must point at a live funcval whose code is a Go function taking no
/// arguments (ABIInternal, closure context in DX).
pub unsafe fn newproc1(fn_: *mut rt::funcval, parent: *mut g, callerpc: usize) -> *mut g {
    if fn_.is_null() {
        crate::fatal::throw("go of nil func value");
    }
    let mut gp = gfget();
    if gp.is_null() {
        gp = malg();
    }
    // SAFETY: gp is dead (fresh or from the free list) and owned by us.
    unsafe {
        let gr = &mut *gp;
        let mut sp = gr.stack.hi - START_FRAME;
        sp &= !15;
        // Plant goexit+1 as the function's return address.
        sp -= 8;
        *(sp as *mut usize) = crate::proc::links().goexitPC + 1;
        gr.sched = core::mem::zeroed();
        gr.sched.sp = sp;
        gr.sched.pc = (*fn_).r#fn;
        gr.sched.g = gp as usize;
        gr.sched.ctxt = fn_ as *mut u8;
        gr.stktopsp = sp;
        gr.stackguard0 = gr.stack.lo + rt::stackGuard as usize;
        gr.startpc = (*fn_).r#fn;
        gr.gopc = callerpc;
        gr.parentGoid = if parent.is_null() { 0 } else { (*parent).goid };
        gr.goid = sched().goidgen.fetch_add(1, Ordering::Relaxed) + 1;
        gr.waitreason = 0;
        gr._panic = null_mut();
        gr._defer = null_mut();
        gr.param = null_mut();
        gr.preempt = false;
        casgstatus(gp, G_DEAD, G_RUNNABLE);
    }
    gp
}

/// Compiled `go` statements, via the Go-side face's newproc.
pub fn rt_newproc(fn_: *mut rt::funcval, callerpc: usize) {
    // SAFETY: called on g0 on behalf of m.curg; fn_ comes from compiled code.
    unsafe {
        let mp = getm();
        let gp = newproc1(fn_, (*mp).curg, callerpc);
        runqput(curp(), gp, true);
    }
}

// ---- scheduling ----

/// Continue running the current m's goroutine gp from its saved context
/// (after recovery rewrote it). Never returns.
pub fn resume(gp: *mut g) -> ! {
    // SAFETY: gp is the m's current, running goroutine.
    unsafe { gort_gogo(&mut (*gp).sched) }
}

/// Run gp on the current m. Never returns.
pub fn execute(gp: *mut g) -> ! {
    let mp = getm();
    // SAFETY: gp is runnable and was taken off a run queue by us.
    unsafe {
        (*mp).curg = gp;
        (*gp).m = mp;
        casgstatus(gp, G_RUNNABLE, G_RUNNING);
        (*gp).waitsince = 0;
        (*gp).preempt = false;
        (*gp).stackguard0 = (*gp).stack.lo + rt::stackGuard as usize;
        let pp = (*mp).p as *mut P;
        (*pp).schedtick = (*pp).schedtick.wrapping_add(1);
        gort_gogo(&mut (*gp).sched)
    }
}

fn find_runnable() -> *mut g {
    let pp = curp();
    // SAFETY: pp is the current m's P.
    let tick = unsafe { (*pp).schedtick };
    // Every 61st schedule, look at the global queue first for fairness.
    if tick % 61 == 0 && sched().runqsize > 0 {
        let gp = globrunqget();
        if !gp.is_null() {
            return gp;
        }
    }
    let (gp, _) = runqget(pp);
    if !gp.is_null() {
        return gp;
    }
    globrunqget()
}

/// Find a goroutine to run and run it. Never returns.
///
/// Due timers run first (they may ready goroutines). With nothing to run,
/// the thread sleeps until the next timer; with no timer either, nothing
/// can ever become runnable again (one m runs all goroutines in this
/// version, and system calls block it): that is a deadlock.
pub fn schedule() -> ! {
    loop {
        let next_timer = crate::timer::run_timers(crate::time::nanotime());
        let gp = find_runnable();
        if !gp.is_null() {
            execute(gp);
        }
        match next_timer {
            Some(when) => {
                let wait = when - crate::time::nanotime();
                if wait > 0 {
                    crate::sys::nanosleep(wait);
                }
            }
            None => crate::proc::deadlock(),
        }
    }
}

/// Detach the current m from its goroutine.
fn dropg(gp: *mut g) {
    let mp = getm();
    // SAFETY: gp is the m's current goroutine.
    unsafe {
        (*mp).curg = null_mut();
        (*gp).m = null_mut();
    }
}

/// Make a waiting goroutine runnable (upstream's goready); it runs next.
pub fn ready(gp: *mut g) {
    casgstatus(gp, G_WAITING, G_RUNNABLE);
    runqput(curp(), gp, true);
}

/// What to do once a parking goroutine is off its stack: called with the
/// lock argument; returning false cancels the park.
pub type UnlockFn = unsafe extern "C" fn(gp: *mut g, lock: *mut u8) -> bool;

/// Prepare the current goroutine to park: the Go side then calls
/// mcall(mcallPark), and gort_mcall commits with `unlockf(gp, lock)`.
pub fn prepare_park(unlockf: Option<UnlockFn>, lock: *mut u8, reason: u8) {
    let mp = getm();
    // SAFETY: the current m is live.
    unsafe {
        (*mp).waitunlockf = unlockf.map_or(0, |f| f as usize);
        (*mp).waitlock = lock;
        (*mp).waitreason = reason;
    }
}

/// The far side of mcall: runs on g0 with the goroutine `gp` suspended.
///
/// # Safety
/// Called only by runtime·mcall, with gp the goroutine that called it.
#[no_mangle]
pub unsafe extern "C" fn gort_mcall(gp: *mut g, op: usize) -> ! {
    match op as i64 {
        rt::mcallPark => park_m(gp),
        rt::mcallGosched | rt::mcallPreempt => {
            casgstatus(gp, G_RUNNING, G_RUNNABLE);
            dropg(gp);
            globrunqput(gp);
            schedule()
        }
        rt::mcallGoexit => goexit0(gp),
        rt::mcallRecovery => crate::panic::recovery(gp),
        _ => crate::fatal::throw("gort_mcall: unknown operation"),
    }
}

fn park_m(gp: *mut g) -> ! {
    let mp = getm();
    // SAFETY: gp is the goroutine that called mcall; mp its m.
    unsafe {
        (*gp).waitreason = (*mp).waitreason;
        casgstatus(gp, G_RUNNING, G_WAITING);
        dropg(gp);
        let f = (*mp).waitunlockf;
        if f != 0 {
            let lock = (*mp).waitlock;
            (*mp).waitunlockf = 0;
            (*mp).waitlock = null_mut();
            let f: UnlockFn = core::mem::transmute::<usize, UnlockFn>(f);
            if !f(gp, lock) {
                casgstatus(gp, G_WAITING, G_RUNNABLE);
                execute(gp);
            }
        }
    }
    schedule()
}

fn goexit0(gp: *mut g) -> ! {
    // SAFETY: gp has returned into goexit; nothing runs on its stack any more.
    unsafe {
        casgstatus(gp, G_RUNNING, G_DEAD);
        let gr = &mut *gp;
        gr.m = null_mut();
        gr.lockedm = 0;
        gr.paniconfault = false;
        gr._defer = null_mut();
        gr._panic = null_mut();
        gr.writebuf = core::mem::zeroed();
        gr.waitreason = 0;
        gr.param = null_mut();
        gr.labels = null_mut();
        gr.timer = null_mut();
        (*getm()).curg = null_mut();
    }
    gfput(gp);
    schedule()
}

/// The stack-check slow path (see runtime·morestack): a preemption request
/// or an exhausted stack.
///
/// # Safety
/// Called only by runtime·morestack, with gp the goroutine whose prologue
/// failed its check.
#[no_mangle]
pub unsafe extern "C" fn gort_newstack(gp: *mut g) -> ! {
    // SAFETY: gp is suspended in its prologue; we are on g0.
    unsafe {
        if (*gp).stackguard0 == stack::STACK_PREEMPT {
            (*gp).stackguard0 = (*gp).stack.lo + rt::stackGuard as usize;
            (*gp).preempt = false;
            casgstatus(gp, G_RUNNING, G_RUNNABLE);
            dropg(gp);
            globrunqput(gp);
            schedule()
        }
        let used = (*gp).stack.hi - (*gp).sched.sp;
        crate::print::print_lock_for_death();
        let mut w = crate::fatal::Stderr;
        let _ = core::fmt::Write::write_fmt(
            &mut w,
            format_args!(
                "runtime: goroutine stack exceeds {}-byte limit\n\
                 fatal error: stack overflow\n\
                 (gort: goroutine stacks have a fixed size of {} bytes; stack growth is not implemented yet, {} bytes in use)\n",
                stack::STACK_SIZE,
                stack::STACK_SIZE,
                used
            ),
        );
        crate::proc::die(2)
    }
}

/// Ps with nothing to run.
pub fn npidle() -> i64 {
    let mut n = 0;
    // SAFETY: ALLP entries below GOMAXPROCS are live Ps.
    unsafe {
        for i in 0..GOMAXPROCS_N.load(Ordering::Relaxed) as usize {
            let pp = ALLP[i];
            if !pp.is_null() && (*pp).status == P_IDLE {
                n += 1;
            }
        }
    }
    n
}

/// Goroutines that exist and are not finished (upstream's gcount, without
/// system goroutines: gort has none yet).
pub fn NumGoroutine() -> isize {
    let mut n = 0;
    for_each_g(|gp| {
        let s = readgstatus(gp);
        if s != G_DEAD && s != G_IDLE {
            n += 1;
        }
    });
    n
}

pub fn NumCPU() -> isize {
    NCPU.load(Ordering::Relaxed) as isize
}

/// gort makes no cgo calls yet.
pub fn NumCgoCall() -> i64 {
    0
}

/// Wire the calling goroutine to its thread. With one m running all
/// goroutines, the wiring is recorded (and checked by UnlockOSThread); it
/// becomes exclusive with the multi-threaded scheduler.
pub fn LockOSThread() {
    let mp = getm();
    // SAFETY: called on behalf of m.curg.
    unsafe {
        (*mp).lockedExt += 1;
        if (*mp).lockedExt == 0 {
            (*mp).lockedExt -= 1;
            crate::fatal::throw("LockOSThread nesting overflow");
        }
        let gp = (*mp).curg;
        (*mp).lockedg = gp as usize;
        (*gp).lockedm = mp as usize;
    }
}

pub fn UnlockOSThread() {
    let mp = getm();
    // SAFETY: as for LockOSThread.
    unsafe {
        if (*mp).lockedExt == 0 {
            return;
        }
        (*mp).lockedExt -= 1;
        if (*mp).lockedExt == 0 && (*mp).lockedInt == 0 {
            let gp = (*mp).curg;
            (*mp).lockedg = 0;
            (*gp).lockedm = 0;
        }
    }
}

/// os.Exit is about to exit: run exit hooks (there are none without
/// coverage instrumentation, which gort does not support yet).
pub fn rt_beforeExit(_code: isize) {}

/// runtime.GOMAXPROCS: report the number of Ps and, for n > 0, change it.
/// New Ps start idle; with Ps removed, their run queues move to the global
/// queue. The current P is P0, which always survives.
pub fn GOMAXPROCS(n: isize) -> isize {
    let old = GOMAXPROCS_N.load(Ordering::Relaxed);
    if n <= 0 || n as i64 == old {
        return old as isize;
    }
    let n = (n as i64).min(1024);
    procresize(n as i32);
    old as isize
}

fn procresize(n: i32) {
    let old = GOMAXPROCS_N.load(Ordering::Relaxed) as i32;
    // SAFETY: only the current m touches ALLP while it runs Go code alone.
    unsafe {
        for i in old..n {
            let i = i as usize;
            if ALLP[i].is_null() {
                let pp = persistent::new::<P>();
                (*pp).id = i as i32;
                (*pp).mcache = crate::heap::new_mcache();
                ALLP[i] = pp;
            }
            (*ALLP[i]).status = P_IDLE;
        }
        for i in n..old {
            let pp = ALLP[i as usize];
            loop {
                let (gp, _) = runqget(pp);
                if gp.is_null() {
                    break;
                }
                globrunqput(gp);
            }
            (*pp).status = P_IDLE;
        }
    }
    GOMAXPROCS_N.store(n as i64, Ordering::Relaxed);
}

// ---- sudogs: a goroutine's place in a wait queue ----

static SUDOG_LOCK: Mutex = Mutex::new();
static mut SUDOG_FREE: *mut rt::sudog = null_mut();

/// A clean sudog for the current goroutine to wait with.
pub fn acquire_sudog() -> *mut rt::sudog {
    SUDOG_LOCK.lock();
    // SAFETY: the free list is only touched under SUDOG_LOCK.
    let s = unsafe {
        let s = SUDOG_FREE;
        if !s.is_null() {
            SUDOG_FREE = (*s).next;
        }
        s
    };
    SUDOG_LOCK.unlock();
    let s = if s.is_null() { persistent::new::<rt::sudog>() } else { s };
    // SAFETY: s is ours; all-zero is a valid, empty sudog.
    unsafe { core::ptr::write_bytes(s, 0, 1) };
    s
}

pub fn release_sudog(s: *mut rt::sudog) {
    // SAFETY: s is no longer on any queue; we own it.
    unsafe {
        if !(*s).elem.is_null() || !(*s).next.is_null() || !(*s).prev.is_null() || !(*s).waitlink.is_null() {
            crate::fatal::throw("runtime: sudog with non-nil fields");
        }
        (*s).g = null_mut();
        (*s).c = null_mut();
    }
    SUDOG_LOCK.lock();
    // SAFETY: under SUDOG_LOCK.
    unsafe {
        (*s).next = SUDOG_FREE;
        SUDOG_FREE = s;
    }
    SUDOG_LOCK.unlock();
}

/// The goroutine the current m runs (on whose behalf Rust code runs).
#[inline]
pub fn curg() -> *mut g {
    // SAFETY: the current m is live.
    unsafe { (*getm()).curg }
}

/// Park commit that releases a runtime lock (the lock argument is its key).
pub unsafe extern "C" fn unlock_commit(_gp: *mut g, lock: *mut u8) -> bool {
    // SAFETY: lock is the key of a runtime mutex held by the parking goroutine.
    unsafe { crate::lock::Mutex::from_key(lock as *mut usize).unlock() };
    true
}

/// Texts of the wait reasons (g.waitreason), as tracebacks print them.
pub const WAIT_REASON_STRINGS: [&str; 37] = [
    "", "GC assist marking", "IO wait", "chan receive (nil chan)", "chan send (nil chan)", "dumping heap",
    "garbage collection", "garbage collection scan", "panicwait", "select", "select (no cases)", "GC assist wait",
    "GC sweep wait", "GC scavenge wait", "chan receive", "chan send", "finalizer wait", "force gc (idle)",
    "semacquire", "sleep", "sync.Cond.Wait", "sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.RWMutex.Lock",
    "trace reader (blocked)", "wait for GC cycle", "GC worker (idle)", "GC worker (active)", "preempted",
    "debug call", "GC mark termination", "stopping the world", "flushing proc caches", "trace goroutine status",
    "trace proc status", "page trace flush", "coroutine",
];

/// Park the current goroutine forever (select {}, nil channels).
pub fn rt_parkForever(reason: u8) {
    prepare_park(None, null_mut(), reason);
}
