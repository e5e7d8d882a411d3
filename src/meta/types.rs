//! Reading the type descriptors the compiler and linker emit (internal/abi
//! layouts): kinds, names, package paths, method tables, and the module
//! offsets (name/type/text offsets) that descriptors use instead of pointers.

use crate::layout::abi::{self, Type};
use crate::layout::rt::moduledata;
use crate::pvec::PVec;
use crate::sysstat::Stat;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, Ordering};

pub const KIND_BOOL: u8 = 1;
pub const KIND_INT: u8 = 2;
pub const KIND_INT8: u8 = 3;
pub const KIND_INT16: u8 = 4;
pub const KIND_INT32: u8 = 5;
pub const KIND_INT64: u8 = 6;
pub const KIND_UINT: u8 = 7;
pub const KIND_UINT8: u8 = 8;
pub const KIND_UINT16: u8 = 9;
pub const KIND_UINT32: u8 = 10;
pub const KIND_UINT64: u8 = 11;
pub const KIND_UINTPTR: u8 = 12;
pub const KIND_FLOAT32: u8 = 13;
pub const KIND_FLOAT64: u8 = 14;
pub const KIND_COMPLEX64: u8 = 15;
pub const KIND_COMPLEX128: u8 = 16;
pub const KIND_ARRAY: u8 = 17;
pub const KIND_CHAN: u8 = 18;
pub const KIND_FUNC: u8 = 19;
pub const KIND_INTERFACE: u8 = 20;
pub const KIND_MAP: u8 = 21;
pub const KIND_POINTER: u8 = 22;
pub const KIND_SLICE: u8 = 23;
pub const KIND_STRING: u8 = 24;
pub const KIND_STRUCT: u8 = 25;
pub const KIND_UNSAFE_POINTER: u8 = 26;

pub const KIND_DIRECT_IFACE: u8 = 1 << 5;
pub const KIND_MASK: u8 = (1 << 5) - 1;

pub const TFLAG_UNCOMMON: u8 = 1 << 0;
pub const TFLAG_EXTRA_STAR: u8 = 1 << 1;
pub const TFLAG_REGULAR_MEMORY: u8 = 1 << 3;

/// # Safety
/// t must point at a type descriptor.
#[inline]
pub unsafe fn kind(t: *const Type) -> u8 {
    // SAFETY: per the function contract.
    unsafe { (*t).Kind_ & KIND_MASK }
}

/// # Safety
/// t must point at a type descriptor.
#[inline]
pub unsafe fn is_direct_iface(t: *const Type) -> bool {
    // SAFETY: per the function contract.
    unsafe { (*t).Kind_ & KIND_DIRECT_IFACE != 0 }
}

fn firstmoduledata() -> &'static moduledata {
    // SAFETY: the linker fills runtime.firstmoduledata before the program runs.
    unsafe { &*(crate::links::links().firstmoduledata as *const moduledata) }
}

/// Bytes of Go data and bss in every module (what the collector scans as
/// globals).
pub fn globals_size() -> usize {
    modules().map(|md| md.edata - md.data + md.ebss - md.bss).sum()
}

/// Every module (just the executable until plugins exist).
pub fn modules() -> impl Iterator<Item = &'static moduledata> {
    let mut md: *const moduledata = firstmoduledata();
    core::iter::from_fn(move || {
        if md.is_null() {
            return None;
        }
        // SAFETY: the module list is built by the linker and immutable.
        let m = unsafe { &*md };
        md = m.next;
        Some(m)
    })
}

/// The module whose type data holds `p`; None for descriptors made at run
/// time (by reflect: SliceOf, StructOf, FuncOf...), whose name, type and
/// text offsets are ids in the run-time offset table below.
pub fn module_of(p: usize) -> Option<&'static moduledata> {
    modules().find(|m| m.types <= p && p < m.etypes)
}

/// Resolve a name offset found in the descriptor at `ptr`.
pub fn resolve_name_off(ptr: usize, off: i32) -> *const u8 {
    if off == 0 {
        return core::ptr::null();
    }
    match module_of(ptr) {
        Some(md) => (md.types as isize + off as isize) as *const u8,
        None => runtime_off(ptr, off),
    }
}

