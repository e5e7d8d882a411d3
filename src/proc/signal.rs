//! Signals.
//!
//! gort installs its handler (on each thread's alternate signal stack) for
//! the signals upstream's table says the runtime handles, with upstream's
//! default actions:
//!   - SIGSEGV, SIGBUS, SIGFPE raised by a fault in Go code: the faulting
//!     goroutine is made to "call" sigpanic at the faulting instruction
//!     (the handler pushes the faulting pc as a return address and resumes
//!     at sigpanic0), which panics with upstream's runtime error; a fault
//!     anywhere else (the runtime itself, on a system stack) is fatal:
//!     "unexpected signal during runtime execution";
//!   - SIGHUP, SIGINT, SIGTERM: the process dies of the signal;
//!   - SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGSTKFLT, SIGSYS: a dump of all
//!     goroutines and the registers, exit status 2;
//!   - the rest (SIGPIPE, SIGUSR1, SIGCHLD, SIGURG, ...): caught and
//!     ignored (os.sigpipe turns EPIPE on stdout/stderr into death by
//!     SIGPIPE, as upstream);
//! and, for every signal a program asked for with os/signal.Notify,
//! delivery to the os/signal loop (sigsend / signal_recv). SIGTSTP,
//! SIGTTIN, SIGTTOU keep their default actions; the C libraries' own
//! signals (glibc's 32 and 33, musl's 32 to 34) are never touched, as
//! upstream's table says.

use crate::gprint;
use crate::sigtab::*;
use crate::layout::rt::g;
use crate::layout::GoString;
use crate::print::{gwrite, printpointer};
use crate::gm::getg;
use crate::symtab::findfunc;
use core::sync::atomic::{AtomicI32, AtomicU32, AtomicUsize, Ordering};


/// Signals gort's handler is installed for (1 = yes).
static HANDLING: [AtomicU32; NSIG] = [const { AtomicU32::new(0) }; NSIG];
/// Is gort's handler installed for sig?
pub fn handling(sig: usize) -> bool {
    HANDLING[sig].load(Ordering::Relaxed) != 0
}

/// The disposition each signal had before gort's handler (restored by
/// signal.Reset for signals gort handles only on request).
static FWD: [AtomicUsize; NSIG] = [const { AtomicUsize::new(0) }; NSIG];



// si_code values of the faults sigpanic tells apart.
const SEGV_MAPERR: u64 = 1;
const SEGV_ACCERR: u64 = 2;
const BUS_ADRERR: u64 = 2;
const FPE_INTDIV: u64 = 1;
const FPE_INTOVF: u64 = 2;

/// Faults at addresses below this are nil dereferences (a field or element
/// of a nil pointer).
const NIL_PAGE: usize = 0x1000;

/// sigpanic's decision (the Go sigpanic only calls this): turn the fault
/// the handler recorded in the goroutine (g.sig, g.sigcode0/1) into the
/// panic upstream raises for it, or into a fatal error for a wild access
/// (unless debug.SetPanicOnFault asked for a panic).
pub fn rt_sigpanic() {
    let gp = crate::gm::curg();
    // SAFETY: gp is the running goroutine, away in this call.
    let (sig, code, addr, on_fault) = unsafe { ((*gp).sig as i32, (*gp).sigcode0 as u64, (*gp).sigcode1, (*gp).paniconfault) };
    let nil_deref = match sig {
        SIGSEGV => matches!(code, 0 | SEGV_MAPERR | SEGV_ACCERR) && addr < NIL_PAGE,
        SIGBUS => code == BUS_ADRERR && addr < NIL_PAGE,
        SIGFPE => {
            match code {
                FPE_INTDIV => crate::raise::raise_divide(),
                FPE_INTOVF => crate::raise::raise_error("integer overflow"),
                _ => crate::raise::raise_error("floating point error"),
            }
            return;
        }
        _ => {
            let name: &'static [u8] = NAMES.get(sig as usize).copied().unwrap_or(b"unknown signal");
            crate::raise::raise_error_go(GoString { ptr: name.as_ptr(), len: name.len() as isize });
            return;
        }
    };
    if nil_deref || on_fault {
        crate::raise::raise_memory(addr, !nil_deref);
        return;
    }
    gwrite(b"unexpected fault address ");
    printpointer(addr as *mut u8);
    gwrite(b"\n");
    crate::fatal::throw("fault")
}


