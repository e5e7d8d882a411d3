//! Walking goroutine stacks and printing tracebacks in upstream's format.
//!
//! Only Go frames live on goroutine stacks (Rust runs on g0), so a stack is
//! walked with the pclntab alone: a frame's size at its pc (pcsp table)
//! locates the return address, which is the caller's pc; the walk stops at
//! a top frame (goexit, flagged TOPFRAME). A goroutine that is not running,
//! or that is away in a call into the runtime, has its innermost pc and sp
//! in g.sched.
//!
//! The printed form follows upstream exactly: `goroutine N [status]:`,
//! each source frame as `pkg.Func(args)` then `\tfile:line +0xoff`, inlined
//! frames as `pkg.Func(...)` without an offset, runtime frames hidden unless
//! GOTRACEBACK=system, wrappers hidden, 50 innermost and 50 outermost frames
//! around an `...N frames elided...` line, and `created by ...`.
//!
//! C frames: with runtime.SetCgoTraceback's functions, the C code that
//! called Go shows after each cgocallback frame of a goroutine (the
//! traceback function, given the context the call from C carried, kept
//! in g.cgoCtxt: the unwinder pairs them up), both in the pcs of Callers
//! and the profiles and in printed tracebacks (through the symbolizer);
//! and a crash in C code starts its report with the C frames of the
//! signal's context.

use crate::layout::rt::g;
use crate::fatal::{gotraceback, SysFrameStart, THROW_RUNTIME};
use crate::print::{gwrite, printhex, printhex_padded, printint, printpointer, printuint};
use crate::gm::readgstatus;
use crate::symtab::{self, FuncInfo, SrcFrame, *};

/// One physical frame.
#[derive(Clone, Copy)]
pub struct Frame {
    pub pc: usize,
    pub sp: usize,
    /// The caller's SP: the frame's top (return address just below).
    pub fp: usize,
    pub fi: FuncInfo,
    /// pc is a faulting instruction, not a return address.
    pub trap: bool,
    /// For a cgocallback frame: the traceback context of the call from C
    /// it entered Go by (0: none; see `cgo_context_callers`).
    pub cgo_ctxt: usize,
}

impl Frame {
    /// The pc to look up source positions with: the CALL instruction for
    /// return addresses.
    pub fn sym_pc(&self) -> usize {
        if !self.trap && self.pc > self.fi.entry() {
            self.pc - 1
        } else {
            self.pc
        }
    }

    /// Start of the frame's incoming arguments (amd64: just above the
    /// return address).
    pub fn argp(&self) -> usize {
        self.fp
    }

    /// Top of the frame's locals: below the return address and, in a frame
    /// with locals, the saved frame pointer.
    pub fn varp(&self) -> usize {
        let v = self.fp - 8;
        if v > self.sp {
            v - 8
        } else {
            v
        }
    }
}

/// Iterator over the physical frames of a stack, innermost first.
#[derive(Clone)]
pub struct Unwinder {
    pc: usize,
    sp: usize,
    done: bool,
    trap: bool,
    /// The last frame yielded, when the walk ended at a return address in
    /// no function (a corrupted stack): the frame and that address.
    pub bad_return: Option<(Frame, usize)>,
    last: Option<Frame>,
    /// The walk ended at a frame that ends a stack (goexit, a top frame,
    /// a function that switches stacks), not at a pc it could not follow.
    complete: bool,
    /// A walk that must see every frame (the collector's, stack
    /// copying's): see [`Unwinder::strict`].
    strict: bool,
    /// The goroutine whose stack this is, when known (null: none), and
    /// the index in its g.cgoCtxt of the context the next cgocallback
    /// frame pairs with: each call from C that carried a context pushed
    /// it there, so walking outwards they pair up innermost first.
    gp: *mut g,
    ctxt_next: isize,
}

impl Unwinder {
    pub fn new(pc: usize, sp: usize) -> Unwinder {
        Unwinder {
            pc,
            sp,
            done: pc == 0,
            trap: false,
            complete: false,
            strict: false,
            bad_return: None,
            last: None,
            gp: core::ptr::null_mut(),
            ctxt_next: -1,
        }
    }

    /// Start at an interrupted instruction (a signal's context).
    pub fn at_trap(pc: usize, sp: usize) -> Unwinder {
        Unwinder { trap: true, ..Unwinder::new(pc, sp) }
    }

    /// The stack walked is gp's: its cgocallback frames get the traceback
    /// contexts of the calls from C that gp is running.
    pub fn of_goroutine(mut self, gp: *mut g) -> Unwinder {
        self.gp = gp;
        // SAFETY: gp is a live goroutine; its context list only changes
        // on its own thread, length last (asm/runtime/cgo.go).
        self.ctxt_next = if gp.is_null() { -1 } else { (unsafe { (*gp).cgoCtxt.len }) - 1 };
        self
    }

    /// A walk that must see every frame of a goroutine (the collector's,
    /// stack copying's): a function that writes SP (the assembler's
    /// SPWRITE flag) met beyond the innermost frame is a fatal error
    /// before its frame is yielded, as at upstream's unwinder: its frame
    /// size says nothing of where its caller's frame is, so the frames
    /// beyond would go unseen (their pointers unmarked, or not moved).
    /// Innermost, such a function is taken to have stopped at its entry,
    /// before writing SP. (Walks that print or record stop there.)
    pub fn strict(mut self) -> Unwinder {
        self.strict = true;
        self
    }

