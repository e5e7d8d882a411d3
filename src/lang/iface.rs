//! Interfaces: itabs (the method tables of non-empty interface values),
//! conversions to interfaces, type assertions and type switches.
//!
//! Itabs live in persistent memory and are never freed. The global itab
//! table is an open-addressing hash table keyed by (interface, type); it is
//! seeded from each module's itablinks (itabs the linker built) and also
//! records negative results (itab with fun[0] == 0). Readers take no lock:
//! a table is only ever replaced by a larger copy, never modified in place
//! except by filling an empty slot (a single atomic store).
//!
//! Type assertions and switches also maintain the caches that compiled code
//! probes inline (abi.TypeAssertCache / InterfaceSwitchCache): a new, larger
//! cache is published with one atomic compare-and-swap.

use crate::heap::malloc::mallocgc;
use crate::layout::abi::{self, InterfaceType, Type};
use crate::layout::rt::itab;
use crate::layout::{GoSlice, GoString};
use crate::lock::Mutex;
use crate::persistent;
use crate::types::*;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

struct ItabTable {
    size: usize,
    count: usize,
    entries: *mut AtomicPtr<itab>,
}

static ITAB_LOCK: Mutex = Mutex::new(crate::lockrank::Rank::Itab);
static ITAB_TABLE: AtomicPtr<ItabTable> = AtomicPtr::new(null_mut());

fn itab_hash(inter: *const InterfaceType, typ: *const Type) -> usize {
    // SAFETY: both are type descriptors.
    unsafe { ((*inter).Type.Hash ^ (*typ).Hash) as usize }
}

fn new_table(size: usize) -> *mut ItabTable {
    let t = persistent::new::<ItabTable>();
    // SAFETY: fresh zeroed memory for the table and its slots.
    unsafe {
        (*t).size = size;
        (*t).entries = persistent::alloc(size * 8, 8) as *mut AtomicPtr<itab>;
    }
    t
}

fn find(t: *mut ItabTable, inter: *const InterfaceType, typ: *const Type) -> *mut itab {
    if t.is_null() {
        return null_mut();
    }
    // SAFETY: t is a published table; slots are atomics.
    unsafe {
        let mask = (*t).size - 1;
        let mut h = itab_hash(inter, typ) & mask;
        let mut i = 1;
        loop {
            let m = (*(*t).entries.add(h)).load(Ordering::Acquire);
            if m.is_null() {
                return null_mut();
            }
            if core::ptr::eq((*m).inter, inter) && core::ptr::eq((*m)._type, typ) {
                return m;
            }
            h = (h + i) & mask;
            i += 1;
        }
    }
}

/// Insert m (ITAB_LOCK held), growing the table at 75% load.
fn add(m: *mut itab) {
    let mut t = ITAB_TABLE.load(Ordering::Acquire);
    // SAFETY: ITAB_LOCK is held, so we are the only writer.
    unsafe {
        if t.is_null() || (*t).count * 4 >= (*t).size * 3 {
            let size = if t.is_null() { 512 } else { (*t).size * 2 };
            let nt = new_table(size);
            if !t.is_null() {
                for i in 0..(*t).size {
                    let e = (*(*t).entries.add(i)).load(Ordering::Relaxed);
                    if !e.is_null() {
                        insert(nt, e);
                    }
                }
            }
            ITAB_TABLE.store(nt, Ordering::Release);
            t = nt;
        }
        insert(t, m);
    }
}

/// # Safety
/// ITAB_LOCK held; t has a free slot.
unsafe fn insert(t: *mut ItabTable, m: *mut itab) {
    // SAFETY: per the function contract.
    unsafe {
        let mask = (*t).size - 1;
        let mut h = itab_hash((*m).inter, (*m)._type) & mask;
        let mut i = 1;
        loop {
            let slot = &*(*t).entries.add(h);
            let cur = slot.load(Ordering::Relaxed);
            if cur.is_null() {
                slot.store(m, Ordering::Release);
                (*t).count += 1;
                return;
            }
            if cur == m {
                return;
            }
            h = (h + i) & mask;
            i += 1;
        }
    }
}

