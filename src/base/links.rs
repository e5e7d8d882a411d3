//! Addresses of Go-side symbols the Rust side needs (functions it plants
//! as return addresses or starts goroutines at, variables it reads), as
//! the linker resolved them: `runtime·gortlinks`, generated from the
//! surface table's `link` lines and handed to `gort_rt0` at startup.

use crate::layout::rt::{g, m};
use crate::GoLinks;
use core::sync::atomic::{AtomicPtr, Ordering};

static LINKS: AtomicPtr<GoLinks> = AtomicPtr::new(core::ptr::null_mut());

/// Record the table (startup, before any other thread exists).
pub fn init(golinks: *const GoLinks) {
    LINKS.store(golinks as *mut GoLinks, Ordering::Relaxed);
}

/// The Go symbols' addresses.
#[inline]
pub fn links() -> &'static GoLinks {
    // SAFETY: set once at the very start of gort_rt0 (threads created later
    // see it); the table is linker data, never written.
    unsafe { &*LINKS.load(Ordering::Relaxed) }
}

/// The initial thread's m (runtime·m0).
pub fn m0() -> *mut m {
    links().m0 as *mut m
}

/// The initial thread's g0 (runtime·g0).
pub fn g0() -> *mut g {
    links().g0 as *mut g
}
