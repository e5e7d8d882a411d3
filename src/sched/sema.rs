//! Semaphores and sync.Cond wait lists (package sync's runtime half), and
//! the spinning policy for sync.Mutex.
//!
//! A semaphore is a uint32 counter owned by Go code; waiters queue in one
//! of 251 buckets chosen by the counter's address, each a lock plus a FIFO
//! list of sudogs (LIFO insertion for sync.Mutex's starvation mode).
//! `nwait` lets Semrelease skip the lock when nobody waits. Waking a waiter
//! with `handoff` gives it the count directly (sudog.ticket = 1).

use crate::layout::rt::{notifyList, sudog};
use crate::lockrank::Rank;
use crate::lock::{Locked, Mutex};
use crate::sched::{self, acquire_sudog, curg, release_sudog};
use crate::sched::blockprof;
use crate::sched::schedule::prepare_park;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

pub use crate::time::nanotime;

const SEMTAB_SIZE: usize = 251;

/// A bucket's waiters: sudogs linked through next/prev.
struct SemQueue {
    head: *mut sudog,
    tail: *mut sudog,
}

// SAFETY: sudogs are runtime objects; the queue is reached under its lock.
unsafe impl Send for SemQueue {}

struct SemRoot {
    queue: Locked<SemQueue>,
    /// Waiters in the queue (read without the lock).
    nwait: AtomicU32,
}

static SEMTAB: [SemRoot; SEMTAB_SIZE] =
    [const { SemRoot { queue: Locked::new(Rank::SemRoot, SemQueue { head: null_mut(), tail: null_mut() }), nwait: AtomicU32::new(0) } }; SEMTAB_SIZE];

fn semroot(addr: *mut u32) -> &'static SemRoot {
    &SEMTAB[(addr as usize >> 3) % SEMTAB_SIZE]
}

fn counter(addr: *mut u32) -> &'static AtomicU32 {
    // SAFETY: addr is a live, aligned uint32 owned by Go code.
    unsafe { &*(addr as *const AtomicU32) }
}

/// Goroutines waiting in the bucket of addr's semaphore (a test hook:
/// upstream's SemNwait).
pub fn nwait(addr: *mut u32) -> u32 {
    semroot(addr).nwait.load(Ordering::SeqCst)
}

/// The holder of worldsema (which serialises the stops of the world:
/// collections' start and end, ReadMemStats, GOMAXPROCS...) is not
/// preempted until it releases it, as upstream's holders run with
/// m.preemptoff set: one preempted into the global run queue right after
/// acquiring it (on the way back from this file's Rust call) left every
/// goroutine that would end the collection's marking unable to take it
/// while it waited for the queue's turn, and allocation went on past the
/// heap goal meanwhile (gofmt under load: 300 ms of marking, the heap at
/// 25 MB for a 4 MB goal). Set here, in the call that acquires, so that
/// no preemption point lies between; holders do not park before they
/// release (each stops the world in one Rust call).
fn holding_worldsema(addr: *mut u32, held: bool) {
    if !is_worldsema(addr) {
        return;
    }
    const WHY: &[u8] = b"holding worldsema";
    // SAFETY: the current m, written only by its own thread.
    unsafe {
        let mp = sched::getm();
        (*mp).preemptoff = crate::layout::GoString { ptr: WHY.as_ptr(), len: if held { WHY.len() as isize } else { 0 } };
    }
}

fn is_worldsema(addr: *mut u32) -> bool {
    addr as usize == crate::links::links().worldsema
}

/// Take one from the counter if it is positive.
fn cansemacquire(addr: *mut u32) -> bool {
    let c = counter(addr);
    loop {
        let v = c.load(Ordering::Acquire);
        if v == 0 {
            return false;
        }
        if c.compare_exchange(v, v - 1, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            return true;
        }
    }
}

/// Take worldsema if it is free, without waiting (an assist that found
/// marking over ends the cycle itself only if nobody else is at it).
pub fn rt_tryAcquireWorldsema() -> bool {
    let addr = crate::links::links().worldsema as *mut u32;
    if cansemacquire(addr) {
        holding_worldsema(addr, true);
        return true;
    }
    false
}

