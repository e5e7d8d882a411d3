//! Finding work and switching to it: `schedule`, `find_runnable` (local
//! queue, global queue, network poller, stealing from other Ps, timers,
//! then parking the M), and the far side of mcall (park, yield, exit,
//! preemption, recovery).

use super::*;
use super::mthread::{acquirep, mexit, pidleget, pidleget_spinning, pidleput, releasep, startlockedm, stoplockedm, stopm, wakep};
use super::runq::{GList, globrunqget_locked, globrunqput, injectglist, runq_empty, runqget, runqput, runqsteal};
use crate::gprint;

/// Continue running the current m's goroutine gp from its saved context
/// (after recovery rewrote it). Never returns.
pub fn resume(gp: *mut g) -> ! {
    // SAFETY: gp is the m's current, running goroutine.
    unsafe { switch_to(gp) }
}

/// Run gp on the current m. `inherit`: gp continues the current time slice
/// (it came from runnext), so schedtick does not advance. Never returns.
pub fn execute(gp: *mut g, inherit: bool) -> ! {
    let mp = getm();
    // SAFETY: gp is runnable and was taken off a run queue by us.
    unsafe {
        (*mp).curg = gp;
        (*gp).m = mp;
        casgstatus(gp, G_RUNNABLE, G_RUNNING);
        super::stats::note_running(gp);
        (*gp).waitsince = 0;
        (*gp).preempt = false;
        (*gp).stackguard0 = (*gp).stack.lo + crate::stack::guard();
        let pp = (*mp).p as *mut P;
        if !inherit {
            (*pp).schedtick = (*pp).schedtick.wrapping_add(1);
        }
        // The thread follows the CPU profiling rate (its own timer).
        crate::proftimer::check_thread(mp);
        switch_to(gp)
    }
}

fn become_spinning(mp: *mut m) {
    // SAFETY: mp is the current m.
    unsafe { (*mp).spinning = true };
    let s = sched();
    s.nmspinning.fetch_add(1, Ordering::AcqRel);
    s.needspinning.store(0, Ordering::Release);
}

/// A spinning M found work: it stops spinning and, since it may have been
/// the last spinner, wakes another to keep looking.
fn resetspinning() {
    let mp = getm();
    // SAFETY: mp is the current m.
    unsafe {
        if !(*mp).spinning {
            crate::fatal::throw("resetspinning: not a spinning m");
        }
        (*mp).spinning = false;
    }
    if sched().nmspinning.fetch_sub(1, Ordering::AcqRel) - 1 < 0 {
        crate::fatal::throw("findrunnable: negative nmspinning");
    }
    wakep();
}

/// Stop the current M for a stop-the-world.
fn gcstopm() {
    let s = sched();
    if !s.gcwaiting.load(Ordering::Acquire) {
        crate::fatal::throw("gcstopm: not waiting for gc");
    }
    let mp = getm();
    // SAFETY: mp is the current m.
    unsafe {
        if (*mp).spinning {
            (*mp).spinning = false;
            if s.nmspinning.fetch_sub(1, Ordering::AcqRel) - 1 < 0 {
                crate::fatal::throw("gcstopm: negative nmspinning");
            }
        }
    }
    let pp = releasep();
    s.lock.lock();
    // SAFETY: pp was ours.
    unsafe { (*pp).set_status(P_GCSTOP) };
    // SAFETY: SCHED.lock is held.
    unsafe {
        let l = s.locked();
        l.stopwait -= 1;
        if l.stopwait == 0 {
            s.stopnote.wakeup();
        }
    }
    s.lock.unlock();
    stopm();
}

