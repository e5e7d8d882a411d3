//! Ms: OS threads, the idle M and idle P lists, and the hand-offs between
//! them (upstream's newm/startm/stopm/wakep/handoffp), threads locked to a
//! goroutine, thread exit, and deadlock detection.
//!
//! Every M but m0 and the extra Ms lent to threads C created (cgo.rs) is a
//! pthread created here (through runtime/cgo's _cgo_thread_start once the
//! program calls C). Its g0 runs on the thread's own stack (bounds from
//! pthread_getattr_np), it gets an alternate signal stack, and it parks on
//! `m.park` when idle. Counts used by checkdead: `mcount()` Ms exist
//! (extra Ms included: they count as running, as upstream's);
//! `nmidle` are parked idle, `nmidlelocked` are parked waiting for their
//! locked goroutine, `nmsys` are system Ms (sysmon).

use super::*;
use super::runq::runq_empty;
use super::schedule::schedule;
use crate::gprint;

extern "C" {
    fn gort_mstart(mp: *mut m);
    fn gort_mexit(mp: *mut m) -> !;
}

/// Every M (linked through m.alllink, under SCHED.lock); m0 is last. The
/// head is the Go variable runtime.allm, which debuggers read
/// (asm/runtime/debugger.go).
fn allm_head() -> &'static AtomicUsize {
    // SAFETY: runtime.allm is a pointer-sized Go global, written only
    // here (atomically).
    unsafe { &*(crate::links::links().allm as *const AtomicUsize) }
}

/// Held while creating a thread and while exec replaces the process (a
/// thread created during exec could be lost).
pub static EXEC_LOCK: Mutex = Mutex::new(crate::lockrank::Rank::Unranked);

/// Stack size of the threads gort creates (their g0 stacks).
const THREAD_STACK: usize = 1 << 20;

/// Upper bound on Ms (upstream's default for debug.SetMaxThreads).
static MAX_MCOUNT: AtomicI64 = AtomicI64::new(10000);

/// Set the limit on Ms (debug.SetMaxThreads) and check it; returns the old.
pub fn set_max_mcount(n: i64) -> i64 {
    let s = sched();
    s.lock.lock();
    let old = MAX_MCOUNT.swap(n, Ordering::Relaxed);
    checkmcount(true);
    s.lock.unlock();
    old
}

/// The first M of the list of all Ms.
pub fn allm() -> *mut m {
    allm_head().load(Ordering::Acquire) as *mut m
}

/// Ms that exist (created and not exited); SCHED.lock held.
pub fn mcount() -> i32 {
    // SAFETY: SCHED.lock is held (the function's contract).
    let l = unsafe { sched().locked() };
    (l.mnext - l.nmfreed) as i32
}

/// Ms that exist, read without the lock: for a crash report, whose
/// threads may be holding it. A count that is off by one M under a race
/// only makes the report wait a little longer.
pub fn mcount_racy() -> i32 {
    let l = sched().locked_ptr();
    // SAFETY: plain integer fields of a static, read racily on purpose
    // (volatile: no torn or cached values matter for a count).
    unsafe {
        let next = core::ptr::read_volatile(core::ptr::addr_of!((*l).mnext));
        let freed = core::ptr::read_volatile(core::ptr::addr_of!((*l).nmfreed));
        (next - freed) as i32
    }
}

/// Reserve an M id (SCHED.lock held).
fn mreserveid() -> i64 {
    // SAFETY: SCHED.lock is held.
    let id = unsafe {
        let l = sched().locked();
        if l.mnext + 1 < l.mnext {
            crate::fatal::throw("runtime: thread ID overflow");
        }
        l.mnext += 1;
        l.mnext - 1
    };
    checkmcount(false);
    id
}

/// Throw if there are more Ms than allowed. `on_goroutine`: the check runs
/// for a goroutine's call (debug.SetMaxThreads), not the scheduler's.
fn checkmcount(on_goroutine: bool) {
    let max = MAX_MCOUNT.load(Ordering::Relaxed);
    if mcount() as i64 > max {
        gprint!(b"runtime: program exceeds ", max, b"-thread limit\n");
        if on_goroutine {
            crate::fatal::throw_on_goroutine("thread exhaustion");
        }
        crate::fatal::throw("thread exhaustion");
    }
}

