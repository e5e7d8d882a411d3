//! The Rust half of panics (asm/runtime/panic.go holds the loops that call
//! deferred functions): finding the next frame with pending deferred
//! calls, and resuming a frame whose deferred call recovered.
//!
//! A frame has pending deferred calls if the goroutine's first linked
//! record (g._defer, from deferproc/deferprocStack) belongs to it (same SP),
//! or if its function has open-coded defers (funcdata OpenCodedDeferInfo:
//! varint offsets below the frame's locals of a bit mask of pending defers
//! and of the closure slots) and some bit is set.

use crate::layout::rt::{_panic, g};
use crate::symtab::FUNCDATA_OPEN_CODED_DEFER_INFO;
use crate::traceback::{Frame, Unwinder};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicU32, Ordering};

/// Threads reporting a fatal error (an unrecovered panic or a throw): once
/// set, the process is exiting and deadlock detection stands down.
pub static PANICKING: AtomicU32 = AtomicU32::new(0);

pub fn panicking() -> bool {
    PANICKING.load(Ordering::Acquire) > 0
}

fn read_varint(p: &mut usize) -> usize {
    let (mut v, mut shift) = (0usize, 0);
    loop {
        // SAFETY: p walks linker-emitted funcdata.
        let b = unsafe { *(*p as *const u8) };
        *p += 1;
        v |= ((b & 0x7f) as usize) << shift;
        if b & 0x80 == 0 {
            return v;
        }
        shift += 7;
    }
}

/// The start of a frame's locals (below the saved frame pointer).
fn varp(f: &Frame) -> usize {
    let mut v = f.fp - 8;
    if v > f.sp {
        v -= 8;
    }
    v
}

/// If f has pending open-coded defers, point p at them.
fn init_open_coded(p: *mut _panic, f: &Frame) -> bool {
    let Some(mut fd) = f.fi.funcdata(FUNCDATA_OPEN_CODED_DEFER_INFO) else { return false };
    if f.fi.deferreturn() == 0 {
        crate::fatal::throw("missing deferreturn");
    }
    let v = varp(f);
    let bits_off = read_varint(&mut fd);
    let bits = (v - bits_off) as *mut u8;
    // SAFETY: the defer bits live in the frame's locals.
    if unsafe { *bits } == 0 {
        return false;
    }
    let slots_off = read_varint(&mut fd);
    // SAFETY: p is the Go side's live _panic.
    unsafe {
        (*p).retpc = f.fi.entry() + f.fi.deferreturn() as usize;
        (*p).deferBitsPtr = bits;
        (*p).slotsPtr = (v - slots_off) as *mut u8;
    }
    true
}

/// Move p to the next frame with pending deferred calls, starting at the
/// frame whose return pc and SP are p.lr and p.fp.
pub fn rt_panicNextFrame(p: *mut _panic) -> bool {
    let gp = crate::sched::curg();
    // SAFETY: p is the Go side's live _panic; gp is its goroutine.
    unsafe {
        let limit = if (*gp)._defer.is_null() { 0 } else { (*(*gp)._defer).sp };
        for f in Unwinder::new((*p).lr, (*p).fp as usize) {
            if f.sp == limit || init_open_coded(p, &f) {
                (*p).lr = *((f.fp - 8) as *const usize);
                (*p).sp = f.sp as *mut u8;
                (*p).fp = f.fp as *mut u8;
                return true;
            }
        }
        (*p).lr = 0;
        false
    }
}

/// Resume the frame a deferred call recovered in: make its deferproc call
/// (or its open-coded defer epilogue) return 1, so that it runs its
/// remaining deferred calls and returns normally. Called through mcall.
pub fn recovery(gp: *mut g) -> ! {
    // SAFETY: gp is the goroutine that called mcall from nextDefer; its
    // _panic chain lives on its stack.
    unsafe {
        let mut p = (*gp)._panic;
        let (mut pc, mut sp, fp) = ((*p).retpc, (*p).sp as usize, (*p).fp as usize);
        let p0 = p;
        let mut save_open = !(*p).deferBitsPtr.is_null() && *(*p).deferBitsPtr != 0;
        while !p.is_null() && ((*p).startSP as usize) < sp {
            if (*p).goexit {
                // Never jump past a pending Goexit: resume its loop instead.
                pc = (*p).startPC;
                sp = (*p).startSP as usize;
                save_open = false;
                break;
            }
            crate::proc::running_panic_defers_add(-1);
            p = (*p).link;
        }
        (*gp)._panic = p;
        if p.is_null() {
            (*gp).sig = 0;
        }
        if !(*gp).param.is_null() {
            crate::fatal::throw("unexpected gp.param");
        }
        if save_open {
            let s = crate::heap::malloc::mallocgc(24, null_mut(), true) as *mut usize;
            *s = (*p0).retpc;
            *s.add(1) = (*p0).deferBitsPtr as usize - (*p0).sp as usize;
            *s.add(2) = (*p0).slotsPtr as usize - (*p0).sp as usize;
            (*gp).param = s as *mut u8;
        }
        if sp != 0 && (sp < (*gp).stack.lo || (*gp).stack.hi < sp) {
            crate::fatal::throw("bad recovery");
        }
        (*gp).sched.sp = sp;
        (*gp).sched.pc = pc;
        (*gp).sched.lr = 0;
        (*gp).sched.bp = fp - 16;
        (*gp).sched.ret = 1;
        (*gp).sched.g = gp as usize;
        crate::sched::resume(gp)
    }
}
