//! Go maps, in the layout the compiler fixes (go1.22).
//!
//! A map is an `hmap` header plus an array of 2^B buckets. A bucket holds 8
//! slots: 8 tophash bytes, then the 8 keys, then the 8 elements, then an
//! overflow-bucket pointer (at BucketSize-8). Keys or elements larger than
//! 128 bytes are stored indirectly (a pointer in the slot). The compiler
//! allocates the header and first bucket of small non-escaping maps itself.
//!
//! Growth doubles the bucket array when the average load exceeds 6.5 per
//! bucket (or rebuilds it at the same size when overflow chains get long),
//! then moves ("evacuates") old buckets incrementally, two per write.
//! Iteration starts at a random bucket and offset and copes with growth in
//! progress, as Go's specification of range over maps allows.
//!
//! Keys are hashed with `alg::typehash` and compared with
//! `alg::typeequal` (Go's == semantics, computed structurally from the type
//! descriptor) instead of calling the compiler-generated Go functions: the
//! map code runs on the system stack and must not call back into Go. All
//! accesses to a map go through this module, so the hash function only has
//! to be consistent with itself.
//!
//! Panics (assignment to a nil map, unhashable dynamic key types) are raised
//! through errors::raise_*; the operation then stops without modifying the
//! map. Concurrent misuse is detected with the hashWriting flag and is fatal,
//! as upstream.

use crate::alg::{typeequal, typehash};
use crate::raise::raise_plain;
use crate::fatal::throw;
use crate::heap::malloc::mallocgc;
use crate::types::{rt_type, HMAP_TYPE, MAPEXTRA_TYPE, POINTER_SLICE_TYPE, POINTER_TYPE};
use crate::layout::abi::{MapType, Type};
use crate::layout::rt::{bmap, hiter, hmap, mapextra};
use crate::layout::{GoSlice, GoString};
use crate::gm::getm;
use core::ptr::null_mut;

const BUCKET_CNT_BITS: u8 = 3;
const BUCKET_CNT: usize = 8;
/// Average load that triggers growth: LOAD_FACTOR_NUM / LOAD_FACTOR_DEN = 6.5.
const LOAD_FACTOR_NUM: usize = 13;
const LOAD_FACTOR_DEN: usize = 2;

// tophash markers.
const EMPTY_REST: u8 = 0;
const EMPTY_ONE: u8 = 1;
const EVACUATED_X: u8 = 2;
const EVACUATED_Y: u8 = 3;
const EVACUATED_EMPTY: u8 = 4;
const MIN_TOP_HASH: u8 = 5;

// hmap.flags
const ITERATOR: u8 = 1;
const OLD_ITERATOR: u8 = 2;
const HASH_WRITING: u8 = 4;
const SAME_SIZE_GROW: u8 = 8;

// maptype.Flags
const INDIRECT_KEY: u32 = 1;
const INDIRECT_ELEM: u32 = 2;
const REFLEXIVE_KEY: u32 = 4;
const NEED_KEY_UPDATE: u32 = 8;
const HASH_MIGHT_PANIC: u32 = 16;

const DATA_OFFSET: usize = BUCKET_CNT; // keys follow the tophash array
const PTR: usize = 8;

#[inline]
fn is_empty(x: u8) -> bool {
    x <= EMPTY_ONE
}

#[inline]
fn tophash(hash: usize) -> u8 {
    let top = (hash >> 56) as u8;
    if top < MIN_TOP_HASH {
        top + MIN_TOP_HASH
    } else {
        top
    }
}

#[inline]
fn bucket_shift(b: u8) -> usize {
    1usize << (b & 63)
}

#[inline]
fn bucket_mask(b: u8) -> usize {
    bucket_shift(b) - 1
}

fn over_load_factor(count: isize, b: u8) -> bool {
    count > BUCKET_CNT as isize && count as usize > LOAD_FACTOR_NUM * (bucket_shift(b) / LOAD_FACTOR_DEN)
}

fn too_many_overflow_buckets(noverflow: u16, b: u8) -> bool {
    let b = b.min(15);
    noverflow as usize >= 1usize << (b & 15)
}

/// A map's type, with the sizes and flags read once.
struct Mt {
    key: *mut Type,
    elem: *mut Type,
    bucket: *mut Type,
    keysize: usize,
    elemsize: usize,
    bucketsize: usize,
    flags: u32,
    /// The key type's flat plan, for PlanKey (FlatPlan::NONE otherwise).
    plan: super::keyplan::FlatPlan,
}

impl Mt {
    /// # Safety
    /// t must be a map type descriptor.
    unsafe fn new(t: *mut MapType) -> Mt {
        // SAFETY: per the function contract.
        unsafe {
            Mt {
                key: (*t).Key,
                elem: (*t).Elem,
                bucket: (*t).Bucket,
                keysize: (*t).KeySize as usize,
                elemsize: (*t).ValueSize as usize,
                bucketsize: (*t).BucketSize as usize,
                flags: (*t).Flags,
                plan: super::keyplan::FlatPlan::NONE,
            }
        }
    }
    fn indirect_key(&self) -> bool {
        self.flags & INDIRECT_KEY != 0
    }
    fn indirect_elem(&self) -> bool {
        self.flags & INDIRECT_ELEM != 0
    }
    fn reflexive_key(&self) -> bool {
        self.flags & REFLEXIVE_KEY != 0
    }
    fn need_key_update(&self) -> bool {
        self.flags & NEED_KEY_UPDATE != 0
    }
    fn hash_might_panic(&self) -> bool {
        self.flags & HASH_MIGHT_PANIC != 0
    }
    fn key_ptrs(&self) -> bool {
        // SAFETY: a type descriptor.
        unsafe { (*self.key).PtrBytes != 0 }
    }
    fn bucket_noscan(&self) -> bool {
        // SAFETY: a type descriptor.
        unsafe { (*self.bucket).PtrBytes == 0 }
    }

    // Bucket geometry.
    #[inline]
    fn bucket(&self, base: *mut u8, i: usize) -> *mut u8 {
        base.wrapping_add(i * self.bucketsize)
    }
    #[inline]
    fn keyp(&self, b: *mut u8, i: usize) -> *mut u8 {
        b.wrapping_add(DATA_OFFSET + i * self.keysize)
    }
    #[inline]
    fn elemp(&self, b: *mut u8, i: usize) -> *mut u8 {
        b.wrapping_add(DATA_OFFSET + BUCKET_CNT * self.keysize + i * self.elemsize)
    }
    #[inline]
    fn overflow(&self, b: *mut u8) -> *mut u8 {
        // SAFETY: b is a bucket of this type; its last word is the overflow pointer.
        unsafe { *(b.add(self.bucketsize - PTR) as *mut *mut u8) }
    }
    #[inline]
    fn set_overflow(&self, b: *mut u8, ovf: *mut u8) {
        // SAFETY: as for overflow.
        unsafe { put_ptr(b.add(self.bucketsize - PTR) as *mut *mut u8, ovf) }
    }
    /// The key stored in a slot (following the indirection if any).
    #[inline]
    fn key_at(&self, b: *mut u8, i: usize) -> *mut u8 {
        let k = self.keyp(b, i);
        if self.indirect_key() {
            // SAFETY: an indirect key slot holds a pointer.
            unsafe { *(k as *mut *mut u8) }
        } else {
            k
        }
    }
    #[inline]
    fn elem_at(&self, b: *mut u8, i: usize) -> *mut u8 {
        let e = self.elemp(b, i);
        if self.indirect_elem() {
            // SAFETY: an indirect elem slot holds a pointer.
            unsafe { *(e as *mut *mut u8) }
        } else {
            e
        }
    }
    fn hash(&self, key: *mut u8, seed: u32) -> usize {
        // SAFETY: key points at a value of the key type.
        unsafe { typehash(self.key, key, seed as usize) }
    }
    fn equal(&self, a: *mut u8, b: *mut u8) -> bool {
        // SAFETY: both point at values of the key type.
        unsafe { typeequal(self.key, a, b) }
    }
}

/// How a family of map entry points hashes and compares keys. The compiler
/// calls the _fast32, _fast64 and _faststr entry points for keys that are
/// plain 4- or 8-byte memory or strings: those hash and compare them
/// inline (the same hash values as the key type's hash function, so every
/// entry point finds what another stored). Every other key goes through
/// its type's hash and equality, which may raise a panic.
trait KeyOps {
    const MAY_RAISE: bool;
    /// Hashing or comparing may recurse or raise (the key type decides:
    /// see leaf_ok).
    const RECURSES: bool = false;
    /// Comparing a key is cheaper than hashing it (4- and 8-byte keys): a
    /// lookup in a map of one bucket compares it with each occupied slot
    /// rather than hashing it.
    const SCAN_ONE_BUCKET: bool = false;
    /// # Safety
    /// key points at a value of the map's key type.
    unsafe fn hash(mt: &Mt, key: *mut u8, seed: u32) -> usize;
    /// # Safety
    /// probe and slot point at values of the map's key type.
    unsafe fn eq(mt: &Mt, probe: *mut u8, slot: *mut u8) -> bool;
    /// Did hashing or comparing raise (or, for WalkKey, give up)? Asked
    /// only if MAY_RAISE.
    #[inline]
    fn raised() -> bool {
        raised()
    }
    /// Store the key at src into the key slot dst (behind the write
    /// barrier where it holds pointers).
    ///
    /// # Safety
    /// dst and src point at values of the map's key type.
    #[inline]
    unsafe fn store(mt: &Mt, dst: *mut u8, src: *mut u8) {
        // SAFETY: per the function contract.
        unsafe { crate::wb::typed_move(mt.key, dst, src) }
    }
}

/// Any comparable key type.
struct AnyKey;
/// Any comparable key type, on the goroutine's stack (the leaf paths):
/// flat keys and interfaces holding flat values inline (alg.rs leaf_hash,
/// leaf_equal), other nested keys without recursion (walk_hash,
/// walk_equal). Where a walk gives up (a key nested too deeply, or a
/// dynamic type without ==, which the ordinary path raises for), the
/// operation stops before it has changed anything and its fast path
/// declines ([`walk_leaf`]).
struct WalkKey;
/// Keys of a struct or array type with a flat plan (keyplan.rs), which
/// the operation found once and keeps in Mt.plan.
struct PlanKey;
/// Keys of 4 bytes of plain memory.
struct Mem32;
/// Keys of 8 bytes of plain memory (pointers included).
struct Mem64;
/// String keys.
struct StrKey;

impl KeyOps for AnyKey {
    const MAY_RAISE: bool = true;
    const RECURSES: bool = true;
    #[inline]
    unsafe fn hash(mt: &Mt, key: *mut u8, seed: u32) -> usize {
        mt.hash(key, seed)
    }
    #[inline]
    unsafe fn eq(mt: &Mt, probe: *mut u8, slot: *mut u8) -> bool {
        mt.equal(probe, slot)
    }
}

impl KeyOps for PlanKey {
    const MAY_RAISE: bool = false;
    #[inline(always)]
    unsafe fn hash(mt: &Mt, key: *mut u8, seed: u32) -> usize {
        // SAFETY: key points at a value of the key type, mt.plan's.
        unsafe { mt.plan.hash(key, seed as usize) }
    }
    #[inline(always)]
    unsafe fn eq(mt: &Mt, probe: *mut u8, slot: *mut u8) -> bool {
        // SAFETY: both point at values of the key type, mt.plan's.
        unsafe { mt.plan.equal(probe, slot) }
    }
}

