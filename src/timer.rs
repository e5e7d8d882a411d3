//! Timers: the time package's (time.NewTimer, After, AfterFunc, Ticker)
//! and time.Sleep's.
//!
//! One heap of pending timers ordered by `when` (a binary min-heap in
//! persistent memory), under one lock. A timer records its position in the
//! heap in its `pp` word (index + 1; 0 when not in the heap), so stopping
//! and resetting are O(log n). The scheduler runs expired timers before it
//! looks for a goroutine and sleeps until the next one when idle.
//!
//! A timer's function is Go code (time.sendTime, time.goFunc): it is
//! called on the system stack through gort_calltimer, with the lock
//! released. Sleeping goroutines' timers carry a marker instead and are
//! readied directly.

use crate::layout::rt::{funcval, g, timer};
use crate::layout::Eface;
use crate::lock::Mutex;
use crate::persistent;
use crate::sched::{self, curg, prepare_park};
use core::ptr::null_mut;

extern "C" {
    fn gort_calltimer(f: *mut funcval, argtype: *mut u8, argdata: *mut u8, seq: usize);
}

const MAX_WHEN: i64 = i64::MAX;

static LOCK: Mutex = Mutex::new();
static mut HEAP: *mut *mut timer = null_mut();
static mut LEN: usize = 0;
static mut CAP: usize = 0;

