//! Slices: make, append's growth (upstream's formula and size-class
//! rounding, which programs observe through cap), copy; and the typed
//! memory operations the compiler emits for values with pointers.
//!
//! Write barriers: while the collector marks, the typed operations shade
//! what they overwrite and what they copy (`wb::bulk`, mem/wb.rs) before
//! moving memory, as upstream's bulkBarrierPreWrite does.

use crate::raise::raise_error;
use crate::heap::malloc::mallocgc;
use crate::heap::sizeclasses::roundupsize;
use crate::heap::MAX_ALLOC;
use crate::layout::abi::Type;
use crate::layout::rt::slice;
use core::ptr::null_mut;

#[inline]
fn mul_overflow(a: usize, b: usize) -> (usize, bool) {
    match a.checked_mul(b) {
        Some(v) => (v, false),
        None => (0, true),
    }
}

/// # Safety
/// et must be a type descriptor.
unsafe fn elem_size(et: *mut Type) -> usize {
    // SAFETY: per the function contract.
    unsafe { (*et).Size_ }
}

/// # Safety
/// The type descriptors describe the elements the pointers address, over
/// the lengths given (compiled code's contract).
pub unsafe fn makeslice(et: *mut Type, len: isize, cap: isize) -> *mut u8 {
    // SAFETY: per the function contract.
    crate::leaf::ordinary(unsafe { makeslice_in::<false>(et, len, cap) })
}

/// The goroutine-stack fast path of makeslice (src/base/leaf.rs): a
/// valid length and capacity, the memory from the P's cache.
///
/// # Safety
/// As makeslice's.
pub unsafe fn leaf_makeslice(et: *mut Type, len: isize, cap: isize) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    crate::leaf::Leaf::or_decline(unsafe { makeslice_in::<true>(et, len, cap) })
}

/// makeslice (LEAF: its fast path's, None to decline an invalid length or
/// capacity, whose panic the ordinary entry raises, or an allocation
/// beyond the P's cache).
///
/// # Safety
/// As makeslice's.
#[inline(always)]
unsafe fn makeslice_in<const LEAF: bool>(et: *mut Type, len: isize, cap: isize) -> Option<*mut u8> {
    // SAFETY: et comes from compiled code.
    let size = unsafe { elem_size(et) };
    let (mem, overflow) = mul_overflow(size, cap as usize);
    if overflow || mem > MAX_ALLOC || len < 0 || len > cap {
        if LEAF {
            return None;
        }
        // Say which bound failed: len takes precedence, as upstream reports.
        let (mem, overflow) = mul_overflow(size, len as usize);
        if overflow || mem > MAX_ALLOC || len < 0 {
            raise_error("makeslice: len out of range");
        } else {
            raise_error("makeslice: cap out of range");
        }
        return Some(null_mut());
    }
    // SAFETY: per the function contract.
    unsafe { crate::heap::malloc::mallocgc_in::<LEAF>(mem, et, true) }
}

/// # Safety
/// The type descriptors describe the elements the pointers address, over
/// the lengths given (compiled code's contract).
pub unsafe fn makeslice64(et: *mut Type, len64: i64, cap64: i64) -> *mut u8 {
    // SAFETY: per the function contract.
    crate::leaf::ordinary(unsafe { makeslice64_in::<false>(et, len64, cap64) })
}

/// The goroutine-stack fast path of makeslice64 (src/base/leaf.rs).
///
/// # Safety
/// As makeslice64's.
pub unsafe fn leaf_makeslice64(et: *mut Type, len64: i64, cap64: i64) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    crate::leaf::Leaf::or_decline(unsafe { makeslice64_in::<true>(et, len64, cap64) })
}

/// makeslice64 (LEAF: its fast path's, declining as makeslice_in's, and a
/// length or capacity beyond int's range).
///
/// # Safety
/// As makeslice64's.
#[inline(always)]
unsafe fn makeslice64_in<const LEAF: bool>(et: *mut Type, len64: i64, cap64: i64) -> Option<*mut u8> {
    if len64 as isize as i64 != len64 {
        if LEAF {
            return None;
        }
        raise_error("makeslice: len out of range");
        return Some(null_mut());
    }
    if cap64 as isize as i64 != cap64 {
        if LEAF {
            return None;
        }
        raise_error("makeslice: cap out of range");
        return Some(null_mut());
    }
    // SAFETY: per the function contract.
    unsafe { makeslice_in::<LEAF>(et, len64 as isize, cap64 as isize) }
}

