//! Leaf entry points: runtime functions compiled code calls often that need
//! neither the system stack nor Go's help (a map lookup, an iteration
//! step). asm/surface.def marks them `!leaf`; their generated trampoline
//! (asm/templates/surface_amd64.s) takes its arguments in registers and,
//! when the goroutine's stack has `leafHeadroom` bytes left below SP (1 KiB,
//! asm/runtime/layout.go), calls the Rust fast path `leaf_<name>` of the
//! entry's module on that stack, skipping the switch to the system stack
//! that every other call into Rust makes. The room is measured from
//! stackguard0, so a goroutine asked to yield (stackguard0 set to
//! stackPreempt) takes the ordinary path, and then yields in rtcallHook's
//! prologue: a loop calling only leaf entry points stops for the
//! collector's stack scan and the scheduler as upstream's does at its
//! runtime functions' prologues.
//!
//! A fast path must:
//! - stay within the headroom (no recursion, no large locals);
//! - not allocate, lock, block, raise a Go panic, throw, report to the race
//!   detector or call Go: anything of the kind is declined with
//!   [`Leaf::DECLINE`], and the trampoline then calls the ordinary entry on
//!   the system stack, which does it all;
//! - not be preempted or scanned: it runs on a goroutine that is `_Grunning`
//!   in no Go function, which asynchronous preemption and the collector
//!   leave alone until it returns (the CPU profiler walks it from
//!   `m.leafsp`, [`trampoline_context`]).
//!
//! mallocgc and raising a panic check that they are not called from a fast
//! path ([`forbidden`]): a fatal error rather than an overflowed stack or a
//! lost panic.
//!
//! The ordinary entry of a `!leaf` entry point returns its results the same
//! way (in registers, `Leaf::results`); rtcall leaves the return hook to the
//! trampoline, which keeps the results in its argument area while the hook
//! runs.

/// Results of a leaf entry point, returned in the C ABI's RAX and RDX.
#[repr(C)]
pub struct Leaf {
    /// The first result (a pointer or a word).
    pub r0: usize,
    /// From a fast path: 0 to decline, else 1 + the second result (or 1).
    /// From the ordinary entry: the second result.
    pub r1: usize,
}

impl Leaf {
    /// The fast path cannot finish: run the ordinary entry instead.
    pub const DECLINE: Leaf = Leaf { r0: 0, r1: 0 };

    /// A fast path's single result.
    #[inline]
    pub fn one(r0: usize) -> Leaf {
        Leaf { r0, r1: 1 }
    }

    /// A fast path's two results.
    #[inline]
    pub fn two(r0: usize, r1: usize) -> Leaf {
        Leaf { r0, r1: r1 + 1 }
    }

    /// The ordinary entry's results.
    #[inline]
    pub fn results(r0: usize, r1: usize) -> Leaf {
        Leaf { r0, r1 }
    }

    /// A fast path's results from the body it shares with its ordinary
    /// entry (`X_in::<true>`): None declines.
    #[inline]
    pub fn or_decline<T: Into<Leaf>>(r: Option<T>) -> Leaf {
        match r {
            Some(v) => v.into(),
            None => Leaf::DECLINE,
        }
    }
}

/// The ordinary entry's result from the body it shares with its fast path
/// (`X_in::<false>`), which never declines.
#[inline(always)]
pub fn ordinary<T>(r: Option<T>) -> T {
    match r {
        Some(v) => v,
        None => unreachable!(),
    }
}

/// A fast path's results from its ordinary function's: none, a pointer,
/// a pointer and a bool (the map entry points' three shapes), or a string.
impl From<()> for Leaf {
    #[inline]
    fn from(_: ()) -> Leaf {
        Leaf::one(0)
    }
}

impl From<*mut u8> for Leaf {
    #[inline]
    fn from(p: *mut u8) -> Leaf {
        Leaf::one(p as usize)
    }
}

impl From<(*mut u8, bool)> for Leaf {
    #[inline]
    fn from((p, ok): (*mut u8, bool)) -> Leaf {
        Leaf::two(p as usize, ok as usize)
    }
}

impl From<crate::layout::GoString> for Leaf {
    #[inline]
    fn from(s: crate::layout::GoString) -> Leaf {
        Leaf::two(s.ptr as usize, s.len as usize)
    }
}

/// A slice result (growslice's): the array and the capacity; the
/// trampoline supplies the length, its newLen argument.
impl From<crate::layout::rt::slice> for Leaf {
    #[inline]
    fn from(s: crate::layout::rt::slice) -> Leaf {
        Leaf::two(s.array as usize, s.cap as usize)
    }
}

/// Throw if the current m is in a leaf fast path: `what` needs the system
/// stack.
#[inline]
pub fn forbidden(mp: *mut crate::layout::rt::m, what: &'static str) {
    // SAFETY: mp is the current m.
    if unsafe { (*mp).leafsp } != 0 {
        leaf_violation(mp, what);
    }
}

/// Where a goroutine in a fast path is, for a walk of its stack: the
/// return address of its trampoline's call of the fast path and the SP
/// the trampoline has at that address, given m.leafsp (the trampoline's
/// SP before the call). The trampoline aligns the call to 16 bytes,
/// pushing 8 bytes first when SP is 8 off (asm/templates/surface_amd64.s),
/// so the return address sits just below leafsp rounded down to 16, and
/// that rounded value is the SP there (with the push, the trampoline's
/// frame-size table says 8 at that pc).
///
/// # Safety
/// leafsp is an m's nonzero leafsp, read on its thread while the fast
/// path runs (the call made, not yet returned).
pub unsafe fn trampoline_context(leafsp: usize) -> (usize, usize) {
    let sp = leafsp & !15;
    // SAFETY: per the function contract, the call's return address is at
    // sp - 8.
    (unsafe { *((sp - 8) as *const usize) }, sp)
}

#[cold]
fn leaf_violation(mp: *mut crate::layout::rt::m, what: &'static str) -> ! {
    extern "C" {
        fn gort_setg(gp: *mut crate::layout::rt::g);
    }
    // The report needs more stack than a fast path may take: leave the
    // goroutine as rtcall leaves it (its context saved at the trampoline,
    // for the report's traceback) and throw on the m's system stack.
    // SAFETY: mp is the current m, in a fast path: curg is the goroutine
    // whose stack this is, leafsp its trampoline's SP (see
    // trampoline_context), and g0's stack is idle.
    unsafe {
        let gp = (*mp).curg;
        let (pc, sp) = trampoline_context((*mp).leafsp);
        (*gp).sched.pc = pc;
        (*gp).sched.sp = sp;
        (*mp).leafsp = 0;
        let g0 = (*mp).g0;
        gort_setg(g0);
        core::arch::asm!(
            "mov rsp, {sp}",
            "and rsp, -16",
            "call {f}",
            sp = in(reg) (*g0).sched.sp,
            f = sym leaf_throw,
            in("rdi") what.as_ptr(),
            in("rsi") what.len(),
            options(noreturn),
        )
    }
}

extern "C" fn leaf_throw(p: *const u8, n: usize) -> ! {
    // SAFETY: leaf_violation passes a &'static str's bytes.
    let what = unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(p, n)) };
    crate::print::gwrite(b"runtime: ");
    crate::print::gwrite(what.as_bytes());
    crate::print::gwrite(b" in a leaf fast path (src/base/leaf.rs)\n");
    crate::fatal::throw("leaf fast path needs the system stack")
}
