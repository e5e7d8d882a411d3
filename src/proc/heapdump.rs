//! runtime/debug.WriteHeapDump: a snapshot of the whole process in the
//! "go1.7 heap dump" format (https://golang.org/s/go15heapdump).
//!
//! The dump is a header line, then records, each a varint tag followed by
//! its fields: unsigned varints (as encoding/binary's Uvarint), booleans as
//! varints 0/1, and byte strings as a varint length and the bytes. Field
//! lists (the pointer words of an object, a frame, a segment) are pairs
//! (kind 1, offset) ended by a 0.
//!
//! Written with the world stopped, after sweeping has finished, while the
//! calling goroutine shows as waiting ("dumping heap"): the parameters,
//! every itab with its type, every allocated heap object (from the spans'
//! allocation bits and the heap's pointer bits), every goroutine with its
//! frames (contents and stack-map pointer slots), defers and panics, the
//! threads, the first module's data and bss with their pointer masks, the
//! finalizer records and the queue, MemStats, and the memory profile's
//! buckets and samples. Nothing is allocated on the Go heap meanwhile: the
//! output goes through a buffer on this thread's system stack to write(2).

use crate::heap::{self, Mspan};
use crate::layout::abi::Type;
use crate::layout::rt::g;
use crate::layout::GoString;
use crate::sched::stats::StwReason;
use crate::stackmap::{maps_at, BitVec};
use crate::symtab::FUNCID_SIGPANIC;
use crate::traceback::{is_system_goroutine, Unwinder, WAIT_REASON_STRINGS};

const HEADER: &[u8] = b"go1.7 heap dump\n";

// Record tags.
const T_EOF: u64 = 0;
const T_OBJECT: u64 = 1;
const T_TYPE: u64 = 3;
const T_GOROUTINE: u64 = 4;
const T_FRAME: u64 = 5;
const T_PARAMS: u64 = 6;
const T_FINALIZER: u64 = 7;
const T_ITAB: u64 = 8;
const T_THREAD: u64 = 9;
const T_MEMSTATS: u64 = 10;
const T_QUEUED_FINALIZER: u64 = 11;
const T_DATA: u64 = 12;
const T_BSS: u64 = 13;
const T_DEFER: u64 = 14;
const T_PANIC: u64 = 15;
const T_MEMPROF: u64 = 16;
const T_ALLOC_SAMPLE: u64 = 17;

/// Field kinds of a field list (only pointers are listed; 0 ends a list).
const FIELD_END: u64 = 0;
const FIELD_PTR: u64 = 1;

/// The type flag "named" (abi.TFlagNamed).
const TFLAG_NAMED: u8 = 1 << 2;

/// The output: a buffer drained to the descriptor with write(2). A failed
/// write ends the output (upstream ignores write errors too); the dump
/// goes on so that the world is restarted as usual.
struct Sink {
    fd: i32,
    len: usize,
    broken: bool,
    buf: [u8; 4096],
}

impl Sink {
    fn drain(&mut self) {
        if self.len > 0 && !self.broken && crate::sys::write_all(self.fd, &self.buf[..self.len]) < 0 {
            self.broken = true;
        }
        self.len = 0;
    }

    fn raw(&mut self, mut b: &[u8]) {
        while !b.is_empty() {
            if self.len == self.buf.len() {
                self.drain();
            }
            let k = b.len().min(self.buf.len() - self.len);
            self.buf[self.len..self.len + k].copy_from_slice(&b[..k]);
            self.len += k;
            b = &b[k..];
        }
    }

