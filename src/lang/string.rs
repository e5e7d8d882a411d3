//! Strings: concatenation, conversions between string, []byte and []rune,
//! and UTF-8 decoding, with upstream's allocation behaviour (a caller's
//! stack buffer is used when the compiler provides one and the result fits;
//! one-byte strings point into staticuint64s; capacities are size-class
//! rounded).

use crate::heap::malloc::mallocgc;
use crate::heap::sizeclasses::roundupsize;
use crate::layout::{GoSlice, GoString};
use core::ptr::null_mut;

/// Size of the compiler's temporary buffers (tmpBuf).
pub const TMP_STRING_BUF_SIZE: usize = 32;

pub const EMPTY: GoString = GoString { ptr: core::ptr::null(), len: 0 };

/// Uninitialised heap memory for a string of n bytes.
pub fn rawstring(n: usize) -> *mut u8 {
    // SAFETY: bytes without pointers need no type.
    unsafe { mallocgc(n, null_mut(), false) }
}

/// A heap copy of b as a Go string.
pub fn gostring(b: &[u8]) -> GoString {
    if b.is_empty() {
        return EMPTY;
    }
    let p = rawstring(b.len());
    // SAFETY: p has room for b.len() bytes.
    unsafe { core::ptr::copy_nonoverlapping(b.as_ptr(), p, b.len()) };
    GoString { ptr: p, len: b.len() as isize }
}

/// Concatenate byte slices into a new Go heap string.
pub fn gostring_concat(parts: &[&[u8]]) -> GoString {
    let n: usize = parts.iter().map(|p| p.len()).sum();
    if n == 0 {
        return EMPTY;
    }
    let p = rawstring(n);
    let mut off = 0;
    for part in parts {
        // SAFETY: p has room for n bytes in total.
        unsafe { core::ptr::copy_nonoverlapping(part.as_ptr(), p.add(off), part.len()) };
        off += part.len();
    }
    GoString { ptr: p, len: n as isize }
}

/// Does the string's data live on the current goroutine's stack?
fn on_goroutine_stack(p: *const u8) -> bool {
    let mp = crate::gm::getm();
    // SAFETY: the current m is live; its curg (if any) too.
    unsafe {
        let gp = (*mp).curg;
        !gp.is_null() && (*gp).stack.lo <= p as usize && (p as usize) < (*gp).stack.hi
    }
}

/// Room for n bytes: the caller's buffer when there is one and n fits.
fn rawstringtmp(buf: *mut u8, n: usize) -> *mut u8 {
    crate::leaf::ordinary(rawstringtmp_in::<false>(buf, n))
}

/// rawstringtmp (LEAF: for a fast path, None to decline an allocation
/// beyond the P's cache).
#[inline(always)]
fn rawstringtmp_in<const LEAF: bool>(buf: *mut u8, n: usize) -> Option<*mut u8> {
    if !buf.is_null() && n <= TMP_STRING_BUF_SIZE {
        Some(buf)
    } else {
        // SAFETY: bytes without pointers need no type.
        unsafe { crate::heap::malloc::mallocgc_in::<LEAF>(n, null_mut(), false) }
    }
}

/// # Safety
/// The pointers address live memory of the lengths given: byte or rune
/// data, or a temporary buffer of the size compiled code reserves.
pub unsafe fn concatstrings(buf: *mut u8, a: GoSlice<GoString>) -> GoString {
    // SAFETY: a is a slice of strings built by compiled code.
    let parts = unsafe { a.as_slice() };
    let mut total: usize = 0;
    let mut count = 0;
    let mut idx = 0;
    for (i, s) in parts.iter().enumerate() {
        if s.len == 0 {
            continue;
        }
        total = total.checked_add(s.len as usize).unwrap_or_else(|| crate::fatal::throw("string concatenation too long"));
        if total > isize::MAX as usize {
            crate::fatal::throw("string concatenation too long");
        }
        count += 1;
        idx = i;
    }
    if count == 0 {
        return EMPTY;
    }
    // One non-empty string: no copy needed unless it lives on the stack and
    // the result escapes (no buffer).
    if count == 1 && (!buf.is_null() || !on_goroutine_stack(parts[idx].ptr)) {
        return parts[idx];
    }
    let p = rawstringtmp(buf, total);
    let mut off = 0;
    for s in parts {
        // SAFETY: p has room for total bytes; s describes a live string.
        unsafe {
            core::ptr::copy_nonoverlapping(s.ptr, p.add(off), s.len as usize);
        }
        off += s.len as usize;
    }
    GoString { ptr: p, len: total as isize }
}

