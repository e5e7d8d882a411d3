//! Goroutine stacks: allocation, and growth by copying.
//!
//! A goroutine starts on a 2 KiB stack (upstream's starting size). When a
//! function's prologue finds too little room, morestack runs `newstack`
//! (sched/schedule.rs), which moves the goroutine to a stack twice as big
//! (or more, for a big frame): the used part is copied, then every pointer
//! into the old stack is adjusted by the distance moved. Where those
//! pointers are comes from the pclntab (meta/stackmap.rs), as upstream:
//!   - in each frame, the live pointer slots of locals and arguments (the
//!     stack maps, funcdata LocalsPointerMaps/ArgsPointerMaps indexed by
//!     pcdata StackMapIndex at the frame's continuation pc), every pointer
//!     slot of its address-taken variables (funcdata StackObjects), and its
//!     saved frame pointer;
//!   - outside the frames: g.sched's frame pointer and closure context,
//!     g._defer records (some live on the stack and point at each other),
//!     g._panic (panic records are locals of the panic loop, adjusted with
//!     their frame), and the value pointers of the sudogs the goroutine
//!     waits in (a blocked channel operation's value lives in its frame).
//!
//! Shrinking: a collection halves the stack of a goroutine it scans
//! (suspended, claimed) when the goroutine uses less than a quarter of it,
//! down to the starting size (`shrink`; the collector decides when that is
//! safe, gc/stacks.rs).
//!
//! Stack memory: power-of-two sizes. Sizes up to 32 KiB are carved from
//! 256 KiB chunks and recycled on per-size free lists; larger ones are
//! mapped on their own and recycled up to 1 MiB, unmapped above.

use crate::gprint;
use crate::layout::rt::{g, stack};
use crate::lock::Locked;
use crate::symtab;
use crate::traceback::Unwinder;

/// The stack a goroutine starts with (upstream's fixedStack on linux).
pub const FIXED_STACK: usize = 2048;

/// Extra room a race build's stack guard has: the compiler's -race
/// instrumentation doubles its nosplit allowance (upstream's
/// stackGuardMultiplier), 800 bytes more below stackguard0.
const RACE_GUARD_EXTRA: usize = 800;

/// The distance from a goroutine stack's low end to its stackguard0.
static GUARD: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(crate::layout::rt::stackGuard as usize);

/// stackguard0's distance above stack.lo (upstream's stackGuard): 928, or
/// 1728 once a race build's race runtime started (set_race_guard).
#[inline]
pub fn guard() -> usize {
    GUARD.load(core::sync::atomic::Ordering::Relaxed)
}

/// A race build: stack guards get the room -race code assumes (before any
/// instrumented code runs; the caller fixes the current goroutine's).
pub fn set_race_guard() {
    GUARD.store(crate::layout::rt::stackGuard as usize + RACE_GUARD_EXTRA, core::sync::atomic::Ordering::Relaxed);
}

/// A value stackguard0 can never legitimately hold: set to request a
/// preemption at the next function prologue.
pub const STACK_PREEMPT: usize = 0xffff_ffff_ffff_fade;
/// A stackguard0 value asking the next stack check to move the stack to a
/// new one of the same size (the runtime tests' GCTestMoveStackOnNextCall,
/// asm/runtime_test/export_test.go, which has the same value).
pub const STACK_FORCE_MOVE: usize = 0xffff_ffff_ffff_feed;

/// A stackguard0 value asking the next stack check to shrink the stack if
/// it qualifies (the runtime tests' ShrinkStackAndVerifyFramePointers,
/// asm/runtime_test/export_test.go, which has the same value).
pub const STACK_FORCE_SHRINK: usize = 0xffff_ffff_ffff_fee5;

/// Is v (a stackguard0) one of the requests above rather than a stack's
/// guard? A request stays pending when the goroutine changes stacks.
pub fn is_guard_request(v: usize) -> bool {
    v == STACK_PREEMPT || v == STACK_FORCE_MOVE || v == STACK_FORCE_SHRINK
}

/// Fill a stack left by a move with a pattern before reusing it, so that a
/// pointer into it that was not adjusted faults recognisably (the runtime
/// tests turn this on).
pub static POISON_OLD: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// log2 of the sizes: order k is FIXED_STACK << k.
const ORDERS: usize = 20;
/// Sizes below this are carved from shared chunks.
const SMALL_LIMIT: usize = 32 << 10;
const CHUNK: usize = 256 << 10;
/// Freed stacks up to this size are kept for reuse; bigger ones unmapped.
const KEEP_LIMIT: usize = 1 << 20;

