//! The execution tracer (runtime.StartTrace / ReadTrace / StopTrace and
//! runtime/trace's annotations), writing Go 1.22's generational trace
//! format (the one internal/trace/v2 and `go tool trace` read).
//!
//! Design. The lower layers report what happens through
//! `base/tracehook.rs` (a goroutine status change from casgstatus, an M
//! giving up its P, a stop of the world, a collection, a mark assist); the
//! annotations come straight from runtime/trace. Every report takes one
//! lock (rank `Trace`, innermost but for persistent memory) and updates a
//! *model* of the scheduler as the trace has described it so far: for
//! every goroutine its traced status and M (kept in the G's own `trace`
//! field), for every P its status, M and sequence number, for every M its
//! P and goroutine. A report says what is true now ("goroutine G runs on
//! this M with P p", "G blocks"); the tracer emits whatever events take
//! the model there by legal steps (a ProcStop for a P this M no longer
//! holds, a ProcSteal for a P taken from a system call, a GoUnblock for a
//! goroutine the model still thought waiting), then the event itself.
//! So the trace is consistent by construction, even where a transition
//! went unreported (it appears late, at the next report that needs it),
//! and the parser's strict state checks always pass.
//!
//! Events are written in one global order with strictly increasing
//! timestamps (nanotime, 1 tick = 1 ns), into a batch per run of events
//! of the same M; a batch ends when another M's event comes (or at 60 KB).
//! Generations: a new one begins every second (GODEBUG=traceadvanceperiod;
//! checked at each event) and
//! the last ends at StopTrace; each ends with its string table and
//! frequency batch, and each new one begins with the status of every P
//! and every goroutine the model knows. The first one's statuses come from
//! the real scheduler state at StartTrace.
//!
//! Stacks are walked by frame pointers from a goroutine's saved context
//! (only goroutines parked or away in the runtime on the reporting M), as
//! upstream's tracer does (about 100 ns where the traceback's unwinder
//! takes microseconds), into a per-generation table; inlined frames are
//! expanded, wrappers elided and the runtime's plumbing left out when the
//! generation ends and the table is symbolized.
//!
//! Recorded as upstream's besides the scheduler's events: stops of the
//! world with upstream's reasons, collections, mark assists, sweeping
//! (a range per sweeping run on a P, with the bytes swept and reclaimed),
//! the mark workers' labels, GOMAXPROCS changes, CPU samples, user
//! annotations.

use crate::gm::{self, G_DEAD, G_RUNNABLE, G_RUNNING, G_SCAN, G_SYSCALL, G_WAITING};
use crate::layout::rt::g;
use crate::layout::{GoSlice, GoString};
use crate::lock::{Locked, Note};
use crate::lockrank::Rank;
use crate::pvec::PVec;
use crate::sched::MAX_GOMAXPROCS;
use crate::sysstat::Stat;
use crate::tracehook::{self, Ev};
use core::ptr::null_mut;
use core::sync::atomic::Ordering;

// Event types of the go1.22 format (internal/trace/v2/event/go122).
const EV_EVENT_BATCH: u8 = 1;
const EV_STACKS: u8 = 2;
const EV_STACK: u8 = 3;
const EV_STRINGS: u8 = 4;
const EV_STRING: u8 = 5;
const EV_CPU_SAMPLES: u8 = 6;
const EV_CPU_SAMPLE: u8 = 7;
const EV_FREQUENCY: u8 = 8;
const EV_PROCS_CHANGE: u8 = 9;
const EV_PROC_START: u8 = 10;
const EV_PROC_STOP: u8 = 11;
const EV_PROC_STEAL: u8 = 12;
const EV_PROC_STATUS: u8 = 13;
const EV_GO_CREATE: u8 = 14;
const EV_GO_CREATE_SYSCALL: u8 = 15;
const EV_GO_START: u8 = 16;
const EV_GO_DESTROY: u8 = 17;
const EV_GO_DESTROY_SYSCALL: u8 = 18;
const EV_GO_STOP: u8 = 19;
const EV_GO_BLOCK: u8 = 20;
const EV_GO_UNBLOCK: u8 = 21;
const EV_GO_SYSCALL_BEGIN: u8 = 22;
const EV_GO_SYSCALL_END: u8 = 23;
const EV_GO_SYSCALL_END_BLOCKED: u8 = 24;
const EV_GO_STATUS: u8 = 25;
const EV_STW_BEGIN: u8 = 26;
const EV_STW_END: u8 = 27;
const EV_GC_BEGIN: u8 = 29;
const EV_GC_END: u8 = 30;
const EV_GC_SWEEP_BEGIN: u8 = 32;
const EV_GC_SWEEP_END: u8 = 33;
const EV_GC_MARK_ASSIST_BEGIN: u8 = 35;
const EV_GC_MARK_ASSIST_END: u8 = 36;
const EV_HEAP_ALLOC: u8 = 37;
const EV_HEAP_GOAL: u8 = 38;
const EV_GO_LABEL: u8 = 39;
const EV_USER_TASK_BEGIN: u8 = 40;
const EV_USER_TASK_END: u8 = 41;
const EV_USER_REGION_BEGIN: u8 = 42;
const EV_USER_REGION_END: u8 = 43;
const EV_USER_LOG: u8 = 44;

/// The file header.
const HEADER: &[u8; 16] = b"go 1.22 trace\x00\x00\x00";
/// "No thread" (ThreadID -1) as the format writes it.
const NO_THREAD: u64 = u64::MAX;
/// Timestamp units per second (timestamps are nanotime).
const FREQ: u64 = 1_000_000_000;
/// A batch ends past this many bytes (the format's limit is 64 KiB).
const BATCH_LIMIT: usize = 60 << 10;
/// Longest string the format accepts.
const MAX_STRING: usize = 1 << 10;
/// Length of a generation, unless GODEBUG=traceadvanceperiod=NS says
/// otherwise (read at startup, as upstream).
const GEN_NS: i32 = 1_000_000_000;
/// Wake the reader once this much is waiting for it.
const WAKE_BYTES: usize = 256 << 10;
/// Deepest stack recorded (the format's limit).
const MAX_FRAMES: usize = 128;
/// Highest M id the tracer follows (ids are small and dense).
const MAX_M: i64 = 1 << 20;

// Traced goroutine statuses (go122.GoStatus numbers; 0: not in the trace).
const GS_NONE: u32 = 0;
const GS_RUNNABLE: u32 = 1;
const GS_RUNNING: u32 = 2;
const GS_SYSCALL: u32 = 3;
const GS_WAITING: u32 = 4;

// Traced P statuses (go122.ProcStatus numbers; 0: not in the trace).
const PS_NONE: u8 = 0;
const PS_RUNNING: u8 = 1;
const PS_IDLE: u8 = 2;
const PS_SYSCALL: u8 = 3;

/// g.trace.statusTraced[2]: a mark assist is open in the trace.
const GF_ASSIST: u32 = 1;
/// A mark worker whose label (its kind) was written since it last started.
const GF_LABELED: u32 = 2;

// What rt_traceRead found (asm/runtime/trace.go).
const READ_DATA: u8 = 0;
const READ_EOF: u8 = 1;
const READ_WAIT: u8 = 2;

#[derive(Clone, Copy)]
struct PModel {
    status: u8,
    /// The M holding it (running or in a system call).
    m: i64,
    /// Sequence number, valid in generation `seq_gen` (0 in others).
    seq: u64,
    seq_gen: u64,
}

const P_NONE: PModel = PModel { status: PS_NONE, m: -1, seq: 0, seq_gen: 0 };