/// The Mt of map type t for PlanKey, if its key type has a flat plan.
///
/// # Safety
/// t is a map type descriptor.
#[inline]
unsafe fn plan_mt(t: *mut MapType) -> Option<Mt> {
    // SAFETY: per the function contract.
    unsafe {
        let plan = super::keyplan::flat_plan((*t).Key)?;
        let mut mt = Mt::new(t);
        mt.plan = plan;
        Some(mt)
    }
}

impl KeyOps for WalkKey {
    const MAY_RAISE: bool = true;
    #[inline]
    unsafe fn hash(mt: &Mt, key: *mut u8, seed: u32) -> usize {
        // SAFETY: key points at a value of the key type.
        unsafe { crate::alg::leaf_hash(mt.key, key, seed as usize) }.unwrap_or_else(|| {
            walk_gave_up(true);
            0
        })
    }
    #[inline]
    unsafe fn eq(mt: &Mt, probe: *mut u8, slot: *mut u8) -> bool {
        // SAFETY: both point at values of the key type.
        unsafe { crate::alg::leaf_equal(mt.key, probe, slot) }.unwrap_or_else(|| {
            walk_gave_up(true);
            false
        })
    }
    #[inline]
    fn raised() -> bool {
        // SAFETY: the current m is live.
        unsafe { (*getm()).leafWalkGaveUp != 0 }
    }
}

/// Record (or clear) on the current m that a WalkKey walk gave up.
fn walk_gave_up(v: bool) {
    // SAFETY: the current m is live; only its own thread uses the flag.
    unsafe { (*getm()).leafWalkGaveUp = v as u32 };
}

impl KeyOps for Mem32 {
    const MAY_RAISE: bool = false;
    const SCAN_ONE_BUCKET: bool = true;
    #[inline]
    unsafe fn hash(_: &Mt, key: *mut u8, seed: u32) -> usize {
        // SAFETY: a 4-byte key (the trait's contract).
        crate::alg::hash32(unsafe { core::ptr::read_unaligned(key as *const u32) }, seed as u64) as usize
    }
    #[inline]
    unsafe fn eq(_: &Mt, probe: *mut u8, slot: *mut u8) -> bool {
        // SAFETY: as above.
        unsafe { core::ptr::read_unaligned(probe as *const u32) == core::ptr::read_unaligned(slot as *const u32) }
    }
    #[inline]
    unsafe fn store(_: &Mt, dst: *mut u8, src: *mut u8) {
        // SAFETY: 4-byte keys of plain memory.
        unsafe { core::ptr::write_unaligned(dst as *mut u32, core::ptr::read_unaligned(src as *const u32)) }
    }
}

impl KeyOps for Mem64 {
    const MAY_RAISE: bool = false;
    const SCAN_ONE_BUCKET: bool = true;
    #[inline]
    unsafe fn hash(_: &Mt, key: *mut u8, seed: u32) -> usize {
        // SAFETY: an 8-byte key (the trait's contract).
        crate::alg::hash64(unsafe { core::ptr::read_unaligned(key as *const u64) }, seed as u64) as usize
    }
    #[inline]
    unsafe fn eq(_: &Mt, probe: *mut u8, slot: *mut u8) -> bool {
        // SAFETY: as above.
        unsafe { core::ptr::read_unaligned(probe as *const u64) == core::ptr::read_unaligned(slot as *const u64) }
    }
    #[inline]
    unsafe fn store(mt: &Mt, dst: *mut u8, src: *mut u8) {
        // SAFETY: 8-byte keys (pointers for mapassign_fast64ptr's maps:
        // those go through the write barrier).
        unsafe {
            let v = core::ptr::read_unaligned(src as *const u64);
            if mt.key_ptrs() {
                put_ptr(dst as *mut *mut u8, v as *mut u8);
            } else {
                core::ptr::write_unaligned(dst as *mut u64, v);
            }
        }
    }
}

impl KeyOps for StrKey {
    const MAY_RAISE: bool = false;
    #[inline]
    unsafe fn hash(_: &Mt, key: *mut u8, seed: u32) -> usize {
        // SAFETY: a string key (the trait's contract).
        unsafe { crate::alg::strhash(key, seed as usize) }
    }
    #[inline]
    unsafe fn eq(_: &Mt, probe: *mut u8, slot: *mut u8) -> bool {
        // SAFETY: both are Go string headers of live strings.
        unsafe { crate::alg::strequal(probe, slot) }
    }
    #[inline]
    unsafe fn store(_: &Mt, dst: *mut u8, src: *mut u8) {
        // SAFETY: both are Go string headers; the data pointer is the
        // one word the collector must see.
        unsafe {
            let (d, s) = (dst as *mut GoString, src as *const GoString);
            put_ptr(core::ptr::addr_of_mut!((*d).ptr) as *mut *mut u8, (*s).ptr as *mut u8);
            (*d).len = (*s).len;
        }
    }
}

#[inline]
fn tophash_at(b: *mut u8, i: usize) -> u8 {
    // SAFETY: b is a bucket; its first 8 bytes are the tophash array.
    unsafe { *b.add(i) }
}

#[inline]
fn set_tophash(b: *mut u8, i: usize, v: u8) {
    // SAFETY: as for tophash_at.
    unsafe { *b.add(i) = v }
}

/// The runtime's own stores into a map's memory (header, buckets, extra
/// record, iterator) go through the write barrier while the collector
/// marks (mem/wb.rs): a pointer store, a copy of typed bytes, a clear.
///
/// # Safety
/// slot is a live, aligned pointer slot.
#[inline(always)]
unsafe fn put_ptr<T>(slot: *mut *mut T, v: *mut T) {
    // SAFETY: per the function contract.
    unsafe {
        crate::wb::store(slot as *mut usize, v as usize);
        *slot = v;
    }
}

/// # Safety
/// [src, src+n) and [dst, dst+n) hold values of one type.
#[inline(always)]
unsafe fn copy_typed(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: per the function contract.
    unsafe {
        crate::wb::bulk(dst, src, n);
        crate::bytes::move_bytes(dst, src, n);
    }
}

/// # Safety
/// [dst, dst+n) holds values of one type.
#[inline(always)]
unsafe fn clear_typed(dst: *mut u8, n: usize) {
    // SAFETY: per the function contract.
    unsafe {
        crate::wb::bulk(dst, core::ptr::null(), n);
        crate::bytes::zero_bytes(dst, n);
    }
}

/// A raise is pending on this m (an unhashable key, say): stop.
#[inline]
fn raised() -> bool {
    // SAFETY: the current m is live.
    unsafe { (*getm()).rtpanicKind != 0 }
}

fn zero_val() -> *mut u8 {
    crate::links::links().zeroVal as *mut u8
}

fn fastrand() -> u32 {
    crate::rand::cheaprand()
}

// ---- creation ----

fn newarray(typ: *mut Type, n: usize) -> *mut u8 {
    // SAFETY: typ is a type descriptor.
    let size = unsafe { (*typ).Size_ };
    match size.checked_mul(n) {
        // SAFETY: typ is a type descriptor (the caller's contract).
        Some(mem) if mem <= crate::heap::MAX_ALLOC => unsafe { mallocgc(mem, typ, true) },
        _ => throw("runtime: allocation size out of range"),
    }
}

/// A bucket array for 2^b buckets (plus preallocated overflow buckets for
/// larger maps). Returns (buckets, next free preallocated overflow bucket).
fn make_bucket_array(mt: &Mt, b: u8) -> (*mut u8, *mut u8) {
    let base = bucket_shift(b);
    let mut nbuckets = base;
    if b >= 4 {
        // Expect some overflow for larger maps: allocate a few up front.
        nbuckets += bucket_shift(b - 4);
        // SAFETY: a type descriptor.
        let sz = unsafe { (*mt.bucket).Size_ } * nbuckets;
        let up = crate::heap::sizeclasses::roundupsize(sz, mt.bucket_noscan());
        if up != sz {
            nbuckets = up / unsafe { (*mt.bucket).Size_ };
        }
    }
    let buckets = newarray(mt.bucket, nbuckets);
    let mut next = null_mut();
    if base != nbuckets {
        // Preallocated overflow buckets are handed out by bumping a pointer;
        // the last one's non-nil overflow pointer marks the end.
        next = mt.bucket(buckets, base);
        let last = mt.bucket(buckets, nbuckets - 1);
        mt.set_overflow(last, buckets);
    }
    (buckets, next)
}

fn extra(h: *mut hmap) -> *mut mapextra {
    // SAFETY: h is a live map header.
    unsafe {
        if (*h).extra.is_null() {
            put_ptr(&mut (*h).extra, mallocgc(core::mem::size_of::<mapextra>(), rt_type(&MAPEXTRA_TYPE), true) as *mut mapextra);
        }
        (*h).extra
    }
}

/// Make a map for `hint` elements; h is the compiler's header, or null.
///
/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn makemap(t: *mut MapType, hint: isize, h: *mut hmap) -> *mut hmap {
    // SAFETY: t comes from compiled code.
    let mt = unsafe { Mt::new(t) };
    // SAFETY: a type descriptor.
    let bsize = unsafe { (*mt.bucket).Size_ };
    let hint = match bsize.checked_mul(hint.max(0) as usize) {
        Some(mem) if mem <= crate::heap::MAX_ALLOC && hint >= 0 => hint,
        _ => 0,
    };
    // SAFETY: HMAP_TYPE describes hmap.
    let h = if h.is_null() { (unsafe { mallocgc(core::mem::size_of::<hmap>(), rt_type(&HMAP_TYPE), true) }) as *mut hmap } else { h };
    // SAFETY: h is a (fresh or compiler-zeroed) header.
    unsafe {
        (*h).hash0 = fastrand();
        let mut b = 0u8;
        while over_load_factor(hint, b) {
            b += 1;
        }
        (*h).B = b;
        if b != 0 {
            let (buckets, next) = make_bucket_array(&mt, b);
            put_ptr(&mut (*h).buckets, buckets);
            if !next.is_null() {
                put_ptr(&mut (*extra(h)).nextOverflow, next as *mut bmap);
            }
        }
    }
    h
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn makemap64(t: *mut MapType, hint: i64, h: *mut hmap) -> *mut hmap {
    let hint = if hint as isize as i64 != hint { 0 } else { hint as isize };
    // SAFETY: per the function contract.
    unsafe { makemap(t, hint, h) }
}

pub fn makemap_small() -> *mut hmap {
    // SAFETY: HMAP_TYPE describes hmap.
    let h = unsafe { mallocgc(core::mem::size_of::<hmap>(), rt_type(&HMAP_TYPE), true) } as *mut hmap;
    // SAFETY: fresh header.
    unsafe { (*h).hash0 = fastrand() };
    h
}

/// A map for at most a bucket's worth of entries on a fast path: h (a
/// header the compiler placed) or a header from the P's cache, no
/// buckets yet (the first insert makes them). None for a bigger hint,
/// whose bucket array the ordinary path allocates.
///
/// # Safety
/// As makemap's.
unsafe fn leaf_small_map(t: *mut MapType, hint: isize, h: *mut hmap) -> Option<*mut hmap> {
    // SAFETY: per the function contract.
    unsafe {
        // As makemap: a hint whose buckets could not be allocated counts
        // as 0; one past a bucket's worth needs buckets now.
        let bsize = (*(*t).Bucket).Size_;
        let fits = bsize.checked_mul(hint.max(0) as usize).is_some_and(|m| m <= crate::heap::MAX_ALLOC);
        if fits && over_load_factor(hint, 0) {
            return None;
        }
        let h = if h.is_null() {
            crate::heap::malloc::try_mallocgc(core::mem::size_of::<hmap>(), rt_type(&HMAP_TYPE), true)? as *mut hmap
        } else {
            h
        };
        (*h).hash0 = fastrand();
        (*h).B = 0;
        Some(h)
    }
}

/// The goroutine-stack fast path of makemap (see src/base/leaf.rs).
///
/// # Safety
/// As makemap's.
pub unsafe fn leaf_makemap(t: *mut MapType, hint: isize, h: *mut hmap) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    crate::leaf::Leaf::or_decline(unsafe { leaf_small_map(t, hint, h) }.map(|h| h as *mut u8))
}