/// First step of Semacquire: true if acquired; false if the goroutine
/// must park (gopark, then rt_semacquireFinish): the park's commit
/// ([`sema_park_commit`]) queues it, once it is off its stack.
/// `profile`: the wait counts in the block profile (package sync's waits,
/// not the runtime's own).
///
/// # Safety
/// `addr` is a live semaphore word (package sync's contract).
pub unsafe fn rt_semacquire(addr: *mut u32, lifo: bool, profile: bool, reason: u8) -> bool {
    if cansemacquire(addr) {
        holding_worldsema(addr, true);
        return true;
    }
    prepare_sema_park(addr, lifo, profile, reason);
    false
}

/// rt_semacquire's goroutine-stack fast path (src/base/leaf.rs): all of
/// it but for worldsema (whose holder's m is marked the ordinary way).
pub fn leaf_rt_semacquire(addr: *mut u32, lifo: bool, profile: bool, reason: u8) -> crate::leaf::Leaf {
    if is_worldsema(addr) {
        return crate::leaf::Leaf::DECLINE;
    }
    if cansemacquire(addr) {
        return crate::leaf::Leaf::one(1);
    }
    prepare_sema_park(addr, lifo, profile, reason);
    crate::leaf::Leaf::one(0)
}

/// The park's lock argument: the semaphore's address (4-byte aligned)
/// with the wait's flags in its low bits.
const PARK_LIFO: usize = 1;
const PARK_PROFILE: usize = 2;

fn prepare_sema_park(addr: *mut u32, lifo: bool, profile: bool, reason: u8) {
    let word = addr as usize | if lifo { PARK_LIFO } else { 0 } | if profile { PARK_PROFILE } else { 0 };
    prepare_park(Some(sema_park_commit), word as *mut u8, reason);
}

/// The commit of a semaphore wait's park, on the system stack once gp is
/// off its own: gp joins the queue for the semaphore, unless the count
/// went up meanwhile, when gp takes it and the park is called off (gp's
/// sudog then says it was handed the count). Queueing here rather than
/// before the park keeps the queue's lock for a few instructions, not
/// across the switch.
unsafe extern "C" fn sema_park_commit(gp: *mut crate::layout::rt::g, word: *mut u8) -> bool {
    let word = word as usize;
    let addr = (word & !(PARK_LIFO | PARK_PROFILE)) as *mut u32;
    let root = semroot(addr);
    let s = acquire_sudog();
    // SAFETY: s is ours until queued; gp is parked (or parking) and its
    // sudog fields are ours to set.
    unsafe {
        (*s).g = gp;
        (*s).elem = addr as *mut u8;
        (*gp).waiting = s;
    }
    let queued = root.queue.with(|q| {
        root.nwait.fetch_add(1, Ordering::SeqCst);
        if cansemacquire(addr) {
            root.nwait.fetch_sub(1, Ordering::SeqCst);
            return false;
        }
        // SAFETY: as above; the root's lock is held.
        unsafe {
            // sync.Mutex and RWMutex waits are timed for the mutex
            // profile, when it is on: from here to the wakeup.
            // (runtime/metrics' /sync/mutex/wait/total:seconds samples
            // them: stats::note_waiting.)
            (*s).acquiretime = if blockprof::mutex_profiling() && sched::stats::is_mutex_wait((*gp).waitreason) { nanotime() } else { 0 };
            (*s).releasetime = if word & PARK_PROFILE != 0 { blockprof::wait_start() } else { 0 };
            if word & PARK_LIFO != 0 && !q.head.is_null() {
                (*s).next = q.head;
                (*q.head).prev = s;
                q.head = s;
            } else {
                (*s).prev = q.tail;
                if q.tail.is_null() {
                    q.head = s;
                } else {
                    (*q.tail).next = s;
                }
                q.tail = s;
            }
        }
        true
    });
    if !queued {
        // SAFETY: s is still ours.
        unsafe { (*s).ticket = 1 };
    }
    queued
}

/// After waking from Semacquire: true if the count was handed to us.
/// `skipframes`: package sync's frames to leave out of the block
/// profile's stack, below the Go face's three (this trampoline,
/// semacquire1, the sync linkname).
pub fn rt_semacquireFinish(skipframes: isize) -> bool {
    let gp = curg();
    // SAFETY: gp.waiting is the sudog the waker dequeued.
    unsafe {
        let s = (*gp).waiting;
        (*gp).waiting = null_mut();
        blockprof::blocked(s, 3 + skipframes);
        let handed = (*s).ticket != 0;
        if handed {
            holding_worldsema((*s).elem as *mut u32, true);
        }
        (*s).elem = null_mut();
        release_sudog(s);
        handed
    }
}