fn getsig(sig: i32) -> usize {
    // SAFETY: querying a disposition into a local.
    unsafe {
        let mut old: libc::sigaction = core::mem::zeroed();
        libc::sigaction(sig, core::ptr::null(), &mut old);
        old.sa_sigaction
    }
}

fn setsig(sig: i32, handler: usize) {
    // SAFETY: a plain sigaction call with a fully initialised struct.
    unsafe {
        let mut sa: libc::sigaction = core::mem::zeroed();
        sa.sa_sigaction = handler;
        sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_RESTART;
        libc::sigfillset(&mut sa.sa_mask);
        libc::sigaction(sig, &sa, core::ptr::null_mut());
    }
}

/// Should gort's handler be installed for sig at startup?
fn install_by_default(sig: usize) -> bool {
    let flags = SIGTABLE[sig];
    if flags == 0 || flags & (DEFAULT | SETSTACK) != 0 {
        return false;
    }
    // An inherited "ignore" for SIGHUP and SIGINT is respected (nohup).
    !((sig as i32 == SIGHUP || sig as i32 == SIGINT) && FWD[sig].load(Ordering::Relaxed) == libc::SIG_IGN)
}

/// Install gort's handlers (at startup, on the initial thread).
pub fn init() {
    for sig in 1..NSIG {
        let flags = SIGTABLE[sig];
        if flags == 0 || flags & (DEFAULT | SETSTACK) != 0 {
            continue;
        }
        let inherited = getsig(sig as i32);
        FWD[sig].store(inherited, Ordering::Relaxed);
        if install_by_default(sig) {
            HANDLING[sig].store(1, Ordering::Relaxed);
            setsig(sig as i32, sighandler as *const () as usize);
        } else if inherited == libc::SIG_IGN {
            // Left ignored (nohup): os/signal.Ignored reports it.
            let (w, b) = bit(sig as u32);
            IGNORED[w].fetch_or(b, Ordering::Relaxed);
        }
    }
}


/// Can the interrupted goroutine panic (is it ordinary Go code)?
fn can_panic(gp: *mut g, pc: usize, sp: usize) -> bool {
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
    if pc == 0 || findfunc(pc).is_some() {
        return true;
    }
    // A call to something that is not code (a func value pointing at
    // data): the fault is at the callee's address, and the return address
    // on top of the goroutine's stack is in the Go function that called
    // it, which the panic unwinds from (inject_sigpanic does not push pc).
    // SAFETY: gp is this thread's goroutine, running on its own stack.
    let on_stack = unsafe { sp >= (*gp).stack.lo && sp + 8 <= (*gp).stack.hi };
    // SAFETY: sp is a word of gp's stack.
    on_stack && findfunc(unsafe { *(sp as *const usize) }).is_some()
}

/// Is the interrupted code C, called by a goroutine through cgocall (the
/// thread on its M's g0 stack, inside the call)?
fn in_cgo(gp: *mut g) -> bool {
    if gp.is_null() {
        return false;
    }
    // SAFETY: gp came from this thread's TLS slot: a live g.
    unsafe {
        let mp = (*gp).m;
        !mp.is_null() && (*mp).incgo && gp == (*mp).g0 && !(*mp).curg.is_null()
    }
}

/// Was the signal sent by a process (kill, tgkill) rather than raised by
/// the kernel for a fault?
fn from_user(code: i32) -> bool {
    code == libc::SI_USER || code == libc::SI_TKILL
}

