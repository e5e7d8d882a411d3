//! What packages reflect and internal/reflectlite ask of the runtime:
//! allocation, typed memory operations, module offsets, type links.

use crate::errors;
use crate::heap::malloc::mallocgc;
use crate::layout::abi::{InterfaceType, Type};
use crate::layout::rt::{eface, iface, slice};
use crate::layout::GoSlice;
use crate::types;
use core::ptr::null_mut;

pub use crate::slice::{typedmemclr, typedmemmove};

pub fn unsafe_New(typ: *mut Type) -> *mut u8 {
    crate::heap::malloc::newobject(typ)
}

pub fn unsafe_NewArray(typ: *mut Type, n: isize) -> *mut u8 {
    // SAFETY: typ comes from reflect.
    let size = unsafe { (*typ).Size_ };
    match size.checked_mul(n as usize) {
        Some(mem) if n >= 0 && mem <= crate::slice::MAX_ALLOC => mallocgc(mem, typ, true),
        _ => {
            errors::raise_plain("runtime: allocation size out of range");
            null_mut()
        }
    }
}

pub fn typedmemclrpartial(_typ: *mut Type, ptr: *mut u8, off: usize, size: usize) {
    // SAFETY: reflect passes a range inside a live value.
    unsafe { core::ptr::write_bytes(ptr.add(off), 0, size) };
}

pub fn typedarrayclear(typ: *mut Type, ptr: *mut u8, len: isize) {
    // SAFETY: ptr holds len values of typ.
    unsafe { core::ptr::write_bytes(ptr, 0, (*typ).Size_ * len as usize) };
}

pub fn reflect_typedslicecopy(elem: *mut Type, dst: slice, src: slice) -> isize {
    crate::slice::typedslicecopy(elem, dst.array, dst.len, src.array, src.len)
}

pub fn reflect_growslice(et: *mut Type, old: slice, num: isize) -> slice {
    // Room for num more elements beyond len (cap may already cover some).
    let num = num - (old.cap - old.len);
    let mut new = crate::slice::growslice(old.array, old.cap + num, old.cap, num, et);
    // SAFETY: et is a descriptor; new is a fresh array of new.cap elements.
    unsafe {
        if (*et).PtrBytes == 0 && !new.array.is_null() {
            let size = (*et).Size_;
            core::ptr::write_bytes(new.array.add(old.len as usize * size), 0, (new.len - old.len) as usize * size);
        }
    }
    new.len = old.len;
    new
}

pub fn resolveNameOff(ptr: *mut u8, off: i32) -> *mut u8 {
    types::resolve_name_off(ptr as usize, off) as *mut u8
}

pub fn resolveTypeOff(rtype: *mut u8, off: i32) -> *mut u8 {
    types::resolve_type_off(rtype as usize, off) as *mut u8
}

pub fn resolveTextOff(rtype: *mut u8, off: i32) -> *mut u8 {
    types::resolve_text_off(rtype as usize, off) as *mut u8
}

pub fn addReflectOff(ptr: *mut u8) -> i32 {
    types::add_runtime_off(ptr)
}

/// For each module: its types base, and its typelinks (offsets from it).
pub fn typelinks() -> (GoSlice<*mut u8>, GoSlice<GoSlice<i32>>) {
    let n = types::modules().count();
    let bases = mallocgc(n * 8, null_mut(), true) as *mut *mut u8;
    let links = mallocgc(n * 24, null_mut(), true) as *mut GoSlice<i32>;
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

pub fn ifaceE2I(inter: *mut InterfaceType, e: eface, dst: *mut iface) {
    if e._type.is_null() {
        // SAFETY: inter is a descriptor.
        errors::raise_type_assert(null_mut(), null_mut(), unsafe { &(*inter).Type });
        return;
    }
    let tab = crate::iface::getitab(inter, e._type, false);
    // SAFETY: dst points at an interface value.
    unsafe {
        (*dst).tab = tab;
        (*dst).data = e.data;
    }
}

pub fn reflect_typehash(t: *mut Type, p: *mut u8, h: usize) -> usize {
    // SAFETY: p points at a value of type t.
    unsafe { crate::alg::typehash(t, p, h) }
}

pub fn verifyNotInHeapPtr(p: usize) -> bool {
    !crate::heap::in_heap(p)
}
