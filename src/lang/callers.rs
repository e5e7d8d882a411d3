//! runtime.Callers, Stack, FuncForPC and CallersFrames: the stack walks and
//! pclntab lookups of meta/ turned into the values the Go API returns.

use crate::layout::rt::{funcinl, Frame as GoFrame, Frames};
use crate::layout::{GoSlice, GoString};
use crate::symtab::{self, FuncInfo};
use crate::traceback::{goroutine_header, name_pieces, print_frames, print_origin, traceback_others, traceback_pcs, Unwinder};


/// Is pc in a function of package runtime (its own code, not code inlined
/// into a caller elsewhere)? A failed check there is a runtime bug.
pub fn rt_pcInRuntime(pc: usize) -> bool {
    symtab::findfunc(pc).is_some_and(|f| f.name().starts_with(b"runtime."))
}

/// runtime.Callers' walk, from the Go caller of this trampoline.
pub fn rt_callers(skip: isize, pcs: GoSlice<usize>) -> isize {
    let gp = crate::gm::curg();
    let mut u = Unwinder::for_g(gp);
    u.next(); // the rt_callers trampoline itself
    // SAFETY: pcs is the caller's []uintptr.
    let buf = unsafe { core::slice::from_raw_parts_mut(pcs.ptr, pcs.len.max(0) as usize) };
    traceback_pcs(u, skip, buf) as isize
}

/// runtime.Stack: the calling goroutine's traceback (and all others with
/// `all`) into buf, through g0's write buffer.
pub fn rt_stack(buf: GoSlice<u8>, all: bool) -> isize {
    let gp = crate::gm::curg();
    let g0 = crate::gm::getg();
    let mp = crate::gm::getm();
    // SAFETY: we run on g0 of the current m, on behalf of gp.
    unsafe {
        (*g0).writebuf = GoSlice { ptr: buf.ptr, len: 0, cap: buf.len };
        (*mp).tracebackLevel = 1;
        goroutine_header(gp);
        // Skip the rt_stack trampoline and runtime.Stack itself.
        print_frames(Unwinder::for_g(gp), 2, gp);
        print_origin(gp);
        if all {
            // The others stopped where they are (upstream's Stack stops the
            // world too): running goroutines' stacks cannot be read.
            crate::sched::stw::with_world_stopped(crate::sched::stats::StwReason::AllGoroutinesStack, || traceback_others(gp));
        }
        (*mp).tracebackLevel = 0;
        let n = (*g0).writebuf.len;
        (*g0).writebuf = GoSlice { ptr: core::ptr::null_mut(), len: 0, cap: 0 };
        n
    }
}

fn static_str(b: &'static [u8]) -> GoString {
    GoString { ptr: b.as_ptr(), len: b.len() as isize }
}

/// A function name as Frames and Func.Name report it: type arguments of
/// generic functions elided to [...].
fn name_for_print(name: &'static [u8]) -> GoString {
    let (a, b, c) = name_pieces(name);
    if b.is_empty() {
        return static_str(name);
    }
    crate::string::gostring_concat(&[a, b, c])
}

pub fn rt_funcNameForPrint(name: GoString) -> GoString {
    // SAFETY: name is a Go string.
    let bytes = unsafe { name.as_bytes() };
    let (a, b, c) = name_pieces(bytes);
    if b.is_empty() {
        return name;
    }
    crate::string::gostring_concat(&[a, b, c])
}

/// Fill f for one pc of a Callers list; false if pc is not Go code.
fn frame_for(pc: usize, f: *mut GoFrame) -> bool {
    let Some(fi) = symtab::findfunc(pc) else { return false };
    let entry = fi.entry();
    let pc = if pc > entry { pc - 1 } else { pc };
    let ic = fi.inlined_at(pc);
    let (name, start_line) = match ic {
        Some(c) => (fi.name_at(c.name_off), c.start_line),
        None => (fi.name(), fi.start_line()),
    };
    let (file, line) = fi.file_line(pc);
    // SAFETY: f is the caller's Frame.
    unsafe {
        (*f).PC = pc;
        (*f).Func = if ic.is_some() { core::ptr::null_mut() } else { fi.raw() as *mut u8 };
        (*f).Function = name_for_print(name);
        (*f).File = static_str(file);
        (*f).Line = line as isize;
        (*f).Entry = entry;
        (*f).startLine = start_line as isize;
        (*f).funcInfo._func = fi.raw() as *mut crate::layout::rt::_func;
        (*f).funcInfo.datap = fi.md.datap as *mut crate::layout::rt::moduledata;
    }
    true
}

