//! What packages reflect and internal/reflectlite ask of the runtime:
//! allocation, typed memory operations, module offsets, type links.

use crate::heap::malloc::mallocgc;
use crate::layout::abi::{InterfaceType, PtrType, Type};
use crate::layout::rt::{eface, iface, slice};
use crate::layout::{Eface, GoSlice};
use crate::types;
use core::ptr::null_mut;

pub use crate::slice::typedmemclr;

/// # Safety
/// The pointers come from reflect or internal/reflectlite: type
/// descriptors, and memory holding values of the types they describe.
pub unsafe fn unsafe_New(typ: *mut Type) -> *mut u8 {
    // SAFETY: per the function contract.
    unsafe { crate::heap::malloc::newobject(typ) }
}

/// # Safety
/// The pointers come from reflect or internal/reflectlite: type
/// descriptors, and memory holding values of the types they describe.
pub unsafe fn unsafe_NewArray(typ: *mut Type, n: isize) -> *mut u8 {
    // SAFETY: typ comes from reflect.
    let size = unsafe { (*typ).Size_ };
    match size.checked_mul(n as usize) {
        // SAFETY: per the function contract.
        Some(mem) if n >= 0 && mem <= crate::heap::MAX_ALLOC => unsafe { mallocgc(mem, typ, true) },
        _ => {
            crate::raise::raise_plain("runtime: allocation size out of range");
            null_mut()
        }
    }
}

/// # Safety
/// The pointers come from reflect or internal/reflectlite: type
/// descriptors, and memory holding values of the types they describe.
pub unsafe fn typedmemclrpartial(typ: *mut Type, ptr: *mut u8, off: usize, size: usize) {
    // SAFETY: reflect passes a range inside a live value.
    unsafe {
        if (*typ).PtrBytes != 0 && (ptr as usize + off).is_multiple_of(8) {
            crate::wb::bulk(ptr.add(off), core::ptr::null(), size);
        }
        core::ptr::write_bytes(ptr.add(off), 0, size)
    };
}

/// # Safety
/// The pointers come from reflect or internal/reflectlite: type
/// descriptors, and memory holding values of the types they describe.
pub unsafe fn typedarrayclear(typ: *mut Type, ptr: *mut u8, len: isize) {
    // SAFETY: ptr holds len values of typ.
    unsafe {
        if (*typ).PtrBytes != 0 {
            crate::wb::bulk(ptr, core::ptr::null(), (*typ).Size_ * len as usize);
        }
        core::ptr::write_bytes(ptr, 0, (*typ).Size_ * len as usize)
    };
}

/// reflect's and internal/reflectlite's typed copy: as the compiled
/// code's, and under -race reported as reflect.typedmemmove's write of dst
/// and read of src (compiled code reports its own copies; reflect's happen
/// in the runtime). reflectlite's are reported as reflect.typedmemmove's
/// called from internal/reflectlite.typedmemmove, as upstream's (racepc).
///
/// # Safety
/// The pointers come from reflect or internal/reflectlite: a type
/// descriptor, and memory holding values of the type it describes.
pub unsafe fn reflect_typedmemmove(typ: *mut Type, dst: *mut u8, src: *mut u8) {
    // SAFETY: per the function contract.
    unsafe {
        crate::racepc::write_object(typ, dst as usize);
        crate::racepc::read_object(typ, src as usize);
        crate::slice::typedmemmove(typ, dst, src)
    }
}

/// The goroutine-stack fast path of reflect_typedmemmove (src/base/leaf.rs):
/// typedmemmove's, except in race builds (the reports).
///
/// # Safety
/// As reflect_typedmemmove's.
pub unsafe fn leaf_reflect_typedmemmove(typ: *mut Type, dst: *mut u8, src: *mut u8) -> crate::leaf::Leaf {
    if crate::tsan::enabled() {
        return crate::leaf::Leaf::DECLINE;
    }
    // SAFETY: per the function contract.
    unsafe { crate::slice::leaf_typedmemmove(typ, dst, src) }
}

/// # Safety
/// The pointers come from reflect or internal/reflectlite: type
/// descriptors, and memory holding values of the types they describe.
pub unsafe fn reflect_typedslicecopy(elem: *mut Type, dst: slice, src: slice) -> isize {
    // SAFETY: per the function contract.
    unsafe {
        // Without pointers a plain copy, which -race reports as upstream
        // reports its slicecopy call here (the source read first).
        if (*elem).PtrBytes == 0 {
            return crate::slice::slicecopy(dst.array, dst.len, src.array, src.len, (*elem).Size_);
        }
        crate::slice::typedslicecopy(elem, dst.array, dst.len, src.array, src.len)
    }
}

/// # Safety
/// The pointers come from reflect or internal/reflectlite: type
/// descriptors, and memory holding values of the types they describe.
pub unsafe fn resolveNameOff(ptr: *mut u8, off: i32) -> *mut u8 {
    types::resolve_name_off(ptr as usize, off) as *mut u8
}