/// The goroutine-stack fast path of reflect_makemap (see src/base/leaf.rs):
/// a key type without == is the ordinary path's fatal error.
///
/// # Safety
/// As reflect_makemap's.
pub unsafe fn leaf_reflect_makemap(t: *mut MapType, cap: isize) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    unsafe {
        if (*(*t).Key).Equal.is_null() {
            return crate::leaf::Leaf::DECLINE;
        }
        crate::leaf::Leaf::or_decline(leaf_small_map(t, cap, null_mut()).map(|h| h as *mut u8))
    }
}

// ---- lookup ----

/// Find key; returns (bucket, slot) or None.
#[inline(always)]
fn lookup<K: KeyOps>(mt: &Mt, h: *mut hmap, key: *mut u8) -> Option<(*mut u8, usize)> {
    // SAFETY: h is a live, non-empty map of type mt.
    unsafe {
        if (*h).flags & HASH_WRITING != 0 {
            crate::fatal::fatal_user("concurrent map read and map write");
        }
        if K::SCAN_ONE_BUCKET && (*h).B == 0 && (*h).oldbuckets.is_null() {
            let b = (*h).buckets;
            for i in 0..BUCKET_CNT {
                let top = tophash_at(b, i);
                if top == EMPTY_REST {
                    break;
                }
                if !is_empty(top) && K::eq(mt, key, mt.keyp(b, i)) {
                    return Some((b, i));
                }
            }
            return None;
        }
        let hash = K::hash(mt, key, (*h).hash0);
        if K::MAY_RAISE && K::raised() {
            return None;
        }
        let m = bucket_mask((*h).B);
        let mut b = mt.bucket((*h).buckets, hash & m);
        let old = (*h).oldbuckets;
        if !old.is_null() {
            let om = if (*h).flags & SAME_SIZE_GROW != 0 { m } else { m >> 1 };
            let ob = mt.bucket(old, hash & om);
            if !evacuated(ob) {
                b = ob;
            }
        }
        let top = tophash(hash);
        // Each bucket's slots whose tophash is top, found at once (one
        // predictable branch per bucket: a lookup's loads of the next
        // buckets overlap this one's), then compared. A miss reads the
        // whole chain, as upstream's lookups do, rather than stopping at
        // an emptyRest mark: that test is a branch on the bucket's
        // contents, mispredicted about once a lookup, which serialises
        // lookups that miss the cache.
        while !b.is_null() {
            let mut cand = tophash_matches(b, top);
            while cand != 0 {
                let i = cand.trailing_zeros() as usize / 8;
                cand &= cand - 1;
                if tophash_at(b, i) != top {
                    continue;
                }
                let k = mt.key_at(b, i);
                if K::eq(mt, key, k) {
                    return Some((b, i));
                }
                if K::MAY_RAISE && K::raised() {
                    return None;
                }
            }
            b = mt.overflow(b);
        }
        None
    }
}

/// The empty slots of bucket b (tophash emptyRest or emptyOne), as
/// tophash_matches reports them; the lowest is always one.
#[inline]
fn empty_slots(b: *mut u8) -> u64 {
    const LOW: u64 = 0x0101_0101_0101_0101;
    // SAFETY: b is a bucket: its first 8 bytes are the tophash array.
    let th = u64::from_le(unsafe { core::ptr::read_unaligned(b as *const u64) });
    // emptyRest (0) and emptyOne (1) are the bytes that are 0 once their
    // low bit is cleared.
    let x = th & !LOW;
    x.wrapping_sub(LOW) & !x & (LOW << 7)
}

/// The slots of bucket b whose tophash may be top: one bit (the high bit
/// of the slot's byte) per candidate. Every slot whose tophash is top is
/// there; a slot above one of those may be too (the subtraction's borrow),
/// so callers check each candidate's byte.
#[inline]
fn tophash_matches(b: *mut u8, top: u8) -> u64 {
    const LOW: u64 = 0x0101_0101_0101_0101;
    // SAFETY: b is a bucket: its first 8 bytes are the tophash array.
    let th = u64::from_le(unsafe { core::ptr::read_unaligned(b as *const u64) });
    let x = th ^ (LOW * top as u64);
    x.wrapping_sub(LOW) & !x & (LOW << 7)
}

/// Race builds: the map operation the program called reads (or writes)
/// the map's header and reads the key it was handed (nothing when the key
/// is a copy on the system stack: the fast variants').
#[inline(always)]
fn race_header_key(mt: &Mt, h: *mut hmap, key: *mut u8, write: bool) {
    if !crate::tsan::enabled() || h.is_null() {
        return;
    }
    if write {
        crate::racepc::write(h as usize);
    } else {
        crate::racepc::read(h as usize);
    }
    // SAFETY: mt.key is the map's key type descriptor.
    unsafe { crate::racepc::read_object(mt.key, key as usize) };
}

fn evacuated(b: *mut u8) -> bool {
    let h = tophash_at(b, 0);
    h > EMPTY_ONE && h < MIN_TOP_HASH
}

/// Common lookup: element pointer, or null when absent. Inlined into each
/// entry point (the fast variants' lookups are a few dozen instructions:
/// a call's prologue and epilogue here were a fifth of them).
#[inline(always)]
fn access<K: KeyOps>(t: *mut MapType, h: *mut hmap, key: *mut u8) -> *mut u8 {
    // SAFETY: t comes from compiled code.
    access_mt::<K>(unsafe { Mt::new(t) }, h, key)
}