/// rt_semacquireFinish's goroutine-stack fast path (src/base/leaf.rs): a
/// contended sync.Mutex comes through here at every wakeup. Declined when
/// the wait is to be profiled, when worldsema was handed over (its
/// holder's m is marked the ordinary way) and when the sudog cannot go
/// back to the P's cache without a lock.
pub fn leaf_rt_semacquireFinish(_skipframes: isize) -> crate::leaf::Leaf {
    let gp = curg();
    // SAFETY: gp.waiting is the sudog the waker dequeued.
    unsafe {
        let s = (*gp).waiting;
        let handed = (*s).ticket != 0;
        if (*s).releasetime != 0 || (handed && is_worldsema((*s).elem as *mut u32)) || !sched::sudog_release_is_quick(s) {
            return crate::leaf::Leaf::DECLINE;
        }
        (*gp).waiting = null_mut();
        (*s).elem = null_mut();
        sched::release_sudog_quick(s);
        crate::leaf::Leaf::one(handed as usize)
    }
}

/// Semrelease's first half: add one to the counter; true if somebody may
/// wait for it (then rt_semwake). The count goes up before the waiters are
/// counted: a waiter counts itself before it looks at the counter, so one
/// of the two sees the other.
///
/// # Safety
/// `addr` is a live semaphore word (package sync's contract).
pub unsafe fn rt_semadd(addr: *mut u32) -> bool {
    holding_worldsema(addr, false);
    add_one(addr)
}

/// Add one to addr's counter; true if somebody may wait for it.
fn add_one(addr: *mut u32) -> bool {
    counter(addr).fetch_add(1, Ordering::SeqCst);
    semroot(addr).nwait.load(Ordering::SeqCst) != 0
}

/// rt_semadd's goroutine-stack fast path: all of it but for worldsema
/// (whose holder's m is unmarked the ordinary way).
pub fn leaf_rt_semadd(addr: *mut u32) -> crate::leaf::Leaf {
    if is_worldsema(addr) {
        return crate::leaf::Leaf::DECLINE;
    }
    crate::leaf::Leaf::one(add_one(addr) as usize)
}

/// Semrelease's second half, after rt_semadd found waiters: wake the first
/// waiter for addr; true if the count was handed off and the caller should
/// yield to it. A waiter of sync.Mutex or RWMutex is charged to the caller
/// in the mutex profile, whose stack leaves out `skipframes` of package
/// sync's frames below the Go face's three (this trampoline, semrelease1,
/// the sync linkname).
///
/// # Safety
/// `addr` is a live semaphore word (package sync's contract).
pub unsafe fn rt_semwake(addr: *mut u32, handoff: bool, skipframes: isize) -> bool {
    let root = semroot(addr);
    let s = root.queue.with(|q| {
        if root.nwait.load(Ordering::SeqCst) == 0 {
            return null_mut();
        }
        dequeue(q, addr, &root.nwait)
    });
    if s.is_null() {
        return false;
    }
    let mut yield_now = false;
    // SAFETY: s was dequeued by us; its goroutine is parked (or parking:
    // it cannot run before its park commit released the root's lock).
    unsafe {
        if handoff && cansemacquire(addr) {
            (*s).ticket = 1;
            yield_now = (*sched::getm()).locks == 0;
        }
        let waited = if (*s).acquiretime != 0 { nanotime() - (*s).acquiretime } else { -1 };
        (*s).acquiretime = 0;
        blockprof::released(s);
        let gp = (*s).g;
        if waited >= 0 {
            blockprof::mutex_event(waited, 3 + skipframes);
        }
        sched::schedule::ready(gp);
    }
    yield_now
}