/// Frames.Next: consume ci's pcs up to and including the next one that is
/// Go code, describing it in f (left zero if none is), then drop the pcs
/// that are not, so that the result (are there more frames?) is exact.
/// Frames keeps no other state: one frame per pc, because Callers already
/// records a pc for every inlined call. (Unless SetCgoTraceback gave a
/// symbolizer: then a C pc may stand for several frames, and Frames.Next
/// queues them in Go, asm/runtime/api.go, calling rt_frameFor per pc.)
///
/// # Safety
/// The pointers are the Go caller's own live values (a Frames, a Frame, a
/// funcinl, a *Func from FuncForPC).
pub unsafe fn rt_framesNext(ci: *mut Frames, f: *mut GoFrame) -> bool {
    // SAFETY: ci is the caller's Frames; its callers slice is live.
    unsafe {
        let callers = &mut (*ci).callers;
        let pop = |s: &mut GoSlice<usize>| {
            let pc = *s.ptr;
            // Never leave a pointer past the end of the array behind.
            *s = if s.len > 1 { GoSlice { ptr: s.ptr.add(1), len: s.len - 1, cap: s.cap - 1 } } else { GoSlice { ptr: core::ptr::null_mut(), len: 0, cap: 0 } };
            pc
        };
        while callers.len > 0 {
            if frame_for(pop(callers), f) {
                break;
            }
        }
        while callers.len > 0 && symtab::findfunc(*callers.ptr).is_none() {
            pop(callers);
        }
        callers.len > 0
    }
}

/// One frame of Frames.Next's (asm/runtime/api.go, with a cgo symbolizer)
/// for pc: false if pc is not Go code.
///
/// # Safety
/// f is the Go caller's Frame.
pub unsafe fn rt_frameFor(pc: usize, f: *mut GoFrame) -> bool {
    frame_for(pc, f)
}

/// runtime.FuncForPC: the _func record, or (for inlined code) a filled
/// funcinl and null.
///
/// # Safety
/// The pointers are the Go caller's own live values (a Frames, a Frame, a
/// funcinl, a *Func from FuncForPC).
pub unsafe fn rt_funcForPC(pc: usize, out: *mut funcinl) -> *mut u8 {
    let Some(fi) = symtab::findfunc(pc) else { return core::ptr::null_mut() };
    match fi.inlined_at(pc) {
        None => fi.raw() as *mut u8,
        Some(c) => {
            let (file, line) = fi.file_line(pc);
            // SAFETY: out is the caller's funcinl.
            unsafe {
                (*out).ones = u32::MAX;
                (*out).entry = fi.entry();
                (*out).name = static_str(fi.name_at(c.name_off));
                (*out).file = static_str(file);
                (*out).line = line;
                (*out).startLine = c.start_line;
            }
            core::ptr::null_mut()
        }
    }
}

fn func_of(f: *mut u8) -> FuncInfo {
    FuncInfo::from_raw(f as *const u8).unwrap_or_else(|| crate::fatal::throw("runtime: bad *Func"))
}

/// # Safety
/// The pointers are the Go caller's own live values (a Frames, a Frame, a
/// funcinl, a *Func from FuncForPC).
pub unsafe fn rt_funcName(f: *mut u8) -> GoString {
    name_for_print(func_of(f).name())
}

/// # Safety
/// The pointers are the Go caller's own live values (a Frames, a Frame, a
/// funcinl, a *Func from FuncForPC).
pub unsafe fn rt_funcEntry(f: *mut u8) -> usize {
    func_of(f).entry()
}

/// # Safety
/// The pointers are the Go caller's own live values (a Frames, a Frame, a
/// funcinl, a *Func from FuncForPC).
pub unsafe fn rt_funcFileLine(f: *mut u8, pc: usize) -> (GoString, isize) {
    let (file, line) = func_of(f).file_line(pc);
    (static_str(file), line as isize)
}
