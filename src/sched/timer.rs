//! Timers: the time package's (time.NewTimer, After, AfterFunc, Ticker),
//! time.Sleep's, and the runtime's own (network poller deadlines).
//!
//! Each P has a binary min-heap of timers ordered by `when`, under the P's
//! timers lock. A timer is added to the heap of the P that starts it and
//! runs on whichever M holds (or steals from) that P when it is due; idle Ms
//! block in the network poller until the earliest timer of all Ps.
//!
//! The timer struct's layout is fixed by the time package; gort uses its
//! words as follows: `pp` is the P whose heap holds it (0 if none),
//! `nextwhen` its index in that heap, `status` one of the states below.
//! Whoever changes a timer first moves it to MODIFYING (a CAS), so
//! concurrent Stop/Reset calls and the runner never interleave. The runner
//! takes a due timer off the heap (RUNNING, briefly, under the P's lock),
//! re-arms it if it is periodic, and then calls its function with no lock
//! held: as upstream, a timer stopped while its function runs reports that
//! it had already fired (or, for a ticker, may deliver one more tick).
//!
//! A timer's `f` is either Go code (time.sendTime, time.goFunc), called on
//! the system stack through gort_calltimer with no lock held, or a runtime
//! timer: a funcval whose code word is 0, followed by a Rust function.

use crate::layout::rt::{funcval, g, timer};
use crate::layout::Eface;
use crate::lockrank::Rank;
use crate::lock::Locked;
use crate::persistent;
use crate::pvec::PVec;
use crate::sysstat::Stat;
use crate::sched::{self, curg, curp, P};
use crate::sched::schedule::prepare_park;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicI64, AtomicU32, AtomicUsize, Ordering};

extern "C" {
    fn gort_calltimer(f: *mut funcval, argtype: *mut u8, argdata: *mut u8, seq: usize);
}

const MAX_WHEN: i64 = i64::MAX;

const T_NONE: u32 = 0;
const T_WAITING: u32 = 1;
const T_RUNNING: u32 = 2;
const T_MODIFYING: u32 = 3;

/// A runtime (Rust) timer function: `fv.fn` is 0, which no Go funcval has.
#[repr(C)]
pub struct RtTimerFn {
    fv: funcval,
    pub f: fn(arg: Eface, seq: usize),
}