/// # Safety
/// The type descriptors describe the elements the pointers address, over
/// the lengths given (compiled code's contract).
pub unsafe fn makeslicecopy(et: *mut Type, tolen: isize, fromlen: isize, from: *mut u8) -> *mut u8 {
    // SAFETY: et comes from compiled code.
    let size = unsafe { elem_size(et) };
    let (tomem, overflow) = mul_overflow(size, tolen as usize);
    if overflow || tomem > MAX_ALLOC || tolen < 0 {
        // make(T, n) then copy: only a length was given.
        raise_error("makeslice: len out of range");
        return null_mut();
    }
    let copymem = if fromlen > tolen { tomem } else { size * fromlen as usize };
    crate::racepc::read_range(from as usize, copymem);
    // SAFETY: et comes from compiled code.
    let noscan = unsafe { (*et).PtrBytes } == 0;
    let to = if noscan {
        // SAFETY: per the function contract.
        let p = unsafe { mallocgc(tomem, null_mut(), false) };
        if copymem < tomem {
            // SAFETY: p has tomem bytes.
            unsafe { core::ptr::write_bytes(p.add(copymem), 0, tomem - copymem) };
        }
        p
    } else {
        // SAFETY: per the function contract.
        unsafe { mallocgc(tomem, et, true) }
    };
    // SAFETY: both regions are at least copymem bytes.
    unsafe {
        if !noscan {
            // Shade what the new (marked, unscanned) array receives.
            crate::wb::bulk(to, from, copymem);
        }
        core::ptr::copy(from, to, copymem)
    };
    to
}

/// The capacity append grows to before size-class rounding.
pub fn nextslicecap(newlen: isize, oldcap: isize) -> isize {
    let mut newcap = oldcap;
    let doublecap = newcap + newcap;
    if newlen > doublecap {
        return newlen;
    }
    const THRESHOLD: isize = 256;
    if oldcap < THRESHOLD {
        return doublecap;
    }
    loop {
        // Grow by 1.25x, smoothly from 2x for small slices.
        newcap += (newcap + 3 * THRESHOLD) >> 2;
        if newcap as usize >= newlen as usize {
            break;
        }
    }
    if newcap <= 0 {
        return newlen;
    }
    newcap
}

/// Capacity and byte sizes of a grown slice: (newcap, lenmem, newlenmem,
/// capmem, overflow).
pub fn grow_sizes(size: usize, oldlen: isize, newlen: isize, oldcap: isize, noscan: bool) -> (isize, usize, usize, usize, bool) {
    let mut newcap = nextslicecap(newlen, oldcap);
    let (lenmem, newlenmem, capmem, overflow);
    if size == 1 {
        lenmem = oldlen as usize;
        newlenmem = newlen as usize;
        let c = roundupsize(newcap as usize, noscan);
        overflow = c > MAX_ALLOC;
        newcap = c as isize;
        capmem = c;
    } else if size == 8 {
        lenmem = oldlen as usize * 8;
        newlenmem = newlen as usize * 8;
        let c = roundupsize((newcap as usize).wrapping_mul(8), noscan);
        overflow = newcap as usize > MAX_ALLOC / 8;
        newcap = (c / 8) as isize;
        capmem = newcap as usize * 8;
    } else if size.is_power_of_two() {
        let shift = size.trailing_zeros();
        lenmem = (oldlen as usize) << shift;
        newlenmem = (newlen as usize) << shift;
        let c = roundupsize((newcap as usize).wrapping_shl(shift), noscan);
        overflow = newcap as usize > MAX_ALLOC >> shift;
        newcap = (c >> shift) as isize;
        capmem = (newcap as usize) << shift;
    } else {
        lenmem = oldlen as usize * size;
        newlenmem = newlen as usize * size;
        let (c, o) = mul_overflow(size, newcap as usize);
        let c = roundupsize(c, noscan);
        newcap = (c / size) as isize;
        capmem = newcap as usize * size;
        overflow = o;
    }
    (newcap, lenmem, newlenmem, capmem, overflow || capmem > MAX_ALLOC)
}

