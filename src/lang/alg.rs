//! Hashing for maps and hash/maphash: a seeded wyhash over memory, Go's rules
//! for floats (+0 == -0; every NaN hashes differently), strings and
//! interfaces, and a structural hash for any comparable type (used by the
//! map implementation for keys of every type, so that it never has to call
//! back into Go code).


use crate::layout::abi::{self, Type};
use crate::layout::rt::itab;
use crate::layout::{Eface, GoString, Iface};
use crate::types::*;
use core::sync::atomic::{AtomicU64, Ordering};

const P0: u64 = 0xa076_1d64_78bd_642f;
const P1: u64 = 0xe703_7ed1_a0b4_28db;
const P2: u64 = 0x8ebc_6af0_9c88_c6e3;
const P3: u64 = 0x5899_65cc_7537_4cc3;

/// Process-wide hash key, random per run.
static HASHKEY: AtomicU64 = AtomicU64::new(0);

/// Seed the hash key (and the scheduler's random state) from the kernel's
/// AT_RANDOM bytes.
pub fn init() {
    let mut k = P2 ^ crate::sys::clock_gettime(crate::sys::CLOCK_MONOTONIC) as u64;
    if let Some(p) = crate::env::auxv(crate::env::AT_RANDOM) {
        // SAFETY: AT_RANDOM points at 16 random bytes provided by the kernel.
        unsafe {
            k ^= core::ptr::read_unaligned(p as *const u64);
            k = mum(k, core::ptr::read_unaligned((p + 8) as *const u64) | 1);
        }
    }
    HASHKEY.store(k | 1, Ordering::Relaxed);
}

#[inline]
fn mum(a: u64, b: u64) -> u64 {
    let r = (a as u128) * (b as u128);
    (r as u64) ^ ((r >> 64) as u64)
}

#[inline]
unsafe fn r8(p: *const u8) -> u64 {
    // SAFETY: caller guarantees 8 readable bytes.
    unsafe { core::ptr::read_unaligned(p as *const u64) }
}
#[inline]
unsafe fn r4(p: *const u8) -> u64 {
    // SAFETY: caller guarantees 4 readable bytes.
    unsafe { core::ptr::read_unaligned(p as *const u32) as u64 }
}
#[inline]
unsafe fn r3(p: *const u8, k: usize) -> u64 {
    // SAFETY: caller guarantees k (1..=3) readable bytes.
    unsafe { ((*p as u64) << 16) | ((*p.add(k >> 1) as u64) << 8) | *p.add(k - 1) as u64 }
}

/// wyhash of n bytes at p with seed.
///
/// # Safety
/// p points at n readable bytes.
pub unsafe fn wyhash(p: *const u8, n: usize, seed: u64) -> u64 {
    let mut seed = seed ^ HASHKEY.load(Ordering::Relaxed) ^ P0;
    let (a, b);
    // SAFETY: p points at n readable bytes.
    unsafe {
        if n <= 16 {
            if n >= 4 {
                a = (r4(p) << 32) | r4(p.add((n >> 3) << 2));
                b = (r4(p.add(n - 4)) << 32) | r4(p.add(n - 4 - ((n >> 3) << 2)));
            } else if n > 0 {
                a = r3(p, n);
                b = 0;
            } else {
                a = 0;
                b = 0;
            }
        } else {
            let mut i = n;
            let mut q = p;
            if i > 48 {
                let (mut s1, mut s2) = (seed, seed);
                while i > 48 {
                    seed = mum(r8(q) ^ P1, r8(q.add(8)) ^ seed);
                    s1 = mum(r8(q.add(16)) ^ P2, r8(q.add(24)) ^ s1);
                    s2 = mum(r8(q.add(32)) ^ P3, r8(q.add(40)) ^ s2);
                    q = q.add(48);
                    i -= 48;
                }
                seed ^= s1 ^ s2;
            }
            while i > 16 {
                seed = mum(r8(q) ^ P1, r8(q.add(8)) ^ seed);
                q = q.add(16);
                i -= 16;
            }
            a = r8(q.add(i).sub(16));
            b = r8(q.add(i).sub(8));
        }
    }
    mum(P1 ^ n as u64, mum(a ^ P1, b ^ seed))
}

/// wyhash of the 4 bytes of v, without the length dispatch (what
/// `wyhash(&v, 4, seed)` computes: both halves of each 64-bit word read
/// the same 4 bytes).
#[inline]
pub fn hash32(v: u32, seed: u64) -> u64 {
    let seed = seed ^ HASHKEY.load(Ordering::Relaxed) ^ P0;
    let w = ((v as u64) << 32) | v as u64;
    mum(P1 ^ 4, mum(w ^ P1, w ^ seed))
}