/// Take the first waiter for addr off q (its lock held); null if none.
fn dequeue(q: &mut SemQueue, addr: *mut u32, nwait: &AtomicU32) -> *mut sudog {
    let root = q;
    // SAFETY: the queue's sudogs are live; the caller holds its lock.
    unsafe {
        let mut s = root.head;
        while !s.is_null() && (*s).elem != addr as *mut u8 {
            s = (*s).next;
        }
        if !s.is_null() {
            if (*s).prev.is_null() {
                root.head = (*s).next;
            } else {
                (*(*s).prev).next = (*s).next;
            }
            if (*s).next.is_null() {
                root.tail = (*s).prev;
            } else {
                (*(*s).next).prev = (*s).prev;
            }
            (*s).next = null_mut();
            (*s).prev = null_mut();
            nwait.fetch_sub(1, Ordering::SeqCst);
        }
        s
    }
}

// ---- sync.Cond ----

fn notify_lock(l: *mut notifyList) -> &'static Mutex {
    // SAFETY: l.lock is the runtime mutex word of sync's notifyList.
    unsafe { Mutex::from_key_ranked(core::ptr::addr_of_mut!((*l).lock), Rank::NotifyList) }
}

/// a < b for ticket numbers that wrap.
fn less(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// First step of Cond.Wait with ticket t: false if already notified, true
/// if queued (park, then rt_notifyListFinish).
///
/// # Safety
/// `addr` is a live semaphore word and `l` a live notifyList (package
/// sync's contract).
pub unsafe fn rt_notifyListWait(l: *mut notifyList, t: u32) -> bool {
    let lock = notify_lock(l);
    lock.lock();
    // SAFETY: l is sync's live notifyList; its list is protected by its lock.
    unsafe {
        if less(t, (*(core::ptr::addr_of!((*l).notify) as *const AtomicU32)).load(Ordering::Acquire)) {
            lock.unlock();
            return false;
        }
        let s = acquire_sudog();
        let gp = curg();
        (*s).g = gp;
        (*s).ticket = t;
        (*s).releasetime = blockprof::wait_start();
        let tail = (*l).tail as *mut sudog;
        if tail.is_null() {
            (*l).head = s as *mut u8;
        } else {
            (*tail).next = s;
        }
        (*l).tail = s as *mut u8;
        (*gp).waiting = s;
    }
    prepare_park(Some(sched::schedule::unlock_commit), core::ptr::addr_of_mut!(unsafe { &mut *l }.lock) as *mut u8, crate::layout::rt::waitReasonSyncCondWait as u8);
    true
}

/// After waking from Cond.Wait (the block profile leaves out the Go
/// face's two frames: this trampoline and notifyListWait).
pub fn rt_notifyListFinish() {
    let gp = curg();
    // SAFETY: gp.waiting is our dequeued sudog.
    unsafe {
        let s = (*gp).waiting;
        (*gp).waiting = null_mut();
        blockprof::blocked(s, 2);
        release_sudog(s);
    }
}

fn wait_word(l: *mut notifyList) -> &'static AtomicU32 {
    // SAFETY: l.wait is a live uint32 updated atomically by Go code.
    unsafe { &*(core::ptr::addr_of_mut!((*l).wait) as *const AtomicU32) }
}

fn notify_word(l: *mut notifyList) -> &'static AtomicU32 {
    // SAFETY: as for wait_word.
    unsafe { &*(core::ptr::addr_of_mut!((*l).notify) as *const AtomicU32) }
}

/// # Safety
/// `addr` is a live semaphore word and `l` a live notifyList (package
/// sync's contract).
pub unsafe fn notifyListNotifyAll(l: *mut notifyList) {
    if wait_word(l).load(Ordering::Acquire) == notify_word(l).load(Ordering::Acquire) {
        return;
    }
    let lock = notify_lock(l);
    lock.lock();
    // SAFETY: under the list's lock.
    let mut s = unsafe {
        let s = (*l).head as *mut sudog;
        (*l).head = null_mut();
        (*l).tail = null_mut();
        s
    };
    notify_word(l).store(wait_word(l).load(Ordering::Acquire), Ordering::Release);
    lock.unlock();
    while !s.is_null() {
        // SAFETY: the detached list is ours.
        unsafe {
            let next = (*s).next;
            (*s).next = null_mut();
            blockprof::released(s);
            sched::schedule::ready((*s).g);
            s = next;
        }
    }
}

