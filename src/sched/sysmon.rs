//! sysmon: a thread without a P that watches the others. Every 20µs to
//! 10ms (backing off while nothing happens) it:
//!   - retakes Ps whose M has been in a system call for a whole sysmon
//!     period (when there is other work, or after 10ms) and hands them off;
//!   - asks goroutines that have run for 10ms to yield (cooperatively: their
//!     next function prologue sees stackguard0 = STACK_PREEMPT);
//!   - polls the network if nobody has for 10ms;
//!   - prints the scheduler trace (GODEBUG=schedtrace=N, scheddetail=1).
//! When every P is idle it sleeps until the next timer (or until a system
//! call or a stop-the-world end wakes it).

use super::*;
use super::mthread::{allm, checkdead, handoffp, incidlelocked, mcount, newm};
use super::runq::{injectglist, runq_empty, runq_len};
use super::schedule::{ASYNC_PREEMPT_OFF, preemptone};
use crate::gprint;

/// A goroutine may run this long before sysmon asks it to yield.
const FORCE_PREEMPT_NS: i64 = 10_000_000;

/// GODEBUG=schedtrace=N (ms) and scheddetail=1.
static SCHEDTRACE_MS: AtomicI64 = AtomicI64::new(0);
static SCHEDDETAIL: AtomicBool = AtomicBool::new(false);
/// Sysmon's check for a periodic collection (the collector registers it:
/// gc::init).
pub static SYSMON_FORCEGC: crate::hook::Hook<fn(i64)> = crate::hook::Hook::new();
/// Time of the first schedtrace line.
static STARTTIME: AtomicI64 = AtomicI64::new(0);

/// Read the scheduler's GODEBUG settings (startup).
pub fn parse_sched_godebug() {
    let Some(v) = crate::env::getenv(b"GODEBUG") else { return };
    for kv in v.split(|&c| c == b',') {
        let mut it = kv.splitn(2, |&c| c == b'=');
        let (Some(k), Some(val)) = (it.next(), it.next()) else { continue };
        let Some(n) = parse_decimal(val) else { continue };
        match k {
            b"schedtrace" => SCHEDTRACE_MS.store(n, Ordering::Relaxed),
            b"scheddetail" => SCHEDDETAIL.store(n != 0, Ordering::Relaxed),
            b"asyncpreemptoff" => ASYNC_PREEMPT_OFF.store(n != 0, Ordering::Relaxed),
            _ => {}
        }
    }
}

fn parse_decimal(v: &[u8]) -> Option<i64> {
    if v.is_empty() || v.len() > 18 || !v.iter().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(v.iter().fold(0i64, |n, &c| n * 10 + (c - b'0') as i64))
}

/// runtime.main has started: from now on new work wakes idle Ps, and
/// sysmon watches (it starts before the package initialisers run).
pub fn rt_mainStarted() {
    MAIN_STARTED.store(true, Ordering::Release);
    newm(Some(sysmon), null_mut(), -1);
}

