//! Go's data layouts, as Rust types.
//!
//! `rt` (package runtime) and `abi` (package internal/abi) are generated at
//! build time from the Go definitions in `asm/runtime/layout.go` and
//! `asm/layouts/*.go`: those files are the one definition of every layout
//! gort shares with compiled code. The generic helpers below describe Go's
//! built-in composite values (strings, slices, interfaces).

include!(concat!(env!("OUT_DIR"), "/layout.rs"));

/// A Go string header.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct GoString {
    pub ptr: *const u8,
    pub len: isize,
}

impl GoString {
    /// The string's bytes.
    ///
    /// # Safety
    /// The header must describe live memory (Go strings are immutable, so
    /// any string handed to the runtime by Go code does).
    pub unsafe fn as_bytes<'a>(&self) -> &'a [u8] {
        if self.len <= 0 {
            return &[];
        }
        // SAFETY: per the function contract.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len as usize) }
    }
}

/// A Go slice header.
#[repr(C)]
#[derive(Debug)]
pub struct GoSlice<T> {
    pub ptr: *mut T,
    pub len: isize,
    pub cap: isize,
}

impl<T> Clone for GoSlice<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for GoSlice<T> {}

impl<T> GoSlice<T> {
    /// # Safety
    /// The header must describe live, initialised memory.
    pub unsafe fn as_slice<'a>(&self) -> &'a [T] {
        if self.len <= 0 || self.ptr.is_null() {
            return &[];
        }
        // SAFETY: per the function contract.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len as usize) }
    }

    /// # Safety
    /// The header must describe live, initialised memory that nothing else
    /// accesses while the result is used.
    pub unsafe fn as_mut_slice<'a>(&self) -> &'a mut [T] {
        if self.len <= 0 || self.ptr.is_null() {
            return &mut [];
        }
        // SAFETY: per the function contract.
        unsafe { core::slice::from_raw_parts_mut(self.ptr, self.len as usize) }
    }
}

/// An empty interface value (`any`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Eface {
    pub typ: *mut abi::Type,
    pub data: *mut u8,
}

/// A non-empty interface value.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Iface {
    pub tab: *mut rt::itab,
    pub data: *mut u8,
}
