//! Signals.
//!
//! gort installs handlers (on each thread's alternate signal stack) for:
//!   - SIGSEGV, SIGBUS, SIGFPE raised by a fault in Go code: the faulting
//!     goroutine is made to "call" sigpanic at the faulting instruction
//!     (the handler pushes the faulting pc as a return address and resumes
//!     at sigpanic0), which panics with upstream's runtime error; a fault
//!     anywhere else (the runtime itself, on a system stack) is fatal:
//!     "unexpected signal during runtime execution";
//!   - SIGPIPE: ignored, so writes fail with EPIPE; os.sigpipe then kills
//!     the process with SIGPIPE for writes to stdout and stderr, as
//!     upstream does.
//! Other signals keep their default actions until os/signal is
//! implemented.

use crate::layout::rt::g;
use crate::layout::GoString;
use crate::print::{gwrite, printint, printpointer};
use crate::sched::getg;
use crate::symtab::findfunc;

const SIGBUS: i32 = 7;
const SIGFPE: i32 = 8;
const SIGSEGV: i32 = 11;
const SIGPIPE: i32 = 13;

/// Size of each thread's signal stack.
const SIGSTACK_SIZE: usize = 32 << 10;

const NAMES: [&[u8]; 32] = [
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

pub fn rt_signame(sig: u32) -> GoString {
    let n: &'static [u8] = NAMES.get(sig as usize).copied().unwrap_or(b"unknown signal");
    GoString { ptr: n.as_ptr(), len: n.len() as isize }
}

/// The signal mask the process started with (new threads start from it).
static mut INIT_SIGMASK: libc::sigset_t = unsafe { core::mem::zeroed() };

/// Signals gort handles.
const HANDLED: [i32; 4] = [SIGSEGV, SIGBUS, SIGFPE, SIGPIPE];

/// Per-thread signal setup, on the thread itself: an alternate signal
/// stack, and the mask: m0 keeps the one the process started with (and
/// records it); other threads start from it with gort's signals unblocked.
pub fn minit(mp: *mut crate::layout::rt::m) {
    let stk = crate::persistent::alloc(SIGSTACK_SIZE, 16);
    let ss = libc::stack_t { ss_sp: stk as *mut libc::c_void, ss_flags: 0, ss_size: SIGSTACK_SIZE };
    // SAFETY: ss describes memory we own for the life of the thread; the
    // mask calls use locals and a static written only by m0 at startup.
    unsafe {
        libc::sigaltstack(&ss, core::ptr::null_mut());
        (*mp).goSigStack.stack.lo = stk as usize;
        (*mp).goSigStack.stack.hi = stk as usize + SIGSTACK_SIZE;
        if mp == crate::proc::m0() {
            libc::pthread_sigmask(libc::SIG_SETMASK, core::ptr::null(), core::ptr::addr_of_mut!(INIT_SIGMASK));
        }
        let mut set = *core::ptr::addr_of!(INIT_SIGMASK);
        for sig in HANDLED {
            libc::sigdelset(&mut set, sig);
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

fn install(sig: i32) {
    // SAFETY: a plain sigaction call with a fully initialised struct.
    unsafe {
        let mut sa: libc::sigaction = core::mem::zeroed();
        sa.sa_sigaction = sighandler as *const () as usize;
        sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_RESTART;
        libc::sigfillset(&mut sa.sa_mask);
        libc::sigaction(sig, &sa, core::ptr::null_mut());
    }
}

/// Install gort's handlers (at startup, on the initial thread).
pub fn init() {
    for sig in HANDLED {
        install(sig);
    }
}

// ---- fork (syscall.forkExec) ----

/// Before fork: block every signal (the child must not run a Go handler
/// before it execs), remembering the mask.
pub fn runtime_BeforeFork() {
    let mp = crate::sched::getm();
    // SAFETY: the current m is live; the mask calls use its own field.
    unsafe {
        (*mp).locks += 1;
        let mut all: libc::sigset_t = core::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, core::ptr::addr_of_mut!((*mp).forkmask) as *mut libc::sigset_t);
    }
}

/// After fork, in the parent: restore the mask.
pub fn runtime_AfterFork() {
    let mp = crate::sched::getm();
    // SAFETY: as for runtime_BeforeFork.
    unsafe {
        libc::pthread_sigmask(libc::SIG_SETMASK, core::ptr::addr_of!((*mp).forkmask) as *const libc::sigset_t, core::ptr::null_mut());
        (*mp).locks -= 1;
    }
}

/// After fork, in the child (which shares the parent's memory until it
/// execs: it must write none of it): default dispositions for the signals
/// gort handles, then the saved mask.
pub fn runtime_AfterForkInChild() {
    let mp = crate::sched::getm();
    // SAFETY: system calls on locals and the m's saved mask.
    unsafe {
        for sig in HANDLED {
            let mut sa: libc::sigaction = core::mem::zeroed();
            sa.sa_sigaction = libc::SIG_DFL;
            libc::sigaction(sig, &sa, core::ptr::null_mut());
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, core::ptr::addr_of!((*mp).forkmask) as *const libc::sigset_t, core::ptr::null_mut());
    }
}

/// Can the interrupted goroutine panic (is it ordinary Go code)?
fn can_panic(gp: *mut g, pc: usize) -> bool {
    if gp.is_null() {
        return false;
    }
    // SAFETY: gp came from the TLS slot of this thread: a live g.
    unsafe {
        let mp = (*gp).m;
        if mp.is_null() || gp == (*mp).g0 || gp == (*mp).gsignal || (*mp).curg != gp {
            return false;
        }
        if (*mp).mallocing != 0 || (*mp).throwing != 0 || (*mp).dying != 0 {
            return false;
        }
    }
    pc == 0 || findfunc(pc).is_some()
}

extern "C" fn sighandler(sig: i32, info: *mut libc::siginfo_t, uctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo and ucontext for SA_SIGINFO
    // handlers; this runs on the thread's signal stack.
    unsafe {
        if sig == SIGPIPE {
            return;
        }
        let ctx = &mut *(uctx as *mut libc::ucontext_t);
        let pc = ctx.uc_mcontext.gregs[libc::REG_RIP as usize] as usize;
        let sp = ctx.uc_mcontext.gregs[libc::REG_RSP as usize] as usize;
        let gp = getg();
        let code = (*info).si_code;
        let addr = (*info).si_addr() as usize;
        if can_panic(gp, pc) {
            (*gp).sig = sig as u32;
            (*gp).sigcode0 = code as usize;
            (*gp).sigcode1 = addr;
            (*gp).sigpc = pc;
            // Make the faulting instruction look like it called sigpanic,
            // unless there is no valid frame to return to (a call of a nil
            // function jumps to pc 0: its caller's return address is at sp).
            let lr = *(sp as *const usize);
            let push = pc != 0 && !(findfunc(pc).is_none() && findfunc(lr).is_some());
            let mut nsp = sp;
            if push {
                nsp -= 8;
                *(nsp as *mut usize) = pc;
            }
            ctx.uc_mcontext.gregs[libc::REG_RSP as usize] = nsp as i64;
            ctx.uc_mcontext.gregs[libc::REG_RIP as usize] = crate::proc::links().sigpanic0 as i64;
            return;
        }
        // A fault in the runtime itself.
        crate::fatal::start_dying();
        let mp = if gp.is_null() { core::ptr::null_mut() } else { (*gp).m };
        if !mp.is_null() {
            (*mp).throwing = crate::traceback::THROW_RUNTIME;
        }
        gwrite(b"fatal error: unexpected signal during runtime execution\n[signal ");
        print_signame(sig as u32);
        gwrite(b" code=");
        printpointer(code as usize as *mut u8);
        gwrite(b" addr=");
        printpointer(addr as *mut u8);
        gwrite(b" pc=");
        printpointer(pc as *mut u8);
        gwrite(b"]\n");
        if !mp.is_null() {
            crate::fatal::dopanic((*mp).curg);
        }
        crate::proc::die(2)
    }
}

/// os.sigpipe: a write to stdout or stderr hit a closed pipe: die of
/// SIGPIPE, as upstream does.
pub fn rt_sigpipe() {
    die_from_signal(SIGPIPE)
}

/// Terminate the process by signal sig (default action).
pub fn die_from_signal(sig: i32) -> ! {
    // SAFETY: resetting a disposition and signalling ourselves.
    unsafe {
        let mut sa: libc::sigaction = core::mem::zeroed();
        sa.sa_sigaction = libc::SIG_DFL;
        libc::sigaction(sig, &sa, core::ptr::null_mut());
        let mut set: libc::sigset_t = core::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, core::ptr::null_mut());
        libc::raise(sig);
    }
    for _ in 0..3 {
        crate::sys::sched_yield();
    }
    crate::sys::exit_group(2)
}