/// # Safety
/// The pointers come from reflect or internal/reflectlite: type
/// descriptors, and memory holding values of the types they describe.
pub unsafe fn resolveTypeOff(rtype: *mut u8, off: i32) -> *mut u8 {
    types::resolve_type_off(rtype as usize, off) as *mut u8
}

/// The goroutine-stack fast path of resolveNameOff (src/base/leaf.rs):
/// offsets into a module's type data; those of types reflect made need
/// the registry's lock.
///
/// # Safety
/// As resolveNameOff's.
pub unsafe fn leaf_resolveNameOff(ptr: *mut u8, off: i32) -> crate::leaf::Leaf {
    if off == 0 {
        return crate::leaf::Leaf::one(0);
    }
    match types::module_of(ptr as usize) {
        Some(md) => crate::leaf::Leaf::one((md.types as isize + off as isize) as usize),
        None => crate::leaf::Leaf::DECLINE,
    }
}

/// The goroutine-stack fast path of resolveTypeOff (as leaf_resolveNameOff).
///
/// # Safety
/// As resolveTypeOff's.
pub unsafe fn leaf_resolveTypeOff(rtype: *mut u8, off: i32) -> crate::leaf::Leaf {
    if off == 0 || off == -1 {
        return crate::leaf::Leaf::one(0);
    }
    match types::module_of(rtype as usize) {
        Some(md) => crate::leaf::Leaf::one((md.types as isize + off as isize) as usize),
        None => crate::leaf::Leaf::DECLINE,
    }
}

/// The goroutine-stack fast path of unsafe_New (src/base/leaf.rs).
///
/// # Safety
/// As unsafe_New's.
pub unsafe fn leaf_unsafe_New(typ: *mut Type) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    unsafe { crate::heap::malloc::leaf_newobject(typ) }
}

/// # Safety
/// The pointers come from reflect or internal/reflectlite: type
/// descriptors, and memory holding values of the types they describe.
pub unsafe fn resolveTextOff(rtype: *mut u8, off: i32) -> *mut u8 {
    types::resolve_text_off(rtype as usize, off) as *mut u8
}

/// # Safety
/// The pointers come from reflect or internal/reflectlite: type
/// descriptors, and memory holding values of the types they describe.
pub unsafe fn addReflectOff(ptr: *mut u8) -> i32 {
    // The table is scanned only when a collection starts: what reflect
    // registers while one marks is shaded (its other references may go
    // before anything scans them).
    crate::wb::shade2(ptr as usize, 0);
    types::add_runtime_off(ptr)
}

/// For each module: its types base, and its typelinks (offsets from it).
pub fn typelinks() -> (GoSlice<*mut u8>, GoSlice<GoSlice<i32>>) {
    let n = types::modules().count();
    // SAFETY: untyped memory: what it points to (module data) is never
    // collected.
    let bases = unsafe { mallocgc(n * 8, null_mut(), true) } as *mut *mut u8;
    // SAFETY: as above.
    let links = unsafe { mallocgc(n * 24, null_mut(), true) } as *mut GoSlice<i32>;
    for (i, md) in types::modules().enumerate() {
        // SAFETY: both arrays have n entries; typelinks is linker data.
        unsafe {
            *bases.add(i) = md.types as *mut u8;
            *links.add(i) = md.typelinks;
        }
    }
    (
        GoSlice { ptr: bases, len: n as isize, cap: n as isize },
        GoSlice { ptr: links, len: n as isize, cap: n as isize },
    )
}

/// # Safety
/// The pointers come from reflect or internal/reflectlite: type
/// descriptors, and memory holding values of the types they describe.
pub unsafe fn ifaceE2I(inter: *mut InterfaceType, e: eface, dst: *mut iface) {
    if e._type.is_null() {
        // SAFETY: inter is a descriptor.
        crate::raise::raise_type_assert(null_mut(), null_mut(), unsafe { &(*inter).Type });
        return;
    }
    // SAFETY: per the function contract.
    let tab = unsafe { crate::iface::getitab(inter, e._type, false) };
    // SAFETY: dst points at an interface value.
    unsafe {
        (*dst).tab = tab;
        (*dst).data = e.data;
    }
}

/// # Safety
/// The pointers come from reflect or internal/reflectlite: type
/// descriptors, and memory holding values of the types they describe.
pub unsafe fn reflect_typehash(t: *mut Type, p: *mut u8, h: usize) -> usize {
    // SAFETY: p points at a value of type t.
    unsafe { crate::alg::typehash(t, p, h) }
}