    /// For walks that must see every frame of a goroutine (the collector's,
    /// stack copying's): once the walk is over, throw unless it reached
    /// the end of the stack. Stopping early at a pc that is in no function
    /// (or with a broken frame size) means frames were not seen: their
    /// pointers would be missed, and what they point to freed or not moved.
    pub fn check_complete(&self, gp: *mut g) {
        if self.complete {
            return;
        }
        if let Some((f, lr)) = self.bad_return {
            // A return address in no function: upstream's report of it.
            report_bad_return(gp, &f, lr);
            crate::fatal::throw("unknown caller pc")
        }
        // SAFETY: gp is the goroutine walked (stopped or away in Rust).
        unsafe {
            crate::gprint!(
                b"runtime: g ", (*gp).goid, b": unexpected return pc ", crate::print::Hex(self.pc as u64),
                b" at sp ", crate::print::Hex(self.sp as u64), b" (stack=[", crate::print::Hex((*gp).stack.lo as u64), b", ",
                crate::print::Hex((*gp).stack.hi as u64), b"], status ", readgstatus(gp), b")\n"
            );
        }
        crate::fatal::throw("unknown caller pc")
    }

    /// Start at a goroutine's saved context.
    pub fn for_g(gp: *mut g) -> Unwinder {
        // SAFETY: gp is a live goroutine that is not running (or is away
        // in the runtime, which saved its context).
        unsafe {
            if readgstatus(gp) & !(crate::layout::rt::_Gscan as u32) == crate::gm::G_SYSCALL && (*gp).syscallsp != 0 {
                return Unwinder::new((*gp).syscallpc, (*gp).syscallsp).of_goroutine(gp);
            }
            Unwinder::new((*gp).sched.pc, (*gp).sched.sp).of_goroutine(gp)
        }
    }
}

impl Iterator for Unwinder {
    type Item = Frame;

    fn next(&mut self) -> Option<Frame> {
        if self.done {
            return None;
        }
        let Some(fi) = symtab::findfunc(self.pc) else {
            self.done = true;
            if let Some(f) = self.last {
                self.bad_return = Some((f, self.pc));
            }
            return None;
        };
        let spd = fi.spdelta(self.pc);
        if spd < 0 {
            self.done = true;
            return None;
        }
        let fp = self.sp + spd as usize + 8;
        let id = fi.func_id();
        let mut frame = Frame { pc: self.pc, sp: self.sp, fp, fi, trap: self.trap, cgo_ctxt: 0 };
        if id == symtab::FUNCID_CGOCALLBACK && self.ctxt_next >= 0 {
            // SAFETY: gp is the goroutine walked (ctxt_next is set only
            // with it) and the index lies in its list.
            unsafe {
                let list = &(*self.gp).cgoCtxt;
                if self.ctxt_next < list.len && !list.ptr.is_null() {
                    frame.cgo_ctxt = *list.ptr.add(self.ctxt_next as usize);
                }
            }
            self.ctxt_next -= 1;
        }
        let innermost = self.last.is_none();
        self.last = Some(frame);
        // cgocallback writes SP (it moves between stacks) but lays out its
        // frame on the goroutine's stack so that a walk can go through it
        // to where the goroutine left Go (asm_amd64.s).
        let mut flag = fi.flag();
        if id == symtab::FUNCID_CGOCALLBACK {
            flag &= !FUNC_FLAG_SPWRITE;
        }
        if flag & (FUNC_FLAG_TOP_FRAME | FUNC_FLAG_SPWRITE) != 0 || id == FUNCID_GOEXIT {
            if self.strict && flag & (FUNC_FLAG_TOP_FRAME | FUNC_FLAG_SPWRITE) == FUNC_FLAG_SPWRITE && id != FUNCID_GOEXIT && !innermost {
                crate::gprint!(b"traceback: unexpected SPWRITE function ", fi.name(), b"\n");
                crate::fatal::throw("traceback")
            }
            self.done = true;
            self.complete = true;
        } else {
            // SAFETY: fp-8 holds the return address of a Go frame on this
            // stack (the frame size came from the function's own table).
            self.pc = unsafe { *((fp - 8) as *const usize) };
            self.sp = fp;
            // The frame above these was stopped at an instruction, not a call.
            self.trap = id == FUNCID_SIGPANIC || id == symtab::FUNCID_ASYNC_PREEMPT || id == symtab::FUNCID_DEBUG_CALL_V2;
            if self.pc == 0 {
                self.done = true;
            }
        }
        Some(frame)
    }
}

// ---- fatal reports ----

/// The stack printers of fatal reports (base/fatal.rs lays the reports
/// out).
static REPORTER: crate::fatal::Reporter = crate::fatal::Reporter {
    system_stack: print_system_stack,
    goroutine: |gp| {
        goroutine_header(gp);
        traceback_current(gp);
    },
    others: traceback_others,
    signal_line: print_signal_line,
};

/// Startup: GOTRACEBACK, and fatal reports get their stacks.
pub fn init() {
    if let Some(v) = crate::env::getenv(b"GOTRACEBACK") {
        crate::fatal::set_traceback(v);
    }
    crate::fatal::REPORTER.set(&REPORTER);
}

/// "[signal SIGSEGV: segmentation violation code=... addr=... pc=...]"
pub fn print_signal_line(gp: *mut g) {
    // SAFETY: gp is the faulting goroutine.
    unsafe {
        gwrite(b"[signal ");
        crate::sigtab::print_signame((*gp).sig);
        gwrite(b" code=");
        printpointer((*gp).sigcode0 as *mut u8);
        gwrite(b" addr=");
        printpointer((*gp).sigcode1 as *mut u8);
        gwrite(b" pc=");
        printpointer((*gp).sigpc as *mut u8);
        gwrite(b"]\n");
    }
}