extern "C" fn sighandler(sig: i32, info: *mut libc::siginfo_t, uctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo and ucontext for SA_SIGINFO
    // handlers; this runs on the thread's signal stack.
    unsafe {
        let gp = getg();
        if forwarded(sig, info, uctx, gp) {
            return;
        }
        let ctx = &mut *(uctx as *mut libc::ucontext_t);
        let pc = ctx.uc_mcontext.gregs[libc::REG_RIP as usize] as usize;
        let sp = ctx.uc_mcontext.gregs[libc::REG_RSP as usize] as usize;
        let code = (*info).si_code;
        let addr = (*info).si_addr() as usize;
        let flags = SIGTABLE.get(sig as usize).copied().unwrap_or(NOTIFY);
        let user = from_user(code);
        if sig == SIGPROF {
            crate::cpuprof::sigprof(pc, sp, uctx as *mut u8, gp, code);
            return;
        }
        if sig == libc::SIGUSR1 && crate::testhooks::sigusr1_armed() {
            // The runtime tests' WaitForSigusr1: which M got it.
            let mp = if gp.is_null() { core::ptr::null_mut() } else { (*gp).m };
            crate::testhooks::sigusr1_received(if mp.is_null() { -1 } else { (*mp).id });
            return;
        }
        if sig == libc::SIGTRAP && crate::testhooks::debugcall_trap(ctx, gp, user) {
            // The runtime tests' InjectDebugCall, playing a debugger.
            return;
        }
        if sig == SIG_PREEMPT && !crate::sched::schedule::ASYNC_PREEMPT_OFF.load(Ordering::Relaxed) {
            do_sig_preempt(ctx, gp, pc, sp);
            // Also delivered to os/signal if asked for, below.
        }
        if !user && flags & PANIC != 0 {
            if can_panic(gp, pc, sp) {
                inject_sigpanic(ctx, gp, sig, code, addr, pc, sp);
                return;
            }
            // A fault in C code (a cgocall's) is reported as upstream
            // reports it: the dump below.
            if !in_cgo(gp) {
                fault_in_runtime(gp, sig, code, addr, pc);
            }
        }
        if (user || flags & NOTIFY != 0) && sigsend(sig as u32) {
            return;
        }
        if user && signal_ignored(sig as u32) {
            return;
        }
        if flags & KILL != 0 {
            crate::sys::die_from_signal(sig);
        }
        if flags & (THROW | PANIC) == 0 {
            return;
        }
        dump_and_exit(ctx, gp, sig, code, addr, pc, sp)
    }
}

/// Signals that are not Go's to handle go to the handler that was installed
/// before gort's (C code's, typically), as upstream forwards them: a
/// signal gort is dying of (sys::die_from_signal), and a fault (or a
/// SIGPIPE) that did not happen in Go code: in C code, on a thread C
/// created. Returns whether the signal was dealt with.
///
/// # Safety
/// The handler's arguments, and this thread's g (or null).
unsafe fn forwarded(sig: i32, info: *mut libc::siginfo_t, uctx: *mut libc::c_void, gp: *mut g) -> bool {
    let Some(&flags) = SIGTABLE.get(sig as usize) else { return false };
    let fwd = FWD[sig as usize].load(Ordering::Relaxed);
    if crate::sys::DYING_SIGNAL.load(Ordering::Acquire) == sig {
        if fwd == libc::SIG_IGN || (fwd == libc::SIG_DFL && flags & IGN != 0) {
            return true;
        }
        if fwd == libc::SIG_DFL {
            setsig_raw(sig, libc::SIG_DFL);
            crate::sys::die_from_signal(sig);
        }
        // SAFETY: per the function contract.
        unsafe { call_handler(fwd, sig, info, uctx) };
        return true;
    }
    if fwd == libc::SIG_DFL {
        return false;
    }
    // SAFETY: per the function contract.
    let user = from_user(unsafe { (*info).si_code });
    if (user || flags & PANIC == 0) && sig != SIGPIPE {
        return false;
    }
    // In Go code: a goroutine of a Go thread, not in a cgocall.
    // SAFETY: gp is this thread's g, its m live.
    if !gp.is_null() && unsafe { !(*gp).m.is_null() && !(*(*gp).m).curg.is_null() && !(*(*gp).m).incgo } {
        return false;
    }
    if fwd != libc::SIG_IGN {
        // SAFETY: per the function contract.
        unsafe { call_handler(fwd, sig, info, uctx) };
    }
    true
}

/// Call a handler someone else installed, with the signal's arguments
/// (a one-argument handler ignores the other two).
///
/// # Safety
/// h is a signal handler's address; the rest are the handler's arguments.
unsafe fn call_handler(h: usize, sig: i32, info: *mut libc::siginfo_t, uctx: *mut libc::c_void) {
    // SAFETY: per the function contract.
    unsafe {
        let f: extern "C" fn(i32, *mut libc::siginfo_t, *mut libc::c_void) = core::mem::transmute(h);
        f(sig, info, uctx);
    }
}

