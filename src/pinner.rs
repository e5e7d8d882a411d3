//! runtime.Pinner's runtime half: which heap objects are pinned, and how
//! many times (several Pinners, or one Pinner pinning an object again).
//!
//! A Pinner keeps what it pins alive itself (the Go side keeps the pointers
//! in the Pinner, asm/runtime/api.go); here a table records each pinned
//! heap object by its base address with its count of extra pins (0: pinned
//! once). gort's collector never moves objects, so pinning is bookkeeping:
//! for cgo's pointer checks (a Go pointer in memory passed to C must point
//! to pinned memory), for the leak check and for the runtime's tests.
//! Pointers outside the heap (globals, the zero-size base) count as pinned
//! always, as upstream.
//!
//! The table: open addressing with linear probing over (base, extra)
//! slots in persistent memory, doubled when 3/4 full, deletion by shifting
//! back the entries that follow (no tombstones).

use crate::errors;
use crate::heap;
use crate::layout::abi::Type;
use crate::layout::Eface;
use crate::lock::Mutex;
use crate::types::*;
use core::ptr::null_mut;

#[derive(Clone, Copy)]
#[repr(C)]
struct Slot {
    /// Base address of a pinned object (0: empty slot).
    base: usize,
    /// Pins beyond the first.
    extra: usize,
}

struct Table {
    slots: *mut Slot,
    cap: usize,
    len: usize,
}

static LOCK: Mutex = Mutex::new();
static mut TABLE: Table = Table { slots: null_mut(), cap: 0, len: 0 };

fn table() -> &'static mut Table {
    // SAFETY: only used with LOCK held (see with_table).
    unsafe { &mut *core::ptr::addr_of_mut!(TABLE) }
}

fn with_table<R>(f: impl FnOnce(&mut Table) -> R) -> R {
    LOCK.lock();
    let r = f(table());
    LOCK.unlock();
    r
}

fn hash(base: usize) -> usize {
    (base >> 3).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl Table {
    fn slot(&self, i: usize) -> &mut Slot {
        // SAFETY: i < cap; slots has cap entries.
        unsafe { &mut *self.slots.add(i) }
    }

    /// The slot holding base, or the empty slot where it would go.
    fn find(&self, base: usize) -> usize {
        let mut i = hash(base) & (self.cap - 1);
        loop {
            let s = self.slot(i);
            if s.base == base || s.base == 0 {
                return i;
            }
            i = (i + 1) & (self.cap - 1);
        }
    }

    fn grow(&mut self) {
        let old = (self.slots, self.cap);
        self.cap = (self.cap * 2).max(64);
        self.slots = crate::persistent::alloc(self.cap * core::mem::size_of::<Slot>(), 8) as *mut Slot;
        self.len = 0;
        for i in 0..old.1 {
            // SAFETY: the old array has old.1 slots.
            let s = unsafe { *old.0.add(i) };
            if s.base != 0 {
                let j = self.find(s.base);
                *self.slot(j) = s;
                self.len += 1;
            }
        }
    }

    fn pin(&mut self, base: usize) {
        if (self.len + 1) * 4 > self.cap * 3 {
            self.grow();
        }
        let i = self.find(base);
        let s = self.slot(i);
        if s.base == base {
            s.extra += 1;
        } else {
            *s = Slot { base, extra: 0 };
            self.len += 1;
        }
    }

    /// Drop one pin of base; false if it was not pinned.
    fn unpin(&mut self, base: usize) -> bool {
        if self.cap == 0 {
            return false;
        }
        let mut i = self.find(base);
        let s = self.slot(i);
        if s.base != base {
            return false;
        }
        if s.extra > 0 {
            s.extra -= 1;
            return true;
        }
        // Remove, shifting back the entries of the run after it that
        // would otherwise become unreachable.
        self.len -= 1;
        let mask = self.cap - 1;
        let mut j = i;
        loop {
            *self.slot(i) = Slot { base: 0, extra: 0 };
            loop {
                j = (j + 1) & mask;
                let sj = *self.slot(j);
                if sj.base == 0 {
                    return true;
                }
                let home = hash(sj.base) & mask;
                // Leave sj where it is if its home lies cyclically in (i, j].
                let stays = if i <= j { i < home && home <= j } else { i < home || home <= j };
                if !stays {
                    *self.slot(i) = sj;
                    i = j;
                    break;
                }
            }
        }
    }

    fn get(&self, base: usize) -> Option<&mut Slot> {
        if self.cap == 0 {
            return None;
        }
        let s = self.slot(self.find(base));
        (s.base == base).then_some(s)
    }
}

/// The base of the heap object containing p (0: not in the heap).
fn object_base(p: usize) -> usize {
    let s = heap::span_of_heap(p);
    if s.is_null() {
        return 0;
    }
    // SAFETY: s is an in-use span containing p.
    unsafe { (*s).obj_base((*s).obj_index(p)) }
}

/// Pinner.Pin: check the argument (a pointer), pin what it points to,
/// and return the pointer (the Pinner keeps it).
pub fn rt_pinnerPin(pointer: Eface) -> *mut u8 {
    if pointer.typ.is_null() {
        errors::raise_error("runtime.Pinner: argument is nil");
        return null_mut();
    }
    // SAFETY: a live interface value's type descriptor.
    unsafe {
        let k = kind(pointer.typ);
        if k != KIND_POINTER && k != KIND_UNSAFE_POINTER {
            let s = crate::string::gostring_concat(&[b"runtime.Pinner: argument is not a pointer: ", type_string(pointer.typ as *const Type)]);
            errors::raise_error_go(s);
            return null_mut();
        }
    }
    let p = pointer.data;
    let base = object_base(p as usize);
    if base != 0 {
        with_table(|t| t.pin(base));
    }
    p
}

/// Drop one pin of what p points to.
pub fn rt_pinnerUnpin(p: *mut u8) {
    let base = object_base(p as usize);
    if base != 0 && !with_table(|t| t.unpin(base)) {
        crate::fatal::throw("runtime.Pinner: object already unpinned");
    }
}

/// Is the object p points into pinned? (Memory outside the heap always is.)
pub fn isPinned(p: *mut u8) -> bool {
    let base = object_base(p as usize);
    base == 0 || with_table(|t| t.get(base).is_some())
}

/// The runtime tests' GetPinCounter: the count of extra pins of the object
/// p points into, or null when it is pinned at most once.
pub fn rt_test_pinCounter(p: *mut u8) -> *mut usize {
    let base = object_base(p as usize);
    with_table(|t| match t.get(base) {
        Some(s) if s.extra > 0 => core::ptr::addr_of_mut!(s.extra),
        _ => null_mut(),
    })
}