/// Register m0 (startup, before any other thread exists).
pub fn m0init(mp: *mut m) {
    let s = sched();
    s.lock.lock();
    // SAFETY: mp is m0; nothing else runs yet.
    unsafe {
        (*mp).id = mreserveid();
        (*mp).alllink = null_mut();
    }
    allm_head().store(mp as usize, Ordering::Release);
    s.lock.unlock();
    minit(mp);
}

/// Per-thread setup on the thread itself: its id, signal stack and mask.
fn minit(mp: *mut m) {
    // SAFETY: mp is the current thread's m.
    unsafe { (*mp).procid = crate::sys::gettid() as u64 };
    crate::sigtab::minit(mp);
}

/// Create an M running `start` (if any) and then the scheduler with P pp
/// (may be null for system Ms). `id` < 0 reserves a fresh id.
pub fn newm(start: Option<fn()>, pp: *mut P, id: i64) {
    let mp = persistent::new::<m>();
    let g0 = persistent::new::<g>();
    // SAFETY: mp and g0 are fresh zeroed memory; the m becomes visible to
    // other threads through the list of Ms only after it is initialised.
    unsafe {
        (*g0).m = mp;
        (*g0).atomicstatus.store(G_RUNNING, Ordering::Relaxed);
        (*g0).goid = 0;
        (*mp).g0 = g0;
        (*mp).nextp = pp as usize;
        (*mp).mstartRust = start.map_or(0, |f| f as usize);
        (*mp).cheaprand = crate::rand::cheaprand64() | 1;
        // The threadcreate profile's stack: the goroutine this runtime call
        // runs for, from its saved context (none when the scheduler or
        // sysmon starts the thread on its own).
        let gp = curg();
        let st = if gp.is_null() { G_DEAD } else { readgstatus(gp) };
        if (st == G_RUNNING || st == G_SYSCALL) && (*gp).sched.sp > (*gp).stack.lo && (*gp).sched.sp <= (*gp).stack.hi {
            crate::traceback::traceback_pcs(crate::traceback::Unwinder::for_g(gp), 0, &mut (*mp).createstack);
        }
        allm_add(mp, id);
        // A goroutine locked to this thread may have changed the thread's
        // OS state (namespaces, credentials...), which a thread cloned from
        // it would inherit; a thread C created (an extra M's) has whatever
        // state C gave it: the template thread starts the new one.
        let cur = getm();
        if ((*cur).lockedExt != 0 || (*cur).isextra) && TEMPLATE_STARTED.load(Ordering::Acquire) {
            template_handoff(mp);
            return;
        }
    }
    newosproc(mp);
}

/// Give mp its id (a fresh one when `id` < 0) and put it on the list of
/// all Ms, where it counts in mcount().
pub(super) fn allm_add(mp: *mut m, id: i64) {
    let s = sched();
    s.lock.lock();
    // SAFETY: mp is a new m no other thread knows yet; the list of Ms
    // changes under SCHED.lock.
    unsafe {
        (*mp).id = if id < 0 { mreserveid() } else { id };
        (*mp).alllink = allm();
    }
    allm_head().store(mp as usize, Ordering::Release);
    s.lock.unlock();
}

// ---- the template thread ----
//
// A thread that runs no Go code and whose OS state nothing changes: it
// starts the Ms asked for by Ms locked to their threads (newm). It is
// started by the first LockOSThread, from the calling thread before that
// thread is locked (while its state is still the process's). Its signals
// stay blocked (it has no g).

/// Set by the first LockOSThread, which then starts the thread: from then
/// on Ms made by locked Ms are queued for it (it takes what was queued
/// before it ran).
static TEMPLATE_STARTED: AtomicBool = AtomicBool::new(false);
/// Ms waiting for their thread: a stack linked through m.schedlink, pushed
/// by newm, taken whole by the template thread.
static TEMPLATE_QUEUE: AtomicPtr<m> = AtomicPtr::new(null_mut());
/// Futex word: the number of handoffs so far (the template thread sleeps
/// while it has seen them all).
static TEMPLATE_WAKE: AtomicU32 = AtomicU32::new(0);

