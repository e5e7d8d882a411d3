//! The lock order, and its checker.
//!
//! Every runtime lock has a rank. A thread may acquire a lock only while
//! every lock it already holds has a lower rank (locks marked `nests` may
//! also be taken while holding another of the same rank: channels in a
//! select, in address order; two Ps' timers when a P retires). The table
//! below is the order, outermost first; HACKING.md explains each entry.
//!
//! The checker records, per m, the locks it holds (m.lockRank*: ranks and
//! addresses) and throws "lock ordering problem" when an acquisition breaks
//! the order. It runs when the runtime is built with debug assertions, or
//! when GORT_LOCKRANK=1 is set at startup (`scripts/test` runs the
//! differential tests so); otherwise each lock pays one predictable
//! branch. A dying thread (fatal report in progress) is not checked.

use crate::layout::rt::m;
use core::sync::atomic::{AtomicBool, Ordering};

/// Lock ranks, outermost (acquired first) to innermost.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
#[repr(u8)]
pub enum Rank {
    /// Not checked: syscall.Exec's lock (EXEC_LOCK) is held across Go code
    /// and may be released on another m.
    Unranked = 0,
    /// sysmon's round (sysmonlock).
    Sysmon,
    /// A collection (GC_LOCK): it stops the world and walks every table.
    Gc,
    /// Finalizer table and queue; held while the finalizer goroutine is
    /// created, and across its park.
    Finalizers,
    /// The collector's goroutines' park locks (forcegc, sweeper, scavenger).
    GcHelper,
    /// The parked assists' queue (gc/assist.rs), held across a park.
    AssistQueue,
    /// sync.Cond's wait lists (Go-side mutex words), held across a park.
    NotifyList,
    /// Semaphore buckets, held across a park.
    SemRoot,
    /// Channels (Go-side mutex words; several at once in select, taken in
    /// address order), held across a park.
    Hchan,
    /// A network poll descriptor.
    PollDesc,
    /// The poller's one-time initialisation.
    NetpollInit,
    /// The scheduler (sched.lock): idle Ms and Ps, the global run queue.
    Sched,
    /// A P's timer heap (two at once when a retiring P's timers move).
    Timers,
    /// The print lock (print statements, and sysmon's schedtrace, which
    /// lists every G while it holds it).
    Print,
    /// The free list of dead Gs.
    GFree,
    /// The free list of sudogs.
    SudogFree,
    /// The list of all Gs.
    AllGs,
    /// The itab table.
    Itab,
    /// reflect's run-time offsets.
    RuntimeOffs,
    /// bcache's registered caches.
    Caches,
    /// The collection history (MemStats).
    History,
    /// The pacer's measurements (gc/pacer.rs).
    Pacer,
    /// runtime.Pinner's table of pinned objects.
    Pins,
    /// The unswept span lists.
    Unswept,
    /// The central lists of spans with free objects.
    Central,
    /// Goroutine stack memory.
    StackPool,
    /// The page heap (arenas, spans).
    Heap,
    /// Closed poll descriptors.
    NetpollFree,
    /// The profiles' tables: bucket insertion, published memory-profile
    /// counts, block and mutex records, memory-profile records on objects
    /// (never two at once).
    Profile,
    /// The collector's shared grey queue (write barriers feed it from
    /// under any other lock).
    GcWork,
    /// The execution tracer's state (proc/trace.rs): taken inside
    /// casgstatus, under any other lock.
    Trace,
    /// Persistent memory (any table may grow while its lock is held).
    Persistent,
}

impl Rank {
    /// May a lock of this rank be taken while one of the same rank is held?
    pub const fn nests(self) -> bool {
        matches!(self, Rank::Hchan | Rank::Timers)
    }
}

/// Is the checker on?
static CHECKING: AtomicBool = AtomicBool::new(cfg!(debug_assertions));

/// Turn the checker on (startup, GORT_LOCKRANK=1).
pub fn enable() {
    CHECKING.store(true, Ordering::Relaxed);
}

/// GORT_LOCKRANK=selftest: prove the checker runs in this build by taking
/// two locks out of order, which must end in "lock ordering problem"
/// (scripts/test checks that it does).
pub fn selftest() {
    static INNER: crate::lock::Mutex = crate::lock::Mutex::new(Rank::Persistent);
    static OUTER: crate::lock::Mutex = crate::lock::Mutex::new(Rank::Gc);
    enable();
    INNER.lock();
    OUTER.lock();
    crate::fatal::throw("lock-order checker selftest: the checker did not run");
}

#[inline(always)]
pub fn checking() -> bool {
    CHECKING.load(Ordering::Relaxed)
}

/// The current m, if it is to be checked.
fn checked_m() -> Option<*mut m> {
    let gp = crate::gm::getg();
    if gp.is_null() {
        return None;
    }
    // SAFETY: a non-null g is this thread's, with a live m (or none yet).
    let mp = unsafe { (*gp).m };
    // SAFETY: mp is this thread's m.
    if mp.is_null() || unsafe { (*mp).dying } != 0 {
        return None;
    }
    Some(mp)
}

/// Record that the current thread is taking lock `addr` of rank `r`;
/// throw if it holds a lock of a higher rank (or of the same rank, unless
/// that rank nests).
#[cold]
pub fn acquire(addr: usize, r: Rank) {
    if r == Rank::Unranked {
        return;
    }
    let Some(mp) = checked_m() else { return };
    // SAFETY: the fields belong to this thread's m, which only this thread
    // (and its signal handler, which takes no runtime lock) touches.
    unsafe {
        let n = (*mp).lockRankLen as usize;
        for i in 0..n {
            let held = (*mp).lockRankRanks[i];
            if held > r as u8 || (held == r as u8 && !r.nests()) {
                report(mp, addr, r);
            }
        }
        if n < (*mp).lockRankRanks.len() {
            (*mp).lockRankRanks[n] = r as u8;
            (*mp).lockRankAddrs[n] = addr;
            (*mp).lockRankLen = n as u32 + 1;
        }
    }
}

/// Record that lock `addr` is released (it may have been taken before the
/// checker ran: then nothing is recorded).
#[cold]
pub fn release(addr: usize) {
    let Some(mp) = checked_m() else { return };
    // SAFETY: as for acquire.
    unsafe {
        let n = (*mp).lockRankLen as usize;
        if let Some(i) = (0..n).rev().find(|&i| (*mp).lockRankAddrs[i] == addr) {
            for j in i..n - 1 {
                (*mp).lockRankRanks[j] = (*mp).lockRankRanks[j + 1];
                (*mp).lockRankAddrs[j] = (*mp).lockRankAddrs[j + 1];
            }
            (*mp).lockRankLen = n as u32 - 1;
        }
    }
}

#[cold]
fn report(mp: *mut m, addr: usize, r: Rank) -> ! {
    let mut w = crate::fatal::Stderr;
    let _ = core::fmt::Write::write_fmt(&mut w, format_args!("runtime: lock ordering problem: acquiring {r:?} {addr:#x} while holding\n"));
    // SAFETY: this thread's m.
    unsafe {
        for i in 0..(*mp).lockRankLen as usize {
            // SAFETY: acquire records only Rank discriminants.
            let held = core::mem::transmute::<u8, Rank>((*mp).lockRankRanks[i]);
            let _ = core::fmt::Write::write_fmt(&mut w, format_args!("\t{held:?} {:#x}\n", (*mp).lockRankAddrs[i]));
        }
    }
    crate::fatal::throw("lock ordering problem")
}
