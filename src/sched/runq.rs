//! Run queues: each P's lock-free ring (owner puts at the tail, anyone
//! takes from the head), its `runnext` slot, the global queue, and work
//! stealing between Ps.

use super::*;
use super::mthread::startm;

/// Put gp on pp's local run queue; with `next`, in the runnext slot (the
/// previous occupant moves to the queue's tail). A full queue spills half
/// of itself to the global queue.
pub fn runqput(pp: *mut P, mut gp: *mut g, next: bool) {
    // Race builds randomise the schedule a little, as upstream's: a new or
    // readied goroutine skips runnext half the time, so that programs do
    // not come to depend on one order (runtime/race TestRandomScheduling).
    let next = next && !(crate::tsan::enabled() && crate::rand::cheaprand() & 1 == 0);
    // SAFETY: pp is a live P owned by the current m; only its owner writes
    // runq_tail and runnext (others may steal from the head).
    unsafe {
        let p = &*pp;
        if next {
            let old = p.runnext.swap(gp as usize, Ordering::AcqRel) as *mut g;
            if old.is_null() {
                return;
            }
            gp = old;
        }
        loop {
            let h = p.runq_head.load(Ordering::Acquire);
            let t = p.runq_tail.load(Ordering::Relaxed);
            if t.wrapping_sub(h) < RUNQ_SIZE as u32 {
                p.runq[t as usize % RUNQ_SIZE].store(gp as usize, Ordering::Relaxed);
                p.runq_tail.store(t.wrapping_add(1), Ordering::Release);
                return;
            }
            if runqput_slow(pp, gp, h, t) {
                return;
            }
        }
    }
}

/// The local queue is full: move half of it plus gp to the global queue.
fn runqput_slow(pp: *mut P, gp: *mut g, h: u32, t: u32) -> bool {
    let n = t.wrapping_sub(h) / 2;
    if n != RUNQ_SIZE as u32 / 2 {
        crate::fatal::throw("runqputslow: queue is not full");
    }
    let mut batch: [*mut g; RUNQ_SIZE / 2 + 1] = [null_mut(); RUNQ_SIZE / 2 + 1];
    // SAFETY: as for runqput.
    unsafe {
        let p = &*pp;
        for i in 0..n {
            batch[i as usize] = p.runq[(h.wrapping_add(i)) as usize % RUNQ_SIZE].load(Ordering::Relaxed) as *mut g;
        }
        if p.runq_head.compare_exchange(h, h.wrapping_add(n), Ordering::AcqRel, Ordering::Acquire).is_err() {
            return false;
        }
    }
    batch[n as usize] = gp;
    if crate::tsan::enabled() {
        // Race builds: the batch goes to the global queue shuffled.
        for i in 1..=n as usize {
            let j = (crate::rand::cheaprand() as usize) % (i + 1);
            batch.swap(i, j);
        }
    }
    let s = sched();
    s.lock.lock();
    for &b in &batch[..=n as usize] {
        globrunqput_locked(b);
    }
    s.lock.unlock();
    true
}

/// Take a G from pp's local queue (runnext first). Returns (g, inherit the
/// time slice), the latter true for runnext.
pub fn runqget(pp: *mut P) -> (*mut g, bool) {
    // SAFETY: as for runqput; the owner is the only one taking runnext
    // besides stealers, who use a CAS too.
    unsafe {
        let p = &*pp;
        let next = p.runnext.load(Ordering::Acquire);
        if next != 0 && p.runnext.compare_exchange(next, 0, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            return (next as *mut g, true);
        }
        loop {
            let h = p.runq_head.load(Ordering::Acquire);
            let t = p.runq_tail.load(Ordering::Acquire);
            if t == h {
                return (null_mut(), false);
            }
            let gp = p.runq[h as usize % RUNQ_SIZE].load(Ordering::Relaxed) as *mut g;
            if p.runq_head.compare_exchange(h, h.wrapping_add(1), Ordering::AcqRel, Ordering::Acquire).is_ok() {
                return (gp, false);
            }
        }
    }
}

pub fn runq_empty(pp: *mut P) -> bool {
    // SAFETY: pp is a live P. The loop makes sure the three reads belong
    // together (runnext may move into the queue meanwhile).
    unsafe {
        let p = &*pp;
        loop {
            let h = p.runq_head.load(Ordering::Acquire);
            let t = p.runq_tail.load(Ordering::Acquire);
            let next = p.runnext.load(Ordering::Acquire);
            if p.runq_tail.load(Ordering::Acquire) == t {
                return h == t && next == 0;
            }
        }
    }
}

