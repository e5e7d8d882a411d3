//! Marking: roots, the grey-object stack, object scanning.

use crate::heap::{self, bits, Mspan};
use crate::layout::rt::{g, sudog};
use crate::sched;
use crate::stackmap::{self, Slot};
use crate::symtab;
use crate::traceback::Unwinder;
use crate::pvec::PVec;
use crate::sysstat::Stat;

/// The collector's work lists live in memory of their own (it does not
/// allocate from the heap it collects): mapped vectors, freed after each
/// collection.
type Buf<T> = PVec<T>;

/// The goroutine stack being scanned: its stack objects (address-taken
/// variables), which are scanned only when a pointer reaches them, as
/// upstream does; so a variable whose address is no longer live does not
/// keep what it points to.
struct StackScan {
    lo: usize,
    hi: usize,
    /// Sorted by address once the frames are walked; the flag: reached.
    objs: Buf<(stackmap::StackObj, bool)>,
    /// Pointers into the stack met while walking (resolved after sorting).
    pending: Buf<usize>,
    /// Reached objects not yet scanned (indices into objs).
    work: Buf<usize>,
}

pub struct Marker {
    /// The grey objects: marked, not yet scanned.
    grey: Buf<usize>,
    ss: StackScan,
    /// Bytes of heap objects and of goroutine stacks scanned (runtime/metrics'
    /// /gc/scan/heap and /gc/scan/stack, through gc::scan_stats).
    pub heap_scanned: usize,
    pub stack_scanned: usize,
}

impl Marker {
    pub fn new() -> Marker {
        Marker {
            grey: PVec::mapped(Stat::Gc),
            ss: StackScan { lo: 0, hi: 0, objs: PVec::mapped(Stat::Gc), pending: PVec::mapped(Stat::Gc), work: PVec::mapped(Stat::Gc) },
            heap_scanned: 0,
            stack_scanned: 0,
        }
    }

    pub fn free(mut self) {
        self.grey.free();
        self.ss.objs.free();
        self.ss.pending.free();
        self.ss.work.free();
    }

    /// Mark p: a heap pointer, or (while a stack is scanned) a pointer into
    /// that stack, which reaches the stack object holding it.
    fn mark_any(&mut self, p: usize, strict: bool) {
        if p >= self.ss.lo && p < self.ss.hi {
            self.ss.pending.push(p);
        } else {
            self.mark_ptr(p, strict);
        }
    }

    /// After the walk: sort the stack objects, then scan every one that a
    /// pointer reaches (transitively).
    fn scan_stack_objects(&mut self) {
        self.ss.objs.as_mut_slice().sort_unstable_by_key(|o| o.0.addr);
        while let Some(p) = self.ss.pending.pop() {
            self.reach_stack_object(p);
            while let Some(i) = self.ss.work.pop() {
                let o = self.ss.objs.as_mut_slice()[i].0;
                o.for_each_ptr_word(|w| {
                    // SAFETY: a word of a live frame's variable.
                    let v = unsafe { *((o.addr + w * 8) as *const usize) };
                    self.mark_any(v, false);
                });
            }
        }
    }

    fn reach_stack_object(&mut self, p: usize) {
        let objs = self.ss.objs.as_mut_slice();
        let i = objs.partition_point(|o| o.0.addr <= p);
        if i == 0 {
            return;
        }
        let (o, reached) = &mut objs[i - 1];
        if p >= o.addr + o.size.max(1) || *reached {
            return;
        }
        *reached = true;
        self.ss.work.push(i - 1);
    }

    /// Mark the object containing p, if p points into an allocated heap
    /// object. `strict`: p comes from a precise pointer slot, so a pointer
    /// into free heap memory is a bug (reported as upstream does).
    #[inline]
    pub fn mark_ptr(&mut self, p: usize, strict: bool) {
        if p < 4096 {
            return;
        }
        let s = heap::span_of_heap(p);
        if s.is_null() {
            return;
        }
        // SAFETY: s is an in-use span.
        let sp: &Mspan = unsafe { &*s };
        let idx = sp.obj_index(p);
        if idx >= sp.nelems {
            return;
        }
        if !sp.is_allocated(idx) {
            if strict {
                bad_pointer(sp, p);
            }
            return;
        }
        if sp.set_mark(idx) {
            return;
        }
        if !sp.noscan() {
            self.grey.push(sp.obj_base(idx));
        }
    }