// ---- which frames to show ----

fn has_prefix(s: &[u8], p: &[u8]) -> bool {
    s.len() >= p.len() && &s[..p.len()] == p
}

/// An exported runtime function or method (runtime.Goexit, runtime.(*T).M).
fn is_exported_runtime(name: &[u8]) -> bool {
    let Some(mut rest) = name.strip_prefix(b"runtime.") else { return false };
    if rest.first() == Some(&b'(') {
        // Method: check the receiver type is exported.
        let Some(close) = rest.iter().position(|&c| c == b')') else { return false };
        let rcvr = rest[1..close].strip_prefix(b"*").unwrap_or(&rest[1..close]);
        if !rcvr.first().is_some_and(|c| c.is_ascii_uppercase()) {
            return false;
        }
        rest = &rest[close + 1..];
        rest = rest.strip_prefix(b".").unwrap_or(rest);
    }
    rest.first().is_some_and(|c| c.is_ascii_uppercase())
}

/// runtime.Callers' record of a stack (also the profiles'): the return
/// pcs of `u`'s frames (one per source frame, inlined
/// ones included, wrappers elided), skipping `skip`; pcs are symbolic
/// pc + 1 so that CallersFrames can back up into the call.
pub fn traceback_pcs(u: Unwinder, mut skip: isize, buf: &mut [usize]) -> usize {
    let mut n = 0;
    let mut callee = FUNCID_NORMAL;
    // One buffer for the whole walk, as upstream's: what a traceback
    // function leaves unwritten past its pcs stays from the call before.
    let mut cbuf = [0usize; CGO_MAX_PCS];
    for frame in u {
        if n >= buf.len() {
            break;
        }
        let cn = cgo_context_callers(&frame, &mut cbuf);
        let mut pc = frame.sym_pc();
        loop {
            let ic = frame.fi.inlined_at(pc);
            let fid = ic.map(|c| c.func_id).unwrap_or_else(|| frame.fi.func_id());
            // rtpanic raises a panic a Rust entry point asked for, as if the
            // entry point's caller had called it: gort's plumbing, in no
            // upstream stack (upstream's sigpanic calls panicmem directly).
            // What it inlined (panicmem) stays.
            let plumbing = ic.is_none() && frame.fi.name() == b"runtime.rtpanic";
            if plumbing || fid == FUNCID_WRAPPER && elide_wrapper_calling(callee) {
            } else if skip > 0 {
                skip -= 1;
            } else if n < buf.len() {
                buf[n] = pc + 1;
                n += 1;
            }
            callee = fid;
            match ic {
                Some(c) => pc = frame.fi.entry() + c.parent_pc as usize,
                None => break,
            }
        }
        // The C code that called Go there, once the skipped frames are
        // passed (they are C's own return pcs: recorded as they are).
        if skip == 0 && n < buf.len() {
            let k = cn.min(buf.len() - n);
            buf[n..n + k].copy_from_slice(&cbuf[..k]);
            n += k;
        }
    }
    n
}

pub fn elide_wrapper_calling(callee: u8) -> bool {
    !(callee == FUNCID_GOPANIC || callee == FUNCID_SIGPANIC || callee == FUNCID_PANICWRAP)
}

/// The runtime is throwing while gp (not null) runs on this M: its frames
/// are all shown, with their fp, sp and pc.
fn throwing_on(gp: *mut g) -> bool {
    let mp = crate::gm::getm();
    // SAFETY: the current m is live.
    unsafe { (*mp).throwing >= THROW_RUNTIME && !gp.is_null() && gp == (*mp).curg }
}

fn show_frame(sf: &SrcFrame, gp: *mut g, first: bool, callee: u8) -> bool {
    throwing_on(gp) || show_func(sf, first, callee)
}

fn show_func(sf: &SrcFrame, first: bool, callee: u8) -> bool {
    let (level, _, _) = gotraceback();
    if level > 1 {
        return true;
    }
    if sf.func_id == FUNCID_WRAPPER && elide_wrapper_calling(callee) {
        return false;
    }
    if sf.name == b"runtime.gopanic" && !first {
        return true;
    }
    sf.name.contains(&b'.') && (!has_prefix(sf.name, b"runtime.") || is_exported_runtime(sf.name))
}

/// Print a function name, eliding generic type arguments as [...].
pub fn print_func_name(name: &[u8]) {
    if name == b"runtime.gopanic" {
        gwrite(b"panic");
        return;
    }
    let (a, b, c) = name_pieces(name);
    gwrite(a);
    gwrite(b);
    gwrite(c);
}

pub fn name_pieces(name: &[u8]) -> (&[u8], &'static [u8], &[u8]) {
    let Some(i) = name.iter().position(|&c| c == b'[') else { return (name, b"", b"") };
    let Some(j) = name.iter().rposition(|&c| c == b']') else { return (name, b"", b"") };
    if j <= i {
        return (name, b"", b"");
    }
    (&name[..i], b"[...]", &name[j + 1..])
}

// ---- arguments ----

const ARGS_END_SEQ: u8 = 0xff;
const ARGS_START_AGG: u8 = 0xfe;
const ARGS_END_AGG: u8 = 0xfd;
const ARGS_DOTDOTDOT: u8 = 0xfc;
const ARGS_OFFSET_TOO_LARGE: u8 = 0xfb;