/// wyhash of the 8 bytes of v (little-endian), as `wyhash(&v, 8, seed)`.
#[inline]
pub fn hash64(v: u64, seed: u64) -> u64 {
    let seed = seed ^ HASHKEY.load(Ordering::Relaxed) ^ P0;
    let a = v.rotate_left(32);
    mum(P1 ^ 8, mum(a ^ P1, v ^ seed))
}

/// # Safety
/// `p` points at a live value of the type being hashed (compiled code and
/// package maphash pass one).
pub unsafe fn memhash(p: *mut u8, h: usize, s: usize) -> usize {
    // SAFETY: p points at s bytes (the function's contract).
    unsafe {
        match s {
            4 => hash32(core::ptr::read_unaligned(p as *const u32), h as u64) as usize,
            8 => hash64(core::ptr::read_unaligned(p as *const u64), h as u64) as usize,
            _ => wyhash(p, s, h as u64) as usize,
        }
    }
}
/// # Safety
/// `p` points at a live value of the type being hashed (compiled code and
/// package maphash pass one).
pub unsafe fn memhash0(_p: *mut u8, h: usize) -> usize {
    h
}
/// # Safety
/// `p` points at a live value of the type being hashed (compiled code and
/// package maphash pass one).
pub unsafe fn memhash8(p: *mut u8, h: usize) -> usize {
    // SAFETY: per the function contract.
    unsafe { memhash(p, h, 1) }
}
/// # Safety
/// `p` points at a live value of the type being hashed (compiled code and
/// package maphash pass one).
pub unsafe fn memhash16(p: *mut u8, h: usize) -> usize {
    // SAFETY: per the function contract.
    unsafe { memhash(p, h, 2) }
}
/// # Safety
/// `p` points at a live value of the type being hashed (compiled code and
/// package maphash pass one).
pub unsafe fn memhash32(p: *mut u8, h: usize) -> usize {
    // SAFETY: per the function contract.
    unsafe { memhash(p, h, 4) }
}
/// # Safety
/// `p` points at a live value of the type being hashed (compiled code and
/// package maphash pass one).
pub unsafe fn memhash64(p: *mut u8, h: usize) -> usize {
    // SAFETY: per the function contract.
    unsafe { memhash(p, h, 8) }
}
/// # Safety
/// `p` points at a live value of the type being hashed (compiled code and
/// package maphash pass one).
pub unsafe fn memhash128(p: *mut u8, h: usize) -> usize {
    // SAFETY: per the function contract.
    unsafe { memhash(p, h, 16) }
}

/// # Safety
/// `p` points at a live value of the type being hashed (compiled code and
/// package maphash pass one).
pub unsafe fn strhash(p: *mut u8, h: usize) -> usize {
    // SAFETY: p points at a Go string header.
    let s = unsafe { *(p as *const GoString) };
    // SAFETY: a Go string's bytes.
    unsafe { wyhash(s.ptr, s.len as usize, h as u64) as usize }
}

fn f64hash_v(f: f64, h: usize) -> usize {
    if f == 0.0 {
        // +0 and -0 are equal, so they must hash alike.
        let z = 0u64;
        // SAFETY: z is a local u64.
        return unsafe { wyhash(&z as *const u64 as *const u8, 8, h as u64) } as usize;
    }
    if f.is_nan() {
        // NaN != NaN: any hash will do; spread them out.
        return mum(h as u64 ^ P3, crate::rand::cheaprand64()) as usize;
    }
    let bits = f.to_bits();
    // SAFETY: bits is a local u64.
    unsafe { wyhash(&bits as *const u64 as *const u8, 8, h as u64) as usize }
}

