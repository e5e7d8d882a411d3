//! The goroutine and threadcreate profiles (runtime.GoroutineProfile,
//! runtime/pprof's goroutine profile with labels, ThreadCreateProfile) and
//! the frame helper runtime/pprof symbolizes every profile with.
//!
//! A goroutine profile is a consistent snapshot, as upstream's: the world
//! stops, every goroutine the program owns (not the runtime's own) is
//! walked from its saved context (the caller from its runtime call), and
//! the world starts again. Stacks are recorded as runtime.Callers records
//! them (meta/traceback.rs traceback_pcs), so runtime.CallersFrames and
//! pprof read them as they read any other.

use crate::layout::rt::{m, Frame as GoFrame};
use crate::layout::{GoSlice, GoString};
use crate::sched::stats::StwReason;
use crate::traceback::{traceback_pcs, Unwinder};

/// runtime.StackRecord: up to 32 pcs, zero-terminated.
type StackRecord = [usize; 32];

/// A []StackRecord as the surface glue passes it (its element type is
/// declared on the Go side only).
fn records(p: GoSlice<u8>) -> GoSlice<StackRecord> {
    GoSlice { ptr: p.ptr as *mut StackRecord, len: p.len, cap: p.cap }
}

/// Does the goroutine profile count gp (not dead, not the runtime's; the
/// finalizer goroutine while it runs a finalizer is the program's)?
fn profiled(gp: *mut crate::layout::rt::g) -> bool {
    let st = crate::gm::gstatus(gp);
    st != crate::gm::G_DEAD
        && st != crate::gm::G_IDLE
        && (!crate::traceback::is_system_goroutine(gp) || crate::gc::finalizer::running_finalizer(gp))
}

/// The goroutine profile: n goroutines; when they fit in `p`, their
/// stacks (the caller's first, from the frame that called the Go face's
/// goroutineProfile) and, when `labels` is not empty (as long as `p`), each
/// one's profiler labels, all as of the same moment.
///
/// # Safety
/// `p` and `labels` are the Go caller's slices.
pub unsafe fn rt_goroutineProfile(p: GoSlice<u8>, labels: GoSlice<*mut u8>) -> (isize, bool) {
    let me = crate::gm::curg();
    // SAFETY: the caller's slices.
    let (recs, labels) = unsafe { (records(p).as_mut_slice(), labels.as_mut_slice()) };
    let (n, ok) = crate::sched::stw::with_world_stopped(StwReason::GoroutineProfile, || {
        let mut n = 0usize;
        crate::gm::for_each_g(|gp| n += profiled(gp) as usize);
        let ok = n <= recs.len();
        if ok {
            let mut put = |i: usize, gp: *mut crate::layout::rt::g, skip| {
                recs[i] = [0; 32];
                traceback_pcs(Unwinder::for_g(gp), skip, &mut recs[i]);
                if let Some(slot) = labels.get_mut(i) {
                    // SAFETY: a slot of the caller's heap slice; the collector
                    // may be marking, so the store has its barrier.
                    unsafe {
                        let l = (*gp).labels;
                        crate::wb::store(slot as *mut *mut u8 as *mut usize, l as usize);
                        *slot = l;
                    }
                }
            };
            // This trampoline and goroutineProfile's frame are not shown.
            put(0, me, 2);
            let mut i = 1;
            crate::gm::for_each_g(|gp| {
                if gp != me && profiled(gp) && i < n {
                    put(i, gp, 0);
                    i += 1;
                }
            });
        }
        (n, ok)
    });
    (n as isize, ok)
}

/// runtime.ThreadCreateProfile: a record per thread, the stack of the
/// goroutine whose runtime call created it (m.createstack).
///
/// # Safety
/// `p` is the Go caller's slice.
pub unsafe fn ThreadCreateProfile(p: GoSlice<u8>) -> (isize, bool) {
    let first = crate::sched::mthread::allm();
    let mut n = 0usize;
    let mut mp: *mut m = first;
    while !mp.is_null() {
        n += 1;
        // SAFETY: Ms are never freed; the list only grows at its head.
        mp = unsafe { (*mp).alllink };
    }
    // SAFETY: the caller's slice.
    let recs = unsafe { records(p).as_mut_slice() };
    if n > recs.len() {
        return (n as isize, false);
    }
    let mut mp = first;
    for r in recs.iter_mut().take(n) {
        // SAFETY: as above; the list is walked again from the same head.
        unsafe {
            *r = (*mp).createstack;
            mp = (*mp).alllink;
        }
    }
    (n as isize, true)
}

/// runtime/pprof's symbol name of a frame: the function's own linker name
/// (the inlined function's at an inlined pc), without the type-argument
/// elision Frame.Function has.
///
/// # Safety
/// `f` is a Frame that CallersFrames filled.
pub unsafe fn runtime_FrameSymbolName(f: *mut GoFrame) -> GoString {
    // SAFETY: per the function contract.
    let f = unsafe { &*f };
    let Some(fi) = crate::symtab::FuncInfo::from_raw(f.funcInfo._func as *const u8) else {
        return f.Function;
    };
    let name = match fi.inlined_at(f.PC) {
        Some(c) => fi.name_at(c.name_off),
        None => fi.name(),
    };
    GoString { ptr: name.as_ptr(), len: name.len() as isize }
}

/// runtime/pprof's expandFinalInlineFrame, Rust half: the pcs of every
/// logical frame at `pc` (a return pc, as Callers records them), innermost
/// first, into `out`; 0 when nothing is inlined there (the Go side then
/// keeps the stack as it is). A stack cut at its maximum depth may end in
/// an inlined frame whose callers were cut: pprof adds them back.
///
/// # Safety
/// `out` is the Go caller's slice.
pub unsafe fn rt_inlineFrames(pc: usize, out: GoSlice<usize>) -> isize {
    // SAFETY: the caller's slice.
    let out = unsafe { out.as_mut_slice() };
    let tracepc = pc.wrapping_sub(1);
    let Some(fi) = crate::symtab::findfunc(tracepc) else { return 0 };
    let mut ic = fi.inlined_at(tracepc);
    if ic.is_none() {
        return 0;
    }
    // The frame at pc itself was recorded: it is not a wrapper to elide.
    let mut callee = crate::symtab::FUNCID_NORMAL;
    let mut n = 0;
    let mut cur = tracepc;
    loop {
        let fid = ic.as_ref().map(|c| c.func_id).unwrap_or_else(|| fi.func_id());
        let elide = fid == crate::symtab::FUNCID_WRAPPER && crate::traceback::elide_wrapper_calling(callee);
        if !elide && n < out.len() {
            out[n] = cur + 1;
            n += 1;
        }
        callee = fid;
        match ic {
            Some(c) => {
                cur = fi.entry() + c.parent_pc as usize;
                ic = fi.inlined_at(cur);
            }
            None => break,
        }
    }
    n as isize
}