/// Print a frame's arguments from its ArgInfo funcdata: each word in hex,
/// aggregates in braces, a `?` after values whose spill slot may be stale.
fn print_args(fi: &FuncInfo, argp: usize, pc: usize) {
    let Some(info) = fi.funcdata(FUNCDATA_ARG_INFO) else { return };
    let live_info = fi.funcdata(FUNCDATA_ARG_LIVE_INFO);
    let live_idx = fi.pcdata_value(PCDATA_ARG_LIVE_INDEX, pc);
    // SAFETY: funcdata points at linker-emitted byte tables.
    let byte = |p: usize| -> u8 { unsafe { *(p as *const u8) } };
    let start_offset = live_info.map(byte).unwrap_or(0xff);
    let is_live = |off: u8, slot: u8| -> bool {
        match live_info {
            None => true,
            Some(li) => {
                if live_idx <= 0 || off < start_offset {
                    return true;
                }
                let bits = byte(li + live_idx as usize + (slot / 8) as usize);
                bits & (1 << (slot % 8)) != 0
            }
        }
    };
    let mut start = true;
    let mut slot = 0u8;
    let mut i = 0;
    let comma = |start: bool| {
        if !start {
            gwrite(b", ");
        }
    };
    // The encoding is bounded (abi.TraceArgsMaxLen); stop if it is not.
    while i < 1000 {
        let o = byte(info + i);
        i += 1;
        match o {
            ARGS_END_SEQ => break,
            ARGS_START_AGG => {
                comma(start);
                gwrite(b"{");
                start = true;
                continue;
            }
            ARGS_END_AGG => gwrite(b"}"),
            ARGS_DOTDOTDOT => {
                comma(start);
                gwrite(b"...");
            }
            ARGS_OFFSET_TOO_LARGE => {
                comma(start);
                gwrite(b"_");
            }
            _ => {
                comma(start);
                let sz = byte(info + i);
                i += 1;
                // SAFETY: the argument word lies in the caller's frame.
                let mut x = unsafe { core::ptr::read_unaligned((argp + o as usize) as *const u64) };
                if sz < 8 {
                    let shift = 64 - sz as u32 * 8;
                    x = (x << shift) >> shift;
                }
                printhex(x);
                if !is_live(o, slot) {
                    gwrite(b"?");
                }
                if o >= start_offset {
                    slot += 1;
                }
            }
        }
        start = false;
    }
}

// ---- printing ----

/// Walk the logical frames (inlined calls expanded) from the unwinder's
/// current physical frame: skip the first `skip` shown frames, then print
/// (when `print`) up to `max` more. The walk stops at the first shown frame
/// beyond skip + max, possibly in the middle of a physical frame, which then
/// stays current (it is not consumed), so that a later walk can pick up
/// there. Returns the frames committed (skipped or printed), and how many
/// of them belong to the physical frame the walk stopped in. `all`: every
/// frame is shown, runtime frames and wrappers too.
#[allow(clippy::too_many_arguments)]
fn traceback2(u: &mut core::iter::Peekable<Unwinder>, gp: *mut g, skip: usize, max: usize, n: &mut usize, callee: &mut u8, print: bool, all: bool) -> (usize, usize) {
    let (level, _, _) = gotraceback();
    let limit = skip.saturating_add(max);
    let (mut seen, mut last_n) = (0usize, 0usize);
    let mut cbuf = [0usize; CGO_MAX_PCS];
    while let Some(frame) = u.peek().copied() {
        last_n = 0;
        let callee_at_start = *callee;
        let mut stopped = false;
        let sym = frame.sym_pc();
        symtab::for_each_src_frame(&frame.fi, sym, |sf| {
            let c = *callee;
            *callee = sf.func_id;
            if !all && !show_frame(&sf, gp, *n == 0, c) {
                return true;
            }
            if seen >= limit {
                stopped = true;
                return false;
            }
            *n += 1;
            seen += 1;
            last_n += 1;
            if seen <= skip || !print {
                return true;
            }
            print_func_name(sf.name);
            gwrite(b"(");
            if sf.physical {
                print_args(&frame.fi, frame.argp(), frame.sym_pc());
            } else {
                gwrite(b"...");
            }
            gwrite(b")\n\t");
            gwrite(sf.file);
            gwrite(b":");
            printint(sf.line as i64);
            if sf.physical {
                if frame.pc > frame.fi.entry() {
                    gwrite(b" +");
                    printhex((frame.pc - frame.fi.entry()) as u64);
                }
                if level >= 2 || throwing_on(gp) {
                    gwrite(b" fp=");
                    printhex(frame.fp as u64);
                    gwrite(b" sp=");
                    printhex(frame.sp as u64);
                    gwrite(b" pc=");
                    printhex(frame.pc as u64);
                }
            }
            gwrite(b"\n");
            true
        });
        if stopped {
            // The physical frame stays current for the next walk.
            *callee = callee_at_start;
            break;
        }
        // The C code that called Go at a cgocallback frame: each frame the
        // symbolizer describes counts as a shown frame.
        let cn = cgo_context_callers(&frame, &mut cbuf);
        if cn > 0 {
            let mut commit = || {
                if seen >= limit {
                    return None;
                }
                *n += 1;
                seen += 1;
                last_n += 1;
                Some(seen > skip && print)
            };
            if !print_cgo_frames(&cbuf[..cn], &mut commit) {
                *callee = callee_at_start;
                break;
            }
        }
        u.next();
    }
    (seen, last_n)
}

const INNER_FRAMES: usize = 50;
const OUTER_FRAMES: usize = 50;