#[derive(Clone, Copy)]
struct MModel {
    /// Its P (-1: none).
    p: i32,
    /// Its goroutine (running or in a system call), null if none.
    g: *mut g,
}

const M_NONE: MModel = MModel { p: -1, g: null_mut() };

#[derive(Clone, Copy)]
struct Str {
    hash: u64,
    off: u32,
    len: u32,
}

/// A stack of this generation's table: its pcs are stk_pcs[off..off+len].
#[derive(Clone, Copy)]
struct Stk {
    hash: u64,
    off: u32,
    len: u32,
    /// STK_* flags.
    kind: u8,
}

/// Stk.kind: the pcs are physical return addresses (a frame-pointer walk),
/// expanded into source frames and trimmed when the table is written;
/// else they are source frames already (symbolic pc + 1 each).
const STK_RAW: u8 = 1;
/// ... of the main goroutine (runtime.main left out, as upstream's).
const STK_MAIN: u8 = 2;

struct Tracer {
    /// Recording.
    running: bool,
    /// Stopped, and the reader has not yet been told.
    finished: bool,
    /// The reader has been told the trace is over.
    reader_done: bool,
    /// The reader has been woken and has not read since.
    woken: bool,
    gen: u64,
    gen_start: u64,
    last_ts: u64,
    /// The open batch: its M (-1: none), first and last timestamps.
    bm: i64,
    bbase: u64,
    blast: u64,
    batch: PVec<u8>,
    /// Finished bytes waiting for the reader.
    out: PVec<u8>,
    /// What the last read returned (valid until the next read).
    handed: PVec<u8>,
    /// This generation's strings: their bytes and entries (ID = index+1).
    str_bytes: PVec<u8>,
    strs: PVec<Str>,
    /// This generation's stacks (ID = index+1): pcs and entries.
    stk_pcs: PVec<usize>,
    stks: PVec<Stk>,
    ps: [PModel; MAX_GOMAXPROCS],
    /// Ps in a sweeping range (GCSweepBegin written, GCSweepEnd not yet).
    sweeping: [bool; MAX_GOMAXPROCS],
    ms: PVec<MModel>,
    gc_seq: u64,
    gc_open: bool,
    /// The goroutine (goid) with an open stop-the-world range, 0 if none.
    stw_goid: u64,
    /// Length of a generation (ns).
    gen_ns: u64,
    /// GOMAXPROCS as last traced (0: not yet).
    procs: u64,
}

// SAFETY: the raw pointers in the model are handles to runtime objects
// (Gs, never freed); the tracer is reached only under its lock.
unsafe impl Send for Tracer {}

static TRACER: Locked<Tracer> = Locked::new(
    Rank::Trace,
    Tracer {
        running: false,
        finished: false,
        reader_done: false,
        woken: false,
        gen: 0,
        gen_start: 0,
        last_ts: 0,
        bm: -1,
        bbase: 0,
        blast: 0,
        batch: PVec::mapped(Stat::Other),
        out: PVec::mapped(Stat::Other),
        handed: PVec::mapped(Stat::Other),
        str_bytes: PVec::mapped(Stat::Other),
        strs: PVec::mapped(Stat::Other),
        stk_pcs: PVec::mapped(Stat::Other),
        stks: PVec::mapped(Stat::Other),
        ps: [P_NONE; MAX_GOMAXPROCS],
        sweeping: [false; MAX_GOMAXPROCS],
        ms: PVec::mapped(Stat::Other),
        gc_seq: 0,
        gc_open: false,
        stw_goid: 0,
        gen_ns: GEN_NS as u64,
        procs: 0,
    },
);

/// The reader waits here for data (or the end).
static READER_NOTE: Note = Note::new();
/// StopTrace waits here for the reader to see the end.
static STOP_NOTE: Note = Note::new();

static SINK_FN: fn(Ev) = sink;

fn put_uvarint(v: &mut PVec<u8>, mut x: u64) {
    while x >= 0x80 {
        v.push((x as u8) | 0x80);
        x >>= 7;
    }
    v.push(x as u8);
}

fn put_bytes(v: &mut PVec<u8>, b: &[u8]) {
    for &c in b {
        v.push(c);
    }
}

fn fnv(b: &[u8]) -> u64 {
    let mut h = 0xcbf29ce484222325u64;
    for &c in b {
        h = (h ^ c as u64).wrapping_mul(0x100000001b3);
    }
    h
}

// ---- the model of a goroutine, in its own g.trace field ----
//
// statusTraced[0]: traced status (GS_*); [1]: its M's id + 1 (running or
// in a system call); [2]: flags (GF_*). seq[0]: sequence number (low 32
// bits) and the generation it counts in (high 32); seq[1]: the goid the
// model describes (a dead G reused for a new goroutine starts afresh).

fn goid(gp: *mut g) -> u64 {
    // SAFETY: gp is a live G (never freed).
    unsafe { (*gp).goid }
}

fn gmodel(gp: *mut g) -> (u32, i64) {
    // SAFETY: gp is a live G; its trace field is the tracer's, written
    // under the tracer's lock, which the caller holds.
    unsafe {
        let t = &(*gp).trace.traceSchedResourceState;
        if t.seq[1] != (*gp).goid {
            return (GS_NONE, -1);
        }
        (t.statusTraced[0].load(Ordering::Relaxed), t.statusTraced[1].load(Ordering::Relaxed) as i64 - 1)
    }
}

fn gset(gp: *mut g, st: u32, mid: i64) {
    // SAFETY: as in gmodel.
    unsafe {
        let t = &mut (*gp).trace.traceSchedResourceState;
        if t.seq[1] != (*gp).goid {
            t.statusTraced[2].store(0, Ordering::Relaxed);
            t.seq[0] = 0;
        }
        t.statusTraced[0].store(st, Ordering::Relaxed);
        t.statusTraced[1].store((mid + 1) as u32, Ordering::Relaxed);
        t.seq[1] = if st == GS_NONE { 0 } else { (*gp).goid };
    }
}

fn gflags(gp: *mut g) -> u32 {
    if gmodel(gp).0 == GS_NONE {
        return 0;
    }
    // SAFETY: as in gmodel.
    unsafe { (*gp).trace.traceSchedResourceState.statusTraced[2].load(Ordering::Relaxed) }
}

fn set_gflags(gp: *mut g, f: u32) {
    // SAFETY: as in gmodel.
    unsafe { (*gp).trace.traceSchedResourceState.statusTraced[2].store(f, Ordering::Relaxed) }
}

/// Forget whatever an earlier trace left in gp's model.
fn greset(gp: *mut g) {
    // SAFETY: as in gmodel.
    unsafe {
        let t = &mut (*gp).trace.traceSchedResourceState;
        t.statusTraced[0].store(0, Ordering::Relaxed);
        t.statusTraced[1].store(0, Ordering::Relaxed);
        t.statusTraced[2].store(0, Ordering::Relaxed);
        t.seq = [0, 0];
    }
}

impl Tracer {
    // ---- encoding ----

    fn now(&mut self) -> u64 {
        let now = crate::time::nanotime() as u64;
        let ts = if now > self.last_ts { now } else { self.last_ts + 1 };
        self.last_ts = ts;
        ts
    }

    /// Append an event of M mid.
    fn ev(&mut self, mid: i64, typ: u8, args: &[u64]) {
        let ts = self.now();
        if self.bm != mid || self.batch.len() > BATCH_LIMIT {
            self.flush_batch();
            self.bm = mid;
            self.bbase = ts;
            self.blast = ts;
        }
        self.batch.push(typ);
        put_uvarint(&mut self.batch, ts - self.blast);
        for &a in args {
            put_uvarint(&mut self.batch, a);
        }
        self.blast = ts;
    }

