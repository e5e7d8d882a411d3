//! Linux system calls, made directly with the `syscall` instruction (as Go's
//! runtime does): no errno, no libc locks, usable from any context. Results
//! follow the kernel convention: a negative value is -errno.
//!
//! Thread creation is the exception: threads are made with libc's pthreads
//! (see sched), so that the C library's per-thread state is valid on every
//! thread and cgo can later share them.

use core::arch::asm;

pub const SYS_READ: usize = 0;
pub const SYS_WRITE: usize = 1;
pub const SYS_MMAP: usize = 9;
pub const SYS_MUNMAP: usize = 11;
pub const SYS_SCHED_YIELD: usize = 24;
pub const SYS_MADVISE: usize = 28;
pub const SYS_GETPID: usize = 39;
pub const SYS_GETRLIMIT: usize = 97;
pub const SYS_GETTID: usize = 186;
pub const SYS_TGKILL: usize = 234;
pub const SYS_FUTEX: usize = 202;
pub const SYS_SCHED_GETAFFINITY: usize = 204;
pub const SYS_CLOCK_GETTIME: usize = 228;
pub const SYS_EXIT_GROUP: usize = 231;

#[inline]
pub unsafe fn syscall0(n: usize) -> isize {
    let r: isize;
    // SAFETY: a raw system call; the caller vouches for its arguments.
    unsafe { asm!("syscall", inlateout("rax") n as isize => r, lateout("rcx") _, lateout("r11") _, options(nostack)) };
    r
}

#[inline]
pub unsafe fn syscall1(n: usize, a1: usize) -> isize {
    let r: isize;
    // SAFETY: as for syscall0.
    unsafe {
        asm!("syscall", inlateout("rax") n as isize => r, in("rdi") a1,
             lateout("rcx") _, lateout("r11") _, options(nostack))
    };
    r
}

#[inline]
pub unsafe fn syscall2(n: usize, a1: usize, a2: usize) -> isize {
    let r: isize;
    // SAFETY: as for syscall0.
    unsafe {
        asm!("syscall", inlateout("rax") n as isize => r, in("rdi") a1, in("rsi") a2,
             lateout("rcx") _, lateout("r11") _, options(nostack))
    };
    r
}

#[inline]
pub unsafe fn syscall3(n: usize, a1: usize, a2: usize, a3: usize) -> isize {
    let r: isize;
    // SAFETY: as for syscall0.
    unsafe {
        asm!("syscall", inlateout("rax") n as isize => r, in("rdi") a1, in("rsi") a2, in("rdx") a3,
             lateout("rcx") _, lateout("r11") _, options(nostack))
    };
    r
}

#[inline]
pub unsafe fn syscall6(n: usize, a1: usize, a2: usize, a3: usize, a4: usize, a5: usize, a6: usize) -> isize {
    let r: isize;
    // SAFETY: as for syscall0.
    unsafe {
        asm!("syscall", inlateout("rax") n as isize => r, in("rdi") a1, in("rsi") a2, in("rdx") a3,
             in("r10") a4, in("r8") a5, in("r9") a6, lateout("rcx") _, lateout("r11") _, options(nostack))
    };
    r
}

/// write(2), retrying on EINTR and on short writes.
pub fn write_all(fd: i32, mut b: &[u8]) -> isize {
    let total = b.len() as isize;
    while !b.is_empty() {
        // SAFETY: b is a valid readable buffer.
        let n = unsafe { syscall3(SYS_WRITE, fd as usize, b.as_ptr() as usize, b.len()) };
        if n == -4 {
            continue; // EINTR
        }
        if n <= 0 {
            return n;
        }
        b = &b[n as usize..];
    }
    total
}

/// Terminate the whole process with the given status.
pub fn exit_group(code: i32) -> ! {
    loop {
        // SAFETY: exit_group does not return.
        unsafe { syscall1(SYS_EXIT_GROUP, code as usize) };
    }
}

pub const PROT_READ: usize = 1;
pub const PROT_WRITE: usize = 2;
pub const MAP_PRIVATE: usize = 0x02;
pub const MAP_ANONYMOUS: usize = 0x20;
pub const MAP_NORESERVE: usize = 0x4000;

/// Anonymous read-write memory, zeroed by the kernel. None when the kernel
/// refuses.
pub fn mmap_anon(size: usize) -> Option<*mut u8> {
    // SAFETY: an anonymous private mapping touches no existing memory.
    let r = unsafe {
        syscall6(SYS_MMAP, 0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, usize::MAX, 0)
    };
    if r < 0 {
        None
    } else {
        Some(r as *mut u8)
    }
}

pub fn gettid() -> i32 {
    // SAFETY: gettid has no arguments and cannot fail.
    unsafe { syscall0(SYS_GETTID) as i32 }
}

pub fn getpid() -> i32 {
    // SAFETY: getpid has no arguments and cannot fail.
    unsafe { syscall0(SYS_GETPID) as i32 }
}

pub const FUTEX_WAIT_PRIVATE: usize = 128;
pub const FUTEX_WAKE_PRIVATE: usize = 129;

/// Sleep while *addr == val, up to `ns` nanoseconds (forever if negative).
pub fn futex_wait(addr: *const u32, val: u32, ns: i64) {
    let ts;
    let tsp = if ns < 0 {
        0
    } else {
        ts = Timespec { sec: ns / 1_000_000_000, nsec: ns % 1_000_000_000 };
        &ts as *const Timespec as usize
    };
    // SAFETY: addr points at a live futex word; tsp is null or a live timespec.
    unsafe { syscall6(SYS_FUTEX, addr as usize, FUTEX_WAIT_PRIVATE, val as usize, tsp, 0, 0) };
}