    /// Mark the object a pointer slot refers to.
    pub fn mark_slot(&mut self, slot: usize, strict: bool) {
        // SAFETY: slot is a readable word (a frame slot or runtime field).
        let p = unsafe { *(slot as *const usize) };
        if strict {
            SLOT.store(slot, core::sync::atomic::Ordering::Relaxed);
        }
        self.mark_ptr(p, strict);
    }

    /// Scan words [lo, hi) conservatively: anything that looks like a
    /// pointer to an allocated object keeps it.
    pub fn scan_conservative(&mut self, lo: usize, hi: usize) {
        let mut a = lo & !7;
        while a + 8 <= hi {
            // SAFETY: [lo, hi) is readable stack memory.
            let p = unsafe { *(a as *const usize) };
            self.mark_any(p, false);
            a += 8;
        }
    }

    /// Scan grey objects until none is left.
    pub fn drain(&mut self) {
        while let Some(obj) = self.grey.pop() {
            self.scan_object(obj);
        }
    }

    /// Mark what the object containing p points to, but not the object
    /// itself (objects with finalizers: what they reach must survive until
    /// their finalizer has run).
    pub fn mark_referents(&mut self, p: usize) {
        let s = heap::span_of_heap(p);
        if s.is_null() {
            return;
        }
        // SAFETY: s is an in-use span.
        let sp: &Mspan = unsafe { &*s };
        let idx = sp.obj_index(p);
        if idx < sp.nelems && sp.is_allocated(idx) && !sp.noscan() {
            self.scan_object(sp.obj_base(idx));
        }
    }

    fn scan_object(&mut self, obj: usize) {
        FRAME_PC.store(0, core::sync::atomic::Ordering::Relaxed);
        let s = heap::span_of(obj);
        // SAFETY: obj is the base of an allocated object of an in-use span.
        let sp: &Mspan = unsafe { &*s };
        let size = if sp.size_class() == 0 { sp.largesize.max(8) } else { sp.elemsize };
        let nwords = size / 8;
        self.heap_scanned += size;
        let mut i = 0;
        while i < nwords {
            let a = obj + i * 8;
            if bits::is_pointer(a) {
                // SAFETY: a is a word of the object.
                let p = unsafe { *(a as *const usize) };
                // Pointers back into the object itself change nothing (it
                // is being scanned, so it is marked or, for an object with
                // a finalizer, deliberately not: a self-reference must not
                // keep it from being finalized, as upstream).
                if p != 0 && p.wrapping_sub(obj) >= sp.elemsize {
                    SLOT.store(a, core::sync::atomic::Ordering::Relaxed);
                    self.mark_ptr(p, true);
                }
            }
            i += 1;
        }
    }

    // ---- roots ----

    pub fn mark_roots(&mut self) {
        self.mark_globals();
        crate::gm::for_each_g(|gp| self.mark_goroutine(gp));
        self.mark_timers();
        crate::types::for_each_runtime_off(|p| self.mark_ptr(p, false));
        super::finalizer::mark_tables(self);
        super::pools::mark_roots(self);
    }

    fn mark_globals(&mut self) {
        for md in crate::types::modules() {
            // SAFETY: marking runs in a collection.
            let (data, bss) = unsafe { super::roots::module_masks(md) };
            self.mark_segment(md.data, md.edata, data);
            self.mark_segment(md.bss, md.ebss, bss);
        }
    }

    fn mark_segment(&mut self, start: usize, end: usize, mask: &crate::gcprog::Mask) {
        let n = (end - start) / 8;
        let mut i = 0;
        while i < n {
            // Skip empty mask words quickly.
            if i % 64 == 0 && i + 64 <= n {
                // SAFETY: i/64 < words of the mask.
                if unsafe { *mask.words.add(i / 64) } == 0 {
                    i += 64;
                    continue;
                }
            }
            if mask.get(i) {
                self.mark_slot(start + i * 8, false);
            }
            i += 1;
        }
    }