/// Resolve a type offset found in the descriptor at `ptr`.
pub fn resolve_type_off(ptr: usize, off: i32) -> *mut Type {
    if off == 0 || off == -1 {
        // -1: the linker's mark for a type it left out.
        return core::ptr::null_mut();
    }
    match module_of(ptr) {
        Some(md) => (md.types as isize + off as isize) as *mut Type,
        None => runtime_off(ptr, off) as *mut Type,
    }
}

/// Resolve a text (code) offset found in the descriptor at `ptr`.
pub fn resolve_text_off(ptr: usize, off: i32) -> usize {
    if off == -1 {
        // The linker dropped the method: calls end in a clear error.
        return crate::links::links().unreachableMethod;
    }
    let Some(md) = module_of(ptr) else {
        return runtime_off(ptr, off) as usize;
    };
    let off = off as u32 as usize;
    // SAFETY: textsectmap is linker-built and immutable.
    let sects = unsafe { md.textsectmap.as_slice() };
    if sects.len() <= 1 {
        return md.text + off;
    }
    for s in sects {
        if off >= s.vaddr && off < s.end {
            return s.baseaddr + off - s.vaddr;
        }
    }
    md.text + off
}

// ---- offsets of descriptors made at run time ----
//
// reflect builds descriptors whose name/type/text fields must be offsets,
// like the linker's; it registers each target pointer here and stores the
// returned id (negative, below the linker's -1 mark). Entries live for the
// life of the process; the collector treats them as roots.

struct RuntimeOffs {
    ptrs: PVec<usize>,
    /// Open-addressing index: pointer -> position + 1 (0: empty slot).
    index: *mut u32,
    index_cap: usize,
}

// SAFETY: the arrays are persistent memory owned by the table; any thread
// holding the lock may use them.
unsafe impl Send for RuntimeOffs {}

static RUNTIME_OFFS: crate::lock::Locked<RuntimeOffs> =
    crate::lock::Locked::new(crate::lockrank::Rank::RuntimeOffs, RuntimeOffs { ptrs: PVec::persistent(256, Stat::Other), index: core::ptr::null_mut(), index_cap: 0 });

impl RuntimeOffs {
    fn slot(&self, p: usize) -> usize {
        (p.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 7) & (self.index_cap - 1)
    }

    /// Position of p, if registered.
    fn find(&self, p: usize) -> Option<usize> {
        if self.index_cap == 0 {
            return None;
        }
        let mut i = self.slot(p);
        loop {
            // SAFETY: i < index_cap, the index's length.
            let e = unsafe { *self.index.add(i) } as usize;
            if e == 0 {
                return None;
            }
            if self.ptrs.get(e - 1) == p {
                return Some(e - 1);
            }
            i = (i + 1) & (self.index_cap - 1);
        }
    }

    fn insert_index(&mut self, pos: usize) {
        let p = self.ptrs.get(pos);
        let mut i = self.slot(p);
        // SAFETY: the index is never more than half full, so a free slot exists.
        unsafe {
            while *self.index.add(i) != 0 {
                i = (i + 1) & (self.index_cap - 1);
            }
            *self.index.add(i) = pos as u32 + 1;
        }
    }

    fn add(&mut self, p: usize) -> usize {
        if let Some(i) = self.find(p) {
            return i;
        }
        self.ptrs.push(p);
        let len = self.ptrs.len();
        if len * 2 > self.index_cap {
            self.index_cap = (self.index_cap * 2).max(512);
            self.index = crate::persistent::alloc(self.index_cap * 4, 4) as *mut u32;
            for i in 0..len {
                self.insert_index(i);
            }
        } else {
            self.insert_index(len - 1);
        }
        len - 1
    }
}

/// reflect.addReflectOff: the id under which `ptr` is registered (the
/// same id for the same pointer).
pub fn add_runtime_off(ptr: *mut u8) -> i32 {
    let i = RUNTIME_OFFS.with(|t| t.add(ptr as usize));
    -(i as i32) - 2
}

