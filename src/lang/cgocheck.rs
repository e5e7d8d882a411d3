//! cgo's pointer-passing rule, checked at run time (GODEBUG=cgocheck=1,
//! the default): Go memory passed to C may hold Go pointers only to
//! pinned memory (runtime.Pinner). cgo's generated code calls
//! runtime.cgoCheckPointer(ptr, arg) for each argument that may carry
//! pointers; a violation panics with "cgo argument has Go pointer to
//! unpinned Go pointer".
//!
//! The walk goes over a value in memory, guided by its type descriptor:
//! the top-level value is the argument itself (the pointers it holds are
//! what C receives, so they need no pinning); everything it reaches must
//! be pinned and is checked in turn. Memory reached through a pointer whose
//! element type is unknown (unsafe.Pointer) is checked word by word: a heap
//! object by its pointer bitmap; a global cannot be (its extent is not
//! known) and fails.

use crate::heap;
use crate::raise::raise_error;
use crate::layout::abi::{ArrayType, PtrType, SliceType, StructType, Type};
use crate::layout::Eface;
use crate::types::*;
use core::sync::atomic::{AtomicU8, Ordering};

const FAIL: &str = "cgo argument has Go pointer to unpinned Go pointer";

/// 0: not read yet; 1: checking; 2: off (GODEBUG=cgocheck=0).
static MODE: AtomicU8 = AtomicU8::new(0);

fn enabled() -> bool {
    let m = MODE.load(Ordering::Relaxed);
    if m != 0 {
        return m == 1;
    }
    let off = crate::env::getenv(b"GODEBUG").is_some_and(|v| v.split(|&c| c == b',').any(|kv| kv == b"cgocheck=0"));
    MODE.store(if off { 2 } else { 1 }, Ordering::Relaxed);
    !off
}

/// Is p in Go memory a Go pointer may refer to: the heap, or a module's
/// data and bss (globals with pointers)?
fn is_go_pointer(p: usize) -> bool {
    in_heap(p) || modules().any(|m| (m.data <= p && p < m.edata) || (m.bss <= p && p < m.ebss))
}

fn in_heap(p: usize) -> bool {
    !heap::span_of_heap(p).is_null()
}

/// A violation: record the panic for the Go side (rtcall raises it).
struct Violation;

fn pinned(p: usize) -> bool {
    heap::pin::is_pinned(p)
}

/// Is the object p points into pinned (memory outside the heap always is)?
pub fn isPinned(p: *mut u8) -> bool {
    pinned(p as usize)
}

/// `p` is reached from the argument (not the argument's own pointer): it
/// must be pinned if it is a Go pointer.
fn reached(p: usize, top: bool) -> Result<bool, Violation> {
    if p == 0 || !is_go_pointer(p) {
        return Ok(false);
    }
    if !top && !pinned(p) {
        return Err(Violation);
    }
    Ok(true)
}

