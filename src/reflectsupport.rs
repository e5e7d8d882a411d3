//! What packages reflect and internal/reflectlite ask of the runtime:
//! allocation, typed memory operations, module offsets, type links.

use crate::errors;
use crate::heap::malloc::mallocgc;
use crate::layout::abi::{InterfaceType, Type};
use crate::layout::rt::{eface, iface, slice};
use crate::layout::GoSlice;
use crate::lock::Mutex;
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
    if off < 0 && off != -1 {
        return reflect_off(off);
    }
    types::resolve_type_off(rtype as usize, off) as *mut u8
}

pub fn resolveTextOff(rtype: *mut u8, off: i32) -> *mut u8 {
    if off == -1 {
        // The linker dropped the method: calls end in a clear error.
        return crate::proc::links().unreachableMethod as *mut u8;
    }
    if off < 0 {
        return reflect_off(off);
    }
    types::resolve_text_off(rtype as usize, off) as *mut u8
}

/// Types and methods reflect creates at run time get negative offsets.
static REFLECT_OFFS_LOCK: Mutex = Mutex::new();
static mut REFLECT_OFFS: *mut *mut u8 = null_mut();
static mut REFLECT_OFFS_LEN: usize = 0;
static mut REFLECT_OFFS_CAP: usize = 0;

pub fn addReflectOff(ptr: *mut u8) -> i32 {
    REFLECT_OFFS_LOCK.lock();
    // SAFETY: under REFLECT_OFFS_LOCK.
    let id = unsafe {
        let mut found = None;
        for i in 0..REFLECT_OFFS_LEN {
            if *REFLECT_OFFS.add(i) == ptr {
                found = Some(i);
            }
        }
        let i = match found {
            Some(i) => i,
            None => {
                if REFLECT_OFFS_LEN == REFLECT_OFFS_CAP {
                    let cap = (REFLECT_OFFS_CAP * 2).max(64);
                    let n = crate::persistent::alloc(cap * 8, 8) as *mut *mut u8;
                    if REFLECT_OFFS_LEN > 0 {
                        core::ptr::copy_nonoverlapping(REFLECT_OFFS, n, REFLECT_OFFS_LEN);
                    }
                    REFLECT_OFFS = n;
                    REFLECT_OFFS_CAP = cap;
                }
                *REFLECT_OFFS.add(REFLECT_OFFS_LEN) = ptr;
                REFLECT_OFFS_LEN += 1;
                REFLECT_OFFS_LEN - 1
            }
        };
        -(i as i32) - 2
    };
    REFLECT_OFFS_LOCK.unlock();
    id
}

fn reflect_off(off: i32) -> *mut u8 {
    let i = (-(off as i64) - 2) as usize;
    REFLECT_OFFS_LOCK.lock();
    // SAFETY: under REFLECT_OFFS_LOCK.
    let p = unsafe {
        if i < REFLECT_OFFS_LEN {
            *REFLECT_OFFS.add(i)
        } else {
            null_mut()
        }
    };
    REFLECT_OFFS_LOCK.unlock();
    if p.is_null() {
        crate::fatal::throw("runtime: reflect offset not found");
    }
    p
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

/// Every pointer registered with addReflectOff (collector roots: reflect
/// keeps runtime-made types and functions only here).
pub fn for_each_reflect_off(mut f: impl FnMut(*mut u8)) {
    // SAFETY: called with the world stopped; the array holds LEN entries.
    unsafe {
        for i in 0..REFLECT_OFFS_LEN {
            f(*REFLECT_OFFS.add(i));
        }
    }
}
