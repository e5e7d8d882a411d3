//! Pointer bits: which words of the heap (and of the data and bss
//! segments) hold pointers. The collector scans with them.
//!
//! Heap: one bit per word, per arena, written when an object is allocated
//! from its type's pointer mask (or GC program), repeated for arrays, and
//! cleared for the rest of the object's slot.
//!
//! Types describe their pointers with a bitmap (`GCData`, one bit per word
//! of `PtrBytes`) or, for big types, a GC program (kind flag KindGCProg;
//! `GCData` is a 4-byte length and the program). The linker describes the
//! data and bss segments with GC programs too.
//!
//! GC programs (cmd/internal/gcprog), one instruction per byte:
//!   0x00            stop
//!   0nnnnnnn        emit the next n bits, taken from the following
//!                   (n+7)/8 bytes, low bit first
//!   10000000 n c    repeat the last n bits c more times (n, c varints)
//!   1nnnnnnn c      the same with n in the instruction (c a varint)

use super::*;
use crate::layout::abi::Type;

const KIND_GC_PROG: u8 = 1 << 6;

/// Address of the heap-bitmap word for address p, and p's bit in it.
#[inline]
fn bitpos(p: usize) -> (*mut u64, u64) {
    let ha = arena_of(p);
    // SAFETY: p is in the heap, so its arena exists and has a bitmap.
    unsafe {
        let w = (p - (*ha).base) / 8;
        ((*ha).heapbits.add(w / 64), 1u64 << (w % 64))
    }
}

/// Does the heap word at p hold a pointer?
#[inline]
pub fn is_pointer(p: usize) -> bool {
    let (w, b) = bitpos(p);
    // SAFETY: bitpos gives a word of the arena's bitmap.
    unsafe { *w & b != 0 }
}

fn set(p: usize, v: bool) {
    let (w, b) = bitpos(p);
    // SAFETY: as above; the object is being allocated by us.
    unsafe {
        if v {
            *w |= b;
        } else {
            *w &= !b;
        }
    }
}

/// Set the bits of `nwords` words from p to `v` (word aligned; within one
/// arena or several consecutive ones).
fn fill(p: usize, nwords: usize, v: bool) {
    let mut i = 0;
    while i < nwords {
        let a = p + i * 8;
        let (w, _) = bitpos(a);
        let bitidx = ((a & (ARENA_SIZE - 1)) / 8) % 64;
        if bitidx == 0 && nwords - i >= 64 {
            // SAFETY: a whole bitmap word inside the arena's bitmap.
            unsafe { *w = if v { u64::MAX } else { 0 } };
            i += 64;
        } else {
            set(a, v);
            i += 1;
        }
    }
}

/// Record the pointers of a new object at p: `size` bytes of values of type
/// t (an array when size > t.Size_), in a slot of `slot` bytes.
pub fn write_object(p: usize, size: usize, t: *const Type, slot: usize) {
    // SAFETY: t is a type descriptor emitted by the compiler (or a runtime
    // type with the same layout).
    let (tsize, ptrbytes, kind, gcdata) = unsafe { ((*t).Size_, (*t).PtrBytes, (*t).Kind_, (*t).GCData as *const u8) };
    let nslot = slot / 8;
    if tsize == 0 || ptrbytes == 0 {
        fill(p, nslot, false);
        return;
    }
    let elems = (size / tsize).max(1);
    if kind & KIND_GC_PROG != 0 {
        fill(p, nslot, false);
        for e in 0..elems {
            // SAFETY: GC programs are prefixed by their 4-byte length.
            unsafe { run_prog(gcdata.add(4), |i, v| if v { set(p + e * tsize + i * 8, true) }) };
        }
        return;
    }
    // One bit per word of PtrBytes; the rest of each element is scalar.
    let twords = tsize / 8;
    let pwords = ptrbytes / 8;
    if twords == 1 && pwords == 1 {
        // An array of pointers: every word.
        let n = (elems).min(nslot);
        fill(p, n, true);
        fill(p + n * 8, nslot - n, false);
        return;
    }
    fill(p, nslot, false);
    for e in 0..elems {
        let base = p + e * tsize;
        for i in 0..pwords {
            // SAFETY: the mask has (pwords+7)/8 bytes.
            if unsafe { *gcdata.add(i / 8) } >> (i % 8) & 1 != 0 {
                set(base + i * 8, true);
            }
        }
    }
}