fn sysmon() {
    let s = sched();
    s.lock.lock();
    // SAFETY: SCHED.lock is held.
    unsafe { s.locked().nmsys += 1 };
    checkdead();
    s.lock.unlock();

    let mut lasttrace = 0i64;
    let mut idle = 0u32;
    let mut delay = 0u32;
    loop {
        if idle == 0 {
            delay = 20;
        } else if idle > 50 {
            delay *= 2;
        }
        delay = delay.min(10_000);
        crate::sys::usleep(delay);
        let now = crate::time::nanotime();
        let trace_ms = SCHEDTRACE_MS.load(Ordering::Relaxed);
        if trace_ms <= 0 && (s.gcwaiting.load(Ordering::Acquire) || s.npidle.load(Ordering::Acquire) == gomaxprocs()) {
            s.lock.lock();
            if s.gcwaiting.load(Ordering::Acquire) || s.npidle.load(Ordering::Acquire) == gomaxprocs() {
                let mut woken = false;
                let next = crate::timer::sleep_until();
                if next > now {
                    s.sysmonwait.store(true, Ordering::Release);
                    s.lock.unlock();
                    // Sleep until the next timer (at most 1 minute); a
                    // system call or the end of a stop-the-world wakes us.
                    let sleep = (next - now).min(60_000_000_000);
                    woken = s.sysmonnote.sleep_timeout(sleep);
                    s.lock.lock();
                    s.sysmonwait.store(false, Ordering::Release);
                    s.sysmonnote.clear();
                }
                if woken {
                    idle = 0;
                    delay = 20;
                }
            }
            s.lock.unlock();
        }
        s.sysmonlock.lock();
        let now = crate::time::nanotime();
        // Poll the network if nobody has for 10ms.
        let lastpoll = s.lastpoll.load(Ordering::Acquire);
        if crate::netpoll::inited() && lastpoll != 0 && lastpoll + 10_000_000 < now {
            let _ = s.lastpoll.compare_exchange(lastpoll, now, Ordering::AcqRel, Ordering::Acquire);
            let (mut list, delta) = crate::netpoll::netpoll(0);
            if !list.is_empty() {
                // The Gs we inject make the world non-idle without an M to
                // run them yet: don't let checkdead see a deadlock.
                incidlelocked(-1);
                injectglist(&mut list);
                incidlelocked(1);
            }
            crate::netpoll::adjust_waiters(delta);
        }
        // A periodic collection due: wake the forced-GC goroutine.
        if let Some(forcegc) = SYSMON_FORCEGC.get() {
            forcegc(now);
        }
        if retake(now) != 0 {
            idle = 0;
        } else {
            idle += 1;
        }
        if trace_ms > 0 && lasttrace + trace_ms * 1_000_000 <= now {
            lasttrace = now;
            schedtrace(SCHEDDETAIL.load(Ordering::Relaxed));
        }
        s.sysmonlock.unlock();
    }
}

/// Retake Ps blocked in system calls and ask long-running goroutines to
/// yield. Returns the number of Ps retaken.
fn retake(now: i64) -> u32 {
    let s = sched();
    let mut n = 0;
    for i in 0..gomaxprocs() as usize {
        let pp = allp(i);
        if pp.is_null() {
            continue;
        }
        // SAFETY: pp is a live P; sysmontick is only touched by sysmon.
        unsafe {
            let pd = &mut (*pp).sysmontick;
            let st = (*pp).status();
            let mut sysretake = false;
            if st == P_RUNNING || st == P_SYSCALL {
                let t = (*pp).schedtick;
                if pd.schedtick != t {
                    pd.schedtick = t;
                    pd.schedwhen = now;
                } else if pd.schedwhen + FORCE_PREEMPT_NS <= now {
                    preemptone(pp);
                    // In a system call, preemptone cannot reach the G:
                    // retake the P instead.
                    sysretake = true;
                }
            }
            if st == P_SYSCALL {
                let t = (*pp).syscalltick;
                if !sysretake && pd.syscalltick != t {
                    pd.syscalltick = t;
                    pd.syscallwhen = now;
                    continue;
                }
                // Leave the P if it has no work and other Ms are spinning or
                // idle to pick up new work, unless the call has lasted 10ms.
                if runq_empty(pp)
                    && s.nmspinning.load(Ordering::Acquire) + s.npidle.load(Ordering::Acquire) > 0
                    && pd.syscallwhen + 10_000_000 > now
                {
                    continue;
                }
                // Sysmon holds no P; count it as idle-locked meanwhile so that
                // checkdead does not see an inconsistent M count.
                incidlelocked(-1);
                if (*pp).status.compare_exchange(P_SYSCALL, P_IDLE, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                    n += 1;
                    (*pp).syscalltick = (*pp).syscalltick.wrapping_add(1);
                    handoffp(pp);
                }
                incidlelocked(1);
            }
        }
    }
    n
}