pub(super) fn start_template_thread() {
    if TEMPLATE_STARTED.load(Ordering::Acquire) || TEMPLATE_STARTED.swap(true, Ordering::AcqRel) {
        return;
    }
    let (err, _) = spawn_thread(template_main, null_mut());
    if err != 0 {
        thread_failed(err);
    }
}

fn template_handoff(mp: *mut m) {
    let mut head = TEMPLATE_QUEUE.load(Ordering::Relaxed);
    loop {
        // SAFETY: mp is a new m no one else knows yet.
        unsafe { (*mp).schedlink = head as usize };
        match TEMPLATE_QUEUE.compare_exchange_weak(head, mp, Ordering::Release, Ordering::Relaxed) {
            Ok(_) => break,
            Err(h) => head = h,
        }
    }
    TEMPLATE_WAKE.fetch_add(1, Ordering::Release);
    crate::sys::futex_wake(TEMPLATE_WAKE.as_ptr(), 1);
}

extern "C" fn template_main(_: *mut libc::c_void) -> *mut libc::c_void {
    loop {
        let seen = TEMPLATE_WAKE.load(Ordering::Acquire);
        let mut list = TEMPLATE_QUEUE.swap(null_mut(), Ordering::Acquire);
        while !list.is_null() {
            // SAFETY: Ms on the queue wait only for their thread: the
            // template thread owns them until newosproc.
            let next = unsafe {
                let next = (*list).schedlink as *mut m;
                (*list).schedlink = 0;
                next
            };
            newosproc(list);
            list = next;
        }
        crate::sys::futex_wait(TEMPLATE_WAKE.as_ptr(), seen, -1);
    }
}

/// Create a detached pthread running `entry(arg)` with every signal
/// blocked (a thread for an m unblocks what it handles in minit, so no
/// signal arrives before it has a g). Returns pthread_create's error and the thread.
fn spawn_thread(entry: extern "C" fn(*mut libc::c_void) -> *mut libc::c_void, arg: *mut libc::c_void) -> (i32, usize) {
    // SAFETY: plain pthread and sigprocmask calls on locals.
    unsafe {
        let mut all: libc::sigset_t = core::mem::zeroed();
        let mut old: libc::sigset_t = core::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
        let mut attr: libc::pthread_attr_t = core::mem::zeroed();
        libc::pthread_attr_init(&mut attr);
        libc::pthread_attr_setstacksize(&mut attr, THREAD_STACK);
        libc::pthread_attr_setdetachstate(&mut attr, libc::PTHREAD_CREATE_DETACHED);
        let mut tid: libc::pthread_t = 0;
        let err = libc::pthread_create(&mut tid, &attr, entry, arg);
        libc::pthread_attr_destroy(&mut attr);
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, core::ptr::null_mut());
        (err, tid as usize)
    }
}

/// Start the pthread for mp: through runtime/cgo once the program uses C
/// (super::cgo), else directly.
fn newosproc(mp: *mut m) {
    EXEC_LOCK.lock();
    if super::cthread::threads_via_cgo() {
        // runtime/cgo reports its own failures (and aborts).
        super::cthread::start_thread(mp);
        EXEC_LOCK.unlock();
        return;
    }
    // mp outlives the thread (Ms are never freed).
    let (err, tid) = spawn_thread(thread_entry, mp as *mut libc::c_void);
    if err == 0 {
        // SAFETY: a plain field store (nothing else writes m.thread; the
        // runtime itself never reads it, debuggers may).
        unsafe { (*mp).thread = tid };
    }
    EXEC_LOCK.unlock();
    if err != 0 {
        thread_failed(err);
    }
}

/// pthread_create failed: upstream's report.
#[cold]
fn thread_failed(err: i32) -> ! {
    sched().lock.lock();
    let n = mcount();
    sched().lock.unlock();
    gprint!(b"runtime: failed to create new OS thread (have ", n, b" already; errno=", err, b")\n");
    if err == libc::EAGAIN {
        gprint!(b"runtime: may need to increase max user processes (ulimit -u)\n");
    }
    crate::fatal::throw("newosproc")
}