    fn uv(&mut self, mut v: u64) {
        let mut tmp = [0u8; 10];
        let mut i = 0;
        loop {
            let low = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                tmp[i] = low;
                i += 1;
                break;
            }
            tmp[i] = low | 0x80;
            i += 1;
        }
        self.raw(&tmp[..i]);
    }

    fn word(&mut self, v: usize) {
        self.uv(v as u64)
    }

    fn flag(&mut self, b: bool) {
        self.uv(b as u64)
    }

    fn bytes(&mut self, b: &[u8]) {
        self.word(b.len());
        self.raw(b);
    }

    /// A byte string read from memory.
    ///
    /// # Safety
    /// [p, p+n) is readable.
    unsafe fn memory(&mut self, p: usize, n: usize) {
        // SAFETY: per the contract (n == 0 needs no valid pointer).
        let b = if n == 0 { &[][..] } else { unsafe { core::slice::from_raw_parts(p as *const u8, n) } };
        self.bytes(b);
    }

    fn ptr_field(&mut self, off: usize) {
        self.uv(FIELD_PTR);
        self.word(off);
    }

    /// The set bits of bv as pointer fields, bit i at base + 8*i.
    fn bitvec_fields(&mut self, bv: &BitVec, base: usize) {
        for i in 0..bv.n {
            if bv.bit(i) {
                self.ptr_field(base + i * 8);
            }
        }
    }
}

/// Types already written (a small direct-mapped cache: a type may be
/// written again when two collide, which readers accept).
struct SeenTypes([usize; 256]);

impl SeenTypes {
    /// Write t's type record unless it was just written.
    fn note(&mut self, out: &mut Sink, t: *const Type) {
        if t.is_null() {
            return;
        }
        // SAFETY: t is a type descriptor (an itab's).
        let hash = unsafe { (*t).Hash } as usize;
        let slot = &mut self.0[hash % 256];
        if *slot == t as usize {
            return;
        }
        *slot = t as usize;
        // SAFETY: as above.
        unsafe {
            out.uv(T_TYPE);
            out.word(t as usize);
            out.word((*t).Size_);
            let pkg = if crate::types::uncommon(t).is_null() { &[][..] } else { crate::types::pkg_path(t) };
            if pkg.is_empty() {
                out.bytes(crate::types::type_string(t));
            } else {
                let short = short_name(t);
                out.word(pkg.len() + 1 + short.len());
                out.raw(pkg);
                out.raw(b".");
                out.raw(short);
            }
            out.flag(!crate::types::is_direct_iface(t) || (*t).PtrBytes != 0);
        }
    }
}

/// A named type's own name: its string after the last dot outside square
/// brackets (type arguments); empty for an unnamed type.
///
/// # Safety
/// t is a type descriptor.
unsafe fn short_name(t: *const Type) -> &'static [u8] {
    // SAFETY: per the contract.
    let (flags, s) = unsafe { ((*t).TFlag, crate::types::type_string(t)) };
    if flags & TFLAG_NAMED == 0 {
        return b"";
    }
    let mut depth = 0i32;
    for (i, &c) in s.iter().enumerate().rev() {
        match c {
            b']' => depth += 1,
            b'[' => depth -= 1,
            b'.' if depth == 0 => return &s[i + 1..],
            _ => {}
        }
    }
    s
}

