//! Pointer bits: which words of the heap (and of the data and bss
//! segments) hold pointers. The collector scans with them.
//!
//! Heap: one bit per word, per arena, written when an object is allocated
//! from its type's pointer mask (or GC program), repeated for arrays, and
//! cleared for the rest of the object's slot.
//!
//! Types describe their pointers with a bitmap (`GCData`, one bit per word
//! of `PtrBytes`) or, for big types, a GC program (kind flag KindGCProg;
//! `GCData` is a 4-byte length and the program: meta/gcprog.rs).

use super::*;
use crate::bitword::low_bits;
use crate::gcprog::run_prog;
use crate::layout::abi::Type;

pub const KIND_GC_PROG: u8 = 1 << 6;

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

/// The bitmap word holding p's bit (BitWriter's locate).
fn bitmap_word(p: usize) -> *mut u64 {
    bitpos(p).0
}

/// Does the heap word at p hold a pointer?
#[inline]
pub fn is_pointer(p: usize) -> bool {
    let (w, b) = bitpos(p);
    // SAFETY: bitpos gives a word of the arena's bitmap.
    unsafe { *w & b != 0 }
}

/// The pointer bits of up to 64 words from p (p's word in bit 0), and how
/// many words they cover: to the end of p's bitmap word, at most `max`.
/// Walking an object chunk by chunk reads each bitmap word once.
#[inline]
pub fn pointer_chunk(p: usize, max: usize) -> (u64, usize) {
    let (w, b) = bitpos(p);
    // SAFETY: bitpos gives a word of the arena's bitmap.
    crate::bitword::bits_from(unsafe { *w }, b.trailing_zeros() as usize, max)
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

/// Set the bits of the `n` (<= 64) words from p to the low n bits of
/// `bits` (p's word in bit 0). The words lie in one span, so their bits
/// are in one bitmap word or two consecutive ones.
#[inline]
fn write_bits(p: usize, n: usize, bits: u64) {
    let (w, b) = bitpos(p);
    let shift = b.trailing_zeros() as usize;
    let first = (64 - shift).min(n);
    let m1 = low_bits(first) << shift;
    // SAFETY: bitpos gives a word of the arena's bitmap; when the object
    // runs past it, the next word covers the next 64 words of the same
    // span (spans are page-aligned inside an arena). The object is being
    // allocated by us.
    unsafe {
        *w = (*w & !m1) | ((bits << shift) & m1);
        if n > first {
            let m2 = low_bits(n - first);
            let w2 = w.add(1);
            *w2 = (*w2 & !m2) | ((bits >> first) & m2);
        }
    }
}

/// Set the bits of `nwords` words from p to `v` (word aligned; within one
/// arena or several consecutive ones).
fn fill(p: usize, nwords: usize, v: bool) {
    let mut wr = BitWriter::new(p);
    wr.repeat(if v { u64::MAX } else { 0 }, nwords);
    wr.finish();
}

/// Writes the bits of consecutive heap words in order, from a start
/// word on, a whole bitmap word at a time: the bits gather in `acc` and
/// go out when 64 words are covered (one bitmap lookup per 64 words; each
/// lookup finds its own arena, so a run may cross from one to the next).
/// The bits before the start in its bitmap word and after the end in the
/// last are kept.
struct BitWriter {
    /// The bitmap word covering a heap address (`bitmap_word`; tests give
    /// a bitmap of their own).
    locate: fn(usize) -> *mut u64,
    /// The heap address of the first word `acc` covers (512-byte aligned).
    at: usize,
    acc: u64,
    /// Bits of acc already decided (below 64).
    n: usize,
}

impl BitWriter {
    fn new(p: usize) -> BitWriter {
        BitWriter::with(p, bitmap_word)
    }

    fn with(p: usize, locate: fn(usize) -> *mut u64) -> BitWriter {
        let shift = (p / 8) % 64;
        // SAFETY: locate gives the bitmap word of p.
        let kept = unsafe { *locate(p) } & low_bits(shift);
        BitWriter { locate, at: p - shift * 8, acc: kept, n: shift }
    }

    /// The next k (1..=64) words' bits: the low k bits of `bits` (the
    /// bits above them clear).
    #[inline]
    fn push(&mut self, bits: u64, k: usize) {
        self.acc |= bits << self.n;
        let total = self.n + k;
        if total < 64 {
            self.n = total;
            return;
        }
        // SAFETY: locate gives the bitmap word of `at`; every bit of it is
        // decided now, for words of the object being written.
        unsafe { *(self.locate)(self.at) = self.acc };
        self.at += 64 * 8;
        self.acc = if self.n == 0 { 0 } else { bits >> (64 - self.n) };
        self.n = total - 64;
    }

    /// `k` words whose bits are all those of `all` (0 or u64::MAX).
    fn repeat(&mut self, all: u64, mut k: usize) {
        while k > 0 {
            let c = k.min(64);
            self.push(all & low_bits(c), c);
            k -= c;
        }
    }

    fn finish(self) {
        if self.n > 0 {
            let w = (self.locate)(self.at);
            let m = low_bits(self.n);
            // SAFETY: as in push; the bits above n belong to what follows.
            unsafe { *w = (*w & !m) | (self.acc & m) };
        }
    }
}

/// Bits `from..from+k` (from a multiple of 8, k <= 64) of a type's
/// pointer mask, the first in bit 0.
///
/// # Safety
/// The mask has at least (from+k+7)/8 bytes.
#[inline]
unsafe fn mask_bits(mask: *const u8, from: usize, k: usize) -> u64 {
    let mut bits = 0u64;
    for b in 0..k.div_ceil(8) {
        // SAFETY: the function's contract.
        bits |= (unsafe { *mask.add(from / 8 + b) } as u64) << (8 * b);
    }
    bits & low_bits(k)
}

/// write_object for a type with a GC program (kept out of write_object:
/// running the program may grow a buffer, which the allocations of leaf
/// fast paths, src/base/leaf.rs, must not do; they decline such types).
///
/// # Safety
/// As write_object's; gcdata is the type's GC program.
#[inline(never)]
unsafe fn write_object_prog(p: usize, nslot: usize, elems: usize, tsize: usize, gcdata: *const u8) {
    fill(p, nslot, false);
    for e in 0..elems {
        // SAFETY: GC programs are prefixed by their 4-byte length.
        unsafe { run_prog(gcdata.add(4), |i, v| if v { set(p + e * tsize + i * 8, true) }) };
    }
}

/// Record the pointers of a new object at p: `size` bytes of values of type
/// t (an array when size > t.Size_), in a slot of `slot` bytes.
///
/// # Safety
/// t is a type descriptor; [p, p+slot) is an object slot of the heap.
pub unsafe fn write_object(p: usize, size: usize, t: *const Type, slot: usize) {
    // SAFETY: t is a type descriptor emitted by the compiler (or a runtime
    // type with the same layout).
    let (tsize, ptrbytes, kind, gcdata) = unsafe { ((*t).Size_, (*t).PtrBytes, (*t).Kind_, (*t).GCData as *const u8) };
    let nslot = slot / 8;
    if tsize == 0 || ptrbytes == 0 {
        fill(p, nslot, false);
        return;
    }
    // One value (most allocations) needs no division.
    let elems = if size <= tsize { 1 } else { size / tsize };
    if kind & KIND_GC_PROG != 0 {
        // SAFETY: as this function's.
        unsafe { write_object_prog(p, nslot, elems, tsize, gcdata) };
        return;
    }
    // One bit per word of PtrBytes; the rest of each element is scalar.
    let twords = tsize / 8;
    let pwords = ptrbytes / 8;
    if nslot <= 64 {
        // A small object (most are): its whole pattern in one word, written
        // into the one or two bitmap words it spans.
        // SAFETY: the type's mask has (pwords+7)/8 bytes.
        let elem = unsafe { mask_bits(gcdata, 0, pwords) };
        let mut bits = elem;
        // elems * twords <= nslot <= 64: every shift is below 64.
        for e in 1..elems {
            bits |= elem << (e * twords).min(63);
        }
        write_bits(p, nslot, bits);
        return;
    }
    // SAFETY: the type's mask has (pwords+7)/8 bytes.
    unsafe { write_big(p, nslot, gcdata, twords, pwords, elems) };
}

/// write_object for an object of more than 64 words: its elements'
/// patterns in order, a bitmap word at a time, then the rest of the slot
/// scalar. (Out of line: the small objects' path stays a few cache lines.)
///
/// # Safety
/// As write_object's; mask has (pwords+7)/8 bytes.
#[inline(never)]
unsafe fn write_big(p: usize, nslot: usize, mask: *const u8, twords: usize, pwords: usize, elems: usize) {
    let mut wr = BitWriter::new(p);
    // SAFETY: per the function contract.
    unsafe { write_elems(&mut wr, mask, twords, pwords, elems) };
    wr.repeat(0, nslot - elems * twords);
    wr.finish();
}

/// Push the bits of `elems` consecutive values of a type of `twords`
/// words whose first `pwords` words are described by `mask`.
///
/// # Safety
/// mask has (pwords+7)/8 bytes.
unsafe fn write_elems(wr: &mut BitWriter, mask: *const u8, twords: usize, pwords: usize, elems: usize) {
    if twords <= 64 {
        // SAFETY: the function's contract.
        let elem = unsafe { mask_bits(mask, 0, pwords) };
        // As many whole elements as fit in 64 bits, pushed together.
        let per = 64 / twords;
        let mut group = 0u64;
        for e in 0..per {
            group |= elem << (e * twords);
        }
        let mut e = 0;
        while e + per <= elems {
            wr.push(group, per * twords);
            e += per;
        }
        while e < elems {
            wr.push(elem, twords);
            e += 1;
        }
    } else {
        for _ in 0..elems {
            let mut i = 0;
            while i < pwords {
                let k = (pwords - i).min(64);
                // SAFETY: bits i..i+k of the mask (the function's contract).
                wr.push(unsafe { mask_bits(mask, i, k) }, k);
                i += k;
            }
            wr.repeat(0, twords - pwords);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bitmap of its own for addresses from BASE: 64 words, 4096 heap
    /// words. One test uses it.
    const BASE: usize = 0x100000;
    static mut MAP: [u64; 64] = [0; 64];

    fn locate(p: usize) -> *mut u64 {
        // SAFETY: only the test below touches MAP, from one thread.
        unsafe { core::ptr::addr_of_mut!(MAP).cast::<u64>().add((p - BASE) / 512) }
    }

    fn bit(i: usize) -> bool {
        // SAFETY: as in locate.
        unsafe { *locate(BASE + i * 8) >> (i % 64) & 1 != 0 }
    }

    #[test]
    fn elements_and_tail_match_a_bit_by_bit_writer() {
        // (start word, element words, pointer words, elements, slot words)
        let mask: [u8; 20] = [0b1011_0001, 0x5a, 0xff, 0, 0x81, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0x3f];
        let cases = [
            (0, 1, 1, 200, 256),
            (3, 26, 25, 40, 1100),
            (61, 3, 2, 100, 330),
            (64, 2, 1, 31, 62),
            (7, 70, 70, 9, 640),
            (5, 150, 140, 4, 700),
            (1, 64, 40, 10, 700),
        ];
        for (start, twords, pwords, elems, nslot) in cases {
            for fillv in [0u64, u64::MAX] {
                // SAFETY: as in locate.
                unsafe { (*core::ptr::addr_of_mut!(MAP)).fill(fillv) };
                let mut wr = BitWriter::with(BASE + start * 8, locate);
                // SAFETY: mask has 20 bytes, at least (pwords+7)/8.
                unsafe { write_elems(&mut wr, mask.as_ptr(), twords, pwords, elems) };
                wr.repeat(0, nslot - elems * twords);
                wr.finish();
                for i in 0..4096 {
                    let want = if i < start || i >= start + nslot {
                        fillv != 0
                    } else {
                        let off = i - start;
                        let w = off % twords;
                        off < elems * twords && w < pwords && mask[w / 8] >> (w % 8) & 1 != 0
                    };
                    assert_eq!(bit(i), want, "word {i} of case start={start} twords={twords} pwords={pwords} fill={fillv:x}");
                }
            }
        }
    }
}