impl RtTimerFn {
    pub const fn new(f: fn(Eface, usize)) -> RtTimerFn {
        RtTimerFn { fv: funcval { r#fn: 0 }, f }
    }
    pub fn as_funcval(&'static self) -> *mut funcval {
        self as *const RtTimerFn as *mut funcval
    }
}

/// Sleeping goroutines' timers: ready the goroutine.
static SLEEP_FN: RtTimerFn = RtTimerFn::new(|arg, _| sched::schedule::ready(arg.data as *mut g));

/// A P's timers.
#[repr(C)]
pub struct PTimers {
    /// The pending timers, a min-heap by `when`.
    heap: Locked<TimerHeap>,
    /// The earliest `when` in the heap, 0 if empty (read without the lock).
    timer0_when: AtomicI64,
    /// Number of timers in the heap (read without the lock).
    count: AtomicU32,
}

impl PTimers {
    pub const fn new() -> PTimers {
        PTimers {
            heap: Locked::new(Rank::Timers, TimerHeap { timers: PVec::persistent(16, Stat::Other) }),
            timer0_when: AtomicI64::new(0),
            count: AtomicU32::new(0),
        }
    }
    pub fn has_timers(&self) -> bool {
        self.count.load(Ordering::Acquire) > 0
    }
    pub fn len(&self) -> usize {
        self.count.load(Ordering::Acquire) as usize
    }
    /// Every pending timer (world stopped: the collector's roots).
    pub fn for_each(&self, mut f: impl FnMut(*mut timer)) {
        self.heap.with(|h| h.timers.as_slice().iter().for_each(|e| f(e.t)));
    }

    /// The earliest pending timer, 0 if none.
    pub fn next_when(&self) -> i64 {
        self.timer0_when.load(Ordering::Acquire)
    }

    /// Publish h's (this P's heap's) earliest timer and size for readers
    /// that take no lock (lock held).
    fn published(&self, h: &TimerHeap) {
        let w = if h.len() == 0 { 0 } else { h.when(0).max(1) };
        self.timer0_when.store(w, Ordering::Release);
        self.count.store(h.len() as u32, Ordering::Release);
    }
}

impl Default for PTimers {
    fn default() -> Self {
        Self::new()
    }
}

/// A heap entry: a timer and its `when` (fixed while the timer is in the
/// heap: changing it takes the timer out first), kept beside it so that
/// sifting compares entries of the array without loading each timer.
#[derive(Clone, Copy)]
struct Entry {
    when: i64,
    t: *mut timer,
}

/// Children per node: a 4-ary heap is half as deep as a binary one, and a
/// node's children share a cache line or two of the array.
const ARITY: usize = 4;

/// A 4-ary min-heap of timers by `when`; each timer's `nextwhen` is its
/// index.
struct TimerHeap {
    timers: PVec<Entry>,
}

impl TimerHeap {
    fn len(&self) -> usize {
        self.timers.len()
    }

    fn at(&self, i: usize) -> *mut timer {
        self.timers.get(i).t
    }

    fn set(&mut self, i: usize, e: Entry) {
        self.timers.set(i, e);
        // SAFETY: e.t is a live timer in this heap.
        unsafe { (*e.t).nextwhen = i as i64 };
    }

    fn when(&self, i: usize) -> i64 {
        self.timers.get(i).when
    }

    fn sift_up(&mut self, mut i: usize) {
        let e = self.timers.get(i);
        while i > 0 {
            let p = (i - 1) / ARITY;
            if self.when(p) <= e.when {
                break;
            }
            self.set(i, self.timers.get(p));
            i = p;
        }
        self.set(i, e);
    }

    fn sift_down(&mut self, mut i: usize) {
        let e = self.timers.get(i);
        let n = self.len();
        loop {
            let first = ARITY * i + 1;
            if first >= n {
                break;
            }
            let mut c = first;
            for k in first + 1..(first + ARITY).min(n) {
                if self.when(k) < self.when(c) {
                    c = k;
                }
            }
            if self.when(c) >= e.when {
                break;
            }
            self.set(i, self.timers.get(c));
            i = c;
        }
        self.set(i, e);
    }

    fn push(&mut self, t: *mut timer) {
        // A P's timer heap is scanned only when a collection starts: a
        // timer (a heap object of package time's) put there while the
        // collector marks is shaded, or its last other reference could be
        // dropped before anything scans it.
        crate::wb::shade2(t as usize, 0);
        // SAFETY: t is a live timer its owner is adding.
        let e = Entry { when: unsafe { (*t).when }, t };
        self.timers.push(e);
        let last = self.len() - 1;
        self.set(last, e);
        self.sift_up(last);
    }

    fn remove(&mut self, t: *mut timer) {
        // SAFETY: t is in this heap at index nextwhen.
        let i = unsafe { (*t).nextwhen } as usize;
        if i >= self.len() || self.at(i) != t {
            crate::fatal::throw("timer: corrupted heap index");
        }
        let last = self.timers.pop().unwrap();
        if i != self.len() {
            self.set(i, last);
            self.sift_down(i);
            // SAFETY: last.t is live; sift_down recorded its index.
            let j = unsafe { (*last.t).nextwhen } as usize;
            self.sift_up(j);
        }
    }
}

// SAFETY: the heap's timers are Go objects every thread may use; the heap
// is reached only under its P's timers lock.
unsafe impl Send for TimerHeap {}

fn status(t: *mut timer) -> &'static AtomicU32 {
    // SAFETY: status is an aligned uint32 of a live timer.
    unsafe { &(*t).status }
}

fn owner(t: *mut timer) -> &'static AtomicUsize {
    // SAFETY: pp is an aligned word of a live timer.
    unsafe { &*(core::ptr::addr_of!((*t).pp) as *const AtomicUsize) }
}

fn ptimers(pp: *mut P) -> &'static PTimers {
    // SAFETY: pp is a live P (Ps are never freed).
    unsafe { &(*pp).timers }
}

/// Take exclusive control of t (MODIFYING), waiting while another thread
/// changes or runs it; if it was pending, take it off its heap. Returns
/// true if it was pending.
fn acquire(t: *mut timer) -> bool {
    let st = status(t);
    loop {
        let s = st.load(Ordering::Acquire);
        match s {
            T_NONE | T_WAITING => {
                if st.compare_exchange(s, T_MODIFYING, Ordering::AcqRel, Ordering::Acquire).is_err() {
                    continue;
                }
                if s == T_WAITING {
                    let pp = owner(t).load(Ordering::Acquire) as *mut P;
                    let ts = ptimers(pp);
                    ts.heap.with(|h| {
                        h.remove(t);
                        ts.published(h);
                    });
                    owner(t).store(0, Ordering::Release);
                }
                return s == T_WAITING;
            }
            _ => crate::sys::osyield(),
        }
    }
}