/// access with the map type's Mt made by the caller.
#[inline(always)]
fn access_mt<K: KeyOps>(mt: Mt, h: *mut hmap, key: *mut u8) -> *mut u8 {
    // SAFETY: mt is a map type's; h is null or a live map.
    unsafe {
        race_header_key(&mt, h, key, false);
        if h.is_null() || (*h).count == 0 {
            if mt.hash_might_panic() {
                // Report an unhashable key even for an empty map.
                K::hash(&mt, key, 0);
            }
            return null_mut();
        }
        match lookup::<K>(&mt, h, key) {
            Some((b, i)) => mt.elem_at(b, i),
            None => null_mut(),
        }
    }
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapaccess1(t: *mut MapType, h: *mut hmap, key: *mut u8) -> *mut u8 {
    // SAFETY: per the function contract.
    unsafe { access1::<AnyKey>(t, h, key) }
}

/// mapaccess1 with K's hashing.
///
/// # Safety
/// As mapaccess1's.
#[inline(always)]
unsafe fn access1<K: KeyOps>(t: *mut MapType, h: *mut hmap, key: *mut u8) -> *mut u8 {
    // SAFETY: per the function contract.
    unsafe { access1_mt::<K>(Mt::new(t), h, key) }
}

/// access1 with the caller's Mt.
#[inline(always)]
fn access1_mt<K: KeyOps>(mt: Mt, h: *mut hmap, key: *mut u8) -> *mut u8 {
    let e = access_mt::<K>(mt, h, key);
    if e.is_null() {
        zero_val()
    } else {
        e
    }
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapaccess2(t: *mut MapType, h: *mut hmap, key: *mut u8) -> (*mut u8, bool) {
    // SAFETY: per the function contract.
    unsafe { access2::<AnyKey>(t, h, key) }
}

/// mapaccess2 with K's hashing.
///
/// # Safety
/// As mapaccess2's.
#[inline(always)]
unsafe fn access2<K: KeyOps>(t: *mut MapType, h: *mut hmap, key: *mut u8) -> (*mut u8, bool) {
    // SAFETY: per the function contract.
    unsafe { access2_mt::<K>(Mt::new(t), h, key) }
}

/// access2 with the caller's Mt.
#[inline(always)]
fn access2_mt<K: KeyOps>(mt: Mt, h: *mut hmap, key: *mut u8) -> (*mut u8, bool) {
    let e = access_mt::<K>(mt, h, key);
    if e.is_null() {
        (zero_val(), false)
    } else {
        (e, true)
    }
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapaccess1_fat(t: *mut MapType, h: *mut hmap, key: *mut u8, zero: *mut u8) -> *mut u8 {
    let e = access::<AnyKey>(t, h, key);
    if e.is_null() {
        zero
    } else {
        e
    }
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapaccess2_fat(t: *mut MapType, h: *mut hmap, key: *mut u8, zero: *mut u8) -> (*mut u8, bool) {
    let e = access::<AnyKey>(t, h, key);
    if e.is_null() {
        (zero, false)
    } else {
        (e, true)
    }
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapaccess1_fast32(t: *mut MapType, h: *mut hmap, mut key: u32) -> *mut u8 {
    let e = access::<Mem32>(t, h, &mut key as *mut u32 as *mut u8);
    if e.is_null() {
        zero_val()
    } else {
        e
    }
}
/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapaccess2_fast32(t: *mut MapType, h: *mut hmap, mut key: u32) -> (*mut u8, bool) {
    let e = access::<Mem32>(t, h, &mut key as *mut u32 as *mut u8);
    if e.is_null() {
        (zero_val(), false)
    } else {
        (e, true)
    }
}
/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapaccess1_fast64(t: *mut MapType, h: *mut hmap, mut key: u64) -> *mut u8 {
    let e = access::<Mem64>(t, h, &mut key as *mut u64 as *mut u8);
    if e.is_null() {
        zero_val()
    } else {
        e
    }
}
/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapaccess2_fast64(t: *mut MapType, h: *mut hmap, mut key: u64) -> (*mut u8, bool) {
    let e = access::<Mem64>(t, h, &mut key as *mut u64 as *mut u8);
    if e.is_null() {
        (zero_val(), false)
    } else {
        (e, true)
    }
}
/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapaccess1_faststr(t: *mut MapType, h: *mut hmap, mut ky: GoString) -> *mut u8 {
    let e = access::<StrKey>(t, h, &mut ky as *mut GoString as *mut u8);
    if e.is_null() {
        zero_val()
    } else {
        e
    }
}
/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapaccess2_faststr(t: *mut MapType, h: *mut hmap, mut ky: GoString) -> (*mut u8, bool) {
    let e = access::<StrKey>(t, h, &mut ky as *mut GoString as *mut u8);
    if e.is_null() {
        (zero_val(), false)
    } else {
        (e, true)
    }
}

// ---- assignment ----

/// Where to store key's element (inserting the key if absent). Null after
/// raising a panic.
///
/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapassign(t: *mut MapType, h: *mut hmap, key: *mut u8) -> *mut u8 {
    // SAFETY: per the function contract.
    unsafe { assign::<AnyKey>(t, h, key) }
}

/// mapassign, with K's hashing and comparison.
///
/// # Safety
/// As mapassign's.
#[inline]
unsafe fn assign<K: KeyOps>(t: *mut MapType, h: *mut hmap, key: *mut u8) -> *mut u8 {
    // SAFETY: per the function contract.
    match unsafe { assign_in::<K, false>(t, h, key) } {
        Some(e) => e,
        None => unreachable!(),
    }
}

/// assign, or (LEAF: a fast path's, see leaf_assign) None before changing
/// anything where it would allocate: to grow the map or chain an overflow
/// bucket.
///
/// # Safety
/// As mapassign's.
#[inline]
unsafe fn assign_in<K: KeyOps, const LEAF: bool>(t: *mut MapType, h: *mut hmap, key: *mut u8) -> Option<*mut u8> {
    if h.is_null() {
        raise_plain("assignment to entry in nil map");
        return Some(zero_val());
    }
    // SAFETY: t comes from compiled code; h is a live map of type t.
    unsafe { assign_mt::<K, LEAF>(Mt::new(t), h, key) }
}

/// assign_in on a map that is not nil, with the caller's Mt.
///
/// # Safety
/// As mapassign's; h is not nil.
#[inline(always)]
unsafe fn assign_mt<K: KeyOps, const LEAF: bool>(mt: Mt, h: *mut hmap, key: *mut u8) -> Option<*mut u8> {
    // SAFETY: per the function contract.
    unsafe {
        race_header_key(&mt, h, key, true);
        if (*h).flags & HASH_WRITING != 0 {
            crate::fatal::fatal_user("concurrent map writes");
        }
        // Hash before marking the map as being written: hashing may raise.
        let hash = K::hash(&mt, key, (*h).hash0);
        if K::MAY_RAISE && K::raised() {
            return Some(zero_val());
        }
        (*h).flags ^= HASH_WRITING;
        if (*h).buckets.is_null() {
            put_ptr(&mut (*h).buckets, newarray(mt.bucket, 1));
        }
        let elem;
        'again: loop {
            let bucket = hash & bucket_mask((*h).B);
            if !(*h).oldbuckets.is_null() && !grow_work::<K, LEAF>(&mt, h, bucket) {
                (*h).flags &= !HASH_WRITING;
                return None;
            }
            let mut b = mt.bucket((*h).buckets, bucket);
            let top = tophash(hash);
            let mut insert_b: *mut u8 = null_mut();
            let mut insert_i = 0;
            loop {
                // As in lookup: the slots to compare found at once, the
                // whole chain read.
                if insert_b.is_null() {
                    let free = empty_slots(b);
                    if free != 0 {
                        insert_b = b;
                        insert_i = free.trailing_zeros() as usize / 8;
                    }
                }
                let mut cand = tophash_matches(b, top);
                while cand != 0 {
                    let i = cand.trailing_zeros() as usize / 8;
                    cand &= cand - 1;
                    if tophash_at(b, i) != top {
                        continue;
                    }
                    let k = mt.key_at(b, i);
                    if !K::eq(&mt, key, k) {
                        if K::MAY_RAISE && K::raised() {
                            (*h).flags &= !HASH_WRITING;
                            return Some(zero_val());
                        }
                        continue;
                    }
                    // The key is present: update it if its representation
                    // can differ from an equal key's (+0/-0, strings).
                    if mt.need_key_update() {
                        K::store(&mt, k, key);
                    }
                    elem = mt.elem_at(b, i);
                    break 'again;
                }
                let ovf = mt.overflow(b);
                if ovf.is_null() {
                    break;
                }
                b = ovf;
            }
            // Absent. Grow first if we are at the load limit or have too many
            // overflow buckets, then search again (the table changed).
            if (*h).oldbuckets.is_null()
                && (over_load_factor((*h).count + 1, (*h).B) || too_many_overflow_buckets((*h).noverflow, (*h).B))
            {
                if LEAF {
                    (*h).flags &= !HASH_WRITING;
                    return None;
                }
                hash_grow(&mt, h);
                continue 'again;
            }
            if LEAF && insert_b.is_null() {
                (*h).flags &= !HASH_WRITING;
                return None;
            }
            if insert_b.is_null() {
                // Every slot is full: chain a new overflow bucket.
                insert_b = new_overflow(&mt, h, b);
                insert_i = 0;
            }
            let kslot = mt.keyp(insert_b, insert_i);
            let eslot = mt.elemp(insert_b, insert_i);
            let kdst = if mt.indirect_key() {
                let p = mallocgc((*mt.key).Size_, mt.key, true);
                put_ptr(kslot as *mut *mut u8, p);
                p
            } else {
                kslot
            };
            let edst = if mt.indirect_elem() {
                let p = mallocgc((*mt.elem).Size_, mt.elem, true);
                put_ptr(eslot as *mut *mut u8, p);
                p
            } else {
                eslot
            };
            K::store(&mt, kdst, key);
            set_tophash(insert_b, insert_i, top);
            (*h).count += 1;
            elem = edst;
            break;
        }
        if (*h).flags & HASH_WRITING == 0 {
            crate::fatal::fatal_user("concurrent map writes");
        }
        (*h).flags &= !HASH_WRITING;
        Some(elem)
    }
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapassign_fast32(t: *mut MapType, h: *mut hmap, mut key: u32) -> *mut u8 {
    // SAFETY: per the function contract.
    unsafe { assign::<Mem32>(t, h, &mut key as *mut u32 as *mut u8) }
}
/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapassign_fast32ptr(t: *mut MapType, h: *mut hmap, mut key: *mut u8) -> *mut u8 {
    // SAFETY: per the function contract.
    unsafe { assign::<Mem32>(t, h, &mut key as *mut *mut u8 as *mut u8) }
}
/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapassign_fast64(t: *mut MapType, h: *mut hmap, mut key: u64) -> *mut u8 {
    // SAFETY: per the function contract.
    unsafe { assign::<Mem64>(t, h, &mut key as *mut u64 as *mut u8) }
}
/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapassign_fast64ptr(t: *mut MapType, h: *mut hmap, mut key: *mut u8) -> *mut u8 {
    // SAFETY: per the function contract.
    unsafe { assign::<Mem64>(t, h, &mut key as *mut *mut u8 as *mut u8) }
}
/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapassign_faststr(t: *mut MapType, h: *mut hmap, mut s: GoString) -> *mut u8 {
    // SAFETY: per the function contract.
    unsafe { assign::<StrKey>(t, h, &mut s as *mut GoString as *mut u8) }
}

fn new_overflow(mt: &Mt, h: *mut hmap, b: *mut u8) -> *mut u8 {
    // SAFETY: h is a live map of type mt, being written by us.
    unsafe {
        let mut ovf: *mut u8 = null_mut();
        let ex = (*h).extra;
        if !ex.is_null() && !(*ex).nextOverflow.is_null() {
            ovf = (*ex).nextOverflow as *mut u8;
            if mt.overflow(ovf).is_null() {
                // Not the last preallocated bucket: bump.
                put_ptr(&mut (*ex).nextOverflow, ovf.add(mt.bucketsize) as *mut bmap);
            } else {
                // The last one: clear its end marker.
                mt.set_overflow(ovf, null_mut());
                put_ptr(&mut (*ex).nextOverflow, null_mut());
            }
        }
        if ovf.is_null() {
            ovf = mallocgc((*mt.bucket).Size_, mt.bucket, true);
        }
        incr_noverflow(h);
        if mt.bucket_noscan() {
            // Buckets without pointers are not scanned by a collector, so the
            // map keeps its overflow buckets reachable from hmap.extra.
            let ex = extra(h);
            if (*ex).overflow.is_null() {
                put_ptr(&mut (*ex).overflow, mallocgc(24, rt_type(&POINTER_SLICE_TYPE), true) as *mut GoSlice<*mut bmap>);
            }
            push_overflow((*ex).overflow, ovf as *mut bmap);
        }
        mt.set_overflow(b, ovf);
        ovf
    }
}

/// Append to a []*bmap kept in hmap.extra.
///
/// # Safety
/// s points at a live slice header owned by the map.
unsafe fn push_overflow(s: *mut GoSlice<*mut bmap>, b: *mut bmap) {
    // SAFETY: per the function contract.
    unsafe {
        let sl = &mut *s;
        if sl.len == sl.cap {
            let ncap = (sl.cap * 2).max(4) as usize;
            let np = mallocgc(ncap * 8, rt_type(&POINTER_TYPE), true) as *mut *mut bmap;
            if sl.len > 0 {
                copy_typed(np as *mut u8, sl.ptr as *const u8, sl.len as usize * 8);
            }
            put_ptr(&mut sl.ptr, np);
            sl.cap = ncap as isize;
        }
        put_ptr(sl.ptr.add(sl.len as usize), b);
        sl.len += 1;
    }
}

/// Count overflow buckets: exactly while B < 16, approximately beyond.
fn incr_noverflow(h: *mut hmap) {
    // SAFETY: h is being written by us.
    unsafe {
        if (*h).B < 16 {
            (*h).noverflow += 1;
            return;
        }
        let mask = (1u32 << ((*h).B - 15)) - 1;
        if fastrand() & mask == 0 {
            (*h).noverflow += 1;
        }
    }
}

// ---- growth ----

fn hash_grow(mt: &Mt, h: *mut hmap) {
    // SAFETY: h is being written by us.
    unsafe {
        let mut bigger = 1u8;
        if !over_load_factor((*h).count + 1, (*h).B) {
            bigger = 0;
            (*h).flags |= SAME_SIZE_GROW;
        }
        let oldbuckets = (*h).buckets;
        let (newbuckets, next) = make_bucket_array(mt, (*h).B + bigger);
        let mut flags = (*h).flags & !(ITERATOR | OLD_ITERATOR);
        if (*h).flags & ITERATOR != 0 {
            flags |= OLD_ITERATOR;
        }
        (*h).B += bigger;
        (*h).flags = flags;
        put_ptr(&mut (*h).oldbuckets, oldbuckets);
        put_ptr(&mut (*h).buckets, newbuckets);
        (*h).nevacuate = 0;
        (*h).noverflow = 0;
        let ex = (*h).extra;
        if !ex.is_null() && !(*ex).overflow.is_null() {
            if !(*ex).oldoverflow.is_null() {
                throw("oldoverflow is not nil");
            }
            put_ptr(&mut (*ex).oldoverflow, (*ex).overflow);
            put_ptr(&mut (*ex).overflow, null_mut());
        }
        if !next.is_null() {
            put_ptr(&mut (*extra(h)).nextOverflow, next as *mut bmap);
        }
    }
}

fn noldbuckets(h: *mut hmap) -> usize {
    // SAFETY: h is a live map.
    unsafe {
        let mut b = (*h).B;
        if (*h).flags & SAME_SIZE_GROW == 0 {
            b -= 1;
        }
        bucket_shift(b)
    }
}

/// Growth work before a write to `bucket`: evacuate the old bucket the
/// write will use, and one more. With LEAF (a fast path), stop before an
/// evacuation that could allocate and return false; what was evacuated
/// before stays evacuated (the map is consistent after each evacuation).
fn grow_work<K: KeyOps, const LEAF: bool>(mt: &Mt, h: *mut hmap, bucket: usize) -> bool {
    if !evacuate::<K, LEAF>(mt, h, bucket & (noldbuckets(h) - 1)) {
        return false;
    }
    // SAFETY: h is a live map being written by us.
    if unsafe { !(*h).oldbuckets.is_null() } {
        return evacuate::<K, LEAF>(mt, h, unsafe { (*h).nevacuate });
    }
    true
}

struct EvacDst {
    b: *mut u8,
    i: usize,
    k: *mut u8,
    e: *mut u8,
}

/// Move old bucket `oldbucket`'s chain to the new table. With LEAF, decline
/// (false, nothing done) if the chain has overflow buckets: only then can a
/// destination bucket fill up and need a new overflow bucket, since the
/// destinations (x, and y when doubling) receive entries from this old
/// bucket alone, and are empty until it is evacuated (every write to them
/// evacuates it first).
fn evacuate<K: KeyOps, const LEAF: bool>(mt: &Mt, h: *mut hmap, oldbucket: usize) -> bool {
    // SAFETY: h is a live map being written by us; oldbucket < noldbuckets.
    unsafe {
        let b = mt.bucket((*h).oldbuckets, oldbucket);
        let newbit = noldbuckets(h);
        if LEAF && !evacuated(b) && !mt.overflow(b).is_null() {
            return false;
        }
        if !evacuated(b) {
            let mut xy = [
                EvacDst { b: mt.bucket((*h).buckets, oldbucket), i: 0, k: null_mut(), e: null_mut() },
                EvacDst { b: null_mut(), i: 0, k: null_mut(), e: null_mut() },
            ];
            xy[0].k = mt.keyp(xy[0].b, 0);
            xy[0].e = mt.elemp(xy[0].b, 0);
            if (*h).flags & SAME_SIZE_GROW == 0 {
                xy[1].b = mt.bucket((*h).buckets, oldbucket + newbit);
                xy[1].k = mt.keyp(xy[1].b, 0);
                xy[1].e = mt.elemp(xy[1].b, 0);
            }
            let mut ob = b;
            while !ob.is_null() {
                for i in 0..BUCKET_CNT {
                    let top = tophash_at(ob, i);
                    if is_empty(top) {
                        set_tophash(ob, i, EVACUATED_EMPTY);
                        continue;
                    }
                    if top < MIN_TOP_HASH {
                        throw("bad map state");
                    }
                    let k2 = mt.key_at(ob, i);
                    let mut use_y = 0usize;
                    if (*h).flags & SAME_SIZE_GROW == 0 {
                        let hash = K::hash(mt, k2, (*h).hash0);
                        if (*h).flags & ITERATOR != 0 && !mt.reflexive_key() && !K::eq(mt, k2, k2) {
                            // A key != itself (NaN): its hash is not
                            // reproducible, so iterators cannot find it by
                            // rehashing; route it by its tophash bit instead.
                            use_y = (top & 1) as usize;
                        } else if hash & newbit != 0 {
                            use_y = 1;
                        }
                    }
                    set_tophash(ob, i, EVACUATED_X + use_y as u8);
                    let dst = &mut xy[use_y];
                    if dst.i == BUCKET_CNT {
                        dst.b = new_overflow(mt, h, dst.b);
                        dst.i = 0;
                        dst.k = mt.keyp(dst.b, 0);
                        dst.e = mt.elemp(dst.b, 0);
                    }
                    set_tophash(dst.b, dst.i, top);
                    let kslot = mt.keyp(ob, i);
                    if mt.indirect_key() {
                        put_ptr(dst.k as *mut *mut u8, *(kslot as *mut *mut u8));
                    } else {
                        K::store(mt, dst.k, kslot);
                    }
                    let eslot = mt.elemp(ob, i);
                    if mt.indirect_elem() {
                        put_ptr(dst.e as *mut *mut u8, *(eslot as *mut *mut u8));
                    } else {
                        crate::wb::typed_move(mt.elem, dst.e, eslot);
                    }
                    dst.i += 1;
                    dst.k = dst.k.add(mt.keysize);
                    dst.e = dst.e.add(mt.elemsize);
                }
                ob = mt.overflow(ob);
            }
            // Free the old chain's keys and elements for the collector, if
            // no iterator still uses the old buckets.
            if (*h).flags & OLD_ITERATOR == 0 && !mt.bucket_noscan() {
                let start = b.add(DATA_OFFSET);
                clear_typed(start, mt.bucketsize - DATA_OFFSET);
            }
        }
        if oldbucket == (*h).nevacuate {
            advance_evacuation_mark(mt, h, newbit);
        }
        true
    }
}

fn advance_evacuation_mark(mt: &Mt, h: *mut hmap, newbit: usize) {
    // SAFETY: h is a live map being written by us.
    unsafe {
        (*h).nevacuate += 1;
        // Skip past buckets already evacuated, looking at most 1024 ahead.
        let stop = ((*h).nevacuate + 1024).min(newbit);
        while (*h).nevacuate != stop && evacuated(mt.bucket((*h).oldbuckets, (*h).nevacuate)) {
            (*h).nevacuate += 1;
        }
        if (*h).nevacuate == newbit {
            // Growth is done.
            put_ptr(&mut (*h).oldbuckets, null_mut());
            let ex = (*h).extra;
            if !ex.is_null() {
                put_ptr(&mut (*ex).oldoverflow, null_mut());
            }
            (*h).flags &= !SAME_SIZE_GROW;
        }
    }
}

// ---- deletion ----

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapdelete(t: *mut MapType, h: *mut hmap, key: *mut u8) {
    // SAFETY: per the function contract.
    unsafe { crate::leaf::ordinary(delete::<AnyKey, false>(t, h, key)) }
}

/// mapdelete, with K's hashing and comparison. None: a fast path (LEAF)
/// declines, the map unchanged but for growth work done.
///
/// # Safety
/// As mapdelete's.
#[inline]
unsafe fn delete<K: KeyOps, const LEAF: bool>(t: *mut MapType, h: *mut hmap, key: *mut u8) -> Option<()> {
    // SAFETY: t comes from compiled code; h is null or a live map.
    unsafe { delete_mt::<K, LEAF>(Mt::new(t), h, key) }
}

/// delete with the caller's Mt.
///
/// # Safety
/// As mapdelete's.
#[inline(always)]
unsafe fn delete_mt<K: KeyOps, const LEAF: bool>(mt: Mt, h: *mut hmap, key: *mut u8) -> Option<()> {
    // SAFETY: per the function contract.
    unsafe {
        race_header_key(&mt, h, key, true);
        if h.is_null() || (*h).count == 0 {
            if mt.hash_might_panic() {
                mt.hash(key, 0);
            }
            return Some(());
        }
        if (*h).flags & HASH_WRITING != 0 {
            crate::fatal::fatal_user("concurrent map writes");
        }
        let hash = K::hash(&mt, key, (*h).hash0);
        if K::MAY_RAISE && K::raised() {
            return Some(());
        }
        (*h).flags ^= HASH_WRITING;
        let bucket = hash & bucket_mask((*h).B);
        if !(*h).oldbuckets.is_null() && !grow_work::<K, LEAF>(&mt, h, bucket) {
            (*h).flags &= !HASH_WRITING;
            return None;
        }
        let borig = mt.bucket((*h).buckets, bucket);
        let top = tophash(hash);
        let mut b = borig;
        'search: while !b.is_null() {
            // As in lookup: the slots to compare found at once.
            let mut cand = tophash_matches(b, top);
            while cand != 0 {
                let i = cand.trailing_zeros() as usize / 8;
                cand &= cand - 1;
                if tophash_at(b, i) != top {
                    continue;
                }
                let kslot = mt.keyp(b, i);
                let k = mt.key_at(b, i);
                if !K::eq(&mt, key, k) {
                    if K::MAY_RAISE && K::raised() {
                        break 'search;
                    }
                    continue;
                }
                // Clear the key's pointers (for the collector; a later
                // insert writes the whole key) and the whole element: an
                // insert into this slot hands the element to compiled code
                // as it is (`m[k]++` reads it), so it must be zero.
                if mt.indirect_key() {
                    put_ptr(kslot as *mut *mut u8, null_mut());
                } else if mt.key_ptrs() {
                    clear_typed(kslot, mt.keysize);
                }
                let eslot = mt.elemp(b, i);
                if mt.indirect_elem() {
                    put_ptr(eslot as *mut *mut u8, null_mut());
                } else {
                    crate::wb::typed_clear(mt.elem, eslot);
                }
                set_tophash(b, i, EMPTY_ONE);
                mark_empty_rest(&mt, borig, b, i);
                (*h).count -= 1;
                if (*h).count == 0 {
                    // Re-seed so that an attacker cannot keep triggering
                    // collisions across delete/insert cycles.
                    (*h).hash0 = fastrand();
                }
                break 'search;
            }
            b = mt.overflow(b);
        }
        if (*h).flags & HASH_WRITING == 0 {
            crate::fatal::fatal_user("concurrent map writes");
        }
        (*h).flags &= !HASH_WRITING;
        Some(())
    }
}

/// Slot i of b just became empty: if everything after it in the chain is
/// empty, mark it (and the empty slots before it) emptyRest.
fn mark_empty_rest(mt: &Mt, borig: *mut u8, mut b: *mut u8, mut i: usize) {
    if i == BUCKET_CNT - 1 {
        let ovf = mt.overflow(b);
        if !ovf.is_null() && tophash_at(ovf, 0) != EMPTY_REST {
            return;
        }
    } else if tophash_at(b, i + 1) != EMPTY_REST {
        return;
    }
    loop {
        set_tophash(b, i, EMPTY_REST);
        if i == 0 {
            if b == borig {
                return;
            }
            // Find the previous bucket in the chain.
            let mut c = borig;
            while mt.overflow(c) != b {
                c = mt.overflow(c);
            }
            b = c;
            i = BUCKET_CNT - 1;
        } else {
            i -= 1;
        }
        if tophash_at(b, i) != EMPTY_ONE {
            return;
        }
    }
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapdelete_fast32(t: *mut MapType, h: *mut hmap, mut key: u32) {
    // SAFETY: per the function contract.
    unsafe { crate::leaf::ordinary(delete::<Mem32, false>(t, h, &mut key as *mut u32 as *mut u8)) }
}
/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapdelete_fast64(t: *mut MapType, h: *mut hmap, mut key: u64) {
    // SAFETY: per the function contract.
    unsafe { crate::leaf::ordinary(delete::<Mem64, false>(t, h, &mut key as *mut u64 as *mut u8)) }
}
/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapdelete_faststr(t: *mut MapType, h: *mut hmap, mut ky: GoString) {
    // SAFETY: per the function contract.
    unsafe { crate::leaf::ordinary(delete::<StrKey, false>(t, h, &mut ky as *mut GoString as *mut u8)) }
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapclear(t: *mut MapType, h: *mut hmap) {
    crate::racepc::write(h as usize);
    // SAFETY: t comes from compiled code; h is null or a live map.
    unsafe {
        if h.is_null() || (*h).count == 0 {
            return;
        }
        let mt = Mt::new(t);
        if (*h).flags & HASH_WRITING != 0 {
            crate::fatal::fatal_user("concurrent map writes");
        }
        (*h).flags ^= HASH_WRITING;
        // Iterators may be running: mark every bucket empty so they see
        // nothing more (they hold the old bucket array).
        let mark_empty = |base: *mut u8, n: usize| {
            for i in 0..n {
                let mut b = mt.bucket(base, i);
                while !b.is_null() {
                    for j in 0..BUCKET_CNT {
                        set_tophash(b, j, EMPTY_REST);
                    }
                    b = mt.overflow(b);
                }
            }
        };
        mark_empty((*h).buckets, bucket_shift((*h).B));
        // A growing map's iterators may be walking the old array.
        if !(*h).oldbuckets.is_null() {
            let old_n = if (*h).flags & SAME_SIZE_GROW != 0 { bucket_shift((*h).B) } else { bucket_shift((*h).B - 1) };
            mark_empty((*h).oldbuckets, old_n);
        }
        (*h).flags &= !SAME_SIZE_GROW;
        put_ptr(&mut (*h).oldbuckets, null_mut());
        (*h).nevacuate = 0;
        (*h).noverflow = 0;
        (*h).count = 0;
        (*h).hash0 = fastrand();
        let ex = (*h).extra;
        if !ex.is_null() {
            clear_typed(ex as *mut u8, core::mem::size_of::<mapextra>());
        }
        // Reuse the bucket array: clear it in place.
        let (_, next) = {
            let n = bucket_shift((*h).B);
            clear_typed((*h).buckets, n * mt.bucketsize);
            let b = (*h).B;
            // Preallocated overflow buckets follow the main array when B >= 4.
            if b >= 4 {
                let nb = n + bucket_shift(b - 4);
                let extra_bytes = (nb - n) * mt.bucketsize;
                clear_typed(mt.bucket((*h).buckets, n), extra_bytes);
                let last = mt.bucket((*h).buckets, nb - 1);
                mt.set_overflow(last, (*h).buckets);
                ((), mt.bucket((*h).buckets, n))
            } else {
                ((), null_mut())
            }
        };
        if !next.is_null() {
            put_ptr(&mut (*extra(h)).nextOverflow, next as *mut bmap);
        }
        if (*h).flags & HASH_WRITING == 0 {
            crate::fatal::fatal_user("concurrent map writes");
        }
        (*h).flags &= !HASH_WRITING;
    }
}

// ---- iteration ----

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapiterinit(t: *mut MapType, h: *mut hmap, it: *mut hiter) {
    crate::racepc::read(h as usize);
    // SAFETY: per the function contract.
    unsafe {
        if iter_setup(t, h, it) {
            mapiternext(it);
        }
    }
}

/// Set up the iterator `it` over h; false if there is nothing to iterate
/// (the iterator's key stays nil), else the first step is the caller's.
///
/// # Safety
/// As mapiterinit's.
#[inline(always)]
unsafe fn iter_setup(t: *mut MapType, h: *mut hmap, it: *mut hiter) -> bool {
    // SAFETY: it is the compiler's (zeroed) iterator; h null or a live map.
    unsafe {
        put_ptr(&mut (*it).t, t);
        if h.is_null() || (*h).count == 0 {
            return false;
        }
        put_ptr(&mut (*it).h, h);
        (*it).B = (*h).B;
        put_ptr(&mut (*it).buckets, (*h).buckets);
        let mt = Mt::new(t);
        if mt.bucket_noscan() {
            // Keep the overflow buckets alive (and stable) while iterating.
            let ex = extra(h);
            put_ptr(&mut (*it).overflow, (*ex).overflow);
            put_ptr(&mut (*it).oldoverflow, (*ex).oldoverflow);
        }
        let r = if (*h).B > 31 - BUCKET_CNT_BITS {
            crate::rand::cheaprand64() as usize
        } else {
            fastrand() as usize
        };
        (*it).startBucket = r & bucket_mask((*h).B);
        (*it).offset = ((r >> (*h).B) & (BUCKET_CNT - 1)) as u8;
        (*it).bucket = (*it).startBucket;
        let flags = &*(core::ptr::addr_of_mut!((*h).flags) as *const core::sync::atomic::AtomicU8);
        if flags.load(core::sync::atomic::Ordering::Relaxed) & (ITERATOR | OLD_ITERATOR) != ITERATOR | OLD_ITERATOR {
            flags.fetch_or(ITERATOR | OLD_ITERATOR, core::sync::atomic::Ordering::Relaxed);
        }
        true
    }
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapiternext(it: *mut hiter) {
    // SAFETY: per the function contract.
    unsafe { iter_next::<false, false>(it) }
}

/// mapiternext; LEAF: on the goroutine's stack, where leaf_mapiternext
/// has made sure that no race hook and no write barrier is on (the
/// iterator's pointers are stored plainly); PLAIN: no growth to follow
/// (see [`iter_is_plain`]), which leaves out the code that hashes and
/// looks keys up again.
///
/// # Safety
/// As mapiternext's; for PLAIN, iter_is_plain(it).
#[inline(always)]
unsafe fn iter_next<const LEAF: bool, const PLAIN: bool>(it: *mut hiter) {
    // Store a pointer into the iterator.
    let put = |slot: *mut *mut u8, v: *mut u8| {
        if LEAF {
            // SAFETY: a slot of the iterator; no barrier is on (above).
            unsafe { *slot = v };
        } else {
            // SAFETY: a slot of the iterator.
            unsafe { put_ptr(slot, v) };
        }
    };
    // SAFETY: it was set up by mapiterinit; its map is live.
    unsafe {
        let h = (*it).h;
        if !LEAF {
            crate::racepc::read(h as usize);
        }
        if (*h).flags & HASH_WRITING != 0 {
            crate::fatal::fatal_user("concurrent map iteration and map write");
        }
        let mt = Mt::new((*it).t);
        let mut bucket = (*it).bucket;
        let mut b = (*it).bptr as *mut u8;
        let mut i = (*it).i as usize;
        let mut check_bucket = (*it).checkBucket;
        loop {
            if b.is_null() {
                if bucket == (*it).startBucket && (*it).wrapped {
                    put(core::ptr::addr_of_mut!((*it).key), null_mut());
                    put(core::ptr::addr_of_mut!((*it).elem), null_mut());
                    return;
                }
                if !PLAIN && !(*h).oldbuckets.is_null() && (*it).B == (*h).B {
                    // Growth started after the iteration began and is not done:
                    // walk the old bucket if it has not been evacuated yet,
                    // keeping only the keys that belong in our new bucket.
                    let oldbucket = bucket & (noldbuckets(h) - 1);
                    b = mt.bucket((*h).oldbuckets, oldbucket);
                    if !evacuated(b) {
                        check_bucket = bucket;
                    } else {
                        b = mt.bucket((*it).buckets, bucket);
                        check_bucket = NO_CHECK;
                    }
                } else {
                    b = mt.bucket((*it).buckets, bucket);
                    check_bucket = NO_CHECK;
                }
                bucket += 1;
                if bucket == bucket_shift((*it).B) {
                    bucket = 0;
                    (*it).wrapped = true;
                }
                i = 0;
            }
            while i < BUCKET_CNT {
                let off = (i + (*it).offset as usize) & (BUCKET_CNT - 1);
                let th = tophash_at(b, off);
                if is_empty(th) || th == EVACUATED_EMPTY {
                    i += 1;
                    continue;
                }
                let k = mt.key_at(b, off);
                if !PLAIN && check_bucket != NO_CHECK && (*h).flags & SAME_SIZE_GROW == 0 {
                    // Old bucket of a doubling: keep only keys that will move
                    // to check_bucket.
                    if mt.reflexive_key() || mt.equal(k, k) {
                        let hash = mt.hash(k, (*h).hash0);
                        if hash & bucket_mask((*it).B) != check_bucket {
                            i += 1;
                            continue;
                        }
                    } else if (check_bucket >> ((*it).B - 1)) as u8 != th & 1 {
                        // NaN-like key: its destination was chosen by the low
                        // tophash bit.
                        i += 1;
                        continue;
                    }
                }
                if PLAIN || (th != EVACUATED_X && th != EVACUATED_Y) || !(mt.reflexive_key() || mt.equal(k, k)) {
                    // Current data (or a key that cannot be looked up again).
                    put(core::ptr::addr_of_mut!((*it).key), k);
                    put(core::ptr::addr_of_mut!((*it).elem), mt.elem_at(b, off));
                } else {
                    // The map grew since the iteration began: find the key's
                    // current element (it may have been deleted or updated).
                    match lookup::<AnyKey>(&mt, h, k) {
                        Some((nb, ni)) => {
                            put(core::ptr::addr_of_mut!((*it).key), mt.key_at(nb, ni));
                            put(core::ptr::addr_of_mut!((*it).elem), mt.elem_at(nb, ni));
                        }
                        None => {
                            i += 1;
                            continue;
                        }
                    }
                }
                (*it).bucket = bucket;
                if (*it).bptr as *mut u8 != b {
                    put(core::ptr::addr_of_mut!((*it).bptr) as *mut *mut u8, b);
                }
                (*it).i = (i + 1) as u8;
                (*it).checkBucket = check_bucket;
                return;
            }
            b = mt.overflow(b);
            i = 0;
        }
    }
}

const NO_CHECK: usize = 1 << 63;

/// Can the iterator's next step ignore growth: the map has no old buckets,
/// the iterator walks its current buckets, and not an old bucket's keys
/// (then no slot is an evacuated one, and no key needs hashing)?
///
/// # Safety
/// it was set up by mapiterinit.
#[inline(always)]
unsafe fn iter_is_plain(it: *mut hiter) -> bool {
    // SAFETY: per the function contract.
    unsafe {
        let h = (*it).h;
        !h.is_null()
            && (*h).oldbuckets.is_null()
            && (*it).buckets == (*h).buckets
            && ((*it).bptr.is_null() || (*it).checkBucket == NO_CHECK)
    }
}

// ---- leaf fast paths ----
//
// The map entry points that never allocate run on the goroutine's stack
// (`!leaf` in asm/surface.def, src/base/leaf.rs) whenever the ordinary
// code would do nothing there that needs the system stack: each fast path
// checks that and then runs the ordinary function.

/// What a map operation does, for [`leaf_ok`].
#[derive(PartialEq)]
enum LeafUse {
    /// Reads the map (lookups).
    Read,
    /// Also stores pointers into the iterator (iteration).
    Iterate,
    /// Also writes the map (deletion).
    Write,
}

/// Can the ordinary code of a map operation run on the goroutine's stack?
/// Not in race builds (reports go through the system stack), not when
/// hashing the key may raise a panic (interface keys) or recurses
/// (composite keys: their stack use depends on the type), not when the map is
/// being written (the fatal error is the ordinary path's), not when a
/// write barrier is on, the operation stores pointers and the m's barrier
/// buffer may not have room for them. (Growth work
/// that could allocate is declined where it would start: grow_work.) The
/// key type is looked at only for K = AnyKey: the other KeyOps are the
/// entry points the compiler uses for flat keys that cannot raise.
///
/// # Safety
/// t is a map type; h is null or a live map of that type.
#[inline]
unsafe fn leaf_ok<K: KeyOps>(t: *mut MapType, h: *mut hmap, u: LeafUse) -> bool {
    // SAFETY: per the function contract.
    unsafe { leaf_ok_hashing(t, h, u, K::RECURSES) }
}

/// [`leaf_ok`] for an operation that hashes keys with the key type's own
/// hash function (`type_hash`) or not at all.
///
/// # Safety
/// As leaf_ok's.
#[inline]
unsafe fn leaf_ok_hashing(t: *mut MapType, h: *mut hmap, u: LeafUse, type_hash: bool) -> bool {
    // SAFETY: per the function contract.
    unsafe {
        if crate::tsan::enabled()
            || (type_hash && ((*t).Flags & HASH_MIGHT_PANIC != 0 || !crate::alg::flat_alg((*t).Key)))
        {
            return false;
        }
        // While the collector marks, the barriers of a write or an
        // iteration step record their pointers in the m's buffer (mem/wb.rs
        // Recorder), which a fast path cannot drain: it goes ahead only if
        // they fit. At most: what two buckets hold, three times (an
        // evacuation reads and writes them, a store or clear besides), and
        // the iterator's and header's pointer stores.
        if u != LeafUse::Read && crate::wb::enabled() && !crate::wb::leaf_room(6 * ((*(*t).Bucket).PtrBytes / 8) + 32) {
            return false;
        }
        if h.is_null() {
            return true;
        }
        (*h).flags & HASH_WRITING == 0
    }
}

/// The fast path of a lookup entry point: `leaf_NAME` runs `NAME` (whose
/// keys K handles) when [`leaf_ok`] allows (its results as a fast path's,
/// `Leaf`'s `From`).
macro_rules! map_leaf {
    ($leaf:ident, $f:ident, $key:ty, $k:ty) => {
        /// The goroutine-stack fast path of the entry point of the same
        /// name without `leaf_` (see src/base/leaf.rs).
        ///
        /// # Safety
        /// As the entry point's.
        pub unsafe fn $leaf(t: *mut MapType, h: *mut hmap, key: $key) -> crate::leaf::Leaf {
            // SAFETY: per the function contract.
            unsafe {
                if !leaf_ok::<$k>(t, h, LeafUse::Read) {
                    return crate::leaf::Leaf::DECLINE;
                }
                $f(t, h, key).into()
            }
        }
    };
}

map_leaf!(leaf_reflect_mapaccess_faststr, reflect_mapaccess_faststr, GoString, StrKey);

/// The fast path of a lookup by a key of any type: `$f::<WalkKey>` (the
/// body it shares with its entry point), declined where a walk gave up.
/// (One copy of the lookup per entry point: flat keys take WalkKey's
/// inline cases, as AnyKey would.)
///
/// A key type with a flat plan is looked up with PlanKey, the plan found
/// once per lookup (`$fmt`, the body's variant taking the Mt).
macro_rules! any_key_leaf {
    ($leaf:ident, $f:ident, $fmt:ident) => {
        /// The goroutine-stack fast path of the entry point of the same
        /// name without `leaf_` (see src/base/leaf.rs).
        ///
        /// # Safety
        /// As the entry point's.
        pub unsafe fn $leaf(t: *mut MapType, h: *mut hmap, key: *mut u8) -> crate::leaf::Leaf {
            // SAFETY: per the function contract.
            unsafe {
                if !leaf_ok::<WalkKey>(t, h, LeafUse::Read) {
                    return crate::leaf::Leaf::DECLINE;
                }
                if let Some(mt) = plan_mt(t) {
                    return $fmt::<PlanKey>(mt, h, key).into();
                }
                walk_leaf(Some($f::<WalkKey>(t, h, key)))
            }
        }
    };
}

any_key_leaf!(leaf_mapaccess1, access1, access1_mt);
any_key_leaf!(leaf_mapaccess2, access2, access2_mt);
any_key_leaf!(leaf_reflect_mapaccess, access, access_mt);

/// A fast path's results from an operation with WalkKey (None: declined
/// already), declined if a walk gave up.
fn walk_leaf<R: Into<crate::leaf::Leaf>>(r: Option<R>) -> crate::leaf::Leaf {
    if WalkKey::raised() {
        walk_gave_up(false);
        return crate::leaf::Leaf::DECLINE;
    }
    crate::leaf::Leaf::or_decline(r)
}

/// A fast variant's lookup on the goroutine's stack: its key is flat and
/// cannot raise, and leaf_ok has declined race builds, so this is
/// access without the race hooks, all inlined into the entry point.
///
/// # Safety
/// As the entry point's; leaf_ok allowed the call.
#[inline(always)]
unsafe fn leaf_find<K: KeyOps>(t: *mut MapType, h: *mut hmap, key: *mut u8) -> *mut u8 {
    // SAFETY: per the function contract.
    unsafe {
        if h.is_null() || (*h).count == 0 {
            return null_mut();
        }
        let mt = Mt::new(t);
        match lookup::<K>(&mt, h, key) {
            Some((b, i)) => mt.elem_at(b, i),
            None => null_mut(),
        }
    }
}

/// The fast path of a fast variant's lookup: `leaf_NAME` does what `NAME`
/// does for a key of type $key (K's hashing), with the results of the
/// one-result form (the element, or the zero value) or the two-result one.
macro_rules! flat_leaf {
    ($leaf:ident, $key:ty, $k:ty, one) => {
        flat_leaf!($leaf, $key, $k, |e: *mut u8| crate::leaf::Leaf::one(if e.is_null() { zero_val() } else { e } as usize));
    };
    ($leaf:ident, $key:ty, $k:ty, two) => {
        flat_leaf!($leaf, $key, $k, |e: *mut u8| if e.is_null() {
            crate::leaf::Leaf::two(zero_val() as usize, 0)
        } else {
            crate::leaf::Leaf::two(e as usize, 1)
        });
    };
    ($leaf:ident, $key:ty, $k:ty, $res:expr) => {
        /// The goroutine-stack fast path of the entry point of the same
        /// name without `leaf_` (see src/base/leaf.rs).
        ///
        /// # Safety
        /// As the entry point's.
        pub unsafe fn $leaf(t: *mut MapType, h: *mut hmap, mut key: $key) -> crate::leaf::Leaf {
            // SAFETY: per the function contract.
            unsafe {
                if !leaf_ok::<$k>(t, h, LeafUse::Read) {
                    return crate::leaf::Leaf::DECLINE;
                }
                $res(leaf_find::<$k>(t, h, &mut key as *mut $key as *mut u8))
            }
        }
    };
}

flat_leaf!(leaf_mapaccess1_fast32, u32, Mem32, one);
flat_leaf!(leaf_mapaccess2_fast32, u32, Mem32, two);
flat_leaf!(leaf_mapaccess1_fast64, u64, Mem64, one);
flat_leaf!(leaf_mapaccess2_fast64, u64, Mem64, two);
flat_leaf!(leaf_mapaccess1_faststr, GoString, StrKey, one);
flat_leaf!(leaf_mapaccess2_faststr, GoString, StrKey, two);

/// The fast path of a deletion entry point: `leaf_NAME` deletes as `NAME`
/// does, with K's hashing, when [`leaf_ok`] allows and the growth work
/// (if the map grows) cannot allocate.
macro_rules! delete_leaf {
    // A key passed by value (the fast variants).
    ($leaf:ident, $k:ty, $key:ty) => {
        delete_leaf!($leaf, $k, $key, |key: &mut $key| key as *mut $key as *mut u8);
    };
    // `$ptr` turns the argument into a pointer to the key.
    ($leaf:ident, $k:ty, $key:ty, $ptr:expr) => {
        /// The goroutine-stack fast path of the entry point of the same
        /// name without `leaf_` (see src/base/leaf.rs).
        ///
        /// # Safety
        /// As the entry point's.
        pub unsafe fn $leaf(t: *mut MapType, h: *mut hmap, mut key: $key) -> crate::leaf::Leaf {
            // SAFETY: per the function contract.
            unsafe {
                if !leaf_ok::<$k>(t, h, LeafUse::Write) {
                    return crate::leaf::Leaf::DECLINE;
                }
                crate::leaf::Leaf::or_decline(delete::<$k, true>(t, h, $ptr(&mut key)))
            }
        }
    };
}

/// The goroutine-stack fast path of mapdelete (see src/base/leaf.rs):
/// keys AnyKey hashes inline, and keys with a flat plan (PlanKey).
///
/// # Safety
/// As mapdelete's.
pub unsafe fn leaf_mapdelete(t: *mut MapType, h: *mut hmap, key: *mut u8) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    unsafe {
        if leaf_ok::<AnyKey>(t, h, LeafUse::Write) {
            return crate::leaf::Leaf::or_decline(delete::<AnyKey, true>(t, h, key));
        }
        if let Some(mt) = plan_mt(t) {
            if leaf_ok::<PlanKey>(t, h, LeafUse::Write) {
                return crate::leaf::Leaf::or_decline(delete_mt::<PlanKey, true>(mt, h, key));
            }
        }
        crate::leaf::Leaf::DECLINE
    }
}

delete_leaf!(leaf_mapdelete_fast32, Mem32, u32);
delete_leaf!(leaf_mapdelete_fast64, Mem64, u64);
delete_leaf!(leaf_mapdelete_faststr, StrKey, GoString);

/// The fast path of an assignment: what assign does, where it does not
/// allocate (no growth, a free slot in the key's chain) or write a pointer
/// with the write barrier on; otherwise declined before any change.
///
/// # Safety
/// As mapassign's.
#[inline]
unsafe fn leaf_assign<K: KeyOps>(t: *mut MapType, h: *mut hmap, key: *mut u8) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    crate::leaf::Leaf::or_decline(unsafe { leaf_assign_slot::<K>(t, h, key) })
}

/// leaf_assign's element slot, or None to decline.
///
/// # Safety
/// As mapassign's.
#[inline]
unsafe fn leaf_assign_slot<K: KeyOps>(t: *mut MapType, h: *mut hmap, key: *mut u8) -> Option<*mut u8> {
    // SAFETY: per the function contract.
    unsafe { leaf_assign_slot_mt::<K>(t, Mt::new(t), h, key) }
}

/// leaf_mapassign by a key with a flat plan (mt's): out of line, so that
/// its frame does not add to the WalkKey path's, whose walk is the
/// deepest use of the fast path's stack room (`gort leafstack`).
///
/// # Safety
/// As mapassign's.
#[inline(never)]
unsafe fn leaf_assign_plan(t: *mut MapType, mt: Mt, h: *mut hmap, key: *mut u8) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    crate::leaf::Leaf::or_decline(unsafe { leaf_assign_slot_mt::<PlanKey>(t, mt, h, key) })
}

/// leaf_assign_slot with the caller's Mt (of map type t).
///
/// # Safety
/// As mapassign's.
#[inline]
unsafe fn leaf_assign_slot_mt<K: KeyOps>(t: *mut MapType, mt: Mt, h: *mut hmap, key: *mut u8) -> Option<*mut u8> {
    // SAFETY: per the function contract.
    unsafe {
        if h.is_null() || !leaf_ok::<K>(t, h, LeafUse::Write) {
            return None;
        }
        if mt.indirect_key() || mt.indirect_elem() {
            return None;
        }
        if (*h).buckets.is_null() && !leaf_first_bucket(&mt, h) {
            return None;
        }
        assign_mt::<K, true>(mt, h, key)
    }
}

/// Give a map made without buckets (makemap's small maps, reflect.MakeMap)
/// its first one on an assignment's fast path, as the ordinary path does
/// at its first assignment; false (nothing changed) when the P's cache
/// cannot serve it. Before the assignment proper: a map with a bucket and
/// no entries is what a cleared map is. Out of line, so that the
/// allocation's frames do not add to the assignment's.
///
/// # Safety
/// h is a live map of mt's type, not being written, with no buckets.
#[inline(never)]
#[cold]
unsafe fn leaf_first_bucket(mt: &Mt, h: *mut hmap) -> bool {
    // SAFETY: per the function contract; the bucket type's size is one
    // bucket's, far below MAX_ALLOC.
    unsafe {
        let Some(b) = crate::heap::malloc::try_mallocgc((*mt.bucket).Size_, mt.bucket, true) else {
            return false;
        };
        put_ptr(&mut (*h).buckets, b as _);
    }
    true
}

/// The goroutine-stack fast path of mapassign (see src/base/leaf.rs).
///
/// # Safety
/// As mapassign's.
pub unsafe fn leaf_mapassign(t: *mut MapType, h: *mut hmap, key: *mut u8) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    unsafe {
        if leaf_ok::<AnyKey>(t, h, LeafUse::Write) {
            return leaf_assign::<AnyKey>(t, h, key);
        }
        // A key with a flat plan: its hashing cannot give up, so a growing
        // map's evacuation is no obstacle.
        if let Some(mt) = plan_mt(t) {
            return leaf_assign_plan(t, mt, h, key);
        }
        // A key WalkKey hashes: not while the map grows, whose evacuation
        // hashes the keys already there (a walk giving up on one of those
        // would have moved others already).
        if h.is_null() || !(*h).oldbuckets.is_null() {
            return crate::leaf::Leaf::DECLINE;
        }
        walk_leaf(leaf_assign_slot::<WalkKey>(t, h, key))
    }
}

/// The goroutine-stack fast path of mapassign_fast32 (see src/base/leaf.rs).
///
/// # Safety
/// As mapassign_fast32's.
pub unsafe fn leaf_mapassign_fast32(t: *mut MapType, h: *mut hmap, mut key: u32) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    unsafe { leaf_assign::<Mem32>(t, h, &mut key as *mut u32 as *mut u8) }
}

/// The goroutine-stack fast path of mapassign_fast64 (see src/base/leaf.rs).
///
/// # Safety
/// As mapassign_fast64's.
pub unsafe fn leaf_mapassign_fast64(t: *mut MapType, h: *mut hmap, mut key: u64) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    unsafe { leaf_assign::<Mem64>(t, h, &mut key as *mut u64 as *mut u8) }
}

/// The goroutine-stack fast path of mapassign_fast64ptr (see src/base/leaf.rs).
///
/// # Safety
/// As mapassign_fast64ptr's.
pub unsafe fn leaf_mapassign_fast64ptr(t: *mut MapType, h: *mut hmap, mut key: *mut u8) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    unsafe { leaf_assign::<Mem64>(t, h, &mut key as *mut *mut u8 as *mut u8) }
}

