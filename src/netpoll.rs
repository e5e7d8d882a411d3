//! The network poller, for internal/poll (files, pipes, sockets).
//!
//! Descriptors are registered with epoll exactly as upstream does, so the
//! standard library sees the same answers (regular files are refused with
//! EPERM and then used with plain blocking system calls).
//!
//! Interim, until the scheduler integrates the poller: a goroutine waiting
//! for readiness blocks its thread in poll(2) until the descriptor is ready,
//! its deadline passes, or it is unblocked; with one thread running all
//! goroutines, other goroutines wait meanwhile.

/// The Go side's *pollDesc (opaque to Go).
#[allow(non_camel_case_types)]
type pollDesc = u8;
use crate::lock::Mutex;
use crate::persistent;
use crate::sys;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, Ordering};

// internal/poll's error codes.
const POLL_NO_ERROR: isize = 0;
const POLL_ERR_CLOSING: isize = 1;
const POLL_ERR_TIMEOUT: isize = 2;

const SYS_POLL: usize = 7;
const SYS_EPOLL_CTL: usize = 233;
const SYS_EPOLL_CREATE1: usize = 291;
const EPOLL_CLOEXEC: usize = 0x80000;
const EPOLL_CTL_ADD: usize = 1;
const EPOLL_CTL_DEL: usize = 2;
const EPOLLIN: u32 = 0x1;
const EPOLLOUT: u32 = 0x4;
const EPOLLRDHUP: u32 = 0x2000;
const EPOLLET: u32 = 1 << 31;
const POLLIN: i16 = 0x1;
const POLLOUT: i16 = 0x4;

/// A registered descriptor. The Go side sees it as *pollDesc (opaque).
#[repr(C)]
struct Desc {
    fd: usize,
    closing: AtomicBool,
    /// Absolute nanotime deadlines: 0 none, negative already expired.
    rd: AtomicI64,
    wd: AtomicI64,
    next: *mut Desc,
}

static EPFD: AtomicI32 = AtomicI32::new(-1);
static LOCK: Mutex = Mutex::new();
static mut FREE: *mut Desc = core::ptr::null_mut();

#[repr(C, packed)]
struct EpollEvent {
    events: u32,
    data: u64,
}

#[repr(C)]
struct PollFd {
    fd: i32,
    events: i16,
    revents: i16,
}

pub fn poll_runtime_pollServerInit() {
    if EPFD.load(Ordering::Acquire) >= 0 {
        return;
    }
    // SAFETY: epoll_create1 takes no pointers.
    let fd = unsafe { sys::syscall1(SYS_EPOLL_CREATE1, EPOLL_CLOEXEC) };
    if fd < 0 {
        crate::fatal::throw("runtime: netpollinit failed");
    }
    EPFD.store(fd as i32, Ordering::Release);
}

pub fn poll_runtime_pollOpen(fd: usize) -> (*mut pollDesc, isize) {
    LOCK.lock();
    // SAFETY: FREE is only touched under LOCK; descriptors are never freed
    // to the system, only recycled.
    let d = unsafe {
        let d = FREE;
        if d.is_null() {
            persistent::new::<Desc>()
        } else {
            FREE = (*d).next;
            d
        }
    };
    LOCK.unlock();
    // SAFETY: d is ours until pollClose.
    unsafe {
        (*d).fd = fd;
        (*d).closing.store(false, Ordering::Relaxed);
        (*d).rd.store(0, Ordering::Relaxed);
        (*d).wd.store(0, Ordering::Relaxed);
        (*d).next = core::ptr::null_mut();
    }
    let mut ev = EpollEvent { events: EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, data: d as u64 };
    // SAFETY: ev is a live epoll_event.
    let r = unsafe {
        sys::syscall6(SYS_EPOLL_CTL, EPFD.load(Ordering::Acquire) as usize, EPOLL_CTL_ADD, fd, &mut ev as *mut EpollEvent as usize, 0, 0)
    };
    if r < 0 {
        free(d);
        return (core::ptr::null_mut(), -r);
    }
    (d as *mut pollDesc, 0)
}

fn free(d: *mut Desc) {
    LOCK.lock();
    // SAFETY: under LOCK; d is no longer used by anyone.
    unsafe {
        (*d).next = FREE;
        FREE = d;
    }
    LOCK.unlock();
}

fn desc(pd: *mut pollDesc) -> &'static Desc {
    // SAFETY: pd was returned by pollOpen and not yet closed.
    unsafe { &*(pd as *const Desc) }
}

pub fn poll_runtime_pollClose(pd: *mut pollDesc) {
    let d = desc(pd);
    let mut ev = EpollEvent { events: 0, data: 0 };
    // SAFETY: ev is a live epoll_event.
    unsafe {
        sys::syscall6(SYS_EPOLL_CTL, EPFD.load(Ordering::Acquire) as usize, EPOLL_CTL_DEL, d.fd, &mut ev as *mut EpollEvent as usize, 0, 0)
    };
    free(pd as *mut Desc);
}

fn deadline(d: &Desc, mode: isize) -> i64 {
    if mode == b'r' as isize {
        d.rd.load(Ordering::Acquire)
    } else {
        d.wd.load(Ordering::Acquire)
    }
}

fn check_err(d: &Desc, mode: isize) -> isize {
    if d.closing.load(Ordering::Acquire) {
        return POLL_ERR_CLOSING;
    }
    let dl = deadline(d, mode);
    if dl < 0 || (dl > 0 && dl <= crate::time::nanotime()) {
        return POLL_ERR_TIMEOUT;
    }
    POLL_NO_ERROR
}

pub fn poll_runtime_pollReset(pd: *mut pollDesc, mode: isize) -> isize {
    check_err(desc(pd), mode)
}

pub fn poll_runtime_pollWait(pd: *mut pollDesc, mode: isize) -> isize {
    let d = desc(pd);
    loop {
        let e = check_err(d, mode);
        if e != POLL_NO_ERROR {
            return e;
        }
        let dl = deadline(d, mode);
        // Wake at least every 100ms to notice pollUnblock.
        let mut timeout_ms: i64 = 100;
        if dl > 0 {
            let left = dl - crate::time::nanotime();
            timeout_ms = timeout_ms.min((left + 999_999) / 1_000_000).max(0);
        }
        let mut p = PollFd { fd: d.fd as i32, events: if mode == b'r' as isize { POLLIN } else { POLLOUT }, revents: 0 };
        // SAFETY: p is a live pollfd.
        let r = unsafe { sys::syscall3(SYS_POLL, &mut p as *mut PollFd as usize, 1, timeout_ms as usize) };
        if r > 0 {
            return POLL_NO_ERROR;
        }
    }
}

pub fn poll_runtime_pollSetDeadline(pd: *mut pollDesc, dl: i64, mode: isize) {
    let d = desc(pd);
    if mode == b'r' as isize || mode == (b'r' + b'w') as isize {
        d.rd.store(dl, Ordering::Release);
    }
    if mode == b'w' as isize || mode == (b'r' + b'w') as isize {
        d.wd.store(dl, Ordering::Release);
    }
}

pub fn poll_runtime_pollUnblock(pd: *mut pollDesc) {
    desc(pd).closing.store(true, Ordering::Release);
}

/// Is fd one of the poller's own descriptors?
pub fn isPollServerDescriptor(fd: usize) -> bool {
    EPFD.load(Ordering::Acquire) as usize == fd
}