/// runtime/debug.WriteHeapDump's Rust side (the Go side holds worldsema):
/// write the dump to fd. `version` is runtime.Version().
pub fn rt_writeHeapDump(fd: usize, version: GoString) {
    // SAFETY: a Go string constant of the runtime.
    let version = unsafe { version.as_bytes() };
    // Sweep while the others still run; the masks of the data and bss
    // are built now if no collection has built them yet.
    heap::sweep::finish();
    let md = crate::types::modules().next();
    let masks = md.map(crate::gc::module_masks);
    let me = crate::gm::curg();
    crate::gm::acquirem();
    crate::sched::stw::stop_the_world_for(StwReason::WriteHeapDump);
    // Normally nothing is left to sweep: spans become unswept only at a
    // mark termination, which needs worldsema (ours).
    heap::sweep::finish();
    // SAFETY: all-zero bytes are a valid MemStats.
    let mut stats: crate::mstats::MemStats = unsafe { core::mem::zeroed() };
    // SAFETY: stats is a MemStats of ours.
    unsafe { crate::mstats::fill(&mut stats as *mut crate::mstats::MemStats as *mut u8) };
    // SAFETY: me is the goroutine this call runs for; it is not running
    // Go code meanwhile.
    unsafe { (*me).waitreason = crate::layout::rt::waitReasonDumpingHeap as u8 };
    crate::gm::casgstatus(me, crate::gm::G_RUNNING, crate::gm::G_WAITING);
    let mut out = Sink { fd: fd as i32, len: 0, broken: false, buf: [0; 4096] };
    out.raw(HEADER);
    params(&mut out, version);
    let mut seen = SeenTypes([0; 256]);
    crate::iface::for_each_itab(|tab| {
        // SAFETY: an itab of the table.
        let t = unsafe { (*tab)._type };
        seen.note(&mut out, t);
        out.uv(T_ITAB);
        out.word(tab as usize);
        out.word(t as usize);
    });
    // SAFETY: the world is stopped and every span swept.
    unsafe { heap::for_each_span(|s| objects(&mut out, s)) };
    crate::gm::for_each_g(|gp| goroutine(&mut out, gp));
    threads(&mut out);
    if let (Some(md), Some((data, bss))) = (md, masks) {
        segment(&mut out, T_DATA, md.data, md.edata, data);
        segment(&mut out, T_BSS, md.bss, md.ebss, bss);
    }
    // SAFETY: the world is stopped.
    unsafe {
        crate::gc::finalizer::for_each_finalizer(|f, queued| {
            out.uv(if queued { T_QUEUED_FINALIZER } else { T_FINALIZER });
            out.word(f.obj as usize);
            out.word(f.fn_ as usize);
            // SAFETY: a finalizer's function value.
            out.word(if f.fn_.is_null() { 0 } else { (*f.fn_).r#fn });
            out.word(f.fint as usize);
            out.word(f.ot as usize);
        })
    };
    memstats(&mut out, &stats);
    memprof(&mut out);
    out.uv(T_EOF);
    out.drain();
    crate::gm::casgstatus(me, crate::gm::G_WAITING, crate::gm::G_RUNNING);
    // SAFETY: as above.
    unsafe { (*me).waitreason = 0 };
    let _ = crate::sched::stw::start_the_world();
    crate::gm::releasem();
}

fn params(out: &mut Sink, version: &[u8]) {
    out.uv(T_PARAMS);
    out.flag(false); // little-endian
    out.word(8);
    let (lo, hi) = heap::arena_bounds();
    out.word(lo);
    out.word(hi);
    out.bytes(b"amd64");
    out.bytes(version);
    out.word(crate::sched::NCPU.load(core::sync::atomic::Ordering::Relaxed) as usize);
}

/// Every allocated object of span s, with its pointer words.
fn objects(out: &mut Sink, s: *mut Mspan) {
    // SAFETY: an in-use span, swept; the world is stopped.
    let s = unsafe { &*s };
    if s.state != heap::SPAN_IN_USE {
        return;
    }
    let size = s.elemsize;
    for i in 0..s.nelems {
        if !s.is_allocated(i) {
            continue;
        }
        let p = s.obj_base(i);
        out.uv(T_OBJECT);
        out.word(p);
        // SAFETY: an object of the span.
        unsafe { out.memory(p, size) };
        if !s.noscan() {
            let words = size / 8;
            let mut w = 0;
            while w < words {
                let (bits, n) = heap::bits::pointer_chunk(p + w * 8, words - w);
                let mut b = bits;
                while b != 0 {
                    let k = b.trailing_zeros() as usize;
                    out.ptr_field((w + k) * 8);
                    b &= b - 1;
                }
                w += n;
            }
        }
        out.uv(FIELD_END);
    }
}

/// A goroutine's record, its frames, defers and panics.
fn goroutine(out: &mut Sink, gp: *mut g) {
    let status = crate::gm::readgstatus(gp);
    let st = status & !crate::gm::G_SCAN;
    if st == crate::gm::G_DEAD || st == crate::gm::G_IDLE {
        return;
    }
    // SAFETY: gp is a live goroutine; the world is stopped.
    unsafe {
        let sp = if (*gp).syscallsp != 0 { (*gp).syscallsp } else { (*gp).sched.sp };
        out.uv(T_GOROUTINE);
        out.word(gp as usize);
        out.word(sp);
        out.uv((*gp).goid);
        out.word((*gp).gopc);
        out.uv(status as u64);
        // The finalizer goroutine is the program's while it runs a
        // finalizer.
        out.flag(is_system_goroutine(gp) && !crate::gc::finalizer::running_finalizer(gp));
        out.flag(false);
        out.uv((*gp).waitsince as u64);
        let reason = WAIT_REASON_STRINGS.get((*gp).waitreason as usize).copied().unwrap_or("unknown wait reason");
        out.bytes(reason.as_bytes());
        out.word((*gp).sched.ctxt as usize);
        out.word((*gp).m as usize);
        out.word((*gp)._defer as usize);
        out.word((*gp)._panic as usize);
        if st != crate::gm::G_RUNNING {
            frames(out, gp);
        }
        let mut d = (*gp)._defer;
        while !d.is_null() {
            out.uv(T_DEFER);
            out.word(d as usize);
            out.word(gp as usize);
            out.word((*d).sp);
            out.word((*d).pc);
            let fv = (*d).r#fn;
            out.word(fv as usize);
            out.word(if fv.is_null() { 0 } else { (*fv).r#fn });
            out.word((*d).link as usize);
            d = (*d).link;
        }
        let mut p = (*gp)._panic;
        while !p.is_null() {
            out.uv(T_PANIC);
            out.word(p as usize);
            out.word(gp as usize);
            out.word((*p).arg.typ as usize);
            out.word((*p).arg.data as usize);
            out.word(0);
            out.word((*p).link as usize);
            p = (*p).link;
        }
    }
}

/// What a frame's record needs from the frame below it (its callee).
struct Callee {
    /// Frames above the stack's innermost so far.
    depth: usize,
    /// The callee's SP (0 for the innermost frame).
    sp: usize,
    /// Where the callee's arguments start in this frame, and how long
    /// they are; their pointer map (None: unknown, every word may be one).
    args_off: usize,
    args_len: usize,
    args: Option<BitVec>,
    sigpanic: bool,
}

fn frames(out: &mut Sink, gp: *mut g) {
    let mut below = Callee { depth: 0, sp: 0, args_off: 0, args_len: 0, args: None, sigpanic: false };
    for f in Unwinder::for_g(gp) {
        let fi = &f.fi;
        // Where the frame resumes: its return address, or for a frame
        // that faulted, its deferreturn call (none: it cannot resume).
        let continpc = if below.sigpanic {
            if fi.deferreturn() != 0 { fi.entry() + fi.deferreturn() as usize + 1 } else { 0 }
        } else {
            f.pc
        };
        let (locals, args) = maps_at(fi, if continpc == 0 { f.pc } else { continpc });
        out.uv(T_FRAME);
        out.word(f.sp);
        out.word(below.depth);
        out.word(below.sp);
        // SAFETY: the frame lies in gp's stack.
        unsafe { out.memory(f.sp, f.fp - f.sp) };
        out.word(fi.entry());
        out.word(f.pc);
        out.word(continpc);
        let name = fi.name();
        out.bytes(if name.is_empty() { b"unknown function" } else { name });
        // The callee's arguments, at the bottom of this frame.
        match &below.args {
            Some(bv) => out.bitvec_fields(bv, below.args_off),
            None => {
                let mut off = below.args_off;
                while off < below.args_off + below.args_len {
                    out.ptr_field(off);
                    off += 8;
                }
            }
        }
        // The locals, just below varp.
        let top = f.varp() - f.sp;
        match &locals {
            // (A map longer than the locals would be a broken table: its
            // slots are left out rather than listed outside the frame.)
            Some(bv) => {
                if let Some(base) = top.checked_sub(bv.n * 8) {
                    out.bitvec_fields(bv, base)
                }
            }
            None if fi.funcdata(crate::symtab::FUNCDATA_LOCALS_POINTER_MAPS).is_none() => {
                let mut off = below.args_len;
                while off < top {
                    out.ptr_field(off);
                    off += 8;
                }
            }
            None => {}
        }
        out.uv(FIELD_END);
        below = Callee {
            depth: below.depth + 1,
            sp: f.sp,
            args_off: f.argp() - f.fp,
            args_len: fi.args().max(0) as usize,
            args,
            sigpanic: fi.func_id() == FUNCID_SIGPANIC,
        };
    }
}

fn threads(out: &mut Sink) {
    let mut mp = crate::sched::mthread::allm();
    while !mp.is_null() {
        // SAFETY: Ms are never freed; the list only grows at its head.
        unsafe {
            out.uv(T_THREAD);
            out.word(mp as usize);
            out.uv((*mp).id as u64);
            out.uv((*mp).procid);
            mp = (*mp).alllink;
        }
    }
}

/// The data or bss segment [lo, hi) with the pointer words of its mask.
fn segment(out: &mut Sink, tag: u64, lo: usize, hi: usize, mask: &crate::gcprog::Mask) {
    out.uv(tag);
    out.word(lo);
    // SAFETY: a segment of the executable, mapped for the process's life.
    unsafe { out.memory(lo, hi - lo) };
    for i in 0..mask.nbits {
        if mask.get(i) {
            out.ptr_field(i * 8);
        }
    }
    out.uv(FIELD_END);
}

fn memstats(out: &mut Sink, m: &crate::mstats::MemStats) {
    out.uv(T_MEMSTATS);
    for v in [
        m.alloc, m.total_alloc, m.sys, m.lookups, m.mallocs, m.frees, m.heap_alloc, m.heap_sys, m.heap_idle,
        m.heap_inuse, m.heap_released, m.heap_objects, m.stack_inuse, m.stack_sys, m.mspan_inuse, m.mspan_sys,
        m.mcache_inuse, m.mcache_sys, m.buck_hash_sys, m.gc_sys, m.other_sys, m.next_gc, m.last_gc, m.pause_total_ns,
    ] {
        out.uv(v);
    }
    for &v in m.pause_ns.iter() {
        out.uv(v);
    }
    out.uv(m.num_gc as u64);
}

/// The memory profile: every bucket (its stack as function, file, line)
/// with its published counts, then every sampled object still allocated.
fn memprof(out: &mut Sink) {
    crate::mprof::for_each_bucket(|b, size, stk, allocs, frees| {
        out.uv(T_MEMPROF);
        out.word(b);
        out.word(size);
        out.word(stk.len());
        for (i, &pc) in stk.iter().enumerate() {
            match crate::symtab::findfunc(pc) {
                None => {
                    // "(0x<hex pc>)", unknown file, line 0.
                    let mut text = [0u8; 24];
                    let mut n = text.len();
                    n -= 1;
                    text[n] = b')';
                    let mut v = pc;
                    loop {
                        n -= 1;
                        text[n] = b"0123456789abcdef"[v & 15];
                        v >>= 4;
                        if v == 0 {
                            break;
                        }
                    }
                    n -= 3;
                    text[n..n + 3].copy_from_slice(b"(0x");
                    out.bytes(&text[n..]);
                    out.bytes(b"?");
                    out.word(0);
                }
                Some(fi) => {
                    out.bytes(fi.name());
                    let at = if i > 0 && pc > fi.entry() { pc - 1 } else { pc };
                    let (file, line) = fi.file_line(at);
                    out.bytes(file);
                    out.uv(line as u64);
                }
            }
        }
        out.word(allocs);
        out.word(frees);
    });
    // SAFETY: the world is stopped and every span swept.
    unsafe {
        heap::for_each_span(|s| {
            crate::mprof::for_each_sample(&*s, |p, b| {
                out.uv(T_ALLOC_SAMPLE);
                out.word(p);
                out.word(b);
            })
        })
    };
}
