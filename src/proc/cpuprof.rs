//! CPU profiling (runtime.SetCPUProfileRate, runtime/pprof.StartCPUProfile,
//! `go test -cpuprofile`).
//!
//! SIGPROF arrives at the profiling rate per thread's CPU time
//! (os/proftimer.rs). The signal handler records a sample: the stack of
//! the goroutine the thread runs, and that goroutine's profiler labels as
//! the sample's tag, into the profile buffer; runtime/pprof's writer
//! goroutine reads the buffer (`readProfile`) every 100 ms and builds the
//! protocol buffer from it.
//!
//! The stack of a sample: the interrupted goroutine's, from the signal's
//! pc and sp, when the thread was running Go code; when it was running
//! gort's Rust code (which upstream runs as Go code on the system stack)
//! for a goroutine, that goroutine's stack from where it entered the
//! runtime (its innermost frame is the runtime entry point: newobject,
//! mapassign, ...); with no goroutine, the pc (or runtime._ExternalCode
//! for code outside Go's text) above runtime._System, upstream's form for
//! samples it cannot attribute.
//!
//! The buffer keeps upstream's format, which runtime/pprof parses: records
//! of words [length, time, count, pc...] (the first record is the header
//! [3, time, hz]; a record [4, time, 0, n] says n samples were lost), and
//! one tag per record. Records are contiguous in a ring of words (a 0 word
//! sends the reader back to the start). Both the ring and the tags are Go
//! slices the Go side allocates per profile, as upstream's are (the
//! collector sees the labels in the tags); the tags are written without
//! a write barrier as upstream's: the labels a signal handler copies are
//! the running goroutine's, which stays reachable through it until the
//! next cycle scans the tags. Writers are signal handlers on any thread;
//! they and the reader share a spin lock, which a handler that interrupted
//! its own thread's holder does not wait for (the sample is counted lost).

use crate::layout::rt::g;
use crate::layout::GoSlice;
use crate::lock::Note;
use crate::proftimer;
use core::cell::UnsafeCell;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// Words of the ring (upstream's size: 1 MiB).
const DATA_WORDS: usize = 1 << 17;
/// Tag slots (the Go side's slice has this many: asm/runtime/profile.go).
pub const TAG_SLOTS: usize = 1 << 14;
/// Deepest stack recorded (upstream's maxCPUProfStack).
const MAX_STACK: usize = 64;

struct Buf {
    data: *mut u64,
    tags: *mut usize,
    /// Words and tags written (counted from the start, never wrapped).
    w_data: usize,
    w_tags: usize,
    /// Words and tags the reader has given back.
    r_data: usize,
    r_tags: usize,
    /// The end of what the last read returned (given back at the next).
    next_data: usize,
    next_tags: usize,
    eof: bool,
    reader_sleeping: bool,
}

/// The buffer behind the spin lock: `owner` is 0 or the holding m.
struct Shared {
    owner: AtomicUsize,
    buf: UnsafeCell<Buf>,
}

// SAFETY: `buf` is reached only by the holder of `owner` (SpinGuard).
unsafe impl Sync for Shared {}

static SHARED: Shared = Shared {
    owner: AtomicUsize::new(0),
    buf: UnsafeCell::new(Buf::empty()),
};

/// Samples lost (no room, or the lock was held by the interrupted
/// thread), and when the first of them was.
static LOST: AtomicU64 = AtomicU64::new(0);
static LOST_TIME: AtomicU64 = AtomicU64::new(0);

/// Profiling is on (between SetCPUProfileRate(hz) and SetCPUProfileRate(0)).
static ON: AtomicBool = AtomicBool::new(false);
/// A profile's buffer is in use: from its start until the reader has seen
/// its end.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// The sleeping reader's.
static NOTE: Note = Note::new();

/// Run `f` with the buffer, unless the current thread already holds it
/// (a signal handler that interrupted the holder): then None. The holder
/// is named by its m, or on a thread C created (no g) by its thread id,
/// made odd (an m's address is not).
fn with_buf<R>(f: impl FnOnce(&mut Buf) -> R) -> Option<R> {
    let me = if crate::gm::getg().is_null() { (crate::sys::gettid() as usize) << 1 | 1 } else { crate::gm::getm() as usize };
    loop {
        match SHARED.owner.compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed) {
            Ok(_) => break,
            Err(o) if o == me => return None,
            Err(_) => crate::sys::osyield(),
        }
    }
    // SAFETY: we hold the spin lock.
    let r = f(unsafe { &mut *SHARED.buf.get() });
    SHARED.owner.store(0, Ordering::Release);
    Some(r)
}

