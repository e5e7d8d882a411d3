//! The network poller (epoll), for internal/poll: files, pipes, sockets,
//! and the scheduler's way to sleep until the next timer.
//!
//! A descriptor registered with pollOpen gets a `Desc` (internal/poll's
//! opaque *pollDesc), registered edge-triggered for reading and writing.
//! Each direction has a semaphore word, `rg`/`wg`: 0 (nothing), READY (an
//! event arrived, not yet consumed), WAIT (a goroutine is about to park) or
//! the parked goroutine itself. A goroutine waiting for I/O parks with a
//! commit that moves WAIT to itself; the poller (netpoll, run by an M in
//! the scheduler, by sysmon, or blocking with a timeout by an idle M)
//! turns events into READY and collects the parked goroutines to run.
//! Deadlines are runtime timers that unblock the waiter with a timeout;
//! `rseq`/`wseq` make late timers of replaced deadlines harmless.
//!
//! Descriptors are recycled, never freed; the epoll data word carries the
//! descriptor's address and a sequence number (`fdseq`, high 16 bits) so
//! that a stale event for a closed and reused descriptor is ignored.

use crate::layout::rt::{g, timer};
use crate::layout::Eface;
use crate::lockrank::Rank;
use crate::lock::{Locked, Mutex};
use crate::persistent;
use crate::sched;
use crate::sched::runq::GList;
use crate::sys;
use crate::timer::RtTimerFn;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicU32, AtomicUsize, Ordering};

/// The Go side's *pollDesc (opaque to Go).
#[allow(non_camel_case_types)]
type pollDesc = u8;

// internal/poll's error codes.
const POLL_NO_ERROR: isize = 0;
const POLL_ERR_CLOSING: isize = 1;
const POLL_ERR_TIMEOUT: isize = 2;
const POLL_ERR_NOT_POLLABLE: isize = 3;

const SYS_EPOLL_WAIT: usize = 232;
const SYS_EPOLL_CTL: usize = 233;
const SYS_EPOLL_CREATE1: usize = 291;
const SYS_EVENTFD2: usize = 290;
const EPOLL_CLOEXEC: usize = 0x80000;
const EFD_CLOEXEC: usize = 0x80000;
const EFD_NONBLOCK: usize = 0x800;
const EPOLL_CTL_ADD: usize = 1;
const EPOLL_CTL_DEL: usize = 2;
const EPOLLIN: u32 = 0x1;
const EPOLLOUT: u32 = 0x4;
const EPOLLERR: u32 = 0x8;
const EPOLLHUP: u32 = 0x10;
const EPOLLRDHUP: u32 = 0x2000;
const EPOLLET: u32 = 1 << 31;
const EINTR: isize = 4;

const PD_READY: usize = 1;
const PD_WAIT: usize = 2;

const TAG_SHIFT: u32 = 48;

/// A registered descriptor.
#[repr(C)]
struct Desc {
    fd: usize,
    /// Incremented on each reuse (tag of its epoll events).
    fdseq: AtomicUsize,
    /// Protects the deadline fields and timers.
    lock: Mutex,
    closing: AtomicBool,
    event_err: AtomicBool,
    rg: AtomicUsize,
    wg: AtomicUsize,
    rseq: usize,
    wseq: usize,
    /// Deadlines: 0 none, < 0 expired, > 0 absolute nanotime.
    rd: AtomicI64,
    wd: AtomicI64,
    rt: timer,
    wt: timer,
    rt_armed: bool,
    wt_armed: bool,
    next: *mut Desc,
}

static EPFD: AtomicI32 = AtomicI32::new(-1);
static EVENTFD: AtomicI32 = AtomicI32::new(-1);
static INIT_LOCK: Mutex = Mutex::new(Rank::NetpollInit);
static INITED: AtomicBool = AtomicBool::new(false);
/// A wakeup of a blocked netpoll is pending (coalesces netpoll_break).
static WAKE_SIG: AtomicU32 = AtomicU32::new(0);
/// Goroutines parked waiting for I/O.
static WAITERS: AtomicI32 = AtomicI32::new(0);
/// Closed descriptors for reuse (a list through Desc.next): descriptors
/// are never freed, so a stale event still finds one.
static FREE: Locked<FreeDescs> = Locked::new(Rank::NetpollFree, FreeDescs { head: null_mut() });

struct FreeDescs {
    head: *mut Desc,
}