/// Steal work from other Ps (four rounds; the last one also takes runnext
/// Gs and runs other Ps' due timers). Returns (g, inherit, now, the
/// earliest timer seen, new work may exist).
fn steal_work(mut now: i64) -> (*mut g, bool, i64, i64, bool) {
    let pp = curp();
    let mut ran_timer = false;
    let mut poll_until = 0i64;
    let n = gomaxprocs() as u32;
    const STEAL_TRIES: i32 = 4;
    for i in 0..STEAL_TRIES {
        let last = i == STEAL_TRIES - 1;
        let start = crate::rand::cheaprand();
        for k in 0..n {
            if sched().gcwaiting.load(Ordering::Acquire) {
                // A stop-the-world is pending: let the caller stop.
                return (null_mut(), false, now, poll_until, true);
            }
            let idx = ((start as u64 + k as u64) % n as u64) as usize;
            let p2 = allp(idx);
            if p2 == pp {
                continue;
            }
            if last && TIMERP_MASK.read(idx) {
                let (tnow, w, ran) = crate::timer::check_timers(p2, now);
                now = tnow;
                if w != 0 && (poll_until == 0 || w < poll_until) {
                    poll_until = w;
                }
                if ran {
                    // Running a timer may have readied a goroutine here.
                    let (gp, inherit) = runqget(pp);
                    if !gp.is_null() {
                        return (gp, inherit, now, poll_until, ran_timer);
                    }
                    ran_timer = true;
                }
            }
            if !IDLEP_MASK.read(idx) {
                let gp = runqsteal(pp, p2, last);
                if !gp.is_null() {
                    return (gp, false, now, poll_until, ran_timer);
                }
            }
        }
    }
    (null_mut(), false, now, poll_until, ran_timer)
}

/// After giving up the P: does any P have local work? Returns an idle P to
/// take if so.
fn check_runqs_no_p() -> *mut P {
    let s = sched();
    for i in 0..gomaxprocs() as usize {
        if !IDLEP_MASK.read(i) && !runq_empty(allp(i)) {
            s.lock.lock();
            let pp = pidleget_spinning();
            s.lock.unlock();
            return pp;
        }
    }
    null_mut()
}

/// The earliest timer of any P (for the poller's timeout), at least
/// poll_until's.
fn check_timers_no_p(mut poll_until: i64) -> i64 {
    for i in 0..gomaxprocs() as usize {
        if TIMERP_MASK.read(i) {
            // SAFETY: Ps below gomaxprocs are live.
            let w = unsafe { (*allp(i)).timers.next_when() };
            if w != 0 && (poll_until == 0 || w < poll_until) {
                poll_until = w;
            }
        }
    }
    poll_until
}

/// Goroutines the poller made ready (with a P): the first to run now,
/// the rest queued; the poller's waiter count takes `delta`. Null if none.
fn take_polled(list: &mut GList, delta: i32) -> *mut g {
    let gp = list.pop();
    injectglist(list);
    crate::netpoll::adjust_waiters(delta);
    if !gp.is_null() {
        casgstatus(gp, G_WAITING, G_RUNNABLE);
        super::stats::note_runnable(gp);
    }
    gp
}

/// Find a runnable goroutine: from the local and global queues, the
/// network poller, other Ps (stealing), due timers. With nothing to do,
/// give up the P and block (in the poller until the next timer, or parked).
/// Returns (g, inherit the time slice, wake another M).
/// The collector's idle-time marking (registered by gc::init): scans for
/// a while on this M and P; true if it did (false: not marking, or nothing
/// to scan).
pub static IDLE_MARK: crate::hook::Hook<fn() -> bool> = crate::hook::Hook::new();

/// The collector's look at a goroutine stopping for a preemption request
/// (registered by gc::init): while it marks, a goroutine whose stack it
/// has not scanned scans it before yielding (the request may be the
/// collector's own: gc/stacks.rs asks running goroutines to yield).
pub static PREEMPT_SCAN: crate::hook::Hook<fn()> = crate::hook::Hook::new();

/// gp (the current goroutine; we are on g0, its context saved at a
/// prologue, an asynchronous safe point or a call into the runtime)
/// yields the processor at a preemption request.
pub(super) fn preempted_m(gp: *mut g) -> ! {
    if let Some(scan) = PREEMPT_SCAN.get() {
        scan();
    }
    gosched_m(gp)
}

