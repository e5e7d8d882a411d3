//! Write barriers and the collector's shared grey queue.
//!
//! While the collector marks concurrently with the program (gc/mod.rs),
//! every pointer store into the heap or a global shades the pointer it
//! overwrites and the one it writes: each becomes grey (marked, queued to
//! be scanned) unless already marked. Shading the old value keeps the
//! snapshot the cycle started from: an object reachable when marking
//! began stays reachable for the collector even if the program moves its
//! only reference into a place already scanned (goroutine stacks are
//! scanned once, when the cycle starts); shading the new value keeps a
//! reference copied out of a place not yet scanned.
//!
//! Two paths feed it:
//!   - compiled code calls gcWriteBarrierN (asm_amd64.s), which records
//!     both pointers in the current m's buffer (m.wbBuf); a full buffer
//!     comes to `gort_wbflush`, and mark termination empties every m's
//!     (gc::mark_termination through `drain_buffer`);
//!   - the runtime's own copies and clears of typed memory (channel
//!     buffers, map buckets, typedmemmove and friends, reflect, atomics)
//!     call `bulk` / `store` / `shade2` before they write.
//!
//! The barrier is on (Go's `writeBarrier.enabled`) from the start of
//! marking to its end; both switches happen with the world stopped.
//!
//! Grey objects wait in one shared queue (a lock-protected vector); each
//! marking thread moves batches between it and a private list.

use super::heap::{self, Mspan};
use crate::layout::rt::m;
use crate::lock::Locked;
use crate::pvec::PVec;
use crate::sysstat::Stat;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Is the barrier on? (Mirrors Go's writeBarrier.enabled, which compiled
/// code reads; written only with the world stopped.)
static ENABLED: AtomicBool = AtomicBool::new(false);

#[inline]
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Turn the barrier on or off. Only with the world stopped: no goroutine
/// is then between its test of the flag and its store.
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
    let wb = crate::links::links().writeBarrier as *mut u8;
    // SAFETY: writeBarrier is the Go variable compiled code tests; its
    // first byte is `enabled`.
    unsafe { wb.write_volatile(on as u8) };
}

// ---- marking one object ----

/// What marking the object at a pointer found.
pub enum Marked {
    /// Not a pointer to an allocated heap object (nil, a global, a stack,
    /// or an object that was already marked).
    Nothing,
    /// A pointer into a span's free slot (a bad pointer when it came from
    /// a precise slot).
    Unallocated(*mut Mspan),
    /// Newly marked; it holds pointers and must be scanned (its base, and
    /// its slot's size).
    Grey(usize, usize),
    /// Newly marked; no pointers in it (its slot's size).
    Black(usize),
}

/// Bytes marked this cycle (objects found by marking, allocated marked):
/// what survives it, without a walk over the heap at its end.
static MARKED_BYTES: AtomicUsize = AtomicUsize::new(0);