// SAFETY: descriptors are runtime objects; the list head is reached only
// under its lock.
unsafe impl Send for FreeDescs {}

/// The epoll data word of the wakeup eventfd.
const EVENTFD_TAG: u64 = 1;

#[repr(C, packed)]
struct EpollEvent {
    events: u32,
    data: u64,
}

pub fn inited() -> bool {
    INITED.load(Ordering::Acquire)
}

pub fn any_waiters() -> bool {
    WAITERS.load(Ordering::Acquire) > 0
}

pub fn adjust_waiters(delta: i32) {
    if delta != 0 {
        WAITERS.fetch_add(delta, Ordering::AcqRel);
    }
}

/// Create the epoll instance and its wakeup eventfd (once).
pub fn init() {
    if inited() {
        return;
    }
    INIT_LOCK.lock();
    if !inited() {
        // SAFETY: system calls without pointers but the event below.
        unsafe {
            let ep = sys::syscall1(SYS_EPOLL_CREATE1, EPOLL_CLOEXEC);
            if ep < 0 {
                crate::gprint!(b"runtime: epollcreate failed with ", -ep, b"\n");
                crate::fatal::throw("runtime: netpollinit failed");
            }
            let efd = sys::syscall2(SYS_EVENTFD2, 0, EFD_CLOEXEC | EFD_NONBLOCK);
            if efd < 0 {
                crate::gprint!(b"runtime: eventfd failed with ", -efd, b"\n");
                crate::fatal::throw("runtime: eventfd failed");
            }
            let mut ev = EpollEvent { events: EPOLLIN, data: EVENTFD_TAG };
            let r = sys::syscall6(SYS_EPOLL_CTL, ep as usize, EPOLL_CTL_ADD, efd as usize, &mut ev as *mut EpollEvent as usize, 0, 0);
            if r < 0 {
                crate::gprint!(b"runtime: epollctl failed with ", -r, b"\n");
                crate::fatal::throw("runtime: epollctl failed");
            }
            EPFD.store(ep as i32, Ordering::Release);
            EVENTFD.store(efd as i32, Ordering::Release);
        }
        INITED.store(true, Ordering::Release);
    }
    INIT_LOCK.unlock();
}

/// Wake an M blocked in netpoll (coalesced).
pub fn netpoll_break() {
    if WAKE_SIG.compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire).is_err() {
        return;
    }
    let one: u64 = 1;
    loop {
        // SAFETY: writing 8 bytes from a local to our eventfd.
        let r = unsafe { sys::syscall3(sys::SYS_WRITE, EVENTFD.load(Ordering::Acquire) as usize, &one as *const u64 as usize, 8) };
        if r == 8 || r == -11 {
            // Written, or the counter is saturated (a wakeup is pending).
            return;
        }
        if r != -EINTR {
            crate::gprint!(b"runtime: netpollBreak write failed with ", -r, b"\n");
            crate::fatal::throw("runtime: netpollBreak write failed");
        }
    }
}

/// A timer due at `when` was added: make sure someone will run it.
pub fn wake_netpoller(when: i64) {
    let s = sched::sched();
    if s.lastpoll.load(Ordering::Acquire) == 0 {
        // An M is blocked in the poller: wake it if it would sleep past when.
        let until = s.poll_until.load(Ordering::Acquire);
        if until == 0 || until > when {
            netpoll_break();
        }
    } else {
        // Nobody polls: get an idle P running to handle the timer.
        sched::mthread::wakep();
    }
}

