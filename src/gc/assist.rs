//! Assists: a goroutine that allocates while the collector marks owes
//! marking in proportion (mem/heap/malloc.rs charges g.gcAssistBytes; the
//! rtcall hook calls rt_gcAssist when it goes negative). It pays with the
//! background markers' surplus first (BG_CREDIT: what the mark workers and
//! idle processors scanned beyond what anyone was asked for), then by
//! scanning grey objects itself.
//!
//! An assist that still owes when it finds nothing to scan, while other
//! markers hold the rest of the grey objects, parks in a queue (the Go
//! side gopark()s): what the background markers scan next pays the queued
//! debts first, in the order they parked, and readies each goroutine paid;
//! the end of the cycle readies every one still queued. Allocation is thus
//! held back when marking cannot keep up, as upstream's assists are; an
//! assist that forgave itself the debt instead let the heap grow past its
//! goal under load. One that finds marking over (nothing grey, no other
//! marker) tells the Go side to end the cycle; if another is ending it
//! already, it waits in the queue for the end (rt_gcAssistWait), as
//! upstream's assists wait for mark termination: allocating on while the
//! world is being stopped took the heap 20% past its goal under load.
//!
//! A goroutine holding worldsema (m.preemptoff set) does not assist at all
//! (the rtcall hook does not ask it to), as upstream's do not: a parked
//! holder would keep the cycle from ending.

use super::stacks;
use crate::layout::rt::{self, g};
use crate::lock::Mutex;
use crate::pvec::PVec;
use crate::sched;
use crate::sysstat::Stat;
use core::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

/// What rt_gcAssist tells the Go side (asm/runtime/mgc.go: assist*).
pub const ASSIST_OK: u8 = 0;
/// Concurrent marking is over: end the cycle (rt_gcMarkDone).
pub const ASSIST_DONE: u8 = 1;
/// Still in debt with nothing to scan: parked in the queue (QUEUE_LOCK is
/// held; the park commit releases it).
pub const ASSIST_PARK: u8 = 2;

/// Bytes one assist call scans at most.
const ASSIST_MAX: usize = 512 << 10;

/// Bytes the background markers (workers, idle processors) scanned this
/// cycle that no assist has taken as payment yet.
static BG_CREDIT: AtomicI64 = AtomicI64::new(0);

/// The parked assists, in the order they parked: under QUEUE_LOCK, which a
/// parking goroutine holds until it is off its stack (so a goroutine found
/// here has parked). QUEUED is its length, read without the lock.
static QUEUE_LOCK: Mutex = Mutex::new(crate::lockrank::Rank::AssistQueue);
static QUEUE: crate::global::Global<PVec<usize>> = crate::global::Global::new(PVec::persistent(8, Stat::Gc));
static QUEUED: AtomicUsize = AtomicUsize::new(0);

/// A cycle starts marking (world stopped): no credit yet.
pub(super) fn cycle_started() {
    BG_CREDIT.store(0, Ordering::Relaxed);
}

/// The assist ratio as a divisor that cannot be zero.
fn per_byte(ratio: f64) -> f64 {
    ratio.max(1e-9)
}