/// The goroutine-stack fast path of mapassign_faststr (see src/base/leaf.rs).
///
/// # Safety
/// As mapassign_faststr's.
pub unsafe fn leaf_mapassign_faststr(t: *mut MapType, h: *mut hmap, mut s: GoString) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    unsafe { leaf_assign::<StrKey>(t, h, &mut s as *mut GoString as *mut u8) }
}

/// The goroutine-stack fast path of mapiterinit (see src/base/leaf.rs).
///
/// # Safety
/// As mapiterinit's.
pub unsafe fn leaf_mapiterinit(t: *mut MapType, h: *mut hmap, it: *mut hiter) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    unsafe {
        // The first step hashes keys only if the map is growing.
        let growing = !h.is_null() && !(*h).oldbuckets.is_null();
        if !leaf_ok_hashing(t, h, LeafUse::Iterate, growing) {
            return crate::leaf::Leaf::DECLINE;
        }
        // The first iteration of a map without pointers in its buckets
        // allocates the map's extra header (see mapiterinit).
        if !h.is_null() && (*h).count != 0 && (*h).extra.is_null() && Mt::new(t).bucket_noscan() {
            return crate::leaf::Leaf::DECLINE;
        }
        if iter_setup(t, h, it) {
            if iter_is_plain(it) {
                leaf_iter_plain(it);
            } else {
                leaf_iter_grown(it);
            }
        }
        crate::leaf::Leaf::one(0)
    }
}