impl Buf {
    /// Room for a record of `n` words and one tag (after `extra` words
    /// already planned)? Returns the words it takes (with a skip to the
    /// start of the ring when it does not fit at the end).
    fn room(&self, n: usize, tags: usize) -> Option<usize> {
        if self.w_tags + tags - self.r_tags > TAG_SLOTS {
            return None;
        }
        let i = self.w_data % DATA_WORDS;
        let take = if i + n > DATA_WORDS { DATA_WORDS - i + n } else { n };
        (self.w_data + take - self.r_data <= DATA_WORDS).then_some(take)
    }

    /// Append a record (room checked): header words then the stack.
    fn put(&mut self, time: u64, count: u64, stk: &[usize], tag: usize) {
        let n = 3 + stk.len();
        let mut i = self.w_data % DATA_WORDS;
        if i + n > DATA_WORDS {
            // SAFETY: i < DATA_WORDS.
            unsafe { *self.data.add(i) = 0 };
            self.w_data += DATA_WORDS - i;
            i = 0;
        }
        // SAFETY: [i, i+n) is free ring space (room checked).
        unsafe {
            let d = self.data.add(i);
            *d = n as u64;
            *d.add(1) = time;
            *d.add(2) = count;
            for (k, &pc) in stk.iter().enumerate() {
                *d.add(3 + k) = pc as u64;
            }
            // The slot is nil (the reader cleared it): no barrier needed
            // for what it held; see the module doc for the new value.
            *self.tags.add(self.w_tags % TAG_SLOTS) = tag;
        }
        self.w_data += n;
        self.w_tags += 1;
    }

    /// Add a sample (or the header, count = hz) if there is room, with the
    /// lost samples first.
    fn write(&mut self, time: u64, count: u64, stk: &[usize], tag: usize) {
        let lost = LOST.load(Ordering::Acquire);
        let need = 3 + stk.len();
        let ok = if lost > 0 {
            // Both records, each contiguous.
            match self.room(4, 1) {
                Some(t1) => {
                    self.w_data += t1;
                    self.w_tags += 1;
                    let r = self.room(need, 1).is_some();
                    self.w_data -= t1;
                    self.w_tags -= 1;
                    r
                }
                None => false,
            }
        } else {
            self.room(need, 1).is_some()
        };
        if !ok {
            note_lost(time);
            return;
        }
        if lost > 0 {
            let t = LOST_TIME.load(Ordering::Relaxed);
            LOST.fetch_sub(lost, Ordering::AcqRel);
            self.put(t, 0, &[lost as usize], 0);
        }
        self.put(time, count, stk, tag);
        self.wake_reader();
    }

    fn wake_reader(&mut self) {
        if self.reader_sleeping {
            self.reader_sleeping = false;
            NOTE.wakeup();
        }
    }
}

fn note_lost(time: u64) {
    if LOST.fetch_add(1, Ordering::AcqRel) == 0 {
        LOST_TIME.store(time, Ordering::Relaxed);
    }
}

fn now() -> u64 {
    crate::time::nanotime() as u64
}

// ---- starting and stopping ----

