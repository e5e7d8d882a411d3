//! Roots outside the heap that the linker describes: the data and bss
//! segments of each module, scanned with pointer masks built from the
//! linker's GC programs (meta/gcprog.rs) on first use.

use crate::layout::rt::moduledata;

struct ModMasks {
    md: *const moduledata,
    data: crate::gcprog::Mask,
    bss: crate::gcprog::Mask,
}

static mut MASKS: [Option<ModMasks>; 8] = [const { None }; 8];

/// The pointer masks of a module's data and bss segments (built from the
/// linker's GC programs on first use).
pub fn module_masks(md: &moduledata) -> (&'static crate::gcprog::Mask, &'static crate::gcprog::Mask) {
    // SAFETY: only collections (serialised, world stopped) use the cache.
    unsafe {
        let masks = &mut *core::ptr::addr_of_mut!(MASKS);
        let mut found = None;
        for (i, m) in masks.iter().enumerate() {
            match m {
                Some(m) if m.md == md as *const moduledata => {
                    found = Some(i);
                    break;
                }
                None => {
                    masks[i] = Some(ModMasks {
                        md,
                        data: crate::gcprog::prog_to_mask(md.gcdata as *const u8, md.edata - md.data),
                        bss: crate::gcprog::prog_to_mask(md.gcbss as *const u8, md.ebss - md.bss),
                    });
                    found = Some(i);
                    break;
                }
                _ => {}
            }
        }
        if let Some(i) = found {
            let m = masks[i].as_ref().unwrap();
            return (&m.data, &m.bss);
        }
    }
    crate::fatal::throw("gort: too many modules")
}
