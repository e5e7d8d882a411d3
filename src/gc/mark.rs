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
    /// Pointers into the stack met while walking (resolved after sorting):
    /// from pointer slots, and from words scanned conservatively (a dead
    /// register's value may name a dead stack object).
    pending: Buf<usize>,
    pending_cons: Buf<usize>,
    /// Reached objects not yet scanned (indices into objs), and whether
    /// only a conservatively found word reached them.
    work: Buf<(usize, bool)>,
}

pub struct Marker {
    /// The grey objects: marked, not yet scanned.
    grey: Buf<usize>,
    /// Bytes marked by this marker not yet added to the cycle's count.
    marked: usize,
    ss: StackScan,
    /// Where marking is (for the reports of a bad pointer and of
    /// checkmark): each marker keeps its own, written per pointer slot.
    at: Whence,
}

/// Where a marker is reading pointers from.
struct Whence {
    /// What kind of root (or "heap").
    source: &'static [u8],
    /// The slot being marked from.
    slot: usize,
    /// The frame being scanned (its pc, sp and fp); pc 0 when scanning an
    /// object.
    pc: usize,
    sp: usize,
    fp: usize,
    /// The goroutine being scanned (null: none).
    g: *mut g,
    /// The stack object being scanned (0: none).
    stack_obj: usize,
}

/// How far below the top of the grey stack `next_grey` prefetches.
const LOOKAHEAD: usize = 8;

/// Ask for the cache line at `addr` ahead of reading it: scanning waits on
/// loading a grey object's first line more than on anything else (gofmt:
/// scan_object's samples halved when grey objects were prefetched).
#[inline(always)]
fn prefetch(addr: usize) {
    // SAFETY: a prefetch is a hint; it never faults, whatever the address.
    unsafe { core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(addr as *const i8) };
}

impl Marker {
    pub fn new() -> Marker {
        Marker {
            grey: PVec::mapped(Stat::Gc),
            marked: 0,
            ss: StackScan { lo: 0, hi: 0, objs: PVec::mapped(Stat::Gc), pending: PVec::mapped(Stat::Gc),
                pending_cons: PVec::mapped(Stat::Gc),
                work: PVec::mapped(Stat::Gc),
            },
            at: Whence { source: b"", slot: 0, pc: 0, sp: 0, fp: 0, g: core::ptr::null_mut(), stack_obj: 0 },
        }
    }

    pub fn free(mut self) {
        crate::wb::add_marked(self.marked);
        if !self.grey.is_empty() {
            crate::fatal::throw("gc: a marker freed with grey objects left");
        }
        self.grey.free();
        self.ss.objs.free();
        self.ss.pending.free();
        self.ss.pending_cons.free();
        self.ss.work.free();
    }