/// Number of Gs on pp's local queue (without runnext).
pub fn runq_len(pp: *mut P) -> u32 {
    // SAFETY: pp is a live P.
    unsafe {
        let p = &*pp;
        p.runq_tail.load(Ordering::Acquire).wrapping_sub(p.runq_head.load(Ordering::Acquire))
    }
}

/// Grab up to half of pp's queue into batch (a ring of RUNQ_SIZE slots
/// starting at batch_head). With `steal_runnext`, an empty queue gives up
/// its runnext G. Returns the number grabbed.
fn runqgrab(pp: *mut P, batch: &[AtomicUsize; RUNQ_SIZE], batch_head: u32, steal_runnext: bool) -> u32 {
    // SAFETY: pp is a live P; we only take from its head with a CAS.
    unsafe {
        let p = &*pp;
        loop {
            let h = p.runq_head.load(Ordering::Acquire);
            let t = p.runq_tail.load(Ordering::Acquire);
            let mut n = t.wrapping_sub(h);
            n -= n / 2;
            if n == 0 {
                if steal_runnext {
                    let next = p.runnext.load(Ordering::Acquire);
                    if next != 0 {
                        if p.status() == P_RUNNING {
                            // The P is running and may be about to schedule
                            // its runnext G: give it a moment rather than
                            // thrashing the G between Ps.
                            crate::sys::usleep(3);
                        }
                        if p.runnext.compare_exchange(next, 0, Ordering::AcqRel, Ordering::Acquire).is_err() {
                            continue;
                        }
                        batch[batch_head as usize % RUNQ_SIZE].store(next, Ordering::Relaxed);
                        return 1;
                    }
                }
                return 0;
            }
            if n > RUNQ_SIZE as u32 / 2 {
                // Inconsistent h and t: read again.
                continue;
            }
            for i in 0..n {
                let gp = p.runq[h.wrapping_add(i) as usize % RUNQ_SIZE].load(Ordering::Relaxed);
                batch[batch_head.wrapping_add(i) as usize % RUNQ_SIZE].store(gp, Ordering::Relaxed);
            }
            if p.runq_head.compare_exchange(h, h.wrapping_add(n), Ordering::AcqRel, Ordering::Acquire).is_ok() {
                return n;
            }
        }
    }
}

/// Steal half of p2's Gs into pp's queue; returns one of them to run.
pub fn runqsteal(pp: *mut P, p2: *mut P, steal_runnext: bool) -> *mut g {
    // SAFETY: pp is ours (only we write its tail); p2 is a live P.
    unsafe {
        let p = &*pp;
        let t = p.runq_tail.load(Ordering::Relaxed);
        let mut n = runqgrab(p2, &p.runq, t, steal_runnext);
        if n == 0 {
            return null_mut();
        }
        n -= 1;
        let gp = p.runq[t.wrapping_add(n) as usize % RUNQ_SIZE].load(Ordering::Relaxed) as *mut g;
        if n == 0 {
            return gp;
        }
        let h = p.runq_head.load(Ordering::Acquire);
        if t.wrapping_sub(h).wrapping_add(n) >= RUNQ_SIZE as u32 {
            crate::fatal::throw("runqsteal: runq overflow");
        }
        p.runq_tail.store(t.wrapping_add(n), Ordering::Release);
        gp
    }
}

/// Move every G of a dying P to the global queue (SCHED.lock held).
pub(crate) fn runq_drain_to_global(pp: *mut P) {
    loop {
        let (gp, _) = runqget(pp);
        if gp.is_null() {
            break;
        }
        globrunqput_locked(gp);
    }
}

// ---- the global queue (SCHED.lock held where the name says so) ----

pub(crate) fn globrunqput_locked(gp: *mut g) {
    let s = sched();
    // SAFETY: gp is a live G not on any queue; SCHED.lock is held.
    unsafe {
        let l = s.locked();
        (*gp).schedlink = 0;
        if l.runq_tail.is_null() {
            l.runq_head = gp;
        } else {
            (*l.runq_tail).schedlink = gp as usize;
        }
        l.runq_tail = gp;
    }
    s.runqsize.fetch_add(1, Ordering::Release);
}

pub(crate) fn globrunqputhead_locked(gp: *mut g) {
    let s = sched();
    // SAFETY: as for globrunqput_locked.
    unsafe {
        let l = s.locked();
        (*gp).schedlink = l.runq_head as usize;
        l.runq_head = gp;
        if l.runq_tail.is_null() {
            l.runq_tail = gp;
        }
    }
    s.runqsize.fetch_add(1, Ordering::Release);
}

