//! Pinned objects (runtime.Pinner): how many times each heap object is
//! pinned. The Pinner's own record keeps the objects alive (they are
//! referenced from it); this table answers "is p pinned?" for the cgo
//! pointer checks. gort's heap never moves objects, so pinning needs
//! nothing else from the collector.

use super::*;
use crate::lock::Locked;

const EMPTY: usize = 0;
const DELETED: usize = usize::MAX;

/// Open addressing, linear probing: object base -> pin count.
struct PinTable {
    keys: *mut usize,
    counts: *mut u32,
    cap: usize,
    used: usize,
}

// SAFETY: the arrays are owned by the table and reached under its lock.
unsafe impl Send for PinTable {}

static PINS: Locked<PinTable> = Locked::new(crate::lockrank::Rank::Pins, PinTable { keys: null_mut(), counts: null_mut(), cap: 0, used: 0 });

impl PinTable {
    fn slot_of(&self, key: usize) -> (usize, bool) {
        let mask = self.cap - 1;
        let mut i = (key >> 3).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 20 & mask;
        let mut first_free = None;
        loop {
            // SAFETY: i < cap.
            let k = unsafe { *self.keys.add(i) };
            if k == key {
                return (i, true);
            }
            if k == EMPTY {
                return (first_free.unwrap_or(i), false);
            }
            if k == DELETED && first_free.is_none() {
                first_free = Some(i);
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let (old_keys, old_counts, old_cap) = (self.keys, self.counts, self.cap);
        self.cap = (old_cap * 2).max(64);
        self.keys = crate::persistent::alloc(self.cap * 8, 8) as *mut usize;
        self.counts = crate::persistent::alloc(self.cap * 4, 4) as *mut u32;
        self.used = 0;
        for i in 0..old_cap {
            // SAFETY: i < old_cap (the old arrays are abandoned afterwards:
            // persistent memory is never freed).
            let (k, c) = unsafe { (*old_keys.add(i), *old_counts.add(i)) };
            if k != EMPTY && k != DELETED {
                let (j, _) = self.slot_of(k);
                // SAFETY: j < cap.
                unsafe {
                    *self.keys.add(j) = k;
                    *self.counts.add(j) = c;
                }
                self.used += 1;
            }
        }
    }
}

/// The start of the heap object containing p, if p is in the heap.
fn object_base(p: usize) -> Option<usize> {
    let s = span_of_heap(p);
    if s.is_null() {
        return None;
    }
    // SAFETY: an in-use span.
    let sp = unsafe { &*s };
    Some(sp.obj_base(sp.obj_index(p)))
}

/// Pin (or unpin) the object p points into. Returns whether p is a heap
/// object (pointers elsewhere cannot move or be freed: pinning them is a
/// no-op, unpinning them an error, as upstream).
pub fn set_pinned(p: usize, pin: bool) -> Result<bool, &'static str> {
    let Some(base) = object_base(p) else {
        return if pin { Ok(false) } else { Err("tried to unpin non-Go pointer") };
    };
    PINS.with(|t| {
        if pin {
            if (t.used + 1) * 2 > t.cap {
                t.grow();
            }
            let (i, found) = t.slot_of(base);
            // SAFETY: i < cap.
            unsafe {
                if found {
                    *t.counts.add(i) += 1;
                } else {
                    *t.keys.add(i) = base;
                    *t.counts.add(i) = 1;
                    t.used += 1;
                }
            }
            Ok(true)
        } else {
            if t.cap == 0 {
                return Err("runtime.Pinner: object already unpinned");
            }
            let (i, found) = t.slot_of(base);
            if !found {
                return Err("runtime.Pinner: object already unpinned");
            }
            // SAFETY: i < cap.
            unsafe {
                *t.counts.add(i) -= 1;
                if *t.counts.add(i) == 0 {
                    *t.keys.add(i) = DELETED;
                }
            }
            Ok(true)
        }
    })
}

/// Is the object p points into pinned? (Pointers outside the heap are
/// never freed or moved: they count as pinned.) For the cgo pointer
/// checks, which wait for cgo calls.
#[allow(dead_code)]
pub fn is_pinned(p: usize) -> bool {
    let Some(base) = object_base(p) else { return true };
    PINS.with(|t| t.cap != 0 && t.slot_of(base).1)
}

/// How many times the object p points into is pinned (0: not pinned or
/// not in the heap).
pub fn pin_count(p: usize) -> u32 {
    let Some(base) = object_base(p) else { return 0 };
    PINS.with(|t| {
        if t.cap == 0 {
            return 0;
        }
        match t.slot_of(base) {
            // SAFETY: i < cap.
            (i, true) => unsafe { *t.counts.add(i) },
            _ => 0,
        }
    })
}