pub fn print_frames(unwinder: Unwinder, skip_physical: usize, gp: *mut g) {
    // A walk that ends at a return address in no function (a smashed
    // stack) is reported after the frames it found, as upstream.
    let mut probe = unwinder.clone();
    probe.by_ref().for_each(drop);
    if let Some((f, lr)) = probe.bad_return {
        print_frames_walk(unwinder, skip_physical, gp);
        report_bad_return(gp, &f, lr);
        return;
    }
    print_frames_walk(unwinder, skip_physical, gp);
}

/// "unexpected return pc": the frame whose return address is in no
/// function, and a dump of the stack words around it (frame's sp marked
/// <, its fp >; words that are code addresses symbolized).
fn report_bad_return(gp: *mut g, f: &Frame, lr: usize) {
    if gp.is_null() {
        return;
    }
    // SAFETY: gp is the goroutine whose stack was walked.
    let (goid, lo, hi) = unsafe { ((*gp).goid, (*gp).stack.lo, (*gp).stack.hi) };
    gwrite(b"runtime: g ");
    printuint(goid);
    gwrite(b": unexpected return pc for ");
    print_func_name(f.fi.name());
    gwrite(b" called from ");
    printhex(lr as u64);
    gwrite(b"\nstack: frame={sp:");
    printhex(f.sp as u64);
    gwrite(b", fp:");
    printhex(f.fp as u64);
    gwrite(b"} stack=[");
    printhex(lo as u64);
    gwrite(b",");
    printhex(hi as u64);
    gwrite(b")\n");
    // Around the frame, within 256 words of its sp and inside the stack.
    let near = 32 * 8;
    let far = 256 * 8;
    let start = f.sp.min(f.fp).saturating_sub(near).max(f.sp.saturating_sub(far)).max(lo) & !7;
    let end = (f.sp.max(f.fp) + near).min(f.sp + far).min(hi);
    let mut a = start;
    while a < end {
        if (a - start) % 16 == 0 {
            if a != start {
                gwrite(b"\n");
            }
            printhex_padded(a as u64, 16);
            gwrite(b": ");
        }
        gwrite(if a == f.fp { b">" } else if a == f.sp { b"<" } else { b" " });
        // SAFETY: a is a word of gp's stack.
        let w = unsafe { *(a as *const usize) };
        printhex_padded(w as u64, 16);
        gwrite(b" ");
        if let Some(fi) = symtab::findfunc(w) {
            gwrite(b"<");
            gwrite(fi.name());
            gwrite(b"+");
            printhex_padded((w - fi.entry()) as u64, 16);
            gwrite(b"> ");
        }
        a += 8;
    }
    gwrite(b"\n");
}

/// Print the frames the traceback settings show; if that is none at all
/// (a goroutine with only runtime frames and wrappers, e.g. one that has
/// not started a `go` statement's wrapper yet), print every frame instead.
fn print_frames_walk(unwinder: Unwinder, skip_physical: usize, gp: *mut g) {
    let mut it = unwinder;
    for _ in 0..skip_physical {
        it.next();
    }
    if print_frames_shown(it.clone(), gp, false) == 0 {
        print_frames_shown(it, gp, true);
    }
}

/// Print the first INNER_FRAMES and the last OUTER_FRAMES of the frames
/// shown (`all`: every frame); returns how many the first walk printed.
fn print_frames_shown(it: Unwinder, gp: *mut g, all: bool) -> usize {
    let mut u = it.peekable();
    let (mut n, mut callee) = (0usize, FUNCID_NORMAL);
    let (printed, last_n) = traceback2(&mut u, gp, 0, INNER_FRAMES, &mut n, &mut callee, true, all);
    if printed < INNER_FRAMES {
        return printed;
    }
    // Count what is left (from the physical frame the walk stopped in,
    // whose first last_n frames are printed), then print only the
    // outermost frames.
    let mut counter = u.clone();
    let (mut n2, mut callee2) = (n, callee);
    let (remaining, _) = traceback2(&mut counter, gp, 0, usize::MAX, &mut n2, &mut callee2, false, all);
    let elide = remaining.saturating_sub(last_n + OUTER_FRAMES);
    if elide > 0 {
        gwrite(b"...");
        printint(elide as i64);
        gwrite(b" frames elided...\n");
    }
    traceback2(&mut u, gp, last_n + elide, OUTER_FRAMES, &mut n, &mut callee, true, all);
    printed
}

pub fn print_created_by(gp: *mut g) {
    // SAFETY: gp is a live goroutine.
    let (pc, goid, parent) = unsafe { ((*gp).gopc, (*gp).goid, (*gp).parentGoid) };
    print_creation(gp, pc, goid, parent);
}

/// "created by F [in goroutine P]" and the creation site (nothing for the
/// main goroutine, or a creator tracebacks hide).
fn print_creation(gp: *mut g, pc: usize, goid: u64, parent: u64) {
    let Some(fi) = symtab::findfunc(pc) else { return };
    let sf = SrcFrame { name: fi.name(), func_id: fi.func_id(), file: b"", line: 0, physical: true };
    if !show_frame(&sf, gp, false, FUNCID_NORMAL) || goid == 1 {
        return;
    }
    gwrite(b"created by ");
    print_func_name(fi.name());
    if parent != 0 {
        gwrite(b" in goroutine ");
        printuint(parent);
    }
    gwrite(b"\n");
    let tracepc = if pc > fi.entry() { pc - 1 } else { pc };
    let (file, line) = fi.file_line(tracepc);
    print_position(file, line, pc, fi.entry());
}