fn find_runnable() -> (*mut g, bool, bool) {
    let mp = getm();
    let s = sched();
    'top: loop {
        let pp = curp();
        if s.gcwaiting.load(Ordering::Acquire) {
            gcstopm();
            continue 'top;
        }
        let (mut now, mut poll_until, _) = crate::timer::check_timers(pp, 0);

        // SAFETY: pp is our P.
        let tick = unsafe { (*pp).schedtick };
        // Now and then look at the global queue first, for fairness.
        if tick % 61 == 0 && s.runqsize.load(Ordering::Acquire) > 0 {
            s.lock.lock();
            let gp = globrunqget_locked(pp, 1);
            s.lock.unlock();
            if !gp.is_null() {
                return (gp, false, false);
            }
        }
        let (gp, inherit) = runqget(pp);
        if !gp.is_null() {
            return (gp, inherit, false);
        }
        if s.runqsize.load(Ordering::Acquire) != 0 {
            s.lock.lock();
            let gp = globrunqget_locked(pp, 0);
            s.lock.unlock();
            if !gp.is_null() {
                return (gp, false, false);
            }
        }
        // Poll the network without blocking: a ready goroutine there is
        // worth more than stealing.
        if crate::netpoll::inited() && crate::netpoll::any_waiters() && s.lastpoll.load(Ordering::Acquire) != 0 {
            let (mut list, delta) = crate::netpoll::netpoll(0);
            let gp = take_polled(&mut list, delta);
            if !gp.is_null() {
                return (gp, false, false);
            }
        }
        // Steal, unless too many Ms are spinning already (bounded to half
        // the busy Ps, to limit CPU burnt spinning).
        // SAFETY: mp is the current m.
        let spinning = unsafe { (*mp).spinning };
        if spinning || 2 * s.nmspinning.load(Ordering::Acquire) < gomaxprocs() - s.npidle.load(Ordering::Acquire) {
            if !spinning {
                become_spinning(mp);
            }
            let (gp, inherit, tnow, w, new_work) = steal_work(now);
            if !gp.is_null() {
                return (gp, inherit, false);
            }
            if new_work {
                continue 'top;
            }
            now = tnow;
            if w != 0 && (poll_until == 0 || w < poll_until) {
                poll_until = w;
            }
        }

        // Nothing found. While the collector marks, idle time marks
        // (upstream's idle mark worker), then the search starts again.
        if let Some(mark) = IDLE_MARK.get() {
            if mark() {
                continue 'top;
            }
        }
        // Give up the P.
        s.lock.lock();
        if s.gcwaiting.load(Ordering::Acquire) {
            s.lock.unlock();
            continue 'top;
        }
        if s.runqsize.load(Ordering::Acquire) != 0 {
            let gp = globrunqget_locked(pp, 0);
            s.lock.unlock();
            return (gp, false, false);
        }
        // SAFETY: mp is the current m.
        if unsafe { !(*mp).spinning } && s.needspinning.load(Ordering::Acquire) == 1 {
            // A spinner is needed (another M gave up its P while new work
            // appeared): keep looking ourselves.
            become_spinning(mp);
            s.lock.unlock();
            continue 'top;
        }
        if releasep() != pp {
            crate::fatal::throw("findrunnable: wrong p");
        }
        pidleput(pp);
        s.lock.unlock();

        // SAFETY: mp is the current m.
        let was_spinning = unsafe { (*mp).spinning };
        if was_spinning {
            // Stop spinning, then look once more: work submitted between our
            // last look and the decrement would otherwise be missed, as its
            // submitter saw a spinning M and started none.
            // SAFETY: as above.
            unsafe { (*mp).spinning = false };
            if s.nmspinning.fetch_sub(1, Ordering::AcqRel) - 1 < 0 {
                crate::fatal::throw("findrunnable: negative nmspinning");
            }
            let pp2 = check_runqs_no_p();
            if !pp2.is_null() {
                acquirep(pp2);
                become_spinning(mp);
                continue 'top;
            }
            poll_until = check_timers_no_p(poll_until);
        }

        // Block in the network poller until the next timer, unless another
        // M is blocked there already.
        if crate::netpoll::inited()
            && (crate::netpoll::any_waiters() || poll_until != 0)
            && s.lastpoll.swap(0, Ordering::AcqRel) != 0
        {
            s.poll_until.store(poll_until, Ordering::Release);
            // SAFETY: mp is the current m.
            unsafe {
                if (*mp).p != 0 {
                    crate::fatal::throw("findrunnable: netpoll with p");
                }
                if (*mp).spinning {
                    crate::fatal::throw("findrunnable: netpoll with spinning");
                }
            }
            let mut delay = -1i64;
            if poll_until != 0 {
                if now == 0 {
                    now = crate::time::nanotime();
                }
                delay = (poll_until - now).max(0);
            }
            let fake = crate::faketime::now() != 0;
            if fake {
                // Simulated time: the timer's time comes when every M is
                // idle (checkdead jumps to it), not by waiting.
                delay = 0;
            }
            let (mut list, delta) = crate::netpoll::netpoll(delay);
            now = crate::time::nanotime();
            s.poll_until.store(0, Ordering::Release);
            s.lastpoll.store(now, Ordering::Release);
            if fake && list.is_empty() {
                stopm();
                continue 'top;
            }
            s.lock.lock();
            let pp2 = pidleget();
            s.lock.unlock();
            if pp2.is_null() {
                injectglist(&mut list);
                crate::netpoll::adjust_waiters(delta);
            } else {
                acquirep(pp2);
                let gp = take_polled(&mut list, delta);
                if !gp.is_null() {
                    return (gp, false, false);
                }
                if was_spinning {
                    become_spinning(mp);
                }
                continue 'top;
            }
        } else if poll_until != 0 && crate::netpoll::inited() {
            // Another M blocks in the poller: make sure it wakes up in time
            // for our timer.
            let poller_until = s.poll_until.load(Ordering::Acquire);
            if poller_until == 0 || poller_until > poll_until {
                crate::netpoll::netpoll_break();
            }
        }
        stopm();
    }
}