    /// Move the open batch (if any) to the output.
    fn flush_batch(&mut self) {
        if !self.batch.is_empty() {
            let (gen, m, base) = (self.gen, self.bm as u64, self.bbase);
            self.write_batch(gen, m, base);
        }
        self.bm = -1;
    }

    /// Write `self.batch` as a batch of (gen, m) to the output, and empty it.
    fn write_batch(&mut self, gen: u64, m: u64, ts: u64) {
        self.out.push(EV_EVENT_BATCH);
        put_uvarint(&mut self.out, gen);
        put_uvarint(&mut self.out, m);
        put_uvarint(&mut self.out, ts);
        put_uvarint(&mut self.out, self.batch.len() as u64);
        let n = self.batch.len();
        for i in 0..n {
            let c = self.batch.get(i);
            self.out.push(c);
        }
        self.batch.truncate(0);
    }

    /// The ID of string s in this generation's table.
    fn string_id(&mut self, s: &[u8]) -> u64 {
        let s = &s[..s.len().min(MAX_STRING)];
        let h = fnv(s);
        for i in 0..self.strs.len() {
            let e = self.strs.get(i);
            if e.hash == h && e.len as usize == s.len() && &self.str_bytes.as_slice()[e.off as usize..(e.off + e.len) as usize] == s {
                return i as u64 + 1;
            }
        }
        let off = self.str_bytes.len() as u32;
        put_bytes(&mut self.str_bytes, s);
        self.strs.push(Str { hash: h, off, len: s.len() as u32 });
        self.strs.len() as u64
    }

    /// The ID in this generation's table of the pcs (of kind STK_*).
    fn pcs_id(&mut self, pcs: &[usize], kind: u8) -> u64 {
        if pcs.is_empty() {
            return 0;
        }
        let mut h = 0xcbf29ce484222325u64 ^ kind as u64;
        for &pc in pcs {
            h = (h ^ pc as u64).wrapping_mul(0x100000001b3);
        }
        for i in 0..self.stks.len() {
            let e = self.stks.get(i);
            if e.hash == h
                && e.kind == kind
                && e.len as usize == pcs.len()
                && &self.stk_pcs.as_slice()[e.off as usize..(e.off + e.len) as usize] == pcs
            {
                return i as u64 + 1;
            }
        }
        let off = self.stk_pcs.len() as u32;
        for &pc in pcs {
            self.stk_pcs.push(pc);
        }
        self.stks.push(Stk { hash: h, off, len: pcs.len() as u32, kind });
        self.stks.len() as u64
    }

    /// The ID of gp's stack, from its saved context (gp is parked, or
    /// away in the runtime on this M): its frame-pointer chain, as
    /// upstream's tracer walks it (the source frames are worked out when
    /// the table is written).
    fn stack_id(&mut self, gp: *mut g) -> u64 {
        if gp.is_null() {
            return 0;
        }
        let mut buf = [0usize; MAX_FRAMES];
        let n = fp_pcs(gp, &mut buf);
        let kind = if goid(gp) == 1 { STK_RAW | STK_MAIN } else { STK_RAW };
        self.pcs_id(&buf[..n], kind)
    }

    /// A new goroutine's stack: its function.
    fn start_stack(&mut self, gp: *mut g) -> u64 {
        // SAFETY: gp is a live G.
        let pc = unsafe { (*gp).startpc };
        if pc == 0 {
            return 0;
        }
        self.pcs_id(&[pc + 1], 0)
    }

    /// The stack of the current goroutine cur (away in the runtime), if
    /// it is running.
    fn cur_stack(&mut self, cur: *mut g) -> u64 {
        if cur.is_null() || gm::gstatus(cur) != G_RUNNING {
            return 0;
        }
        self.stack_id(cur)
    }