/// Seed the itab table with every module's linker-built itabs.
pub fn itabsinit() {
    ITAB_LOCK.lock();
    for md in modules() {
        // SAFETY: itablinks is linker-built.
        for &m in unsafe { md.itablinks.as_slice() } {
            add(m);
        }
    }
    ITAB_LOCK.unlock();
}

/// Call f for every itab of the table (negative results included), for
/// the heap dump.
pub fn for_each_itab(mut f: impl FnMut(*mut itab)) {
    let t = ITAB_TABLE.load(Ordering::Acquire);
    if t.is_null() {
        return;
    }
    // SAFETY: a published table is never freed; its slots are atomics.
    unsafe {
        for i in 0..(*t).size {
            let m = (*(*t).entries.add(i)).load(Ordering::Acquire);
            if !m.is_null() {
                f(m);
            }
        }
    }
}

/// Interface method names, type and package path.
///
/// # Safety
/// inter is an interface type descriptor.
unsafe fn imethods(inter: *const InterfaceType) -> &'static [abi::Imethod] {
    // SAFETY: per the function contract.
    unsafe { (*inter).Methods.as_slice() }
}

/// Fill m.fun; returns the name of the first missing method ("" if none).
///
/// # Safety
/// m is a fresh itab with room for one fun slot per interface method.
unsafe fn itab_init(m: *mut itab) -> &'static [u8] {
    // SAFETY: per the function contract; descriptors are linker data.
    unsafe {
        let inter = (*m).inter as *const InterfaceType;
        let typ = (*m)._type as *const Type;
        let ims = imethods(inter);
        let tms = methods(typ);
        let fun = core::ptr::addr_of_mut!((*m).fun) as *mut usize;
        let ipkg_default = name_bytes((*inter).PkgPath.Bytes);
        let mut fun0 = 0usize;
        let mut j = 0;
        'imethods: for (k, im) in ims.iter().enumerate() {
            let iname = resolve_name_off(inter as usize, im.Name);
            let itype = resolve_type_off(inter as usize, im.Typ);
            let iname_s = name_bytes(iname);
            let ipkg = name_pkg_path(iname).unwrap_or(ipkg_default);
            while j < tms.len() {
                let tm = &tms[j];
                j += 1;
                let tname = resolve_name_off(typ as usize, tm.Name);
                if resolve_type_off(typ as usize, tm.Mtyp) == itype && name_bytes(tname) == iname_s {
                    let tpkg = name_pkg_path(tname).unwrap_or_else(|| pkg_path(typ));
                    if name_is_exported(tname) || tpkg == ipkg {
                        let ifn = resolve_text_off(typ as usize, tm.Ifn);
                        if k == 0 {
                            fun0 = ifn;
                        } else {
                            *fun.add(k) = ifn;
                        }
                        continue 'imethods;
                    }
                }
            }
            // Not found: fun[0] stays 0, marking "does not implement".
            *fun = 0;
            return iname_s;
        }
        // Publish fun[0] last: a non-zero fun[0] means the itab is complete.
        (*(fun as *const AtomicUsize)).store(fun0, Ordering::Release);
        b""
    }
}

