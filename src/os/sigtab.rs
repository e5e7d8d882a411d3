//! The signal table: upstream's flags for each signal (what the runtime
//! does with it), signal names, and each thread's signal setup (its
//! alternate signal stack and its mask). The handler and os/signal's
//! side are proc/signal.rs.

use crate::global::Global;
use crate::print::{gwrite, printint};

pub const SIGHUP: i32 = 1;
pub const SIGINT: i32 = 2;
pub const SIGILL: i32 = 4;
pub const SIGBUS: i32 = 7;
pub const SIGFPE: i32 = 8;
pub const SIGSEGV: i32 = 11;
pub const SIGPIPE: i32 = 13;
pub const SIGPROF: i32 = 27;
/// The signal that asks a thread to preempt its goroutine (upstream's
/// choice: SIGURG, which programs rarely use and which is ignored by
/// default).
pub const SIG_PREEMPT: i32 = 23;
pub const NSIG: usize = 65;

// What the runtime does with a signal (upstream's sigtable flags).
pub const NOTIFY: u16 = 1; // os/signal may ask for it
pub const KILL: u16 = 2; // if not notified, die of it
pub const THROW: u16 = 4; // if not notified, dump goroutines and exit 2
pub const PANIC: u16 = 8; // a fault: panic in the faulting goroutine
pub const DEFAULT: u16 = 16; // leave the default action alone unless notified
pub const SETSTACK: u16 = 32; // the C library's: never touch
pub const UNBLOCK: u16 = 64; // always unblocked
pub const IGN: u16 = 128; // ignored by default (when not notified)

/// Upstream's table for linux/amd64, by signal number.
pub const SIGTABLE: [u16; NSIG] = {
    let mut t = [NOTIFY; NSIG];
    t[0] = 0;
    t[1] = NOTIFY | KILL; // SIGHUP
    t[2] = NOTIFY | KILL; // SIGINT
    t[3] = NOTIFY | THROW; // SIGQUIT
    t[4] = THROW | UNBLOCK; // SIGILL
    t[5] = THROW | UNBLOCK; // SIGTRAP
    t[6] = NOTIFY | THROW; // SIGABRT
    t[7] = PANIC | UNBLOCK; // SIGBUS
    t[8] = PANIC | UNBLOCK; // SIGFPE
    t[9] = 0; // SIGKILL
    t[11] = PANIC | UNBLOCK; // SIGSEGV
    t[15] = NOTIFY | KILL; // SIGTERM
    t[16] = THROW | UNBLOCK; // SIGSTKFLT
    t[17] = NOTIFY | UNBLOCK | IGN; // SIGCHLD
    t[18] = NOTIFY | DEFAULT | IGN; // SIGCONT
    t[19] = 0; // SIGSTOP
    t[20] = NOTIFY | DEFAULT | IGN; // SIGTSTP
    t[21] = NOTIFY | DEFAULT | IGN; // SIGTTIN
    t[22] = NOTIFY | DEFAULT | IGN; // SIGTTOU
    t[23] = NOTIFY | IGN; // SIGURG
    t[27] = NOTIFY | UNBLOCK; // SIGPROF
    t[28] = NOTIFY | IGN; // SIGWINCH
    t[31] = THROW; // SIGSYS
    t[32] = SETSTACK | UNBLOCK; // glibc's SIGCANCEL
    t[33] = SETSTACK | UNBLOCK; // glibc's SIGSETXID
    t[34] = SETSTACK | UNBLOCK; // musl's SIGSYNCCALL (upstream's table too)
    t
};

/// Size of each thread's signal stack.
const SIGSTACK_SIZE: usize = 32 << 10;

pub const NAMES: [&[u8]; 32] = [
    b"SIGNONE: no trap", b"SIGHUP: terminal line hangup", b"SIGINT: interrupt", b"SIGQUIT: quit",
    b"SIGILL: illegal instruction", b"SIGTRAP: trace trap", b"SIGABRT: abort", b"SIGBUS: bus error",
    b"SIGFPE: floating-point exception", b"SIGKILL: kill", b"SIGUSR1: user-defined signal 1",
    b"SIGSEGV: segmentation violation", b"SIGUSR2: user-defined signal 2", b"SIGPIPE: write to broken pipe",
    b"SIGALRM: alarm clock", b"SIGTERM: termination", b"SIGSTKFLT: stack fault", b"SIGCHLD: child status has changed",
    b"SIGCONT: continue", b"SIGSTOP: stop, unblockable", b"SIGTSTP: keyboard stop", b"SIGTTIN: background read from tty",
    b"SIGTTOU: background write to tty", b"SIGURG: urgent condition on socket", b"SIGXCPU: cpu limit exceeded",
    b"SIGXFSZ: file size limit exceeded", b"SIGVTALRM: virtual alarm clock", b"SIGPROF: profiling alarm clock",
    b"SIGWINCH: window size change", b"SIGIO: i/o now possible", b"SIGPWR: power failure restart", b"SIGSYS: bad system call",
];

/// Print "SIGSEGV: segmentation violation" for signal number sig.
pub fn print_signame(sig: u32) {
    match NAMES.get(sig as usize) {
        Some(n) => gwrite(n),
        None => {
            gwrite(b"signal ");
            printint(sig as i64);
        }
    }
}

