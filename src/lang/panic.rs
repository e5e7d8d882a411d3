//! Panics, Goexit and deferreturn: the decisions, made here; the calls of
//! deferred functions, made by three small Go loops (asm/runtime) that only
//! invoke what this module hands them, because deferred functions must run
//! on the goroutine's own stack.
//!
//! Each loop owns a `_panic` record on its stack, the *cursor*, and does:
//!
//! ```text
//! rt_deferBegin(&p, kind, getcallerpc(), getcallersp())  // set up the cursor
//! for { fn, ok := rt_deferNext(&p); if !ok { break }; fn() }
//! ```
//!
//! The cursor remembers the loop's own frame (`startPC`/`startSP`: the
//! return address of rt_deferBegin and the loop's SP), the frame whose
//! deferred calls are being run (`sp`; `lr`/`fp` say where the stack walk
//! goes on from), and that frame's pending open-coded defers
//! (`deferBitsPtr`, `slotsPtr`). deferreturn's cursor covers its caller's
//! frame only and is not linked into g._panic. A frame has pending deferred calls if the
//! goroutine's first linked record (g._defer, from deferproc or
//! deferprocStack) belongs to it (same SP), or if its function has
//! open-coded defers (funcdata OpenCodedDeferInfo: varint offsets, below
//! the frame's locals, of a bit mask of pending defers and of their closure
//! slots) and a bit is set.
//!
//! A deferred call that recovers only sets `recovered`; the next
//! rt_deferNext sees it and resumes the recovering frame at its
//! deferreturn call with AX = 1 (its deferproc "returned 1"), switching
//! stacks directly from the Rust call (`recovery`). If that frame still
//! has open-coded defers pending, recovery leaves a note in g.param for
//! the deferreturn it resumes (a normal deferreturn never looks at the
//! frame's defer bits, which costs a table walk). Panics whose loops lie
//! below that frame are abandoned, except that a pending Goexit is never
//! jumped over: its loop is resumed instead (at rt_deferBegin's return,
//! which is why that call has no results).

use crate::layout::rt::{_panic, funcval, g};
use crate::symtab::FUNCDATA_OPEN_CODED_DEFER_INFO;
use crate::traceback::{Frame, Unwinder};
use core::ptr::null_mut;

/// Is a fatal error being reported (runtime.main waits for its exit)?
pub fn rt_panicking() -> bool {
    crate::fatal::panicking()
}

/// recovery's note to deferreturn in g.param (not a pointer: the collector
/// ignores values this small): the resumed frame has open-coded defers left.
const RECOVERED_OPEN_CODED: *mut u8 = core::ptr::without_provenance_mut(1);

/// What a deferred-call loop is running (rt_deferBegin's kind; the Go
/// constants deferLoop* in asm/runtime/panic.go).
const LOOP_PANIC: isize = 0;
const LOOP_GOEXIT: isize = 1;
const LOOP_RETURN: isize = 2;

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

/// The Go frame that called the running Rust entry point, as (return pc,
/// SP). rtcall leaves the trampoline's SP in g.sched.sp; trampolines have
/// no frame and runtime code calls them directly (ABI0), so the word there
/// is the return address into the Go caller, whose SP is just above it.
fn go_caller(gp: *mut g) -> (usize, usize) {
    // SAFETY: gp is away in this Rust call (rtcall saved its context) and
    // its stack holds the trampoline's return address at sched.sp.
    unsafe {
        let tsp = (*gp).sched.sp;
        (*(tsp as *const usize), tsp + 8)
    }
}

/// If f has pending open-coded defers, point the cursor at them.
fn open_coded_pending(p: &mut _panic, f: &Frame) -> bool {
    let Some(mut fd) = f.fi.funcdata(FUNCDATA_OPEN_CODED_DEFER_INFO) else { return false };
    if f.fi.deferreturn() == 0 {
        crate::fatal::throw("missing deferreturn");
    }
    let v = varp(f);
    let bits = (v - read_varint(&mut fd)) as *mut u8;
    // SAFETY: the defer bits live in the frame's locals.
    if unsafe { *bits } == 0 {
        return false;
    }
    p.retpc = f.fi.entry() + f.fi.deferreturn() as usize;
    p.deferBitsPtr = bits;
    p.slotsPtr = (v - read_varint(&mut fd)) as *mut u8;
    true
}

/// The SP of the frame owning the goroutine's first linked defer record
/// (0 if there is none).
fn first_linked_sp(gp: *mut g) -> usize {
    // SAFETY: gp is the running goroutine; its records are live.
    unsafe {
        let d = (*gp)._defer;
        if d.is_null() {
            0
        } else {
            (*d).sp
        }
    }
}

