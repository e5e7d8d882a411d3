//! The checks the compiler inserts under `-gcflags=all=-d=checkptr` (also
//! implied by -race and -msan): conversions of unsafe.Pointer to *T and
//! pointer arithmetic must stay inside one allocation, and unsafe.Slice /
//! unsafe.String results must not straddle allocations. Violations are
//! fatal errors with upstream's messages.

use crate::raise::raise_error;
use crate::layout::abi::Type;
use crate::layout::GoSlice;

/// Below this, a non-nil pointer value is certainly bad.
const MIN_LEGAL_POINTER: usize = 4096;

/// The allocation p points into: the current goroutine's stack (as a
/// whole: 1), a heap object's base, a module's data or bss segment, or 0
/// for anything else.
fn alloc_base(p: usize) -> usize {
    let gp = crate::gm::curg();
    // SAFETY: the calling goroutine is live.
    let (lo, hi) = unsafe { ((*gp).stack.lo, (*gp).stack.hi) };
    if lo <= p && p < hi {
        return 1;
    }
    let s = crate::heap::span_of_heap(p);
    if !s.is_null() {
        // SAFETY: an in-use span.
        unsafe { return (*s).obj_base((*s).obj_index(p)) };
    }
    for md in crate::types::modules() {
        if md.data <= p && p < md.edata {
            return md.data;
        }
        if md.bss <= p && p < md.ebss {
            return md.bss;
        }
    }
    0
}

/// Does [p, p+size) cross from one allocation into another?
fn straddles(p: usize, size: usize) -> bool {
    if size <= 1 {
        return false;
    }
    match p.checked_add(size - 1) {
        None => true,
        Some(end) => alloc_base(p) != alloc_base(end),
    }
}

/// (*[n]T)(p): aligned (when T holds pointers) and inside one allocation.
///
/// # Safety
/// The arguments are checkptr instrumentation's: a type descriptor and the
/// pointers being checked (only their values are examined, and memory the
/// type describes).
pub unsafe fn checkptrAlignment(p: *mut u8, elem: *mut Type, n: usize) {
    if p.is_null() {
        return;
    }
    // SAFETY: elem is a type descriptor from compiled code.
    let (ptrbytes, align, size) = unsafe { ((*elem).PtrBytes, (*elem).Align_ as usize, (*elem).Size_) };
    if ptrbytes != 0 && (p as usize) & (align - 1) != 0 {
        crate::fatal::throw("checkptr: misaligned pointer conversion");
    }
    if straddles(p as usize, n.wrapping_mul(size)) {
        crate::fatal::throw("checkptr: converted pointer straddles multiple allocations");
    }
}

/// unsafe.Pointer(uintptr(q) + off): the result, if it points into an
/// allocation, must point into one that an operand pointed into.
///
/// # Safety
/// The arguments are checkptr instrumentation's: a type descriptor and the
/// pointers being checked (only their values are examined, and memory the
/// type describes).
pub unsafe fn checkptrArithmetic(p: *mut u8, originals: GoSlice<*mut u8>) {
    let p = p as usize;
    if p > 0 && p < MIN_LEGAL_POINTER {
        crate::fatal::throw("checkptr: pointer arithmetic computed bad pointer value");
    }
    let base = alloc_base(p);
    if base == 0 {
        return;
    }
    for i in 0..originals.len as usize {
        // SAFETY: the compiler passes a slice of len pointers.
        if alloc_base(unsafe { *originals.ptr.add(i) } as usize) == base {
            return;
        }
    }
    crate::fatal::throw("checkptr: pointer arithmetic result points to invalid allocation");
}

/// unsafe.Slice(ptr, len) under checkptr: the usual checks, then the
/// straddle check.
///
/// # Safety
/// The arguments are checkptr instrumentation's: a type descriptor and the
/// pointers being checked (only their values are examined, and memory the
/// type describes).
pub unsafe fn unsafeslicecheckptr(et: *mut Type, ptr: *mut u8, len64: i64) {
    // SAFETY: et is a type descriptor from compiled code.
    let size = unsafe { (*et).Size_ };
    if len64 < 0 || len64 as isize as i64 != len64 {
        return raise_error("unsafe.Slice: len out of range");
    }
    if size == 0 && ptr.is_null() && len64 > 0 {
        return raise_error("unsafe.Slice: ptr is nil and len is not zero");
    }
    let mem = size.checked_mul(len64 as usize);
    if mem.is_none_or(|m| m > (ptr as usize).wrapping_neg()) {
        if ptr.is_null() {
            return raise_error("unsafe.Slice: ptr is nil and len is not zero");
        }
        return raise_error("unsafe.Slice: len out of range");
    }
    if straddles(ptr as usize, len64 as usize * size) {
        crate::fatal::throw("checkptr: unsafe.Slice result straddles multiple allocations");
    }
}

/// unsafe.String(ptr, len) under checkptr.
///
/// # Safety
/// The arguments are checkptr instrumentation's: a type descriptor and the
/// pointers being checked (only their values are examined, and memory the
/// type describes).
pub unsafe fn unsafestringcheckptr(ptr: *mut u8, len64: i64) {
    if len64 < 0 || len64 as isize as i64 != len64 {
        return raise_error("unsafe.String: len out of range");
    }
    if len64 as usize > (ptr as usize).wrapping_neg() {
        if ptr.is_null() {
            return raise_error("unsafe.String: ptr is nil and len is not zero");
        }
        return raise_error("unsafe.String: len out of range");
    }
    if straddles(ptr as usize, len64 as usize) {
        crate::fatal::throw("checkptr: unsafe.String result straddles multiple allocations");
    }
}
