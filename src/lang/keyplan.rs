//! Plans for hashing and comparing map keys of nested types on the maps'
//! goroutine-stack fast paths.
//!
//! A struct or array key that is not plain memory (`struct{name string;
//! id int}`) is hashed field by field, in the order typehash takes them.
//! Interpreting its type descriptor at every lookup (alg.rs walk_hash: a
//! list of pending parts, a blank-name check and a kind dispatch per field)
//! cost three times upstream's compiler-generated hash and == functions. A
//! plan is that interpretation done once per key type: the key's parts
//! flattened into a short list of (kind, offset) steps, nested structs and
//! arrays unrolled, blank fields left out. Hashing by a plan threads the
//! hash through the same steps as typehash (part for part, the same
//! functions), so a key hashed either way lands in the same bucket.
//!
//! Plans live in a fixed table without locks, built on first use by
//! whichever thread gets there: building only reads type descriptors, so
//! it may run on a fast path. A key type the table has no room for, or
//! whose plan would be too long or too deep, goes on being walked; so does
//! a key whose interface holds a value of a nested type (a plan step looks
//! only at flat dynamic values).

use super::alg;
use crate::layout::abi::{self, Type};
use crate::types::*;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

/// One step of a plan: a part of the key at a byte offset.
#[derive(Clone, Copy)]
enum Op {
    /// Plain memory of the given length (a field whose type is regular
    /// memory, hashed as one run as typehash hashes it).
    Mem(u32, u32),
    Str(u32),
    F32(u32),
    F64(u32),
    C64(u32),
    C128(u32),
    /// An empty interface.
    Eface(u32),
    /// An interface with methods.
    Iface(u32),
}

/// Longest plan: a key of more parts is walked.
const MAX_OPS: usize = 16;
/// Deepest nesting of structs and arrays a plan unrolls.
const MAX_DEPTH: usize = 4;
/// Table size (a power of two) and how many slots a type may probe.
const SLOTS: usize = 128;
const PROBES: usize = 4;

/// A slot's states once its type is claimed (READY_FLAT: ready, and no
/// step is an interface, so the plan alone always decides).
const BUILDING: u8 = 0;
const READY: u8 = 1;
const NO_PLAN: u8 = 2;
const READY_FLAT: u8 = 3;

struct Slot {
    /// The key type (0: free); claimed once, never freed.
    typ: AtomicUsize,
    state: AtomicU8,
    /// Written by the claiming thread before state becomes READY, read
    /// only after.
    plan: UnsafeCell<([Op; MAX_OPS], usize)>,
}

// SAFETY: plan is written once, by the thread that claimed the slot,
// before the Release store of READY; readers read it only after an
// Acquire load of READY.
unsafe impl Sync for Slot {}

static PLANS: [Slot; SLOTS] = [const {
    Slot { typ: AtomicUsize::new(0), state: AtomicU8::new(BUILDING), plan: UnsafeCell::new(([Op::Mem(0, 0); MAX_OPS], 0)) }
}; SLOTS];

/// The plan for key type t (a struct or array type that is not plain
/// memory), built here if no thread has yet; None if it has none (yet).
///
/// # Safety
/// t is a type descriptor.
#[inline]
unsafe fn plan(t: *const Type) -> Option<&'static [Op]> {
    // SAFETY: per the function contract.
    unsafe { plan_of(t) }.map(|(ops, _)| ops)
}

/// plan, and whether it is flat (READY_FLAT).
///
/// # Safety
/// As plan's.
#[inline]
unsafe fn plan_of(t: *const Type) -> Option<(&'static [Op], bool)> {
    let start = (t as usize >> 4).wrapping_mul(0x9e37_79b9) >> 8;
    for i in 0..PROBES {
        let slot = &PLANS[(start + i) % SLOTS];
        let mut ty = slot.typ.load(Ordering::Acquire);
        if ty == 0 {
            match slot.typ.compare_exchange(0, t as usize, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => {
                    // SAFETY: per the function contract.
                    return unsafe { build(slot, t) };
                }
                Err(now) => ty = now,
            }
        }
        if ty == t as usize {
            let state = slot.state.load(Ordering::Acquire);
            if state != READY && state != READY_FLAT {
                return None;
            }
            // SAFETY: READY: the plan is written and stays unchanged.
            let (ops, n) = unsafe { &*slot.plan.get() };
            return Some((&ops[..*n], state == READY_FLAT));
        }
    }
    None
}