/// Walk on from the cursor's lr/fp to the next frame with pending deferred
/// calls; false (and the walk over) when there is none.
fn advance(gp: *mut g, p: &mut _panic) -> bool {
    if p.lr == 0 {
        return false;
    }
    let linked_sp = first_linked_sp(gp);
    for f in Unwinder::new(p.lr, p.fp as usize) {
        if f.sp == linked_sp || open_coded_pending(p, &f) {
            // SAFETY: the frame's return address is the word below its top.
            p.lr = unsafe { *((f.fp - 8) as *const usize) };
            p.sp = f.sp as *mut u8;
            p.fp = f.fp as *mut u8;
            return true;
        }
    }
    p.lr = 0;
    false
}

/// Set up the cursor of a deferred-call loop (panic, Goexit or
/// deferreturn); pc and sp are the loop's caller's: where the walk starts,
/// or, for deferreturn, the frame whose deferred calls run.
///
/// # Safety
/// `p` is the calling loop's own _panic record, on its stack.
pub unsafe fn rt_deferBegin(p: *mut _panic, kind: isize, pc: usize, sp: usize) {
    let gp = crate::gm::curg();
    // SAFETY: p is the Go side's cursor, a live _panic in the loop's frame
    // that only this call touches now.
    let cursor = unsafe { &mut *p };
    // SAFETY: a non-null curg is a live goroutine.
    let on_goroutine = !gp.is_null() && unsafe { (*gp).stack.lo <= p as usize && (p as usize) < (*gp).stack.hi };
    if !on_goroutine {
        // The cursor lives in the loop's frame, so this loop runs on a
        // system stack (a timer function called on g0), where nothing can
        // be unwound.
        crate::print::gwrite(b"panic: ");
        crate::errors::rt_printpanicval(cursor.arg);
        crate::print::gwrite(b"\n");
        crate::fatal::throw("panic on system stack");
    }
    if kind == LOOP_RETURN {
        cursor.deferreturn = true;
        cursor.sp = sp as *mut u8;
        // After a recovery, the frame's open-coded defers that did not run
        // yet are among its deferred calls (the only way such a frame
        // reaches its deferreturn call): `recovery` left a note.
        // SAFETY: gp is the running goroutine.
        let noted = unsafe { (*gp).param == RECOVERED_OPEN_CODED };
        if noted {
            // SAFETY: as above.
            unsafe { (*gp).param = null_mut() };
            if let Some(f) = Unwinder::new(pc, sp).next() {
                open_coded_pending(cursor, &f);
            }
        }
        return;
    }
    // Where a recovery resumes a Goexit: this call's return, on the loop's
    // frame.
    let (loop_pc, loop_sp) = go_caller(gp);
    cursor.startPC = loop_pc;
    cursor.startSP = loop_sp as *mut u8;
    match kind {
        LOOP_PANIC => running_panic_defers_add(1),
        LOOP_GOEXIT => cursor.goexit = true,
        _ => crate::fatal::throw("deferred calls: bad loop kind"),
    }
    // SAFETY: gp is the running goroutine; its panic chain is ours.
    unsafe {
        cursor.link = (*gp)._panic;
        (*gp)._panic = p;
    }
    cursor.lr = pc;
    cursor.fp = sp as *mut u8;
    advance(gp, cursor);
}