struct Pool {
    /// Free stacks of each order, linked through their first word.
    free: [usize; ORDERS],
    chunk_next: usize,
    chunk_end: usize,
}

static POOL: Locked<Pool> = Locked::new(crate::lockrank::Rank::StackPool, Pool { free: [0; ORDERS], chunk_next: 0, chunk_end: 0 });

fn order(size: usize) -> usize {
    (size / FIXED_STACK).trailing_zeros() as usize
}

/// Bytes of goroutine stacks in use (held by goroutines or kept in the Ps' caches).
static INUSE: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

pub fn stack_inuse() -> usize {
    INUSE.load(core::sync::atomic::Ordering::Relaxed)
}

impl Pool {
    /// The start of a free stack of order o and `size` bytes from the
    /// free lists or the current chunk (None: mapping a chunk failed; 0:
    /// too big for chunks and none free, the caller maps it).
    fn take(&mut self, o: usize, size: usize) -> Option<usize> {
        if o < ORDERS && self.free[o] != 0 {
            let lo = self.free[o];
            // SAFETY: a free stack's first word links the next free one.
            self.free[o] = unsafe { *(lo as *const usize) };
            return Some(lo);
        }
        if size >= SMALL_LIMIT {
            return Some(0);
        }
        if self.chunk_next + size > self.chunk_end {
            let c = crate::sysstat::map(CHUNK, crate::sysstat::Stat::Stack)?;
            self.chunk_next = c as usize;
            self.chunk_end = c as usize + CHUNK;
        }
        let lo = self.chunk_next;
        self.chunk_next += size;
        Some(lo)
    }

    /// Put the free stack at lo (order o) on its free list.
    fn give(&mut self, o: usize, lo: usize) {
        // SAFETY: the stack is free, ours, and at least a word long.
        unsafe { *(lo as *mut usize) = self.free[o] };
        self.free[o] = lo;
    }
}

fn no_stack_memory() -> ! {
    crate::fatal::throw("runtime: cannot allocate memory for goroutine stack")
}

/// A stack of `size` bytes (a power of two, at least FIXED_STACK).
pub fn stackalloc(size: usize) -> stack {
    INUSE.fetch_add(size, core::sync::atomic::Ordering::Relaxed);
    if !size.is_power_of_two() || size < FIXED_STACK {
        crate::fatal::throw("stackalloc: bad size");
    }
    let Some(mut lo) = POOL.with(|p| p.take(order(size), size)) else {
        no_stack_memory();
    };
    if lo == 0 {
        lo = crate::sysstat::map(size, crate::sysstat::Stat::Stack).unwrap_or_else(|| no_stack_memory()) as usize;
    }
    stack { lo, hi: lo + size }
}

/// Give back a stack from stackalloc.
pub fn stackfree(s: stack) {
    let size = s.hi - s.lo;
    INUSE.fetch_sub(size, core::sync::atomic::Ordering::Relaxed);
    if size > KEEP_LIMIT {
        crate::sysstat::unmap(s.lo as *mut u8, size, crate::sysstat::Stat::Stack);
        return;
    }
    POOL.with(|p| p.give(order(size), s.lo));
}

/// Starting-size stacks a P keeps: a goroutine takes one when it first
/// runs and gives it back when it exits (sched/mod.rs), so the life of a
/// short goroutine touches no lock and the same few stacks. Trades half
/// its size with the shared pool when it runs out or over. Owned by the
/// P's owner; a zeroed cache is an empty one. Its stacks count as in use
/// (as upstream's cached stacks are in its in-use stack spans), so that
/// taking and giving back change no shared counter.
pub struct StackCache {
    lo: [usize; STACK_CACHE],
    n: usize,
}

const STACK_CACHE: usize = 16;

impl StackCache {
    /// A FIXED_STACK stack (stackalloc's).
    pub fn take(&mut self) -> stack {
        if self.n == 0 {
            POOL.with(|p| {
                while self.n < STACK_CACHE / 2 {
                    let Some(lo) = p.take(0, FIXED_STACK) else {
                        break;
                    };
                    self.lo[self.n] = lo;
                    self.n += 1;
                }
            });
            if self.n == 0 {
                no_stack_memory();
            }
            INUSE.fetch_add(self.n * FIXED_STACK, core::sync::atomic::Ordering::Relaxed);
        }
        self.n -= 1;
        let lo = self.lo[self.n];
        stack { lo, hi: lo + FIXED_STACK }
    }