/// Poll for I/O readiness, blocking up to `delay` ns (< 0: forever, 0: not
/// at all). Returns the goroutines to run and the change in waiters.
pub fn netpoll(delay: i64) -> (GList, i32) {
    let mut list = GList::new();
    let mut delta = 0;
    let ep = EPFD.load(Ordering::Acquire);
    if ep < 0 {
        return (list, 0);
    }
    let waitms: i64 = if delay < 0 {
        -1
    } else if delay == 0 {
        0
    } else if delay < 1_000_000 {
        1
    } else if delay < 1_000_000_000_000_000 {
        delay / 1_000_000
    } else {
        1_000_000_000
    };
    let mut events: [EpollEvent; 128] = [const { EpollEvent { events: 0, data: 0 } }; 128];
    let n = loop {
        // SAFETY: events is a live array of 128 epoll_events.
        let n = unsafe { sys::syscall6(SYS_EPOLL_WAIT, ep as usize, events.as_mut_ptr() as usize, 128, waitms as usize, 0, 0) };
        if n >= 0 {
            break n as usize;
        }
        if n != -EINTR {
            crate::gprint!(b"runtime: epollwait on fd ", ep, b" failed with ", -n, b"\n");
            crate::fatal::throw("runtime: netpoll failed");
        }
        if waitms > 0 {
            // Interrupted while sleeping: let the caller recompute its wait.
            return (list, 0);
        }
    };
    for ev in &events[..n] {
        let (evs, data) = (ev.events, ev.data);
        if evs == 0 {
            continue;
        }
        if data == EVENTFD_TAG {
            if evs != EPOLLIN {
                crate::gprint!(b"runtime: netpoll: eventfd ready for ", evs, b"\n");
                crate::fatal::throw("runtime: netpoll: eventfd ready for something unexpected");
            }
            if delay != 0 {
                // A blocking poll consumes the wakeup; a non-blocking one
                // leaves it for the blocked poller.
                let mut buf = 0u64;
                // SAFETY: reading 8 bytes into a local.
                unsafe { sys::syscall3(sys::SYS_READ, EVENTFD.load(Ordering::Acquire) as usize, &mut buf as *mut u64 as usize, 8) };
                WAKE_SIG.store(0, Ordering::Release);
            }
            continue;
        }
        let mut mode = 0u8;
        if evs & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR) != 0 {
            mode |= 1;
        }
        if evs & (EPOLLOUT | EPOLLHUP | EPOLLERR) != 0 {
            mode |= 2;
        }
        if mode == 0 {
            continue;
        }
        let d = (data & ((1 << TAG_SHIFT) - 1)) as *mut Desc;
        let tag = (data >> TAG_SHIFT) as usize;
        // SAFETY: descriptors are never freed; the tag rejects stale events.
        unsafe {
            if (*d).fdseq.load(Ordering::Acquire) & 0xffff != tag {
                continue;
            }
            (*d).event_err.store(evs == EPOLLERR, Ordering::Release);
        }
        delta += ready(d, mode, &mut list);
    }
    (list, delta)
}

/// The poller saw d ready in `mode` (1 read, 2 write, 3 both): collect
/// the parked goroutines.
fn ready(d: *mut Desc, mode: u8, list: &mut GList) -> i32 {
    let mut delta = 0;
    if mode & 1 != 0 {
        let gp = unblock(d, true, true, &mut delta);
        if !gp.is_null() {
            list.push(gp);
        }
    }
    if mode & 2 != 0 {
        let gp = unblock(d, false, true, &mut delta);
        if !gp.is_null() {
            list.push(gp);
        }
    }
    delta
}

fn sem(d: *mut Desc, read: bool) -> &'static AtomicUsize {
    // SAFETY: d is a live descriptor.
    unsafe {
        if read {
            &(*d).rg
        } else {
            &(*d).wg
        }
    }
}

/// Take the goroutine parked on d (if any); with `ioready`, leave READY
/// behind for the next waiter.
fn unblock(d: *mut Desc, read: bool, ioready: bool, delta: &mut i32) -> *mut g {
    let gpp = sem(d, read);
    loop {
        let old = gpp.load(Ordering::Acquire);
        if old == PD_READY {
            return null_mut();
        }
        if old == 0 && !ioready {
            return null_mut();
        }
        let new = if ioready { PD_READY } else { 0 };
        if gpp.compare_exchange(old, new, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            if old == PD_WAIT || old == 0 {
                return null_mut();
            }
            *delta -= 1;
            return old as *mut g;
        }
    }
}

fn desc(pd: *mut pollDesc) -> *mut Desc {
    pd as *mut Desc
}

fn check_err(d: *mut Desc, read: bool) -> isize {
    // SAFETY: d is a live descriptor.
    unsafe {
        if (*d).closing.load(Ordering::Acquire) {
            return POLL_ERR_CLOSING;
        }
        let dl = if read { (*d).rd.load(Ordering::Acquire) } else { (*d).wd.load(Ordering::Acquire) };
        if dl < 0 {
            return POLL_ERR_TIMEOUT;
        }
        if read && (*d).event_err.load(Ordering::Acquire) {
            return POLL_ERR_NOT_POLLABLE;
        }
    }
    POLL_NO_ERROR
}

fn is_read(mode: isize) -> bool {
    mode == b'r' as isize
}