    /// Move the CPU profile's samples taken so far into a batch (their
    /// stacks into the table).
    fn write_cpu_samples(&mut self, gen: u64, ts: u64) {
        let me = gm::getm() as usize;
        self.batch.push(EV_CPU_SAMPLES);
        let mut any = false;
        loop {
            match CPU.owner.compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => break,
                Err(_) => crate::sys::osyield(),
            }
        }
        // SAFETY: we hold the ring's spin lock (a SIGPROF on this thread
        // meanwhile sees us as the owner and drops its sample).
        let ring = unsafe { &mut *CPU.ring.get() };
        while ring.r < ring.w {
            let smp = &ring.slots[ring.r % CPU_SLOTS];
            if self.batch.len() + 64 > BATCH_LIMIT {
                self.write_batch(gen, 0, ts);
                self.batch.push(EV_CPU_SAMPLES);
            }
            let stk = self.pcs_id(&smp.pcs[..smp.n as usize], 0);
            self.batch.push(EV_CPU_SAMPLE);
            for v in [smp.ts, smp.m, smp.p, smp.g, stk] {
                put_uvarint(&mut self.batch, v);
            }
            ring.r += 1;
            any = true;
        }
        CPU.owner.store(0, Ordering::Release);
        if any {
            self.write_batch(gen, 0, ts);
        } else {
            self.batch.truncate(0);
        }
    }

    /// Write this generation's stack table (symbolized: adds strings).
    fn write_stacks(&mut self, gen: u64, ts: u64) {
        self.batch.push(EV_STACKS);
        for i in 0..self.stks.len() {
            let e = self.stks.get(i);
            if self.batch.len() + 48 * e.len as usize + 32 > BATCH_LIMIT {
                self.write_batch(gen, 0, ts);
                self.batch.push(EV_STACKS);
            }
            let mut frames = [0usize; MAX_FRAMES];
            let n = if e.kind & STK_RAW != 0 {
                let raw = &self.stk_pcs.as_slice()[e.off as usize..(e.off + e.len) as usize];
                expand_frames(raw, e.kind & STK_MAIN != 0, &mut frames)
            } else {
                let n = (e.len as usize).min(MAX_FRAMES);
                frames[..n].copy_from_slice(&self.stk_pcs.as_slice()[e.off as usize..e.off as usize + n]);
                n
            };
            self.batch.push(EV_STACK);
            put_uvarint(&mut self.batch, i as u64 + 1);
            put_uvarint(&mut self.batch, n as u64);
            for &pc in &frames[..n] {
                let (fname, file, line) = self.symbolize(pc);
                put_uvarint(&mut self.batch, pc as u64);
                put_uvarint(&mut self.batch, fname);
                put_uvarint(&mut self.batch, file);
                put_uvarint(&mut self.batch, line);
            }
        }
        self.write_batch(gen, 0, ts);
    }

    /// A recorded pc (a return address, or an inlined call's symbolic pc,
    /// plus one): the string IDs of its function and file, and its line.
    fn symbolize(&mut self, pc: usize) -> (u64, u64, u64) {
        let Some(fi) = crate::symtab::findfunc(pc.saturating_sub(1)) else {
            let unknown = self.string_id(b"?");
            return (unknown, unknown, 0);
        };
        let spc = if pc > fi.entry() { pc - 1 } else { pc };
        let (a, b, c) = crate::traceback::name_pieces(frame_name(pc));
        let mut nb = [0u8; MAX_STRING];
        let mut n = 0;
        for part in [a, b, c] {
            let k = part.len().min(MAX_STRING - n);
            nb[n..n + k].copy_from_slice(&part[..k]);
            n += k;
        }
        let (file, line) = fi.file_line(spc);
        let f = self.string_id(&nb[..n]);
        let fl = self.string_id(file);
        (f, fl, line.max(0) as u64)
    }

    /// End the generation: its stacks, strings and frequency.
    fn end_generation(&mut self) {
        self.flush_batch();
        let ts = self.now();
        let gen = self.gen;
        self.write_cpu_samples(gen, ts);
        self.write_stacks(gen, ts);
        self.stks.truncate(0);
        self.stk_pcs.truncate(0);
        self.batch.push(EV_STRINGS);
        for i in 0..self.strs.len() {
            let e = self.strs.get(i);
            if self.batch.len() + e.len as usize + 32 > BATCH_LIMIT {
                self.write_batch(gen, 0, ts);
                self.batch.push(EV_STRINGS);
            }
            self.batch.push(EV_STRING);
            put_uvarint(&mut self.batch, i as u64 + 1);
            put_uvarint(&mut self.batch, e.len as u64);
            for k in e.off..e.off + e.len {
                let c = self.str_bytes.get(k as usize);
                self.batch.push(c);
            }
        }
        self.write_batch(gen, 0, ts);
        self.batch.push(EV_FREQUENCY);
        put_uvarint(&mut self.batch, FREQ);
        self.write_batch(gen, 0, ts);
        self.strs.truncate(0);
        self.str_bytes.truncate(0);
    }

    /// Begin generation `gen + 1` with the status of everything the model
    /// knows. `cur`: the M doing it.
    fn begin_generation(&mut self, cur: i64) {
        self.gen += 1;
        self.gen_start = self.now();
        for i in 0..self.ms.len() {
            let mm = self.ms.get(i);
            let mid = i as i64;
            if mm.p >= 0 {
                let p = mm.p as usize;
                let st = self.ps[p].status;
                self.ev(mid, EV_PROC_STATUS, &[p as u64, st as u64]);
                self.ps[p].seq = 0;
                self.ps[p].seq_gen = self.gen;
            }
            if !mm.g.is_null() {
                let (st, _) = gmodel(mm.g);
                self.ev(mid, EV_GO_STATUS, &[goid(mm.g), mid as u64, st as u64]);
                self.reset_gseq(mm.g);
            }
        }
        for p in 0..MAX_GOMAXPROCS {
            if self.ps[p].status == PS_IDLE {
                self.ev(cur, EV_PROC_STATUS, &[p as u64, PS_IDLE as u64]);
                self.ps[p].seq = 0;
                self.ps[p].seq_gen = self.gen;
            }
        }
        let mut gs: [*mut g; 64] = [null_mut(); 64];
        let mut n = 0;
        let flush = |t: &mut Tracer, gs: &[*mut g]| {
            for &gp in gs {
                let (st, _) = gmodel(gp);
                t.ev(cur, EV_GO_STATUS, &[goid(gp), NO_THREAD, st as u64]);
                t.reset_gseq(gp);
            }
        };
        gm::for_each_g_racy(|gp| {
            let (st, _) = gmodel(gp);
            if st == GS_RUNNABLE || st == GS_WAITING {
                gs[n] = gp;
                n += 1;
                if n == gs.len() {
                    flush(self, &gs[..n]);
                    n = 0;
                }
            }
        });
        flush(self, &gs[..n]);
    }

    fn reset_gseq(&mut self, gp: *mut g) {
        // SAFETY: as in gmodel.
        unsafe { (*gp).trace.traceSchedResourceState.seq[0] = self.gen << 32 };
    }

    fn next_gseq(&mut self, gp: *mut g) -> u64 {
        // SAFETY: as in gmodel.
        unsafe {
            let s = &mut (*gp).trace.traceSchedResourceState.seq[0];
            let mut n = if *s >> 32 == self.gen { *s & 0xffff_ffff } else { 0 };
            n += 1;
            *s = (self.gen << 32) | n;
            n
        }
    }

    fn next_pseq(&mut self, p: usize) -> u64 {
        let pm = &mut self.ps[p];
        if pm.seq_gen != self.gen {
            pm.seq_gen = self.gen;
            pm.seq = 0;
        }
        pm.seq += 1;
        pm.seq
    }

    fn mm(&mut self, mid: i64) -> MModel {
        while self.ms.len() as i64 <= mid {
            self.ms.push(M_NONE);
        }
        self.ms.get(mid as usize)
    }

    fn set_mm(&mut self, mid: i64, v: MModel) {
        self.mm(mid);
        self.ms.set(mid as usize, v);
    }

    // ---- moving the model by legal steps ----

    /// M mid runs no goroutine any more (it stops, or its system call
    /// ends without its P).
    fn detach_g(&mut self, mid: i64, why: &[u8], stk: u64) {
        let mm = self.mm(mid);
        let gp = mm.g;
        if gp.is_null() {
            return;
        }
        let mut p = mm.p;
        let (st, gm) = gmodel(gp);
        if gm != mid {
            // Not this M's (the model never pairs them so): forget the link.
            self.set_mm(mid, MModel { p, g: null_mut() });
            return;
        }
        match st {
            GS_RUNNING => {
                // The P stays with the M.
                let r = self.string_id(why);
                self.ev(mid, EV_GO_STOP, &[r, stk]);
            }
            GS_SYSCALL => {
                // The call ends without a P: the M gives up the one it left.
                if p >= 0 {
                    self.ev(mid, EV_PROC_STOP, &[]);
                    self.ps[p as usize].status = PS_IDLE;
                    self.ps[p as usize].m = -1;
                    p = -1;
                }
                self.ev(mid, EV_GO_SYSCALL_END_BLOCKED, &[]);
            }
            _ => {
                self.set_mm(mid, MModel { p, g: null_mut() });
                return;
            }
        }
        gset(gp, GS_RUNNABLE, -1);
        self.set_mm(mid, MModel { p, g: null_mut() });
    }

    /// M mid gives up its P (stopping its running goroutine first).
    fn release_p(&mut self, mid: i64) {
        let mm = self.mm(mid);
        if mm.p < 0 {
            return;
        }
        if !mm.g.is_null() && gmodel(mm.g).0 == GS_RUNNING {
            self.detach_g(mid, b"preempted", 0);
        }
        let mm = self.mm(mid);
        self.ev(mid, EV_PROC_STOP, &[]);
        self.ps[mm.p as usize].status = PS_IDLE;
        self.ps[mm.p as usize].m = -1;
        self.set_mm(mid, MModel { p: -1, g: mm.g });
    }

    /// M mid holds P p, running.
    fn acquire_p(&mut self, mid: i64, p: i32) {
        let mm = self.mm(mid);
        if mm.p == p && self.ps[p as usize].status == PS_RUNNING {
            return;
        }
        if !mm.g.is_null() && gmodel(mm.g).0 == GS_SYSCALL {
            self.detach_g(mid, b"", 0);
        }
        if self.mm(mid).p >= 0 {
            self.release_p(mid);
        }
        let pi = p as usize;
        let pm = self.ps[pi];
        match pm.status {
            PS_NONE => {
                self.ev(mid, EV_PROC_STATUS, &[p as u64, PS_IDLE as u64]);
                self.ps[pi] = PModel { status: PS_IDLE, m: -1, seq: 0, seq_gen: self.gen };
            }
            PS_RUNNING => self.release_p(pm.m),
            PS_SYSCALL => {
                let seq = self.next_pseq(pi);
                self.ev(mid, EV_PROC_STEAL, &[p as u64, seq, pm.m as u64]);
                let other = self.mm(pm.m);
                self.set_mm(pm.m, MModel { p: -1, g: other.g });
                self.ps[pi].status = PS_IDLE;
                self.ps[pi].m = -1;
            }
            _ => {}
        }
        let seq = self.next_pseq(pi);
        self.ev(mid, EV_PROC_START, &[p as u64, seq]);
        self.ps[pi].status = PS_RUNNING;
        self.ps[pi].m = mid;
        let mm = self.mm(mid);
        self.set_mm(mid, MModel { p, g: mm.g });
    }

    /// gp runs on M mid with P p.
    fn run_g(&mut self, mid: i64, p: i32, gp: *mut g) {
        if p < 0 || p as usize >= MAX_GOMAXPROCS {
            return;
        }
        let (st, gm) = gmodel(gp);
        let mm = self.mm(mid);
        if st == GS_RUNNING && gm == mid && mm.g == gp && mm.p == p {
            return;
        }
        if st == GS_SYSCALL && gm == mid && mm.g == gp {
            if mm.p == p && self.ps[p as usize].status == PS_SYSCALL {
                self.ev(mid, EV_GO_SYSCALL_END, &[]);
                self.ps[p as usize].status = PS_RUNNING;
                gset(gp, GS_RUNNING, mid);
                return;
            }
            self.detach_g(mid, b"", 0);
        } else if (st == GS_RUNNING || st == GS_SYSCALL) && gm >= 0 && self.mm(gm).g == gp {
            self.detach_g(gm, b"preempted", 0);
        }
        if !self.mm(mid).g.is_null() {
            self.detach_g(mid, b"preempted", 0);
        }
        self.acquire_p(mid, p);
        match gmodel(gp).0 {
            GS_WAITING => {
                let seq = self.next_gseq(gp);
                self.ev(mid, EV_GO_UNBLOCK, &[goid(gp), seq, 0]);
            }
            GS_RUNNABLE => {}
            GS_RUNNING | GS_SYSCALL => return, // never: the model pairs Gs and Ms
            _ => {
                // Unknown to the trace (created while no P could record it).
                let start = self.start_stack(gp);
                self.ev(mid, EV_GO_CREATE, &[goid(gp), start, 0]);
                gset(gp, GS_RUNNABLE, -1);
            }
        }
        let seq = self.next_gseq(gp);
        self.ev(mid, EV_GO_START, &[goid(gp), seq]);
        gset(gp, GS_RUNNING, mid);
        if gflags(gp) & GF_LABELED != 0 {
            set_gflags(gp, gflags(gp) & !GF_LABELED);
        }
        self.set_mm(mid, MModel { p, g: gp });
    }

    /// The current goroutine cur of M mid (with P p) runs: true if the
    /// model now says so (events that need a running goroutine follow).
    fn current(&mut self, mid: i64, p: i32, cur: *mut g) -> bool {
        if cur.is_null() || p < 0 {
            return false;
        }
        self.run_g(mid, p, cur);
        gmodel(cur) == (GS_RUNNING, mid)
    }

    /// Trace GOMAXPROCS (an event of the current goroutine).
    fn procs_change(&mut self, mid: i64, p: i32, cur: *mut g) {
        if self.current(mid, p, cur) {
            self.procs = crate::sched::gomaxprocs() as u64;
            let stk = self.cur_stack(cur);
            self.ev(mid, EV_PROCS_CHANGE, &[self.procs, stk]);
        }
    }

    fn heap_events(&mut self, mid: i64) {
        let live = crate::heap::malloc::HEAP_LIVE.load(Ordering::Relaxed) as u64;
        self.ev(mid, EV_HEAP_ALLOC, &[live]);
        self.ev(mid, EV_HEAP_GOAL, &[crate::gc::next_gc() as u64]);
    }

    // ---- the reports ----

    fn gstatus(&mut self, mid: i64, p: i32, cur: *mut g, gp: *mut g, old: u32, new: u32) {
        let (st, gm) = gmodel(gp);
        match (old, new) {
            (G_DEAD, G_RUNNABLE) => {
                if p < 0 || st != GS_NONE {
                    return;
                }
                if !cur.is_null() && cur != gp && gm::gstatus(cur) == G_RUNNING {
                    if !self.current(mid, p, cur) {
                        return;
                    }
                } else {
                    let mm = self.mm(mid);
                    if !mm.g.is_null() && gmodel(mm.g).0 != GS_RUNNING {
                        self.detach_g(mid, b"", 0);
                    }
                    self.acquire_p(mid, p);
                }
                let start = self.start_stack(gp);
                let stk = if cur != gp { self.cur_stack(cur) } else { 0 };
                self.ev(mid, EV_GO_CREATE, &[goid(gp), start, stk]);
                gset(gp, GS_RUNNABLE, -1);
            }
            (G_RUNNABLE, G_RUNNING) | (G_SYSCALL, G_RUNNING) => self.run_g(mid, p, gp),
            (G_RUNNING, G_WAITING) => {
                if !(st == GS_RUNNING && gm == mid || self.current(mid, p, gp)) {
                    return;
                }
                // SAFETY: gp is a live G.
                let wr = unsafe { (*gp).waitreason } as usize;
                let text = crate::traceback::WAIT_REASON_STRINGS.get(wr).copied().unwrap_or("");
                let r = self.string_id(block_reason(text).as_bytes());
                // Its context is saved (parked through mcall): the stack
                // below gopark.
                let stk = self.stack_id(gp);
                self.ev(mid, EV_GO_BLOCK, &[r, stk]);
                gset(gp, GS_WAITING, -1);
                let mm = self.mm(mid);
                self.set_mm(mid, MModel { p: mm.p, g: null_mut() });
            }
            (G_WAITING, G_RUNNABLE) => match st {
                GS_WAITING => {
                    let seq = self.next_gseq(gp);
                    let stk = self.cur_stack(cur);
                    self.ev(mid, EV_GO_UNBLOCK, &[goid(gp), seq, stk]);
                    gset(gp, GS_RUNNABLE, -1);
                }
                GS_RUNNING | GS_SYSCALL if gm >= 0 && self.mm(gm).g == gp => self.detach_g(gm, b"preempted", 0),
                _ => {}
            },
            (G_RUNNING, G_RUNNABLE) | (G_SYSCALL, G_RUNNABLE)
                if (st == GS_RUNNING || st == GS_SYSCALL) && gm >= 0 && self.mm(gm).g == gp =>
            {
                let stk = if gm == mid { self.stack_id(gp) } else { 0 };
                self.detach_g(gm, b"runtime.Gosched", stk);
            }
            (G_RUNNING, G_DEAD) => {
                if !(st == GS_RUNNING && gm == mid || self.current(mid, p, gp)) {
                    return;
                }
                self.ev(mid, EV_GO_DESTROY, &[]);
                gset(gp, GS_NONE, -1);
                let mm = self.mm(mid);
                self.set_mm(mid, MModel { p: mm.p, g: null_mut() });
            }
            (G_RUNNING, G_SYSCALL) => {
                if !self.current(mid, p, gp) {
                    return;
                }
                let seq = self.next_pseq(p as usize);
                let stk = self.stack_id(gp);
                self.ev(mid, EV_GO_SYSCALL_BEGIN, &[seq, stk]);
                gset(gp, GS_SYSCALL, mid);
                self.ps[p as usize].status = PS_SYSCALL;
            }
            (G_DEAD, G_SYSCALL) => {
                if st != GS_NONE {
                    return;
                }
                if !self.mm(mid).g.is_null() {
                    self.detach_g(mid, b"", 0);
                }
                self.release_p(mid);
                self.ev(mid, EV_GO_CREATE_SYSCALL, &[goid(gp)]);
                gset(gp, GS_SYSCALL, mid);
                self.set_mm(mid, MModel { p: -1, g: gp });
            }
            (G_SYSCALL, G_DEAD) => {
                if !(st == GS_SYSCALL && gm == mid && self.mm(mid).g == gp) {
                    return;
                }
                let mm = self.mm(mid);
                if mm.p >= 0 {
                    self.ev(mid, EV_PROC_STOP, &[]);
                    self.ps[mm.p as usize].status = PS_IDLE;
                    self.ps[mm.p as usize].m = -1;
                }
                self.ev(mid, EV_GO_DESTROY_SYSCALL, &[]);
                gset(gp, GS_NONE, -1);
                self.set_mm(mid, M_NONE);
            }
            _ => {}
        }
    }

    fn handle(&mut self, mid: i64, p: i32, cur: *mut g, e: Ev) {
        match e {
            Ev::GStatus(gp, old, new) => self.gstatus(mid, p, cur, gp, old & !G_SCAN, new & !G_SCAN),
            Ev::ProcRelease => self.release_p(mid),
            Ev::StwBegin(why) => {
                if self.stw_goid == 0 && self.current(mid, p, cur) {
                    let k = self.string_id(why.name());
                    let stk = self.cur_stack(cur);
                    self.ev(mid, EV_STW_BEGIN, &[k, stk]);
                    self.stw_goid = goid(cur);
                }
            }
            Ev::StwEnd => {
                if self.stw_goid != 0 && !cur.is_null() && goid(cur) == self.stw_goid && self.current(mid, p, cur) {
                    self.ev(mid, EV_STW_END, &[]);
                    self.stw_goid = 0;
                }
                // GOMAXPROCS changes with the world stopped.
                if crate::sched::gomaxprocs() as u64 != self.procs {
                    self.procs_change(mid, p, cur);
                }
            }
            Ev::GcBegin => {
                if !self.gc_open && self.current(mid, p, cur) {
                    self.gc_seq += 1;
                    let stk = self.cur_stack(cur);
                    self.ev(mid, EV_GC_BEGIN, &[self.gc_seq, stk]);
                    self.gc_open = true;
                    self.heap_events(mid);
                }
            }
            Ev::GcEnd => {
                if self.gc_open && self.current(mid, p, cur) {
                    self.gc_seq += 1;
                    self.ev(mid, EV_GC_END, &[self.gc_seq]);
                    self.gc_open = false;
                    self.heap_events(mid);
                }
            }
            Ev::AssistBegin => {
                if self.current(mid, p, cur) && gflags(cur) & GF_ASSIST == 0 {
                    let stk = self.cur_stack(cur);
                    self.ev(mid, EV_GC_MARK_ASSIST_BEGIN, &[stk]);
                    set_gflags(cur, gflags(cur) | GF_ASSIST);
                }
            }
            Ev::AssistEnd => {
                if !cur.is_null() && gflags(cur) & GF_ASSIST != 0 && self.current(mid, p, cur) {
                    self.ev(mid, EV_GC_MARK_ASSIST_END, &[]);
                    set_gflags(cur, gflags(cur) & !GF_ASSIST);
                }
            }
            Ev::SweepBegin => {
                if p >= 0 && !self.sweeping[p as usize] && self.current(mid, p, cur) {
                    let stk = self.cur_stack(cur);
                    self.ev(mid, EV_GC_SWEEP_BEGIN, &[stk]);
                    self.sweeping[p as usize] = true;
                }
            }
            Ev::SweepEnd(swept, reclaimed) => {
                if p >= 0 && self.sweeping[p as usize] && self.current(mid, p, cur) {
                    self.ev(mid, EV_GC_SWEEP_END, &[swept, reclaimed]);
                    self.sweeping[p as usize] = false;
                }
            }
            Ev::MarkWorker(fractional) => {
                // Once per run of the worker, as upstream labels each
                // start of a mark worker with its kind.
                if !cur.is_null() && gflags(cur) & GF_LABELED == 0 && self.current(mid, p, cur) {
                    let k = self.string_id(if fractional { b"GC (fractional)" } else { b"GC (dedicated)" });
                    self.ev(mid, EV_GO_LABEL, &[k]);
                    set_gflags(cur, gflags(cur) | GF_LABELED);
                }
            }
        }
    }

    /// After an event: a new generation if this one is old enough, and
    /// wake the reader if enough is waiting.
    fn after(&mut self, mid: i64) {
        if self.last_ts.saturating_sub(self.gen_start) >= self.gen_ns {
            self.end_generation();
            self.begin_generation(mid);
            self.wake_reader();
        } else if self.out.len() >= WAKE_BYTES {
            self.wake_reader();
        }
    }

    fn wake_reader(&mut self) {
        if !self.woken {
            self.woken = true;
            READER_NOTE.wakeup();
        }
    }
}

