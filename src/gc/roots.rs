//! Roots outside the heap that the linker describes: the data and bss
//! segments of each module, scanned with pointer masks built from the
//! linker's GC programs (meta/gcprog.rs) on first use.

use crate::gcprog::{prog_to_mask, Mask};
use crate::global::Global;
use crate::layout::rt::moduledata;

struct ModMasks {
    md: *const moduledata,
    data: Mask,
    bss: Mask,
}

/// The masks built so far (in persistent memory, never changed once
/// built): used only by collections, which are serialised (GC_LOCK) and run
/// with the world stopped.
static MASKS: Global<MaskTable> = Global::new(MaskTable([core::ptr::null(); 8]));

struct MaskTable([*const ModMasks; 8]);

// SAFETY: the entries are immutable once built (persistent memory).
unsafe impl Send for MaskTable {}

/// The pointer masks of a module's data and bss segments (built from the
/// linker's GC programs on first use).
///
/// # Safety
/// Called by a collection (with GC_LOCK held).
pub unsafe fn module_masks(md: &moduledata) -> (&'static Mask, &'static Mask) {
    // SAFETY: collections are serialised: nobody else uses the array.
    let masks = unsafe { MASKS.get() };
    for slot in masks.0.iter_mut() {
        if slot.is_null() {
            let m = crate::persistent::new::<ModMasks>();
            // SAFETY: m is fresh memory of ours; md's GC programs describe
            // its segments.
            unsafe {
                m.write(ModMasks {
                    md,
                    data: prog_to_mask(md.gcdata as *const u8, md.edata - md.data),
                    bss: prog_to_mask(md.gcbss as *const u8, md.ebss - md.bss),
                })
            };
            *slot = m;
        }
        // SAFETY: a built entry: persistent and never written again.
        let m: &'static ModMasks = unsafe { &**slot };
        if core::ptr::eq(m.md, md) {
            return (&m.data, &m.bss);
        }
    }
    crate::fatal::throw("gort: too many modules")
}
