//! Profile buckets: the tables the memory, block and mutex profiles keep
//! their counts in, one record per distinct (stack, size) pair.
//!
//! A table is a hash of chains plus a list of every bucket (newest
//! first). Buckets live in persistent memory (counted as BuckHashSys, as
//! upstream's) and are never freed or moved: a bucket pointer, once
//! handed out, stays valid and its stack and size never change, so
//! lookups walk the chains without a lock. Only inserting takes the
//! table's lock, which publishes a complete bucket with a release store.
//! The record part (`R`) is the profile's own business: it must be valid
//! when zeroed (atomics), since buckets are born zeroed.

use crate::lock::Mutex;
use crate::lockrank::Rank;
use crate::sysstat::Stat;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, Ordering};

/// Deepest stack a bucket records (runtime.StackRecord's 32 words).
pub const MAX_STACK: usize = 32;

/// Chains per table (a prime, so that pcs' low bits spread).
const CHAINS: usize = 16381;

#[repr(C)]
pub struct Bucket<R> {
    /// Next bucket on the same chain.
    chain: *mut Bucket<R>,
    /// Next (older) bucket of the table's list of all.
    pub allnext: *mut Bucket<R>,
    hash: usize,
    /// The size the stack allocated (memory profile; 0 for the others).
    pub size: usize,
    nstk: usize,
    stk: [usize; MAX_STACK],
    pub rec: R,
}

impl<R> Bucket<R> {
    pub fn stack(&self) -> &[usize] {
        &self.stk[..self.nstk]
    }

    /// The stack as runtime.StackRecord holds it: zero-padded.
    pub fn stack_record(&self) -> [usize; MAX_STACK] {
        self.stk
    }
}

pub struct Table<R> {
    chains: AtomicPtr<AtomicPtr<Bucket<R>>>,
    all: AtomicPtr<Bucket<R>>,
    insert: Mutex,
}

// SAFETY: buckets are immutable after publication except for `rec`,
// which R makes shareable (atomics, or a lock of the profile's).
unsafe impl<R: Sync> Sync for Table<R> {}

fn hash(stk: &[usize], size: usize) -> usize {
    // FNV-1a over the words, then a final avalanche.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &w in stk.iter().chain(core::iter::once(&size)) {
        h ^= w as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 29;
    h as usize
}

impl<R: Sync> Table<R> {
    pub const fn new() -> Table<R> {
        Table { chains: AtomicPtr::new(null_mut()), all: AtomicPtr::new(null_mut()), insert: Mutex::new(Rank::Profile) }
    }

    /// The newest bucket (follow `allnext` for the others).
    pub fn head(&self) -> *mut Bucket<R> {
        self.all.load(Ordering::Acquire)
    }

    /// Every bucket, newest first.
    pub fn for_each(&self, mut f: impl FnMut(&Bucket<R>)) {
        let mut b = self.head();
        while !b.is_null() {
            // SAFETY: published buckets are never freed.
            let bk = unsafe { &*b };
            f(bk);
            b = bk.allnext;
        }
    }

    fn chains(&self) -> *mut AtomicPtr<Bucket<R>> {
        let c = self.chains.load(Ordering::Acquire);
        if !c.is_null() {
            return c;
        }
        self.insert.lock();
        let mut c = self.chains.load(Ordering::Acquire);
        if c.is_null() {
            let bytes = (CHAINS * core::mem::size_of::<usize>()).next_multiple_of(4096);
            c = crate::sysstat::map(bytes, Stat::BuckHash)
                .unwrap_or_else(|| crate::fatal::throw("runtime: cannot allocate memory")) as *mut AtomicPtr<Bucket<R>>;
            self.chains.store(c, Ordering::Release);
        }
        self.insert.unlock();
        c
    }

    /// The bucket of (stk, size), made if there is none yet. `stk` is cut
    /// at MAX_STACK words.
    pub fn lookup(&self, stk: &[usize], size: usize) -> *mut Bucket<R> {
        let stk = &stk[..stk.len().min(MAX_STACK)];
        let h = hash(stk, size);
        // SAFETY: the chain heads are CHAINS atomics in mapped memory.
        let head = unsafe { &*self.chains().add(h % CHAINS) };
        let find = |mut b: *mut Bucket<R>| {
            while !b.is_null() {
                // SAFETY: published buckets are complete and never freed.
                let bk = unsafe { &*b };
                if bk.hash == h && bk.size == size && bk.stack() == stk {
                    return b;
                }
                b = bk.chain;
            }
            null_mut()
        };
        let b = find(head.load(Ordering::Acquire));
        if !b.is_null() {
            return b;
        }
        self.insert.lock();
        let mut b = find(head.load(Ordering::Acquire));
        if b.is_null() {
            b = crate::persistent::new_for::<Bucket<R>>(Stat::BuckHash);
            // SAFETY: b is fresh zeroed memory, ours until published below.
            unsafe {
                (*b).hash = h;
                (*b).size = size;
                (*b).nstk = stk.len();
                (&mut (*b).stk)[..stk.len()].copy_from_slice(stk);
                (*b).chain = head.load(Ordering::Relaxed);
                (*b).allnext = self.all.load(Ordering::Relaxed);
            }
            head.store(b, Ordering::Release);
            self.all.store(b, Ordering::Release);
        }
        self.insert.unlock();
        b
    }
}