/// The itab for (inter, typ). When typ does not implement inter: null if
/// canfail, otherwise raise the TypeAssertionError (and return null).
///
/// # Safety
/// The type descriptors, itabs and assertion caches are compiled code's (or
/// reflect's), and `v` points at a value of type `t`.
pub unsafe fn getitab(inter: *mut InterfaceType, typ: *mut Type, canfail: bool) -> *mut itab {
    // SAFETY: descriptors come from compiled code.
    unsafe {
        let ims = imethods(inter);
        if ims.is_empty() {
            crate::fatal::throw("internal error - misuse of itab");
        }
        if (*typ).TFlag & TFLAG_UNCOMMON == 0 {
            if !canfail {
                let n = name_bytes(resolve_name_off(inter as usize, ims[0].Name));
                crate::raise::raise_missing_method(typ, &(*inter).Type, n);
            }
            return null_mut();
        }
        let mut m = find(ITAB_TABLE.load(Ordering::Acquire), inter, typ);
        let mut missing: &'static [u8] = b"";
        if m.is_null() {
            ITAB_LOCK.lock();
            m = find(ITAB_TABLE.load(Ordering::Acquire), inter, typ);
            if m.is_null() {
                let n = ims.len();
                m = persistent::alloc(core::mem::size_of::<itab>() + (n - 1) * 8, 8) as *mut itab;
                (*m).inter = inter;
                (*m)._type = typ;
                (*m).hash = (*typ).Hash;
                missing = itab_init(m);
                add(m);
            }
            ITAB_LOCK.unlock();
        }
        if (*m).fun[0] != 0 {
            return m;
        }
        if canfail {
            return null_mut();
        }
        if missing.is_empty() {
            // Cached negative result: find the missing method's name again.
            let tmp = persistent::alloc(core::mem::size_of::<itab>() + (ims.len() - 1) * 8, 8) as *mut itab;
            (*tmp).inter = inter;
            (*tmp)._type = typ;
            missing = itab_init(tmp);
        }
        crate::raise::raise_missing_method(typ, &(*inter).Type, missing);
        null_mut()
    }
}

/// # Safety
/// The type descriptors, itabs and assertion caches are compiled code's (or
/// reflect's), and `v` points at a value of type `t`.
pub unsafe fn assertE2I(inter: *mut InterfaceType, t: *mut Type) -> *mut itab {
    if t.is_null() {
        // SAFETY: inter is a descriptor.
        crate::raise::raise_type_assert(null_mut(), null_mut(), unsafe { &(*inter).Type });
        return null_mut();
    }
    // SAFETY: per the function contract.
    unsafe { getitab(inter, t, false) }
}

/// # Safety
/// The type descriptors, itabs and assertion caches are compiled code's (or
/// reflect's), and `v` points at a value of type `t`.
pub unsafe fn assertI2I(inter: *mut InterfaceType, tab: *mut itab) -> *mut itab {
    if tab.is_null() {
        // SAFETY: inter is a descriptor.
        crate::raise::raise_type_assert(null_mut(), null_mut(), unsafe { &(*inter).Type });
        return null_mut();
    }
    // SAFETY: a non-nil itab.
    unsafe { getitab(inter, (*tab)._type, false) }
}

/// # Safety
/// The type descriptors, itabs and assertion caches are compiled code's (or
/// reflect's), and `v` points at a value of type `t`.
pub unsafe fn assertI2I2(inter: *mut InterfaceType, tab: *mut itab) -> *mut itab {
    if tab.is_null() {
        return null_mut();
    }
    // SAFETY: a non-nil itab.
    unsafe { getitab(inter, (*tab)._type, true) }
}

/// # Safety
/// The type descriptors, itabs and assertion caches are compiled code's (or
/// reflect's), and `v` points at a value of type `t`.
pub unsafe fn assertE2I2(inter: *mut InterfaceType, t: *mut Type) -> *mut itab {
    if t.is_null() {
        return null_mut();
    }
    // SAFETY: per the function contract.
    unsafe { getitab(inter, t, true) }
}

/// Should this call rebuild the inline cache? Rarely, and more rarely as
/// the cache grows (as upstream, to amortise rebuilding).
fn should_update_cache(mask: usize) -> bool {
    crate::rand::cheaprand() & 1023 == 0 && (crate::rand::cheaprand() as usize & mask) == 0
}