extern "C" fn thread_entry(arg: *mut libc::c_void) -> *mut libc::c_void {
    // SAFETY: arg is the m created for this thread; gort_mstart returns only
    // when the m exits.
    unsafe { gort_mstart(arg as *mut m) };
    core::ptr::null_mut()
}

/// The first Rust code of a new thread, on its g0 (asm gort_mstart has
/// installed g0 in the TLS slot).
///
/// # Safety
/// Called only by gort_mstart, with mp the thread's m.
#[no_mangle]
pub unsafe extern "C" fn gort_mstart1(mp: *mut m) -> ! {
    // SAFETY: mp and its g0 are ours; the thread's stack bounds come from
    // the C library.
    unsafe {
        let g0 = (*mp).g0;
        let (lo, hi) = crate::sys::thread_stack_bounds().unwrap_or_else(|| crate::fatal::throw("pthread_getattr_np failed"));
        (*g0).stack.lo = lo;
        (*g0).stack.hi = hi;
        (*g0).stackguard0 = lo + crate::stack::guard();
        (*g0).stackguard1 = (*g0).stackguard0;
        (*mp).thread = libc::pthread_self() as usize;
        minit(mp);
        let f = (*mp).mstartRust;
        if f != 0 {
            let f: fn() = core::mem::transmute::<usize, fn()>(f);
            f();
        }
        let pp = (*mp).nextp as *mut P;
        (*mp).nextp = 0;
        acquirep(pp);
    }
    schedule()
}

/// mstartfn of Ms started to spin (look for work).
fn mspinning() {
    // SAFETY: the current m is live.
    unsafe { (*getm()).spinning = true };
}

/// The current M (not m0) leaves: its P is handed off and its thread ends.
pub fn mexit() -> ! {
    let mp = getm();
    let s = sched();
    // What its write-barrier buffer holds must reach the collector.
    // SAFETY: mp is the current m.
    unsafe { crate::wb::drain_buffer(mp) };
    if mp == crate::links::m0() {
        // m0 cannot exit (the process would): park it forever.
        handoffp(releasep());
        s.lock.lock();
        // SAFETY: SCHED.lock is held.
        unsafe { s.locked().nmfreed += 1 };
        checkdead();
        s.lock.unlock();
        mpark(mp);
        crate::fatal::throw("locked m0 woke up");
    }
    crate::proftimer::thread_exit();
    crate::sigtab::unminit();
    super::cthread::m_exiting(mp);
    s.lock.lock();
    // Unlink mp from the list of Ms.
    // SAFETY: the list is only changed under SCHED.lock; Ms are never freed,
    // so a reader walking the list concurrently stays on valid memory.
    unsafe {
        let mut pp = allm_head() as *const AtomicUsize;
        loop {
            let cur = (*pp).load(Ordering::Acquire) as *mut m;
            if cur.is_null() {
                s.lock.unlock();
                crate::fatal::throw("m not found in allm");
            }
            if cur == mp {
                (*pp).store((*mp).alllink as usize, Ordering::Release);
                break;
            }
            pp = core::ptr::addr_of!((*cur).alllink) as *const AtomicUsize;
        }
    }
    s.lock.unlock();
    handoffp(releasep());
    s.lock.lock();
    // SAFETY: SCHED.lock is held.
    unsafe { s.locked().nmfreed += 1 };
    checkdead();
    s.lock.unlock();
    // SAFETY: back to gort_mstart's frame, which returns from the thread.
    unsafe { gort_mexit(mp) }
}

// ---- Ps and Ms ----

/// Associate P pp with the current M.
pub fn acquirep(pp: *mut P) {
    let mp = getm();
    // SAFETY: mp is the current m; pp a live P handed to us.
    unsafe {
        if (*mp).p != 0 {
            crate::fatal::throw("wirep: already in go");
        }
        if !(*pp).m.is_null() || (*pp).status() != P_IDLE {
            let id = if (*pp).m.is_null() { 0 } else { (*(*pp).m).id };
            gprint!(b"wirep: p->m=", (*pp).m as usize, b"(", id, b") p->status=", (*pp).status(), b"\n");
            crate::fatal::throw("wirep: invalid p state");
        }
        (*mp).p = pp as usize;
        (*pp).m = mp;
        (*pp).set_status(P_RUNNING);
    }
}

