//! Goroutine stacks during a concurrent mark: scanned one at a time while
//! the program runs, as upstream's are.
//!
//! When a cycle starts (world stopped) every goroutine is marked
//! unscanned (g.gcscandone) and the number of goroutines noted; markers
//! (workers, assists, idle Ps) then take goroutines by index. A goroutine
//! that is not running (runnable, waiting, preempted) is claimed with the
//! scan bit on its status, which holds every status change (casgstatus
//! waits) until the scan is over; its stack and the runtime's pointers
//! for it are scanned, and it is marked scanned. A running goroutine, or
//! one in a system call, goes on a retry list, tried again later; mark
//! termination (world stopped) scans whatever is left. Goroutines created
//! during the mark count as scanned (gcscandone set by newproc; their
//! closure is shaded).
//!
//! A scanned goroutine whose stack is mostly unused gets a smaller one
//! (`shrink`), while it is still claimed: not when it is stopped at an
//! asynchronous preemption (its innermost frame has no exact pointer map),
//! in a system call, or between queueing on a channel and parking (a waker
//! could write into its stack meanwhile); a goroutine blocked on channels
//! is moved with their locks held, since wakers copy values into its
//! stack. GODEBUG=gcshrinkstackoff=1 turns shrinking off.
//!
//! Why no stack needs a second look: every pointer store outside stacks
//! shades both the old and the new pointer (mem/wb.rs), and the runtime's
//! copies into another goroutine's stack shade what they copy.

use super::mark::Marker;
use crate::gm::{self, G_DEAD, G_IDLE, G_PREEMPTED, G_RUNNABLE, G_WAITING};
use crate::layout::rt::g;
use crate::lock::Locked;
use crate::pvec::PVec;
use crate::sysstat::Stat;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Goroutines to scan this cycle (indices into the list of all Gs).
static TOTAL: AtomicUsize = AtomicUsize::new(0);
/// The next index to take.
static NEXT: AtomicUsize = AtomicUsize::new(0);
/// Goroutines that could not be claimed yet.
static RETRY: Locked<PVec<usize>> = Locked::new(crate::lockrank::Rank::GcWork, PVec::mapped(Stat::Gc));

/// With the world stopped, as a cycle starts: every goroutine unscanned.
pub fn prepare() {
    let mut n = 0;
    gm::for_each_g(|gp| {
        // SAFETY: gp is a live G; the world is stopped.
        unsafe {
            (*gp).gcscandone = false;
            // Assist debts and credit are per cycle (gc/assist.rs).
            (*gp).gcAssistBytes = 0;
        }
        n += 1;
    });
    RETRY.with(|r| r.truncate(0));
    TOTAL.store(n, Ordering::Relaxed);
    NEXT.store(0, Ordering::Release);
}

/// Scan gp if it is unscanned and can be claimed now; false if it must
/// be tried again (it runs, or is in a system call).
fn scan_one(m: &mut Marker, gp: *mut g) -> bool {
    let st = gm::gstatus(gp);
    match st {
        G_DEAD | G_IDLE => true,
        G_RUNNABLE | G_WAITING | G_PREEMPTED => {
            if !gm::scan_claim(gp, st) {
                return false;
            }
            // SAFETY: gp is claimed: it cannot run or change status until
            // released, so its stack and fields hold still.
            unsafe {
                if !(*gp).gcscandone {
                    note_scan(gp, st);
                    m.mark_goroutine(gp);
                    (*gp).gcscandone = true;
                    shrink(gp, true);
                }
            }
            gm::scan_release(gp, st);
            true
        }
        // A running goroutine is asked to yield, so that a later pass
        // finds it runnable (one that neither blocks nor allocates would
        // otherwise wait for mark termination).
        // SAFETY: gp is a live G (a racy read: a stale true means someone
        // else scanned it).
        gm::G_RUNNING if !unsafe { (*gp).gcscandone } => {
            if gp == gm::curg() {
                // The marker's own goroutine (a mark worker, an assist).
                return scan_self(m);
            }
            crate::sched::schedule::preempt_g(gp);
            false
        }
        // SAFETY: as above.
        _ => unsafe { (*gp).gcscandone },
    }
}

/// Give gp (just scanned, and held still: claimed, or the world stopped)
/// a smaller stack if it uses little of its own and moving it is safe now.
/// With the world stopped, a goroutine blocked on channels is left alone
/// (their locks are not taken then).
fn shrink(gp: *mut g, may_lock: bool) {
    if crate::settings::gcshrinkstackoff() {
        return;
    }
    // SAFETY: gp holds still, as the caller says; the checks are
    // crate::stack::shrink's contract.
    unsafe {
        if (*gp).syscallsp != 0 || (*gp).asyncSafePoint || (*gp).parkingOnChan.load(Ordering::Relaxed) {
            return;
        }
        if (*gp).waiting.is_null() {
            crate::stack::shrink(gp);
        } else if may_lock {
            // SAFETY: the channels' locks hold wakers off the sudogs.
            crate::sched::chan::with_waiting_chans_locked(gp, || crate::stack::shrink(gp));
        }
    }
}