    fn mark_goroutine(&mut self, gp: *mut g) {
        let st = crate::gm::readgstatus(gp) & !(crate::layout::rt::_Gscan as u32);
        if st == crate::gm::G_DEAD || st == crate::gm::G_IDLE {
            return;
        }
        // SAFETY: gp is a live goroutine, stopped at a safe point (or the
        // collecting goroutine, away in the runtime).
        unsafe {
            let gr = &*gp;
            self.ss.lo = gr.stack.lo;
            self.ss.hi = gr.stack.hi;
            // Pointers the runtime keeps for the goroutine; some point into
            // its stack (stack-allocated defer records and closures, panic
            // records, channel operands of a blocked send or receive).
            self.mark_any(gr.sched.ctxt as usize, false);
            let mut d = gr._defer;
            while !d.is_null() {
                self.mark_any(d as usize, false);
                self.mark_any((*d).r#fn as usize, false);
                d = (*d).link;
            }
            self.mark_any(gr._panic as usize, false);
            self.mark_ptr(gr.param as usize, false);
            self.mark_ptr(gr.labels as usize, false);
            self.mark_ptr(gr.writebuf.ptr as usize, false);
            self.mark_ptr(gr.ancestors as usize, false);
            self.mark_ptr(gr.coroarg as usize, false);
            let mut s: *mut sudog = gr.waiting;
            while !s.is_null() {
                self.mark_any((*s).elem as usize, false);
                self.mark_ptr((*s).c as usize, false);
                s = (*s).waitlink;
            }
            SCAN_G.store(gp as usize, core::sync::atomic::Ordering::Relaxed);
            let sp = if gr.syscallsp != 0 { gr.syscallsp } else { gr.sched.sp };
            if sp > gr.stack.lo && sp <= gr.stack.hi {
                self.stack_scanned += gr.stack.hi - sp;
            }
            self.mark_stack(gp);
            SCAN_G.store(0, core::sync::atomic::Ordering::Relaxed);
            self.scan_stack_objects();
            self.ss.objs.truncate(0);
            self.ss.lo = 0;
            self.ss.hi = 0;
        }
    }

    fn mark_stack(&mut self, gp: *mut g) {
        let mut callee = symtab::FUNCID_NORMAL;
        let mut conservative_next = false;
        let mut callee_hook = false;
        let mut frames = Unwinder::for_g(gp);
        for f in frames.by_ref() {
            let id = f.fi.func_id();
            if callee_hook && f.fi.args() > 0 {
                // A Rust entry point's trampoline whose return ran the
                // collection hook: its results are written but its argument
                // map describes only the arguments.
                self.scan_conservative(f.fp, f.fp + f.fi.args() as usize);
            }
            callee_hook = f.fi.name() == b"runtime.rtcallHook";
            if conservative_next || id == symtab::FUNCID_ASYNC_PREEMPT {
                // An asynchronously preempted frame (and asyncPreempt's own,
                // holding the saved registers): no stack map describes them
                // at this pc. Its incoming argument area too: register
                // arguments are spilled there (the caller's frame does not
                // describe it, the callee's args map would, at a call site).
                self.scan_conservative(f.sp, f.fp);
                let args = f.fi.args();
                if args > 0 {
                    self.scan_conservative(f.fp, f.fp + args as usize);
                }
                conservative_next = id == symtab::FUNCID_ASYNC_PREEMPT;
                callee = id;
                continue;
            }
            let callee_sigpanic = callee == symtab::FUNCID_SIGPANIC;
            FRAME_PC.store(f.pc, core::sync::atomic::Ordering::Relaxed);
            FRAME_SP.store(f.sp, core::sync::atomic::Ordering::Relaxed);
            FRAME_FP.store(f.fp, core::sync::atomic::Ordering::Relaxed);
            if DEBUG.load(core::sync::atomic::Ordering::Relaxed) {
                crate::gprint!(b"gcdebug: frame ");
                crate::traceback::print_func_name(f.fi.name());
                crate::gprint!(b" pc=", crate::print::Hex(f.pc as u64), b" sp=", crate::print::Hex(f.sp as u64), b" fp=", crate::print::Hex(f.fp as u64), b"\n");
                stackmap::visit_frame(&f, callee_sigpanic, &mut |slot, kind| {
                    // SAFETY: slot is a word of the frame.
                    let v = unsafe { *(slot as *const usize) };
                    crate::gprint!(b"gcdebug:   slot ", crate::print::Hex(slot as u64), b" kind ", kind as u8, b" = ", crate::print::Hex(v as u64), b"\n");
                });
            }
            let ss_objs: *mut Buf<(stackmap::StackObj, bool)> = &mut self.ss.objs;
            stackmap::visit_frame_split(
                &f,
                callee_sigpanic,
                &mut |slot, kind| {
                    // SAFETY: slot is a word of the frame.
                    let v = unsafe { *(slot as *const usize) };
                    match kind {
                        Slot::Live => {
                            SLOT.store(slot, core::sync::atomic::Ordering::Relaxed);
                            self.mark_any(v, true)
                        }
                        Slot::Object => self.mark_any(v, false),
                        Slot::SavedBP => {}
                    }
                },
                // SAFETY: the objects buffer is not touched by the slot
                // callback (mark_any only appends to `pending`).
                Some(&mut |o| unsafe { (*ss_objs).push((o, false)) }),
            );
            callee = id;
        }
        frames.check_complete(gp);
    }

    fn mark_timers(&mut self) {
        for i in 0..sched::gomaxprocs() as usize {
            // SAFETY: Ps below gomaxprocs are live; the world is stopped.
            unsafe { (*sched::allp(i)).timers.for_each(|t| self.mark_ptr(t as usize, false)) };
        }
    }
}

impl Default for Marker {
    fn default() -> Self {
        Self::new()
    }
}

pub static DEBUG: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// The slot being marked from (for the report of a bad pointer).
static SLOT: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);
/// The frame being scanned (function entry), 0 when scanning an object.
static FRAME_PC: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);
/// The goroutine and frame bounds being scanned (for the bad-pointer report).
static SCAN_G: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);
static FRAME_SP: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);
static FRAME_FP: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

