//! The current goroutine and thread, goroutine states, and the list of
//! every goroutine: what every layer needs to know about G and M (the
//! scheduler, in sched/, decides what runs where).
//!
//! Rust code runs on a system stack: an m's g0 (entered through rtcall or
//! mcall) or its signal stack. `getg()` is then g0 or gsignal, and
//! `curg()` is the goroutine the runtime is working for (null when the m
//! runs none). The one exception is a leaf entry point's fast path
//! (base/leaf.rs), which runs on the goroutine's own stack: `getg()` is
//! then the goroutine itself (and `m.leafsp` is set).

use crate::layout::rt::{self, g, m};
use crate::lock::Locked;
use crate::pvec::PVec;
use crate::sysstat::Stat;
use core::sync::atomic::Ordering;

extern "C" {
    fn gort_getg() -> *mut g;
}

/// Where the current g lives: its offset from the thread pointer (%fs),
/// once known (init_getg); 0 until then, or if it could not be found:
/// getg then calls gort_getg.
static TLSG_OFFSET: core::sync::atomic::AtomicIsize = core::sync::atomic::AtomicIsize::new(0);

/// The goroutine running on this thread (g0 while in the runtime).
#[inline]
pub fn getg() -> *mut g {
    let off = TLSG_OFFSET.load(Ordering::Relaxed);
    if off != 0 {
        let gp: *mut g;
        // SAFETY: off is the thread-pointer offset of runtime.tlsg, the
        // current g's slot, which every thread running gort code has.
        unsafe {
            core::arch::asm!("mov {gp}, qword ptr fs:[{off}]", gp = out(reg) gp, off = in(reg) off,
                options(nostack, readonly, preserves_flags));
        }
        return gp;
    }
    // SAFETY: gort_getg only reads the TLS slot.
    unsafe { gort_getg() }
}

/// Learn the g slot's offset from the thread pointer, which the linker
/// wrote into gort_getg's one instruction (`mov %fs:OFFSET, %rax`, as
/// the Go assembler emits it for the executable's local-exec TLS), so that
/// getg reads the slot in place instead of calling gort_getg. Anything
/// else there (another build mode) leaves getg calling it. Checked
/// against gort_getg's answer. Called first thing at startup.
///
/// # Safety
/// Startup, on the main thread, with its g set.
pub unsafe fn init_getg() {
    // mov %fs:disp32, %rax: fs prefix, REX.W, MOV r64 r/m64, ModRM (rax,
    // SIB), SIB (no base, no index), then the displacement.
    const MOV_FS_DISP32_RAX: [u8; 5] = [0x64, 0x48, 0x8b, 0x04, 0x25];
    // SAFETY: gort_getg is code of this executable, readable; its
    // instruction is at least 9 bytes before its RET.
    unsafe {
        let code = gort_getg as *const () as *const u8;
        if core::slice::from_raw_parts(code, 5) != MOV_FS_DISP32_RAX {
            return;
        }
        let off = core::ptr::read_unaligned(code.add(5) as *const i32) as isize;
        if off == 0 {
            return;
        }
        TLSG_OFFSET.store(off, Ordering::Relaxed);
        if getg() != gort_getg() {
            TLSG_OFFSET.store(0, Ordering::Relaxed);
        }
    }
}

/// The m of the current thread.
#[inline]
pub fn getm() -> *mut m {
    // SAFETY: every thread that runs gort code has a g with an m.
    unsafe { (*getg()).m }
}

/// The goroutine the current m runs (on whose behalf Rust code runs).
#[inline]
pub fn curg() -> *mut g {
    // SAFETY: the current m is live.
    unsafe { (*getm()).curg }
}

/// Pin the current goroutine to its m and keep it from being preempted
/// or collecting at its next return from Rust (m.locks > 0), for a
/// sequence that must not be interrupted (stopping the world, handing Ps
/// around, fork). Returns the m; pair with `releasem` on the same thread.
#[inline]
pub fn acquirem() -> *mut m {
    let mp = getm();
    // SAFETY: the current m is live; only its own thread changes m.locks.
    unsafe { (*mp).locks += 1 };
    mp
}

/// Undo one `acquirem` (on the thread that made it).
#[inline]
pub fn releasem() {
    let mp = getm();
    // SAFETY: as for acquirem.
    unsafe { (*mp).locks -= 1 };
}

pub const G_IDLE: u32 = rt::_Gidle as u32;
pub const G_RUNNABLE: u32 = rt::_Grunnable as u32;
pub const G_RUNNING: u32 = rt::_Grunning as u32;
pub const G_SYSCALL: u32 = rt::_Gsyscall as u32;
pub const G_WAITING: u32 = rt::_Gwaiting as u32;
pub const G_DEAD: u32 = rt::_Gdead as u32;
pub const G_PREEMPTED: u32 = rt::_Gpreempted as u32;