fn runtime_off(base: usize, off: i32) -> *mut u8 {
    let i = (-(off as i64) - 2) as usize;
    let p = RUNTIME_OFFS.with(|t| if off < -1 && i < t.ptrs.len() { t.ptrs.get(i) } else { 0 });
    if p == 0 {
        crate::gprint!(b"runtime: offset ", off, b" base ", crate::print::Hex(base as u64), b" not in ranges\n");
        crate::fatal::throw("runtime: offset base pointer out of range");
    }
    p as *mut u8
}

/// Every pointer registered by reflect (collector roots: reflect keeps the
/// descriptors and functions it makes only here). World stopped.
pub fn for_each_runtime_off(mut f: impl FnMut(usize)) {
    RUNTIME_OFFS.with(|t| t.ptrs.as_slice().iter().for_each(|&p| f(p)));
}

fn read_varint(p: *const u8) -> (usize, usize) {
    let (mut v, mut shift, mut i) = (0usize, 0, 0);
    loop {
        // SAFETY: callers pass a pointer into an encoded abi.Name.
        let b = unsafe { *p.add(i) };
        v |= ((b & 0x7f) as usize) << shift;
        i += 1;
        if b & 0x80 == 0 {
            return (v, i);
        }
        shift += 7;
    }
}

/// The text of an encoded abi.Name (flags byte, varint length, bytes).
///
/// # Safety
/// n is null or points at an encoded name (linker or reflect data, which
/// lives as long as the process).
pub unsafe fn name_bytes(n: *const u8) -> &'static [u8] {
    if n.is_null() {
        return b"";
    }
    let (len, w) = read_varint(n.wrapping_add(1));
    // SAFETY: names are immutable linker data of the encoded length.
    unsafe { core::slice::from_raw_parts(n.add(1 + w), len) }
}

// A null name (offset 0 resolves to none, as upstream's) reads as the empty
// name: unexported, without a package path.

/// # Safety
/// As for name_bytes.
pub unsafe fn name_is_exported(n: *const u8) -> bool {
    // SAFETY: n is null or points at an encoded name's flags byte.
    !n.is_null() && unsafe { *n & 1 != 0 }
}

/// The package path stored in a name (for unexported names), if any.
///
/// # Safety
/// As for name_bytes.
pub unsafe fn name_pkg_path(n: *const u8) -> Option<&'static [u8]> {
    if n.is_null() {
        return None;
    }
    // SAFETY: n points at an encoded name.
    unsafe {
        if *n & (1 << 2) == 0 {
            return None;
        }
        let (len, w) = read_varint(n.add(1));
        let mut off = 1 + w + len;
        if *n & (1 << 1) != 0 {
            let (tl, tw) = read_varint(n.add(off));
            off += tw + tl;
        }
        let noff = core::ptr::read_unaligned(n.add(off) as *const i32);
        Some(name_bytes(resolve_name_off(n as usize, noff)))
    }
}

/// The type's string, as reflect's Type.String shows it.
///
/// # Safety
/// t must point at a type descriptor.
pub unsafe fn type_string(t: *const Type) -> &'static [u8] {
    // SAFETY: per the function contract.
    unsafe {
        let s = name_bytes(resolve_name_off(t as usize, (*t).Str));
        if (*t).TFlag & TFLAG_EXTRA_STAR != 0 && !s.is_empty() {
            &s[1..]
        } else {
            s
        }
    }
}

/// The uncommon part of a type (methods, package path), if it has one.
///
/// # Safety
/// t must point at a type descriptor.
pub unsafe fn uncommon(t: *const Type) -> *const abi::UncommonType {
    // SAFETY: per the function contract; the uncommon part follows the
    // kind-specific descriptor.
    unsafe {
        if (*t).TFlag & TFLAG_UNCOMMON == 0 {
            return core::ptr::null();
        }
        let size = match kind(t) {
            KIND_STRUCT => core::mem::size_of::<abi::StructType>(),
            KIND_POINTER => core::mem::size_of::<abi::PtrType>(),
            KIND_FUNC => core::mem::size_of::<abi::FuncType>(),
            KIND_SLICE => core::mem::size_of::<abi::SliceType>(),
            KIND_ARRAY => core::mem::size_of::<abi::ArrayType>(),
            KIND_CHAN => core::mem::size_of::<abi::ChanType>(),
            KIND_MAP => core::mem::size_of::<abi::MapType>(),
            KIND_INTERFACE => core::mem::size_of::<abi::InterfaceType>(),
            _ => core::mem::size_of::<Type>(),
        };
        (t as *const u8).add(size) as *const abi::UncommonType
    }
}