#[cold]
fn bad_pointer(s: &Mspan, p: usize) -> ! {
    let slot = SLOT.load(core::sync::atomic::Ordering::Relaxed);
    let pc = FRAME_PC.load(core::sync::atomic::Ordering::Relaxed);
    crate::gprint!(b"runtime: found in slot ", crate::print::Hex(slot as u64), b" of ");
    match crate::symtab::findfunc(pc) {
        Some(f) if pc != 0 => {
            crate::traceback::print_func_name(f.name());
            crate::gprint!(
                b" pc=", crate::print::Hex(pc as u64),
                b" sp=", crate::print::Hex(FRAME_SP.load(core::sync::atomic::Ordering::Relaxed) as u64),
                b" fp=", crate::print::Hex(FRAME_FP.load(core::sync::atomic::Ordering::Relaxed) as u64)
            );
            let gp = SCAN_G.load(core::sync::atomic::Ordering::Relaxed) as *mut g;
            if !gp.is_null() {
                // SAFETY: the goroutine being scanned (the world is stopped).
                unsafe {
                    crate::gprint!(
                        b"\nruntime: in goroutine ", (*gp).goid, b" status ", sched::readgstatus(gp),
                        b" waitreason ", (*gp).waitreason as u32,
                        b" sched.pc=", crate::print::Hex((*gp).sched.pc as u64), b" sched.sp=", crate::print::Hex((*gp).sched.sp as u64),
                        b" syscallpc=", crate::print::Hex((*gp).syscallpc as u64), b" syscallsp=", crate::print::Hex((*gp).syscallsp as u64),
                        b" asyncSafePoint=", (*gp).asyncSafePoint, b" stack=[", crate::print::Hex((*gp).stack.lo as u64), b", ",
                        crate::print::Hex((*gp).stack.hi as u64), b"]"
                    );
                }
            }
        }
        _ => {
            let s = crate::heap::span_of_heap(slot);
            if s.is_null() {
                crate::gprint!(b"?");
            } else {
                // SAFETY: an in-use span.
                unsafe {
                    crate::gprint!(b"a heap object: span ", crate::print::Hex((*s).start as u64), b" elemsize ", (*s).elemsize, b" noscan ", (*s).noscan());
                }
            }
        }
    }
    crate::gprint!(b"\n");
    crate::gprint!(
        b"runtime: pointer ", crate::print::Hex(p as u64), b" to unallocated span span.base()=",
        crate::print::Hex(s.start as u64), b" span.limit=", crate::print::Hex(s.limit() as u64), b" span.state=",
        s.state, b"\n"
    );
    crate::fatal::throw("found bad pointer in Go heap")
}