/// # Safety
/// `p` points at a live value of the type being hashed (compiled code and
/// package maphash pass one).
pub unsafe fn f32hash(p: *mut u8, h: usize) -> usize {
    // SAFETY: p points at a float32.
    f64hash_v(unsafe { *(p as *const f32) } as f64, h)
}
/// # Safety
/// `p` points at a live value of the type being hashed (compiled code and
/// package maphash pass one).
pub unsafe fn f64hash(p: *mut u8, h: usize) -> usize {
    // SAFETY: p points at a float64.
    f64hash_v(unsafe { *(p as *const f64) }, h)
}
/// # Safety
/// `p` points at a live value of the type being hashed (compiled code and
/// package maphash pass one).
pub unsafe fn c64hash(p: *mut u8, h: usize) -> usize {
    // SAFETY: p points at a complex64.
    let c = unsafe { *(p as *const [f32; 2]) };
    f64hash_v(c[1] as f64, f64hash_v(c[0] as f64, h))
}
/// # Safety
/// `p` points at a live value of the type being hashed (compiled code and
/// package maphash pass one).
pub unsafe fn c128hash(p: *mut u8, h: usize) -> usize {
    // SAFETY: p points at a complex128.
    let c = unsafe { *(p as *const [f64; 2]) };
    f64hash_v(c[1], f64hash_v(c[0], h))
}

/// Raise "hash of unhashable type T"; returns the hash to use meanwhile.
#[inline(never)]
#[cold]
fn unhashable(t: *const Type, h: usize) -> usize {
    // SAFETY: t is a type descriptor.
    let ts = unsafe { type_string(t) };
    let s = crate::string::gostring_concat(&[b"hash of unhashable type ", ts]);
    let mp = crate::gm::getm();
    // SAFETY: the current m is live.
    unsafe {
        if (*mp).rtpanicKind == 0 {
            (*mp).rtpanicKind = crate::layout::rt::rtpanicErrorString as u32;
            (*mp).rtpanicArgs = [s.ptr as usize, s.len as usize, 0, 0];
        }
    }
    h
}

/// Hash the dynamic value of an interface (of type t, data word d).
fn efacehash(t: *const Type, d: *mut u8, h: usize) -> usize {
    if t.is_null() {
        return h;
    }
    // SAFETY: t is a type descriptor.
    unsafe {
        if (*t).Equal.is_null() {
            return unhashable(t, h);
        }
        let p = if is_direct_iface(t) { &d as *const *mut u8 as *mut u8 } else { d };
        mum(P1, typehash(t, p, h ^ P0 as usize) as u64) as usize
    }
}

/// # Safety
/// `p` points at a live value of the type being hashed (compiled code and
/// package maphash pass one).
pub unsafe fn interhash(p: *mut u8, h: usize) -> usize {
    // SAFETY: p points at a non-empty interface value.
    let i = unsafe { *(p as *const Iface) };
    if i.tab.is_null() {
        return h;
    }
    // SAFETY: a non-nil itab.
    efacehash(unsafe { (*(i.tab as *const itab))._type }, i.data, h)
}

/// # Safety
/// `p` points at a live value of the type being hashed (compiled code and
/// package maphash pass one).
pub unsafe fn nilinterhash(p: *mut u8, h: usize) -> usize {
    // SAFETY: p points at an empty interface value.
    let e = unsafe { *(p as *const Eface) };
    efacehash(e.typ, e.data, h)
}

/// Hash a value of any comparable type t at p, consistently with Go's ==.
///
/// # Safety
/// p must point at a value of type t.
pub unsafe fn typehash(t: *const Type, p: *mut u8, h: usize) -> usize {
    // SAFETY: per the function contract.
    unsafe {
        match flat_hash(t, p, h) {
            Flat::Done(h) => h,
            Flat::Nested => typehash_nested(t, p, h),
            Flat::Refused => unhashable(t, h),
        }
    }
}

/// What hashing or comparing a value finds without looking inside it.
enum Flat<T> {
    /// The answer.
    Done(T),
    /// An interface, array or struct that is not plain memory: its parts
    /// decide.
    Nested,
    /// A type without == (hashing it raises).
    Refused,
}

/// typehash of a value, unless its type is nested or has no ==.
///
/// # Safety
/// As typehash's.
#[inline(always)]
unsafe fn flat_hash(t: *const Type, p: *mut u8, h: usize) -> Flat<usize> {
    // SAFETY: per the function contract.
    unsafe {
        if (*t).TFlag & TFLAG_REGULAR_MEMORY != 0 {
            return Flat::Done(memhash(p, h, (*t).Size_));
        }
        Flat::Done(match kind(t) {
            KIND_FLOAT32 => f32hash(p, h),
            KIND_FLOAT64 => f64hash(p, h),
            KIND_COMPLEX64 => c64hash(p, h),
            KIND_COMPLEX128 => c128hash(p, h),
            KIND_STRING => strhash(p, h),
            KIND_INTERFACE | KIND_ARRAY | KIND_STRUCT => return Flat::Nested,
            _ if (*t).Equal.is_null() => return Flat::Refused,
            _ => memhash(p, h, (*t).Size_),
        })
    }
}