/// The preemption signal: if the interrupted goroutine should yield and is
/// at an asynchronous safe point, make it "call" asyncPreempt there.
unsafe fn do_sig_preempt(ctx: &mut libc::ucontext_t, gp: *mut g, pc: usize, sp: usize) {
    if gp.is_null() {
        return;
    }
    // SAFETY: gp is this thread's live g; its m is live.
    unsafe {
        let mp = (*gp).m;
        if mp.is_null() {
            return;
        }
        if want_async_preempt(gp) {
            if let Some(resume_pc) = async_safe_point(gp, pc, sp) {
                let nsp = sp - 8;
                *(nsp as *mut usize) = resume_pc;
                ctx.uc_mcontext.gregs[libc::REG_RSP as usize] = nsp as i64;
                ctx.uc_mcontext.gregs[libc::REG_RIP as usize] = crate::links::links().asyncPreempt as i64;
            }
        }
        (*mp).signalPending.store(0, Ordering::Release);
    }
}

fn want_async_preempt(gp: *mut g) -> bool {
    // SAFETY: gp is this thread's live g.
    unsafe {
        let mp = (*gp).m;
        let pp = (*mp).p as *mut crate::sched::P;
        ((*gp).preempt || (!pp.is_null() && (*pp).preempt)) && crate::gm::readgstatus(gp) == crate::gm::G_RUNNING
    }
}

/// Stack room asyncPreempt and what it calls need below the interrupted SP.
fn async_preempt_stack() -> usize {
    let l = crate::links::links();
    let a = findfunc(l.asyncPreempt).map_or(512, |f| f.max_spdelta() as usize);
    let b = findfunc(l.asyncPreempt2).map_or(128, |f| f.max_spdelta() as usize);
    a + b + 8 * 8
}

/// Can gp be preempted at pc? Returns the pc to resume at (the start of a
/// restartable sequence, or pc itself).
fn async_safe_point(gp: *mut g, pc: usize, sp: usize) -> Option<usize> {
    // SAFETY: gp is this thread's live g; its m is live.
    unsafe {
        let mp = (*gp).m;
        if (*mp).curg != gp || (*mp).p == 0 || !crate::sched::schedule::can_preempt_m(mp) {
            return None;
        }
        if sp < (*gp).stack.lo || sp - (*gp).stack.lo < async_preempt_stack() {
            return None;
        }
    }
    let f = findfunc(pc)?;
    let up = f.pcdata_value(crate::symtab::PCDATA_UNSAFE_POINT, pc);
    if up == UNSAFE_POINT_UNSAFE {
        return None;
    }
    if f.funcdata(crate::symtab::FUNCDATA_LOCALS_POINTER_MAPS).is_none() || f.flag() & crate::symtab::FUNC_FLAG_ASM != 0 {
        // Assembly: not assumed well-formed.
        return None;
    }
    // The innermost (possibly inlined) function: never the runtime or code
    // closely tied to it.
    let mut name: &[u8] = b"";
    crate::symtab::for_each_src_frame(&f, pc, |sf| {
        name = sf.name;
        false
    });
    if name.starts_with(b"runtime.") || name.starts_with(b"runtime/internal/") || name.starts_with(b"reflect.") {
        return None;
    }
    match up {
        UNSAFE_POINT_RESTART1 | UNSAFE_POINT_RESTART2 => {
            // Back up to the start of the restartable sequence.
            let (_, start) = f.pcdata_value_start(crate::symtab::PCDATA_UNSAFE_POINT, pc);
            if start == 0 || start > pc || pc - start > 20 {
                crate::fatal::throw("bad restart PC");
            }
            Some(start)
        }
        UNSAFE_POINT_RESTART_AT_ENTRY => Some(f.entry()),
        _ => Some(pc),
    }
}

// Values of pcdata UnsafePoint.
const UNSAFE_POINT_UNSAFE: i32 = -2;
const UNSAFE_POINT_RESTART1: i32 = -3;
const UNSAFE_POINT_RESTART2: i32 = -4;
const UNSAFE_POINT_RESTART_AT_ENTRY: i32 = -5;