/// runtime.SetCPUProfileRate: start a profile at `hz` into the buffer the
/// Go side made (`data`: DATA_WORDS words, `tags`: TAG_SLOTS nil
/// pointers, kept reachable by it while the profile may use them), or
/// stop the running one (hz 0). Returns whether a profile started. The Go
/// side serialises callers.
///
/// # Safety
/// `data` and `tags` are the Go side's slices.
pub unsafe fn rt_setCPUProfileRate(hz: isize, data: GoSlice<u64>, tags: GoSlice<*mut u8>) -> bool {
    let hz = hz.clamp(0, 1_000_000) as i32;
    let mut started = false;
    crate::gm::acquirem();
    if hz > 0 {
        if ON.load(Ordering::Acquire) || ACTIVE.load(Ordering::Acquire) {
            crate::gprint!(b"runtime: cannot set cpu profile rate until previous profile has finished.\n");
            crate::gm::releasem();
            return false;
        }
        if data.len as usize != DATA_WORDS || tags.len as usize != TAG_SLOTS {
            crate::fatal::throw("SetCPUProfileRate: bad buffer");
        }
        let ok = with_buf(|b| {
            *b = Buf { data: data.ptr, tags: tags.ptr as *mut usize, ..Buf::empty() };
            LOST.store(0, Ordering::Relaxed);
            b.write(now(), hz as u64, &[], 0);
        });
        if ok.is_none() {
            crate::fatal::throw("SetCPUProfileRate: profile buffer busy");
        }
        ACTIVE.store(true, Ordering::Release);
        ON.store(true, Ordering::Release);
        proftimer::set_rate(hz);
        started = true;
    } else if ON.load(Ordering::Acquire) {
        proftimer::set_rate(0);
        ON.store(false, Ordering::Release);
        with_buf(|b| {
            b.eof = true;
            b.wake_reader();
        });
    }
    crate::gm::releasem();
    started
}

impl Buf {
    const fn empty() -> Buf {
        Buf {
            data: null_mut(),
            tags: null_mut(),
            w_data: 0,
            w_tags: 0,
            r_data: 0,
            r_tags: 0,
            next_data: 0,
            next_tags: 0,
            eof: false,
            reader_sleeping: false,
        }
    }
}

// ---- the reader (runtime/pprof's profile writer goroutine) ----

/// What rt_cpuprofRead found (asm/runtime/profile.go has the same values).
const READ_DATA: u8 = 0;
const READ_EOF: u8 = 1;
const READ_WAIT: u8 = 2;

/// The reader's own words for a lost-samples record it makes itself, and
/// its (nil) tag.
struct ReaderOwned {
    lost: [u64; 4],
    nil_tag: [usize; 1],
}
struct ReaderCell(UnsafeCell<ReaderOwned>);
// SAFETY: only the reader (one goroutine at a time: pprof's writer)
// touches it, between two of its reads.
unsafe impl Sync for ReaderCell {}
static READER: ReaderCell = ReaderCell(UnsafeCell::new(ReaderOwned { lost: [0; 4], nil_tag: [0] }));