// ---- internal/poll's hooks ----

pub fn poll_runtime_pollServerInit() {
    init();
}

pub fn poll_runtime_pollOpen(fd: usize) -> (*mut pollDesc, isize) {
    let d = FREE.with(|free| {
        let d = free.head;
        if d.is_null() {
            persistent::new::<Desc>()
        } else {
            // SAFETY: d heads the free list.
            free.head = unsafe { (*d).next };
            d
        }
    });
    // SAFETY: d is ours until pollClose.
    let tag = unsafe {
        let dr = &mut *d;
        dr.lock.set_rank(Rank::PollDesc);
        dr.lock.lock();
        let w = dr.wg.load(Ordering::Acquire);
        if w != 0 && w != PD_READY {
            crate::fatal::throw("runtime: blocked write on free polldesc");
        }
        let r = dr.rg.load(Ordering::Acquire);
        if r != 0 && r != PD_READY {
            crate::fatal::throw("runtime: blocked read on free polldesc");
        }
        dr.fd = fd;
        if dr.fdseq.load(Ordering::Relaxed) == 0 {
            dr.fdseq.store(1, Ordering::Relaxed);
        }
        dr.closing.store(false, Ordering::Release);
        dr.event_err.store(false, Ordering::Release);
        dr.rseq = dr.rseq.wrapping_add(1);
        dr.rg.store(0, Ordering::Release);
        dr.rd.store(0, Ordering::Release);
        dr.wseq = dr.wseq.wrapping_add(1);
        dr.wg.store(0, Ordering::Release);
        dr.wd.store(0, Ordering::Release);
        dr.next = null_mut();
        let tag = dr.fdseq.load(Ordering::Relaxed) & 0xffff;
        dr.lock.unlock();
        tag
    };
    let mut ev = EpollEvent { events: EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, data: d as u64 | (tag as u64) << TAG_SHIFT };
    // SAFETY: ev is a live epoll_event.
    let r = unsafe { sys::syscall6(SYS_EPOLL_CTL, EPFD.load(Ordering::Acquire) as usize, EPOLL_CTL_ADD, fd, &mut ev as *mut EpollEvent as usize, 0, 0) };
    if r < 0 {
        free(d);
        return (null_mut(), -r);
    }
    (d as *mut pollDesc, 0)
}

fn free(d: *mut Desc) {
    // SAFETY: d is no longer used by anyone; the new sequence number makes
    // its pending events stale.
    unsafe { (*d).fdseq.fetch_add(1, Ordering::AcqRel) };
    FREE.with(|free| {
        // SAFETY: d is ours to give back.
        unsafe { (*d).next = free.head };
        free.head = d;
    });
}

/// # Safety
/// `pd` is a descriptor pollOpen returned and pollClose has not freed
/// (internal/poll's contract).
pub unsafe fn poll_runtime_pollClose(pd: *mut pollDesc) {
    let d = desc(pd);
    // SAFETY: d is a live descriptor.
    unsafe {
        if !(*d).closing.load(Ordering::Acquire) {
            crate::fatal::throw("runtime: close polldesc w/o unblock");
        }
        let w = (*d).wg.load(Ordering::Acquire);
        if w != 0 && w != PD_READY {
            crate::fatal::throw("runtime: blocked write on closing polldesc");
        }
        let r = (*d).rg.load(Ordering::Acquire);
        if r != 0 && r != PD_READY {
            crate::fatal::throw("runtime: blocked read on closing polldesc");
        }
        let mut ev = EpollEvent { events: 0, data: 0 };
        sys::syscall6(SYS_EPOLL_CTL, EPFD.load(Ordering::Acquire) as usize, EPOLL_CTL_DEL, (*d).fd, &mut ev as *mut EpollEvent as usize, 0, 0);
    }
    free(d);
}

/// # Safety
/// `pd` is a descriptor pollOpen returned and pollClose has not freed
/// (internal/poll's contract).
pub unsafe fn poll_runtime_pollReset(pd: *mut pollDesc, mode: isize) -> isize {
    let d = desc(pd);
    let e = check_err(d, is_read(mode));
    if e != POLL_NO_ERROR {
        return e;
    }
    sem(d, is_read(mode)).store(0, Ordering::Release);
    POLL_NO_ERROR
}