/// One round of the scheduler: find a goroutine and run it. Never returns.
pub fn schedule() -> ! {
    let mp = getm();
    // SAFETY: mp is the current m.
    unsafe {
        if (*mp).locks != 0 {
            crate::fatal::throw("schedule: holding locks");
        }
        if (*mp).lockedg != 0 {
            stoplockedm();
            execute((*mp).lockedg as *mut g, false);
        }
    }
    loop {
        let pp = curp();
        // SAFETY: pp is our P; mp the current m.
        unsafe {
            (*pp).preempt = false;
            if (*mp).spinning && !runq_empty(pp) {
                crate::fatal::throw("schedule: spinning with local work");
            }
        }
        let (gp, inherit, try_wake) = find_runnable();
        // SAFETY: as above.
        if unsafe { (*mp).spinning } {
            resetspinning();
        }
        if try_wake {
            wakep();
        }
        // SAFETY: gp is a runnable G we own now.
        if unsafe { (*gp).lockedm } != 0 {
            // Hand our P to the M gp is locked to, and wait for work.
            startlockedm(gp);
            continue;
        }
        execute(gp, inherit);
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

/// Make a waiting goroutine runnable (upstream's goready); it runs next on
/// the current P, and an idle P is woken to pick up other work.
pub fn ready(gp: *mut g) {
    ready_on_curp(gp, true);
}

/// Make gp runnable at the tail of the current P's queue, not in its
/// runnext slot (for goroutines the current one readies while it goes on
/// running: another P may take gp at once).
pub fn ready_queued(gp: *mut g) {
    ready_on_curp(gp, false);
}

fn ready_on_curp(gp: *mut g, next: bool) {
    let pp = curp();
    if pp.is_null() {
        crate::fatal::throw("ready: no p");
    }
    casgstatus(gp, G_WAITING, G_RUNNABLE);
    super::stats::note_runnable(gp);
    runqput(pp, gp, next);
    wakep();
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

/// Park commit that releases a runtime lock (the lock argument is its key).
pub unsafe extern "C" fn unlock_commit(_gp: *mut g, lock: *mut u8) -> bool {
    // SAFETY: lock is the key of a runtime mutex held by the parking goroutine.
    unsafe { crate::lock::Mutex::from_key(lock as *mut usize).unlock() };
    true
}

/// Park the current goroutine forever (select {}, nil channels).
pub fn rt_parkForever(reason: u8) {
    prepare_park(None, null_mut(), reason);
}

/// mcallPark: commit the park prepare_park described.
pub(super) fn park_m(gp: *mut g) -> ! {
    let mp = getm();
    // SAFETY: gp is the goroutine that called mcall; mp its m.
    unsafe {
        (*gp).waitreason = (*mp).waitreason;
        casgstatus(gp, G_RUNNING, G_WAITING);
        super::stats::note_waiting(gp, curp());
        dropg(gp);
        let f = (*mp).waitunlockf;
        if f != 0 {
            let lock = (*mp).waitlock;
            (*mp).waitunlockf = 0;
            (*mp).waitlock = null_mut();
            let f: UnlockFn = core::mem::transmute::<usize, UnlockFn>(f);
            if !f(gp, lock) {
                casgstatus(gp, G_WAITING, G_RUNNABLE);
                super::stats::note_runnable(gp);
                execute(gp, true);
            }
        }
    }
    schedule()
}

/// gp, the current goroutine (off its stack, on g0), becomes runnable and
/// leaves its m: the first half of a yield.
pub(super) fn stop_running(gp: *mut g) {
    casgstatus(gp, G_RUNNING, G_RUNNABLE);
    super::stats::note_runnable(gp);
    dropg(gp);
}

/// Yield to the goroutines of this P's queue: gp goes to its tail
/// (semrelease's handoff: the waiter it readied into runnext runs first).
pub(super) fn yield_m(gp: *mut g) -> ! {
    stop_running(gp);
    runqput(curp(), gp, false);
    schedule()
}

/// Yield: gp goes to the global queue (Gosched, preemption).
pub(super) fn gosched_m(gp: *mut g) -> ! {
    stop_running(gp);
    globrunqput(gp);
    if MAIN_STARTED.load(Ordering::Relaxed) {
        wakep();
    }
    schedule()
}

/// mcallGoexit: gp's function returned into goexit.
pub(super) fn goexit0(gp: *mut g) -> ! {
    if destroy_g(gp) {
        // The goroutine may have left its thread in an unusual state (that
        // is what locking is for): the thread goes with it. Its lock count
        // stays, so that an M started on its way out (handing off its P)
        // is cloned from the template thread, not from this one.
        mexit();
    }
    schedule()
}

/// Finish goroutine gp (nothing runs on its stack any more) and put it on
/// the free list; returns whether it was locked to the current thread.
pub(super) fn destroy_g(gp: *mut g) -> bool {
    let mp = getm();
    // SAFETY: gp has returned into goexit; nothing runs on its stack any more.
    let locked = unsafe {
        casgstatus(gp, G_RUNNING, G_DEAD);
        let gr = &mut *gp;
        if gr.racectx != 0 {
            crate::tsan::go_end(gr.racectx);
            gr.racectx = 0;
        }
        gr.m = null_mut();
        let locked = gr.lockedm != 0;
        gr.lockedm = 0;
        (*mp).lockedg = 0;
        gr.paniconfault = false;
        gr._defer = null_mut();
        gr._panic = null_mut();
        gr.writebuf = core::mem::zeroed();
        gr.waitreason = 0;
        gr.param = null_mut();
        gr.labels = null_mut();
        gr.timer = null_mut();
        (*mp).curg = null_mut();
        if locked && (*mp).lockedInt != 0 {
            gprint!(b"runtime: mp.lockedInt = ", (*mp).lockedInt, b"\n");
            if (*mp).isextra {
                crate::fatal::throw("runtime.Goexit called in a thread that was not created by the Go runtime");
            }
            crate::fatal::throw("exited a goroutine internally locked to the OS thread");
        }
        locked
    };
    gfput(gp);
    locked
}

// ---- preemption requests ----

/// GODEBUG=asyncpreemptoff=1 disables signal-based preemption.
pub static ASYNC_PREEMPT_OFF: AtomicBool = AtomicBool::new(false);

/// Ask the goroutine running on P pp to yield at its next function call.
pub fn preemptone(pp: *mut P) -> bool {
    // SAFETY: pp is a live P; the m and g read here are never freed, and a
    // stale request only makes some goroutine yield once.
    unsafe {
        let mp = (*pp).m;
        if mp.is_null() || mp == getm() {
            return false;
        }
        let gp = (*mp).curg;
        if gp.is_null() || gp == (*mp).g0 {
            return false;
        }
        (*gp).preempt = true;
        set_stackguard0(gp, stack::STACK_PREEMPT);
        (*pp).preempt = true;
        // A goroutine that makes no calls never sees stackguard0: interrupt
        // its thread too (signal-based preemption).
        if !ASYNC_PREEMPT_OFF.load(Ordering::Relaxed) {
            preempt_m(mp);
        }
        true
    }
}

/// Ask goroutine gp, running on another thread, to yield at its next
/// function call (or, by signal, at an asynchronous safe point): the
/// collector's request to scan the stack of a goroutine that does not
/// block (upstream's suspendG preempts it the same way).
pub fn preempt_g(gp: *mut g) {
    // SAFETY: gp is a live G; g.m and the m are never freed, and a stale
    // request only makes some goroutine yield once.
    unsafe {
        let mp = (*gp).m;
        if mp.is_null() || mp == getm() || (*mp).curg != gp {
            return;
        }
        (*gp).preempt = true;
        set_stackguard0(gp, stack::STACK_PREEMPT);
        if !ASYNC_PREEMPT_OFF.load(Ordering::Relaxed) {
            preempt_m(mp);
        }
    }
}

/// Send m the preemption signal (unless one is on its way already).
pub fn preempt_m(mp: *mut m) {
    // SAFETY: mp is a live m (never freed); procid is its thread id.
    unsafe {
        if (*mp).signalPending.compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            crate::sys::tgkill(crate::sys::getpid(), (*mp).procid as i32, crate::sigtab::SIG_PREEMPT);
        }
    }
}

/// Ask every running goroutine to yield (stop-the-world).
pub fn preemptall() -> bool {
    let mut res = false;
    for i in 0..gomaxprocs() as usize {
        let pp = allp(i);
        // SAFETY: Ps below gomaxprocs are live.
        if unsafe { (*pp).status() } == P_RUNNING && preemptone(pp) {
            res = true;
        }
    }
    res
}

/// May the current M be preempted (no locks, not allocating, not marked
/// unpreemptible, running normally, no park commit pending: a goroutine
/// between a blocking operation's first step and gopark holds the lock
/// its commit releases)?
pub fn can_preempt_m(mp: *mut m) -> bool {
    // SAFETY: mp is the current m.
    unsafe {
        (*mp).locks == 0
            && (*mp).mallocing == 0
            && (*mp).waitunlockf == 0
            && (*mp).preemptoff.len == 0
            && (*mp).p != 0
            && (*((*mp).p as *mut P)).status() == P_RUNNING
    }
}

/// A stack check failed on g0: Go code running there (the runtime tests'
/// runOnSystemStack) used up the bounds g0 has. Report g0's Go frames from
/// the function whose prologue failed (pc, sp: its caller's return address
/// and its frame) with pc and sp shown, and throw. It runs right below
/// those frames: g0's memory goes on past its bounds' guard.
///
/// # Safety
/// Called only by runtime·morestack, on g0.
#[no_mangle]
pub unsafe extern "C" fn gort_morestack_g0(pc: usize, sp: usize) -> ! {
    let g0 = crate::gm::getg();
    // SAFETY: g0 is this thread's, live.
    unsafe {
        gprint!(
            b"runtime: morestack on g0, stack [", crate::print::Hex((*g0).stack.lo as u64), b" ",
            crate::print::Hex((*g0).stack.hi as u64), b"], sp=", crate::print::Hex(sp as u64), b", called from\n"
        );
        (*getm()).tracebackLevel = 2;
    }
    crate::traceback::print_frames(crate::traceback::Unwinder::new(pc, sp).of_goroutine(g0), 0, g0);
    gprint!(b"\n");
    crate::fatal::throw("morestack on g0")
}

/// The stack-check slow path (see runtime·morestack): a preemption request
/// or an exhausted stack.
///
/// # Safety
/// Called only by runtime·morestack, with gp the goroutine whose prologue
/// failed its check.
#[no_mangle]
pub unsafe extern "C" fn gort_newstack(gp: *mut g) -> ! {
    let mp = getm();
    // SAFETY: gp is suspended in its prologue; we are on g0.
    unsafe {
        if (*gp).throwsplit {
            gprint!(
                b"runtime: newstack sp=", (*gp).sched.sp as u64, b" stack=[", (*gp).stack.lo as u64, b", ",
                (*gp).stack.hi as u64, b"]\n"
            );
            crate::fatal::throw("runtime: stack split at bad time");
        }
        let guard = core::ptr::read_volatile(core::ptr::addr_of!((*gp).stackguard0));
        if guard == stack::STACK_PREEMPT {
            // Not a stack growth: m.morebuf.g says "growing gp's stack"
            // to the CPU profiler only while one is under way.
            (*mp).morebuf = core::mem::zeroed();
            if !can_preempt_m(mp) {
                // Not now: let the goroutine go on; the request stays in
                // gp.preempt for the next chance.
                (*gp).stackguard0 = (*gp).stack.lo + crate::stack::guard();
                resume(gp);
            }
            (*gp).stackguard0 = (*gp).stack.lo + crate::stack::guard();
            (*gp).preempt = false;
            preempted_m(gp);
        }
        if guard == stack::STACK_FORCE_MOVE {
            (*gp).stackguard0 = (*gp).stack.lo + crate::stack::guard();
            stack::move_stack(gp);
            (*mp).morebuf = core::mem::zeroed();
            resume(gp);
        }
        if guard == stack::STACK_FORCE_SHRINK {
            (*gp).stackguard0 = (*gp).stack.lo + crate::stack::guard();
            // SAFETY: gp stopped itself in a prologue (exact maps for every
            // frame), outside system calls, waiting on nothing.
            stack::shrink(gp);
            (*mp).morebuf = core::mem::zeroed();
            resume(gp);
        }
        stack::grow(gp);
        (*mp).morebuf = core::mem::zeroed();
        resume(gp)
    }
}