/// Wake up to `n` threads sleeping on addr.
pub fn futex_wake(addr: *const u32, n: u32) {
    // SAFETY: waking touches no memory.
    unsafe { syscall6(SYS_FUTEX, addr as usize, FUTEX_WAKE_PRIVATE, n as usize, 0, 0, 0) };
}

#[repr(C)]
pub struct Timespec {
    pub sec: i64,
    pub nsec: i64,
}

pub const CLOCK_REALTIME: usize = 0;
pub const CLOCK_MONOTONIC: usize = 1;

/// clock_gettime through the system call (the vDSO fast path is in time).
pub fn clock_gettime(clock: usize) -> i64 {
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: ts is a live, writable timespec.
    unsafe { syscall2(SYS_CLOCK_GETTIME, clock, &mut ts as *mut Timespec as usize) };
    ts.sec * 1_000_000_000 + ts.nsec
}

pub fn sched_yield() {
    // SAFETY: no arguments.
    unsafe { syscall0(SYS_SCHED_YIELD) };
}

/// Number of CPUs this process may run on (sched_getaffinity), at least 1.
pub fn ncpu() -> i32 {
    let mut mask = [0u64; 128]; // 8192 CPUs
    // SAFETY: mask is a live buffer of the size passed.
    let r = unsafe { syscall3(SYS_SCHED_GETAFFINITY, 0, core::mem::size_of_val(&mask), mask.as_mut_ptr() as usize) };
    if r <= 0 {
        return 1;
    }
    let words = (r as usize).div_ceil(8);
    let n: u32 = mask[..words].iter().map(|w| w.count_ones()).sum();
    n.max(1) as i32
}

#[repr(C)]
pub struct Rlimit {
    pub cur: u64,
    pub max: u64,
}

pub const RLIMIT_STACK: usize = 3;

pub fn getrlimit(res: usize) -> Option<Rlimit> {
    let mut r = Rlimit { cur: 0, max: 0 };
    // SAFETY: r is a live, writable rlimit.
    let e = unsafe { syscall2(SYS_GETRLIMIT, res, &mut r as *mut Rlimit as usize) };
    if e < 0 {
        None
    } else {
        Some(r)
    }
}

pub const SYS_NANOSLEEP: usize = 35;

/// Sleep the thread for ns nanoseconds (interrupted sleeps end early).
pub fn nanosleep(ns: i64) {
    let ts = Timespec { sec: ns / 1_000_000_000, nsec: ns % 1_000_000_000 };
    // SAFETY: ts is a live timespec; the remainder pointer is null.
    unsafe { syscall2(SYS_NANOSLEEP, &ts as *const Timespec as usize, 0) };
}

/// Sleep the thread for us microseconds.
pub fn usleep(us: u32) {
    nanosleep(us as i64 * 1000)
}

/// Give up the CPU briefly (upstream's osyield).
pub fn osyield() {
    sched_yield()
}

/// The calling thread's stack bounds (lo, hi), from the C library (None
/// if it does not know them).
pub fn thread_stack_bounds() -> Option<(usize, usize)> {
    // SAFETY: pthread_getattr_np fills attr for the calling thread; the
    // attribute object is destroyed after use.
    unsafe {
        let mut attr: libc::pthread_attr_t = core::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = core::ptr::null_mut();
        let mut size: usize = 0;
        libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        Some((addr as usize, addr as usize + size))
    }
}

/// Unmap memory from mmap_anon.
pub fn munmap(p: *mut u8, size: usize) {
    // SAFETY: the caller owns the mapping and no longer uses it.
    unsafe { syscall2(SYS_MUNMAP, p as usize, size) };
}

/// Send sig to thread tid of process pid.
pub fn tgkill(pid: i32, tid: i32, sig: i32) {
    // SAFETY: no memory is passed.
    unsafe { syscall3(SYS_TGKILL, pid as usize, tid as usize, sig as usize) };
}

/// Tell the kernel the pages are not needed: their memory is released and
/// they read as zero afterwards.
pub fn madvise_dontneed(p: *mut u8, size: usize) {
    const MADV_DONTNEED: usize = 4;
    // SAFETY: the caller owns the mapping and no longer needs its contents.
    unsafe { syscall3(SYS_MADVISE, p as usize, size, MADV_DONTNEED) };
}

/// Terminate the process by signal sig (default action).
pub fn die_from_signal(sig: i32) -> ! {
    // First as the process would without gort: gort's handler, seeing
    // DYING_SIGNAL, hands the signal to the handler that was there before
    // it (C code's, say) or dies of it; a handler C installed since runs
    // instead. Then, if the process still lives, by the default action.
    DYING_SIGNAL.store(sig, core::sync::atomic::Ordering::Release);
    // SAFETY: changing this thread's mask, a disposition, and signalling
    // ourselves.
    unsafe {
        let mut set: libc::sigset_t = core::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, core::ptr::null_mut());
        libc::raise(sig);
        for _ in 0..3 {
            sched_yield();
        }
        let mut sa: libc::sigaction = core::mem::zeroed();
        sa.sa_sigaction = libc::SIG_DFL;
        libc::sigaction(sig, &sa, core::ptr::null_mut());
        libc::raise(sig);
    }
    for _ in 0..3 {
        sched_yield();
    }
    exit_group(2)
}

/// The signal die_from_signal is dying of (0: none): the signal handler
/// no longer acts on it, it only forwards it.
pub static DYING_SIGNAL: core::sync::atomic::AtomicI32 = core::sync::atomic::AtomicI32::new(0);
