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
    let shift = b.trailing_zeros() as usize;
    let n = (64 - shift).min(max);
    // SAFETY: bitpos gives a word of the arena's bitmap.
    let bits = unsafe { *w } >> shift;
    (if n == 64 { bits } else { bits & ((1u64 << n) - 1) }, n)
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

/// A mask of the low n bits (n <= 64).
#[inline]
fn low_bits(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
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
    if nslot <= 64 {
        // A small object (most are): its whole pattern in one word, written
        // into the one or two bitmap words it spans.
        let mut elem = 0u64;
        for k in 0..pwords.div_ceil(8) {
            // SAFETY: the mask has (pwords+7)/8 bytes.
            elem |= (unsafe { *gcdata.add(k) } as u64) << (8 * k);
        }
        elem &= low_bits(pwords);
        let mut bits = 0u64;
        // elems * twords <= nslot <= 64: every shift is below 64.
        for e in 0..elems {
            bits |= elem << (e * twords).min(63);
        }
        write_bits(p, nslot, bits);
        return;
    }
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