/// The scheduler trace (GODEBUG=schedtrace, in upstream's format).
pub fn schedtrace(detailed: bool) {
    let now = crate::time::nanotime();
    let _ = STARTTIME.compare_exchange(0, now, Ordering::AcqRel, Ordering::Acquire);
    let start = STARTTIME.load(Ordering::Acquire);
    let s = sched();
    s.lock.lock();
    let threads = mcount();
    // SAFETY: SCHED.lock is held until the end; the fields are copied.
    let (nmidle, nmidlelocked, stopwait) = unsafe {
        let l = s.locked();
        (l.nmidle, l.nmidlelocked, l.stopwait)
    };
    crate::print::printlock();
    gprint!(
        b"SCHED ", (now - start) / 1_000_000, b"ms: gomaxprocs=", gomaxprocs(), b" idleprocs=",
        s.npidle.load(Ordering::Acquire), b" threads=", threads, b" spinningthreads=",
        s.nmspinning.load(Ordering::Acquire), b" needspinning=", s.needspinning.load(Ordering::Acquire),
        b" idlethreads=", nmidle, b" runqueue=", s.runqsize.load(Ordering::Acquire)
    );
    if detailed {
        gprint!(
            b" gcwaiting=", s.gcwaiting.load(Ordering::Acquire), b" nmidlelocked=", nmidlelocked, b" stopwait=",
            stopwait, b" sysmonwait=", s.sysmonwait.load(Ordering::Acquire), b"\n"
        );
    }
    let np = gomaxprocs() as usize;
    for i in 0..np {
        let pp = allp(i);
        // SAFETY: Ps below gomaxprocs are live; fields are read racily, as
        // upstream does (a trace is a snapshot).
        unsafe {
            let mp = (*pp).m;
            let qlen = runq_len(pp);
            if detailed {
                gprint!(
                    b"  P", i, b": status=", (*pp).status(), b" schedtick=", (*pp).schedtick, b" syscalltick=",
                    (*pp).syscalltick, b" m="
                );
                if mp.is_null() {
                    gprint!(b"nil");
                } else {
                    gprint!((*mp).id);
                }
                gprint!(b" runqsize=", qlen, b" gfreecnt=", (*pp).gfree.len(), b" timerslen=", (*pp).timers.len(), b"\n");
            } else {
                gprint!(b" ");
                if i == 0 {
                    gprint!(b"[");
                }
                gprint!(qlen);
                if i == np - 1 {
                    gprint!(b"]\n");
                }
            }
        }
    }
    if detailed {
        let mut mp = allm();
        while !mp.is_null() {
            // SAFETY: Ms are never freed; fields are read racily.
            unsafe {
                let pp = (*mp).p as *mut P;
                gprint!(b"  M", (*mp).id, b": p=");
                if pp.is_null() {
                    gprint!(b"nil");
                } else {
                    gprint!((*pp).id);
                }
                gprint!(b" curg=");
                if (*mp).curg.is_null() {
                    gprint!(b"nil");
                } else {
                    gprint!((*(*mp).curg).goid);
                }
                gprint!(
                    b" mallocing=", (*mp).mallocing, b" throwing=", (*mp).throwing, b" preemptoff=",
                    (*mp).preemptoff.as_bytes(), b" locks=", (*mp).locks, b" dying=", (*mp).dying, b" spinning=",
                    (*mp).spinning, b" blocked=", (*mp).blocked, b" lockedg="
                );
                let lg = (*mp).lockedg as *mut g;
                if lg.is_null() {
                    gprint!(b"nil");
                } else {
                    gprint!((*lg).goid);
                }
                gprint!(b"\n");
                mp = (*mp).alllink;
            }
        }
        for_each_g(|gp| {
            // SAFETY: gp is a live G; fields are read racily.
            unsafe {
                let st = readgstatus(gp);
                let wr = crate::traceback::WAIT_REASON_STRINGS.get((*gp).waitreason as usize).copied().unwrap_or("");
                gprint!(b"  G", (*gp).goid, b": status=", st, b"(", wr, b") m=");
                if (*gp).m.is_null() {
                    gprint!(b"nil");
                } else {
                    gprint!((*(*gp).m).id);
                }
                gprint!(b" lockedm=");
                let lm = (*gp).lockedm as *mut m;
                if lm.is_null() {
                    gprint!(b"nil");
                } else {
                    gprint!((*lm).id);
                }
                gprint!(b"\n");
            }
        });
    }
    crate::print::printunlock();
    s.lock.unlock();
}