/// # Safety
/// As for concatstrings: buf is null or a temporary buffer, parts live
/// strings.
unsafe fn concat_n(buf: *mut u8, parts: &mut [GoString]) -> GoString {
    // SAFETY: per the function contract.
    unsafe { concatstrings(buf, GoSlice { ptr: parts.as_mut_ptr(), len: parts.len() as isize, cap: parts.len() as isize }) }
}

/// # Safety
/// The pointers address live memory of the lengths given: byte or rune
/// data, or a temporary buffer of the size compiled code reserves.
pub unsafe fn concatstring2(buf: *mut u8, a0: GoString, a1: GoString) -> GoString {
    // SAFETY: per the function contract.
    unsafe { concat_n(buf, &mut [a0, a1]) }
}
/// # Safety
/// The pointers address live memory of the lengths given: byte or rune
/// data, or a temporary buffer of the size compiled code reserves.
pub unsafe fn concatstring3(buf: *mut u8, a0: GoString, a1: GoString, a2: GoString) -> GoString {
    // SAFETY: per the function contract.
    unsafe { concat_n(buf, &mut [a0, a1, a2]) }
}
/// # Safety
/// The pointers address live memory of the lengths given: byte or rune
/// data, or a temporary buffer of the size compiled code reserves.
pub unsafe fn concatstring4(buf: *mut u8, a0: GoString, a1: GoString, a2: GoString, a3: GoString) -> GoString {
    // SAFETY: per the function contract.
    unsafe { concat_n(buf, &mut [a0, a1, a2, a3]) }
}
/// # Safety
/// The pointers address live memory of the lengths given: byte or rune
/// data, or a temporary buffer of the size compiled code reserves.
pub unsafe fn concatstring5(buf: *mut u8, a0: GoString, a1: GoString, a2: GoString, a3: GoString, a4: GoString) -> GoString {
    // SAFETY: per the function contract.
    unsafe { concat_n(buf, &mut [a0, a1, a2, a3, a4]) }
}

/// The one-byte string for byte b, without allocating.
fn onebyte(b: u8) -> GoString {
    let tbl = crate::links::links().staticuint64s as *const u64;
    // SAFETY: staticuint64s has 256 entries; on little-endian the low byte of
    // entry b is b itself.
    GoString { ptr: unsafe { tbl.add(b as usize) } as *const u8, len: 1 }
}

/// # Safety
/// The pointers address live memory of the lengths given: byte or rune
/// data, or a temporary buffer of the size compiled code reserves.
pub unsafe fn slicebytetostring(buf: *mut u8, ptr: *mut u8, n: isize) -> GoString {
    // SAFETY: per the function contract.
    crate::leaf::ordinary(unsafe { slicebytetostring_in::<false>(buf, ptr, n) })
}

/// The goroutine-stack fast path of slicebytetostring (src/base/leaf.rs).
///
/// # Safety
/// As slicebytetostring's.
pub unsafe fn leaf_slicebytetostring(buf: *mut u8, ptr: *mut u8, n: isize) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    crate::leaf::Leaf::or_decline(unsafe { slicebytetostring_in::<true>(buf, ptr, n) })
}

/// slicebytetostring (LEAF: its fast path's, None to decline in a race
/// build, whose report of the read a fast path may not make, or an
/// allocation beyond the P's cache).
///
/// # Safety
/// As slicebytetostring's.
#[inline(always)]
unsafe fn slicebytetostring_in<const LEAF: bool>(buf: *mut u8, ptr: *mut u8, n: isize) -> Option<GoString> {
    if LEAF && crate::tsan::enabled() {
        return None;
    }
    if n == 0 {
        return Some(EMPTY);
    }
    if !LEAF {
        crate::racepc::read_range(ptr as usize, n as usize);
    }
    if n == 1 {
        // SAFETY: ptr points at n readable bytes.
        return Some(onebyte(unsafe { *ptr }));
    }
    let p = rawstringtmp_in::<LEAF>(buf, n as usize)?;
    // SAFETY: p has room for n bytes; the source is n readable bytes.
    unsafe { core::ptr::copy(ptr, p, n as usize) };
    Some(GoString { ptr: p, len: n })
}

/// # Safety
/// The pointers address live memory of the lengths given: byte or rune
/// data, or a temporary buffer of the size compiled code reserves.
pub unsafe fn slicebytetostringtmp(ptr: *mut u8, n: isize) -> GoString {
    if n > 0 {
        crate::racepc::read_range(ptr as usize, n as usize);
    }
    GoString { ptr, len: n }
}

/// A byte slice of n bytes with a size-class rounded capacity; the part
/// beyond n is zeroed.
pub fn rawbyteslice(n: usize) -> GoSlice<u8> {
    let cap = roundupsize(n, true);
    // SAFETY: bytes without pointers need no type.
    let p = unsafe { mallocgc(cap, null_mut(), false) };
    if cap != n {
        // SAFETY: p has cap bytes.
        unsafe { core::ptr::write_bytes(p.add(n), 0, cap - n) };
    }
    GoSlice { ptr: p, len: n as isize, cap: cap as isize }
}

