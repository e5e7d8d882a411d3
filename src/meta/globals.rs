//! The pointer masks of the modules' data and bss segments, built from the
//! linker's GC programs (gcprog.rs) by the first collection and kept: the
//! collector scans the globals with them, and the write barrier's bulk
//! form (mem/wb.rs) shades only the pointer words of a global it
//! overwrites.

use crate::gcprog::{prog_to_mask, Mask};
use crate::layout::rt::moduledata;
use core::sync::atomic::{AtomicPtr, Ordering};

struct ModMasks {
    md: *const moduledata,
    data: Mask,
    bss: Mask,
}

/// The masks built so far (in persistent memory, never changed once
/// published). Built with the world stopped by a collection (serialised:
/// GC_LOCK), read by anyone.
static MASKS: [AtomicPtr<ModMasks>; 8] = [const { AtomicPtr::new(core::ptr::null_mut()) }; 8];

/// The pointer masks of a module's data and bss segments (built from the
/// linker's GC programs on first use).
///
/// # Safety
/// Called by a collection (with GC_LOCK held): one builder at a time.
pub unsafe fn module_masks(md: &moduledata) -> (&'static Mask, &'static Mask) {
    for slot in MASKS.iter() {
        let mut m = slot.load(Ordering::Acquire);
        if m.is_null() {
            m = crate::persistent::new::<ModMasks>();
            // SAFETY: m is fresh memory of ours; md's GC programs describe
            // its segments.
            unsafe {
                m.write(ModMasks {
                    md,
                    data: prog_to_mask(md.gcdata as *const u8, md.edata - md.data),
                    bss: prog_to_mask(md.gcbss as *const u8, md.ebss - md.bss),
                })
            };
            slot.store(m, Ordering::Release);
        }
        // SAFETY: a published entry: persistent and never written again.
        let m: &'static ModMasks = unsafe { &*m };
        if core::ptr::eq(m.md, md) {
            return (&m.data, &m.bss);
        }
    }
    crate::fatal::throw("gort: too many modules")
}

/// The mask of the data or bss segment holding the word at p, with the
/// segment's start (bit i of the mask is the word at start + 8i); None if
/// p is in no segment whose mask is built.
pub fn segment_mask(p: usize) -> Option<(&'static Mask, usize)> {
    for slot in MASKS.iter() {
        let m = slot.load(Ordering::Acquire);
        if m.is_null() {
            return None;
        }
        // SAFETY: a published entry (persistent, immutable), for a module
        // of the program (its moduledata lives as long as the process).
        let (m, md) = unsafe { (&*m, &*(*m).md) };
        if p >= md.data && p < md.edata {
            return Some((&m.data, md.data));
        }
        if p >= md.bss && p < md.ebss {
            return Some((&m.bss, md.bss));
        }
    }
    None
}