/// "\tfile:line [+offset]" of a frame.
fn print_position(file: &[u8], line: i32, pc: usize, entry: usize) {
    gwrite(b"\t");
    gwrite(file);
    gwrite(b":");
    printint(line as i64);
    if pc > entry {
        gwrite(b" +");
        printhex((pc - entry) as u64);
    }
    gwrite(b"\n");
}

/// A goroutine's origin: how it was created and, with
/// GODEBUG=tracebackancestors=N, the stacks of the goroutines that led to
/// it as they were when each created the next (sched::ancestry keeps
/// them), as upstream prints them.
pub fn print_origin(gp: *mut g) {
    print_created_by(gp);
    // SAFETY: gp is live; its ancestry block is immutable once made.
    let list = unsafe { (*gp).ancestors };
    if list.is_null() {
        return;
    }
    // SAFETY: as above.
    for a in unsafe { (*list).as_slice() } {
        gwrite(b"[originating from goroutine ");
        printuint(a.goid);
        gwrite(b"]:\n");
        // SAFETY: the record's pcs are in the same block.
        let pcs = unsafe { a.pcs.as_slice() };
        for (i, &pc) in pcs.iter().enumerate() {
            let Some(fi) = symtab::findfunc(pc) else { continue };
            let mut inner: Option<SrcFrame> = None;
            symtab::for_each_src_frame(&fi, pc, |sf| {
                inner = Some(sf);
                false
            });
            let Some(sf) = inner else { continue };
            if !show_frame(&sf, gp, i == 0, FUNCID_NORMAL) {
                continue;
            }
            print_func_name(sf.name);
            gwrite(b"(...)\n");
            print_position(sf.file, sf.line, pc, fi.entry());
        }
        if pcs.len() == 50 {
            gwrite(b"...additional frames elided...\n");
        }
        print_creation(gp, a.gopc, a.goid, 0);
    }
}

/// Texts of the wait reasons (g.waitreason), as tracebacks print them.
pub const WAIT_REASON_STRINGS: [&str; 37] = [
    "", "GC assist marking", "IO wait", "chan receive (nil chan)", "chan send (nil chan)", "dumping heap",
    "garbage collection", "garbage collection scan", "panicwait", "select", "select (no cases)", "GC assist wait",
    "GC sweep wait", "GC scavenge wait", "chan receive", "chan send", "finalizer wait", "force gc (idle)",
    "semacquire", "sleep", "sync.Cond.Wait", "sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.RWMutex.Lock",
    "trace reader (blocked)", "wait for GC cycle", "GC worker (idle)", "GC worker (active)", "preempted",
    "debug call", "GC mark termination", "stopping the world", "flushing proc caches", "trace goroutine status",
    "trace proc status", "page trace flush", "coroutine",
];

const G_STATUS_STRINGS: [&[u8]; 10] =
    [b"idle", b"runnable", b"running", b"syscall", b"waiting", b"moribund_unused", b"dead", b"enqueue_unused", b"copystack", b"preempted"];

pub fn goroutine_header(gp: *mut g) {
    let (level, _, _) = gotraceback();
    let status = readgstatus(gp);
    let scan = status & crate::layout::rt::_Gscan as u32 != 0;
    let status = status & !(crate::layout::rt::_Gscan as u32);
    // SAFETY: gp is a live goroutine.
    unsafe {
        let mut text: &[u8] = G_STATUS_STRINGS.get(status as usize).copied().unwrap_or(b"???");
        if status == crate::gm::G_WAITING && (*gp).waitreason != 0 {
            text = WAIT_REASON_STRINGS.get((*gp).waitreason as usize).map(|s| s.as_bytes()).unwrap_or(b"???");
        }
        let mut waitfor = 0;
        if (status == crate::gm::G_WAITING || status == crate::gm::G_SYSCALL) && (*gp).waitsince != 0 {
            waitfor = (crate::time::nanotime() - (*gp).waitsince) / 60_000_000_000;
        }
        gwrite(b"goroutine ");
        printuint((*gp).goid);
        let m = (*gp).m;
        if (!m.is_null() && (*m).throwing >= THROW_RUNTIME && gp == (*m).curg) || level >= 2 {
            gwrite(b" gp=");
            printhex(gp as u64);
            if m.is_null() {
                gwrite(b" m=nil");
            } else {
                gwrite(b" m=");
                printint((*m).id);
                gwrite(b" mp=");
                printhex(m as u64);
            }
        }
        gwrite(b" [");
        gwrite(text);
        if scan {
            gwrite(b" (scan)");
        }
        if waitfor >= 1 {
            gwrite(b", ");
            printint(waitfor);
            gwrite(b" minutes");
        }
        if (*gp).lockedm != 0 {
            gwrite(b", locked to thread");
        }
        gwrite(b"]:\n");
    }
}

/// A goroutine the runtime started for itself (not shown by default).
pub fn is_system_goroutine(gp: *mut g) -> bool {
    // SAFETY: gp is a live goroutine.
    let Some(fi) = symtab::findfunc(unsafe { (*gp).startpc }) else { return false };
    if fi.func_id() == FUNCID_RUNTIME_MAIN {
        return false;
    }
    has_prefix(fi.name(), b"runtime.")
}