/// Disassociate the current M from its P; returns the P.
pub fn releasep() -> *mut P {
    crate::tracehook::event(crate::tracehook::Ev::ProcRelease);
    let mp = getm();
    // SAFETY: mp is the current m.
    unsafe {
        let pp = (*mp).p as *mut P;
        if pp.is_null() {
            crate::fatal::throw("releasep: invalid arg");
        }
        if (*pp).m != mp || (*pp).status() != P_RUNNING {
            gprint!(b"releasep: m=", mp as usize, b" m->p=", pp as usize, b" p->m=", (*pp).m as usize, b" p->status=", (*pp).status(), b"\n");
            crate::fatal::throw("releasep: invalid p state");
        }
        (*mp).p = 0;
        (*pp).m = null_mut();
        (*pp).set_status(P_IDLE);
        pp
    }
}

/// Put pp on the idle list (SCHED.lock held).
pub(crate) fn pidleput(pp: *mut P) {
    if !runq_empty(pp) {
        crate::fatal::throw("pidleput: P has non-empty run queue");
    }
    let s = sched();
    // SAFETY: pp is a live P nobody runs; SCHED.lock is held.
    unsafe {
        let id = (*pp).id as usize;
        if !(*pp).timers.has_timers() {
            TIMERP_MASK.clear(id);
        }
        IDLEP_MASK.set(id);
        let l = s.locked();
        (*pp).link = l.pidle;
        l.pidle = pp;
    }
    super::stats::note_p_idle(pp);
    s.npidle.fetch_add(1, Ordering::AcqRel);
}

/// Take a P from the idle list (SCHED.lock held); null if none.
pub(crate) fn pidleget() -> *mut P {
    let s = sched();
    // SAFETY: SCHED.lock is held; pp (if any) heads the idle list.
    let pp = unsafe {
        let l = s.locked();
        let pp = l.pidle;
        if !pp.is_null() {
            let id = (*pp).id as usize;
            TIMERP_MASK.set(id);
            IDLEP_MASK.clear(id);
            l.pidle = (*pp).link;
            (*pp).link = null_mut();
        }
        pp
    };
    if !pp.is_null() {
        super::stats::note_p_busy(pp);
        s.npidle.fetch_sub(1, Ordering::AcqRel);
    }
    pp
}

/// pidleget for a spinning M: when no P is idle, ask the Ms giving up
/// their P to look again (needspinning).
pub(crate) fn pidleget_spinning() -> *mut P {
    let pp = pidleget();
    if pp.is_null() {
        sched().needspinning.store(1, Ordering::Release);
    }
    pp
}

/// Put mp on the idle M list (SCHED.lock held).
fn mput(mp: *mut m) {
    // SAFETY: mp is the current m, about to park; SCHED.lock is held.
    unsafe {
        let l = sched().locked();
        (*mp).schedlink = l.midle as usize;
        l.midle = mp;
        l.nmidle += 1;
    }
    checkdead();
}

/// Take an M from the idle list (SCHED.lock held).
pub(crate) fn mget() -> *mut m {
    // SAFETY: SCHED.lock is held; mp (if any) heads the idle list.
    unsafe {
        let l = sched().locked();
        let mp = l.midle;
        if !mp.is_null() {
            l.midle = (*mp).schedlink as *mut m;
            (*mp).schedlink = 0;
            l.nmidle -= 1;
        }
        mp
    }
}

/// Park the current M until another hands it work (note: cleared after).
fn mpark(mp: *mut m) {
    // SAFETY: mp.park is the m's own note.
    let park = unsafe { Note::from_key(core::ptr::addr_of_mut!((*mp).park.key)) };
    // SAFETY: mp is the current m (blocked is what schedtrace reports).
    unsafe { (*mp).blocked = true };
    park.sleep();
    // SAFETY: as above.
    unsafe { (*mp).blocked = false };
    park.clear();
}

fn mwake(mp: *mut m) {
    // SAFETY: mp is a parked m; its park note is live.
    unsafe { Note::from_key(core::ptr::addr_of_mut!((*mp).park.key)).wakeup() };
}

