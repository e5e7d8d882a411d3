//! Reading the type descriptors the compiler and linker emit (internal/abi
//! layouts): kinds, names, package paths, method tables, and the module
//! offsets (name/type/text offsets) that descriptors use instead of pointers.

use crate::layout::abi::{self, Type};
use crate::layout::rt::moduledata;

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
pub const TFLAG_NAMED: u8 = 1 << 2;
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
    unsafe { &*(crate::proc::links().firstmoduledata as *const moduledata) }
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

fn module_for_type(p: usize) -> &'static moduledata {
    modules().find(|m| m.types <= p && p < m.etypes).unwrap_or_else(firstmoduledata)
}

/// Resolve a name offset relative to the module holding `ptr`.
pub fn resolve_name_off(ptr: usize, off: i32) -> *const u8 {
    (module_for_type(ptr).types as isize + off as isize) as *const u8
}

/// Resolve a type offset relative to the module holding `ptr`.
pub fn resolve_type_off(ptr: usize, off: i32) -> *mut Type {
    if off == 0 || off == -1 {
        return core::ptr::null_mut();
    }
    (module_for_type(ptr).types as isize + off as isize) as *mut Type
}

/// Resolve a text (code) offset relative to the module holding `ptr`.
pub fn resolve_text_off(ptr: usize, off: i32) -> usize {
    let md = module_for_type(ptr);
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
pub fn name_bytes(n: *const u8) -> &'static [u8] {
    if n.is_null() {
        return b"";
    }
    let (len, w) = read_varint(n.wrapping_add(1));
    // SAFETY: names are immutable linker data of the encoded length.
    unsafe { core::slice::from_raw_parts(n.add(1 + w), len) }
}

pub fn name_is_exported(n: *const u8) -> bool {
    // SAFETY: n points at an encoded name's flags byte.
    unsafe { *n & 1 != 0 }
}

/// The package path stored in a name (for unexported names), if any.
pub fn name_pkg_path(n: *const u8) -> Option<&'static [u8]> {
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