/// The type's methods (sorted by name), from its uncommon part.
///
/// # Safety
/// t must point at a type descriptor.
pub unsafe fn methods(t: *const Type) -> &'static [abi::Method] {
    // SAFETY: per the function contract.
    unsafe {
        let u = uncommon(t);
        if u.is_null() || (*u).Mcount == 0 {
            return &[];
        }
        core::slice::from_raw_parts((u as *const u8).add((*u).Moff as usize) as *const abi::Method, (*u).Mcount as usize)
    }
}

/// The type's package path ("" when it has none).
///
/// # Safety
/// t must point at a type descriptor.
pub unsafe fn pkg_path(t: *const Type) -> &'static [u8] {
    // SAFETY: per the function contract.
    unsafe {
        let u = uncommon(t);
        if !u.is_null() {
            return name_bytes(resolve_name_off(u as usize, (*u).PkgPath));
        }
        // Unnamed struct and interface types record the package that
        // spelled them (for unexported fields and methods).
        match kind(t) {
            KIND_STRUCT => name_bytes((*(t as *const abi::StructType)).PkgPath.Bytes),
            KIND_INTERFACE => name_bytes((*(t as *const abi::InterfaceType)).PkgPath.Bytes),
            _ => b"",
        }
    }
}

// ---- descriptors of runtime structures ----

/// Type descriptors the Go side hands over at startup (see typesinit).
static STRING_TYPE: AtomicPtr<Type> = AtomicPtr::new(null_mut());
static SLICE_TYPE: AtomicPtr<Type> = AtomicPtr::new(null_mut());

/// Types of runtime structures Rust allocates on the heap.
pub static HMAP_TYPE: AtomicPtr<Type> = AtomicPtr::new(null_mut());
pub static MAPEXTRA_TYPE: AtomicPtr<Type> = AtomicPtr::new(null_mut());
pub static HCHAN_TYPE: AtomicPtr<Type> = AtomicPtr::new(null_mut());
/// unsafe.Pointer (arrays of pointers are allocated as n of these).
pub static POINTER_TYPE: AtomicPtr<Type> = AtomicPtr::new(null_mut());
/// []unsafe.Pointer (a slice header).
pub static POINTER_SLICE_TYPE: AtomicPtr<Type> = AtomicPtr::new(null_mut());

/// # Safety
/// The pointers are the Go side's type descriptors, live for the process.
pub unsafe fn rt_settypes(string_t: *mut Type, slice_t: *mut Type, hmap: *mut Type, mapextra: *mut Type, hchan: *mut Type, ptr: *mut Type, ptrslice: *mut Type) {
    STRING_TYPE.store(string_t, Ordering::Relaxed);
    SLICE_TYPE.store(slice_t, Ordering::Relaxed);
    HMAP_TYPE.store(hmap, Ordering::Relaxed);
    MAPEXTRA_TYPE.store(mapextra, Ordering::Relaxed);
    HCHAN_TYPE.store(hchan, Ordering::Relaxed);
    POINTER_TYPE.store(ptr, Ordering::Relaxed);
    POINTER_SLICE_TYPE.store(ptrslice, Ordering::Relaxed);
}

/// A runtime structure's type (registered by typesinit).
pub fn rt_type(t: &AtomicPtr<Type>) -> *mut Type {
    let p = t.load(Ordering::Relaxed);
    if p.is_null() {
        crate::fatal::throw("runtime type used before typesinit");
    }
    p
}

pub fn string_type() -> *mut Type {
    STRING_TYPE.load(Ordering::Relaxed)
}

pub fn slice_type() -> *mut Type {
    SLICE_TYPE.load(Ordering::Relaxed)
}
