//! Runtime locks and notes on Linux futexes.
//!
//! `Mutex` is the runtime's internal lock (upstream's `mutex`): a futex word
//! with three states, unlocked / locked / locked-with-sleepers. Holders must
//! not block the goroutine or switch stacks while holding one; Rust guards
//! are deliberately not used so that the rule "release before switching" is
//! visible at every call site.
//!
//! `Note` is a one-shot sleep/wakeup event for an m (upstream's `note`).
//!
//! Every Mutex has a rank (base/lockrank.rs): the order in which locks
//! may be taken, which a checker enforces in debug builds and under
//! GORT_LOCKRANK=1.

use crate::lockrank::{self, Rank};
use crate::sys;
use core::sync::atomic::{AtomicU32, AtomicU8, Ordering};

const UNLOCKED: u32 = 0;
const LOCKED: u32 = 1;
const SLEEPING: u32 = 2;
const SPIN: u32 = 4;

pub struct Mutex {
    key: AtomicU32,
    /// A `Rank` (for the lock-order checker only).
    rank: AtomicU8,
}

impl Mutex {
    pub const fn new(rank: Rank) -> Mutex {
        Mutex { key: AtomicU32::new(UNLOCKED), rank: AtomicU8::new(rank as u8) }
    }

    #[inline]
    fn raw_try_lock(&self) -> bool {
        self.key.compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed).is_ok()
    }

    pub fn try_lock(&self) -> bool {
        let ok = self.raw_try_lock();
        if ok && lockrank::checking() {
            lockrank::acquire(self.addr(), self.rank());
        }
        ok
    }

    #[inline]
    pub fn lock(&self) {
        if lockrank::checking() {
            lockrank::acquire(self.addr(), self.rank());
        }
        if self.raw_try_lock() {
            return;
        }
        self.lock_slow();
    }

    /// Give a lock made in zeroed memory (rank Unranked) its rank, before
    /// anyone takes it.
    pub fn set_rank(&self, rank: Rank) {
        self.rank.store(rank as u8, Ordering::Relaxed);
    }

    fn addr(&self) -> usize {
        self as *const Mutex as usize
    }

    fn rank(&self) -> Rank {
        // SAFETY: the field only ever holds a Rank's discriminant (new,
        // from_key_ranked).
        unsafe { core::mem::transmute::<u8, Rank>(self.rank.load(Ordering::Relaxed)) }
    }

    #[cold]
    fn lock_slow(&self) {
        // Spin briefly: critical sections are short.
        for _ in 0..SPIN {
            for _ in 0..30 {
                core::hint::spin_loop();
            }
            if self.raw_try_lock() {
                return;
            }
        }
        // Announce a sleeper, then sleep until the word changes.
        loop {
            if self.key.swap(SLEEPING, Ordering::Acquire) == UNLOCKED {
                return;
            }
            sys::futex_wait(self.key.as_ptr(), SLEEPING, -1);
        }
    }

    #[inline]
    pub fn unlock(&self) {
        if lockrank::checking() {
            lockrank::release(self.addr());
        }
        if self.key.swap(UNLOCKED, Ordering::Release) == SLEEPING {
            sys::futex_wake(self.key.as_ptr(), 1);
        }
    }

    /// Lock a Go-side `mutex` (its key word), e.g. hchan.lock.
    ///
    /// # Safety
    /// `key` must point at a live, word-aligned runtime mutex key.
    pub unsafe fn from_key<'a>(key: *mut usize) -> &'a Mutex {
        const _: () = assert!(core::mem::size_of::<Mutex>() <= core::mem::size_of::<usize>());
        // SAFETY: a Mutex fits in the key word: the futex is its low half
        // (little-endian), the rank the byte above; Go code never touches
        // runtime mutex words (it zeroes them, which is unlocked).
        unsafe { &*(key as *const Mutex) }
    }

    /// `from_key` for a lock about to be taken: records its rank (which
    /// a zeroed Go mutex word lacks) for the checker.
    ///
    /// # Safety
    /// As for `from_key`.
    pub unsafe fn from_key_ranked<'a>(key: *mut usize, rank: Rank) -> &'a Mutex {
        // SAFETY: per the function contract.
        let m = unsafe { Self::from_key(key) };
        if lockrank::checking() {
            m.rank.store(rank as u8, Ordering::Relaxed);
        }
        m
    }
}