/// gp's physical frames from its saved context by frame pointers: the
/// saved pc, then each frame's return address, innermost first (every
/// read checked to lie in gp's stack, each frame above the last).
fn fp_pcs(gp: *mut g, buf: &mut [usize]) -> usize {
    // SAFETY: gp is a live goroutine that is not running (its saved
    // context is current: see stack_id); only words inside its stack are
    // read.
    unsafe {
        let (lo, hi) = ((*gp).stack.lo, (*gp).stack.hi);
        let pc = (*gp).sched.pc;
        if pc == 0 || buf.is_empty() {
            return 0;
        }
        buf[0] = pc;
        let mut n = 1;
        // Saved in a function without a frame of its own at pc (a
        // trampoline into Rust, its SP not moved): its caller's return
        // address is on top of the stack, and BP is still the caller's.
        // Walking BP alone would skip the caller.
        let sp = (*gp).sched.sp;
        let frameless = crate::symtab::findfunc(pc).is_some_and(|f| f.spdelta(pc) == 0);
        if frameless && n < buf.len() && sp >= lo && sp + 8 <= hi {
            let ret = *(sp as *const usize);
            if ret != 0 {
                buf[n] = ret;
                n += 1;
            }
        }
        let mut bp = (*gp).sched.bp;
        while n < buf.len() && bp >= lo && bp.is_multiple_of(8) && bp + 16 <= hi {
            let ret = *((bp + 8) as *const usize);
            let next = *(bp as *const usize);
            if ret == 0 {
                break;
            }
            buf[n] = ret;
            n += 1;
            if next <= bp {
                break;
            }
            bp = next;
        }
        n
    }
}