/// Make the faulting instruction look like it called sigpanic, unless there
/// is no valid frame to return to (a call of a nil function jumps to pc 0:
/// its caller's return address is at sp).
unsafe fn inject_sigpanic(ctx: &mut libc::ucontext_t, gp: *mut g, sig: i32, code: i32, addr: usize, pc: usize, sp: usize) {
    // SAFETY: gp is the interrupted goroutine of this thread; sp is its
    // stack pointer (a Go stack with room below, as at any instruction).
    unsafe {
        (*gp).sig = sig as u32;
        (*gp).sigcode0 = code as usize;
        (*gp).sigcode1 = addr;
        (*gp).sigpc = pc;
        let lr = *(sp as *const usize);
        let push = pc != 0 && !(findfunc(pc).is_none() && findfunc(lr).is_some());
        let mut nsp = sp;
        if push {
            nsp -= 8;
            *(nsp as *mut usize) = pc;
        }
        ctx.uc_mcontext.gregs[libc::REG_RSP as usize] = nsp as i64;
        ctx.uc_mcontext.gregs[libc::REG_RIP as usize] = crate::links::links().sigpanic0 as i64;
    }
}

/// A fault in the runtime itself (or in Go code that cannot panic now).
fn fault_in_runtime(gp: *mut g, sig: i32, code: i32, addr: usize, pc: usize) -> ! {
    crate::fatal::start_dying();
    // SAFETY: gp is null or this thread's live g.
    let mp = if gp.is_null() { core::ptr::null_mut() } else { unsafe { (*gp).m } };
    if !mp.is_null() {
        // SAFETY: mp is this thread's m.
        unsafe { (*mp).throwing = crate::fatal::THROW_RUNTIME };
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
        // SAFETY: as above.
        crate::fatal::dopanic(unsafe { (*mp).curg });
    }
    crate::fatal::exit_or_crash()
}

/// A signal whose action is a dump (SIGQUIT, SIGABRT, ...): the signal,
/// the interrupted goroutine's stack, every other goroutine, the
/// registers; then exit status 2 (or die of SIGABRT with
/// GOTRACEBACK=crash).
unsafe fn dump_and_exit(ctx: &libc::ucontext_t, gp: *mut g, sig: i32, code: i32, addr: usize, pc: usize, sp: usize) -> ! {
    // A thread that GOTRACEBACK=crash's relay reached reports only what it
    // runs; the first one reports everything.
    let relayed = CRASH_RELAY.load(Ordering::Acquire) > 0;
    if !relayed {
        crate::fatal::start_dying();
    }
    // SAFETY: gp is null or this thread's live g, whose m is live.
    unsafe {
        let mp = if gp.is_null() { core::ptr::null_mut() } else { (*gp).m };
        if !mp.is_null() {
            (*mp).throwing = crate::fatal::THROW_RUNTIME;
        }
        print_signame(sig as u32);
        gprint!(b"\nPC=", crate::print::Hex(pc as u64), b" m=");
        if mp.is_null() {
            gprint!(b"nil");
        } else {
            gprint!((*mp).id);
        }
        gprint!(b" sigcode=", code as i64 as u64);
        if sig == SIGSEGV || sig == SIGBUS {
            gprint!(b" addr=", crate::print::Hex(addr as u64));
        }
        gprint!(b"\n");
        // In C code: the report shows the goroutine that called it.
        let cgo = in_cgo(gp);
        let gp = if cgo {
            gprint!(b"signal arrived during cgo execution\n");
            (*mp).curg
        } else {
            gp
        };
        if sig == SIGILL || sig == SIGFPE {
            // The instruction's bytes (up to 16, not crossing a page).
            let n = 16.min(4096 - pc % 4096);
            gprint!(b"instruction bytes:");
            for i in 0..n {
                gprint!(b" ", crate::print::Hex(*((pc + i) as *const u8) as u64));
            }
            gprint!(b"\n");
        }
        gprint!(b"\n");
        let (level, _, _) = crate::fatal::gotraceback();
        if level > 0 {
            let on_goroutine = !mp.is_null() && gp == (*mp).curg;
            if cgo {
                crate::traceback::goroutine_header(gp);
                // The C frames first (with runtime.SetCgoTraceback's
                // functions), then the Go code that called C.
                let mut pcs = [0usize; 32];
                let n = crate::traceback::cgo_signal_callers(ctx as *const libc::ucontext_t as *mut u8, &mut pcs);
                crate::traceback::print_cgo_callers(&pcs[..n]);
                crate::traceback::traceback_current(gp);
            } else if on_goroutine {
                crate::traceback::goroutine_header(gp);
                crate::traceback::traceback_trap(pc, sp, gp);
            } else if !mp.is_null() {
                // The signal arrived on a system stack (an idle thread, or the
                // runtime at work): walk it from the interrupted registers.
                gprint!(b"goroutine 0 gp=", crate::print::Hex(gp as u64), b" m=", (*mp).id, b" mp=", crate::print::Hex(mp as u64), b" [idle]:\n");
                let g0 = (*mp).g0;
                let start = crate::fatal::SysFrameStart {
                    pc,
                    bp: ctx.uc_mcontext.gregs[libc::REG_RBP as usize] as usize,
                    sp,
                };
                crate::traceback::print_system_stack_in(start, (*g0).stack.lo, (*g0).stack.hi);
                // Its goroutine, away in the runtime: the first report
                // left it out (it was running).
                let curg = (*mp).curg;
                if relayed && !curg.is_null() && crate::gm::gstatus(curg) == crate::gm::G_RUNNING {
                    crate::traceback::goroutine_header(curg);
                    crate::traceback::traceback_current(curg);
                }
            }
            if !relayed {
                crate::traceback::traceback_others(if on_goroutine { gp } else { core::ptr::null_mut() });
                gprint!(b"\n");
            }
            dumpregs(ctx);
        }
        if crate::fatal::gotraceback().2 {
            relay_crash(relayed);
        }
    }
    crate::fatal::exit_or_crash()
}

