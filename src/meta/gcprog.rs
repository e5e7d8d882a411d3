//! GC programs: how the compiler describes the pointers of big types and
//! the linker those of the data and bss segments (cmd/internal/gcprog),
//! one instruction per byte:
//!   0x00            stop
//!   0nnnnnnn        emit the next n bits, taken from the following
//!                   (n+7)/8 bytes, low bit first
//!   10000000 n c    repeat the last n bits c more times (n, c varints)
//!   1nnnnnnn c      the same with n in the instruction (c a varint)

use crate::persistent;
use crate::pvec::PVec;
use crate::sysstat::Stat;

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

/// A growable bit vector in mapped memory (GC programs can describe
/// segments of many megabytes).
struct BitBuf {
    words: PVec<u64>,
    len: usize,
}

impl BitBuf {
    fn new() -> BitBuf {
        BitBuf { words: PVec::mapped(Stat::Gc), len: 0 }
    }
    fn push(&mut self, v: bool) {
        if self.len == self.words.len() * 64 {
            self.words.push(0);
        }
        if v {
            let w = self.len / 64;
            self.words.set(w, self.words.get(w) | 1 << (self.len % 64));
        }
        self.len += 1;
    }
    fn get(&self, i: usize) -> bool {
        self.words.get(i / 64) >> (i % 64) & 1 != 0
    }
    fn free(mut self) {
        self.words.free();
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

    /// The bits from bit i (in bit 0) to the end of i's mask word, at
    /// most `max` of them, and how many that is (i < nbits; bits past
    /// nbits are 0).
    pub fn chunk(&self, i: usize, max: usize) -> (u64, usize) {
        debug_assert!(i < self.nbits);
        // SAFETY: i < nbits: word i/64 is the mask's.
        crate::bitword::bits_from(unsafe { *self.words.add(i / 64) }, i % 64, max)
    }
}