/// The next deferred function the loop must call, or (null, false) when
/// none is left. A recovery by the previous call happens here instead.
///
/// # Safety
/// `p` is the calling loop's own _panic record, on its stack.
pub unsafe fn rt_deferNext(p: *mut _panic) -> (*mut funcval, bool) {
    let gp = crate::gm::curg();
    // SAFETY: p is the Go side's live cursor, untouched by Go code while
    // this call runs.
    let cursor = unsafe { &mut *p };
    if !cursor.deferreturn {
        // SAFETY: gp is the running goroutine.
        if unsafe { (*gp)._panic } != p {
            crate::fatal::throw("bad panic stack");
        }
        if cursor.recovered {
            recovery(gp);
        }
    }
    // recover() accepts only a call made directly by a deferred function
    // that this loop called: its argument pointer is the loop's SP.
    // Wrapper prologues move argp, so it is set afresh.
    cursor.argp = go_caller(gp).1 as *mut u8;
    loop {
        // SAFETY: the cursor's defer bits point into its current frame,
        // which is live (it is above the loop's).
        if let Some(fv) = unsafe { next_open_coded(cursor) } {
            return (fv, true);
        }
        // SAFETY: gp is the running goroutine.
        let d = unsafe { (*gp)._defer };
        // SAFETY: a non-null record is live.
        if !d.is_null() && unsafe { (*d).sp } == cursor.sp as usize {
            // SAFETY: the record belongs to the cursor's frame; taking it
            // off the goroutine's list is this loop's business.
            unsafe {
                if (*d).rangefunc {
                    // A range-over-func marker: its list (most recent
                    // first) takes its place, as records of this frame.
                    splice_range_defers(d);
                    (*gp)._defer = (*d).link;
                    continue;
                }
                cursor.retpc = (*d).pc;
                (*gp)._defer = (*d).link;
                return (core::mem::replace(&mut (*d).r#fn, null_mut()), true);
            }
        }
        if !advance(gp, cursor) {
            return (null_mut(), false);
        }
    }
}

/// The value deferprocat finds in a list that can take no more records
/// (asm/runtime/panic.go: closedDeferList).
const RANGE_LIST_CLOSED: *mut crate::layout::rt::_defer = core::ptr::without_provenance_mut(1);

/// Close a range-over-func marker's list and link its records, with the
/// marker's frame, right after the marker.
///
/// # Safety
/// d is a live marker record (rangefunc set, head a live list head) at the
/// front of the running goroutine's defer chain.
unsafe fn splice_range_defers(d: *mut crate::layout::rt::_defer) {
    // SAFETY: per the contract; the head is an atomic.Pointer, one word.
    unsafe {
        let head = &*((*d).head as *const core::sync::atomic::AtomicPtr<crate::layout::rt::_defer>);
        let list = head.swap(RANGE_LIST_CLOSED, core::sync::atomic::Ordering::AcqRel);
        // The records are heap objects: the pointers moved below go
        // through the write barrier (the swapped-out head first).
        crate::wb::shade2(list as usize, 0);
        if list == RANGE_LIST_CLOSED {
            crate::fatal::throw("defer after range func returned");
        }
        if list.is_null() {
            return;
        }
        let mut r = list;
        loop {
            (*r).sp = (*d).sp;
            (*r).pc = (*d).pc;
            if (*r).link.is_null() {
                crate::wb::store(core::ptr::addr_of_mut!((*r).link) as *mut usize, (*d).link as usize);
                (*r).link = (*d).link;
                break;
            }
            r = (*r).link;
        }
        crate::wb::store(core::ptr::addr_of_mut!((*d).link) as *mut usize, list as usize);
        (*d).link = list;
    }
}

/// Take the highest pending open-coded defer of the cursor's frame (they
/// run in reverse order of their defer statements).
///
/// # Safety
/// The cursor's deferBitsPtr, if set, points into a live frame whose
/// closure slots slotsPtr locates.
unsafe fn next_open_coded(p: &mut _panic) -> Option<*mut funcval> {
    let bits_ptr = p.deferBitsPtr;
    if bits_ptr.is_null() {
        return None;
    }
    // SAFETY: per the contract.
    let bits = unsafe { *bits_ptr };
    if bits == 0 {
        p.deferBitsPtr = null_mut();
        return None;
    }
    let i = 7 - bits.leading_zeros() as usize;
    // SAFETY: per the contract; slot i exists because bit i was set.
    unsafe {
        *bits_ptr = bits & !(1 << i);
        Some(*(p.slotsPtr as *const *mut funcval).add(i))
    }
}

/// Resume the frame whose deferred call recovered: make its deferproc call
/// (or its open-coded defer epilogue) return 1 at its deferreturn call, so
/// that it runs its remaining deferred calls and returns normally. Runs on
/// g0 inside the rt_deferNext call; the g0 frames are abandoned.
fn recovery(gp: *mut g) -> ! {
    // SAFETY: gp is the running goroutine; its _panic chain lives on its
    // stack, every record above the recovering frame.
    unsafe {
        let mut p = (*gp)._panic;
        let (mut pc, mut sp, mut fp) = ((*p).retpc, (*p).sp as usize, (*p).fp as usize);
        let bits = (*p).deferBitsPtr;
        let mut resume_open_coded = !bits.is_null() && *bits != 0;
        while !p.is_null() && ((*p).startSP as usize) < sp {
            if (*p).goexit {
                // Never jump past a pending Goexit: resume its loop instead.
                pc = (*p).startPC;
                sp = (*p).startSP as usize;
                fp = Unwinder::new(pc, sp).next().map_or(sp + 8, |f| f.fp);
                resume_open_coded = false;
                break;
            }
            running_panic_defers_add(-1);
            p = (*p).link;
        }
        (*gp)._panic = p;
        if p.is_null() {
            (*gp).sig = 0;
        }
        if !(*gp).param.is_null() {
            crate::fatal::throw("unexpected gp.param");
        }
        if resume_open_coded {
            (*gp).param = RECOVERED_OPEN_CODED;
        }
        if sp < (*gp).stack.lo || (*gp).stack.hi < sp {
            crate::fatal::throw("bad recovery");
        }
        let b = &mut (*gp).sched;
        b.sp = sp;
        b.pc = pc;
        b.lr = 0;
        b.bp = fp - 16;
        b.ret = 1;
        b.ctxt = null_mut();
        crate::sched::schedule::resume(gp)
    }
}

/// Adjust the Go side's runningPanicDefers (panics running deferred calls).
fn running_panic_defers_add(d: i32) {
    // SAFETY: runtime.runningPanicDefers is an int32 Go variable.
    let c = unsafe { &*(crate::links::links().runningPanicDefers as *const core::sync::atomic::AtomicI32) };
    c.fetch_add(d, core::sync::atomic::Ordering::SeqCst);
}