/// Stop the current M until new work is available; it then returns with a
/// P (the one its waker chose).
pub fn stopm() {
    let mp = getm();
    // SAFETY: mp is the current m.
    unsafe {
        if (*mp).locks != 0 {
            crate::fatal::throw("stopm holding locks");
        }
        if (*mp).p != 0 {
            crate::fatal::throw("stopm holding p");
        }
        if (*mp).spinning {
            crate::fatal::throw("stopm spinning");
        }
    }
    let s = sched();
    s.lock.lock();
    mput(mp);
    s.lock.unlock();
    mpark(mp);
    // SAFETY: our waker set nextp before waking us.
    unsafe {
        let pp = (*mp).nextp as *mut P;
        (*mp).nextp = 0;
        acquirep(pp);
    }
}

/// Run some M on P pp (or on an idle P if pp is null; then do nothing if
/// there is none). `spinning`: the M is started to look for work (the
/// caller incremented nmspinning). `lockheld`: SCHED.lock is held.
pub fn startm(mut pp: *mut P, spinning: bool, lockheld: bool) {
    let s = sched();
    // Keep the P from changing hands under us (there is no preemption in
    // Rust code anyway).
    crate::gm::acquirem();
    if !lockheld {
        s.lock.lock();
    }
    if pp.is_null() {
        if spinning {
            crate::fatal::throw("startm: P required for spinning=true");
        }
        pp = pidleget();
        if pp.is_null() {
            if !lockheld {
                s.lock.unlock();
            }
            crate::gm::releasem();
            return;
        }
    }
    let nmp = mget();
    if nmp.is_null() {
        let id = mreserveid();
        s.lock.unlock();
        newm(if spinning { Some(mspinning) } else { None }, pp, id);
        if lockheld {
            s.lock.lock();
        }
        crate::gm::releasem();
        return;
    }
    if !lockheld {
        s.lock.unlock();
    }
    // SAFETY: nmp is parked (off every list now) and waits for nextp.
    unsafe {
        if (*nmp).spinning {
            crate::fatal::throw("startm: m is spinning");
        }
        if (*nmp).nextp != 0 {
            crate::fatal::throw("startm: m has p");
        }
        if spinning && !runq_empty(pp) {
            crate::fatal::throw("startm: p has runnable gs");
        }
        (*nmp).spinning = spinning;
        (*nmp).nextp = pp as usize;
    }
    mwake(nmp);
    crate::gm::releasem();
}

/// Hand off P pp from an M that is blocking (system call, locked thread,
/// exit): start an M on it if there is work, else make it idle.
pub fn handoffp(pp: *mut P) {
    let s = sched();
    // Local or global work: start an M right away.
    if !runq_empty(pp) || s.runqsize.load(Ordering::Acquire) != 0 {
        startm(pp, false, false);
        return;
    }
    // No spinning or idle M to notice new work: this P spins.
    if s.nmspinning.load(Ordering::Acquire) + s.npidle.load(Ordering::Acquire) == 0
        && s.nmspinning.compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire).is_ok()
    {
        s.needspinning.store(0, Ordering::Release);
        startm(pp, true, false);
        return;
    }
    s.lock.lock();
    if s.gcwaiting.load(Ordering::Acquire) {
        // SAFETY: pp is ours to give; SCHED.lock is held.
        unsafe {
            (*pp).set_status(P_GCSTOP);
            let l = s.locked();
            l.stopwait -= 1;
            if l.stopwait == 0 {
                s.stopnote.wakeup();
            }
        }
        s.lock.unlock();
        return;
    }
    if s.runqsize.load(Ordering::Acquire) != 0 {
        s.lock.unlock();
        startm(pp, false, false);
        return;
    }
    // The last running P, and nobody polls the network: someone must.
    if s.npidle.load(Ordering::Acquire) == gomaxprocs() - 1 && s.lastpoll.load(Ordering::Acquire) != 0 {
        s.lock.unlock();
        startm(pp, false, false);
        return;
    }
    // SAFETY: pp is a live P.
    let when = unsafe { (*pp).timers.next_when() };
    pidleput(pp);
    s.lock.unlock();
    if when != 0 {
        crate::netpoll::wake_netpoller(when);
    }
}