/// Whether typehash and typeequal handle values of t without recursion
/// (no call of typehash_nested or typeequal_nested): what the maps' leaf
/// fast paths require of a key type (src/base/leaf.rs).
///
/// # Safety
/// t is a type descriptor.
pub unsafe fn flat_alg(t: *const Type) -> bool {
    // SAFETY: per the function contract.
    unsafe {
        (*t).TFlag & TFLAG_REGULAR_MEMORY != 0
            || matches!(kind(t), KIND_FLOAT32 | KIND_FLOAT64 | KIND_COMPLEX64 | KIND_COMPLEX128 | KIND_STRING)
    }
}

/// typehash of interfaces, arrays and structs: recursive (kept out of
/// typehash so that the flat cases' stack use is known, see flat_alg).
///
/// # Safety
/// As typehash's.
#[inline(never)]
unsafe fn typehash_nested(t: *const Type, p: *mut u8, h: usize) -> usize {
    // SAFETY: per the function contract.
    unsafe {
        match kind(t) {
            KIND_INTERFACE => {
                if (*(t as *const abi::InterfaceType)).Methods.len == 0 {
                    nilinterhash(p, h)
                } else {
                    interhash(p, h)
                }
            }
            KIND_ARRAY => {
                let a = &*(t as *const abi::ArrayType);
                let mut h = h;
                for i in 0..a.Len {
                    h = typehash(a.Elem, p.add(i * (*a.Elem).Size_), h);
                }
                h
            }
            _ => {
                let st = &*(t as *const abi::StructType);
                let mut h = h;
                for f in st.Fields.as_slice() {
                    if blank(f) {
                        continue;
                    }
                    h = typehash(f.Typ, p.add(f.Offset), h);
                }
                h
            }
        }
    }
}

/// Go's == on two values of comparable type t (the map implementation's
/// key comparison). Returns false after raising "comparing uncomparable
/// type" for interfaces holding uncomparable values.
///
/// # Safety
/// p and q must point at values of type t.
pub unsafe fn typeequal(t: *const Type, p: *const u8, q: *const u8) -> bool {
    // SAFETY: per the function contract.
    unsafe {
        match flat_equal(t, p, q) {
            Some(eq) => eq,
            None => typeequal_nested(t, p, q),
        }
    }
}

/// typeequal of two values, unless their type is nested (None).
///
/// # Safety
/// As typeequal's.
#[inline(always)]
unsafe fn flat_equal(t: *const Type, p: *const u8, q: *const u8) -> Option<bool> {
    // SAFETY: per the function contract.
    unsafe {
        if (*t).TFlag & TFLAG_REGULAR_MEMORY != 0 {
            return Some(memeq(p, q, (*t).Size_));
        }
        Some(match kind(t) {
            KIND_FLOAT32 => *(p as *const f32) == *(q as *const f32),
            KIND_FLOAT64 => *(p as *const f64) == *(q as *const f64),
            KIND_COMPLEX64 => *(p as *const [f32; 2]) == *(q as *const [f32; 2]),
            KIND_COMPLEX128 => *(p as *const [f64; 2]) == *(q as *const [f64; 2]),
            KIND_STRING => strequal(p, q),
            KIND_INTERFACE | KIND_ARRAY | KIND_STRUCT => return None,
            _ => memeq(p, q, (*t).Size_),
        })
    }
}

/// typeequal of interfaces, arrays and structs: recursive (see
/// typehash_nested).
///
/// # Safety
/// As typeequal's.
#[inline(never)]
unsafe fn typeequal_nested(t: *const Type, p: *const u8, q: *const u8) -> bool {
    // SAFETY: per the function contract.
    unsafe {
        match kind(t) {
            KIND_INTERFACE => {
                let empty = (*(t as *const abi::InterfaceType)).Methods.len == 0;
                let (ta, da, tb, db) = if empty {
                    let (a, b) = (*(p as *const Eface), *(q as *const Eface));
                    (a.typ, a.data, b.typ, b.data)
                } else {
                    let (a, b) = (*(p as *const Iface), *(q as *const Iface));
                    if a.tab != b.tab {
                        return false;
                    }
                    let ty = if a.tab.is_null() { core::ptr::null_mut() } else { (*a.tab)._type };
                    (ty, a.data, ty, b.data)
                };
                if ta != tb {
                    return false;
                }
                efaceequal(ta, da, db)
            }
            KIND_ARRAY => {
                let a = &*(t as *const abi::ArrayType);
                let es = (*a.Elem).Size_;
                (0..a.Len).all(|i| typeequal(a.Elem, p.add(i * es), q.add(i * es)))
            }
            _ => {
                let st = &*(t as *const abi::StructType);
                st.Fields
                    .as_slice()
                    .iter()
                    .filter(|f| !blank(f))
                    .all(|f| typeequal(f.Typ, p.add(f.Offset), q.add(f.Offset)))
            }
        }
    }
}