/// The source frames (symbolic pc + 1 each, inlined calls expanded,
/// wrappers elided as in tracebacks) of a frame-pointer walk `raw`, as
/// upstream's trace stacks show them: without the runtime's plumbing on
/// top, nor goexit (or the main goroutine's runtime.main) at the bottom.
/// Returns how many were written to `out`.
fn expand_frames(raw: &[usize], main: bool, out: &mut [usize]) -> usize {
    let mut n = 0;
    let mut callee = crate::symtab::FUNCID_NORMAL;
    for &ret in raw {
        let Some(fi) = crate::symtab::findfunc(ret - 1) else { continue };
        let mut pc = ret - 1;
        loop {
            let ic = fi.inlined_at(pc);
            let fid = ic.map(|c| c.func_id).unwrap_or_else(|| fi.func_id());
            let elide = fid == crate::symtab::FUNCID_WRAPPER && crate::traceback::elide_wrapper_calling(callee);
            if !elide && n < out.len() {
                out[n] = pc + 1;
                n += 1;
            }
            callee = fid;
            match ic {
                Some(c) => pc = fi.entry() + c.parent_pc as usize,
                None => break,
            }
        }
    }
    if n > 0 && frame_name(out[n - 1]) == b"runtime.goexit" {
        n -= 1;
    }
    if n > 0 && main && frame_name(out[n - 1]) == b"runtime.main" {
        n -= 1;
    }
    let mut k = 0;
    while k + 1 < n && runtime_plumbing(frame_name(out[k]), frame_name(out[k + 1])) {
        k += 1;
    }
    out.copy_within(k..n, 0);
    n - k
}