/// append's slow path: room for `num` more elements, newlen in total.
///
/// # Safety
/// The type descriptors describe the elements the pointers address, over
/// the lengths given (compiled code's contract).
pub unsafe fn growslice(old: *mut u8, newlen: isize, oldcap: isize, num: isize, et: *mut Type) -> slice {
    // SAFETY: per the function contract.
    crate::leaf::ordinary(unsafe { growslice_in::<false>(old, newlen, oldcap, num, et) })
}

/// The goroutine-stack fast path of growslice (src/base/leaf.rs).
///
/// # Safety
/// As growslice's.
pub unsafe fn leaf_growslice(old: *mut u8, newlen: isize, oldcap: isize, num: isize, et: *mut Type) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    crate::leaf::Leaf::or_decline(unsafe { growslice_in::<true>(old, newlen, oldcap, num, et) })
}

/// growslice (LEAF: its fast path's, which declines, before changing
/// anything, in a race build, on a bad length, for elements with pointers
/// while the write barrier is on, and for an array the P's cache cannot
/// serve).
///
/// # Safety
/// As growslice's.
#[inline(always)]
unsafe fn growslice_in<const LEAF: bool>(old: *mut u8, newlen: isize, oldcap: isize, num: isize, et: *mut Type) -> Option<slice> {
    let oldlen = newlen - num;
    if crate::tsan::enabled() && oldlen > 0 {
        if LEAF {
            return None;
        }
        // SAFETY: et comes from compiled code.
        crate::racepc::read_range(old as usize, oldlen as usize * unsafe { (*et).Size_ });
    }
    let fail = slice { array: null_mut(), len: 0, cap: 0 };
    if newlen < 0 {
        if LEAF {
            return None;
        }
        raise_error("growslice: len out of range");
        return Some(fail);
    }
    // SAFETY: et comes from compiled code.
    let (size, noscan) = unsafe { ((*et).Size_, (*et).PtrBytes == 0) };
    if size == 0 {
        // append should not create a slice with nil pointer but non-zero len.
        return Some(slice { array: crate::links::links().zerobase as *mut u8, len: newlen, cap: newlen });
    }
    let (newcap, lenmem, newlenmem, capmem, overflow) = grow_sizes(size, oldlen, newlen, oldcap, noscan);
    if overflow {
        if LEAF {
            return None;
        }
        raise_error("growslice: len out of range");
        return Some(fail);
    }
    // A fast path's barrier below records in the m's buffer (wb::bulk):
    // only if it fits. (The flag cannot change while a fast path runs: the
    // world would have to stop.)
    if LEAF && !noscan && crate::wb::enabled() && !crate::wb::leaf_room(2 * lenmem / 8) {
        return None;
    }
    // One allocation call for both kinds of element (an inlined
    // allocation fast path is a kilobyte of code).
    let (typ, needzero) = if noscan { (null_mut(), false) } else { (et, true) };
    // SAFETY: per the function contract.
    let p = unsafe { crate::heap::malloc::mallocgc_in::<LEAF>(capmem, typ, needzero)? };
    if noscan {
        // Only the appended-to part beyond newlen needs zeroing: append
        // writes the new elements itself.
        // SAFETY: p has capmem bytes.
        unsafe { core::ptr::write_bytes(p.add(newlenmem), 0, capmem - newlenmem) };
    }
    // SAFETY: the old array has lenmem bytes; p has at least that.
    unsafe {
        if !noscan {
            // The new array is allocated marked and will not be scanned
            // in this cycle: what it receives is shaded (the old array may
            // be dropped before anything scans it).
            crate::wb::bulk(p, old, lenmem);
        }
        core::ptr::copy_nonoverlapping(old, p, lenmem)
    };
    Some(slice { array: p, len: newlen, cap: newcap })
}

/// # Safety
/// The type descriptors describe the elements the pointers address, over
/// the lengths given (compiled code's contract).
pub unsafe fn slicecopy(to: *mut u8, tolen: isize, from: *mut u8, fromlen: isize, width: usize) -> isize {
    if fromlen == 0 || tolen == 0 {
        return 0;
    }
    let n = fromlen.min(tolen);
    if width == 0 {
        return n;
    }
    crate::racepc::read_range(from as usize, n as usize * width);
    crate::racepc::write_range(to as usize, n as usize * width);
    // SAFETY: both slices have at least n elements of width bytes.
    unsafe { core::ptr::copy(from, to, n as usize * width) };
    n
}