/// Print every goroutine but `me` (and the current m's goroutine first).
pub fn traceback_others(me: *mut g) {
    let (level, _, _) = gotraceback();
    let curg = crate::gm::curg();
    if !curg.is_null() && curg != me {
        gwrite(b"\n");
        goroutine_header(curg);
        let u = Unwinder::for_g(curg);
        print_frames(u, 0, curg);
        print_origin(curg);
    }
    // Racily: the report may come from code holding the goroutine list's
    // lock (a throw while the collector walks goroutines).
    crate::gm::for_each_g_racy(|gp| {
        if gp == me || gp == curg || crate::gm::gstatus(gp) == crate::gm::G_DEAD || (is_system_goroutine(gp) && level < 2) {
            return;
        }
        gwrite(b"\n");
        goroutine_header(gp);
        // SAFETY: gp is live; a running goroutine of another m has no
        // stable saved context.
        let running_elsewhere = unsafe { crate::gm::gstatus(gp) == crate::gm::G_RUNNING && (*gp).m != crate::gm::getm() };
        if running_elsewhere {
            gwrite(b"\tgoroutine running on other thread; stack unavailable\n");
            print_created_by(gp);
        } else {
            print_frames(Unwinder::for_g(gp), 0, gp);
            print_origin(gp);
        }
    });
}

/// Print the frames of the current system stack (an M's g0, or the signal
/// stack) in upstream's traceback format, by following the frame-pointer
/// chain from `start`: Go and assembly functions are named from the
/// pclntab, the runtime's Rust functions from the executable's symbol
/// table (their source positions are not known: "?:0").
pub fn print_system_stack(start: SysFrameStart) {
    let g = crate::gm::getg();
    // SAFETY: a non-null g is this thread's g0 or gsignal, with its bounds.
    let (lo, hi) = if g.is_null() { (start.sp, start.sp + (8 << 20)) } else { unsafe { ((*g).stack.lo, (*g).stack.hi) } };
    print_system_stack_in(start, lo, hi);
}

/// print_system_stack for a stack with bounds [lo, hi) (a signal handler
/// walking the stack it interrupted).
pub fn print_system_stack_in(start: SysFrameStart, lo: usize, hi: usize) {
    let (mut pc, mut bp, mut sp) = (start.pc, start.bp, start.sp);
    for k in 0..100 {
        let fp = bp.wrapping_add(16);
        if !print_system_frame(pc, fp, sp, k > 0) {
            break;
        }
        if bp < lo || fp > hi || bp % 8 != 0 {
            break;
        }
        // SAFETY: bp lies inside this thread's stack: a saved frame pointer
        // and a return address.
        let (next_bp, ret) = unsafe { (*(bp as *const usize), *((bp + 8) as *const usize)) };
        if ret == 0 || next_bp <= bp {
            break;
        }
        (pc, sp, bp) = (ret, fp, next_bp);
    }
}

/// One system-stack frame; false at the end of the runtime's frames (the
/// thread's entry, or code that is neither Go nor gort).
fn print_system_frame(pc: usize, fp: usize, sp: usize, is_return: bool) -> bool {
    let tail = |off: usize| {
        gwrite(b" +");
        printhex(off as u64);
        gwrite(b" fp=");
        printhex(fp as u64);
        gwrite(b" sp=");
        printhex(sp as u64);
        gwrite(b" pc=");
        printhex(pc as u64);
        gwrite(b"\n");
    };
    if let Some(fi) = symtab::findfunc(pc) {
        let tracepc = if pc > fi.entry() { pc - 1 } else { pc };
        print_func_name(fi.name());
        gwrite(b"()\n\t");
        let (file, line) = fi.file_line(tracepc);
        gwrite(file);
        gwrite(b":");
        printint(line as i64);
        tail(pc - fi.entry());
        return fi.flag() & FUNC_FLAG_TOP_FRAME == 0;
    }
    // A return address after a call that does not return may lie just past
    // its function's end: look up the call instruction's address.
    let Some((name, start)) = crate::elfsym::lookup(if is_return { pc - 1 } else { pc }) else { return false };
    if !name.starts_with(b"_ZN") && !name.starts_with(b"_R") && !name.starts_with(b"gort_") {
        return false;
    }
    crate::elfsym::write_demangled(name, &mut |b| gwrite(b));
    gwrite(b"(...)\n\t?:0");
    tail(pc - start);
    name != b"gort_mstart1" && name != b"gort_rt0"
}

/// The traceback of a goroutine interrupted by a signal at (pc, sp).
pub fn traceback_trap(pc: usize, sp: usize, gp: *mut g) {
    print_frames(Unwinder::at_trap(pc, sp).of_goroutine(gp), 0, gp);
    print_origin(gp);
}

/// The current goroutine's traceback, for a fatal panic or error: it is
/// away in a call into the runtime, so its saved context is current.
pub fn traceback_current(gp: *mut g) {
    print_frames(Unwinder::for_g(gp), 0, gp);
    print_origin(gp);
}

// ---- C frames (runtime.SetCgoTraceback) ----

/// The C functions SetCgoTraceback recorded (0: none): one that writes the
/// return pcs of C code interrupted by a signal into a buffer, and one that
/// describes a pc (function, file, line).
static CGO_TRACEBACK: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);
static CGO_SYMBOLIZER: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

/// runtime.SetCgoTraceback, once the Go side has checked its arguments.
pub fn rt_setCgoTraceback(traceback: *mut u8, symbolizer: *mut u8) {
    CGO_TRACEBACK.store(traceback as usize, core::sync::atomic::Ordering::Release);
    CGO_SYMBOLIZER.store(symbolizer as usize, core::sync::atomic::Ordering::Release);
}

/// What the traceback function is given (runtime.SetCgoTraceback's
/// documented layout).
#[repr(C)]
struct CgoTracebackArg {
    context: usize,
    sig_context: usize,
    buf: *mut usize,
    max: usize,
}