#[inline]
pub fn readgstatus(gp: *mut g) -> u32 {
    // SAFETY: gp is a live G.
    unsafe { (*gp).atomicstatus.load(Ordering::Acquire) }
}

/// The scan bit: set on top of a status while the collector scans the
/// goroutine's stack (gc/mark.rs); the goroutine keeps its status, and
/// every transition waits until the bit is cleared.
pub const G_SCAN: u32 = rt::_Gscan as u32;

/// The status without the scan bit.
#[inline]
pub fn gstatus(gp: *mut g) -> u32 {
    readgstatus(gp) & !G_SCAN
}

/// Change gp's status from old to new; waits while the collector scans gp
/// (old with the scan bit). Any other status is a runtime bug.
#[inline]
pub fn casgstatus(gp: *mut g, old: u32, new: u32) {
    let mut spins = 0u32;
    let ok = loop {
        // SAFETY: gp is a live G.
        match unsafe { (*gp).atomicstatus.compare_exchange(old, new, Ordering::AcqRel, Ordering::Acquire) } {
            Err(cur) if cur == old | G_SCAN => {
                spins += 1;
                if spins < 64 {
                    core::hint::spin_loop();
                } else {
                    crate::sys::osyield();
                }
            }
            r => break r,
        }
    };
    if let Err(cur) = ok {
        crate::print::printlock();
        crate::print::gwrite(b"runtime: casgstatus: oldval=");
        crate::print::printuint(cur as u64);
        crate::print::gwrite(b" expected ");
        crate::print::printuint(old as u64);
        crate::print::gwrite(b" newval=");
        crate::print::printuint(new as u64);
        crate::print::gwrite(b"\n");
        crate::print::printunlock();
        crate::fatal::throw("casgstatus: bad incoming values");
    }
    crate::tracehook::event(crate::tracehook::Ev::GStatus(gp, old, new));
}

/// The collector: take gp (in status `old`, not running) for a stack
/// scan; false if it is not in that status now.
pub fn scan_claim(gp: *mut g, old: u32) -> bool {
    // SAFETY: gp is a live G.
    unsafe { (*gp).atomicstatus.compare_exchange(old, old | G_SCAN, Ordering::AcqRel, Ordering::Relaxed).is_ok() }
}

/// The collector is done with gp's stack (claimed with scan_claim).
pub fn scan_release(gp: *mut g, old: u32) {
    // SAFETY: gp is a live G.
    if unsafe { (*gp).atomicstatus.compare_exchange(old | G_SCAN, old, Ordering::AcqRel, Ordering::Relaxed) }.is_err() {
        crate::fatal::throw("scan_release: status changed during a stack scan");
    }
}

/// All Gs ever created (debuggers and tracebacks walk it); never shrinks
/// (dead Gs are reused).
static ALLGS: Locked<PVec<*mut g>> = Locked::new(crate::lockrank::Rank::AllGs, PVec::persistent(64, Stat::Other));

/// The i-th G ever created (i < allglen()).
pub fn allg_at(i: usize) -> *mut g {
    ALLGS.with(|all| all.get(i))
}

/// Call f for every G ever created (with the list's lock held: f must not
/// create goroutines).
pub fn for_each_g(mut f: impl FnMut(*mut g)) {
    ALLGS.with(|all| {
        for &gp in all.as_slice() {
            f(gp);
        }
    });
}

/// Every G, without the lock: for fatal-error reports, which may come from
/// code that holds it (a throw while the collector walks goroutines, or
/// the lock-order checker's report).
pub fn for_each_g_racy(mut f: impl FnMut(*mut g)) {
    // SAFETY: the list is persistent and only ever appended to, so a racy
    // reader sees a prefix of it (PVec::racy_prefix).
    let all = unsafe { PVec::racy_prefix(ALLGS.data_ptr()) };
    all.iter().for_each(|&gp| f(gp));
}

/// Record a new goroutine (never removed: dead ones are reused).
pub fn allgadd(gp: *mut g) {
    ALLGS.with(|all| {
        all.push(gp);
        // The Go-side copy debuggers read (runtime.allgs, runtime.allglen:
        // gdb's runtime-gdb.py, Delve): the persistent array itself.
        let l = crate::links::links();
        let n = all.len();
        // SAFETY: the two linked symbols are the Go variables of those
        // types (asm/runtime/proc.go); only this function writes them,
        // under the list's lock.
        unsafe {
            *(l.allgs as *mut crate::layout::GoSlice<*mut g>) =
                crate::layout::GoSlice { ptr: all.as_slice().as_ptr() as *mut *mut g, len: n as isize, cap: n as isize };
            *(l.allglen as *mut usize) = n;
        }
    });
}
