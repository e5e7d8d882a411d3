//! Goroutine stacks.
//!
//! For now every goroutine stack has the same fixed size (growth by copying
//! comes with the pclntab-driven stack copier): STACK_SIZE bytes carved out
//! of large NORESERVE regions, so only the pages a goroutine touches cost
//! memory and a million goroutines do not exhaust the kernel's mapping count.
//! Dead goroutines keep their stack for reuse (see sched::gfput).

use crate::layout::rt::stack;
use crate::lock::Mutex;
use crate::sys;

/// Size of every goroutine stack.
pub const STACK_SIZE: usize = 256 << 10;
/// Stacks per reserved region.
const PER_REGION: usize = 256;

/// A value stackguard0 can never legitimately hold: set to request a
/// preemption at the next function prologue.
pub const STACK_PREEMPT: usize = 0xffff_ffff_ffff_fade;

static LOCK: Mutex = Mutex::new();
static mut NEXT: usize = 0;
static mut END: usize = 0;

/// A fresh stack (zero pages, as mmap gives them).
pub fn stackalloc() -> stack {
    LOCK.lock();
    // SAFETY: NEXT/END are only touched with LOCK held.
    let lo = unsafe {
        if NEXT == END {
            let size = STACK_SIZE * PER_REGION;
            let Some(p) = sys::mmap_anon(size) else {
                LOCK.unlock();
                crate::fatal::throw("runtime: cannot allocate memory for goroutine stack");
            };
            NEXT = p as usize;
            END = NEXT + size;
        }
        let lo = NEXT;
        NEXT += STACK_SIZE;
        lo
    };
    LOCK.unlock();
    stack { lo, hi: lo + STACK_SIZE }
}