/// runtime/pprof.readProfile, one attempt: records and their tags (valid
/// until the next call, which gives them back), or the end of the
/// profile, or "wait" (rt_cpuprofWait, in a system call, then try again).
pub fn rt_cpuprofRead() -> (GoSlice<u64>, GoSlice<*mut u8>, u8) {
    let empty = (GoSlice { ptr: null_mut(), len: 0, cap: 0 }, GoSlice { ptr: null_mut(), len: 0, cap: 0 });
    if !ACTIVE.load(Ordering::Acquire) {
        return (empty.0, empty.1, READ_EOF);
    }
    // Give back what the last read returned: first clear its tags (the
    // reader's slots until the indices move), with the barrier a store
    // of nil into the heap needs.
    // SAFETY: the reader alone moves r_* and next_*; the tag slots between
    // them are written by no one else.
    let (tags, from, to) = unsafe {
        let b = &*SHARED.buf.get();
        (b.tags, b.r_tags, b.next_tags)
    };
    for k in from..to {
        // SAFETY: a slot of the Go tag slice.
        unsafe {
            let slot = tags.add(k % TAG_SLOTS);
            crate::wb::store(slot, 0);
            *slot = 0;
        }
    }
    loop {
        let lost = LOST.load(Ordering::Acquire);
        let r = with_buf(|b| {
            b.r_data = b.next_data;
            b.r_tags = b.next_tags;
            if b.w_data == b.r_data {
                if lost > 0 {
                    return None;
                }
                if b.eof {
                    return Some((empty.0, empty.1, READ_EOF));
                }
                b.reader_sleeping = true;
                return Some((empty.0, empty.1, READ_WAIT));
            }
            let mut i = b.r_data % DATA_WORDS;
            let mut avail = b.w_data - b.r_data;
            // SAFETY: i < DATA_WORDS; the words up to w_data are written.
            if unsafe { *b.data.add(i) } == 0 {
                avail -= DATA_WORDS - i;
                b.next_data = b.r_data + (DATA_WORDS - i);
                i = 0;
            } else {
                b.next_data = b.r_data;
            }
            let end = (i + avail).min(DATA_WORDS);
            let ti = b.r_tags % TAG_SLOTS;
            let tag_room = (TAG_SLOTS - ti).min(b.w_tags - b.r_tags);
            let (mut j, mut k) = (i, 0);
            // SAFETY: [i, end) are written words of the ring.
            while j < end && k < tag_room && unsafe { *b.data.add(j) } != 0 {
                j += unsafe { *b.data.add(j) } as usize;
                k += 1;
            }
            b.next_data += j - i;
            b.next_tags = b.r_tags + k;
            // SAFETY: views of the ring and the tag slice, stable until
            // the reader gives them back.
            unsafe {
                Some((
                    GoSlice { ptr: b.data.add(i), len: (j - i) as isize, cap: (j - i) as isize },
                    GoSlice { ptr: b.tags.add(ti) as *mut *mut u8, len: k as isize, cap: k as isize },
                    READ_DATA,
                ))
            }
        });
        match r {
            Some(Some(r)) => {
                if r.2 == READ_EOF {
                    ACTIVE.store(false, Ordering::Release);
                }
                return r;
            }
            Some(None) => {
                // Lost samples and nothing else: a record of its own.
                let n = LOST.swap(0, Ordering::AcqRel);
                if n == 0 {
                    continue;
                }
                // SAFETY: the reader's own words (see READER).
                let own = unsafe { &mut *READER.0.get() };
                own.lost = [4, LOST_TIME.load(Ordering::Relaxed), 0, n];
                return (
                    GoSlice { ptr: own.lost.as_mut_ptr(), len: 4, cap: 4 },
                    GoSlice { ptr: own.nil_tag.as_mut_ptr() as *mut *mut u8, len: 1, cap: 1 },
                    READ_DATA,
                );
            }
            None => crate::fatal::throw("readProfile: profile buffer lock held by its reader"),
        }
    }
}

/// The reader waits for records (the Go side has entered a system call).
pub fn rt_cpuprofWait() {
    NOTE.sleep();
    NOTE.clear();
}

// ---- the signal handler's part ----