/// The goroutine-stack fast path of mapiternext (see src/base/leaf.rs).
/// Iterating hashes keys (the key type then matters) only around a growth
/// (not [`iter_is_plain`]): that is out of line, so that the common step
/// is a short function.
///
/// # Safety
/// As mapiternext's.
pub unsafe fn leaf_mapiternext(it: *mut hiter) -> crate::leaf::Leaf {
    // SAFETY: per the function contract: it was set up by mapiterinit.
    unsafe {
        if !iter_is_plain(it) {
            if !leaf_ok_hashing((*it).t, (*it).h, LeafUse::Iterate, true) {
                return crate::leaf::Leaf::DECLINE;
            }
            leaf_iter_grown(it);
        } else {
            if !leaf_ok_hashing((*it).t, (*it).h, LeafUse::Iterate, false) {
                return crate::leaf::Leaf::DECLINE;
            }
            leaf_iter_plain(it);
        }
        crate::leaf::Leaf::one(0)
    }
}

/// A leaf iteration step with no growth to follow ([`iter_is_plain`]):
/// one copy for the first step (mapiterinit) and the others.
///
/// # Safety
/// As mapiternext's; iter_is_plain(it).
#[inline(never)]
unsafe fn leaf_iter_plain(it: *mut hiter) {
    // SAFETY: per the function contract.
    unsafe { iter_next::<true, true>(it) }
}

