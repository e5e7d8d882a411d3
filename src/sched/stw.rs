//! Stopping the world (every P stopped but the caller's) and starting it
//! again, and changing GOMAXPROCS, which needs a stopped world.
//!
//! Stopping: set `gcwaiting`, ask running goroutines to yield, take idle Ps
//! and Ps in system calls at once, then wait until the Ms of the others
//! notice (in the scheduler, or on leaving a system call) and stop theirs.
//! Goroutines that never call a function cannot be stopped yet (signal-based
//! preemption is a later step); the wait then lasts as long as they run.

use super::*;
use super::mthread::{acquirep, mget, newm, pidleget, pidleput, wakep};
use super::runq::{globrunqputhead_locked, injectglist, runq_drain_to_global, runq_empty};
use super::schedule::preemptall;
use super::stats::StwReason;

/// GOMAXPROCS to apply at the next start of the world (0: keep).
static NEWPROCS: AtomicI32 = AtomicI32::new(0);

/// Stop every P but the current one, saying why (the pause is measured
/// under that reason: stats.rs; traces show it). The caller must not be
/// preemptible.
pub fn stop_the_world_for(why: StwReason) {
    // One stopper at a time: each holds worldsema (its Go side took it).
    // Two stops at once would each wait forever for the other's P.
    // SAFETY: runtime·worldsema, a Go uint32 (0 while held).
    if unsafe { core::ptr::read_volatile(crate::links::links().worldsema as *const u32) } != 0 {
        crate::fatal::throw("stopTheWorld: worldsema not held");
    }
    crate::tracehook::event(crate::tracehook::Ev::StwBegin(why));
    super::stats::note_stw_begin(why);
    let s = sched();
    let mp = getm();
    s.lock.lock();
    // The stopwait updates below: SCHED.lock is held until the unlock, and
    // each borrow of the locked fields ends with its statement.
    // SAFETY: as said.
    unsafe { s.locked().stopwait = gomaxprocs() };
    s.gcwaiting.store(true, Ordering::Release);
    preemptall();
    // Our own P.
    // SAFETY: the current m holds a P (the world is stopped on behalf of a
    // running goroutine).
    unsafe { (*((*mp).p as *mut P)).set_status(P_GCSTOP) };
    // SAFETY: as said.
    unsafe { s.locked().stopwait -= 1 };
    // Ps in system calls.
    for i in 0..gomaxprocs() as usize {
        let pp = allp(i);
        // SAFETY: Ps below gomaxprocs are live.
        unsafe {
            if (*pp).status.compare_exchange(P_SYSCALL, P_GCSTOP, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                (*pp).syscalltick = (*pp).syscalltick.wrapping_add(1);
                s.locked().stopwait -= 1;
            }
        }
    }
    // Idle Ps.
    loop {
        let pp = pidleget();
        if pp.is_null() {
            break;
        }
        // SAFETY: pp was idle; now it is ours.
        unsafe { (*pp).set_status(P_GCSTOP) };
        // SAFETY: as said.
        unsafe { s.locked().stopwait -= 1 };
    }
    // SAFETY: as said.
    let wait = unsafe { s.locked().stopwait } > 0;
    s.lock.unlock();
    if wait {
        loop {
            // Ask again every 100µs: a goroutine may have missed the request.
            if s.stopnote.sleep_timeout(100_000) {
                s.stopnote.clear();
                break;
            }
            preemptall();
        }
    }
    s.lock.lock();
    // SAFETY: SCHED.lock is held.
    let left = unsafe { s.locked().stopwait };
    s.lock.unlock();
    if left != 0 {
        crate::fatal::throw("stopTheWorld: not stopped (stopwait != 0)");
    }
    for i in 0..gomaxprocs() as usize {
        // SAFETY: Ps below gomaxprocs are live.
        if unsafe { (*allp(i)).status() } != P_GCSTOP {
            crate::fatal::throw("stopTheWorld: not stopped (status != _Pgcstop)");
        }
    }
    super::stats::note_stw_stopped();
}

/// Run f with the world stopped for `why` (the current M unpreemptible
/// throughout), then restart it. The caller holds worldsema (its Go side
/// took it).
pub fn with_world_stopped<R>(why: StwReason, f: impl FnOnce() -> R) -> R {
    crate::gm::acquirem();
    stop_the_world_for(why);
    let r = f();
    crate::gm::releasem();
    let _ = start_the_world();
    r
}