/// GOTRACEBACK=crash: how many threads have reported.
static CRASH_RELAY: AtomicI32 = AtomicI32::new(0);

/// GOTRACEBACK=crash, as upstream: every thread reports what it was
/// running from its own registers (the first report can only say
/// "goroutine running on other thread" for them). Each reporting thread
/// passes a SIGQUIT on to the process; a thread that has reported keeps
/// every signal blocked (the handler's mask, it never returns), so the
/// next one goes to a thread that has not. The first thread dies (of
/// SIGABRT) once every thread has reported, or after 5 seconds; the
/// others die with it, or on their own 5 seconds later if it could not.
fn relay_crash(relayed: bool) -> ! {
    let reported = CRASH_RELAY.fetch_add(1, Ordering::AcqRel) + 1;
    if reported < crate::sched::mthread::mcount_racy() {
        gprint!(b"\n-----\n\n");
        // SAFETY: signalling our own process.
        unsafe { libc::kill(libc::getpid(), libc::SIGQUIT) };
    }
    if relayed {
        crate::sys::nanosleep(5_000_000_000);
    } else {
        for _ in 0..10 {
            if CRASH_RELAY.load(Ordering::Acquire) >= crate::sched::mthread::mcount_racy() {
                break;
            }
            crate::sys::nanosleep(500_000_000);
        }
    }
    crate::fatal::exit_or_crash()
}

fn dumpregs(ctx: &libc::ucontext_t) {
    let r = &ctx.uc_mcontext.gregs;
    let regs: [(&[u8], usize); 17] = [
        (b"rax    ", libc::REG_RAX as usize),
        (b"rbx    ", libc::REG_RBX as usize),
        (b"rcx    ", libc::REG_RCX as usize),
        (b"rdx    ", libc::REG_RDX as usize),
        (b"rdi    ", libc::REG_RDI as usize),
        (b"rsi    ", libc::REG_RSI as usize),
        (b"rbp    ", libc::REG_RBP as usize),
        (b"rsp    ", libc::REG_RSP as usize),
        (b"r8     ", libc::REG_R8 as usize),
        (b"r9     ", libc::REG_R9 as usize),
        (b"r10    ", libc::REG_R10 as usize),
        (b"r11    ", libc::REG_R11 as usize),
        (b"r12    ", libc::REG_R12 as usize),
        (b"r13    ", libc::REG_R13 as usize),
        (b"r14    ", libc::REG_R14 as usize),
        (b"r15    ", libc::REG_R15 as usize),
        (b"rip    ", libc::REG_RIP as usize),
    ];
    for (name, i) in regs {
        gprint!(name, crate::print::Hex(r[i] as u64), b"\n");
    }
    gprint!(b"rflags ", crate::print::Hex(r[libc::REG_EFL as usize] as u64), b"\n");
    // cs, gs and fs share one word (csgsfs): cs in the low 16 bits.
    let csgsfs = r[libc::REG_CSGSFS as usize] as u64;
    gprint!(b"cs     ", crate::print::Hex(csgsfs & 0xffff), b"\n");
    gprint!(b"fs     ", crate::print::Hex((csgsfs >> 32) & 0xffff), b"\n");
    gprint!(b"gs     ", crate::print::Hex((csgsfs >> 16) & 0xffff), b"\n");
}