/// The current goroutine allocated on credit during marking: pay (from
/// the rtcall hook) as many bytes of scanning as its debt times the assist
/// ratio. Returns ASSIST_OK (paid, or as much as one call pays: the rest
/// is asked for again at the next allocation), ASSIST_DONE (it found
/// concurrent marking over: the Go side ends the cycle, rather than wait
/// for a mark worker to get a processor while allocating goroutines keep
/// them all busy) or ASSIST_PARK.
pub fn rt_gcAssist() -> u8 {
    if !super::marking() {
        return ASSIST_OK;
    }
    let gp = crate::gm::curg();
    // SAFETY (every access to *gp below): gp is the current goroutine.
    if unsafe { (*gp).gcAssistBytes } >= 0 {
        return ASSIST_OK;
    }
    let ratio = super::assist_ratio();
    // A goroutine whose stack is unscanned scans it whatever the credit:
    // only its own assists can while it runs (stacks::scan_self).
    if !stacks::self_unscanned() && take_credit(gp, ratio) {
        return ASSIST_OK;
    }
    let debt = unsafe { -(*gp).gcAssistBytes };
    // One call scans at most ASSIST_MAX (a Rust call cannot be preempted:
    // a long one would delay a stop of the world and other goroutines).
    let want = ((debt as f64 * ratio) as usize + 64 * 1024).min(ASSIST_MAX);
    crate::tracehook::event(crate::tracehook::Ev::AssistBegin);
    let ((more, done), others, ns) = super::marker_turn(|m, _| {
        stacks::scan_self(m);
        super::claim_globals(m);
        let mut stacks_done = 0;
        stacks::scan_some(m, || {
            stacks_done += 1;
            stacks_done >= 4 || super::stw_pending()
        });
        m.drain_while(|scanned| scanned >= want || super::stw_pending())
    });
    crate::tracehook::event(crate::tracehook::Ev::AssistEnd);
    super::add_time(&super::ASSIST_NS, &super::ASSIST_NS_TOTAL, ns);
    unsafe { (*gp).gcAssistBytes += (done as f64 / per_byte(ratio)) as i64 };
    if done >= want || super::stw_pending() || unsafe { (*gp).gcAssistBytes } >= 0 {
        return ASSIST_OK;
    }
    // Nothing left to scan here.
    if !more && others == 0 && !super::marking_unfinished() {
        // Marking is over: the debt is moot.
        unsafe { (*gp).gcAssistBytes = 0 };
        return ASSIST_DONE;
    }
    park(gp)
}

/// Pay gp's debt from the background credit, as much as there is; true if
/// that paid all of it.
fn take_credit(gp: *mut g, ratio: f64) -> bool {
    // SAFETY: gp is the current goroutine.
    let owed = (unsafe { -(*gp).gcAssistBytes } as f64 * ratio) as i64;
    let mut credit = BG_CREDIT.load(Ordering::Relaxed);
    while credit > 0 {
        let take = credit.min(owed);
        match BG_CREDIT.compare_exchange_weak(credit, credit - take, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => {
                // SAFETY: as above.
                unsafe { (*gp).gcAssistBytes += (take as f64 / per_byte(ratio)) as i64 + 1 };
                return take >= owed;
            }
            Err(c) => credit = c,
        }
    }
    false
}

/// Queue the current goroutine gp to wait for credit: ASSIST_PARK with
/// QUEUE_LOCK held and the park prepared; or ASSIST_OK if marking ended or
/// credit arrived meanwhile (the next allocation asks again).
fn park(gp: *mut g) -> u8 {
    QUEUE_LOCK.lock();
    if !super::marking() || BG_CREDIT.load(Ordering::Relaxed) > 0 {
        QUEUE_LOCK.unlock();
        return ASSIST_OK;
    }
    // SAFETY: QUEUE_LOCK is held; gp is the current goroutine.
    unsafe { enqueue(gp) };
    ASSIST_PARK
}

/// The current goroutine found concurrent marking over (ASSIST_DONE) but
/// could not take worldsema to end the cycle (someone else is ending it,
/// or holds it for another stop of the world): park until the cycle ends
/// (true: QUEUE_LOCK held, the park prepared), rather than allocate on
/// meanwhile, as upstream's assists wait for mark termination; false if
/// the cycle has ended already.
pub fn rt_gcAssistWait() -> bool {
    QUEUE_LOCK.lock();
    if !super::marking() {
        QUEUE_LOCK.unlock();
        return false;
    }
    let gp = crate::gm::curg();
    // SAFETY: QUEUE is only used under QUEUE_LOCK; gp is the current
    // goroutine, whose debt is moot now.
    unsafe {
        (*gp).gcAssistBytes = 0;
        enqueue(gp);
    }
    true
}