/// Run a GC program, calling out(bit index, value) for every bit it
/// produces. Returns the number of bits.
///
/// # Safety
/// prog points at a well-formed GC program (from the linker or compiler).
pub unsafe fn run_prog(prog: *const u8, mut out: impl FnMut(usize, bool)) -> usize {
    // The bits produced so far are needed for repeats: keep them in a
    // growable bit buffer only as far back as a repeat can reach. Programs
    // reference at most the last n bits; buffer everything (programs are
    // for types and segments of bounded size).
    let mut buf = BitBuf::new();
    let mut p = prog;
    // SAFETY: the caller's contract: the program is well formed.
    unsafe {
        loop {
            let inst = *p;
            p = p.add(1);
            if inst == 0 {
                break;
            }
            if inst & 0x80 == 0 {
                let n = inst as usize;
                for i in 0..n {
                    let v = *p.add(i / 8) >> (i % 8) & 1 != 0;
                    out(buf.len, v);
                    buf.push(v);
                }
                p = p.add(n.div_ceil(8));
                continue;
            }
            let mut n = (inst & 0x7f) as usize;
            if n == 0 {
                n = read_varint(&mut p);
            }
            let c = read_varint(&mut p);
            let start = buf.len - n;
            for _ in 0..c {
                for i in 0..n {
                    let v = buf.get(start + i);
                    out(buf.len, v);
                    buf.push(v);
                }
            }
        }
    }
    let n = buf.len;
    buf.free();
    n
}

unsafe fn read_varint(p: &mut *const u8) -> usize {
    let (mut v, mut shift) = (0usize, 0);
    // SAFETY: the caller's contract.
    unsafe {
        loop {
            let b = **p;
            *p = p.add(1);
            v |= ((b & 0x7f) as usize) << shift;
            if b & 0x80 == 0 {
                return v;
            }
            shift += 7;
        }
    }
}

/// A growable bit vector in mmap'd memory (GC programs can describe
/// segments of many megabytes).
struct BitBuf {
    words: *mut u64,
    cap: usize,
    len: usize,
}

impl BitBuf {
    fn new() -> BitBuf {
        BitBuf { words: null_mut(), cap: 0, len: 0 }
    }
    fn push(&mut self, v: bool) {
        if self.len == self.cap * 64 {
            let ncap = (self.cap * 2).max(512);
            let n = crate::sysstat::map(ncap * 8, crate::sysstat::Stat::Gc).unwrap_or_else(|| crate::fatal::throw("runtime: cannot run GC program")) as *mut u64;
            if self.cap > 0 {
                // SAFETY: both buffers hold cap words.
                unsafe { core::ptr::copy_nonoverlapping(self.words, n, self.cap) };
                crate::sysstat::unmap(self.words as *mut u8, self.cap * 8, crate::sysstat::Stat::Gc);
            }
            self.words = n;
            self.cap = ncap;
        }
        if v {
            // SAFETY: len < cap*64.
            unsafe { *self.words.add(self.len / 64) |= 1 << (self.len % 64) };
        }
        self.len += 1;
    }
    fn get(&self, i: usize) -> bool {
        // SAFETY: i < len.
        unsafe { *self.words.add(i / 64) >> (i % 64) & 1 != 0 }
    }
    fn free(self) {
        if self.cap > 0 {
            crate::sysstat::unmap(self.words as *mut u8, self.cap * 8, crate::sysstat::Stat::Gc);
        }
    }
}

/// A pointer mask built from a GC program (the data and bss segments).
pub struct Mask {
    pub words: *mut u64,
    pub nbits: usize,
}

/// Build the pointer mask of a segment of `size` bytes from its program.
///
/// # Safety
/// prog is the linker's GC program for the segment.
pub unsafe fn prog_to_mask(prog: *const u8, size: usize) -> Mask {
    let nbits = size / 8;
    let nwords = nbits.div_ceil(64).max(1);
    let words = persistent::alloc_for(nwords * 8, 8, crate::sysstat::Stat::Gc) as *mut u64;
    // SAFETY: the caller's contract; out-of-range bits are ignored.
    unsafe {
        run_prog(prog, |i, v| {
            if v && i < nbits {
                *words.add(i / 64) |= 1 << (i % 64);
            }
        })
    };
    Mask { words, nbits }
}

impl Mask {
    pub fn get(&self, i: usize) -> bool {
        // SAFETY: i < nbits.
        i < self.nbits && unsafe { *self.words.add(i / 64) >> (i % 64) & 1 != 0 }
    }
}