// ---- os/signal ----

const SIG_IDLE: u32 = 0;
const SIG_RECEIVING: u32 = 1;
const SIG_SENDING: u32 = 2;

/// Signals os/signal asked for, ignores, and the ones pending delivery.
static WANTED: [AtomicU32; 3] = [const { AtomicU32::new(0) }; 3];
static IGNORED: [AtomicU32; 3] = [const { AtomicU32::new(0) }; 3];
static PENDING: [AtomicU32; 3] = [const { AtomicU32::new(0) }; 3];
/// The receiver's copy of PENDING (only signal_recv touches it).
static RECV: [AtomicU32; 3] = [const { AtomicU32::new(0) }; 3];
/// The receiver's state: idle (processing), receiving (asleep), sending
/// (a signal arrived while it was not asleep).
static STATE: AtomicU32 = AtomicU32::new(SIG_IDLE);
/// Handlers in the middle of delivering.
static DELIVERING: AtomicU32 = AtomicU32::new(0);
static NOTE: crate::lock::Note = crate::lock::Note::new();
static INUSE: AtomicU32 = AtomicU32::new(0);

fn bit(s: u32) -> (usize, u32) {
    ((s / 32) as usize, 1 << (s % 32))
}

/// From the signal handler: queue sig for the os/signal loop if it wants
/// it. Returns whether it was queued.
fn sigsend(s: u32) -> bool {
    if s as usize >= NSIG {
        return false;
    }
    let (w, b) = bit(s);
    DELIVERING.fetch_add(1, Ordering::AcqRel);
    if WANTED[w].load(Ordering::Acquire) & b == 0 {
        DELIVERING.fetch_sub(1, Ordering::AcqRel);
        return false;
    }
    if PENDING[w].fetch_or(b, Ordering::AcqRel) & b != 0 {
        // Already queued.
        DELIVERING.fetch_sub(1, Ordering::AcqRel);
        return true;
    }
    loop {
        match STATE.load(Ordering::Acquire) {
            SIG_IDLE => {
                if STATE.compare_exchange(SIG_IDLE, SIG_SENDING, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                    break;
                }
            }
            SIG_SENDING => break,
            SIG_RECEIVING => {
                if STATE.compare_exchange(SIG_RECEIVING, SIG_IDLE, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                    NOTE.wakeup();
                    break;
                }
            }
            _ => crate::fatal::throw("sigsend: inconsistent state"),
        }
    }
    DELIVERING.fetch_sub(1, Ordering::AcqRel);
    true
}

/// os/signal's receive loop, first step: a pending signal (> 0), or 0 when
/// the caller must wait (rt_signalWait, in a system call).
pub fn rt_signalRecv() -> u32 {
    loop {
        for s in 1..NSIG as u32 {
            let (w, b) = bit(s);
            if RECV[w].load(Ordering::Relaxed) & b != 0 {
                RECV[w].fetch_and(!b, Ordering::Relaxed);
                return s;
            }
        }
        match STATE.load(Ordering::Acquire) {
            SIG_IDLE => {
                if STATE.compare_exchange(SIG_IDLE, SIG_RECEIVING, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                    return 0;
                }
            }
            SIG_SENDING => {
                if STATE.compare_exchange(SIG_SENDING, SIG_IDLE, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                    take_pending();
                }
            }
            _ => crate::fatal::throw("signal_recv: inconsistent state"),
        }
    }
}