/// # Safety
/// The type descriptors, itabs and assertion caches are compiled code's (or
/// reflect's), and `v` points at a value of type `t`.
pub unsafe fn typeAssert(s: *mut abi::TypeAssert, t: *mut Type) -> *mut itab {
    // SAFETY: s is the compiler's static descriptor of this assertion.
    unsafe {
        let tab = if t.is_null() {
            if !(*s).CanFail {
                crate::raise::raise_type_assert(null_mut(), null_mut(), &(*(*s).Inter).Type);
            }
            return null_mut();
        } else {
            getitab((*s).Inter, t, (*s).CanFail)
        };
        if (*crate::gm::getm()).rtpanicKind != 0 {
            return null_mut();
        }
        let cache = &*(core::ptr::addr_of_mut!((*s).Cache) as *const AtomicPtr<abi::TypeAssertCache>);
        let old = cache.load(Ordering::Acquire);
        if should_update_cache((*old).Mask) {
            let new = build_assert_cache(old, t, tab);
            let _ = cache.compare_exchange(old, new, Ordering::AcqRel, Ordering::Acquire);
        }
        tab
    }
}

/// A copy of `old` (at most half full) with (t, tab) added.
///
/// # Safety
/// old is a live cache.
unsafe fn build_assert_cache(old: *mut abi::TypeAssertCache, t: *mut Type, tab: *mut itab) -> *mut abi::TypeAssertCache {
    // SAFETY: per the function contract; the new cache is fresh memory.
    unsafe {
        let old_entries =
            core::slice::from_raw_parts(core::ptr::addr_of!((*old).Entries) as *const abi::TypeAssertCacheEntry, (*old).Mask + 1);
        let n = old_entries.iter().filter(|e| e.Typ != 0).count() + 1;
        let size = (n * 2).next_power_of_two();
        let bytes = 8 + size * core::mem::size_of::<abi::TypeAssertCacheEntry>();
        let new = mallocgc(bytes, null_mut(), true) as *mut abi::TypeAssertCache;
        (*new).Mask = size - 1;
        let entries = core::ptr::addr_of_mut!((*new).Entries) as *mut abi::TypeAssertCacheEntry;
        let put = |typ: usize, it: usize| {
            let mut h = (*(typ as *const Type)).Hash as usize & (size - 1);
            while (*entries.add(h)).Typ != 0 {
                h = (h + 1) & (size - 1);
            }
            (*entries.add(h)).Typ = typ;
            (*entries.add(h)).Itab = it;
        };
        for e in old_entries.iter().filter(|e| e.Typ != 0) {
            put(e.Typ, e.Itab);
        }
        put(t as usize, tab as usize);
        new
    }
}

/// # Safety
/// The type descriptors, itabs and assertion caches are compiled code's (or
/// reflect's), and `v` points at a value of type `t`.
pub unsafe fn interfaceSwitch(s: *mut abi::InterfaceSwitch, t: *mut Type) -> (isize, *mut itab) {
    // SAFETY: s is the compiler's static descriptor of this switch.
    unsafe {
        let ncases = (*s).NCases as usize;
        let cases = core::slice::from_raw_parts(core::ptr::addr_of!((*s).Cases) as *const *mut InterfaceType, ncases);
        let mut case = ncases as isize;
        let mut tab = null_mut();
        for (i, &c) in cases.iter().enumerate() {
            let m = getitab(c, t, true);
            if !m.is_null() {
                case = i as isize;
                tab = m;
                break;
            }
        }
        let cache = &*(core::ptr::addr_of_mut!((*s).Cache) as *const AtomicPtr<abi::InterfaceSwitchCache>);
        let old = cache.load(Ordering::Acquire);
        if should_update_cache((*old).Mask) {
            let old_entries = core::slice::from_raw_parts(
                core::ptr::addr_of!((*old).Entries) as *const abi::InterfaceSwitchCacheEntry,
                (*old).Mask + 1,
            );
            let n = old_entries.iter().filter(|e| e.Typ != 0).count() + 1;
            let size = (n * 2).next_power_of_two();
            let bytes = 8 + size * core::mem::size_of::<abi::InterfaceSwitchCacheEntry>();
            let new = mallocgc(bytes, null_mut(), true) as *mut abi::InterfaceSwitchCache;
            (*new).Mask = size - 1;
            let entries = core::ptr::addr_of_mut!((*new).Entries) as *mut abi::InterfaceSwitchCacheEntry;
            let put = |typ: usize, cs: isize, it: usize| {
                let mut h = (*(typ as *const Type)).Hash as usize & (size - 1);
                while (*entries.add(h)).Typ != 0 {
                    h = (h + 1) & (size - 1);
                }
                let e = &mut *entries.add(h);
                e.Typ = typ;
                e.Case = cs;
                e.Itab = it;
            };
            for e in old_entries.iter().filter(|e| e.Typ != 0) {
                put(e.Typ, e.Case, e.Itab);
            }
            put(t as usize, case, tab as usize);
            let _ = cache.compare_exchange(old, new, Ordering::AcqRel, Ordering::Acquire);
        }
        (case, tab)
    }
}