/// The `f` of sleep timers: never called, compared by address.
static SLEEP_MARKER: funcval = funcval { r#fn: 0 };

fn sleep_marker() -> *mut funcval {
    &SLEEP_MARKER as *const funcval as *mut funcval
}

// ---- the heap (LOCK held) ----

unsafe fn at(i: usize) -> *mut timer {
    // SAFETY: i < LEN (callers).
    unsafe { *HEAP.add(i) }
}

unsafe fn set(i: usize, t: *mut timer) {
    // SAFETY: i < LEN; t is a live timer.
    unsafe {
        *HEAP.add(i) = t;
        (*t).pp = i + 1;
    }
}

unsafe fn sift_up(mut i: usize) {
    // SAFETY: LOCK held, i < LEN.
    unsafe {
        let t = at(i);
        while i > 0 {
            let p = (i - 1) / 2;
            if (*at(p)).when <= (*t).when {
                break;
            }
            set(i, at(p));
            i = p;
        }
        set(i, t);
    }
}

unsafe fn sift_down(mut i: usize) {
    // SAFETY: LOCK held, i < LEN.
    unsafe {
        let t = at(i);
        loop {
            let l = 2 * i + 1;
            if l >= LEN {
                break;
            }
            let r = l + 1;
            let c = if r < LEN && (*at(r)).when < (*at(l)).when { r } else { l };
            if (*at(c)).when >= (*t).when {
                break;
            }
            set(i, at(c));
            i = c;
        }
        set(i, t);
    }
}

unsafe fn push(t: *mut timer) {
    // SAFETY: LOCK held; t is not in the heap.
    unsafe {
        if LEN == CAP {
            let cap = (CAP * 2).max(64);
            let n = persistent::alloc(cap * 8, 8) as *mut *mut timer;
            if LEN > 0 {
                core::ptr::copy_nonoverlapping(HEAP, n, LEN);
            }
            HEAP = n;
            CAP = cap;
        }
        LEN += 1;
        set(LEN - 1, t);
        sift_up(LEN - 1);
    }
}

unsafe fn remove(t: *mut timer) -> bool {
    // SAFETY: LOCK held; t.pp is its index+1 when in the heap.
    unsafe {
        if (*t).pp == 0 {
            return false;
        }
        let i = (*t).pp - 1;
        (*t).pp = 0;
        LEN -= 1;
        if i != LEN {
            let last = at(LEN);
            set(i, last);
            sift_down(i);
            sift_up((*last).pp - 1);
        }
        true
    }
}

unsafe fn fix(t: *mut timer) {
    // SAFETY: LOCK held; t is in the heap.
    unsafe {
        let i = (*t).pp - 1;
        sift_up(i);
        sift_down((*t).pp - 1);
    }
}

fn add(t: *mut timer) {
    LOCK.lock();
    // SAFETY: LOCK held.
    unsafe {
        if (*t).when < 0 {
            (*t).when = MAX_WHEN;
        }
        if (*t).pp == 0 {
            push(t);
        } else {
            fix(t);
        }
    }
    LOCK.unlock();
}

// ---- the time package's hooks ----

pub fn startTimer(t: *mut timer) {
    add(t);
}

pub fn stopTimer(t: *mut timer) -> bool {
    LOCK.lock();
    // SAFETY: LOCK held.
    let was = unsafe { remove(t) };
    LOCK.unlock();
    was
}

pub fn resetTimer(t: *mut timer, when: i64) -> bool {
    LOCK.lock();
    // SAFETY: LOCK held.
    let pending = unsafe {
        let pending = (*t).pp != 0;
        (*t).when = if when < 0 { MAX_WHEN } else { when };
        if pending {
            fix(t);
        } else {
            push(t);
        }
        pending
    };
    LOCK.unlock();
    pending
}

pub fn modTimer(t: *mut timer, when: i64, period: i64, f: *mut funcval, arg: Eface, seq: usize) {
    LOCK.lock();
    // SAFETY: LOCK held; t is the time package's live timer.
    unsafe {
        (*t).period = period;
        (*t).f = f;
        core::ptr::write(core::ptr::addr_of_mut!((*t).arg) as *mut Eface, arg);
        (*t).seq = seq;
        (*t).when = if when < 0 { MAX_WHEN } else { when };
        if (*t).pp != 0 {
            fix(t);
        } else {
            push(t);
        }
    }
    LOCK.unlock();
}

// ---- running timers ----

/// Run every timer due at `now`. Returns the next pending `when`, if any.
pub fn run_timers(now: i64) -> Option<i64> {
    loop {
        LOCK.lock();
        // SAFETY: LOCK held.
        let t = unsafe {
            if LEN == 0 {
                LOCK.unlock();
                return None;
            }
            let t = at(0);
            if (*t).when > now {
                let w = (*t).when;
                LOCK.unlock();
                return Some(w);
            }
            if (*t).period > 0 {
                // A ticker: next multiple of period after now.
                let p = (*t).period;
                (*t).when += p * (1 + (now - (*t).when) / p);
                if (*t).when < 0 {
                    (*t).when = MAX_WHEN;
                }
                fix(t);
            } else {
                remove(t);
            }
            t
        };
        // SAFETY: t is live (owned by the time package or a goroutine).
        let (f, arg, seq) = unsafe { ((*t).f, core::ptr::read(core::ptr::addr_of!((*t).arg) as *const Eface), (*t).seq) };
        LOCK.unlock();
        if f == sleep_marker() {
            sched::ready(arg.data as *mut g);
        } else {
            // SAFETY: f is the time package's timer function.
            unsafe { gort_calltimer(f, arg.typ as *mut u8, arg.data, seq) };
        }
    }
}

/// Pending timers exist?
pub fn any_pending() -> bool {
    LOCK.lock();
    // SAFETY: LOCK held.
    let n = unsafe { LEN };
    LOCK.unlock();
    n > 0
}

// ---- time.Sleep ----

/// Park commit for Sleep: arm the goroutine's timer once it is off its
/// stack, so that it cannot fire before the goroutine waits.
unsafe extern "C" fn sleep_commit(_gp: *mut g, t: *mut u8) -> bool {
    add(t as *mut timer);
    true
}

/// Prepare the current goroutine to sleep until `when` (then it parks).
pub fn rt_sleepUntil(when: i64) {
    let gp = curg();
    // SAFETY: gp is the current goroutine; its timer is runtime-owned.
    unsafe {
        if (*gp).timer.is_null() {
            (*gp).timer = persistent::new::<timer>();
        }
        let t = (*gp).timer;
        (*t).f = sleep_marker();
        core::ptr::write(core::ptr::addr_of_mut!((*t).arg) as *mut Eface, Eface { typ: null_mut(), data: gp as *mut u8 });
        (*t).period = 0;
        (*t).when = when;
        prepare_park(Some(sleep_commit), t as *mut u8, crate::layout::rt::waitReasonSleep as u8);
    }
}