/// Release t after `acquire`, adding it to the current P's heap when
/// `arm` (t.when set by the caller).
fn release(t: *mut timer, arm: bool) {
    if !arm {
        status(t).store(T_NONE, Ordering::Release);
        return;
    }
    let pp = curp();
    if pp.is_null() {
        crate::fatal::throw("timer: no p");
    }
    // SAFETY: we own t (MODIFYING).
    let when = unsafe {
        if (*t).when <= 0 {
            // Overflowed deadlines mean "never".
            (*t).when = MAX_WHEN;
        }
        (*t).when
    };
    crate::netpoll::init();
    let ts = ptimers(pp);
    ts.heap.with(|h| {
        owner(t).store(pp as usize, Ordering::Release);
        h.push(t);
        ts.published(h);
        status(t).store(T_WAITING, Ordering::Release);
    });
    // SAFETY: pp is a live P.
    sched::TIMERP_MASK.set(unsafe { (*pp).id } as usize);
    crate::netpoll::wake_netpoller(when);
}

// ---- the time package's hooks and the runtime's own timers ----

/// # Safety
/// `t` is a live timer struct of package time (or a runtime timer), used
/// under the timer protocol (src/sched/timer.rs).
pub unsafe fn startTimer(t: *mut timer) {
    // Race builds: the timer's function happens after this call.
    crate::tsan::release_cur(t as usize);
    acquire(t);
    release(t, true);
}

/// # Safety
/// `t` is a live timer struct of package time (or a runtime timer), used
/// under the timer protocol (src/sched/timer.rs).
pub unsafe fn stopTimer(t: *mut timer) -> bool {
    let was = acquire(t);
    release(t, false);
    was
}

/// # Safety
/// `t` is a live timer struct of package time (or a runtime timer), used
/// under the timer protocol (src/sched/timer.rs).
pub unsafe fn resetTimer(t: *mut timer, when: i64) -> bool {
    // Race builds: the timer's function happens after this call.
    crate::tsan::release_cur(t as usize);
    let was = acquire(t);
    // SAFETY: we own t.
    unsafe { (*t).when = when };
    release(t, true);
    was
}

/// # Safety
/// `t` is a live timer struct of package time (or a runtime timer), used
/// under the timer protocol (src/sched/timer.rs).
pub unsafe fn modTimer(t: *mut timer, when: i64, period: i64, f: *mut funcval, arg: Eface, seq: usize) {
    // Race builds: the timer's function happens after this call.
    crate::tsan::release_cur(t as usize);
    acquire(t);
    // SAFETY: we own t; t is the time package's live timer.
    unsafe {
        (*t).period = period;
        // Package time's timers live in the heap: behind the barrier.
        crate::wb::store(core::ptr::addr_of_mut!((*t).f) as *mut usize, f as usize);
        (*t).f = f;
        crate::wb::store(core::ptr::addr_of_mut!((*t).arg.typ) as *mut usize, arg.typ as usize);
        crate::wb::store(core::ptr::addr_of_mut!((*t).arg.data) as *mut usize, arg.data as usize);
        core::ptr::write(core::ptr::addr_of_mut!((*t).arg), arg);
        (*t).seq = seq;
        (*t).when = when;
    }
    release(t, true);
}

/// Start (or restart) a runtime timer calling `f(arg, seq)` at `when`.
///
/// # Safety
/// `t` is a live timer struct owned by the runtime (a poll descriptor's),
/// used under the timer protocol.
pub unsafe fn rt_timer_start(t: *mut timer, when: i64, f: &'static RtTimerFn, arg: Eface, seq: usize) {
    // SAFETY: per the function contract.
    unsafe { modTimer(t, when, 0, f.as_funcval(), arg, seq) };
}

// ---- running timers ----