// ---- conversions to interfaces ----

/// # Safety
/// The type descriptors, itabs and assertion caches are compiled code's (or
/// reflect's), and `v` points at a value of type `t`.
pub unsafe fn convT(t: *mut Type, v: *mut u8) -> *mut u8 {
    // SAFETY: per the function contract.
    crate::leaf::ordinary(unsafe { convT_in::<false>(t, v) })
}

/// The goroutine-stack fast path of convT (src/base/leaf.rs).
///
/// # Safety
/// As convT's.
pub unsafe fn leaf_convT(t: *mut Type, v: *mut u8) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    crate::leaf::Leaf::or_decline(unsafe { convT_in::<true>(t, v) })
}

/// convT (LEAF: its fast path's, None to decline before changing anything:
/// while the collector marks, for a value with pointers (which convT
/// shades) that the m's barrier buffer has no room for; an allocation
/// beyond the P's cache).
///
/// # Safety
/// As convT's.
#[inline(always)]
unsafe fn convT_in<const LEAF: bool>(t: *mut Type, v: *mut u8) -> Option<*mut u8> {
    // SAFETY: t describes the value at v.
    unsafe {
        // A fast path's barrier records in the m's buffer: if it fits.
        if LEAF && (*t).PtrBytes != 0 && crate::wb::enabled() && !crate::wb::leaf_room(2 * (*t).PtrBytes / 8) {
            return None;
        }
        let x = crate::heap::malloc::mallocgc_in::<LEAF>((*t).Size_, t, true)?;
        // Allocated marked while the collector marks: shade what it
        // receives (v may be on a stack not scanned yet).
        if (*t).PtrBytes != 0 {
            crate::wb::bulk(x, v, (*t).PtrBytes);
        }
        crate::bytes::move_bytes(x, v, (*t).Size_);
        Some(x)
    }
}

/// # Safety
/// The type descriptors, itabs and assertion caches are compiled code's (or
/// reflect's), and `v` points at a value of type `t`.
pub unsafe fn convTnoptr(t: *mut Type, v: *mut u8) -> *mut u8 {
    // SAFETY: per the function contract.
    crate::leaf::ordinary(unsafe { convTnoptr_in::<false>(t, v) })
}

/// The goroutine-stack fast path of convTnoptr (src/base/leaf.rs).
///
/// # Safety
/// As convTnoptr's.
pub unsafe fn leaf_convTnoptr(t: *mut Type, v: *mut u8) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    crate::leaf::Leaf::or_decline(unsafe { convTnoptr_in::<true>(t, v) })
}

/// convTnoptr (LEAF: its fast path's, None to decline an allocation beyond
/// the P's cache).
///
/// # Safety
/// As convTnoptr's.
#[inline(always)]
unsafe fn convTnoptr_in<const LEAF: bool>(t: *mut Type, v: *mut u8) -> Option<*mut u8> {
    // SAFETY: t describes the value at v.
    unsafe {
        let x = crate::heap::malloc::mallocgc_in::<LEAF>((*t).Size_, null_mut(), false)?;
        crate::bytes::move_bytes(x, v, (*t).Size_);
        Some(x)
    }
}