/// Build t's plan into the slot this thread has claimed for it.
///
/// # Safety
/// t is a type descriptor; slot was claimed for t by this thread.
#[cold]
#[inline(never)]
unsafe fn build(slot: &'static Slot, t: *const Type) -> Option<(&'static [Op], bool)> {
    // SAFETY: only this thread writes the slot's plan, and no reader reads
    // it before READY; t per the function contract. (Written in place: a
    // plan is too big to copy around within a fast path's stack room.)
    let (ops, n) = unsafe { &mut *slot.plan.get() };
    // SAFETY: per the function contract.
    if unsafe { flatten(t, ops, n) } {
        let flat = !ops[..*n].iter().any(|op| matches!(op, Op::Eface(_) | Op::Iface(_)));
        slot.state.store(if flat { READY_FLAT } else { READY }, Ordering::Release);
        Some((&ops[..*n], flat))
    } else {
        slot.state.store(NO_PLAN, Ordering::Release);
        None
    }
}

/// Write into ops[..n] the steps typehash takes over a value of struct or
/// array type t, in its order; false if they are too many or nest too
/// deeply, or if a part's type has no == (hashing raises: the walk reports
/// it).
///
/// # Safety
/// t is a struct or array type's descriptor.
unsafe fn flatten(t: *const Type, ops: &mut [Op; MAX_OPS], n: &mut usize) -> bool {
    // SAFETY: per the function contract.
    unsafe { flatten_parts(t, ops, n) }.is_some()
}

/// flatten's steps (None: no plan).
///
/// # Safety
/// As flatten's.
#[inline(always)]
unsafe fn flatten_parts(t: *const Type, ops: &mut [Op; MAX_OPS], n: &mut usize) -> Option<()> {
    *n = 0;
    // Containers being unrolled: (type, offset, index of the next field or
    // element).
    let mut stack = [(core::ptr::null::<Type>(), 0usize, 0usize); MAX_DEPTH];
    stack[0] = (t, 0, 0);
    let mut depth = 1;
    // SAFETY: descriptors are linker data; field and element types are
    // descriptors.
    unsafe {
        while depth > 0 {
            let (ct, base, i) = stack[depth - 1];
            let next = if kind(ct) == KIND_STRUCT {
                let fields = (*(ct as *const abi::StructType)).Fields.as_slice();
                fields.get(i).map(|f| (f.Typ as *const Type, base + f.Offset, alg::blank(f)))
            } else {
                let a = &*(ct as *const abi::ArrayType);
                (i < a.Len).then(|| (a.Elem as *const Type, base + i * (*a.Elem).Size_, false))
            };
            let Some((pt, off, skip)) = next else {
                depth -= 1;
                continue;
            };
            stack[depth - 1].2 = i + 1;
            if skip {
                continue;
            }
            let at = u32::try_from(off).ok()?;
            let op = if (*pt).TFlag & TFLAG_REGULAR_MEMORY != 0 {
                Op::Mem(at, u32::try_from((*pt).Size_).ok()?)
            } else {
                match kind(pt) {
                    KIND_FLOAT32 => Op::F32(at),
                    KIND_FLOAT64 => Op::F64(at),
                    KIND_COMPLEX64 => Op::C64(at),
                    KIND_COMPLEX128 => Op::C128(at),
                    KIND_STRING => Op::Str(at),
                    KIND_INTERFACE if (*(pt as *const abi::InterfaceType)).Methods.len == 0 => Op::Eface(at),
                    KIND_INTERFACE => Op::Iface(at),
                    KIND_STRUCT | KIND_ARRAY => {
                        if depth == MAX_DEPTH {
                            return None;
                        }
                        stack[depth] = (pt, off, 0);
                        depth += 1;
                        continue;
                    }
                    _ if (*pt).Equal.is_null() => return None,
                    _ => Op::Mem(at, u32::try_from((*pt).Size_).ok()?),
                }
            };
            *ops.get_mut(*n)? = op;
            *n += 1;
        }
    }
    Some(())
}

/// typehash of the value at p by t's plan; None where the plan cannot say
/// (an interface holding a value of a nested type, or of a type without
/// ==): the caller walks the value instead.
///
/// # Safety
/// p points at a value of the plan's type.
#[inline(always)]
unsafe fn hash_by(ops: &[Op], p: *mut u8, mut h: usize) -> Option<usize> {
    // SAFETY: every step's offset is a part of the value of its kind.
    unsafe {
        for op in ops {
            h = match *op {
                Op::Mem(o, len) => alg::memhash(p.add(o as usize), h, len as usize),
                Op::Str(o) => alg::strhash(p.add(o as usize), h),
                Op::F32(o) => alg::f32hash(p.add(o as usize), h),
                Op::F64(o) => alg::f64hash(p.add(o as usize), h),
                Op::C64(o) => alg::c64hash(p.add(o as usize), h),
                Op::C128(o) => alg::c128hash(p.add(o as usize), h),
                Op::Eface(o) => alg::iface_flat_hash(true, p.add(o as usize), h)?,
                Op::Iface(o) => alg::iface_flat_hash(false, p.add(o as usize), h)?,
            };
        }
    }
    Some(h)
}