/// Run pp's due timers (pp is the current P, or one being helped by a
/// stealing M). Returns (now, next pending when or 0, ran some).
pub fn check_timers(pp: *mut P, mut now: i64) -> (i64, i64, bool) {
    let ts = ptimers(pp);
    let next = ts.next_when();
    if next == 0 {
        return (now, 0, false);
    }
    if now == 0 {
        now = crate::time::nanotime();
    }
    if now < next {
        return (now, next, false);
    }
    /// What one look at the heap found.
    enum Step {
        /// Nothing due: the next pending when (0: none).
        Done(i64),
        /// The first timer is being changed: look again.
        Retry,
        /// A due timer, taken off the heap: call f(arg, seq).
        Run(*mut funcval, Eface, usize, *mut timer),
    }
    let mut ran = false;
    loop {
        let step = ts.heap.with(|h| {
            if h.len() == 0 {
                return Step::Done(0);
            }
            let t = h.at(0);
            // SAFETY: t is a live timer in pp's heap (lock held).
            let (when, period) = unsafe { ((*t).when, (*t).period) };
            if when > now {
                return Step::Done(when);
            }
            if status(t).compare_exchange(T_WAITING, T_RUNNING, Ordering::AcqRel, Ordering::Acquire).is_err() {
                // Someone is modifying it and waits for our lock.
                return Step::Retry;
            }
            h.remove(t);
            // SAFETY: we own t (RUNNING) until its new status is stored.
            let (f, arg, seq) = unsafe { ((*t).f, core::ptr::read(core::ptr::addr_of!((*t).arg)), (*t).seq) };
            if period > 0 {
                // A ticker: back in the heap at the next multiple of period
                // after now, before its function runs.
                let mut w = when + period * (1 + (now - when) / period);
                if w < 0 {
                    w = MAX_WHEN;
                }
                // SAFETY: as above.
                unsafe { (*t).when = w };
                h.push(t);
                ts.published(h);
                status(t).store(T_WAITING, Ordering::Release);
            } else {
                ts.published(h);
                owner(t).store(0, Ordering::Release);
                status(t).store(T_NONE, Ordering::Release);
            }
            Step::Run(f, arg, seq, t)
        });
        match step {
            Step::Done(when) => return (now, when, ran),
            Step::Retry => crate::sys::osyield(),
            Step::Run(f, arg, seq, t) => {
                // The function runs with no lock held and the timer free to
                // be stopped or reset (it may then run once more, as
                // upstream's).
                run_one(f, arg, seq, t);
                ran = true;
            }
        }
    }
}

fn run_one(f: *mut funcval, arg: Eface, seq: usize, t: *mut timer) {
    // SAFETY: f is a Go timer function or a RtTimerFn (fn word 0).
    unsafe {
        if (*f).r#fn == 0 {
            ((*(f as *const RtTimerFn)).f)(arg, seq);
        } else if crate::tsan::enabled() {
            // Race builds: Go timer functions (time.sendTime, AfterFunc's
            // goFunc) are instrumented code running on g0: they run in the
            // P's timer context, which first acquires what the goroutine
            // that set the timer released.
            let pp = sched::curp();
            if pp.is_null() {
                crate::fatal::throw("race: timer function run on an M without a P");
            }
            if (*pp).racetimerctx == 0 {
                (*pp).racetimerctx = crate::tsan::go_start(0, 0);
            }
            let ctx = (*pp).racetimerctx;
            crate::tsan::acquire_ctx(ctx, t as usize);
            let g0 = crate::gm::getg();
            let saved = (*g0).racectx;
            (*g0).racectx = ctx;
            gort_calltimer(f, arg.typ as *mut u8, arg.data, seq);
            (*g0).racectx = saved;
        } else {
            gort_calltimer(f, arg.typ as *mut u8, arg.data, seq);
        }
    }
}

/// The earliest timer of all Ps (sysmon's sleep), i64::MAX if none.
pub fn sleep_until() -> i64 {
    let mut next = i64::MAX;
    for i in 0..sched::gomaxprocs() as usize {
        // SAFETY: Ps below gomaxprocs are live.
        let w = unsafe { (*sched::allp(i)).timers.next_when() };
        if w != 0 && w < next {
            next = w;
        }
    }
    next
}

/// Move every timer of a retired P to P `to` (world stopped).
pub fn move_timers(from: *mut P, to: *mut P) {
    let (src, dst) = (ptimers(from), ptimers(to));
    src.heap.with(|s| {
        dst.heap.with(|d| {
            while let Some(e) = s.timers.pop() {
                owner(e.t).store(to as usize, Ordering::Release);
                d.push(e.t);
            }
            dst.published(d);
        });
        src.published(s);
    });
    // SAFETY: to is a live P.
    sched::TIMERP_MASK.set(unsafe { (*to).id } as usize);
}

// ---- time.Sleep ----

/// Park commit for Sleep: arm the goroutine's timer once it is off its
/// stack, so that it cannot fire before the goroutine waits.
unsafe extern "C" fn sleep_commit(_gp: *mut g, t: *mut u8) -> bool {
    let t = t as *mut timer;
    acquire(t);
    release(t, true);
    true
}

/// Prepare the current goroutine to sleep until `when` (then it parks).
pub fn rt_sleepUntil(when: i64) {
    let gp = curg();
    // SAFETY: gp is the current goroutine; its timer is runtime-owned and
    // idle (the goroutine is not sleeping).
    unsafe {
        if (*gp).timer.is_null() {
            (*gp).timer = persistent::new::<timer>();
        }
        let t = (*gp).timer;
        (*t).f = SLEEP_FN.as_funcval();
        core::ptr::write(core::ptr::addr_of_mut!((*t).arg), Eface { typ: null_mut(), data: gp as *mut u8 });
        (*t).period = 0;
        (*t).when = when;
        prepare_park(Some(sleep_commit), t as *mut u8, crate::layout::rt::waitReasonSleep as u8);
    }
}