/// The signal mask the process started with (new threads start from it):
/// written by m0's minit, before any other thread exists; read-only after.
// SAFETY: an all-zero sigset_t is a valid (empty) set.
static INIT_SIGMASK: Global<libc::sigset_t> = Global::new(unsafe { core::mem::zeroed() });

/// Per-thread signal setup, on the thread itself: an alternate signal
/// stack, and the mask: m0 records the one the process started with; every
/// thread starts from it with the signals that kill, dump or fault
/// unblocked (as upstream).
pub fn minit(mp: *mut crate::layout::rt::m) {
    let stk = crate::persistent::alloc(SIGSTACK_SIZE, 16);
    let ss = libc::stack_t { ss_sp: stk as *mut libc::c_void, ss_flags: 0, ss_size: SIGSTACK_SIZE };
    // SAFETY: ss describes memory we own for the life of the thread; the
    // mask calls use locals and a static written only by m0 at startup.
    unsafe {
        libc::sigaltstack(&ss, core::ptr::null_mut());
        (*mp).goSigStack.stack.lo = stk as usize;
        (*mp).goSigStack.stack.hi = stk as usize + SIGSTACK_SIZE;
        if mp == crate::links::m0() {
            libc::pthread_sigmask(libc::SIG_SETMASK, core::ptr::null(), INIT_SIGMASK.as_ptr());
        }
        let mut set = *INIT_SIGMASK.get_ref();
        for (sig, &flags) in SIGTABLE.iter().enumerate() {
            if flags & (UNBLOCK | KILL | THROW) != 0 {
                libc::sigdelset(&mut set, sig as i32);
            }
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &set, core::ptr::null_mut());
    }
}

/// The thread is exiting: stop using its signal stack.
pub fn unminit() {
    let ss = libc::stack_t { ss_sp: core::ptr::null_mut(), ss_flags: libc::SS_DISABLE, ss_size: 0 };
    // SAFETY: disabling the alternate stack.
    unsafe { libc::sigaltstack(&ss, core::ptr::null_mut()) };
}

// ---- threads C created (extra Ms: sched/cgo.rs) ----
//
// Such a thread keeps its own signal setup between its calls into Go: the
// runtime blocks signals while it installs an m, unblocks what it needs
// once the m is in place, and puts the thread's own mask (kept in the m
// meanwhile, as the kernel's 64 bits) back when the thread gives the m
// up. An alternate signal stack the thread already has is used as it is.

fn sigset_bits(s: &libc::sigset_t) -> u64 {
    // SAFETY: glibc's sigset_t begins with the kernel's 64-bit mask.
    unsafe { *(s as *const libc::sigset_t as *const u64) }
}

fn sigset_from(bits: u64) -> libc::sigset_t {
    // SAFETY: an all-zero sigset_t is empty; its first word is the
    // kernel's mask of signals 1..=64.
    unsafe {
        let mut s: libc::sigset_t = core::mem::zeroed();
        *(&mut s as *mut libc::sigset_t as *mut u64) = bits;
        s
    }
}

/// Block every signal on this thread; returns the mask it had.
pub fn block_all() -> u64 {
    // SAFETY: mask calls on locals.
    unsafe {
        let mut all: libc::sigset_t = core::mem::zeroed();
        let mut old: libc::sigset_t = core::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
        sigset_bits(&old)
    }
}

/// Set this thread's mask (as block_all returned it).
pub fn set_mask(bits: u64) {
    let s = sigset_from(bits);
    // SAFETY: a mask call on a local.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &s, core::ptr::null_mut()) };
}

/// A thread C created takes the extra M mp: a signal stack (its own, if
/// it has one; else mp's, made once), and its mask `base` with the
/// signals the runtime needs unblocked (the ones minit unblocks, and the
/// preemption signal).
pub fn minit_foreign(mp: *mut crate::layout::rt::m, base: u64) {
    // SAFETY: mp is the m this thread is taking; the calls use locals and
    // memory mp owns for its whole life.
    unsafe {
        let mut cur: libc::stack_t = core::mem::zeroed();
        libc::sigaltstack(core::ptr::null(), &mut cur);
        (*mp).newSigstack = cur.ss_flags & libc::SS_DISABLE != 0;
        if (*mp).newSigstack {
            if (*mp).goSigStack.stack.lo == 0 {
                let stk = crate::persistent::alloc(SIGSTACK_SIZE, 16);
                (*mp).goSigStack.stack.lo = stk as usize;
                (*mp).goSigStack.stack.hi = stk as usize + SIGSTACK_SIZE;
            }
            let ss = libc::stack_t {
                ss_sp: (*mp).goSigStack.stack.lo as *mut libc::c_void,
                ss_flags: 0,
                ss_size: SIGSTACK_SIZE,
            };
            libc::sigaltstack(&ss, core::ptr::null_mut());
        }
    }
    let mut bits = base;
    for (sig, &flags) in SIGTABLE.iter().enumerate().skip(1) {
        if flags & (UNBLOCK | KILL | THROW) != 0 || sig as i32 == SIG_PREEMPT {
            bits &= !(1u64 << (sig - 1));
        }
    }
    set_mask(bits);
}

/// The thread gives the extra M mp back: stop using mp's signal stack
/// (its own, if it had one, stays). Signals are blocked meanwhile.
pub fn unminit_foreign(mp: *mut crate::layout::rt::m) {
    // SAFETY: mp is this thread's m.
    if unsafe { (*mp).newSigstack } {
        unminit();
    }
}