/// SIGPROF: record a sample of the interrupted thread (pc, sp: the
/// signal's context, uctx: the whole of it; gp: the g its TLS slot held;
/// code: si_code).
///
/// C code's frames come from the program's cgo traceback function
/// (runtime.SetCgoTraceback), called with the signal's context: on a
/// thread C created they are the whole sample (without a traceback
/// function: the pc and runtime._ExternalCode); on a Go thread in a cgo
/// call they precede the Go stack that made the call.
pub fn sigprof(pc: usize, sp: usize, uctx: *mut u8, gp: *mut g, code: i32) {
    if proftimer::hz() == 0 {
        return;
    }
    // SAFETY: gp is null or this thread's live g.
    let mp = if gp.is_null() { null_mut() } else { unsafe { (*gp).m } };
    // A thread whose own rate is 0 is changing the rate (or has not yet
    // followed it): nothing is recorded there, as upstream's.
    // SAFETY: mp is this thread's m.
    if !mp.is_null() && unsafe { (*mp).profilehz } == 0 {
        return;
    }
    if !proftimer::valid_sigprof(mp, code) {
        return;
    }
    let mut stk = [0usize; MAX_STACK];
    // SAFETY: mp is this thread's m.
    let curg = if mp.is_null() { null_mut() } else { unsafe { (*mp).curg } };
    let in_go = crate::symtab::findfunc(pc).is_some();
    let mut n = 0;
    if gp.is_null() {
        n = crate::traceback::cgo_signal_callers(uctx, &mut stk[..crate::traceback::CGO_MAX_PCS]);
        if n == 0 {
            stk[0] = pc;
            stk[1] = crate::links::links().externalCodePC + 1;
            n = 2;
        }
    } else if !curg.is_null() && gp == curg && !in_go && unsafe { (*mp).leafsp } != 0 {
        // In a leaf entry point's fast path (src/base/leaf.rs), on curg's
        // stack: the walk starts in the trampoline, at the return address
        // of its call of the fast path. (In the trampoline itself, before
        // the call or after it, the walk from the signal's pc and sp below
        // does: its frame-size table covers every instruction.)
        // SAFETY: mp is this thread's m; leafsp is set and the pc is not
        // Go code, so the fast path's call is under way.
        unsafe {
            let (tpc, tsp) = crate::leaf::trampoline_context((*mp).leafsp);
            let u = crate::traceback::Unwinder::new(tpc, tsp);
            n = crate::traceback::traceback_pcs(u.of_goroutine(curg), 0, &mut stk);
        }
    } else if !curg.is_null() && gp == curg && in_go {
        n = crate::traceback::traceback_pcs(crate::traceback::Unwinder::at_trap(pc, sp), 0, &mut stk);
    } else if !curg.is_null() && gp != curg && walkable(curg) {
        // SAFETY: mp is this thread's m.
        if !in_go && unsafe { (*mp).incgo } {
            n = crate::traceback::cgo_signal_callers(uctx, &mut stk[..crate::traceback::CGO_MAX_PCS]);
        } else if !in_go && !crate::time::in_vdso(pc) {
            // gort's Rust runtime at work for curg: named as upstream's
            // runtime would be there (asm/runtime/asm_amd64.s). (In the
            // vDSO, for the clocks' runtime·clockGettime, the walk of curg
            // alone: its frames end in the Go function asking the time,
            // as upstream's samples there do.)
            let l = crate::links::links();
            // SAFETY: mp is this thread's m; morebuf is set by morestack
            // for the stack growth under way, cleared otherwise.
            let growing = unsafe { (*mp).morebuf.g } == curg as usize;
            stk[0] = if growing { l.newstackPC } else { l.systemstackPC } + 1;
            n = 1;
        }
        n += crate::traceback::traceback_pcs(crate::traceback::Unwinder::for_g(curg), 0, &mut stk[n..]);
    } else if !curg.is_null() && gp != curg && !in_go && unsafe { (*mp).morebuf.g } == curg as usize {
        // Its stack is being moved (copied to a bigger one): not walked,
        // but morestack saved where it was: the function whose prologue
        // asked (g.sched.pc) and that function's caller (m.morebuf.pc).
        // SAFETY: mp is this thread's m, curg its goroutine, both held
        // still by the growth this signal interrupted.
        unsafe {
            stk[0] = crate::links::links().newstackPC + 1;
            stk[1] = (*curg).sched.pc;
            stk[2] = (*mp).morebuf.pc;
        }
        n = 3;
    }
    if n == 0 {
        let l = crate::links::links();
        // A goroutine in the race runtime (racecall: its own g, g0's
        // stack, TSan's C code) gets the pc, as upstream's race build,
        // whose text holds TSan's code, records it.
        let in_tsan = !in_go && gp == curg && !curg.is_null() && crate::tsan::enabled() && {
            // SAFETY: curg is this thread's goroutine (live).
            let st = unsafe { &(*curg).stack };
            sp < st.lo || sp >= st.hi
        };
        stk[0] = if in_go || in_tsan { pc } else { l.externalCodePC + 1 };
        stk[1] = l.systemPC + 1;
        n = 2;
    }
    // SAFETY: curg is this thread's goroutine; its labels only change on
    // this thread, which the signal interrupted.
    let tag = if curg.is_null() { 0 } else { unsafe { (*curg).labels as usize } };
    crate::trace::cpu_sample(mp, curg, &stk[..n]);
    let t = now();
    if with_buf(|b| b.write(t, 1, &stk[..n], tag)).is_none() {
        note_lost(t);
    }
}

/// Can the thread's goroutine, away in the runtime, be walked from its
/// saved context now (not while its stack is being moved)?
fn walkable(gp: *mut g) -> bool {
    let st = crate::gm::gstatus(gp);
    if st != crate::gm::G_RUNNING && st != crate::gm::G_SYSCALL {
        return false;
    }
    // SAFETY: gp is this thread's goroutine (live).
    unsafe {
        let sp = if st == crate::gm::G_SYSCALL && (*gp).syscallsp != 0 { (*gp).syscallsp } else { (*gp).sched.sp };
        sp >= (*gp).stack.lo && sp < (*gp).stack.hi
    }
}