/// A leaf iteration step that follows a growth (leaf_ok allowed it).
///
/// # Safety
/// As mapiternext's.
#[cold]
#[inline(never)]
unsafe fn leaf_iter_grown(it: *mut hiter) {
    // SAFETY: per the function contract.
    unsafe { iter_next::<true, false>(it) }
}

/// The goroutine-stack fast path of mapiterkey (see src/base/leaf.rs).
///
/// # Safety
/// As mapiterkey's.
pub unsafe fn leaf_mapiterkey(it: *mut hiter) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    crate::leaf::Leaf::one(unsafe { mapiterkey(it) } as usize)
}

/// The goroutine-stack fast path of mapiterelem (see src/base/leaf.rs).
///
/// # Safety
/// As mapiterelem's.
pub unsafe fn leaf_mapiterelem(it: *mut hiter) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    crate::leaf::Leaf::one(unsafe { mapiterelem(it) } as usize)
}

/// The goroutine-stack fast path of maplen (see src/base/leaf.rs): not in
/// race builds, which report the read.
///
/// # Safety
/// As maplen's.
pub unsafe fn leaf_maplen(h: *mut hmap) -> crate::leaf::Leaf {
    if crate::tsan::enabled() {
        return crate::leaf::Leaf::DECLINE;
    }
    // SAFETY: per the function contract.
    crate::leaf::Leaf::one(unsafe { maplen(h) } as usize)
}

