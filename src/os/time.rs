//! Clocks: monotonic nanotime and wall-clock time, through the vDSO's
//! clock_gettime when the kernel provides one (no system call), else the
//! system call. Go code reads the same clocks without calling here
//! (asm/runtime/clock.go, with the vDSO's functions this module finds).
//! Timers and sleeping come with the scheduler.

use crate::sys::{self, Timespec, CLOCK_MONOTONIC, CLOCK_REALTIME};
use core::sync::atomic::{AtomicUsize, Ordering};

type ClockGettime = unsafe extern "C" fn(clock: i32, ts: *mut Timespec) -> i32;

static VDSO_CLOCK_GETTIME: AtomicUsize = AtomicUsize::new(0);
/// The vDSO image's address range, [start, end), for the CPU profiler.
static VDSO_TEXT: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];

/// Find the vDSO's clock_gettime and gettimeofday (ELF dynamic symbols of
/// the image the kernel maps at AT_SYSINFO_EHDR) and hand them to the Go
/// side (runtime.vdsoClockGettimeSym, runtime.vdsoGettimeofdaySym).
/// Startup, before any Go code runs.
pub fn init() {
    let Some(base) = crate::env::auxv(crate::env::AT_SYSINFO_EHDR) else { return };
    let l = crate::links::links();
    // SAFETY: the kernel maps a complete ELF image at base; the two Go
    // variables are uintptrs of the runtime package that no Go code reads
    // yet.
    unsafe {
        if let Some(f) = crate::vdso::lookup(base, b"__vdso_clock_gettime") {
            VDSO_CLOCK_GETTIME.store(f, Ordering::Relaxed);
            *(l.vdsoClockGettimeSym as *mut usize) = f;
        }
        if let Some(f) = crate::vdso::lookup(base, b"__vdso_gettimeofday") {
            *(l.vdsoGettimeofdaySym as *mut usize) = f;
        }
        if let Some((lo, hi)) = crate::vdso::extent(base) {
            VDSO_TEXT[0].store(lo, Ordering::Relaxed);
            VDSO_TEXT[1].store(hi, Ordering::Relaxed);
        }
    }
}

/// Is pc in the vDSO?
pub fn in_vdso(pc: usize) -> bool {
    pc >= VDSO_TEXT[0].load(Ordering::Relaxed) && pc < VDSO_TEXT[1].load(Ordering::Relaxed)
}

fn clock(id: usize) -> i64 {
    let f = VDSO_CLOCK_GETTIME.load(Ordering::Relaxed);
    if f != 0 {
        let mut ts = Timespec { sec: 0, nsec: 0 };
        // SAFETY: f is the vDSO's clock_gettime; we are on a system stack
        // large enough for it.
        let r = unsafe { core::mem::transmute::<usize, ClockGettime>(f)(id as i32, &mut ts) };
        if r == 0 {
            return ts.sec * 1_000_000_000 + ts.nsec;
        }
    }
    sys::clock_gettime(id)
}

/// Monotonic time in nanoseconds.
pub fn nanotime() -> i64 {
    match crate::faketime::now() {
        0 => clock(CLOCK_MONOTONIC),
        t => t,
    }
}

/// Wall-clock time in nanoseconds since 1970.
pub fn unix_nanos() -> i64 {
    match crate::faketime::now() {
        0 => clock(CLOCK_REALTIME),
        t => t,
    }
}
