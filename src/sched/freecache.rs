//! Free objects the scheduler reuses (sudogs, dead goroutines): a list per
//! kind under its own lock, and in front of it a small cache in each P
//! that only the P's owner touches. Taking and giving go through the
//! cache; it trades half its size with the global list when it runs out
//! or over, so the lock is taken once per many operations (a program that
//! makes goroutines on one P while they exit on another would otherwise
//! fight over it on every go statement).

use crate::lock::Locked;
use core::ptr::null_mut;

/// An object that can sit on a free list: the field that links it.
pub trait Linked {
    /// # Safety
    /// p points at a live object of this kind.
    unsafe fn next(p: *mut Self) -> *mut Self;
    /// # Safety
    /// As next's; the object is free and ours.
    unsafe fn set_next(p: *mut Self, next: *mut Self);
}

/// The global list (a stack through the objects' link field).
pub struct FreeList<T: Linked> {
    head: *mut T,
}

// SAFETY: the objects are runtime memory any thread may use; the head is
// reached only under the list's lock.
unsafe impl<T: Linked> Send for FreeList<T> {}

impl<T: Linked> FreeList<T> {
    pub const fn new() -> FreeList<T> {
        FreeList { head: null_mut() }
    }

    pub fn push(&mut self, p: *mut T) {
        // SAFETY: p is free and ours (the caller's).
        unsafe { T::set_next(p, self.head) };
        self.head = p;
    }

    pub fn pop(&mut self) -> *mut T {
        let p = self.head;
        if !p.is_null() {
            // SAFETY: p heads the list: a free object.
            unsafe {
                self.head = T::next(p);
                T::set_next(p, null_mut());
            }
        }
        p
    }
}

/// Access to a global list under its lock (a `Locked` one; tests use a
/// plain cell).
pub trait Shared<T: Linked> {
    fn with_list<R>(&self, f: impl FnOnce(&mut FreeList<T>) -> R) -> R;
}

impl<T: Linked> Shared<T> for Locked<FreeList<T>> {
    fn with_list<R>(&self, f: impl FnOnce(&mut FreeList<T>) -> R) -> R {
        self.with(f)
    }
}

impl<T: Linked> Default for FreeList<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// A P's cache of N free objects (used by the P's owner only).
pub struct FreeCache<T, const N: usize> {
    items: [*mut T; N],
    n: usize,
}

impl<T: Linked, const N: usize> FreeCache<T, N> {
    pub const fn new() -> FreeCache<T, N> {
        FreeCache { items: [null_mut(); N], n: 0 }
    }

    /// A free object (null: none here nor on the global list). An empty
    /// cache first takes half its size from the global list.
    pub fn take(&mut self, global: &impl Shared<T>) -> *mut T {
        if self.n == 0 {
            global.with_list(|l| {
                while self.n < N / 2 {
                    let p = l.pop();
                    if p.is_null() {
                        break;
                    }
                    self.items[self.n] = p;
                    self.n += 1;
                }
            });
        }
        if self.n == 0 {
            return null_mut();
        }
        self.n -= 1;
        self.items[self.n]
    }

    /// Keep a free object; a full cache first gives its older half to the
    /// global list.
    pub fn give(&mut self, global: &impl Shared<T>, p: *mut T) {
        if self.n == N {
            global.with_list(|l| {
                for &q in &self.items[..N / 2] {
                    l.push(q);
                }
            });
            self.items.copy_within(N / 2.., 0);
            self.n = N - N / 2;
        }
        self.items[self.n] = p;
        self.n += 1;
    }

    /// Keep a free object if the cache has room (no lock taken); false
    /// if it is full.
    pub fn give_if_room(&mut self, p: *mut T) -> bool {
        if self.n == N {
            return false;
        }
        self.items[self.n] = p;
        self.n += 1;
        true
    }

    /// Give everything to the global list (a P being retired).
    pub fn flush(&mut self, global: &impl Shared<T>) {
        if self.is_empty() {
            return;
        }
        global.with_list(|l| {
            for &q in &self.items[..self.n] {
                l.push(q);
            }
        });
        self.n = 0;
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_full(&self) -> bool {
        self.n == N
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
}

impl<T: Linked, const N: usize> Default for FreeCache<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Obj {
        next: *mut Obj,
        id: usize,
    }

    impl Linked for Obj {
        unsafe fn next(p: *mut Obj) -> *mut Obj {
            // SAFETY: the trait's contract.
            unsafe { (*p).next }
        }
        unsafe fn set_next(p: *mut Obj, next: *mut Obj) {
            // SAFETY: the trait's contract.
            unsafe { (*p).next = next };
        }
    }

    #[test]
    fn cache_trades_halves_with_the_global_list() {
        struct Cell(core::cell::RefCell<FreeList<Obj>>);
        impl Shared<Obj> for Cell {
            fn with_list<R>(&self, f: impl FnOnce(&mut FreeList<Obj>) -> R) -> R {
                f(&mut self.0.borrow_mut())
            }
        }
        let global = Cell(core::cell::RefCell::new(FreeList::new()));
        let objs: &'static mut [Obj] =
            Vec::leak((0..20).map(|id| Obj { next: null_mut(), id }).collect::<Vec<_>>());
        let ptrs: Vec<*mut Obj> = objs.iter_mut().map(|o| o as *mut Obj).collect();
        let mut a: FreeCache<Obj, 8> = FreeCache::new();
        let mut b: FreeCache<Obj, 8> = FreeCache::new();
        assert!(a.take(&global).is_null());
        // Giving 20 to a: each overflow sends its older 4 to the global list.
        for &p in &ptrs {
            a.give(&global, p);
        }
        assert_eq!(a.len(), 8);
        // b, empty, takes 4 at a time from the global list (12 there).
        let mut got = Vec::new();
        for _ in 0..12 {
            let p = b.take(&global);
            assert!(!p.is_null());
            // SAFETY: p is one of objs.
            got.push(unsafe { (*p).id });
        }
        assert!(b.take(&global).is_null());
        // a kept the 8 given last; the rest went round through b.
        got.sort();
        assert_eq!(got, (0..12).collect::<Vec<_>>());
        let mut kept: Vec<usize> = (0..8).map(|_| a.take(&global)).map(|p| {
            // SAFETY: p is one of objs.
            unsafe { (*p).id }
        }).collect();
        kept.sort();
        assert_eq!(kept, (12..20).collect::<Vec<_>>());
        // Flushing hands everything back.
        for &p in &ptrs[..5] {
            b.give(&global, p);
        }
        b.flush(&global);
        assert!(b.is_empty());
        let mut back = 0;
        while !a.take(&global).is_null() {
            back += 1;
        }
        assert_eq!(back, 5);
    }
}