/// Queue the current goroutine gp and prepare its park (QUEUE_LOCK held;
/// the park commit releases it).
///
/// # Safety
/// QUEUE_LOCK is held; gp is the current goroutine.
unsafe fn enqueue(gp: *mut g) {
    // SAFETY: per the function contract.
    let q = unsafe { QUEUE.get() };
    q.push(gp as usize);
    QUEUED.store(q.len(), Ordering::Release);
    sched::schedule::prepare_park(
        Some(sched::schedule::unlock_commit),
        &QUEUE_LOCK as *const Mutex as *mut u8,
        rt::waitReasonGCAssistWait as u8,
    );
}

/// A background marker scanned `bytes`: pay the parked assists' debts
/// with them, oldest first, readying each one paid in full (the caller has
/// a P); what is left over is credit for assists to come.
fn add_credit(bytes: usize) {
    if QUEUED.load(Ordering::Acquire) == 0 {
        BG_CREDIT.fetch_add(bytes as i64, Ordering::Relaxed);
        return;
    }
    // Credit left by others meanwhile pays too (an assist may have parked
    // just as it was added).
    let mut credit = bytes as i64 + BG_CREDIT.swap(0, Ordering::Relaxed);
    let ratio = super::assist_ratio();
    let mut ready: [*mut g; 16] = [core::ptr::null_mut(); 16];
    let mut n = 0;
    QUEUE_LOCK.lock();
    // SAFETY: QUEUE is only used under QUEUE_LOCK.
    let q = unsafe { QUEUE.get() };
    while n < q.len().min(ready.len()) && credit > 0 {
        let gp = q.get(n) as *mut g;
        // SAFETY: gp is parked (it is queued, and QUEUE_LOCK is held): its
        // fields are ours until it is readied.
        unsafe {
            let owed = (-(*gp).gcAssistBytes as f64 * ratio) as i64;
            if credit < owed {
                (*gp).gcAssistBytes += (credit as f64 / per_byte(ratio)) as i64;
                credit = 0;
                break;
            }
            credit -= owed.max(0);
            (*gp).gcAssistBytes = 0;
        }
        ready[n] = gp;
        n += 1;
    }
    remove_front(q, n);
    QUEUE_LOCK.unlock();
    if credit > 0 {
        BG_CREDIT.fetch_add(credit, Ordering::Relaxed);
    }
    for &gp in &ready[..n] {
        sched::schedule::ready_queued(gp);
    }
}

/// Drop the first n entries of the queue (QUEUE_LOCK held).
fn remove_front(q: &mut PVec<usize>, n: usize) {
    if n > 0 {
        let len = q.len();
        q.as_mut_slice().copy_within(n..len, 0);
        q.truncate(len - n);
    }
    QUEUED.store(q.len(), Ordering::Release);
}

/// Marking ended: make every parked assist runnable, queued for idle Ps
/// first (sched::runq::injectglist), not in the current P's runnext slot.
/// What they still owe is dropped when the next cycle starts
/// (stacks::prepare resets every goroutine's assist balance).
pub(super) fn release_all() {
    let mut list = sched::runq::GList::new();
    QUEUE_LOCK.lock();
    // SAFETY: QUEUE is only used under QUEUE_LOCK.
    let q = unsafe { QUEUE.get() };
    for i in 0..q.len() {
        list.push(q.get(i) as *mut g);
    }
    let n = q.len();
    remove_front(q, n);
    QUEUE_LOCK.unlock();
    sched::runq::injectglist(&mut list);
}

/// A background marker's drain: scan grey objects until `stop` says so
/// (mark::Marker::drain_while), paying for parked assists as it goes
/// (every CHUNK bytes while someone waits, so a parked assist does not
/// wait for the end of a millisecond's turn) and with the rest at the end.
/// Returns whether grey objects are left.
pub(super) fn drain_paying(m: &mut super::mark::Marker, mut stop: impl FnMut() -> bool) -> bool {
    const CHUNK: usize = 64 << 10;
    let mut paid = 0;
    let (more, scanned) = m.drain_while(|scanned| {
        if scanned - paid >= CHUNK && QUEUED.load(Ordering::Relaxed) != 0 {
            add_credit(scanned - paid);
            paid = scanned;
        }
        stop()
    });
    add_credit(scanned - paid);
    more
}