/// == on the dynamic values of two interfaces of the same dynamic type.
///
/// # Safety
/// t is null or describes the values behind the data words.
pub unsafe fn efaceequal(t: *const Type, a: *mut u8, b: *mut u8) -> bool {
    if t.is_null() {
        return true;
    }
    // SAFETY: per the function contract.
    unsafe {
        if (*t).Equal.is_null() {
            let ts = type_string(t);
            let s = crate::string::gostring_concat(&[b"comparing uncomparable type ", ts]);
            let mp = crate::gm::getm();
            if (*mp).rtpanicKind == 0 {
                (*mp).rtpanicKind = crate::layout::rt::rtpanicErrorString as u32;
                (*mp).rtpanicArgs = [s.ptr as usize, s.len as usize, 0, 0];
            }
            return false;
        }
        if is_direct_iface(t) {
            return a == b;
        }
        typeequal(t, a, b)
    }
}

// ---- hashing and == without recursion ----
//
// The maps' goroutine-stack fast paths (src/base/leaf.rs) may not recurse:
// keys of nested types (structs and arrays that are not plain memory,
// interfaces) are hashed and compared there by a walk with a bounded list
// of pending parts, which gives up (None) where the recursive code would
// raise (a dynamic type without ==) or where the value nests too deeply.
// Both give the recursive code's answers, part for part in the same order.

/// Parts a walk keeps pending: at most two per level of nesting (the rest
/// of an array or struct, an interface's end) besides the part at hand.
/// Few: the list lives on a goroutine stack's leaf headroom (1 KiB for
/// the whole fast path), and keys nest little (a struct of strings, an
/// interface holding one: two or three).
const WALK_PARTS: usize = 8;

/// A pending part of a walk over one value (at p; q unused) or over two
/// values of one type (at p and q).
#[derive(Clone, Copy)]
enum Part {
    /// A value of type t.
    Value(*const Type, *const u8, *const u8),
    /// The last n elements of an array of element type t, the first of
    /// them at p and q.
    Elems(*const Type, *const u8, *const u8, usize),
    /// The fields of struct type t from the i-th on.
    Fields(*const Type, *const u8, *const u8, usize),
    /// The end of an interface's dynamic value (hashing mixes it in).
    EndIface,
}

struct Walk {
    /// Parts 0..n are set.
    parts: [core::mem::MaybeUninit<Part>; WALK_PARTS],
    n: usize,
}

impl Walk {
    #[inline(always)]
    fn new() -> Walk {
        // SAFETY: an array of MaybeUninit needs no initialisation.
        let parts = unsafe { core::mem::MaybeUninit::<[core::mem::MaybeUninit<Part>; WALK_PARTS]>::uninit().assume_init() };
        Walk { parts, n: 0 }
    }

    /// Leave a part pending; None if the list is full.
    #[inline(always)]
    fn push(&mut self, part: Part) -> Option<()> {
        self.parts.get_mut(self.n)?.write(part);
        self.n += 1;
        Some(())
    }

    /// The part to look at next: `cur` if set, else the last one left
    /// pending; None when the walk is over.
    #[inline(always)]
    fn next(&mut self, cur: &mut Option<Part>) -> Option<Part> {
        if let Some(part) = cur.take() {
            return Some(part);
        }
        if self.n == 0 {
            return None;
        }
        self.n -= 1;
        // SAFETY: part n was set by push.
        Some(unsafe { self.parts[self.n].assume_init() })
    }
}

/// The fields of struct type t.
///
/// # Safety
/// t is a struct type's descriptor.
#[inline(always)]
unsafe fn struct_fields(t: *const Type) -> &'static [abi::StructField] {
    // SAFETY: per the function contract; descriptors are linker data.
    unsafe { (*(t as *const abi::StructType)).Fields.as_slice() }
}