/// # Safety
/// The type descriptors describe the elements the pointers address, over
/// the lengths given (compiled code's contract).
pub unsafe fn typedmemmove(typ: *mut Type, dst: *mut u8, src: *mut u8) {
    // SAFETY: typ comes from compiled code; dst and src hold values of it.
    unsafe {
        if dst == src || (*typ).Size_ == 0 {
            return;
        }
        crate::wb::typed_move(typ, dst, src);
    }
}

/// The goroutine-stack fast path of typedmemmove (src/base/leaf.rs): all
/// of it, unless the type has pointers, the write barrier is on and the
/// m's barrier buffer has no room for them (a fast path cannot drain it).
///
/// # Safety
/// As typedmemmove's.
pub unsafe fn leaf_typedmemmove(typ: *mut Type, dst: *mut u8, src: *mut u8) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    unsafe {
        if (*typ).PtrBytes != 0 && crate::wb::enabled() && !crate::wb::leaf_room(2 * (*typ).PtrBytes / 8) {
            return crate::leaf::Leaf::DECLINE;
        }
        typedmemmove(typ, dst, src);
    }
    crate::leaf::Leaf::one(0)
}

/// # Safety
/// The type descriptors describe the elements the pointers address, over
/// the lengths given (compiled code's contract).
pub unsafe fn typedmemclr(typ: *mut Type, ptr: *mut u8) {
    // SAFETY: as for typedmemmove.
    unsafe { crate::wb::typed_clear(typ, ptr) };
}

/// # Safety
/// The type descriptors describe the elements the pointers address, over
/// the lengths given (compiled code's contract).
pub unsafe fn typedslicecopy(typ: *mut Type, dst: *mut u8, dstlen: isize, src: *mut u8, srclen: isize) -> isize {
    let n = dstlen.min(srclen);
    if n <= 0 {
        return 0;
    }
    // SAFETY: as for typedmemmove.
    unsafe {
        // Reported as a copy by runtime.slicecopy (as upstream's).
        crate::racepc::typed_copy_as_slicecopy(dst as usize, src as usize, n as usize * (*typ).Size_);
        if dst != src {
            if (*typ).PtrBytes != 0 {
                crate::wb::bulk(dst, src, n as usize * (*typ).Size_);
            }
            core::ptr::copy(src, dst, n as usize * (*typ).Size_);
        }
    }
    n
}

/// Bulk write barriers before compiled code zeroes or copies a value of a
/// type with pointers itself (called only while writeBarrier.enabled).
///
/// # Safety
/// The type descriptors describe the elements the pointers address, over
/// the lengths given (compiled code's contract).
pub unsafe fn wbZero(typ: *mut Type, dst: *mut u8) {
    // SAFETY: per the function contract.
    unsafe { crate::wb::bulk(dst, core::ptr::null(), (*typ).PtrBytes) };
}
/// # Safety
/// The type descriptors describe the elements the pointers address, over
/// the lengths given (compiled code's contract).
pub unsafe fn wbMove(typ: *mut Type, dst: *mut u8, src: *mut u8) {
    // SAFETY: per the function contract.
    unsafe { crate::wb::bulk(dst, src, (*typ).PtrBytes) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_growth_matches_upstream_caps() {
        // cap sequences observed with go1.22.12 for append of one element.
        let seq = |size: usize, noscan: bool, n: usize| {
            let (mut cap, mut out) = (0isize, vec![]);
            for len in 1..=n as isize {
                if len > cap {
                    cap = grow_sizes(size, len - 1, len, cap, noscan).0;
                    out.push(cap);
                }
            }
            out
        };
        assert_eq!(seq(8, true, 2000), vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 848, 1280, 1792, 2560]);
        assert_eq!(seq(1, true, 100), vec![8, 16, 32, 64, 128]);
        assert_eq!(seq(24, false, 100), vec![1, 2, 4, 8, 16, 37, 74, 170]);
    }
}