/// May a not-in-heap pointer type hold p? Not if p points into memory the
/// runtime manages: a heap arena (upstream: any span) or a goroutine stack
/// (upstream's stacks are spans too), nor the compiler's clobber pattern.
pub fn verifyNotInHeapPtr(p: usize) -> bool {
    const CLOBBERDEAD: usize = 0xdeaddead_deaddead;
    if p == CLOBBERDEAD || !crate::heap::span_of(p).is_null() {
        return false;
    }
    let mut in_stack = false;
    crate::gm::for_each_g(|gp| {
        // SAFETY: gp is a G of allgs (never freed); its bounds are read as
        // a snapshot.
        let (lo, hi) = unsafe { ((*gp).stack.lo, (*gp).stack.hi) };
        in_stack |= lo <= p && p < hi;
    });
    !in_stack
}

/// reflect's test hook GCBits: the pointer mask (one byte, 0 or 1, per
/// word) of the value x points to, as the collector sees it: from the heap
/// bits of the object holding it (its whole slot, trailing scalar words
/// dropped; nothing for a span without pointers), from the module's data or
/// bss mask, or from the live-pointer map of the current goroutine's frame
/// holding it. Memory the collector does not scan gives an empty mask.
pub fn gcbits(x: Eface) -> GoSlice<u8> {
    const EMPTY: GoSlice<u8> = GoSlice { ptr: null_mut(), len: 0, cap: 0 };
    // SAFETY: x.typ is a type descriptor (reflect passes a non-nil value).
    let (kind, elem) = unsafe {
        if x.typ.is_null() {
            (0, null_mut())
        } else {
            ((*x.typ).Kind_ & types::KIND_MASK, (*(x.typ as *mut PtrType)).Elem)
        }
    };
    if kind != types::KIND_POINTER {
        crate::fatal::throw("bad argument to getgcmask: expected type to be a pointer to the value type whose mask is being queried");
    }
    let p = x.data as usize;
    // SAFETY: elem is the pointer type's element descriptor.
    let words = unsafe { (*elem).Size_ } / 8;

    // A global: the word bits of its segment's GC program.
    for md in types::modules() {
        for (lo, hi, prog) in [(md.data, md.edata, md.gcdata), (md.bss, md.ebss, md.gcbss)] {
            if lo <= p && p < hi {
                let out = new_mask(words);
                let first = (p - lo) / 8;
                // SAFETY: prog is the linker's program for this segment; out
                // has `words` bytes.
                unsafe {
                    crate::gcprog::run_prog(prog as *const u8, |i, v| {
                        if v && i >= first && i - first < words {
                            *out.ptr.add(i - first) = 1;
                        }
                    })
                };
                return out;
            }
        }
    }

    // A heap object: its slot's bits, without trailing scalars.
    let s = crate::heap::span_of_heap(p);
    if !s.is_null() {
        // SAFETY: an in-use span; x keeps the object alive.
        let sp = unsafe { &*s };
        if sp.noscan() {
            return EMPTY;
        }
        let base = sp.obj_base(sp.obj_index(p));
        let size = if sp.size_class() == 0 { sp.largesize.max(8) } else { sp.elemsize };
        let n = (0..size / 8).rev().find(|&i| crate::heap::bits::is_pointer(base + i * 8)).map_or(0, |i| i + 1);
        let out = new_mask(n);
        for i in 0..n {
            // SAFETY: out has n bytes.
            unsafe { *out.ptr.add(i) = crate::heap::bits::is_pointer(base + i * 8) as u8 };
        }
        return out;
    }

    // The current goroutine's stack: the live-pointer map of the locals of
    // the frame holding p (address-taken variables are in no such map: all
    // zero), nothing for a frame without a map.
    let mp = crate::gm::getm();
    // SAFETY: the current m; its goroutine is away in the runtime, its
    // context saved by rtcall.
    let gp = unsafe { (*mp).curg };
    if gp.is_null() {
        return EMPTY;
    }
    // SAFETY: as above.
    let (lo, hi) = unsafe { ((*gp).stack.lo, (*gp).stack.hi) };
    if p < lo || p >= hi {
        return EMPTY;
    }
    let mut callee_sigpanic = false;
    for f in crate::traceback::Unwinder::for_g(gp) {
        if f.sp <= p && p < f.varp() {
            let out = new_mask(words);
            let n = crate::stackmap::live_locals(&f, callee_sigpanic, |a| {
                if a >= p && a < p + words * 8 {
                    // SAFETY: out has `words` bytes.
                    unsafe { *out.ptr.add((a - p) / 8) = 1 };
                }
            });
            return if n == 0 { EMPTY } else { out };
        }
        callee_sigpanic = f.fi.func_id() == crate::symtab::FUNCID_SIGPANIC;
    }
    EMPTY
}

/// A zeroed []byte of n elements in the heap.
fn new_mask(n: usize) -> GoSlice<u8> {
    if n == 0 {
        return GoSlice { ptr: null_mut(), len: 0, cap: 0 };
    }
    // SAFETY: bytes without pointers need no type.
    GoSlice { ptr: unsafe { mallocgc(n, null_mut(), true) }, len: n as isize, cap: n as isize }
}