/// Park commit of a poll wait: publish the goroutine in the semaphore
/// word, unless readiness or an unblock came first.
unsafe extern "C" fn block_commit(gp: *mut g, gpp: *mut u8) -> bool {
    // SAFETY: gpp is a descriptor's rg or wg word.
    let w = unsafe { &*(gpp as *const AtomicUsize) };
    let ok = w.compare_exchange(PD_WAIT, gp as usize, Ordering::AcqRel, Ordering::Acquire).is_ok();
    if ok {
        WAITERS.fetch_add(1, Ordering::AcqRel);
    }
    ok
}

/// First step of internal/poll's runtime_pollWait: (result, park). With
/// park, the goroutine is set to wait (mcall(mcallPark) next, then
/// rt_pollWaitFinish).
///
/// # Safety
/// `pd` is a descriptor pollOpen returned and pollClose has not freed
/// (internal/poll's contract).
pub unsafe fn rt_pollWait(pd: *mut pollDesc, mode: isize) -> (isize, bool) {
    let d = desc(pd);
    let read = is_read(mode);
    let e = check_err(d, read);
    if e != POLL_NO_ERROR {
        return (e, false);
    }
    let gpp = sem(d, read);
    loop {
        if gpp.compare_exchange(PD_READY, 0, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            return (POLL_NO_ERROR, false);
        }
        match gpp.compare_exchange(0, PD_WAIT, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => break,
            Err(v) if v != PD_READY && v != 0 => crate::fatal::throw("runtime: double wait"),
            Err(_) => {}
        }
    }
    // Re-check errors now that we are committed to waiting: a deadline or
    // close between the first check and WAIT would otherwise be missed.
    let e = check_err(d, read);
    if e != POLL_NO_ERROR {
        let old = gpp.swap(0, Ordering::AcqRel);
        if old > PD_WAIT {
            crate::fatal::throw("runtime: corrupted polldesc");
        }
        return (if old == PD_READY { POLL_NO_ERROR } else { e }, false);
    }
    sched::schedule::prepare_park(Some(block_commit), gpp as *const AtomicUsize as *mut u8, crate::layout::rt::waitReasonIOWait as u8);
    (POLL_NO_ERROR, true)
}

/// After a poll wait's park: 0 (ready), an error code, or -1 (woken
/// without readiness or error: wait again).
///
/// # Safety
/// `pd` is a descriptor pollOpen returned and pollClose has not freed
/// (internal/poll's contract).
pub unsafe fn rt_pollWaitFinish(pd: *mut pollDesc, mode: isize) -> isize {
    let d = desc(pd);
    let read = is_read(mode);
    let old = sem(d, read).swap(0, Ordering::AcqRel);
    if old > PD_WAIT {
        crate::fatal::throw("runtime: corrupted polldesc");
    }
    if old == PD_READY {
        return POLL_NO_ERROR;
    }
    let e = check_err(d, read);
    if e != POLL_NO_ERROR {
        return e;
    }
    -1
}

static READ_DEADLINE: RtTimerFn = RtTimerFn::new(|arg, seq| deadline_fired(arg.data as *mut Desc, seq, true));
static WRITE_DEADLINE: RtTimerFn = RtTimerFn::new(|arg, seq| deadline_fired(arg.data as *mut Desc, seq, false));

/// After unblocking (descriptor unlocked): run the reader and the writer
/// woken, if any, and account for the waiters they were.
fn ready_both(rg: *mut g, wg: *mut g, delta: i32) {
    if !rg.is_null() {
        sched::schedule::ready(rg);
    }
    if !wg.is_null() {
        sched::schedule::ready(wg);
    }
    adjust_waiters(delta);
}

/// Stop one direction's deadline timer if it is armed (descriptor locked).
fn disarm(t: &mut timer, armed: &mut bool) {
    if *armed {
        // SAFETY: t is the descriptor's own deadline timer (locked).
        unsafe { crate::timer::stopTimer(t) };
        *armed = false;
    }
}

/// Replace one direction's deadline timer (descriptor locked): a new
/// sequence number makes a late firing of the old one harmless; a timer is
/// armed only for a deadline in the future (when > 0).
fn set_deadline_timer(d: *mut Desc, t: &mut timer, armed: &mut bool, seq: &mut usize, when: i64, f: &'static RtTimerFn) {
    *seq = seq.wrapping_add(1);
    disarm(t, armed);
    if when > 0 {
        let arg = Eface { typ: null_mut(), data: d as *mut u8 };
        // SAFETY: t is the descriptor's own deadline timer (locked).
        unsafe { crate::timer::rt_timer_start(t, when, f, arg, *seq) };
        *armed = true;
    }
}