/// Is the field blank (`_`: == and hashing leave it out)? Its name is
/// then a flags byte, the length 1 (a one-byte varint) and `_`.
#[inline(always)]
pub(super) fn blank(f: &abi::StructField) -> bool {
    let n = f.Name.Bytes as *const u8;
    // SAFETY: a non-null name is linker data of at least a flags byte and
    // a length; a length of 1 is followed by one byte.
    !n.is_null() && unsafe { *n.add(1) == 1 && *n.add(2) == b'_' }
}

/// An interface value at p (empty: of an interface type without methods):
/// its first word (itab or type), its dynamic type, and where the dynamic
/// value is (its data word itself for a type stored in the word).
///
/// # Safety
/// p points at an interface value of the kind `empty` says.
#[inline(always)]
unsafe fn iface_parts(empty: bool, p: *const u8) -> (usize, *const Type, *const u8) {
    // SAFETY: per the function contract.
    unsafe {
        let first = *(p as *const usize);
        let dt = if empty || first == 0 {
            first as *const Type
        } else {
            (*(first as *const itab))._type
        };
        let data = p.add(8);
        let v = if dt.is_null() || is_direct_iface(dt) { data } else { *(data as *const *const u8) };
        (first, dt, v)
    }
}

/// Is t (an interface type) one without methods?
///
/// # Safety
/// t is an interface type's descriptor.
#[inline(always)]
unsafe fn iface_empty(t: *const Type) -> bool {
    // SAFETY: per the function contract.
    unsafe { (*(t as *const abi::InterfaceType)).Methods.len == 0 }
}

/// typehash of the interface value at p if its dynamic value needs no
/// looking into (nil, or a flat type with ==); None otherwise (a nested
/// value, or a type without ==: a walk takes it, and gives up on the
/// latter).
///
/// # Safety
/// As iface_parts'.
#[inline(always)]
pub(super) unsafe fn iface_flat_hash(empty: bool, p: *const u8, h: usize) -> Option<usize> {
    // SAFETY: per the function contract.
    unsafe {
        let (_, dt, v) = iface_parts(empty, p);
        if dt.is_null() {
            return Some(h);
        }
        if (*dt).Equal.is_null() {
            return None;
        }
        match flat_hash(dt, v as *mut u8, h ^ P0 as usize) {
            Flat::Done(x) => Some(mum(P1, x as u64) as usize),
            _ => None,
        }
    }
}

/// typeequal of the interface values at p and q if that needs no looking
/// into their dynamic values (different dynamic types, nil, or a flat type
/// with ==); None otherwise (as iface_flat_hash).
///
/// # Safety
/// As iface_parts', for both.
#[inline(always)]
pub(super) unsafe fn iface_flat_equal(empty: bool, p: *const u8, q: *const u8) -> Option<bool> {
    // SAFETY: per the function contract.
    unsafe {
        let ((fa, dt, va), (fb, _, vb)) = (iface_parts(empty, p), iface_parts(empty, q));
        if fa != fb {
            return Some(false);
        }
        if dt.is_null() {
            return Some(true);
        }
        if (*dt).Equal.is_null() {
            return None;
        }
        flat_equal(dt, va, vb)
    }
}

/// typehash for the maps' goroutine-stack fast paths: a value that needs
/// no looking into, or an interface holding one (most nested keys: an
/// `any` holding a pointer, an int or a string), right here; structs and
/// arrays by their key type's plan (keyplan.rs), anything else by
/// walk_hash, out of line. None where walk_hash gives None.
///
/// # Safety
/// As typehash's.
#[inline(always)]
pub unsafe fn leaf_hash(t: *const Type, p: *mut u8, h: usize) -> Option<usize> {
    // SAFETY: per the function contract; descriptors are linker data.
    unsafe {
        if kind(t) == KIND_INTERFACE {
            return match iface_flat_hash(iface_empty(t), p, h) {
                Some(h) => Some(h),
                None => walk_hash(t, p, h),
            };
        }
        match flat_hash(t, p, h) {
            Flat::Done(x) => Some(x),
            Flat::Refused => None,
            Flat::Nested => super::keyplan::nested_hash(t, p, h),
        }
    }
}