/// Restart the world stopped by stop_the_world, applying a pending
/// GOMAXPROCS change. Returns when the world was released (nanotime): the
/// Ps handed out, before the idle Ms are woken to run them (the end of the
/// pause, as upstream measures it).
pub fn start_the_world() -> i64 {
    let s = sched();
    crate::gm::acquirem();
    if crate::netpoll::inited() {
        let (mut list, delta) = crate::netpoll::netpoll(0);
        injectglist(&mut list);
        crate::netpoll::adjust_waiters(delta);
    }
    s.lock.lock();
    let mut procs = gomaxprocs();
    let np = NEWPROCS.swap(0, Ordering::AcqRel);
    if np != 0 {
        procs = np;
    }
    let mut p1 = procresize(procs);
    s.gcwaiting.store(false, Ordering::Release);
    if s.sysmonwait.load(Ordering::Acquire) {
        s.sysmonwait.store(false, Ordering::Release);
        s.sysmonnote.wakeup();
    }
    // The pause ends here. It is recorded before sched.lock is let go:
    // from then on goroutines may run, and one reading the pause metrics
    // must find this pause in both its stopping and total histograms.
    let released = crate::time::nanotime();
    super::stats::note_stw_end(procs, released);
    s.lock.unlock();
    // Start Ms for the Ps that have work.
    while !p1.is_null() {
        // SAFETY: p1 is a P procresize gave an M (or none) to run.
        unsafe {
            let pp = p1;
            p1 = (*pp).link;
            (*pp).link = null_mut();
            let pm = (*pp).m;
            if !pm.is_null() {
                (*pp).m = null_mut();
                if (*pm).nextp != 0 {
                    crate::fatal::throw("startTheWorld: inconsistent mp->nextp");
                }
                (*pm).nextp = pp as usize;
                Note::from_key(core::ptr::addr_of_mut!((*pm).park.key)).wakeup();
            } else {
                newm(None, pp, -1);
            }
        }
    }
    wakep();
    crate::tracehook::event(crate::tracehook::Ev::StwEnd);
    crate::gm::releasem();
    released
}

/// Change the number of Ps to n (SCHED.lock held, world stopped or
/// startup). The current M keeps its P if it survives, else takes P0.
/// Returns the list (through P.link) of Ps with local work, each with an
/// idle M assigned in P.m when one was available.
pub fn procresize(n: i32) -> *mut P {
    let old = gomaxprocs();
    if n <= 0 || n as usize > MAX_GOMAXPROCS {
        crate::fatal::throw("procresize: invalid arg");
    }
    super::stats::note_procresize(old);
    // SAFETY: the world is stopped (or this is startup): nobody else
    // touches ALLP or the Ps' states.
    unsafe {
        for i in old..n {
            let i = i as usize;
            if allp(i).is_null() {
                ALLP[i].store(new_p(i), Ordering::Release);
            }
            (*allp(i)).set_status(P_GCSTOP);
        }
        GOMAXPROCS_N.store(n as i64, Ordering::Release);
        let mp = getm();
        let cur = (*mp).p as *mut P;
        if !cur.is_null() && (*cur).id < n {
            (*cur).set_status(P_RUNNING);
        } else {
            if !cur.is_null() {
                (*cur).m = null_mut();
            }
            (*mp).p = 0;
            let p0 = allp(0);
            (*p0).m = null_mut();
            (*p0).set_status(P_IDLE);
            acquirep(p0);
        }
        let curp = (*mp).p as *mut P;
        // Retire the Ps beyond n: their goroutines and timers move.
        for i in n..old {
            let pp = allp(i as usize);
            if (*pp).status() == P_DEAD {
                continue;
            }
            let rn = (*pp).runnext.swap(0, Ordering::AcqRel) as *mut g;
            runq_drain_to_global(pp);
            if !rn.is_null() {
                globrunqputhead_locked(rn);
            }
            crate::timer::move_timers(pp, curp);
            // Its cached spans go back to the heap's keeping (the next sweep
            // lists them again): a P revived later must not find stale spans
            // that another cache has taken meanwhile.
            crate::heap::malloc::release_all((*pp).mcache);
            super::flush_free_caches(pp);
            (*pp).set_status(P_DEAD);
            IDLEP_MASK.clear(i as usize);
            TIMERP_MASK.clear(i as usize);
        }
        let s = sched();
        // Rebuild the idle list.
        s.locked().pidle = null_mut();
        s.npidle.store(0, Ordering::Release);
        let mut runnable: *mut P = null_mut();
        for i in (0..n as usize).rev() {
            let pp = allp(i);
            if pp == curp {
                continue;
            }
            (*pp).set_status(P_IDLE);
            (*pp).m = null_mut();
            if runq_empty(pp) {
                pidleput(pp);
            } else {
                (*pp).m = mget();
                (*pp).link = runnable;
                runnable = pp;
            }
        }
        runnable
    }
}

/// runtime.GOMAXPROCS, the Rust half: the current value.
pub fn rt_gomaxprocs() -> isize {
    let s = sched();
    s.lock.lock();
    let ret = gomaxprocs() as isize;
    s.lock.unlock();
    ret
}

/// runtime.GOMAXPROCS with a new n > 0: stop the world and leave it
/// stopped, the M unpreemptible, with n Ps to come when the Go side
/// restarts it (rt_startTheWorld, called from runtime.startTheWorld: the
/// frames upstream's traces show for the GOMAXPROCS change). The Go side
/// holds worldsema.
pub fn rt_gomaxprocsStop(n: isize) {
    let n = (n as usize).clamp(1, MAX_GOMAXPROCS) as i32;
    crate::gm::acquirem();
    stop_the_world_for(StwReason::Gomaxprocs);
    NEWPROCS.store(n, Ordering::Release);
}

/// Restart the world a Go-side stopper left stopped (rt_gomaxprocsStop),
/// and let its M be preempted again.
pub fn rt_startTheWorld() {
    let _ = start_the_world();
    crate::gm::releasem();
}