fn take_pending() {
    for (r, p) in RECV.iter().zip(PENDING.iter()) {
        r.fetch_or(p.swap(0, Ordering::AcqRel), Ordering::AcqRel);
    }
}

/// os/signal's receive loop, waiting (the Go side brackets it as a
/// blocking system call): sleep until a handler queues a signal.
pub fn rt_signalWait() {
    NOTE.sleep();
    NOTE.clear();
    take_pending();
}

pub fn signal_enable(s: u32) {
    if s as usize >= NSIG {
        return;
    }
    if INUSE.swap(1, Ordering::AcqRel) == 0 {
        NOTE.clear();
    }
    let (w, b) = bit(s);
    WANTED[w].fetch_or(b, Ordering::AcqRel);
    IGNORED[w].fetch_and(!b, Ordering::AcqRel);
    let sig = s as usize;
    if s as i32 != SIGPROF
        && SIGTABLE[sig] & NOTIFY != 0
        && HANDLING[sig].compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire).is_ok()
    {
        FWD[sig].store(getsig(sig as i32), Ordering::Relaxed);
        setsig(sig as i32, sighandler as *const () as usize);
        unblock_here(s as i32);
    }
}

/// Make sure the calling thread can receive sig (it may have been blocked
/// in the mask inherited at startup).
fn unblock_here(sig: i32) {
    // SAFETY: mask calls on a local set.
    unsafe {
        let mut set: libc::sigset_t = core::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, core::ptr::null_mut());
    }
}

pub fn signal_disable(s: u32) {
    if s as usize >= NSIG {
        return;
    }
    let (w, b) = bit(s);
    WANTED[w].fetch_and(!b, Ordering::AcqRel);
    let sig = s as usize;
    if s as i32 != SIGPROF && SIGTABLE[sig] & NOTIFY != 0 && !install_by_default(sig) {
        // Back to the disposition gort found.
        HANDLING[sig].store(0, Ordering::Release);
        setsig_raw(sig as i32, FWD[sig].load(Ordering::Relaxed));
    }
}

pub fn signal_ignore(s: u32) {
    if s as usize >= NSIG {
        return;
    }
    let (w, b) = bit(s);
    WANTED[w].fetch_and(!b, Ordering::AcqRel);
    IGNORED[w].fetch_or(b, Ordering::AcqRel);
    let sig = s as usize;
    if s as i32 != SIGPROF && SIGTABLE[sig] & NOTIFY != 0 {
        HANDLING[sig].store(0, Ordering::Release);
        setsig_raw(sig as i32, libc::SIG_IGN);
    }
}

pub fn signal_ignored(s: u32) -> bool {
    if s as usize >= NSIG {
        return false;
    }
    let (w, b) = bit(s);
    IGNORED[w].load(Ordering::Acquire) & b != 0
}

/// signal.Stop waits until no delivery is in flight and the receiver is
/// asleep: true when that holds now (the Go side yields and asks again).
pub fn rt_signalIdle() -> bool {
    DELIVERING.load(Ordering::Acquire) == 0 && STATE.load(Ordering::Acquire) == SIG_RECEIVING
}

/// Set a disposition that is not gort's handler (SIG_DFL, SIG_IGN or a
/// handler found at startup).
fn setsig_raw(sig: i32, handler: usize) {
    // SAFETY: a plain sigaction call.
    unsafe {
        let mut sa: libc::sigaction = core::mem::zeroed();
        sa.sa_sigaction = handler;
        sa.sa_flags = libc::SA_ONSTACK | libc::SA_RESTART;
        libc::sigaction(sig, &sa, core::ptr::null_mut());
    }
}

/// os.sigpipe: a write to stdout or stderr hit a closed pipe: die of
/// SIGPIPE, as upstream does, unless the program ignores SIGPIPE or asked
/// os/signal for it (then it is delivered, and the write just fails with
/// EPIPE).
pub fn rt_sigpipe() {
    if signal_ignored(SIGPIPE as u32) || sigsend(SIGPIPE as u32) {
        return;
    }
    crate::sys::die_from_signal(SIGPIPE)
}