/// typeequal for the maps' goroutine-stack fast paths (as leaf_hash is
/// typehash's): None where walk_equal gives None.
///
/// # Safety
/// As typeequal's.
#[inline(always)]
pub unsafe fn leaf_equal(t: *const Type, p: *const u8, q: *const u8) -> Option<bool> {
    // SAFETY: per the function contract; descriptors are linker data.
    unsafe {
        if kind(t) == KIND_INTERFACE {
            return match iface_flat_equal(iface_empty(t), p, q) {
                Some(eq) => Some(eq),
                None => walk_equal(t, p, q),
            };
        }
        match flat_equal(t, p, q) {
            Some(eq) => Some(eq),
            None => super::keyplan::nested_equal(t, p, q),
        }
    }
}

/// typehash without recursion: None where typehash would raise or the
/// value nests too deeply. The fields of a struct that need no looking
/// into are hashed as they come, without being left pending.
///
/// # Safety
/// As typehash's.
#[inline(never)]
pub unsafe fn walk_hash(t: *const Type, p: *mut u8, h: usize) -> Option<usize> {
    let null = core::ptr::null();
    let mut w = Walk::new();
    let mut h = h;
    let mut cur = Some(Part::Value(t, p, null));
    // SAFETY: per the function contract: every part is of the value;
    // descriptors are linker data.
    unsafe {
        while let Some(part) = w.next(&mut cur) {
            match part {
                Part::EndIface => h = mum(P1, h as u64) as usize,
                Part::Elems(_, _, _, 0) => {}
                Part::Elems(t, p, _, n) => {
                    if n > 1 {
                        w.push(Part::Elems(t, p.add((*t).Size_), null, n - 1))?;
                    }
                    cur = Some(Part::Value(t, p, null));
                }
                Part::Fields(t, p, _, i) => {
                    let fields = struct_fields(t);
                    for (k, f) in fields.iter().enumerate().skip(i) {
                        if blank(f) {
                            continue;
                        }
                        match flat_hash(f.Typ, p.add(f.Offset) as *mut u8, h) {
                            Flat::Done(x) => h = x,
                            Flat::Refused => return None,
                            Flat::Nested => {
                                if k + 1 < fields.len() {
                                    w.push(Part::Fields(t, p, null, k + 1))?;
                                }
                                cur = Some(Part::Value(f.Typ, p.add(f.Offset), null));
                                break;
                            }
                        }
                    }
                }
                Part::Value(t, p, _) => match flat_hash(t, p as *mut u8, h) {
                    Flat::Done(x) => h = x,
                    Flat::Refused => return None,
                    Flat::Nested => match kind(t) {
                        KIND_INTERFACE => {
                            let (_, dt, v) = iface_parts(iface_empty(t), p);
                            if dt.is_null() {
                                continue;
                            }
                            // A dynamic type without == (even one with
                            // nothing to hash: [0]func()) raises.
                            if (*dt).Equal.is_null() {
                                return None;
                            }
                            // A dynamic value that needs no looking into
                            // (the usual case) is hashed right away.
                            match flat_hash(dt, v as *mut u8, h ^ P0 as usize) {
                                Flat::Done(x) => h = mum(P1, x as u64) as usize,
                                Flat::Refused => return None,
                                Flat::Nested => {
                                    h ^= P0 as usize;
                                    w.push(Part::EndIface)?;
                                    cur = Some(Part::Value(dt, v, null));
                                }
                            }
                        }
                        KIND_ARRAY => {
                            let a = &*(t as *const abi::ArrayType);
                            cur = Some(Part::Elems(a.Elem, p, null, a.Len));
                        }
                        _ => cur = Some(Part::Fields(t, p, null, 0)),
                    },
                },
            }
        }
    }
    Some(h)
}

