//! Entering and leaving system calls (the syscall package brackets every
//! possibly blocking call with these).
//!
//! Entering leaves the P attached but marked `P_SYSCALL` and detached from
//! the M: if the call returns quickly the M takes it back (the fast path);
//! if it blocks, sysmon retakes the P and hands it to another M. Leaving
//! without a P (the slow path, through mcall) queues the goroutine and
//! parks the M, unless an idle P is available.

use super::*;
use super::mthread::{acquirep, handoffp, pidleget, releasep, stoplockedm, stopm};
use super::runq::globrunqput_locked;
use super::schedule::{execute, schedule};

/// Where the collector and tracebacks find gp's frames while it is in the
/// call: (pc, sp) of the frame that called entersyscall, which stays live
/// until the call returns (asm/runtime/proc.go: entersyscall); any stack
/// growth until exitsyscall would be a bug: catch it.
///
/// # Safety
/// gp is the current m's goroutine, entering a system call.
unsafe fn save_syscall_context(gp: *mut g, pc: usize, sp: usize) {
    // SAFETY: per the function contract.
    unsafe {
        (*gp).stackguard0 = stack::STACK_PREEMPT;
        (*gp).throwsplit = true;
        (*gp).syscallsp = sp;
        (*gp).syscallpc = pc;
    }
}

/// The current goroutine is about to make a (possibly blocking) system
/// call from the frame at (pc, sp).
pub fn rt_entersyscall(pc: usize, sp: usize) {
    let mp = getm();
    let s = sched();
    // SAFETY: called on g0 on behalf of m.curg (through a trampoline, which
    // recorded the caller's pc and sp in g.sched).
    unsafe {
        let gp = (*mp).curg;
        crate::gm::acquirem();
        save_syscall_context(gp, pc, sp);
        casgstatus(gp, G_RUNNING, G_SYSCALL);
        if s.sysmonwait.load(Ordering::Acquire) {
            // Sysmon sleeps (everything was idle): it must watch this call.
            s.lock.lock();
            if s.sysmonwait.load(Ordering::Acquire) {
                s.sysmonwait.store(false, Ordering::Release);
                s.sysmonnote.wakeup();
            }
            s.lock.unlock();
        }
        let pp = (*mp).p as *mut P;
        (*mp).syscalltick = (*pp).syscalltick;
        (*pp).m = null_mut();
        (*mp).oldp = pp as usize;
        (*mp).p = 0;
        (*pp).set_status(P_SYSCALL);
        if s.gcwaiting.load(Ordering::Acquire) {
            // A stop-the-world is waiting for our P: give it up now. That
            // flag was read without the lock: the stop may be over by the
            // time we hold it, the world running again and our P (taken
            // while we are in the call) in another M's system call. Only a
            // stop still counting (stopwait > 0) may take a P here.
            s.lock.lock();
            let l = s.locked();
            if l.stopwait > 0 && (*pp).status.compare_exchange(P_SYSCALL, P_GCSTOP, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                (*pp).syscalltick = (*pp).syscalltick.wrapping_add(1);
                l.stopwait -= 1;
                if l.stopwait == 0 {
                    s.stopnote.wakeup();
                }
            }
            s.lock.unlock();
        }
        crate::gm::releasem();
    }
}

/// Like rt_entersyscall, for a call known to block: hand the P off at once.
pub fn rt_entersyscallblock(pc: usize, sp: usize) {
    let mp = getm();
    // SAFETY: as for entersyscall.
    unsafe {
        let gp = (*mp).curg;
        crate::gm::acquirem();
        save_syscall_context(gp, pc, sp);
        let pp = (*mp).p as *mut P;
        (*pp).syscalltick = (*pp).syscalltick.wrapping_add(1);
        (*mp).syscalltick = (*pp).syscalltick;
        casgstatus(gp, G_RUNNING, G_SYSCALL);
        handoffp(releasep());
        crate::gm::releasem();
    }
}

/// The fast path of leaving a system call: get the old P back, or any idle
/// P. False if the goroutine must wait for a P (the Go side then calls
/// mcall(mcallExitsyscall)).
pub fn rt_exitsyscallfast() -> bool {
    let mp = getm();
    let s = sched();
    // SAFETY: on behalf of m.curg, which is in _Gsyscall.
    unsafe {
        let gp = (*mp).curg;
        (*gp).waitsince = 0;
        let oldp = (*mp).oldp as *mut P;
        (*mp).oldp = 0;
        let mut got = false;
        if !oldp.is_null()
            && (*oldp).status.compare_exchange(P_SYSCALL, P_IDLE, Ordering::AcqRel, Ordering::Acquire).is_ok()
        {
            acquirep(oldp);
            if (*mp).syscalltick != (*oldp).syscalltick {
                // The P was retaken and given back meanwhile.
                (*oldp).syscalltick = (*oldp).syscalltick.wrapping_add(1);
            }
            got = true;
        } else if s.npidle.load(Ordering::Acquire) > 0 {
            s.lock.lock();
            let pp = pidleget();
            if !pp.is_null() && s.sysmonwait.load(Ordering::Acquire) {
                s.sysmonwait.store(false, Ordering::Release);
                s.sysmonnote.wakeup();
            }
            s.lock.unlock();
            if !pp.is_null() {
                acquirep(pp);
                got = true;
            }
        }
        if !got {
            return false;
        }
        let pp = (*mp).p as *mut P;
        (*pp).syscalltick = (*pp).syscalltick.wrapping_add(1);
        casgstatus(gp, G_SYSCALL, G_RUNNING);
        (*gp).syscallsp = 0;
        (*gp).syscallpc = 0;
        (*gp).throwsplit = false;
        (*gp).stackguard0 = if (*gp).preempt { stack::STACK_PREEMPT } else { (*gp).stack.lo + crate::stack::guard() };
        true
    }
}

/// The slow path of leaving a system call, on g0 through mcall: no P was
/// free. Take one if it has become idle, else queue gp and park the M.
pub(crate) fn exitsyscall0(gp: *mut g) -> ! {
    let s = sched();
    casgstatus(gp, G_SYSCALL, G_RUNNABLE);
    super::stats::note_runnable(gp);
    let mp = getm();
    // SAFETY: gp is the m's goroutine, now runnable; we are on g0.
    unsafe {
        (*mp).curg = null_mut();
        (*gp).m = null_mut();
        (*gp).syscallsp = 0;
        (*gp).syscallpc = 0;
        (*gp).throwsplit = false;
    }
    s.lock.lock();
    let pp = pidleget();
    let mut locked = false;
    if pp.is_null() {
        globrunqput_locked(gp);
        // SAFETY: gp is live.
        locked = unsafe { (*gp).lockedm != 0 };
    } else if s.sysmonwait.load(Ordering::Acquire) {
        s.sysmonwait.store(false, Ordering::Release);
        s.sysmonnote.wakeup();
    }
    s.lock.unlock();
    if !pp.is_null() {
        acquirep(pp);
        // SAFETY: pp is ours.
        unsafe { (*pp).syscalltick = (*pp).syscalltick.wrapping_add(1) };
        execute(gp, false);
    }
    if locked {
        // gp is locked to this M: wait until some M hands us a P with it.
        stoplockedm();
        execute(gp, false);
    }
    stopm();
    schedule()
}