    /// Take back a FIXED_STACK stack (stackfree's).
    pub fn give(&mut self, s: stack) {
        if s.hi - s.lo != FIXED_STACK {
            crate::fatal::throw("StackCache.give: not a starting-size stack");
        }
        if self.n == STACK_CACHE {
            self.spill(STACK_CACHE / 2);
        }
        self.lo[self.n] = s.lo;
        self.n += 1;
    }

    /// Give every stack back to the pool (the P is retired).
    pub fn flush(&mut self) {
        self.spill(self.n);
    }

    fn spill(&mut self, k: usize) {
        INUSE.fetch_sub(k * FIXED_STACK, core::sync::atomic::Ordering::Relaxed);
        POOL.with(|p| {
            for _ in 0..k {
                self.n -= 1;
                p.give(0, self.lo[self.n]);
            }
        });
    }
}

// ---- growth ----

/// Upper bound on a goroutine's stack (debug.SetMaxStack; upstream's
/// default on 64-bit systems).
pub fn max_stack_size() -> usize {
    crate::settings::max_stack() as usize
}

/// The stack of gp (suspended in a function prologue, its context in
/// g.sched) is exhausted: move it to a bigger one. Throws "stack overflow"
/// beyond the limit.
pub fn grow(gp: *mut g) {
    // SAFETY: gp is suspended; we are on g0 of its m.
    unsafe {
        let oldsize = (*gp).stack.hi - (*gp).stack.lo;
        let mut newsize = oldsize * 2;
        // Room for the frame of the function that asked, if bigger.
        if let Some(f) = symtab::findfunc((*gp).sched.pc) {
            let needed = f.max_spdelta() as usize + crate::stack::guard();
            let used = (*gp).stack.hi - (*gp).sched.sp;
            while newsize - used < needed {
                newsize *= 2;
            }
        }
        let max = max_stack_size();
        let ceiling = MAX_STACK_CEILING;
        if newsize > max || newsize > ceiling {
            if max < ceiling {
                gprint!(b"runtime: goroutine stack exceeds ", max, b"-byte limit\n");
            } else {
                gprint!(b"runtime: goroutine stack exceeds ", ceiling, b"-byte limit\n");
            }
            gprint!(
                b"runtime: sp=", crate::print::Hex((*gp).sched.sp as u64), b" stack=[",
                crate::print::Hex((*gp).stack.lo as u64), b", ", crate::print::Hex((*gp).stack.hi as u64), b"]\n"
            );
            crate::fatal::throw("stack overflow");
        }
        crate::gm::casgstatus(gp, crate::gm::G_RUNNING, COPYSTACK);
        copystack(gp, newsize);
        crate::gm::casgstatus(gp, COPYSTACK, crate::gm::G_RUNNING);
    }
}

/// Move gp's stack (suspended in a function prologue, its context in
/// g.sched) to a new stack of the same size (STACK_FORCE_MOVE).
pub fn move_stack(gp: *mut g) {
    // SAFETY: gp is suspended; we are on g0 of its m.
    unsafe {
        let size = (*gp).stack.hi - (*gp).stack.lo;
        crate::gm::casgstatus(gp, crate::gm::G_RUNNING, COPYSTACK);
        copystack(gp, size);
        crate::gm::casgstatus(gp, COPYSTACK, crate::gm::G_RUNNING);
    }
}

/// Room a suspended goroutine may still need below its saved stack
/// pointer without a check of its own (upstream's stackNosplit on linux;
/// twice that in race builds): counted as used when deciding to shrink.
fn nosplit_room() -> usize {
    guard() - crate::layout::rt::stackGuard as usize + 800
}

/// Halve gp's stack if it uses less than a quarter of it (and is above
/// the starting size). True if the stack moved.
///
/// # Safety
/// gp is suspended and cannot run or change status until the caller lets
/// it (claimed by a collector's scan, or the world stopped); it is not in
/// a system call and not stopped at an asynchronous safe point (its
/// innermost frame would have no exact pointer map); whoever could write
/// through its sudogs' value pointers is held off (the channels' locks).
pub unsafe fn shrink(gp: *mut g) -> bool {
    // SAFETY: as the function's contract says.
    unsafe {
        let size = (*gp).stack.hi - (*gp).stack.lo;
        let new = size / 2;
        if new < FIXED_STACK {
            return false;
        }
        let used = (*gp).stack.hi - (*gp).sched.sp + nosplit_room();
        if used >= size / 4 {
            return false;
        }
        let guard = (*gp).stackguard0;
        copystack(gp, new);
        // A pending request stays one (the goroutine notices it in its
        // next prologue); copystack set the guard for the new stack.
        if is_guard_request(guard) {
            (*gp).stackguard0 = guard;
        }
        SHRUNK.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        true
    }
}

