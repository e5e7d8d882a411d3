//! `PVec<T>`: a growable array outside the Go heap, for the runtime's own
//! tables (every goroutine, every span, the arenas, timers, finalizers,
//! registered caches, run-time type offsets) and the collector's work
//! lists. The collector neither scans nor frees it.
//!
//! Two kinds of backing memory, counted under a sysstat purpose:
//!   - persistent (`PVec::persistent`): arrays from persistent memory,
//!     never freed; growing copies the entries to an array twice as big
//!     and abandons the old one (tables that live as long as the process);
//!   - mapped (`PVec::mapped`): arrays mapped from the OS; growing unmaps
//!     the old array, and `free` gives the memory back (work lists that
//!     exist for one collection).
//!
//! `PVec` itself is not synchronised: it lives inside a `Locked` or a
//! `Global`, or is owned by one thread.

use crate::sysstat::{self, Stat};
use core::ptr::null_mut;

pub struct PVec<T: Copy> {
    p: *mut T,
    len: usize,
    cap: usize,
    /// Capacity of the first array.
    min: usize,
    stat: Stat,
    mapped: bool,
}

// SAFETY: a PVec owns its array; moving it to another thread moves the
// entries with it. Entries are plain values: pointers to runtime objects
// (Gs, spans, timers), which every thread shares by design and which
// their owners synchronise.
unsafe impl<T: Copy> Send for PVec<T> {}

impl<T: Copy> PVec<T> {
    /// An empty vector in persistent memory whose first array holds `min`
    /// entries.
    pub const fn persistent(min: usize, stat: Stat) -> PVec<T> {
        PVec { p: null_mut(), len: 0, cap: 0, min, stat, mapped: false }
    }

    /// An empty vector in memory mapped from the OS, starting with one page.
    pub const fn mapped(stat: Stat) -> PVec<T> {
        let size = core::mem::size_of::<T>();
        let min = if size == 0 || size >= 4096 { 1 } else { 4096 / size };
        PVec { p: null_mut(), len: 0, cap: 0, min, stat, mapped: true }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The memory a mapped array of `cap` entries takes: whole pages.
    fn mapped_bytes(cap: usize) -> usize {
        (cap * core::mem::size_of::<T>()).next_multiple_of(4096)
    }

    /// Make room for one more entry.
    #[cold]
    fn grow(&mut self) {
        let ncap = (self.cap * 2).max(self.min);
        let bytes = if self.mapped { Self::mapped_bytes(ncap) } else { ncap * core::mem::size_of::<T>() };
        let n = if self.mapped {
            spare::take(bytes, self.stat)
                .or_else(|| sysstat::map(bytes, self.stat))
                .unwrap_or_else(|| crate::fatal::throw("runtime: cannot allocate memory")) as *mut T
        } else {
            crate::persistent::alloc_for(bytes, core::mem::align_of::<T>().max(8), self.stat) as *mut T
        };
        if self.len > 0 {
            // SAFETY: both arrays hold at least len entries.
            unsafe { core::ptr::copy_nonoverlapping(self.p, n, self.len) };
        }
        if self.mapped && self.cap > 0 {
            spare::give(self.p as *mut u8, Self::mapped_bytes(self.cap), self.stat);
        }
        self.p = n;
        self.cap = ncap;
    }

    #[inline]
    pub fn push(&mut self, v: T) {
        if self.len == self.cap {
            self.grow();
        }
        // SAFETY: len < cap.
        unsafe { self.p.add(self.len).write(v) };
        // The array (and the entry) before the length: racy_prefix.
        core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::Release);
        self.len += 1;
    }

    /// What a reader racing with `push` sees: a prefix of the vector.
    ///
    /// # Safety
    /// `this` is a persistent vector (its old arrays are never freed) that
    /// others only push to while the caller reads; the caller accepts a
    /// stale length (a fatal report's walk).
    pub unsafe fn racy_prefix<'a>(this: *const PVec<T>) -> &'a [T] {
        // SAFETY: per the function contract: the length first, then the
        // array, which push publishes (on amd64 stores become visible in
        // program order) before the length that covers its entries.
        unsafe {
            let len = core::ptr::read_volatile(core::ptr::addr_of!((*this).len));
            let p = core::ptr::read_volatile(core::ptr::addr_of!((*this).p));
            if len == 0 || p.is_null() {
                return &[];
            }
            core::slice::from_raw_parts(p, len)
        }
    }

    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        // SAFETY: entry len was pushed.
        Some(unsafe { self.p.add(self.len).read() })
    }

    /// Entry i (i < len).
    #[inline]
    pub fn get(&self, i: usize) -> T {
        assert!(i < self.len);
        // SAFETY: i < len.
        unsafe { self.p.add(i).read() }
    }

    #[inline]
    pub fn set(&mut self, i: usize, v: T) {
        assert!(i < self.len);
        // SAFETY: i < len.
        unsafe { self.p.add(i).write(v) }
    }

    /// Remove entry i, moving the last entry into its place.
    pub fn swap_remove(&mut self, i: usize) -> T {
        let v = self.get(i);
        let last = self.len - 1;
        if i != last {
            self.set(i, self.get(last));
        }
        self.len = last;
        v
    }

    pub fn truncate(&mut self, n: usize) {
        self.len = self.len.min(n);
    }

    pub fn as_slice(&self) -> &[T] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: len initialised entries.
        unsafe { core::slice::from_raw_parts(self.p, self.len) }
    }

    pub fn as_mut_slice(&mut self) -> &mut [T] {
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: len initialised entries, borrowed mutably with self.
        unsafe { core::slice::from_raw_parts_mut(self.p, self.len) }
    }

    /// Give a mapped vector's memory back (persistent memory stays).
    pub fn free(&mut self) {
        if self.mapped && self.cap > 0 {
            spare::give(self.p as *mut u8, Self::mapped_bytes(self.cap), self.stat);
            self.p = null_mut();
            self.cap = 0;
        }
        self.len = 0;
    }
}