/// The trace's name (upstream's traceBlockReason strings, which `go tool
/// trace` sorts by: "network" makes its network profile...) for a
/// goroutine's wait reason.
fn block_reason(wait: &str) -> &'static str {
    match wait {
        "IO wait" => "network",
        "chan receive (nil chan)" | "chan send (nil chan)" | "select (no cases)" => "forever",
        "select" => "select",
        "chan receive" => "chan receive",
        "chan send" => "chan send",
        "sync.Cond.Wait" => "sync.(*Cond).Wait",
        "semacquire" | "sync.Mutex.Lock" | "sync.RWMutex.RLock" | "sync.RWMutex.Lock" => "sync",
        "sleep" => "sleep",
        "GC assist wait" => "GC mark assist wait for work",
        "GC sweep wait" => "GC background sweeper wait",
        "preempted" => "preempted",
        "debug call" => "wait for debug call",
        "wait for GC cycle" => "wait until GC ends",
        "GC scavenge wait" | "finalizer wait" | "force gc (idle)" | "trace reader (blocked)" | "GC worker (idle)"
        | "GC worker (active)" => "system goroutine wait",
        _ => "unspecified",
    }
}

/// The function (inlined or not) of a recorded pc (see symbolize).
fn frame_name(pc: usize) -> &'static [u8] {
    let Some(fi) = crate::symtab::findfunc(pc.saturating_sub(1)) else { return b"" };
    let spc = if pc > fi.entry() { pc - 1 } else { pc };
    match fi.inlined_at(spc) {
        Some(c) => fi.name_at(c.name_off),
        None => fi.name(),
    }
}

/// Is a stack's innermost frame f (called by `next`) the runtime's own
/// plumbing, left out of a trace stack?
fn runtime_plumbing(f: &[u8], next: &[u8]) -> bool {
    let contains = |s: &[u8], pat: &[u8]| s.windows(pat.len()).any(|w| w == pat);
    // Where upstream's stacks of a GOMAXPROCS change begin.
    if f == b"runtime.startTheWorld" {
        return false;
    }
    // gort's trampolines into Rust, and what upstream's call sites skip.
    f.starts_with(b"runtime.rt_")
        || matches!(
            f,
            b"runtime.newproc"
                | b"runtime.Gosched"
                | b"runtime.gopark"
                | b"runtime.goparkunlock"
                | b"runtime.mcall"
                | b"runtime.rtcall"
                | b"runtime.entersyscall"
                | b"runtime.entersyscallblock"
        )
        // Runtime frames below the runtime's entry point (chansend1,
        // selectgo, ...), or below a function linked into another package.
        || (f.starts_with(b"runtime.") && (next.starts_with(b"runtime.") || contains(next, b".runtime_")))
        || contains(f, b".runtime_")
        || f.ends_with(b".lockSlow")
        || f.starts_with(b"internal/poll.(*pollDesc).")
        || f.starts_with(b"syscall.Syscall")
        || f.starts_with(b"syscall.RawSyscall")
}

// ---- CPU samples (from the SIGPROF handler) ----

const CPU_SLOTS: usize = 1024;
const CPU_MAX_STACK: usize = 64;

#[derive(Clone, Copy)]
struct CpuSample {
    ts: u64,
    m: u64,
    p: u64,
    g: u64,
    n: u64,
    pcs: [usize; CPU_MAX_STACK],
}

struct CpuRing {
    slots: [CpuSample; CPU_SLOTS],
    /// Samples written and read (counted from the start).
    w: usize,
    r: usize,
}

/// The samples waiting for the end of the generation: a ring behind a
/// spin lock (the signal handler cannot wait for the tracer's lock, whose
/// holder it may have interrupted), owned by an M.
struct CpuShared {
    owner: core::sync::atomic::AtomicUsize,
    ring: core::cell::UnsafeCell<CpuRing>,
}

// SAFETY: `ring` is reached only by the M that set `owner`.
unsafe impl Sync for CpuShared {}

static CPU: CpuShared = CpuShared {
    owner: core::sync::atomic::AtomicUsize::new(0),
    ring: core::cell::UnsafeCell::new(CpuRing {
        slots: [CpuSample { ts: 0, m: 0, p: 0, g: 0, n: 0, pcs: [0; CPU_MAX_STACK] }; CPU_SLOTS],
        w: 0,
        r: 0,
    }),
};

/// A CPU profile sample (proc/cpuprof.rs's SIGPROF handler, on the
/// signal stack): recorded in the trace too while one runs. mp and gp:
/// the thread's M and goroutine (null if none); stk: the sample's pcs.
pub fn cpu_sample(mp: *mut crate::layout::rt::m, gp: *mut g, stk: &[usize]) {
    // A thread without an M (one C created, no extra M lent yet) records
    // nothing: the spin lock's owner is an M.
    if !tracehook::ON.load(Ordering::Relaxed) || mp.is_null() {
        return;
    }
    let me = mp as usize;
    loop {
        match CPU.owner.compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed) {
            Ok(_) => break,
            // This thread holds it (the handler interrupted the owner).
            Err(o) if o == me => return,
            Err(_) => crate::sys::osyield(),
        }
    }
    // SAFETY: we hold the spin lock; mp and its P, and gp, are live.
    unsafe {
        let ring = &mut *CPU.ring.get();
        if ring.w - ring.r < CPU_SLOTS {
            let smp = &mut ring.slots[ring.w % CPU_SLOTS];
            let n = stk.len().min(CPU_MAX_STACK);
            smp.ts = crate::time::nanotime() as u64;
            smp.m = if mp.is_null() { NO_THREAD } else { (*mp).id as u64 };
            let pp = if mp.is_null() { null_mut() } else { (*mp).p as *mut crate::sched::P };
            smp.p = if pp.is_null() { NO_THREAD } else { (*pp).id as u64 };
            smp.g = if gp.is_null() { NO_THREAD } else { (*gp).goid };
            smp.n = n as u64;
            smp.pcs[..n].copy_from_slice(&stk[..n]);
            ring.w += 1;
        }
    }
    CPU.owner.store(0, Ordering::Release);
}

/// The current M's id, P id (-1: none) and goroutine (null: none); None
/// on a thread without an M or with an id beyond MAX_M.
fn context() -> Option<(i64, i32, *mut g)> {
    if gm::getg().is_null() {
        return None;
    }
    let mp = gm::getm();
    if mp.is_null() {
        return None;
    }
    // SAFETY: mp is the current M; its P (if any) is live.
    unsafe {
        let mid = (*mp).id;
        if !(0..MAX_M).contains(&mid) {
            return None;
        }
        let pp = (*mp).p as *mut crate::sched::P;
        let p = if pp.is_null() { -1 } else { (*pp).id };
        Some((mid, p, (*mp).curg))
    }
}

/// The hook (base/tracehook.rs).
fn sink(e: Ev) {
    let Some((mid, p, cur)) = context() else { return };
    TRACER.with(|t| {
        if t.running {
            t.handle(mid, p, cur, e);
            t.after(mid);
        }
    });
}

/// Run f with the tracer as the current goroutine's event source (the
/// annotations): only while recording, and once the model has the
/// current goroutine running.
fn annotate(f: impl FnOnce(&mut Tracer, i64, u64)) {
    if !tracehook::ON.load(Ordering::Relaxed) {
        return;
    }
    let Some((mid, p, cur)) = context() else { return };
    TRACER.with(|t| {
        if t.running && t.current(mid, p, cur) {
            let stk = t.cur_stack(cur);
            f(t, mid, stk);
            t.after(mid);
        }
    });
}

// ---- the runtime's API (asm/runtime/trace.go) ----

