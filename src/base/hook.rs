//! Hooks: how a lower layer calls into a higher one without naming it. The
//! higher layer registers a function (or a table of them) at startup; the
//! lower one calls it if registered. Used only where the call must go
//! upward: fatal reports print tracebacks (meta), sysmon wakes the
//! forced-GC goroutine (gc), the collector lets the runtime tests read its
//! marks (proc's test hooks).

use core::sync::atomic::{AtomicPtr, Ordering};

/// A `&'static T` set once at startup (usually a function pointer or a
/// struct of them).
pub struct Hook<T: 'static>(AtomicPtr<T>);

impl<T: Sync + 'static> Hook<T> {
    pub const fn new() -> Hook<T> {
        Hook(AtomicPtr::new(core::ptr::null_mut()))
    }

    pub fn set(&self, v: &'static T) {
        self.0.store(v as *const T as *mut T, Ordering::Release);
    }

    /// The registered value (None before registration).
    #[inline]
    pub fn get(&self) -> Option<&'static T> {
        let p = self.0.load(Ordering::Acquire);
        // SAFETY: p is null or came from a &'static T (set).
        unsafe { p.as_ref() }
    }
}
