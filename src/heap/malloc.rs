//! mallocgc and the allocation entry points built on it.

use super::sizeclasses::*;
use super::*;
use crate::layout::abi::Type;
use crate::sched;

/// The current P's cache.
#[inline]
fn mcache() -> *mut Mcache {
    let pp = sched::curp();
    if pp.is_null() {
        crate::fatal::throw("malloc: no P (allocating outside the scheduler)");
    }
    // SAFETY: pp is the current m's P.
    unsafe { (*pp).mcache }
}

/// Replace the cache's span for `spc` with one that has a free object.
#[cold]
fn refill(c: *mut Mcache, spc: usize) -> *mut Mspan {
    let class = spc >> 1;
    let s = alloc_span(CLASS_TO_NPAGES[class] as usize, spc as u8);
    // SAFETY: c is the current P's cache.
    unsafe { (*c).alloc[spc] = s };
    s
}

/// Allocate `size` bytes of type `typ` (null for memory without pointers).
/// The memory is zeroed when `needzero` (and whenever it is reused).
pub fn mallocgc(size: usize, typ: *mut Type, needzero: bool) -> *mut u8 {
    if size == 0 {
        return crate::proc::links().zerobase as *mut u8;
    }
    let mp = sched::getm();
    // SAFETY: mp is the current m.
    unsafe {
        if (*mp).mallocing != 0 {
            crate::fatal::throw("malloc deadlock");
        }
        (*mp).mallocing = 1;
    }
    // SAFETY: typ is null or a type descriptor emitted by the compiler.
    let noscan = typ.is_null() || unsafe { (*typ).PtrBytes } == 0;
    let c = mcache();
    let p = if size <= MAX_SMALL_SIZE {
        let class = size_to_class(size);
        let spc = class << 1 | noscan as usize;
        // SAFETY: c is the current P's cache; spans in it are in use and
        // owned by this P.
        unsafe {
            let mut s = (*c).alloc[spc];
            if s.is_null() || (*s).freeindex == (*s).nelems {
                s = refill(c, spc);
            }
            let sp = &mut *s;
            let obj = sp.start + sp.freeindex * sp.elemsize;
            sp.freeindex += 1;
            sp.alloc_count += 1;
            if needzero && sp.needzero {
                core::ptr::write_bytes(obj as *mut u8, 0, sp.elemsize);
            }
            (*c).allocated += sp.elemsize;
            obj as *mut u8
        }
    } else {
        let npages = size.div_ceil(PAGE_SIZE);
        let s = alloc_span(npages, noscan as u8);
        // SAFETY: s is a fresh span owned by us.
        unsafe {
            (*s).largetype = typ;
            (*s).freeindex = 1;
            (*s).alloc_count = 1;
            if needzero && (*s).needzero {
                core::ptr::write_bytes((*s).start as *mut u8, 0, npages * PAGE_SIZE);
            }
            (*c).allocated += npages * PAGE_SIZE;
            (*s).start as *mut u8
        }
    };
    // SAFETY: as above.
    unsafe {
        (*c).nmalloc += 1;
        (*mp).mallocing = 0;
    }
    p
}

pub fn newobject(typ: *mut Type) -> *mut u8 {
    // SAFETY: typ is a type descriptor emitted by the compiler.
    mallocgc(unsafe { (*typ).Size_ }, typ, true)
}
