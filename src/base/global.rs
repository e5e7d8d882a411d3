//! `Global<T>`: a global value whose exclusive access rests on a protocol
//! the type system cannot see: single-threaded startup, the world being
//! stopped, a lock kept elsewhere (one that a park commit releases). Each
//! such global documents its protocol where it is declared, and every
//! access is `unsafe`, with the caller stating why the protocol holds.
//!
//! Prefer, in this order: an atomic; `Locked<T>` (base/lock.rs: the value
//! is reached only with its lock held); `Global<T>`.

use core::cell::UnsafeCell;

pub struct Global<T>(UnsafeCell<T>);

// SAFETY: every access goes through `get`, whose callers guarantee
// exclusive access (its contract); T moves between threads with it.
unsafe impl<T: Send> Sync for Global<T> {}

impl<T> Global<T> {
    pub const fn new(v: T) -> Global<T> {
        Global(UnsafeCell::new(v))
    }

    /// Exclusive access to the value.
    ///
    /// # Safety
    /// The global's protocol (documented at its declaration) gives the
    /// caller exclusive access, and no other reference obtained from `get`
    /// is live.
    #[allow(clippy::mut_from_ref)]
    #[inline]
    pub unsafe fn get(&self) -> &mut T {
        // SAFETY: per the function contract.
        unsafe { &mut *self.0.get() }
    }

    /// Shared access to the value (several readers may hold one).
    ///
    /// # Safety
    /// Nothing writes the value meanwhile: no reference from `get` is live
    /// (e.g. the value was written once, before the readers existed).
    #[inline]
    pub unsafe fn get_ref(&self) -> &T {
        // SAFETY: per the function contract.
        unsafe { &*self.0.get() }
    }

    /// The value's address (for Go code or the collector, which need a
    /// stable address; dereferencing it is subject to the protocol).
    #[inline]
    pub const fn as_ptr(&self) -> *mut T {
        self.0.get()
    }
}