/// What the symbolizer is given and fills in (documented layout).
#[repr(C)]
struct CgoSymbolizerArg {
    pc: usize,
    file: *const u8,
    lineno: usize,
    func_name: *const u8,
    entry: usize,
    more: usize,
    data: usize,
}

/// How many C pcs a traceback function may return for one call.
pub const CGO_MAX_PCS: usize = 32;

/// Call the traceback function (if any) for a context made by the context
/// function (`context`) or for a signal's (`sig_context`, a ucontext),
/// on the current system stack, into buf; return how many pcs precede
/// the first zero. buf is not cleared first (upstream's callers reuse
/// theirs, and so do gort's: what the function leaves unwritten stays).
fn call_traceback_fn(context: usize, sig_context: usize, buf: &mut [usize]) -> usize {
    let f = CGO_TRACEBACK.load(core::sync::atomic::Ordering::Acquire);
    if f == 0 {
        return 0;
    }
    let mut arg = CgoTracebackArg { context, sig_context, buf: buf.as_mut_ptr(), max: buf.len() };
    // SAFETY: the program's traceback function, called as documented
    // (void f(struct cgoTracebackArg*)), on this thread's system stack.
    unsafe {
        let f: extern "C" fn(*mut CgoTracebackArg) = core::mem::transmute(f);
        f(&mut arg);
    }
    buf.iter().position(|&pc| pc == 0).unwrap_or(buf.len())
}

/// The pcs of the C code a signal interrupted (the signal's ucontext), as
/// the program's traceback function finds them; empty without one.
pub fn cgo_signal_callers(uctx: *mut u8, buf: &mut [usize]) -> usize {
    call_traceback_fn(0, uctx as usize, buf)
}

/// The pcs of the C code that called Go where `frame` (a cgocallback
/// frame with a traceback context) entered Go, from the traceback
/// function; 0 for other frames, or without a traceback function. It
/// runs on the system stack (as upstream's stack walks call it: not as a
/// call into C that NumCgoCall counts).
pub fn cgo_context_callers(frame: &Frame, buf: &mut [usize; CGO_MAX_PCS]) -> usize {
    if frame.cgo_ctxt == 0 {
        return 0;
    }
    call_traceback_fn(frame.cgo_ctxt, 0, buf)
}

/// Print C frames (pcs from a traceback function) as upstream prints them:
/// through the symbolizer, a line pair per frame it describes (a pc may
/// stand for several, inlined ones), or "non-Go function at pc=..."
/// without one. Before each frame, `commit` says whether to print it
/// (Some(true)), to pass over it (Some(false)) or to stop there (None);
/// returns false if it stopped.
fn print_cgo_frames(pcs: &[usize], commit: &mut dyn FnMut() -> Option<bool>) -> bool {
    let sym = CGO_SYMBOLIZER.load(core::sync::atomic::Ordering::Acquire);
    if sym == 0 {
        for &pc in pcs {
            match commit() {
                None => return false,
                Some(false) => {}
                Some(true) => {
                    gwrite(b"non-Go function at pc=");
                    printhex(pc as u64);
                    gwrite(b"\n");
                }
            }
        }
        return true;
    }
    let mut arg = CgoSymbolizerArg { pc: 0, file: core::ptr::null(), lineno: 0, func_name: core::ptr::null(), entry: 0, more: 0, data: 0 };
    let mut complete = true;
    'pcs: for &pc in pcs {
        arg.pc = pc;
        loop {
            let Some(show) = commit() else {
                complete = false;
                break 'pcs;
            };
            call_symbolizer(sym, &mut arg);
            if show {
                print_symbolized(&arg, pc);
            }
            if arg.more == 0 {
                break;
            }
        }
    }
    // A zero pc lets the symbolizer free what it kept.
    arg.pc = 0;
    call_symbolizer(sym, &mut arg);
    complete
}

/// One frame the symbolizer described: its function (or "non-Go
/// function"), then its file and line if known, and the pc.
fn print_symbolized(arg: &CgoSymbolizerArg, pc: usize) {
    if arg.func_name.is_null() {
        gwrite(b"non-Go function");
    } else {
        // SAFETY: the symbolizer returns NUL-terminated strings.
        gwrite(unsafe { cstr(arg.func_name) });
    }
    gwrite(b"\n\t");
    if !arg.file.is_null() {
        // SAFETY: as above.
        gwrite(unsafe { cstr(arg.file) });
        gwrite(b":");
        printuint(arg.lineno as u64);
        gwrite(b" ");
    }
    gwrite(b"pc=");
    printhex(pc as u64);
    gwrite(b"\n");
}

fn call_symbolizer(sym: usize, arg: &mut CgoSymbolizerArg) {
    // SAFETY: the program's symbolizer (void f(struct cgoSymbolizerArg*)),
    // called as documented, on this thread's system stack.
    unsafe {
        let f: extern "C" fn(*mut CgoSymbolizerArg) = core::mem::transmute(sym);
        f(arg)
    }
}

/// The C frames of a crash in C code (pcs from cgo_signal_callers), all
/// of them.
pub fn print_cgo_callers(pcs: &[usize]) {
    print_cgo_frames(pcs, &mut || Some(true));
}

/// The bytes of a NUL-terminated C string.
///
/// # Safety
/// p points at a NUL-terminated string that outlives the use.
unsafe fn cstr<'a>(p: *const u8) -> &'a [u8] {
    // SAFETY: per the function contract.
    unsafe {
        let mut n = 0;
        while *p.add(n) != 0 {
            n += 1;
        }
        core::slice::from_raw_parts(p, n)
    }
}
