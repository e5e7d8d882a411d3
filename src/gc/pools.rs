//! What the collector empties at the start of each collection: sync.Pool's
//! caches (through the cleanup function package sync registers) and the
//! caches crypto/internal/boring/bcache registers. Both the cleanup
//! function and the registered cache slots are roots.

use super::mark::Marker;
use crate::layout::rt::funcval;
use crate::lock::Locked;
use crate::pvec::PVec;
use crate::sysstat::Stat;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, Ordering};

/// sync.Pool's cleanup, to be called at the start of each collection.
static POOL_CLEANUP: AtomicPtr<funcval> = AtomicPtr::new(null_mut());

/// # Safety
/// The argument is the registering package's own live, never-freed value.
pub unsafe fn registerPoolCleanup(f: *mut funcval) {
    POOL_CLEANUP.store(f, Ordering::Relaxed);
}

/// sync's poolCleanup (the collector calls it, and keeps it alive).
pub fn pool_cleanup() -> *mut funcval {
    POOL_CLEANUP.load(Ordering::Relaxed)
}

extern "C" {
    fn gort_calltimer(f: *mut funcval, argtype: *mut u8, argdata: *mut u8, seq: usize);
}

/// Empty sync.Pool's caches and the registered BoringCrypto caches before
/// marking (as upstream: pooled objects survive at most two collections
/// through the victim cache; cached entries do not survive one).
pub fn clear_pools() {
    let f = pool_cleanup();
    if !f.is_null() {
        // SAFETY: f is sync's poolCleanup, a Go function without arguments
        // (extra register arguments are ignored); the world is stopped.
        unsafe { gort_calltimer(f, null_mut(), null_mut(), 0) };
    }
    for_each_cache(|p| {
        // SAFETY: p is the address of a live atomic.Pointer (bcache.Cache's
        // ptable) registered by its package; the world is stopped.
        unsafe { (*(p as *const AtomicPtr<u8>)).store(null_mut(), Ordering::Release) };
    });
}

// ---- crypto/internal/boring/bcache ----

/// Addresses of the caches' table pointers, registered at package
/// initialisation (few: a handful of package-level caches). The array
/// lives in persistent memory; the caches themselves are roots (as in
/// upstream, whose list is an ordinary slice of the runtime).
static CACHES: Locked<PVec<usize>> = Locked::new(crate::lockrank::Rank::Caches, PVec::persistent(16, Stat::Other));

/// bcache.registerCache: the collector stores nil to *p at the start of
/// every collection.
///
/// # Safety
/// The argument is the registering package's own live, never-freed value.
pub unsafe fn registerCache(p: *mut u8) {
    CACHES.with(|c| c.push(p as usize));
}

fn for_each_cache(mut f: impl FnMut(usize)) {
    CACHES.with(|c| c.as_slice().iter().for_each(|&p| f(p)));
}

/// Mark the cleanup function and the registered caches (roots).
pub fn mark_roots(m: &mut Marker) {
    m.mark_ptr(pool_cleanup() as usize, false);
    for_each_cache(|p| m.mark_ptr(p, false));
}