/// # Safety
/// The pointers address live memory of the lengths given: byte or rune
/// data, or a temporary buffer of the size compiled code reserves.
pub unsafe fn stringtoslicebyte(buf: *mut u8, s: GoString) -> GoSlice<u8> {
    let n = s.len as usize;
    let b = if !buf.is_null() && n <= TMP_STRING_BUF_SIZE {
        // SAFETY: buf is the caller's tmpBuf of TMP_STRING_BUF_SIZE bytes.
        unsafe { core::ptr::write_bytes(buf, 0, TMP_STRING_BUF_SIZE) };
        GoSlice { ptr: buf, len: n as isize, cap: TMP_STRING_BUF_SIZE as isize }
    } else {
        rawbyteslice(n)
    };
    // SAFETY: b has room for n bytes; s is a live string.
    unsafe { core::ptr::copy_nonoverlapping(s.ptr, b.ptr, n) };
    b
}

pub const RUNE_ERROR: i32 = 0xFFFD;
const SURROGATE_MIN: i32 = 0xD800;
const SURROGATE_MAX: i32 = 0xDFFF;
const MAX_RUNE: i32 = 0x10FFFF;

/// Decode the rune starting at s[k], as `for range` does: (rune, next index).
/// Invalid encodings decode as RuneError and advance one byte.
pub fn decode(s: &[u8], k: usize) -> (i32, usize) {
    let n = s.len();
    let c0 = s[k];
    if c0 < 0x80 {
        return (c0 as i32, k + 1);
    }
    let cont = |i: usize| -> Option<u8> {
        if i < n && s[i] & 0xC0 == 0x80 {
            Some(s[i] & 0x3F)
        } else {
            None
        }
    };
    let bad = (RUNE_ERROR, k + 1);
    if (0xC2..=0xDF).contains(&c0) {
        match cont(k + 1) {
            Some(c1) => return (((c0 & 0x1F) as i32) << 6 | c1 as i32, k + 2),
            None => return bad,
        }
    }
    if (0xE0..=0xEF).contains(&c0) {
        let (Some(c1), Some(c2)) = (cont(k + 1), cont(k + 2)) else { return bad };
        let r = ((c0 & 0x0F) as i32) << 12 | (c1 as i32) << 6 | c2 as i32;
        if r < 0x800 || (SURROGATE_MIN..=SURROGATE_MAX).contains(&r) {
            return bad;
        }
        return (r, k + 3);
    }
    if (0xF0..=0xF4).contains(&c0) {
        let (Some(c1), Some(c2), Some(c3)) = (cont(k + 1), cont(k + 2), cont(k + 3)) else { return bad };
        let r = ((c0 & 0x07) as i32) << 18 | (c1 as i32) << 12 | (c2 as i32) << 6 | c3 as i32;
        if !(0x10000..=MAX_RUNE).contains(&r) {
            return bad;
        }
        return (r, k + 4);
    }
    bad
}

/// Encode r as UTF-8 into b (at least 4 bytes); invalid runes encode as
/// RuneError. Returns the number of bytes written.
pub fn encoderune(b: &mut [u8], r: i32) -> usize {
    let r = if !(0..=MAX_RUNE).contains(&r) || (SURROGATE_MIN..=SURROGATE_MAX).contains(&r) { RUNE_ERROR } else { r };
    let r = r as u32;
    if r < 0x80 {
        b[0] = r as u8;
        1
    } else if r < 0x800 {
        b[0] = 0xC0 | (r >> 6) as u8;
        b[1] = 0x80 | (r & 0x3F) as u8;
        2
    } else if r < 0x10000 {
        b[0] = 0xE0 | (r >> 12) as u8;
        b[1] = 0x80 | ((r >> 6) & 0x3F) as u8;
        b[2] = 0x80 | (r & 0x3F) as u8;
        3
    } else {
        b[0] = 0xF0 | (r >> 18) as u8;
        b[1] = 0x80 | ((r >> 12) & 0x3F) as u8;
        b[2] = 0x80 | ((r >> 6) & 0x3F) as u8;
        b[3] = 0x80 | (r & 0x3F) as u8;
        4
    }
}

fn runelen(r: i32) -> usize {
    let mut b = [0u8; 4];
    encoderune(&mut b, r)
}

pub fn decoderune(s: GoString, k: isize) -> (i32, isize) {
    // SAFETY: s is a live Go string.
    let b = unsafe { s.as_bytes() };
    if k < 0 || k as usize >= b.len() {
        return (RUNE_ERROR, k + 1);
    }
    let (r, next) = decode(b, k as usize);
    (r, next as isize)
}