/// A marker's share: scan goroutines until `enough` (asked after each) or
/// none is left to take; then give the retry list one pass. True if any
/// goroutine was looked at.
pub fn scan_some(m: &mut Marker, mut enough: impl FnMut() -> bool) -> bool {
    let total = TOTAL.load(Ordering::Acquire);
    let mut did = false;
    loop {
        let i = NEXT.fetch_add(1, Ordering::AcqRel);
        if i >= total {
            break;
        }
        did = true;
        let gp = gm::allg_at(i);
        if !scan_one(m, gp) {
            RETRY.with(|r| r.push(gp as usize));
        }
        if enough() {
            return true;
        }
    }
    // The retry list, once: take what is there, put back what still fails.
    let mut pending: [usize; 32] = [0; 32];
    let n = RETRY.with(|r| {
        let mut n = 0;
        while n < pending.len() {
            match r.pop() {
                Some(p) => {
                    pending[n] = p;
                    n += 1;
                }
                None => break,
            }
        }
        n
    });
    for &p in &pending[..n] {
        did = true;
        if !scan_one(m, p as *mut g) {
            RETRY.with(|r| r.push(p));
        }
    }
    did
}

/// An assist scans its own goroutine's stack, if this cycle has not yet:
/// the goroutine runs, so no other marker may (they leave running
/// goroutines for later), and one that never blocks would otherwise be
/// scanned only at mark termination, with the world stopped, along with
/// everything only its stack reaches. The goroutine is away in the runtime
/// (its context saved by rtcall at a call site), so its frames hold still;
/// its stack is not shrunk (its trampolines' frames are live).
/// Returns whether it scanned.
pub fn scan_self(m: &mut Marker) -> bool {
    if !self_unscanned() {
        return false;
    }
    let gp = gm::curg();
    // SAFETY: gp is the current goroutine (self_unscanned: running, out of
    // system calls); its gcscandone is written only by a marker that scans
    // it, and none but this one can while it runs.
    unsafe {
        note_scan(gp, gm::G_RUNNING);
        m.mark_goroutine(gp);
        (*gp).gcscandone = true;
    }
    true
}

/// Is the current goroutine one that scan_self would scan?
pub fn self_unscanned() -> bool {
    let gp = gm::curg();
    // SAFETY: gp is the current goroutine (racy reads of its own fields).
    unsafe { !gp.is_null() && !(*gp).gcscandone && gm::gstatus(gp) == gm::G_RUNNING && (*gp).syscallsp == 0 }
}

/// Are goroutines left that no marker has taken yet?
pub fn untaken() -> bool {
    NEXT.load(Ordering::Acquire) < TOTAL.load(Ordering::Acquire)
}

/// Is a running goroutine (asked to yield) on the retry list, unscanned?
/// Marking is not over before it is scanned: what only its stack reaches
/// would otherwise be marked at mark termination, with the world stopped.
/// Goroutines in system calls, which may stay there indefinitely, are left
/// to mark termination.
pub fn running_unscanned() -> bool {
    RETRY.with(|r| {
        r.as_slice().iter().any(|&p| {
            let gp = p as *mut g;
            let st = gm::gstatus(gp);
            // SAFETY: gp is a live G (a racy read: a stale false means
            // someone is scanning it now).
            st != gm::G_SYSCALL && st != G_DEAD && !unsafe { (*gp).gcscandone }
        })
    })
}

/// Mark termination (world stopped): scan every goroutine still unscanned.
pub fn scan_rest(m: &mut Marker) {
    let total = TOTAL.load(Ordering::Acquire);
    for i in 0..total {
        let gp = gm::allg_at(i);
        // SAFETY: the world is stopped: no goroutine runs.
        unsafe {
            let st = gm::gstatus(gp);
            if !(*gp).gcscandone && st != G_DEAD && st != G_IDLE {
                note_scan(gp, st | 0x1000);
                m.mark_goroutine(gp);
                (*gp).gcscandone = true;
                if matches!(st, G_RUNNABLE | G_WAITING | G_PREEMPTED) {
                    shrink(gp, false);
                }
            }
        }
    }
    NEXT.store(total, Ordering::Release);
    RETRY.with(|r| r.free());
}

/// Where each goroutine was when this cycle scanned it (checkmark's
/// reports only): goid, status (0x1000: at mark termination), pc, sp.
static SCANNED_AT: Locked<[[usize; 4]; 256]> = Locked::new(crate::lockrank::Rank::GcWork, [[0; 4]; 256]);

fn note_scan(gp: *mut g, st: u32) {
    if !crate::gc::checkmark_enabled() {
        return;
    }
    // SAFETY: gp is claimed (or the world is stopped).
    let (goid, pc, sp) = unsafe { ((*gp).goid as usize, (*gp).sched.pc, (*gp).sched.sp) };
    SCANNED_AT.with(|t| t[goid % 256] = [goid, st as usize, pc, sp]);
}

/// checkmark: say where the concurrent mark scanned gp.
pub fn report_scan(gp: *mut g) {
    // SAFETY: gp is a live G (world stopped).
    let goid = unsafe { (*gp).goid } as usize;
    let e = SCANNED_AT.with(|t| t[goid % 256]);
    if e[0] != goid {
        crate::gprint!(b"runtime: checkmark: no record of this cycle's scan of it\n");
        return;
    }
    crate::gprint!(b"runtime: checkmark: scanned this cycle with status ", crate::print::Hex(e[1] as u64), b" at pc ");
    match crate::symtab::findfunc(e[2]) {
        Some(f) => {
            crate::traceback::print_func_name(f.name());
            crate::gprint!(b"+", crate::print::Hex((e[2] - f.entry()) as u64));
        }
        None => crate::gprint!(crate::print::Hex(e[2] as u64)),
    }
    crate::gprint!(b" sp ", crate::print::Hex(e[3] as u64), b"\n");
}