/// typeequal of the values at p and q by their type's plan; None where the
/// plan cannot say (as hash_by).
///
/// # Safety
/// p and q point at values of the plan's type.
#[inline(always)]
unsafe fn equal_by(ops: &[Op], p: *const u8, q: *const u8) -> Option<bool> {
    // SAFETY: every step's offset is a part of both values of its kind.
    unsafe {
        for op in ops {
            let eq = match *op {
                Op::Mem(o, 8) => core::ptr::read_unaligned(p.add(o as usize) as *const u64) == core::ptr::read_unaligned(q.add(o as usize) as *const u64),
                Op::Mem(o, 4) => core::ptr::read_unaligned(p.add(o as usize) as *const u32) == core::ptr::read_unaligned(q.add(o as usize) as *const u32),
                Op::Mem(o, len) => alg::memeq(p.add(o as usize), q.add(o as usize), len as usize),
                Op::Str(o) => alg::strequal(p.add(o as usize), q.add(o as usize)),
                Op::F32(o) => *(p.add(o as usize) as *const f32) == *(q.add(o as usize) as *const f32),
                Op::F64(o) => *(p.add(o as usize) as *const f64) == *(q.add(o as usize) as *const f64),
                Op::C64(o) => *(p.add(o as usize) as *const [f32; 2]) == *(q.add(o as usize) as *const [f32; 2]),
                Op::C128(o) => *(p.add(o as usize) as *const [f64; 2]) == *(q.add(o as usize) as *const [f64; 2]),
                Op::Eface(o) => alg::iface_flat_equal(true, p.add(o as usize), q.add(o as usize))?,
                Op::Iface(o) => alg::iface_flat_equal(false, p.add(o as usize), q.add(o as usize))?,
            };
            if !eq {
                return Some(false);
            }
        }
    }
    Some(true)
}

/// typehash of a value of struct or array type t on a fast path: by t's
/// plan, else by a walk (None where the walk gives up).
///
/// # Safety
/// p points at a value of type t, a struct or array type that is not plain
/// memory.
#[inline(never)]
pub unsafe fn nested_hash(t: *const Type, p: *mut u8, h: usize) -> Option<usize> {
    // SAFETY: per the function contract.
    unsafe {
        if let Some(h) = plan(t).and_then(|ops| hash_by(ops, p, h)) {
            return Some(h);
        }
        alg::walk_hash(t, p, h)
    }
}

/// typeequal of two values of struct or array type t on a fast path (as
/// nested_hash).
///
/// # Safety
/// p and q point at values of type t, a struct or array type that is not
/// plain memory.
#[inline(never)]
pub unsafe fn nested_equal(t: *const Type, p: *const u8, q: *const u8) -> Option<bool> {
    // SAFETY: per the function contract.
    unsafe {
        if let Some(eq) = plan(t).and_then(|ops| equal_by(ops, p, q)) {
            return Some(eq);
        }
        alg::walk_equal(t, p, q)
    }
}

/// The plan of a key type that always decides by itself (a struct or
/// array type, not plain memory, with no interface among its parts): the
/// maps' lookups, assignments and deletions look it up once per operation
/// and hash and compare by it directly (maps.rs PlanKey), instead of
/// finding it again at each hash and comparison behind typehash's
/// dispatch.
#[derive(Clone, Copy)]
pub struct FlatPlan(&'static [Op]);

impl FlatPlan {
    /// No plan (a map operation on keys of any other type).
    pub const NONE: FlatPlan = FlatPlan(&[]);

    /// typehash of the value at p.
    ///
    /// # Safety
    /// p points at a value of the plan's type.
    #[inline(always)]
    pub unsafe fn hash(self, p: *mut u8, h: usize) -> usize {
        // SAFETY: per the function contract; a flat plan has no step that
        // can give up.
        unsafe { hash_by(self.0, p, h) }.unwrap_or_else(|| crate::fatal::throw("keyplan: a flat plan gave up"))
    }

    /// typeequal of the values at p and q.
    ///
    /// # Safety
    /// p and q point at values of the plan's type.
    #[inline(always)]
    pub unsafe fn equal(self, p: *const u8, q: *const u8) -> bool {
        // SAFETY: as for hash.
        unsafe { equal_by(self.0, p, q) }.unwrap_or_else(|| crate::fatal::throw("keyplan: a flat plan gave up"))
    }
}

/// t's flat plan, if t has one (see FlatPlan): None at once for the flat
/// types typehash handles without a plan.
///
/// # Safety
/// t is a type descriptor.
#[inline]
pub unsafe fn flat_plan(t: *const Type) -> Option<FlatPlan> {
    // SAFETY: per the function contract.
    unsafe {
        if (*t).TFlag & TFLAG_REGULAR_MEMORY != 0 || !matches!(kind(t), KIND_STRUCT | KIND_ARRAY) {
            return None;
        }
        match plan_of(t) {
            Some((ops, true)) => Some(FlatPlan(ops)),
            _ => None,
        }
    }
}