/// A value that is only reached with its lock held: `with` locks, hands
/// the closure exclusive access, and unlocks. The closure must not block
/// or switch stacks (it runs with a runtime lock held).
pub struct Locked<T> {
    lock: Mutex,
    val: core::cell::UnsafeCell<T>,
}

// SAFETY: every access to `val` goes through `with`, which holds `lock`.
unsafe impl<T: Send> Sync for Locked<T> {}

impl<T> Locked<T> {
    pub const fn new(rank: Rank, v: T) -> Locked<T> {
        Locked { lock: Mutex::new(rank), val: core::cell::UnsafeCell::new(v) }
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        self.lock.lock();
        // SAFETY: the lock is held until f returns: no other reference to
        // the value exists meanwhile.
        let r = f(unsafe { &mut *self.val.get() });
        self.lock.unlock();
        r
    }

    /// The value's address (racy readers only: see PVec::racy_prefix).
    #[inline]
    pub fn data_ptr(&self) -> *mut T {
        self.val.get()
    }

    /// The lock itself, for critical sections that `with` cannot express:
    /// one that a park commit ends (m.waitunlockf unlocks it once the
    /// goroutine is off its stack), or one that must unlock before a fatal
    /// error. Inside, the value is reached with `get_locked`.
    #[inline]
    pub fn mutex(&self) -> &Mutex {
        &self.lock
    }

    /// The value, with the lock held by the caller.
    ///
    /// # Safety
    /// The current thread holds `self.mutex()` (or the world is stopped and
    /// no thread can hold it) until the reference is dropped, and no other
    /// reference from `get_locked` is live.
    #[allow(clippy::mut_from_ref)]
    #[inline]
    pub unsafe fn get_locked(&self) -> &mut T {
        // SAFETY: per the function contract.
        unsafe { &mut *self.val.get() }
    }
}

/// One-shot event: one thread sleeps until another wakes it.
pub struct Note {
    key: AtomicU32,
}

impl Note {
    pub const fn new() -> Note {
        Note { key: AtomicU32::new(0) }
    }

    /// # Safety
    /// `key` must point at a live, word-aligned note key.
    pub unsafe fn from_key<'a>(key: *mut usize) -> &'a Note {
        // SAFETY: as for Mutex::from_key.
        unsafe { &*(key as *const Note) }
    }

    pub fn clear(&self) {
        self.key.store(0, Ordering::Relaxed);
    }

    pub fn wakeup(&self) {
        if self.key.swap(1, Ordering::Release) != 0 {
            crate::fatal::throw("notewakeup - double wakeup");
        }
        sys::futex_wake(self.key.as_ptr(), 1);
    }

    pub fn sleep(&self) {
        while self.key.load(Ordering::Acquire) == 0 {
            sys::futex_wait(self.key.as_ptr(), 0, -1);
        }
    }

    /// Sleep for at most `ns` nanoseconds; true if woken.
    pub fn sleep_timeout(&self, ns: i64) -> bool {
        if ns < 0 {
            self.sleep();
            return true;
        }
        let deadline = sys::clock_gettime(sys::CLOCK_MONOTONIC) + ns;
        loop {
            if self.key.load(Ordering::Acquire) != 0 {
                return true;
            }
            let now = sys::clock_gettime(sys::CLOCK_MONOTONIC);
            if now >= deadline {
                return self.key.load(Ordering::Acquire) != 0;
            }
            sys::futex_wait(self.key.as_ptr(), 0, deadline - now);
        }
    }
}

impl Default for Note {
    fn default() -> Self {
        Self::new()
    }
}