/// typeequal without recursion: None where typeequal would raise or the
/// values nest too deeply. A walk over p and q leaves no more parts
/// pending than walk_hash over p (its parts are p's, fewer at
/// interfaces), so a key that walk_hash took compares with any other.
///
/// # Safety
/// As typeequal's.
#[inline(never)]
pub unsafe fn walk_equal(t: *const Type, p: *const u8, q: *const u8) -> Option<bool> {
    let mut w = Walk::new();
    let mut cur = Some(Part::Value(t, p, q));
    // SAFETY: per the function contract: every part is of the values;
    // descriptors are linker data.
    unsafe {
        while let Some(part) = w.next(&mut cur) {
            match part {
                Part::EndIface | Part::Elems(_, _, _, 0) => {}
                Part::Elems(t, p, q, n) => {
                    if n > 1 {
                        let size = (*t).Size_;
                        w.push(Part::Elems(t, p.add(size), q.add(size), n - 1))?;
                    }
                    cur = Some(Part::Value(t, p, q));
                }
                Part::Fields(t, p, q, i) => {
                    let fields = struct_fields(t);
                    for (k, f) in fields.iter().enumerate().skip(i) {
                        if blank(f) {
                            continue;
                        }
                        let (fp, fq) = (p.add(f.Offset), q.add(f.Offset));
                        match flat_equal(f.Typ, fp, fq) {
                            Some(true) => {}
                            Some(false) => return Some(false),
                            None => {
                                if k + 1 < fields.len() {
                                    w.push(Part::Fields(t, p, q, k + 1))?;
                                }
                                cur = Some(Part::Value(f.Typ, fp, fq));
                                break;
                            }
                        }
                    }
                }
                Part::Value(t, p, q) => match flat_equal(t, p, q) {
                    Some(true) => {}
                    Some(false) => return Some(false),
                    None => match kind(t) {
                        KIND_INTERFACE => {
                            let empty = iface_empty(t);
                            let ((fa, dt, va), (fb, _, vb)) = (iface_parts(empty, p), iface_parts(empty, q));
                            if fa != fb {
                                return Some(false);
                            }
                            if dt.is_null() {
                                continue;
                            }
                            if (*dt).Equal.is_null() {
                                return None;
                            }
                            match flat_equal(dt, va, vb) {
                                Some(true) => {}
                                Some(false) => return Some(false),
                                None => cur = Some(Part::Value(dt, va, vb)),
                            }
                        }
                        KIND_ARRAY => {
                            let a = &*(t as *const abi::ArrayType);
                            cur = Some(Part::Elems(a.Elem, p, q, a.Len));
                        }
                        _ => cur = Some(Part::Fields(t, p, q, 0)),
                    },
                },
            }
        }
    }
    Some(true)
}

/// Go's == on the strings whose headers are at p and q.
///
/// # Safety
/// p and q point at Go string headers of live strings.
#[inline]
pub unsafe fn strequal(p: *const u8, q: *const u8) -> bool {
    // SAFETY: per the function contract.
    unsafe {
        let (a, b) = (*(p as *const GoString), *(q as *const GoString));
        a.len == b.len && memeq(a.ptr, b.ptr, a.len as usize)
    }
}

/// # Safety
/// p and q point at n readable bytes each.
#[inline]
pub unsafe fn memeq(p: *const u8, q: *const u8, n: usize) -> bool {
    if p == q {
        return true;
    }
    // SAFETY: callers pass n readable bytes at both; the loads below stay
    // within them (two overlapping words cover 8..=16 bytes, two
    // overlapping halves 4..=7).
    unsafe {
        // Short keys (most map keys) without a call of memcmp.
        if n <= 16 {
            if n >= 8 {
                let w = |x: *const u8| core::ptr::read_unaligned(x as *const u64);
                return w(p) == w(q) && w(p.add(n - 8)) == w(q.add(n - 8));
            }
            if n >= 4 {
                let w = |x: *const u8| core::ptr::read_unaligned(x as *const u32);
                return w(p) == w(q) && w(p.add(n - 4)) == w(q.add(n - 4));
            }
            // 1 to 3 bytes: the first, middle and last cover them all.
            return n == 0 || (*p == *q && *p.add(n / 2) == *q.add(n / 2) && *p.add(n - 1) == *q.add(n - 1));
        }
        core::slice::from_raw_parts(p, n) == core::slice::from_raw_parts(q, n)
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memeq_finds_every_differing_byte() {
        let a: Vec<u8> = (0..40u8).collect();
        for n in 0..40 {
            let b = a.clone();
            // SAFETY: both vectors hold 40 bytes.
            assert!(unsafe { memeq(a.as_ptr(), b.as_ptr(), n) }, "n={n}");
            for at in 0..n {
                let mut c = a.clone();
                c[at] ^= 0x80;
                // SAFETY: as above.
                assert!(!unsafe { memeq(a.as_ptr(), c.as_ptr(), n) }, "n={n} at={at}");
            }
        }
    }

    #[test]
    fn word_hashes_are_wyhash() {
        for (i, v) in [0u64, 1, 0xdead_beef, u64::MAX, 0x0123_4567_89ab_cdef].into_iter().enumerate() {
            let seed = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            // SAFETY: locals of the sizes hashed.
            unsafe {
                assert_eq!(hash64(v, seed), wyhash(&v as *const u64 as *const u8, 8, seed));
                let w = v as u32;
                assert_eq!(hash32(w, seed), wyhash(&w as *const u32 as *const u8, 4, seed));
            }
        }
    }
}