fn small_int(v: u64) -> *mut u8 {
    // SAFETY: staticuint64s has 256 entries.
    unsafe { (crate::links::links().staticuint64s as *mut u64).add(v as usize) as *mut u8 }
}

pub fn convT16(val: u16) -> *mut u8 {
    crate::leaf::ordinary(convT_int_in::<false, u16>(val))
}

pub fn convT32(val: u32) -> *mut u8 {
    crate::leaf::ordinary(convT_int_in::<false, u32>(val))
}

/// The goroutine-stack fast path of convT32 (src/base/leaf.rs).
pub fn leaf_convT32(val: u32) -> crate::leaf::Leaf {
    crate::leaf::Leaf::or_decline(convT_int_in::<true, u32>(val))
}

pub fn convT64(val: u64) -> *mut u8 {
    crate::leaf::ordinary(convT_int_in::<false, u64>(val))
}

/// The goroutine-stack fast path of convT64 (src/base/leaf.rs).
pub fn leaf_convT64(val: u64) -> crate::leaf::Leaf {
    crate::leaf::Leaf::or_decline(convT_int_in::<true, u64>(val))
}

/// convT16/32/64: an integer boxed for an interface, one of the runtime's
/// static small integers below 256 (LEAF: their fast paths', None to
/// decline an allocation beyond the P's cache).
#[inline(always)]
fn convT_int_in<const LEAF: bool, T: Copy + Into<u64>>(val: T) -> Option<*mut u8> {
    let v: u64 = val.into();
    if v < 256 {
        return Some(small_int(v));
    }
    // SAFETY: memory without pointers needs no type.
    let x = unsafe { crate::heap::malloc::mallocgc_in::<LEAF>(core::mem::size_of::<T>(), null_mut(), false) }?;
    // SAFETY: x has room for a T, aligned to its size class.
    unsafe { (x as *mut T).write(val) };
    Some(x)
}

/// Zeroed memory that zero values of interfaces and map misses point at.
#[repr(C, align(8))]
pub struct ZeroVal(pub [u8; 1024]);
pub static ZERO_VAL: ZeroVal = ZeroVal([0; 1024]);

pub fn zero_val() -> *mut u8 {
    ZERO_VAL.0.as_ptr() as *mut u8
}

pub fn convTstring(val: GoString) -> *mut u8 {
    crate::leaf::ordinary(convTstring_in::<false>(val))
}

/// The goroutine-stack fast path of convTstring (src/base/leaf.rs).
pub fn leaf_convTstring(val: GoString) -> crate::leaf::Leaf {
    crate::leaf::Leaf::or_decline(convTstring_in::<true>(val))
}

/// convTstring (LEAF: its fast path's, None to decline before changing
/// anything: while the collector marks, when the m's barrier buffer has no
/// room for the string's bytes, which convTstring shades then; an
/// allocation beyond the P's cache).
#[inline(always)]
fn convTstring_in<const LEAF: bool>(val: GoString) -> Option<*mut u8> {
    if val.len == 0 {
        return Some(zero_val());
    }
    if LEAF && crate::wb::enabled() && !crate::wb::leaf_room(2) {
        return None;
    }
    // SAFETY: string_type is the Go side's descriptor of string.
    let x = unsafe { crate::heap::malloc::mallocgc_in::<LEAF>(16, crate::types::string_type(), true) }?;
    // The new object is allocated marked while the collector marks: shade
    // the bytes it points to.
    crate::wb::shade2(val.ptr as usize, 0);
    // SAFETY: x has 16 bytes.
    unsafe { *(x as *mut GoString) = val };
    Some(x)
}

pub fn convTslice(val: GoSlice<u8>) -> *mut u8 {
    if val.ptr.is_null() {
        return zero_val();
    }
    // SAFETY: slice_type is the Go side's descriptor of []byte.
    let x = unsafe { mallocgc(24, crate::types::slice_type(), true) };
    crate::wb::shade2(val.ptr as usize, 0);
    // SAFETY: x has 24 bytes.
    unsafe { *(x as *mut GoSlice<u8>) = val };
    x
}