    /// What kind of root is marked from now (checkmark's report).
    fn source(&mut self, what: &'static [u8]) {
        self.at.source = what;
        self.at.slot = 0;
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

    /// A word scanned conservatively: a heap pointer, or a pointer into the
    /// stack being scanned.
    fn mark_any_conservative(&mut self, p: usize) {
        if p >= self.ss.lo && p < self.ss.hi {
            self.ss.pending_cons.push(p);
        } else {
            self.mark_ptr(p, false);
        }
    }

    /// After the walk: sort the stack objects, then scan every one that a
    /// pointer reaches (transitively). Objects that precise pointers reach
    /// are taken first and scanned by their types; one that only a
    /// conservatively found word reaches may be dead (its frame no longer
    /// uses it, its contents stale): it is scanned conservatively, as
    /// upstream does, so checkmark does not take its stale pointers for
    /// live ones.
    fn scan_stack_objects(&mut self) {
        self.ss.objs.as_mut_slice().sort_unstable_by_key(|o| o.0.addr);
        loop {
            let (p, conservative) = match self.ss.pending.pop() {
                Some(p) => (p, false),
                None => match self.ss.pending_cons.pop() {
                    Some(p) => (p, true),
                    None => break,
                },
            };
            self.reach_stack_object(p, conservative);
            while let Some((i, conservative)) = self.ss.work.pop() {
                let o = self.ss.objs.as_mut_slice()[i].0;
                self.at.stack_obj = o.addr;
                if conservative {
                    self.scan_conservative(o.addr, o.addr + o.size);
                } else {
                    o.for_each_ptr_word(|w| {
                        self.at.slot = o.addr + w * 8;
                        // SAFETY: a word of a live frame's variable.
                        let v = unsafe { *((o.addr + w * 8) as *const usize) };
                        self.mark_any(v, false);
                    });
                }
                self.at.stack_obj = 0;
            }
        }
    }

    fn reach_stack_object(&mut self, p: usize, conservative: bool) {
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
        self.ss.work.push((i - 1, conservative));
    }

    /// Mark the object containing p, if p points into an allocated heap
    /// object. `strict`: p comes from a precise pointer slot, so a pointer
    /// into free heap memory is a bug (reported as upstream does).
    #[inline]
    pub fn mark_ptr(&mut self, p: usize, strict: bool) {
        if CHECKING.load(core::sync::atomic::Ordering::Relaxed) {
            check_missed(&self.at, p);
        }
        match crate::wb::mark_object(p) {
            crate::wb::Marked::Nothing => {}
            crate::wb::Marked::Grey(base, size) => {
                self.marked += size;
                // It is likely scanned next (the grey list is a stack).
                prefetch(base);
                self.grey.push(base)
            }
            crate::wb::Marked::Black(size) => self.marked += size,
            crate::wb::Marked::Unallocated(s) => {
                if strict {
                    // SAFETY: an in-use span.
                    bad_pointer(&self.at, unsafe { &*s }, p);
                }
            }
        }
    }

    /// The next grey object to scan (the list is a stack, for locality),
    /// prefetching the one `LOOKAHEAD` places below it, which is scanned
    /// a few objects from now unless newer grey objects come first.
    #[inline]
    fn next_grey(&mut self) -> Option<usize> {
        let o = self.grey.pop()?;
        let n = self.grey.len();
        if n >= LOOKAHEAD {
            prefetch(self.grey.get(n - LOOKAHEAD));
        }
        Some(o)
    }

    /// Hand every grey object found to the shared queue (other markers
    /// scan them).
    pub fn publish(&mut self) {
        crate::wb::queue_put(self.grey.as_slice());
        self.grey.truncate(0);
    }

    /// Concurrent marking: scan grey objects, from this marker's list or
    /// the shared queue, until `enough` says so (it is asked every few
    /// objects, with the bytes scanned so far) or no grey object is left
    /// anywhere (false). What is left over goes back to the shared queue.
    /// Also returns the bytes scanned.
    pub fn drain_while(&mut self, mut enough: impl FnMut(usize) -> bool) -> (bool, usize) {
        let mut scanned = 0usize;
        let mut k = 0u32;
        loop {
            let obj = match self.next_grey() {
                Some(o) => o,
                None => {
                    if crate::wb::queue_take(&mut self.grey, 64) == 0 {
                        SCANNED.fetch_add(scanned, core::sync::atomic::Ordering::Relaxed);
                        return (false, scanned);
                    }
                    continue;
                }
            };
            scanned += self.scan_object(obj);
            k += 1;
            if k.is_multiple_of(32) {
                // Share work when the queue is dry and this list holds more
                // than a few objects: its older half (in a tree, the roots
                // of the larger subtrees; the newer half is the one being
                // prefetched). A marker walking a tree or a list holds a
                // short list however much lies below it: at 128 the
                // threshold was, binary trees' markers never shared, and
                // the others ran dry (an assist parked, a worker idled:
                // half of each cycle's 5 ms, one of two processors idle).
                let len = self.grey.len();
                if len > 8 && crate::wb::queue_len() == 0 {
                    let half = len / 2;
                    crate::wb::queue_put(&self.grey.as_slice()[..half]);
                    self.grey.as_mut_slice().copy_within(half..len, 0);
                    self.grey.truncate(len - half);
                }
                if enough(scanned) {
                    self.publish();
                    SCANNED.fetch_add(scanned, core::sync::atomic::Ordering::Relaxed);
                    return (true, scanned);
                }
            }
        }
    }

    /// Mark the object a pointer slot refers to.
    pub fn mark_slot(&mut self, slot: usize, strict: bool) {
        // SAFETY: slot is a readable word (a frame slot or runtime field).
        let p = unsafe { *(slot as *const usize) };
        self.at.slot = slot;
        self.mark_ptr(p, strict);
    }

    /// Scan words [lo, hi) conservatively: anything that looks like a
    /// pointer to an allocated object keeps it.
    pub fn scan_conservative(&mut self, lo: usize, hi: usize) {
        let mut a = lo & !7;
        while a + 8 <= hi {
            // SAFETY: [lo, hi) is readable stack memory.
            let p = unsafe { *(a as *const usize) };
            a += 8;
            // Checkmark: a word that only looks like a pointer may name an
            // object that was already garbage when the cycle began (a dead
            // register): the second marking follows only what the first
            // marked.
            if CHECKING.load(core::sync::atomic::Ordering::Relaxed) && !check_was_marked(p) {
                continue;
            }
            self.at.slot = a - 8;
            self.mark_any_conservative(p);
        }
    }

    /// Scan grey objects until none is left, here or in the shared queue.
    pub fn drain(&mut self) {
        let mut scanned = 0;
        loop {
            while let Some(obj) = self.next_grey() {
                scanned += self.scan_object(obj);
            }
            if crate::wb::queue_take(&mut self.grey, 256) == 0 {
                SCANNED.fetch_add(scanned, core::sync::atomic::Ordering::Relaxed);
                return;
            }
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

    /// Scan one grey object; returns its size.
    fn scan_object(&mut self, obj: usize) -> usize {
        self.at.pc = 0;
        let s = heap::span_of(obj);
        // SAFETY: obj is the base of an allocated object of an in-use span.
        let sp: &Mspan = unsafe { &*s };
        let size = if sp.size_class() == 0 { sp.largesize.max(8) } else { sp.elemsize };
        let nwords = size / 8;
        let mut i = 0;
        // A bitmap word at a time; only the pointer words are read.
        while i < nwords {
            let (mut ptrs, n) = bits::pointer_chunk(obj + i * 8, nwords - i);
            while ptrs != 0 {
                let a = obj + (i + ptrs.trailing_zeros() as usize) * 8;
                ptrs &= ptrs - 1;
                // SAFETY: a is a word of the object.
                let p = unsafe { *(a as *const usize) };
                // Pointers back into the object itself change nothing (it
                // is being scanned, so it is marked or, for an object with
                // a finalizer, deliberately not: a self-reference must not
                // keep it from being finalized, as upstream).
                if p != 0 && p.wrapping_sub(obj) >= sp.elemsize {
                    self.at.slot = a;
                    self.mark_ptr(p, true);
                }
            }
            i += n;
        }
        size
    }

    // ---- roots ----

    /// Every root. Concurrent marking leaves the globals for later
    /// (`mark_globals`: compiled code's barriers cover stores to them).
    pub fn mark_roots(&mut self) {
        self.mark_globals();
        self.mark_roots_but_globals();
    }

    pub fn mark_roots_but_globals(&mut self) {
        self.source(b"a goroutine");
        crate::gm::for_each_g(|gp| self.mark_goroutine(gp));
        self.mark_runtime_roots();
    }

    /// The runtime's own roots (not goroutines, not globals).
    pub fn mark_runtime_roots(&mut self) {
        self.source(b"timers");
        self.mark_timers();
        self.source(b"reflect's offsets");
        crate::types::for_each_runtime_off(|p| self.mark_ptr(p, false));
        self.source(b"finalizers");
        super::finalizer::mark_tables(self);
        self.source(b"pools");
        super::pools::mark_roots(self);
        self.source(b"heap");
    }

    pub fn mark_globals(&mut self) {
        self.source(b"globals");
        for md in crate::types::modules() {
            // SAFETY: marking runs in a collection (the masks were built
            // when it started: build_masks).
            let (data, bss) = unsafe { crate::globals::module_masks(md) };
            self.mark_segment(md.data, md.edata, data);
            self.mark_segment(md.bss, md.ebss, bss);
        }
    }

    fn mark_segment(&mut self, start: usize, end: usize, mask: &crate::gcprog::Mask) {
        let n = ((end - start) / 8).min(mask.nbits);
        let mut i = 0;
        // A mask word at a time: empty words cost one load, set bits one
        // slot each.
        while i < n {
            let (mut bits, len) = mask.chunk(i, n - i);
            while bits != 0 {
                self.mark_slot(start + (i + bits.trailing_zeros() as usize) * 8, false);
                bits &= bits - 1;
            }
            i += len;
        }
    }

    /// Scan a goroutine's stack and the runtime's pointers for it; gp is
    /// stopped at a safe point (or claimed for a scan, gc/stacks.rs).
    pub fn mark_goroutine(&mut self, gp: *mut g) {
        self.source(b"a goroutine");
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
            self.mark_ptr(gr.cgoCtxt.ptr as usize, false);
            let mut s: *mut sudog = gr.waiting;
            while !s.is_null() {
                self.mark_any((*s).elem as usize, false);
                self.mark_ptr((*s).c as usize, false);
                s = (*s).waitlink;
            }
            self.at.g = gp;
            let sp = if gr.syscallsp != 0 { gr.syscallsp } else { gr.sched.sp };
            if sp > gr.stack.lo && sp <= gr.stack.hi {
                STACK_SCANNED.fetch_add(gr.stack.hi - sp, core::sync::atomic::Ordering::Relaxed);
            }
            self.mark_stack(gp);
            self.scan_stack_objects();
            self.at.g = core::ptr::null_mut();
            self.ss.objs.truncate(0);
            self.ss.lo = 0;
            self.ss.hi = 0;
        }
    }

    fn mark_stack(&mut self, gp: *mut g) {
        let mut callee = symtab::FUNCID_NORMAL;
        let mut conservative_next = false;
        let mut callee_fi = None;
        let mut frames = Unwinder::for_g(gp).strict();
        for f in frames.by_ref() {
            let id = f.fi.func_id();
            if let Some(args) = stackmap::hook_args(&f, callee_fi.as_ref()) {
                // A Rust entry point's trampoline whose return ran the
                // collection hook: its results are written but its argument
                // map describes only the arguments.
                self.scan_conservative(args.start, args.end);
            }
            callee_fi = Some(f.fi);
            let saves_regs = id == symtab::FUNCID_ASYNC_PREEMPT || id == symtab::FUNCID_DEBUG_CALL_V2;
            if conservative_next || saves_regs {
                // An asynchronously preempted frame, or one a debugger
                // injected a call into (and asyncPreempt's or debugCallV2's
                // own, holding the saved registers): no stack map describes
                // them at this pc. Its incoming argument area too: register
                // arguments are spilled there (the caller's frame does not
                // describe it, the callee's args map would, at a call site).
                self.scan_conservative(f.sp, f.fp);
                let args = f.fi.args();
                if args > 0 {
                    self.scan_conservative(f.fp, f.fp + args as usize);
                }
                conservative_next = saves_regs;
                callee = id;
                continue;
            }
            let callee_sigpanic = callee == symtab::FUNCID_SIGPANIC;
            (self.at.pc, self.at.sp, self.at.fp) = (f.pc, f.sp, f.fp);
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
                            self.at.slot = slot;
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

/// GORT_GCCHECKMARK's second marking is running: report every object it
/// marks that the concurrent marking had not (gc/mod.rs: checkmark).
pub static CHECKING: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

fn check_was_marked(p: usize) -> bool {
    let s = heap::span_of_heap(p);
    if s.is_null() {
        return true;
    }
    // SAFETY: an in-use span (world stopped).
    let idx = unsafe { (*s).obj_index(p) };
    // SAFETY: as above.
    idx >= unsafe { (*s).nelems } || super::checkmark_was_marked(s, idx)
}

/// Checkmark: p is about to be marked by the second marking; if its
/// object is allocated, unmarked now, and was not marked by the
/// concurrent marking, say where the pointer was found.
#[cold]
fn check_missed(at: &Whence, p: usize) {
    let s = heap::span_of_heap(p);
    if s.is_null() {
        return;
    }
    // SAFETY: an in-use span (world stopped).
    let sp: &Mspan = unsafe { &*s };
    let idx = sp.obj_index(p);
    if idx >= sp.nelems || !sp.is_allocated(idx) || sp.is_marked(idx) || super::checkmark_was_marked(s, idx) {
        return;
    }
    let (slot, pc, src) = (at.slot, at.pc, at.source);
    crate::gprint!(
        b"runtime: checkmark: object ", crate::print::Hex(sp.obj_base(idx) as u64), b" (elemsize ", sp.elemsize,
        b" noscan ", sp.noscan(), b") missed; reached from slot ", crate::print::Hex(slot as u64), b" (", src, b")"
    );
    let hs = heap::span_of_heap(slot);
    if !hs.is_null() {
        // SAFETY: an in-use span.
        let h: &Mspan = unsafe { &*hs };
        let base = h.obj_base(h.obj_index(slot));
        crate::gprint!(b" in heap object ", crate::print::Hex(base as u64), b"+", slot - base, b" elemsize ", h.elemsize);
    } else if !at.g.is_null() || at.stack_obj != 0 {
        let obj = at.stack_obj;
        if obj != 0 {
            crate::gprint!(b" in the stack object at ", crate::print::Hex(obj as u64));
        }
        crate::gprint!(b"\n");
        let gp = at.g;
        if !gp.is_null() && !REPORTED_G.swap(true, core::sync::atomic::Ordering::Relaxed) {
            report_goroutine(gp, slot);
        }
        return;
    } else if pc != 0 {
        if let Some(f) = crate::symtab::findfunc(pc) {
            crate::gprint!(b" in frame of ");
            crate::traceback::print_func_name(f.name());
        }
    }
    crate::gprint!(b"\n");
}

/// Checkmark's report of a goroutine it found a missed object from: its
/// frames (the one holding `slot` flagged) and where the concurrent mark
/// had scanned it.
#[cold]
fn report_goroutine(gp: *mut g, slot: usize) {
    // SAFETY: gp is the goroutine being scanned, the world stopped.
    let (goid, status) = unsafe { ((*gp).goid, crate::gm::readgstatus(gp)) };
    crate::gprint!(b"runtime: checkmark: goroutine ", goid, b" status ", status, b"; its frames now:\n");
    for f in Unwinder::for_g(gp) {
        let mark: &[u8] = if slot >= f.sp && slot < f.fp + f.fi.args().max(0) as usize { b" <- slot" } else { b"" };
        crate::gprint!(b"    ");
        crate::traceback::print_func_name(f.fi.name());
        crate::gprint!(
            b" pc=+", crate::print::Hex((f.pc - f.fi.entry()) as u64), b" sp=", crate::print::Hex(f.sp as u64),
            b" fp=", crate::print::Hex(f.fp as u64), mark, b"\n"
        );
    }
    super::stacks::report_scan(gp);
}

/// checkmark reports one goroutine per run.
static REPORTED_G: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// Bytes of objects scanned this cycle (by concurrent marking, and by the
/// drains of its pauses).
pub static SCANNED: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);
/// Bytes of goroutine stacks scanned this cycle (runtime/metrics'
/// /gc/scan/stack).
pub static STACK_SCANNED: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

pub static DEBUG: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);


/// A precise pointer to a free object of an in-use span: a use-after-free
/// (typically a pointer kept as a uintptr and converted back) or a bad
/// pointer made with unsafe. Reported as upstream reports the "zombie" its
/// sweep then finds: the span's objects, and the throw.
#[cold]
fn bad_pointer(at: &Whence, s: &Mspan, p: usize) -> ! {
    let (slot, pc) = (at.slot, at.pc);
    crate::gprint!(b"runtime: found in slot ", crate::print::Hex(slot as u64), b" of ");
    match crate::symtab::findfunc(pc) {
        Some(f) if pc != 0 => {
            crate::traceback::print_func_name(f.name());
            crate::gprint!(
                b" pc=", crate::print::Hex(pc as u64),
                b" sp=", crate::print::Hex(at.sp as u64),
                b" fp=", crate::print::Hex(at.fp as u64)
            );
            let gp = at.g;
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
        b"runtime: marked free object in span ", crate::print::Hex(s.start as u64), b", elemsize=", s.elemsize,
        b" freeindex=", s.freeindex, b" (bad use of unsafe.Pointer? try -d=checkptr)\n"
    );
    let bad = s.obj_index(p);
    for i in 0..s.nelems {
        let alloc = s.is_allocated(i);
        crate::gprint!(crate::print::Hex(s.obj_base(i) as u64));
        crate::gprint!(if alloc { b" alloc" as &[u8] } else { b" free " });
        crate::gprint!(if s.is_marked(i) { b" marked  " as &[u8] } else { b" unmarked" });
        if i == bad {
            crate::gprint!(b" zombie");
        }
        crate::gprint!(b"\n");
    }
    crate::fatal::throw("found pointer to free object")
}