/// Stacks halved so far (the runtime tests' hooks and gctrace read it).
pub static SHRUNK: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

const COPYSTACK: u32 = crate::layout::rt::_Gcopystack as u32;

/// Upstream's maxstackceiling: twice the default limit.
const MAX_STACK_CEILING: usize = 2_000_000_000;

struct Adjust {
    old: stack,
    delta: usize,
}

impl Adjust {
    /// If the word at pp points into the old stack, move it.
    fn pointer(&self, pp: *mut usize) {
        // SAFETY: pp is a pointer slot the caller found (a frame slot, a
        // field of g or of a defer record).
        unsafe {
            let p = *pp;
            if self.old.lo <= p && p < self.old.hi {
                *pp = p.wrapping_add(self.delta);
            }
        }
    }
}

/// Move gp's stack to a new one of newsize bytes.
///
/// # Safety
/// gp is suspended (not running anywhere) and its context is in g.sched.
unsafe fn copystack(gp: *mut g, newsize: usize) {
    // SAFETY: as the function's contract says.
    unsafe {
        let old = stack { lo: (*gp).stack.lo, hi: (*gp).stack.hi };
        let used = old.hi - (*gp).sched.sp;
        let new = stackalloc(newsize);
        let (new_lo, new_hi) = (new.lo, new.hi);
        let adj = Adjust { old: stack { lo: old.lo, hi: old.hi }, delta: new_hi.wrapping_sub(old.hi) };
        core::ptr::copy_nonoverlapping((old.hi - used) as *const u8, (new_hi - used) as *mut u8, used);

        // Outside the frames.
        adj.pointer(core::ptr::addr_of_mut!((*gp).sched.ctxt) as *mut usize);
        adj.pointer(core::ptr::addr_of_mut!((*gp).sched.bp));
        adj.pointer(core::ptr::addr_of_mut!((*gp)._defer) as *mut usize);
        let mut d = (*gp)._defer;
        while !d.is_null() {
            adj.pointer(core::ptr::addr_of_mut!((*d).r#fn) as *mut usize);
            adj.pointer(core::ptr::addr_of_mut!((*d).sp));
            adj.pointer(core::ptr::addr_of_mut!((*d).link) as *mut usize);
            d = (*d).link;
        }
        adj.pointer(core::ptr::addr_of_mut!((*gp)._panic) as *mut usize);
        let mut s = (*gp).waiting;
        while !s.is_null() {
            adj.pointer(core::ptr::addr_of_mut!((*s).elem) as *mut usize);
            s = (*s).waitlink;
        }

        (*gp).stack = new;
        (*gp).stackguard0 = new_lo + crate::stack::guard();
        (*gp).sched.sp = new_hi - used;
        (*gp).stktopsp = (*gp).stktopsp.wrapping_add(adj.delta);

        // The frames, walked on the new stack.
        let mut callee_sigpanic = false;
        let mut callee_fi = None;
        let mut frames = Unwinder::new((*gp).sched.pc, (*gp).sched.sp).strict();
        for f in frames.by_ref() {
            if let Some(args) = crate::stackmap::hook_args(&f, callee_fi.as_ref()) {
                // A trampoline whose return runs rtcallHook: its argument
                // area holds the Rust call's results, which no map
                // describes: every word pointing into the old stack moves
                // (as the collector scans the area conservatively).
                for w in args.step_by(8) {
                    adj.pointer(w as *mut usize);
                }
            }
            crate::stackmap::visit_frame(&f, callee_sigpanic, &mut |slot, _| adj.pointer(slot as *mut usize));
            callee_sigpanic = f.fi.func_id() == symtab::FUNCID_SIGPANIC;
            callee_fi = Some(f.fi);
        }
        frames.check_complete(gp);
        if POISON_OLD.load(core::sync::atomic::Ordering::Relaxed) {
            core::ptr::write_bytes(old.lo as *mut u8, 0xfb, old.hi - old.lo);
        }
        stackfree(old);
    }
}