/// New work exists: if there is an idle P and no spinning M, start one
/// spinning M to look for it.
pub fn wakep() {
    let s = sched();
    // One spinning M at a time is enough to notice new work.
    if s.nmspinning.load(Ordering::Acquire) != 0
        || s.nmspinning.compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire).is_err()
    {
        return;
    }
    crate::gm::acquirem();
    s.lock.lock();
    let pp = pidleget_spinning();
    if pp.is_null() {
        if s.nmspinning.fetch_sub(1, Ordering::AcqRel) - 1 < 0 {
            crate::fatal::throw("wakep: negative nmspinning");
        }
        s.lock.unlock();
        crate::gm::releasem();
        return;
    }
    s.lock.unlock();
    startm(pp, true, false);
    crate::gm::releasem();
}

/// Adjust the count of Ms parked for their locked goroutine.
pub(crate) fn incidlelocked(v: i32) {
    let s = sched();
    s.lock.lock();
    // SAFETY: SCHED.lock is held.
    unsafe { s.locked().nmidlelocked += v };
    if v > 0 {
        checkdead();
    }
    s.lock.unlock();
}

/// The current M is locked to a goroutine that cannot run now: hand off
/// the P and sleep until the goroutine is runnable again.
pub fn stoplockedm() {
    let mp = getm();
    // SAFETY: mp is the current m; its lockedg is live.
    unsafe {
        let lg = (*mp).lockedg as *mut g;
        if lg.is_null() || (*lg).lockedm != mp as usize {
            crate::fatal::throw("stoplockedm: inconsistent locking");
        }
        if (*mp).p != 0 {
            let pp = releasep();
            handoffp(pp);
        }
        incidlelocked(1);
        mpark(mp);
        let st = crate::gm::gstatus(lg);
        if st != G_RUNNABLE {
            gprint!(b"runtime:stoplockedm: lockedg (atomicstatus=", st, b") is not Grunnable or Gscanrunnable\n");
            crate::fatal::throw("stoplockedm: not runnable");
        }
        let pp = (*mp).nextp as *mut P;
        (*mp).nextp = 0;
        acquirep(pp);
    }
}

/// gp is locked to another M: give that M our P and gp, and stop.
pub fn startlockedm(gp: *mut g) {
    // SAFETY: gp is runnable and locked to a parked m.
    unsafe {
        let mp = (*gp).lockedm as *mut m;
        if mp == getm() {
            crate::fatal::throw("startlockedm: locked to me");
        }
        if (*mp).nextp != 0 {
            crate::fatal::throw("startlockedm: m has p");
        }
        incidlelocked(-1);
        let pp = releasep();
        (*mp).nextp = pp as usize;
        mwake(mp);
    }
    stopm();
}

/// Deadlock detection (SCHED.lock held): with no M running Go code or
/// able to (none blocked in a system call or the poller), and no timer
/// pending, nothing can ever happen again.
pub(crate) fn checkdead() {
    let s = sched();
    if crate::fatal::panicking() {
        return;
    }
    // SAFETY: SCHED.lock is held (the function's contract).
    let (nmidle, nmidlelocked, nmsys) = unsafe {
        let l = s.locked();
        (l.nmidle, l.nmidlelocked, l.nmsys)
    };
    let run = mcount() - nmidle - nmidlelocked - nmsys;
    if run > 0 {
        return;
    }
    if run < 0 {
        gprint!(
            b"runtime: checkdead: nmidle=", nmidle, b" nmidlelocked=", nmidlelocked, b" mcount=", mcount(),
            b" nmsys=", nmsys, b"\n"
        );
        s.lock.unlock();
        crate::fatal::throw("checkdead: inconsistent counts");
    }
    let mut grunning = 0;
    let mut bad: *mut g = null_mut();
    for_each_g(|gp| {
        if crate::traceback::is_system_goroutine(gp) {
            return;
        }
        let st = readgstatus(gp) & !(rt::_Gscan as u32);
        match st {
            G_WAITING | G_PREEMPTED => grunning += 1,
            G_RUNNABLE | G_RUNNING | G_SYSCALL => bad = gp,
            _ => {}
        }
    });
    if !bad.is_null() {
        // SAFETY: bad is a live G.
        unsafe { gprint!(b"runtime: checkdead: find g ", (*bad).goid, b" in status ", readgstatus(bad), b"\n") };
        s.lock.unlock();
        crate::fatal::throw("checkdead: runnable g");
    }
    if grunning == 0 {
        s.lock.unlock();
        crate::fatal::fatal_user("no goroutines (main called runtime.Goexit) - deadlock!");
    }
    let (mut any, mut next) = (false, 0i64);
    for i in 0..gomaxprocs() as usize {
        // SAFETY: Ps below gomaxprocs are live.
        let timers = unsafe { &(*allp(i)).timers };
        if timers.has_timers() {
            any = true;
            let w = timers.next_when();
            if w != 0 && (next == 0 || w < next) {
                next = w;
            }
        }
    }
    if any {
        if next != 0 && crate::faketime::now() != 0 {
            fake_time_jump(next);
        }
        return;
    }
    s.lock.unlock();
    crate::fatal::fatal_user("all goroutines are asleep - deadlock!");
}