/// # Safety
/// `addr` is a live semaphore word and `l` a live notifyList (package
/// sync's contract).
pub unsafe fn notifyListNotifyOne(l: *mut notifyList) {
    if wait_word(l).load(Ordering::Acquire) == notify_word(l).load(Ordering::Acquire) {
        return;
    }
    let lock = notify_lock(l);
    lock.lock();
    let t = notify_word(l).load(Ordering::Acquire);
    if t == wait_word(l).load(Ordering::Acquire) {
        lock.unlock();
        return;
    }
    notify_word(l).store(t.wrapping_add(1), Ordering::Release);
    // SAFETY: under the list's lock.
    let found = unsafe {
        let mut prev: *mut sudog = null_mut();
        let mut s = (*l).head as *mut sudog;
        while !s.is_null() && (*s).ticket != t {
            prev = s;
            s = (*s).next;
        }
        if !s.is_null() {
            let n = (*s).next;
            if prev.is_null() {
                (*l).head = n as *mut u8;
            } else {
                (*prev).next = n;
            }
            if (*l).tail as *mut sudog == s {
                (*l).tail = prev as *mut u8;
            }
            (*s).next = null_mut();
        }
        s
    };
    lock.unlock();
    if !found.is_null() {
        blockprof::released(found);
        // SAFETY: dequeued by us; its goroutine has parked (see semrelease).
        unsafe { sched::schedule::ready((*found).g) };
    }
}

/// sync checks at init that its notifyList matches the runtime's.
pub fn notifyListCheck(sz: usize) {
    if sz != core::mem::size_of::<notifyList>() {
        crate::fatal::throw("bad notifyList size");
    }
}

// ---- sync.Mutex spinning, sync.Pool ----

/// Spinning is worth it only on a multicore machine with other Ps running
/// (the holder may be one of them), and only for a few iterations.
///
/// The first iteration spins even when goroutines wait in our P's queue;
/// later ones only when it is empty (upstream asks for an empty queue
/// from the first). A park costs a switch now and a wakeup later, and a
/// contended lock is usually free again within one round of doSpin; the
/// goroutines in our queue are often waiters for the same lock, readied
/// by our own Unlocks, that would only contend in turn. Measured on the
/// mutex benchmark (8 goroutines, 2 Ps): semaphore parks per 2M ops
/// ~11.6k -> ~1.3k, starvation-mode entries 32 -> 12, ns/op 0.68x of
/// the upstream rule's. One round is at most 30 PAUSEs of waste when the
/// holder is not running.
/// `GORT_SPIN=upstream` restores upstream's rule (for comparing the two).
pub fn canSpin(i: isize) -> bool {
    const ACTIVE_SPIN: isize = 4;
    let procs = sched::GOMAXPROCS_N.load(Ordering::Relaxed);
    let busy_elsewhere = sched::npidle() + sched::sched().nmspinning.load(Ordering::Relaxed) as i64 + 1;
    if i >= ACTIVE_SPIN || sched::NCPU.load(Ordering::Relaxed) <= 1 || procs <= busy_elsewhere {
        return false;
    }
    (i == 0 && !SPIN_LIKE_UPSTREAM.load(Ordering::Relaxed)) || sched::runq::runq_empty(sched::curp())
}

/// GORT_SPIN=upstream: canSpin asks for an empty queue from the first
/// iteration, as upstream's does.
static SPIN_LIKE_UPSTREAM: AtomicBool = AtomicBool::new(false);

/// Read GORT_SPIN (`gort`, the default, or `upstream`) at startup.
pub fn init() {
    match crate::env::getenv(b"GORT_SPIN") {
        None | Some(b"gort") => {}
        Some(b"upstream") => SPIN_LIKE_UPSTREAM.store(true, Ordering::Relaxed),
        Some(_) => crate::fatal::throw("GORT_SPIN: want 'gort' or 'upstream'"),
    }
}

pub fn doSpin() {
    for _ in 0..30 {
        core::hint::spin_loop();
    }
}

/// The goroutine-stack fast paths of canSpin and doSpin (src/base/leaf.rs):
/// sync.Mutex asks at every contended Lock; a switch to the system stack
/// would cost more than the spin itself.
pub fn leaf_canSpin(i: isize) -> crate::leaf::Leaf {
    crate::leaf::Leaf::one(canSpin(i) as usize)
}

pub fn leaf_doSpin() -> crate::leaf::Leaf {
    doSpin();
    crate::leaf::Leaf::one(0)
}