/// # Safety
/// addr points at a value of type t.
unsafe fn check_value(t: *const Type, addr: usize, top: bool) -> Result<(), Violation> {
    // SAFETY: per the function contract; descriptors come from the compiler
    // or reflect, values from the program.
    unsafe {
        if t.is_null() || (*t).PtrBytes == 0 {
            return Ok(());
        }
        let word = |a: usize| *(a as *const usize);
        match kind(t) {
            KIND_ARRAY => {
                let at = t as *const ArrayType;
                let esize = (*(*at).Elem).Size_;
                for i in 0..(*at).Len {
                    check_value((*at).Elem, addr + i * esize, top)?;
                }
            }
            KIND_STRUCT => {
                let st = t as *const StructType;
                let fields = &(*st).Fields;
                for i in 0..fields.len.max(0) as usize {
                    let f = &*fields.ptr.add(i);
                    check_value(f.Typ, addr + f.Offset, top)?;
                }
            }
            // Channels and maps live in the Go heap and are never C's.
            KIND_CHAN | KIND_MAP => return Err(Violation),
            // A func value points at its closure (in the heap when it
            // captures variables).
            KIND_FUNC if is_go_pointer(word(addr)) => return Err(Violation),
            KIND_STRING => {
                reached(word(addr), top)?;
            }
            KIND_SLICE => {
                let array = word(addr);
                if !reached(array, top)? {
                    return Ok(());
                }
                let elem = (*(t as *const SliceType)).Elem;
                if (*elem).PtrBytes == 0 {
                    return Ok(());
                }
                let esize = (*elem).Size_;
                let cap = word(addr + 16);
                for i in 0..cap {
                    check_value(elem, array + i * esize, false)?;
                }
            }
            KIND_INTERFACE => {
                // The dynamic type of an empty interface is the first word;
                // a non-empty one's is in the itab.
                let first = word(addr);
                if first == 0 {
                    return Ok(());
                }
                let dyn_t = if (*(t as *const crate::layout::abi::InterfaceType)).Methods.len == 0 {
                    first as *const Type
                } else {
                    (*(first as *const crate::layout::rt::itab))._type as *const Type
                };
                // A type made at run time lives in the heap.
                if in_heap(dyn_t as usize) {
                    return Err(Violation);
                }
                let data = word(addr + 8);
                if !reached(data, top)? {
                    return Ok(());
                }
                let val = if is_direct_iface(dyn_t) { addr + 8 } else { data };
                check_value(dyn_t, val, false)?;
            }
            KIND_POINTER | KIND_UNSAFE_POINTER => {
                let p = word(addr);
                if reached(p, top)? {
                    check_unknown(p)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Memory at p whose type is unknown: every pointer word of the heap object
/// holding it must be pinned; a global cannot be checked.
fn check_unknown(p: usize) -> Result<(), Violation> {
    let s = heap::span_of_heap(p);
    if s.is_null() {
        return Err(Violation); // data or bss (is_go_pointer holds)
    }
    // SAFETY: s is an in-use span holding p.
    let (base, size) = unsafe {
        let sp = &*s;
        let base = sp.obj_base(sp.obj_index(p));
        (base, if sp.size_class() == 0 { sp.largesize } else { sp.elemsize })
    };
    // SAFETY: as above: a span with pointers has a bitmap for its words.
    if unsafe { (*s).noscan() } {
        return Ok(());
    }
    for a in (base..base + size).step_by(8) {
        if heap::bits::is_pointer(a) {
            // SAFETY: a is a word of the object.
            let w = unsafe { *(a as *const usize) };
            if w != 0 && is_go_pointer(w) && !pinned(w) {
                return Err(Violation);
            }
        }
    }
    Ok(())
}

/// cgo's check of one argument: `ptr` is the argument; `arg`, when not
/// nil, says what it points to: true (a bool) for the element its type
/// says, a slice or array value for that value (an argument `&s[0]` or
/// `&a[0]` checks all of s or a).
///
/// # Safety
/// ptr and arg are interface values from compiled code (cgo's generated
/// calls): their types describe the memory their data words reach.
pub unsafe fn cgoCheckPointer(ptr: Eface, arg: Eface) {
    if !enabled() || ptr.typ.is_null() {
        return;
    }
    // SAFETY: interface values from compiled code.
    let r = unsafe {
        let mut t = ptr.typ as *const Type;
        // Where the value of type t is: in the interface's data word itself
        // (pointer-shaped types), or where that word points.
        let mut word = ptr.data as usize;
        let mut addr = if is_direct_iface(t) { core::ptr::addr_of!(word) as usize } else { word };
        let mut top = true;
        let k = kind(t);
        let mut done = None;
        if !arg.typ.is_null() && (k == KIND_POINTER || k == KIND_UNSAFE_POINTER) {
            let p = ptr.data as usize;
            if p == 0 || !is_go_pointer(p) {
                return;
            }
            match kind(arg.typ) {
                KIND_BOOL if k == KIND_POINTER => done = Some(check_value((*(t as *const PtrType)).Elem, p, false)),
                KIND_BOOL => {}
                KIND_SLICE | KIND_ARRAY => {
                    t = arg.typ;
                    word = arg.data as usize;
                    addr = if is_direct_iface(t) { core::ptr::addr_of!(word) as usize } else { word };
                    // An array argument stands for memory the pointer
                    // reaches, not the argument itself.
                    top = kind(t) == KIND_SLICE;
                }
                _ => crate::fatal::throw("cgoCheckPointer: unexpected argument kind"),
            }
        }
        match done {
            Some(r) => r,
            None => check_value(t, addr, top),
        }
    };
    if r.is_err() {
        raise_error(FAIL);
    }
}

/// cgo's check of what an exported Go function returns to C: the result
/// and everything it reaches must be pinned if it is Go memory.
///
/// # Safety
/// val is an interface value from compiled code (cgo's generated
/// wrapper): its type describes the memory its data word reaches.
pub unsafe fn cgoCheckResult(val: Eface) {
    if !enabled() || val.typ.is_null() {
        return;
    }
    let t = val.typ as *const Type;
    let word = val.data as usize;
    // SAFETY: an interface value from compiled code.
    let r = unsafe {
        let addr = if is_direct_iface(t) { core::ptr::addr_of!(word) as usize } else { word };
        check_value(t, addr, false)
    };
    if r.is_err() {
        raise_error("cgo result is unpinned Go pointer or points to unpinned Go pointer");
    }
}