fn deadline_fired(d: *mut Desc, seq: usize, read: bool) {
    let mut delta = 0;
    // SAFETY: d is a live descriptor; its lock protects the deadline state.
    let gp = unsafe {
        let dr = &mut *d;
        dr.lock.lock();
        let cur = if read { dr.rseq } else { dr.wseq };
        if seq != cur {
            // A deadline replaced since this timer was set.
            dr.lock.unlock();
            return;
        }
        if read {
            dr.rd.store(-1, Ordering::Release);
            dr.rt_armed = false;
        } else {
            dr.wd.store(-1, Ordering::Release);
            dr.wt_armed = false;
        }
        let gp = unblock(d, read, false, &mut delta);
        dr.lock.unlock();
        gp
    };
    if !gp.is_null() {
        sched::schedule::ready(gp);
    }
    adjust_waiters(delta);
}

/// Set the read and/or write deadline: d is relative (ns from now), 0 for
/// none, negative for already expired.
///
/// # Safety
/// `pd` is a descriptor pollOpen returned and pollClose has not freed
/// (internal/poll's contract).
pub unsafe fn poll_runtime_pollSetDeadline(pd: *mut pollDesc, dl: i64, mode: isize) {
    let d = desc(pd);
    let mut when = dl;
    if when > 0 {
        when = when.wrapping_add(crate::time::nanotime());
        if when <= 0 {
            when = i64::MAX;
        }
    }
    let set_read = mode == b'r' as isize || mode == (b'r' + b'w') as isize;
    let set_write = mode == b'w' as isize || mode == (b'r' + b'w') as isize;
    let mut delta = 0;
    // SAFETY: d is a live descriptor; its lock protects the deadline state.
    let (rg, wg) = unsafe {
        let dr = &mut *d;
        dr.lock.lock();
        if dr.closing.load(Ordering::Acquire) {
            dr.lock.unlock();
            return;
        }
        if set_read {
            dr.rd.store(when, Ordering::Release);
            set_deadline_timer(d, &mut dr.rt, &mut dr.rt_armed, &mut dr.rseq, when, &READ_DEADLINE);
        }
        if set_write {
            dr.wd.store(when, Ordering::Release);
            set_deadline_timer(d, &mut dr.wt, &mut dr.wt_armed, &mut dr.wseq, when, &WRITE_DEADLINE);
        }
        // A deadline in the past unblocks current waiters.
        let rg = if dr.rd.load(Ordering::Acquire) < 0 { unblock(d, true, false, &mut delta) } else { null_mut() };
        let wg = if dr.wd.load(Ordering::Acquire) < 0 { unblock(d, false, false, &mut delta) } else { null_mut() };
        dr.lock.unlock();
        (rg, wg)
    };
    ready_both(rg, wg, delta);
}

/// The descriptor is being closed: wake its waiters (they see "closing").
///
/// # Safety
/// `pd` is a descriptor pollOpen returned and pollClose has not freed
/// (internal/poll's contract).
pub unsafe fn poll_runtime_pollUnblock(pd: *mut pollDesc) {
    let d = desc(pd);
    let mut delta = 0;
    // SAFETY: d is a live descriptor.
    let (rg, wg) = unsafe {
        let dr = &mut *d;
        dr.lock.lock();
        if dr.closing.load(Ordering::Acquire) {
            dr.lock.unlock();
            crate::fatal::throw("runtime: unblock on closing polldesc");
        }
        dr.closing.store(true, Ordering::Release);
        dr.rseq = dr.rseq.wrapping_add(1);
        dr.wseq = dr.wseq.wrapping_add(1);
        let rg = unblock(d, true, false, &mut delta);
        let wg = unblock(d, false, false, &mut delta);
        disarm(&mut dr.rt, &mut dr.rt_armed);
        disarm(&mut dr.wt, &mut dr.wt_armed);
        dr.lock.unlock();
        (rg, wg)
    };
    ready_both(rg, wg, delta);
}

/// Is fd one of the poller's own descriptors?
pub fn isPollServerDescriptor(fd: usize) -> bool {
    fd as i32 == EPFD.load(Ordering::Acquire) || fd as i32 == EVENTFD.load(Ordering::Acquire)
}
