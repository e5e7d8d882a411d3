//! The playground's simulated clock: a program built with `-tags=faketime`
//! gets runtime.faketime set to 2009-11-10 23:00:00 UTC (asm/runtime's
//! faketime_on.go; 0, off, in every other build). While it is on, time
//! stands still except that it jumps to the next timer when every goroutine
//! sleeps (sched's checkdead), and what the program writes to descriptors
//! 1 and 2 goes out in frames the playground replays in order: 0, 0, 'P',
//! 'B', the time (8 bytes), the length (4 bytes), both big-endian, then the
//! bytes. A write to the other stream than the last one's gets a time at
//! least one nanosecond later, so that the two streams can be merged back
//! into the order of the writes.

use core::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};

fn cell() -> &'static AtomicI64 {
    // SAFETY: runtime.faketime is an int64 Go variable of the runtime
    // package, aligned and alive for the process; the Go side only
    // initialises it, so it is read and written through this atomic.
    unsafe { &*(crate::links::links().faketime as *const AtomicI64) }
}

/// The simulated time (nanoseconds since 1970), or 0 when the program was
/// not built with the tag.
#[inline]
pub fn now() -> i64 {
    cell().load(Ordering::Relaxed)
}

/// Move the simulated clock forward to `t` (everything sleeps until then).
pub fn jump(t: i64) {
    cell().fetch_max(t, Ordering::Relaxed);
}

/// One writer at a time (a frame's header and bytes stay together). A spin
/// lock: it is held only around two write calls, by Rust code that cannot
/// be preempted.
static BUSY: AtomicBool = AtomicBool::new(false);
/// The time and descriptor of the last frame.
static LAST_TIME: AtomicI64 = AtomicI64::new(0);
static LAST_FD: AtomicUsize = AtomicUsize::new(0);

/// Write b to fd (1 or 2) as one frame; returns what the write of the
/// bytes returned.
pub fn write_framed(fd: usize, b: &[u8]) -> isize {
    while BUSY.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
        core::hint::spin_loop();
    }
    let mut t = LAST_TIME.load(Ordering::Relaxed);
    if LAST_FD.load(Ordering::Relaxed) != fd {
        t += 1;
        LAST_FD.store(fd, Ordering::Relaxed);
    }
    t = t.max(now());
    LAST_TIME.store(t, Ordering::Relaxed);
    let mut header = [0u8; 16];
    header[2] = b'P';
    header[3] = b'B';
    header[4..12].copy_from_slice(&(t as u64).to_be_bytes());
    header[12..16].copy_from_slice(&(b.len() as u32).to_be_bytes());
    crate::sys::write_all(fd as i32, &header);
    let n = crate::sys::write_all(fd as i32, b);
    BUSY.store(false, Ordering::Release);
    n
}