/// Every goroutine sleeps under simulated time (faketime): the clock jumps
/// to the next timer, and an idle M takes an idle P to run it (SCHED.lock
/// held; nothing runs, so both exist).
fn fake_time_jump(when: i64) {
    crate::faketime::jump(when);
    let pp = pidleget();
    let mp = mget();
    if pp.is_null() || mp.is_null() {
        sched().lock.unlock();
        crate::fatal::throw("checkdead: no idle m or p for the timer");
    }
    // SAFETY: mp is an idle M, parked on its note; pp an idle P.
    unsafe {
        (*mp).nextp = pp as usize;
        Note::from_key(core::ptr::addr_of_mut!((*mp).park.key)).wakeup();
    }
}

// ---- LockOSThread ----

fn dolockOSThread() {
    let mp = getm();
    // SAFETY: on behalf of m.curg.
    unsafe {
        let gp = (*mp).curg;
        (*mp).lockedg = gp as usize;
        (*gp).lockedm = mp as usize;
    }
}

fn dounlockOSThread() {
    let mp = getm();
    // SAFETY: on behalf of m.curg.
    unsafe {
        if (*mp).lockedInt != 0 || (*mp).lockedExt != 0 {
            return;
        }
        let gp = (*mp).curg;
        (*mp).lockedg = 0;
        (*gp).lockedm = 0;
    }
}

/// Wire the calling goroutine to its thread: it runs only there, and
/// nothing else runs there, until as many UnlockOSThread calls.
pub fn LockOSThread() {
    // Before this thread is locked (and perhaps changed by its goroutine):
    // the thread new Ms are cloned from when their maker is locked.
    start_template_thread();
    let mp = getm();
    // SAFETY: on behalf of m.curg.
    unsafe {
        (*mp).lockedExt = (*mp).lockedExt.wrapping_add(1);
        if (*mp).lockedExt == 0 {
            (*mp).lockedExt = u32::MAX;
            crate::fatal::fatal_user("LockOSThread nesting overflow");
        }
    }
    dolockOSThread();
}

pub fn UnlockOSThread() {
    let mp = getm();
    // SAFETY: on behalf of m.curg.
    unsafe {
        if (*mp).lockedExt == 0 {
            return;
        }
        (*mp).lockedExt -= 1;
    }
    dounlockOSThread();
}

/// The runtime's own (internal) lock of a goroutine to its thread.
pub fn rt_lockOSThread() {
    // SAFETY: on behalf of m.curg.
    unsafe { (*getm()).lockedInt += 1 };
    dolockOSThread();
}

pub fn rt_unlockOSThread() {
    let mp = getm();
    // SAFETY: on behalf of m.curg.
    unsafe {
        if (*mp).lockedInt == 0 {
            crate::fatal::fatal_user("runtime: internal error: misuse of lockOSThread/unlockOSThread");
        }
        (*mp).lockedInt -= 1;
    }
    dounlockOSThread();
}