/// Arrays that mapped vectors gave up, kept for the next mapped vector that
/// needs one of the same size. The collector makes and frees its work
/// lists by the thousand (one set per assist, per stack scanned); mapping
/// and unmapping each cost two system calls, page faults and, in a process
/// with several threads, a TLB shootdown on every other CPU.
///
/// Arrays of up to `MAX_PAGES` pages, a power of two, are kept, at most
/// `SLOTS` of them; they stay counted under the purpose they were mapped
/// for (moved to the taker's when it differs).
mod spare {
    use crate::sysstat::{self, Stat};
    use core::sync::atomic::{AtomicUsize, Ordering};

    const SLOTS: usize = 16;
    const MAX_PAGES: usize = 64;
    const PAGE: usize = 4096;
    /// Each slot: 0, or the array's page-aligned address | log2(pages) << 3
    /// | its purpose.
    static SLOT: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];

    const STATS: [Stat; 6] = [Stat::Stack, Stat::MSpan, Stat::MCache, Stat::BuckHash, Stat::Gc, Stat::Other];

    /// The log2 of the pages an array of `bytes` takes, if it is kept.
    fn order(bytes: usize) -> Option<usize> {
        let pages = bytes.div_ceil(PAGE);
        (pages.is_power_of_two() && pages <= MAX_PAGES).then(|| pages.trailing_zeros() as usize)
    }

    /// A kept array for `bytes`, now counted under `stat`.
    pub fn take(bytes: usize, stat: Stat) -> Option<*mut u8> {
        let ord = order(bytes)?;
        for slot in &SLOT {
            let v = slot.load(Ordering::Relaxed);
            if v == 0 || (v >> 3) & 0x1ff != ord {
                continue;
            }
            if slot.compare_exchange(v, 0, Ordering::Acquire, Ordering::Relaxed).is_ok() {
                sysstat::transfer(STATS[v & 7], stat, PAGE << ord);
                return Some((v & !(PAGE - 1)) as *mut u8);
            }
        }
        None
    }

    /// Keep the array p of `bytes` (from sysstat::map under `stat`), or
    /// unmap it.
    pub fn give(p: *mut u8, bytes: usize, stat: Stat) {
        if let Some(ord) = order(bytes) {
            if p as usize & (PAGE - 1) == 0 {
                let v = p as usize | ord << 3 | stat as usize;
                for slot in &SLOT {
                    if slot.compare_exchange(0, v, Ordering::Release, Ordering::Relaxed).is_ok() {
                        return;
                    }
                }
            }
        }
        sysstat::unmap(p, bytes, stat);
    }
}

#[cfg(test)]
mod tests {
    use super::spare;
    use crate::sysstat::{self, Stat};

    #[test]
    fn spare_arrays_are_reused_and_recounted() {
        // Eight pages: no other test maps work lists of that size.
        let size = 8 * 4096;
        let p = sysstat::map(size, Stat::Gc).unwrap();
        let (gc0, other0) = (sysstat::get(Stat::Gc), sysstat::get(Stat::Other));
        spare::give(p, size, Stat::Gc);
        // Kept, still counted where it was mapped.
        assert_eq!(sysstat::get(Stat::Gc), gc0);
        // A request of another size does not get it; one of its size
        // does, counted under the taker's purpose from then on.
        assert_ne!(spare::take(4 * 4096, Stat::Other), Some(p));
        assert_eq!(spare::take(size, Stat::Other), Some(p));
        assert_eq!(sysstat::get(Stat::Gc), gc0 - size);
        assert_eq!(sysstat::get(Stat::Other), other0 + size);
        sysstat::unmap(p, size, Stat::Other);
    }
}
