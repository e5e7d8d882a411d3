//! Support for package sync: spinning decisions for sync.Mutex and the
//! sync.Pool cleanup hook. Semaphores and sync.Cond wait lists come with
//! the scheduler (issue 4).

use crate::layout::rt::funcval;
use crate::sched;
use core::sync::atomic::{AtomicPtr, Ordering};

/// Spinning is worth it only on a multicore machine with other Ps running
/// and nothing else to do on ours, and only for a few iterations.
pub fn canSpin(i: isize) -> bool {
    const ACTIVE_SPIN: isize = 4;
    let procs = sched::GOMAXPROCS_N.load(Ordering::Relaxed);
    let busy_elsewhere = sched::npidle() + sched::sched().nmspinning.load(Ordering::Relaxed) as i64 + 1;
    if i >= ACTIVE_SPIN || sched::NCPU.load(Ordering::Relaxed) <= 1 || procs <= busy_elsewhere {
        return false;
    }
    sched::runq_empty(sched::curp())
}

pub fn doSpin() {
    for _ in 0..30 {
        core::hint::spin_loop();
    }
}

/// sync.Pool's cleanup, to be called at the start of each collection.
static POOL_CLEANUP: AtomicPtr<funcval> = AtomicPtr::new(core::ptr::null_mut());

pub fn registerPoolCleanup(f: *mut funcval) {
    POOL_CLEANUP.store(f, Ordering::Relaxed);
}
pub use crate::time::nanotime;

/// sync checks at init that its notifyList matches the runtime's.
pub fn notifyListCheck(sz: usize) {
    const RUNTIME_SIZE: usize = 32; // notifyList in asm/runtime/api.go
    if sz != RUNTIME_SIZE {
        crate::fatal::throw("bad notifyList size");
    }
}