/// runtime.StartTrace's work: false if a trace is being recorded (or its
/// reader has not finished with the last one).
///
/// The world is stopped while the tracer takes its snapshot of the
/// goroutines, Ps and Ms (as upstream's StartTrace stops it): nothing moves
/// under the snapshot. The caller (Go) holds worldsema.
pub fn rt_traceStart() -> bool {
    tracehook::SINK.set(&SINK_FN);
    crate::sched::stw::with_world_stopped(crate::sched::stats::StwReason::StartTrace, start_stopped)
}

/// rt_traceStart's work, with the world stopped.
fn start_stopped() -> bool {
    let Some((cur_m, _, _)) = context() else { return false };
    TRACER.with(|t| {
        if t.running || t.finished {
            return false;
        }
        READER_NOTE.clear();
        STOP_NOTE.clear();
        t.reader_done = false;
        t.woken = false;
        t.out.truncate(0);
        t.batch.truncate(0);
        t.strs.truncate(0);
        t.str_bytes.truncate(0);
        t.stks.truncate(0);
        t.stk_pcs.truncate(0);
        t.ms.truncate(0);
        t.ps = [P_NONE; MAX_GOMAXPROCS];
        t.sweeping = [false; MAX_GOMAXPROCS];
        t.bm = -1;
        t.gen = 0;
        t.gc_seq = 0;
        t.gc_open = false;
        t.stw_goid = 0;
        t.gen_ns = crate::settings::godebug_at_start_or(b"traceadvanceperiod", GEN_NS).max(1) as u64;
        t.procs = 0;
        put_bytes(&mut t.out, HEADER);
        // Samples left from an earlier trace are dropped.
        let me = gm::getm() as usize;
        while CPU.owner.compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed).is_err() {
            crate::sys::osyield();
        }
        // SAFETY: we hold the ring's spin lock.
        unsafe {
            let ring = &mut *CPU.ring.get();
            ring.r = ring.w;
        }
        CPU.owner.store(0, Ordering::Release);
        // From now on every report waits for this snapshot, and applies
        // on top of it (a change it already shows is applied as a no-op).
        t.running = true;
        tracehook::ON.store(true, Ordering::Release);
        gm::for_each_g_racy(|gp| {
            greset(gp);
            // SAFETY: gp is a live G; its m, and that m's P, are live.
            unsafe {
                match gm::gstatus(gp) {
                    G_RUNNABLE => gset(gp, GS_RUNNABLE, -1),
                    G_WAITING => gset(gp, GS_WAITING, -1),
                    G_RUNNING => {
                        let mp = (*gp).m;
                        let pp = if mp.is_null() { null_mut() } else { (*mp).p as *mut crate::sched::P };
                        if !pp.is_null() && (*mp).curg == gp && (0..MAX_M).contains(&(*mp).id) {
                            let (mid, pid) = ((*mp).id, (*pp).id);
                            if t.mm(mid).g.is_null() && t.ps[pid as usize].status == PS_NONE {
                                gset(gp, GS_RUNNING, mid);
                                t.set_mm(mid, MModel { p: pid, g: gp });
                                t.ps[pid as usize] = PModel { status: PS_RUNNING, m: mid, seq: 0, seq_gen: 1 };
                                return;
                            }
                        }
                        gset(gp, GS_RUNNABLE, -1);
                    }
                    G_SYSCALL => {
                        let mp = (*gp).m;
                        if !mp.is_null() && (0..MAX_M).contains(&(*mp).id) && t.mm((*mp).id).g.is_null() {
                            gset(gp, GS_SYSCALL, (*mp).id);
                            let mid = (*mp).id;
                            t.set_mm(mid, MModel { p: -1, g: gp });
                        } else {
                            gset(gp, GS_WAITING, -1);
                        }
                    }
                    G_DEAD | gm::G_IDLE => {}
                    _ => gset(gp, GS_WAITING, -1),
                }
            }
        });
        for i in 0..crate::sched::gomaxprocs() as usize {
            if t.ps[i].status == PS_NONE {
                t.ps[i] = PModel { status: PS_IDLE, m: -1, seq: 0, seq_gen: 1 };
            }
        }
        t.begin_generation(cur_m);
        let (_, p, cur) = context().unwrap_or((cur_m, -1, null_mut()));
        t.procs_change(cur_m, p, cur);
        true
    })
}

/// runtime.StopTrace's work: end the trace and wake the reader; false if
/// no trace was being recorded.
pub fn rt_traceStop() -> bool {
    let Some((mid, p, cur)) = context() else { return false };
    TRACER.with(|t| {
        if !t.running {
            return false;
        }
        // The caller's goroutine runs (as the last event of the trace).
        t.current(mid, p, cur);
        t.end_generation();
        t.running = false;
        t.finished = true;
        tracehook::ON.store(false, Ordering::Release);
        t.wake_reader();
        true
    })
}

/// Has the reader seen the end of the trace (StopTrace waits for it)?
pub fn rt_traceReaderDone() -> bool {
    TRACER.with(|t| t.reader_done || !t.finished)
}

/// StopTrace waits for the reader.
pub fn rt_traceStopWait() {
    STOP_NOTE.sleep();
    STOP_NOTE.clear();
}

/// The next part of the trace (valid until the next call): data, the end
/// (the trace has been read to its end, or none runs), or wait.
pub fn rt_traceRead() -> (GoSlice<u8>, u8) {
    let empty = GoSlice { ptr: null_mut(), len: 0, cap: 0 };
    TRACER.with(|t| {
        t.handed.truncate(0);
        // The note is set exactly while `woken` is (both under the lock):
        // a wakeup is never doubled.
        t.woken = false;
        READER_NOTE.clear();
        if !t.out.is_empty() {
            core::mem::swap(&mut t.out, &mut t.handed);
            let s = t.handed.as_mut_slice();
            return (GoSlice { ptr: s.as_mut_ptr(), len: s.len() as isize, cap: s.len() as isize }, READ_DATA);
        }
        if t.finished {
            t.finished = false;
            t.reader_done = true;
            STOP_NOTE.wakeup();
            return (empty, READ_EOF);
        }
        if !t.running {
            return (empty, READ_EOF);
        }
        (empty, READ_WAIT)
    })
}

/// The reader waits for data (woken by the tracer).
pub fn rt_traceWait() {
    READER_NOTE.sleep();
}

// ---- runtime/trace's annotations ----

/// trace.NewTask.
pub fn userTaskCreate(id: u64, parent: u64, name: GoString) {
    annotate(|t, mid, stk| {
        // SAFETY: name is a Go string.
        let s = t.string_id(unsafe { name.as_bytes() });
        t.ev(mid, EV_USER_TASK_BEGIN, &[id, parent, s, stk]);
    });
}

/// Task.End.
pub fn userTaskEnd(id: u64) {
    annotate(|t, mid, stk| t.ev(mid, EV_USER_TASK_END, &[id, stk]));
}

/// A region's start (mode 0) or end (mode 1).
pub fn userRegion(id: u64, mode: u64, name: GoString) {
    let typ = match mode {
        0 => EV_USER_REGION_BEGIN,
        1 => EV_USER_REGION_END,
        _ => return,
    };
    annotate(|t, mid, stk| {
        // SAFETY: name is a Go string.
        let s = t.string_id(unsafe { name.as_bytes() });
        t.ev(mid, typ, &[id, s, stk]);
    });
}

/// trace.Log.
pub fn userLog(id: u64, category: GoString, message: GoString) {
    annotate(|t, mid, stk| {
        // SAFETY: both are Go strings.
        let (k, v) = unsafe { (t.string_id(category.as_bytes()), t.string_id(message.as_bytes())) };
        t.ev(mid, EV_USER_LOG, &[id, k, v, stk]);
    });
}
