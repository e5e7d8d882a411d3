//! Clocks: monotonic nanotime and wall-clock time, through the vDSO's
//! clock_gettime when the kernel provides one (no system call), else the
//! system call. Timers and sleeping come with the scheduler (issue 4).

use crate::sys::{self, Timespec, CLOCK_MONOTONIC, CLOCK_REALTIME};
use core::sync::atomic::{AtomicUsize, Ordering};

type ClockGettime = unsafe extern "C" fn(clock: i32, ts: *mut Timespec) -> i32;

static VDSO_CLOCK_GETTIME: AtomicUsize = AtomicUsize::new(0);
static VDSO_GETTIMEOFDAY: AtomicUsize = AtomicUsize::new(0);

/// Find the vDSO's clock_gettime and gettimeofday (ELF dynamic symbols of
/// the image the kernel maps at AT_SYSINFO_EHDR).
pub fn init() {
    let Some(base) = crate::env::auxv(crate::env::AT_SYSINFO_EHDR) else { return };
    // SAFETY: the kernel maps a complete ELF image at base.
    unsafe {
        if let Some(f) = crate::vdso::lookup(base, b"__vdso_clock_gettime") {
            VDSO_CLOCK_GETTIME.store(f, Ordering::Relaxed);
        }
        if let Some(f) = crate::vdso::lookup(base, b"__vdso_gettimeofday") {
            VDSO_GETTIMEOFDAY.store(f, Ordering::Relaxed);
        }
    }
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

/// Wall-clock time and monotonic time, for time.Now.
pub fn now() -> (i64, i32, i64) {
    let fake = crate::faketime::now();
    if fake != 0 {
        return (fake.div_euclid(1_000_000_000), fake.rem_euclid(1_000_000_000) as i32, fake);
    }
    let wall = clock(CLOCK_REALTIME);
    (wall.div_euclid(1_000_000_000), wall.rem_euclid(1_000_000_000) as i32, nanotime())
}