pub fn countrunes(s: GoString) -> isize {
    // SAFETY: s is a live Go string.
    let b = unsafe { s.as_bytes() };
    let (mut n, mut i) = (0, 0);
    while i < b.len() {
        i = decode(b, i).1;
        n += 1;
    }
    n
}

/// # Safety
/// The pointers address live memory of the lengths given: byte or rune
/// data, or a temporary buffer of the size compiled code reserves.
pub unsafe fn intstring(buf: *mut u8, v: i64) -> GoString {
    let p = if buf.is_null() { rawstring(4) } else { buf };
    let r = if v < 0 || v > MAX_RUNE as i64 { RUNE_ERROR } else { v as i32 };
    // SAFETY: p has room for 4 bytes.
    let n = encoderune(unsafe { core::slice::from_raw_parts_mut(p, 4) }, r);
    GoString { ptr: p, len: n as isize }
}

/// # Safety
/// The pointers address live memory of the lengths given: byte or rune
/// data, or a temporary buffer of the size compiled code reserves.
pub unsafe fn slicerunetostring(buf: *mut u8, a: GoSlice<i32>) -> GoString {
    if a.len > 0 {
        crate::racepc::read_range(a.ptr as usize, a.len as usize * 4);
    }
    // SAFETY: a is a live []rune.
    let runes = unsafe { a.as_slice() };
    let size: usize = runes.iter().map(|&r| runelen(r)).sum();
    if size == 0 {
        return EMPTY;
    }
    let p = rawstringtmp(buf, size + 3);
    let mut off = 0;
    for &r in runes {
        // SAFETY: p has room for size (+3 slack) bytes.
        off += encoderune(unsafe { core::slice::from_raw_parts_mut(p.add(off), 4) }, r);
    }
    GoString { ptr: p, len: size as isize }
}

/// # Safety
/// The pointers address live memory of the lengths given: byte or rune
/// data, or a temporary buffer of the size compiled code reserves.
pub unsafe fn stringtoslicerune(buf: *mut i32, s: GoString) -> GoSlice<i32> {
    // SAFETY: s is a live Go string.
    let b = unsafe { s.as_bytes() };
    let n = countrunes(s) as usize;
    let out = if !buf.is_null() && n <= TMP_STRING_BUF_SIZE {
        // SAFETY: buf is the caller's [32]rune.
        unsafe { core::ptr::write_bytes(buf, 0, TMP_STRING_BUF_SIZE) };
        GoSlice { ptr: buf, len: n as isize, cap: TMP_STRING_BUF_SIZE as isize }
    } else {
        let mem = roundupsize(n * 4, true);
        // SAFETY: per the function contract.
        let p = unsafe { mallocgc(mem, null_mut(), false) } as *mut i32;
        let cap = mem / 4;
        // SAFETY: p has cap runes; zero the tail.
        unsafe { core::ptr::write_bytes(p.add(n), 0, cap - n) };
        GoSlice { ptr: p, len: n as isize, cap: cap as isize }
    };
    let (mut i, mut j) = (0, 0);
    while i < b.len() {
        let (r, next) = decode(b, i);
        // SAFETY: j < n runes fit in out.
        unsafe { *out.ptr.add(j) = r };
        i = next;
        j += 1;
    }
    out
}

/// A Go string copy of a NUL-terminated C string.
///
/// # Safety
/// The pointers address live memory of the lengths given: byte or rune
/// data, or a temporary buffer of the size compiled code reserves.
pub unsafe fn rt_gostring(p: *mut u8) -> GoString {
    if p.is_null() {
        return EMPTY;
    }
    // SAFETY: p is a NUL-terminated C string from the caller.
    let n = unsafe { crate::env::cstrlen(p) };
    // SAFETY: as above, n bytes are readable.
    gostring(unsafe { core::slice::from_raw_parts(p, n) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_decoding_matches_go() {
        assert_eq!(decode("héllo".as_bytes(), 1), (0xE9, 3));
        assert_eq!(decode(&[0xFF, b'a'], 0), (RUNE_ERROR, 1));
        assert_eq!(decode(&[0xED, 0xA0, 0x80], 0), (RUNE_ERROR, 1)); // surrogate
        assert_eq!(decode(&[0xF0, 0x9F, 0x98, 0x80], 0), (0x1F600, 4));
        assert_eq!(decode(&[0xE2, 0x82], 0), (RUNE_ERROR, 1)); // truncated
        let mut b = [0u8; 4];
        assert_eq!(encoderune(&mut b, 0x1F600), 4);
        assert_eq!(encoderune(&mut b, -1), 3);
        assert_eq!(&b[..3], "\u{FFFD}".as_bytes());
    }
}
