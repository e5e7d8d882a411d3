//! The CPU profiler's clocks: SIGPROF at the profiling rate.
//!
//! Two sources, as upstream 1.22 on Linux: each thread that runs
//! goroutines gets its own timer on its CPU-time clock (timer_create with
//! CLOCK_THREAD_CPUTIME_ID, delivering SIGPROF to that thread:
//! SIGEV_THREAD_ID), set up when the thread next runs a goroutine after
//! the rate changed (`check_thread`); and the process-wide ITIMER_PROF
//! interval timer, for threads without a timer of their own. A thread
//! with its own timer ignores the process timer's signals (si_code
//! SI_KERNEL), and one without ignores stray per-thread ones (SI_TIMER),
//! so that no CPU time is counted twice (`valid_sigprof`).

use crate::layout::rt::m;
use core::sync::atomic::{AtomicI32, Ordering};

/// The profiling rate in samples per second of CPU time (0: off).
static HZ: AtomicI32 = AtomicI32::new(0);

const ITIMER_PROF: usize = 2;
const CLOCK_THREAD_CPUTIME_ID: usize = 3;
const SIGEV_THREAD_ID: i32 = 4;
const SI_KERNEL: i32 = 0x80;
const SI_TIMER: i32 = -2;

pub fn hz() -> i32 {
    HZ.load(Ordering::Acquire)
}

/// The kernel's struct sigevent, with the thread to signal.
#[repr(C)]
struct SigEvent {
    value: usize,
    signo: i32,
    notify: i32,
    thread_id: i32,
    _pad: [i32; 11],
}

#[repr(C)]
#[derive(Default)]
struct TimeSpec {
    sec: i64,
    nsec: i64,
}

#[repr(C)]
#[derive(Default)]
struct ITimerSpec {
    interval: TimeSpec,
    value: TimeSpec,
}

#[repr(C)]
#[derive(Default)]
struct TimeVal {
    sec: i64,
    usec: i64,
}

#[repr(C)]
#[derive(Default)]
struct ITimerVal {
    interval: TimeVal,
    value: TimeVal,
}

/// Set the rate: the process-wide timer now, and this thread's own timer
/// (other threads follow when they next run a goroutine). The caller
/// keeps the goroutine on this thread.
pub fn set_rate(hz: i32) {
    let hz = hz.max(0);
    // This thread's timer is stopped first, so that its signal cannot
    // arrive while the profile's state changes under the caller.
    set_thread(0);
    if HZ.load(Ordering::Acquire) != hz {
        let mut it = ITimerVal::default();
        if hz > 0 {
            it.interval.usec = 1_000_000 / hz as i64;
            it.value.usec = it.interval.usec;
        }
        // SAFETY: setitimer reads a struct of ours.
        unsafe { crate::sys::syscall3(libc::SYS_setitimer as usize, ITIMER_PROF, &it as *const ITimerVal as usize, 0) };
        HZ.store(hz, Ordering::Release);
    }
    if hz > 0 {
        set_thread(hz);
    }
}

/// A thread about to run a goroutine: follow the profiling rate.
#[inline]
pub fn check_thread(mp: *mut m) {
    // SAFETY: mp is the current m.
    if unsafe { (*mp).profilehz } != HZ.load(Ordering::Relaxed) {
        set_thread(HZ.load(Ordering::Acquire));
    }
}

/// The current thread exits: its timer goes with it.
pub fn thread_exit() {
    set_thread(0);
}

/// Give the current thread a CPU-time timer at `hz` (0: none). Without
/// one (timer_create failed), the process-wide timer samples it.
fn set_thread(hz: i32) {
    let mp = crate::gm::getm();
    // SAFETY: mp is the current m; only its own thread changes these.
    unsafe {
        (*mp).profilehz = hz;
        if (*mp).profileTimerValid.load(Ordering::Acquire) != 0 {
            (*mp).profileTimerValid.store(0, Ordering::Release);
            let id = (*mp).profileTimer;
            (*mp).profileTimer = 0;
            let r = crate::sys::syscall1(libc::SYS_timer_delete as usize, id as usize);
            if r != 0 {
                crate::gprint!(b"runtime: failed to disable profiling timer; timer_delete(", id, b") errno=", -r, b"\n");
                crate::fatal::throw("timer_delete");
            }
        }
        if hz == 0 {
            return;
        }
        let period = 1_000_000_000 / hz as i64;
        // The first expiry is uniform in (0, period]: a thread that runs
        // for a fraction of a period gets a sample with that probability.
        let first = 1 + (crate::rand::cheaprand() as i64 % period);
        let spec = ITimerSpec {
            interval: TimeSpec { sec: period / 1_000_000_000, nsec: period % 1_000_000_000 },
            value: TimeSpec { sec: first / 1_000_000_000, nsec: first % 1_000_000_000 },
        };
        let ev = SigEvent { value: 0, signo: libc::SIGPROF, notify: SIGEV_THREAD_ID, thread_id: (*mp).procid as i32, _pad: [0; 11] };
        let mut id: i32 = 0;
        let r = crate::sys::syscall3(
            libc::SYS_timer_create as usize,
            CLOCK_THREAD_CPUTIME_ID,
            &ev as *const SigEvent as usize,
            &mut id as *mut i32 as usize,
        );
        if r != 0 {
            return;
        }
        let r = crate::sys::syscall6(libc::SYS_timer_settime as usize, id as usize, 0, &spec as *const ITimerSpec as usize, 0, 0, 0);
        if r != 0 {
            crate::gprint!(b"runtime: failed to configure profiling timer; timer_settime(", id, b") errno=", -r, b"\n");
            crate::fatal::throw("timer_settime");
        }
        (*mp).profileTimer = id;
        (*mp).profileTimerValid.store(1, Ordering::Release);
    }
}

/// Should the signal handler count this SIGPROF (si_code `code`) on the
/// thread of `mp` (null: a thread the runtime does not know)?
pub fn valid_sigprof(mp: *mut m, code: i32) -> bool {
    let (process, thread) = (code == SI_KERNEL, code == SI_TIMER);
    if !process && !thread {
        // Not one of the profiler's: sent by someone else; counted.
        return true;
    }
    if mp.is_null() {
        return process;
    }
    // SAFETY: mp is the interrupted thread's m (live).
    if unsafe { (*mp).profileTimerValid.load(Ordering::Acquire) } != 0 {
        thread
    } else {
        process
    }
}