pub fn add_marked(bytes: usize) {
    if bytes != 0 {
        MARKED_BYTES.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// The count so far, and start it again (a cycle's start or end).
pub fn take_marked() -> usize {
    MARKED_BYTES.swap(0, Ordering::Relaxed)
}

/// Set the count (checkmark's second marking puts back the first's).
pub fn set_marked(bytes: usize) {
    MARKED_BYTES.store(bytes, Ordering::Relaxed);
}

/// Mark the heap object containing p. Safe to race with other markers and
/// with allocation (mark bits are set atomically; a pointer the program
/// holds is to an object allocated before the pointer was published).
#[inline]
pub fn mark_object(p: usize) -> Marked {
    if p < 4096 {
        return Marked::Nothing;
    }
    let s = heap::span_of_heap(p);
    if s.is_null() {
        return Marked::Nothing;
    }
    // SAFETY: s is an in-use span (spans are not freed while marking).
    let sp: &Mspan = unsafe { &*s };
    let idx = sp.obj_index(p);
    if idx >= sp.nelems {
        return Marked::Nothing;
    }
    if !sp.is_allocated(idx) {
        return Marked::Unallocated(s);
    }
    if sp.set_mark(idx) {
        return Marked::Nothing;
    }
    if sp.noscan() {
        return Marked::Black(sp.elemsize);
    }
    Marked::Grey(sp.obj_base(idx), sp.elemsize)
}

// ---- the shared grey queue ----

static QUEUE: Locked<PVec<usize>> = Locked::new(crate::lockrank::Rank::GcWork, PVec::mapped(Stat::Gc));
/// Entries in QUEUE (read without the lock to see if it is worth taking).
static QUEUED: AtomicUsize = AtomicUsize::new(0);

/// Move every entry of `v` to the shared queue.
pub fn queue_put(v: &[usize]) {
    if v.is_empty() {
        return;
    }
    QUEUE.with(|q| {
        for &p in v {
            q.push(p);
        }
        QUEUED.store(q.len(), Ordering::Release);
    });
}

/// Take up to `max` entries from the shared queue into `into`; how many.
pub fn queue_take(into: &mut PVec<usize>, max: usize) -> usize {
    if QUEUED.load(Ordering::Acquire) == 0 {
        return 0;
    }
    QUEUE.with(|q| {
        let mut n = 0;
        while n < max {
            match q.pop() {
                Some(p) => {
                    into.push(p);
                    n += 1;
                }
                None => break,
            }
        }
        QUEUED.store(q.len(), Ordering::Release);
        n
    })
}

pub fn queue_len() -> usize {
    QUEUED.load(Ordering::Acquire)
}

/// Give the queue's memory back (between cycles, when it is empty).
pub fn queue_release() {
    QUEUE.with(|q| {
        if q.is_empty() {
            q.free();
        }
    });
}

/// A small batch of grey objects found by a barrier, handed to the shared
/// queue when full and when dropped by `finish`.
struct Shader {
    n: usize,
    marked: usize,
    /// Entries below n are written (left uninitialised above: a barrier
    /// makes one of these per call, and most find nothing to shade).
    buf: [core::mem::MaybeUninit<usize>; 64],
}

impl Shader {
    fn new() -> Shader {
        Shader { n: 0, marked: 0, buf: [core::mem::MaybeUninit::uninit(); 64] }
    }

    fn filled(&self) -> &[usize] {
        // SAFETY: entries below n were written by shade; MaybeUninit<usize>
        // has usize's layout.
        unsafe { core::slice::from_raw_parts(self.buf.as_ptr() as *const usize, self.n) }
    }

    #[inline]
    fn shade(&mut self, p: usize) {
        match mark_object(p) {
            Marked::Grey(base, size) => {
                self.marked += size;
                if self.n == self.buf.len() {
                    queue_put(self.filled());
                    self.n = 0;
                }
                self.buf[self.n].write(base);
                self.n += 1;
            }
            Marked::Black(size) => self.marked += size,
            _ => {}
        }
    }

    /// Hand the batch over (by reference: a move would copy the whole
    /// buffer, on every barrier call).
    fn finish(&mut self) {
        queue_put(self.filled());
        add_marked(self.marked);
    }
}

/// Where a barrier puts the pointers it shades: a Shader (marks them now,
/// on the system stack), or on a fast path a Recorder.
trait Sink {
    fn shade(&mut self, p: usize);
    fn finish(&mut self);
}

impl Sink for Shader {
    #[inline]
    fn shade(&mut self, p: usize) {
        Shader::shade(self, p)
    }
    fn finish(&mut self) {
        Shader::finish(self)
    }
}

/// A fast path's barrier (src/base/leaf.rs: on a goroutine's stack, where
/// marking and the shared queue's lock may not run): the pointers go into
/// the current m's buffer, as compiled code's barriers put theirs, to be
/// shaded when it is drained (when full, at the latest at mark
/// termination). The fast path made sure beforehand that they fit
/// ([`leaf_room`]).
struct Recorder(*mut m);

impl Sink for Recorder {
    #[inline]
    fn shade(&mut self, p: usize) {
        if p == 0 {
            return;
        }
        let mp = self.0;
        // SAFETY: mp is the current m; its buffer runs from wbBuf to wbEnd.
        unsafe {
            let next = (*mp).wbNext;
            if next == 0 || next >= (*mp).wbEnd {
                crate::leaf::forbidden(mp, "a write barrier past its buffer's room");
                return;
            }
            *(next as *mut usize) = p;
            (*mp).wbNext = next + 8;
        }
    }
    fn finish(&mut self) {}
}

/// Can a fast path's barriers record `entries` more pointers in the
/// current m's buffer? (A fast path that stores pointers while the
/// collector marks declines unless they fit: it may not drain the buffer.)
#[inline]
pub fn leaf_room(entries: usize) -> bool {
    let mp = crate::gm::getm();
    // SAFETY: mp is the current m.
    unsafe {
        let next = (*mp).wbNext;
        next != 0 && ((*mp).wbEnd - next) / 8 >= entries
    }
}

/// The current m, if it runs a fast path (its barriers then record).
#[inline]
fn leaf_m() -> Option<*mut m> {
    let mp = crate::gm::getm();
    // SAFETY: mp is the current m.
    (unsafe { (*mp).leafsp } != 0).then_some(mp)
}

// ---- the per-m buffers of compiled code's barriers ----

/// Shade every pointer recorded in mp's buffer and empty it.
///
/// # Safety
/// mp is the current m, or the world is stopped (nobody fills it then).
pub unsafe fn drain_buffer(mp: *mut m) {
    // SAFETY: mp is a live m (never freed); its buffer holds words from
    // its start up to wbNext.
    unsafe {
        let start = core::ptr::addr_of_mut!((*mp).wbBuf) as usize;
        let next = (*mp).wbNext;
        if next == 0 {
            // Never used: set it up.
            (*mp).wbNext = start;
            (*mp).wbEnd = start + (*mp).wbBuf.len() * 8;
            return;
        }
        if enabled() {
            let mut sh = Shader::new();
            let mut a = start;
            while a < next {
                sh.shade(*(a as *const usize));
                a += 8;
            }
            sh.finish();
        }
        (*mp).wbNext = start;
    }
}

/// Called by gort_wbreserve (asm_amd64.s), on the m's system stack, when
/// the buffer cannot take a barrier's entries.
///
/// # Safety
/// mp is the current m.
#[no_mangle]
pub unsafe extern "C" fn gort_wbflush(mp: *mut m) {
    // SAFETY: mp is the current m.
    unsafe { drain_buffer(mp) };
}

// ---- the runtime's own stores ----

/// Where a store lands, for the barrier.
enum Dest {
    /// Not covered: a goroutine stack or the runtime's own memory.
    None,
    Heap,
    /// A module's data or bss segment, with its pointer mask and start.
    Global(&'static crate::gcprog::Mask, usize),
    /// A module's segment whose mask no collection has built yet (not
    /// while marking: the cycle builds them first).
    Unmasked,
}

fn dest(p: usize) -> Dest {
    if !heap::span_of_heap(p).is_null() {
        return Dest::Heap;
    }
    if let Some((mask, start)) = crate::globals::segment_mask(p) {
        return Dest::Global(mask, start);
    }
    for md in crate::types::modules() {
        if (p >= md.data && p < md.edata) || (p >= md.bss && p < md.ebss) {
            return Dest::Unmasked;
        }
    }
    Dest::None
}

/// Before `size` bytes at `dst` are overwritten with the bytes at `src`
/// (or cleared, when src is null): shade every pointer in dst, and the
/// pointer that will replace it. Which words hold pointers comes from the
/// heap's bits, or for a global from its segment's pointer mask (the
/// linker's). A no-op unless the collector is marking.
///
/// # Safety
/// [dst, dst+size) and, unless null, [src, src+size) are readable,
/// word-aligned memory holding values of one type.
#[inline]
pub unsafe fn bulk(dst: *mut u8, src: *const u8, size: usize) {
    // The test inline, at every typed copy; the work out of line.
    if enabled() && size >= 8 {
        // SAFETY: per the function contract.
        unsafe { bulk_marking(dst, src, size) };
    }
}

/// Copy one value of type t from src to dst, behind the bulk barrier over
/// the words that can hold pointers (none for a pointer-free type, whose
/// copies never ask).
///
/// # Safety
/// t is a type descriptor; src and dst hold values of t.
#[inline(always)]
pub unsafe fn typed_move(t: *const crate::layout::abi::Type, dst: *mut u8, src: *const u8) {
    // SAFETY: per the function contract.
    unsafe {
        if enabled() && (*t).PtrBytes != 0 {
            bulk_marking(dst, src, (*t).PtrBytes);
        }
        crate::bytes::move_bytes(dst, src, (*t).Size_);
    }
}

/// Zero one value of type t at dst, behind the bulk barrier as typed_move.
///
/// # Safety
/// t is a type descriptor; dst holds a value of t.
#[inline(always)]
pub unsafe fn typed_clear(t: *const crate::layout::abi::Type, dst: *mut u8) {
    // SAFETY: per the function contract.
    unsafe {
        if enabled() && (*t).PtrBytes != 0 {
            bulk_marking(dst, core::ptr::null(), (*t).PtrBytes);
        }
        crate::bytes::zero_bytes(dst, (*t).Size_);
    }
}

/// `bulk` while the collector marks.
///
/// # Safety
/// As bulk's.
#[inline(never)]
unsafe fn bulk_marking(dst: *mut u8, src: *const u8, size: usize) {
    // SAFETY: per the function contract.
    unsafe {
        match leaf_m() {
            Some(mp) => bulk_into(Recorder(mp), dst, src, size),
            None => bulk_into(Shader::new(), dst, src, size),
        }
    }
}

/// bulk_marking with its sink (two copies, so that a fast path's frame has
/// no Shader in it).
///
/// # Safety
/// As bulk's.
#[inline(never)]
unsafe fn bulk_into<S: Sink>(mut sh: S, dst: *mut u8, src: *const u8, size: usize) {
    let (dst, src) = (dst as usize, src as usize);
    // Which words of dst hold pointers, up to 64 from word i: (bits, how
    // many words they cover).
    let heap_bits = |i: usize| heap::bits::pointer_chunk(dst + i * 8, size / 8 - i);
    match dest(dst) {
        Dest::None => {
            // A goroutine stack (another goroutine's, for a channel's
            // direct hand-off), which may have been scanned already while
            // the source has not: shade what is copied (every word that
            // looks like a heap pointer; there are no pointer bits here).
            if src != 0 {
                for i in 0..size / 8 {
                    // SAFETY: word i of the source (the caller's contract).
                    sh.shade(unsafe { *((src + i * 8) as *const usize) });
                }
            }
        }
        Dest::Heap => {
            // SAFETY: dest found an in-use span there.
            if unsafe { !(*heap::span_of_heap(dst)).noscan() } {
                // SAFETY: the caller's contract.
                unsafe { shade_words(&mut sh, dst, src, size / 8, heap_bits) };
            }
        }
        Dest::Global(mask, start) => {
            let first = (dst - start) / 8;
            let words = (size / 8).min(mask.nbits - first);
            // SAFETY: the caller's contract.
            unsafe { shade_words(&mut sh, dst, src, words, |i| mask.chunk(first + i, words - i)) };
        }
        // SAFETY: the caller's contract.
        Dest::Unmasked => unsafe { shade_words(&mut sh, dst, src, size / 8, |_| (1, 1)) },
    }
    sh.finish();
}

/// Shade the pointers in the first `words` words of dst and of src (unless
/// 0) that `bits` says hold them: bits(i) gives the pointer bits of up to
/// 64 words from word i (word i in bit 0) and how many words they cover.
///
/// # Safety
/// As bulk's, for `words` words.
#[inline(always)]
unsafe fn shade_words<S: Sink>(sh: &mut S, dst: usize, src: usize, words: usize, bits: impl Fn(usize) -> (u64, usize)) {
    let mut i = 0;
    while i < words {
        let (mut b, n) = bits(i);
        while b != 0 {
            let j = i + b.trailing_zeros() as usize;
            if j >= i + n {
                break;
            }
            b &= b - 1;
            // SAFETY: word j of both ranges (the caller's contract).
            unsafe {
                sh.shade(*((dst + j * 8) as *const usize));
                if src != 0 {
                    sh.shade(*((src + j * 8) as *const usize));
                }
            }
        }
        i += n;
    }
}

/// The Go side's bulk barrier (memclrHasPointers, reflectcallmove).
///
/// # Safety
/// As for `bulk`.
pub unsafe fn rt_wbBulk(dst: *mut u8, src: *mut u8, size: usize) {
    if (dst as usize).is_multiple_of(8) && (src as usize).is_multiple_of(8) {
        // SAFETY: per the function contract.
        unsafe { bulk(dst, src, size) };
    }
}

/// Before the runtime stores the pointer `new` to `*slot`.
///
/// # Safety
/// slot is a readable, aligned word.
#[inline]
pub unsafe fn store(slot: *mut usize, new: usize) {
    // The test inline, at every pointer store; the work out of line.
    if enabled() {
        // SAFETY: per the function contract.
        unsafe { store_marking(slot, new) };
    }
}

/// `store` while the collector marks.
///
/// # Safety
/// As store's.
#[inline(never)]
unsafe fn store_marking(slot: *mut usize, new: usize) {
    // SAFETY: per the function contract.
    unsafe {
        match leaf_m() {
            Some(mp) => store_into(Recorder(mp), slot, new),
            None => store_into(Shader::new(), slot, new),
        }
    }
}

/// store_marking with its sink (as bulk_into).
///
/// # Safety
/// As store's.
#[inline(never)]
unsafe fn store_into<S: Sink>(mut sh: S, slot: *mut usize, new: usize) {
    if let Dest::None = dest(slot as usize) {
        // Runtime memory or a stack: only the new value matters (it may
        // be copied out of a place not yet scanned into one already).
        sh.shade(new);
        sh.finish();
        return;
    }
    // SAFETY: the caller's contract.
    sh.shade(unsafe { *slot });
    sh.shade(new);
    sh.finish();
}

/// Shade two pointers: sync/atomic's pointer operations shade the value
/// they may replace and the new one before they run.
pub fn rt_wbShade2(old: *mut u8, new: *mut u8) {
    shade2(old as usize, new as usize)
}

pub fn shade2(old: usize, new: usize) {
    if !enabled() {
        return;
    }
    match leaf_m() {
        Some(mp) => shade2_into(Recorder(mp), old, new),
        None => shade2_into(Shader::new(), old, new),
    }
}

/// shade2 with its sink (as bulk_into).
#[inline(never)]
fn shade2_into<S: Sink>(mut sh: S, old: usize, new: usize) {
    sh.shade(old);
    sh.shade(new);
    sh.finish();
}