pub fn globrunqput(gp: *mut g) {
    let s = sched();
    s.lock.lock();
    globrunqput_locked(gp);
    s.lock.unlock();
}

fn globrunqpop_locked() -> *mut g {
    let s = sched();
    // SAFETY: SCHED.lock is held; the queue's Gs are live.
    let gp = unsafe {
        let l = s.locked();
        let gp = l.runq_head;
        if !gp.is_null() {
            l.runq_head = (*gp).schedlink as *mut g;
            (*gp).schedlink = 0;
            if l.runq_head.is_null() {
                l.runq_tail = null_mut();
            }
        }
        gp
    };
    if !gp.is_null() {
        s.runqsize.fetch_sub(1, Ordering::Release);
    }
    gp
}

/// Take a batch from the global queue (SCHED.lock held): one G to run and
/// up to a fair share more onto pp's local queue. `max` 0 means no limit.
pub(crate) fn globrunqget_locked(pp: *mut P, max: i32) -> *mut g {
    let s = sched();
    let size = s.runqsize.load(Ordering::Acquire);
    if size == 0 {
        return null_mut();
    }
    let mut n = size / gomaxprocs() + 1;
    if n > size {
        n = size;
    }
    if max > 0 && n > max {
        n = max;
    }
    if n > RUNQ_SIZE as i32 / 2 {
        n = RUNQ_SIZE as i32 / 2;
    }
    let gp = globrunqpop_locked();
    for _ in 1..n {
        let g2 = globrunqpop_locked();
        runqput(pp, g2, false);
    }
    gp
}

// ---- lists of Gs (linked through g.schedlink) ----

/// A list of Gs linked through schedlink (upstream's gList).
pub struct GList {
    pub head: *mut g,
    pub n: i32,
}

impl GList {
    pub const fn new() -> GList {
        GList { head: null_mut(), n: 0 }
    }
    pub fn is_empty(&self) -> bool {
        self.head.is_null()
    }
    pub fn push(&mut self, gp: *mut g) {
        // SAFETY: gp is a live G on no other list.
        unsafe { (*gp).schedlink = self.head as usize };
        self.head = gp;
        self.n += 1;
    }
    pub fn pop(&mut self) -> *mut g {
        let gp = self.head;
        if !gp.is_null() {
            // SAFETY: gp heads the list.
            unsafe {
                self.head = (*gp).schedlink as *mut g;
                (*gp).schedlink = 0;
            }
            self.n -= 1;
        }
        gp
    }
}

impl Default for GList {
    fn default() -> Self {
        Self::new()
    }
}

/// Make one waiting goroutine runnable from anywhere (sysmon has no P).
pub fn inject_one(gp: *mut g) {
    let mut l = GList::new();
    l.push(gp);
    injectglist(&mut l);
}

/// Make every G of a list of waiting Gs runnable and queue them: with no
/// P, all on the global queue (and start Ms for idle Ps); with a P, as many
/// on the global queue as there are idle Ps to run them, the rest locally.
pub fn injectglist(list: &mut GList) {
    if list.is_empty() {
        return;
    }
    let mut q = GList::new();
    loop {
        let gp = list.pop();
        if gp.is_null() {
            break;
        }
        casgstatus(gp, G_WAITING, G_RUNNABLE);
        super::stats::note_runnable(gp);
        q.push(gp);
    }
    let s = sched();
    let pp = curp();
    if pp.is_null() {
        let n = q.n;
        s.lock.lock();
        loop {
            let gp = q.pop();
            if gp.is_null() {
                break;
            }
            globrunqput_locked(gp);
        }
        s.lock.unlock();
        start_idle(n);
        return;
    }
    let npidle = s.npidle.load(Ordering::Acquire);
    let mut n = 0;
    if npidle > 0 {
        s.lock.lock();
        while n < npidle && !q.is_empty() {
            globrunqput_locked(q.pop());
            n += 1;
        }
        s.lock.unlock();
        start_idle(n);
    }
    loop {
        let gp = q.pop();
        if gp.is_null() {
            break;
        }
        runqput(pp, gp, false);
    }
}

/// Start Ms on up to n idle Ps.
fn start_idle(mut n: i32) {
    while n > 0 && sched().npidle.load(Ordering::Acquire) != 0 {
        startm(null_mut(), false, false);
        n -= 1;
    }
}