// ---- reflect ----

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn reflect_makemap(t: *mut MapType, cap: isize) -> *mut hmap {
    // SAFETY: t is a map type descriptor from reflect.
    unsafe {
        if (*(*t).Key).Equal.is_null() {
            throw("runtime.reflect_makemap: unsupported map key type");
        }
    }
    // SAFETY: per the function contract.
    unsafe { makemap(t, cap, null_mut()) }
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn reflect_mapaccess(t: *mut MapType, h: *mut hmap, key: *mut u8) -> *mut u8 {
    access::<AnyKey>(t, h, key)
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn reflect_mapaccess_faststr(t: *mut MapType, h: *mut hmap, mut key: GoString) -> *mut u8 {
    access::<StrKey>(t, h, &mut key as *mut GoString as *mut u8)
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn reflect_mapassign0(t: *mut MapType, h: *mut hmap, key: *mut u8, elem: *mut u8) {
    // SAFETY: per the function contract.
    let p = unsafe { mapassign(t, h, key) };
    if raised() {
        return;
    }
    // SAFETY: p is the element slot for key.
    unsafe { copy_typed(p, elem, (*(*t).Elem).Size_) };
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn reflect_mapassign_faststr0(t: *mut MapType, h: *mut hmap, key: GoString, elem: *mut u8) {
    // SAFETY: per the function contract.
    unsafe {
        let p = mapassign_faststr(t, h, key);
        copy_typed(p, elem, (*(*t).Elem).Size_);
    }
}

/// The goroutine-stack fast path of reflect's map assignments (see
/// src/base/leaf.rs): leaf_assign's, then the element's copy (no write
/// barrier is on: leaf_ok).
///
/// # Safety
/// As reflect_mapassign0's.
unsafe fn leaf_reflect_assign<K: KeyOps>(t: *mut MapType, h: *mut hmap, key: *mut u8, elem: *mut u8) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    unsafe {
        let Some(p) = leaf_assign_slot::<K>(t, h, key) else {
            return crate::leaf::Leaf::DECLINE;
        };
        copy_typed(p, elem, (*(*t).Elem).Size_);
    }
    crate::leaf::Leaf::one(0)
}

/// The goroutine-stack fast path of reflect_mapassign0 (see src/base/leaf.rs).
///
/// # Safety
/// As reflect_mapassign0's.
pub unsafe fn leaf_reflect_mapassign0(t: *mut MapType, h: *mut hmap, key: *mut u8, elem: *mut u8) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    unsafe { leaf_reflect_assign::<AnyKey>(t, h, key, elem) }
}

/// The goroutine-stack fast path of reflect_mapassign_faststr0 (see
/// src/base/leaf.rs).
///
/// # Safety
/// As reflect_mapassign_faststr0's.
pub unsafe fn leaf_reflect_mapassign_faststr0(t: *mut MapType, h: *mut hmap, mut key: GoString, elem: *mut u8) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    unsafe { leaf_reflect_assign::<StrKey>(t, h, &mut key as *mut GoString as *mut u8, elem) }
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapiterkey(it: *mut hiter) -> *mut u8 {
    // SAFETY: it is a live iterator.
    unsafe { (*it).key }
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn mapiterelem(it: *mut hiter) -> *mut u8 {
    // SAFETY: it is a live iterator.
    unsafe { (*it).elem }
}

/// # Safety
/// `t` is a map type and `h` a map of that type (nil where Go allows it);
/// the other pointers address live values of `t`'s key and element types,
/// or an iterator the caller owns (compiled code's and reflect's contract).
pub unsafe fn maplen(h: *mut hmap) -> isize {
    crate::racepc::read(h as usize);
    if h.is_null() {
        return 0;
    }
    // SAFETY: h is a live map.
    unsafe { (*h).count }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tophash_matches and empty_slots against a slot-by-slot scan, over
    /// every value in every slot beside pseudo-random neighbours: every
    /// true slot is reported, the lowest reported one is always true.
    #[test]
    fn bucket_masks_match_a_scan() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..20000 {
            let mut th = [0u8; 8];
            for b in th.iter_mut() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Mostly a few values, so that equal and empty bytes are common.
                *b = if seed & 3 == 0 { (seed >> 8) as u8 } else { ((seed >> 8) % 7) as u8 };
            }
            let top = (round % 256) as u8;
            let b = th.as_ptr() as *mut u8;
            let got = tophash_matches(b, top);
            let want: Vec<usize> = (0..8).filter(|&i| th[i] == top).collect();
            for &i in &want {
                assert!(got & (0x80 << (8 * i)) != 0, "{th:?} top {top}: slot {i} not reported");
            }
            if got != 0 {
                assert_eq!(th[got.trailing_zeros() as usize / 8], top, "{th:?} top {top}: lowest candidate false");
            }
            let free = empty_slots(b);
            for i in (0..8).filter(|&i| is_empty(th[i])) {
                assert!(free & (0x80 << (8 * i)) != 0, "{th:?}: empty slot {i} not reported");
            }
            if free != 0 {
                assert!(is_empty(th[free.trailing_zeros() as usize / 8]), "{th:?}: lowest empty slot false");
            } else {
                assert!(!th.iter().any(|&x| is_empty(x)));
            }
            // Every reported slot is a candidate only: no bits but the high ones.
            assert_eq!(got & !0x8080_8080_8080_8080, 0);
        }
    }
}
