//! The runtime's half of cgo: what lets C code and Go code call each other
//! on the threads of one process. runtime/cgo (upstream's C half, always
//! linked since gort links externally) provides the C helpers, reached
//! through Go variables it initialises statically (`links().cgo*`).
//!
//! Go calls C (asm/runtime/cgo.go: cgocall) as a system call: the
//! goroutine enters a system call, `asmcgocall` runs the C function on
//! the M's g0 stack (below g0.sched.sp), and the P may go to other work
//! meanwhile (sysmon hands it off when C takes long).
//!
//! C calls Go through runtime/cgo's `crosscall2`, which calls
//! `cgocallback` (asm) on whatever system stack C runs on:
//!   - on a thread Go created, inside a cgocall: the M is known (TLS g is
//!     its g0); cgocallback lowers g0.sched.sp below the C frames (so that
//!     the runtime's own calls during the callback do not overwrite them),
//!     moves to the goroutine's stack just below where it left Go, and
//!     runs cgocallbackg there: leave the system call, run the Go
//!     function, enter the system call again, return to C;
//!   - on a thread C created: TLS g is nil; `gort_needm` lends the thread
//!     an extra M, an M that belongs to no thread, with its own goroutine
//!     (dead while unused, "in a system call" while lent) in whose context
//!     the call runs. The M stays with the thread (runtime/cgo's pthread
//!     key holds its g0) until the thread exits, when runtime/cgo's key
//!     destructor calls crosscall2 with fn = 0 and `gort_dropm` takes it
//!     back.
//! The goroutine of a callback is locked to its thread for the callback's
//! duration (the C frames below it are on that thread's stack). A panic
//! that leaves the callback abandons the C frames: cgoUnwind (Go) puts
//! g0.sched.sp back and undoes the accounting.
//!
//! Extra Ms are made on demand (needm on a thread with no M free makes one
//! on the spot: creating an M needs locks and memory, not an M) and kept
//! in a pool. The first cgocall (`rt_cgoStart`) makes one ahead: from
//! then on the process counts as using C, as upstream's cgo programs do
//! from their start. Such an M counts as running, so checkdead no longer
//! reports deadlocks (C threads may call in at any time), new Ms' threads
//! are created by runtime/cgo (`_cgo_thread_start`: the C library's
//! thread creation with runtime/cgo's hooks, sanitizers included), and
//! the template thread is running (Ms made from callbacks on C threads
//! are started by it).

use super::*;
use super::cthread::{ccall1, cfn};
use super::mthread::{allm_add, start_template_thread};

extern "C" {
    fn gort_setg(gp: *mut g);
}

// ---- start-up ----

/// runtime/cgo's initialisation, at startup on m0 (g0 installed, no other
/// thread yet): it records gort_setg (to install g0 on the threads it
/// creates for Ms) and checks the main thread's stack.
pub fn init() {
    let f = cfn(crate::links::links().cgoInit);
    if f == 0 {
        return;
    }
    // SAFETY: x_cgo_init(G *g, void (*setg)(void*), void **tlsg, void
    // **tlsbase): it reads and writes g's first two words (the stack
    // bounds) and keeps setg; the TLS arguments are unused on linux/amd64.
    unsafe {
        let f: unsafe extern "C" fn(*mut g, unsafe extern "C" fn(*mut g), *mut u8, *mut u8) = core::mem::transmute(f);
        f(crate::links::g0(), gort_setg, null_mut(), null_mut());
    }
}

/// The runtime's own initialisers have run: runtime/cgo lets calls from C
/// into Go proceed (its exported functions wait for this).
pub fn runtime_init_done() {
    let f = cfn(crate::links::links().cgoNotifyRuntimeInitDone);
    if f != 0 {
        // SAFETY: x_cgo_notify_runtime_init_done(void *unused).
        unsafe { ccall1(f, null_mut()) };
    }
}

/// The first cgocall: prepare for C calling back from any thread.
pub fn rt_cgoStart() {
    if super::cthread::STARTED.load(Ordering::Acquire) || super::cthread::STARTED.swap(true, Ordering::AcqRel) {
        return;
    }
    start_template_thread();
    extra_put(new_extra_m());
}

// ---- accounting ----

/// runtime.NumCgoCall: calls from Go into C so far.
pub fn NumCgoCall() -> i64 {
    let mut n = super::cthread::EXITED_NCGOCALL.load(Ordering::Relaxed);
    let mut mp = super::mthread::allm();
    while !mp.is_null() {
        // SAFETY: Ms are never freed; the list is walked racily, as
        // upstream's (a count, not a snapshot).
        unsafe {
            n = n.wrapping_add((*mp).ncgocall);
            mp = (*mp).alllink;
        }
    }
    n as i64
}

// ---- extra Ms ----

/// The pool of extra Ms no thread holds: a list through m.schedlink under
/// a spin lock (taken by threads that may have no M at all, so no runtime
/// lock: those want an M for the lock-order checker and for sleeping).
struct ExtraPool {
    busy: AtomicBool,
    head: AtomicPtr<m>,
}

static EXTRA: ExtraPool = ExtraPool { busy: AtomicBool::new(false), head: AtomicPtr::new(null_mut()) };

impl ExtraPool {
    fn lock(&self) {
        while self.busy.swap(true, Ordering::Acquire) {
            crate::sys::osyield();
        }
    }
    fn unlock(&self) {
        self.busy.store(false, Ordering::Release);
    }
}

fn extra_put(mp: *mut m) {
    EXTRA.lock();
    // SAFETY: mp belongs to no thread; the list changes under the lock.
    unsafe { (*mp).schedlink = EXTRA.head.load(Ordering::Relaxed) as usize };
    EXTRA.head.store(mp, Ordering::Relaxed);
    EXTRA.unlock();
}

fn extra_get() -> *mut m {
    EXTRA.lock();
    let mp = EXTRA.head.load(Ordering::Relaxed);
    if !mp.is_null() {
        // SAFETY: mp heads the list (under the lock).
        unsafe {
            EXTRA.head.store((*mp).schedlink as *mut m, Ordering::Relaxed);
            (*mp).schedlink = 0;
        }
    }
    EXTRA.unlock();
    mp
}

/// Extra Ms lent to threads (the Go variable runtime.extraMInUse).
fn extra_in_use() -> &'static AtomicU32 {
    // SAFETY: the golink is the address of a Go atomic.Uint32, a static.
    unsafe { &*(crate::links::links().extraMInUse as *const AtomicU32) }
}

/// Room left above a fresh extra goroutine's starting point.
const EXTRA_TOP: usize = 4 * 8;

/// Make an extra M: its g0 (which runs on whatever thread holds the M,
/// its bounds set then) and its goroutine, dead until lent, locked to the
/// M for good, whose stack starts at goexit (where walks of it end). It
/// counts among all Ms from now on. Runs with or without an M.
fn new_extra_m() -> *mut m {
    let mp = persistent::new::<m>();
    let g0 = persistent::new::<g>();
    let gp = super::malg();
    // SAFETY: fresh runtime objects (gp is dead and on allgs, which is
    // all anyone else sees of it).
    unsafe {
        (*g0).m = mp;
        (*g0).atomicstatus.store(G_RUNNING, Ordering::Relaxed);
        (*mp).g0 = g0;
        // Seeded without an M's random state (there may be no M here).
        (*mp).cheaprand = ((crate::time::nanotime() as u64) ^ mp as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (*mp).isextra = true;
        // In C until a call comes in (signals there are C's business).
        (*mp).incgo = true;
        let gr = &mut *gp;
        let sp = (gr.stack.hi - EXTRA_TOP) & !15;
        gr.sched.pc = crate::links::links().goexitPC + 1;
        gr.sched.sp = sp;
        gr.sched.g = gp as usize;
        gr.syscallpc = gr.sched.pc;
        gr.syscallsp = sp;
        gr.stktopsp = sp;
        gr.goid = sched().goidgen.fetch_add(1, Ordering::Relaxed) + 1;
        gr.m = mp;
        gr.lockedm = mp as usize;
        (*mp).curg = gp;
        (*mp).lockedg = gp as usize;
        (*mp).lockedInt = 1;
    }
    allm_add(mp, -1);
    mp
}

/// Set g0's bounds for a call arriving at sp on a thread C created: the
/// thread's stack as the C library knows it, if it holds sp; else a guess
/// around sp (C may run on a stack of its own making).
fn set_foreign_g0_bounds(mp: *mut m, sp: usize) {
    let (mut lo, mut hi) = (sp - (32 << 10), sp + 1024);
    if let Some((l, h)) = crate::sys::thread_stack_bounds() {
        if l < sp && sp <= h {
            (lo, hi) = (l, h);
        }
    }
    // SAFETY: mp is this thread's m.
    unsafe {
        let g0 = (*mp).g0;
        (*g0).stack.lo = lo;
        (*g0).stack.hi = hi;
        (*g0).stackguard0 = lo + crate::stack::guard();
        (*g0).stackguard1 = (*g0).stackguard0;
    }
}

/// cgocallback on a thread without g (C created it, and it holds no M):
/// lend it an extra M. Installs the M's g0 as the thread's g and puts the
/// M's goroutine in a system call (cgocallbackg leaves it). Returns
/// nonzero when the M must be given back as soon as the call returns:
/// when runtime/cgo cannot tie it to the thread (no pthread key).
///
/// # Safety
/// Called only by cgocallback, on the thread's own stack, at sp.
#[no_mangle]
pub unsafe extern "C" fn gort_needm(sp: usize) -> usize {
    // Signals stay blocked until the m is in place (the handler needs a
    // g to tell a Go thread from a C one).
    let mask = crate::sigtab::block_all();
    let mut mp = extra_get();
    if mp.is_null() {
        mp = new_extra_m();
    }
    extra_in_use().fetch_add(1, Ordering::Relaxed);
    // SAFETY: mp is ours now; the thread's g becomes its g0.
    unsafe {
        (*mp).sigmask = core::mem::transmute::<u64, rt::sigset>(mask);
        gort_setg((*mp).g0);
        set_foreign_g0_bounds(mp, sp);
        // The system stack's base for this call: cgocallback saves it and
        // a panic leaving the callback comes back to it (cgoUnwind).
        (*(*mp).g0).sched.sp = sp;
        (*mp).procid = crate::sys::gettid() as u64;
        (*mp).thread = libc::pthread_self() as usize;
        crate::sigtab::minit_foreign(mp, mask);
        casgstatus((*mp).curg, G_DEAD, G_SYSCALL);
        let key = crate::links::links().cgoPthreadKeyCreated;
        let created = cfn(key);
        let bindm = cfn(crate::links::links().cgoBindm);
        if created != 0 && *(created as *const usize) != 0 && bindm != 0 {
            // runtime/cgo keeps g0 in a pthread key: the thread keeps the
            // M, and gives it back (crosscall2 with fn = 0) as it exits.
            ccall1(bindm, (*mp).g0 as *mut u8);
            return 0;
        }
    }
    1
}

/// The thread gives its extra M back: the M's goroutine is dead again, the
/// thread has no g and its own signal mask, and the M returns to the pool.
///
/// # Safety
/// Called only by cgocallback, with the thread's g the g0 of its extra M,
/// outside any call into Go.
#[no_mangle]
pub unsafe extern "C" fn gort_dropm() {
    let mp = getm();
    // SAFETY: mp is this thread's extra M, its goroutine in its system
    // call (between calls from C).
    unsafe {
        if !(*mp).isextra {
            crate::fatal::throw("dropm of an m that is not an extra m");
        }
        crate::sigtab::block_all();
        let mask = core::mem::transmute::<rt::sigset, u64>((*mp).sigmask);
        casgstatus((*mp).curg, G_SYSCALL, G_DEAD);
        crate::sigtab::unminit_foreign(mp);
        gort_setg(null_mut());
        let g0 = (*mp).g0;
        (*g0).stack.lo = 0;
        (*g0).stack.hi = 0;
        (*g0).stackguard0 = 0;
        (*g0).stackguard1 = 0;
        extra_put(mp);
        extra_in_use().fetch_sub(1, Ordering::Relaxed);
        crate::sigtab::set_mask(mask);
    }
}

// ---- callbacks ----

/// cgocallbackg, before it leaves the system call: the callback's
/// goroutine stays on this thread until it returns to C (the C frames
/// below are on this thread's stack), and the system stack the call came
/// in on (g0.sched.sp, set by cgocallback) must be the M's.
pub fn rt_cgocallbackEnter() {
    let mp = getm();
    // SAFETY: on g0, on behalf of the M's goroutine (the callback's).
    unsafe {
        let g0 = (*mp).g0;
        let sp = (*g0).sched.sp;
        if !((*g0).stack.lo < sp && sp <= (*g0).stack.hi) {
            if (*mp).isextra && (*mp).ncgo == 0 {
                // C moved to another stack between calls (coroutines).
                set_foreign_g0_bounds(mp, sp);
            } else {
                crate::gprint!(
                    b"M ", (*mp).id, b" procid ", (*mp).procid, b" runtime: cgocallback with sp=",
                    crate::print::Hex(sp as u64), b" out of bounds [", crate::print::Hex((*g0).stack.lo as u64), b", ",
                    crate::print::Hex((*g0).stack.hi as u64), b"]\n"
                );
                crate::sys::exit_group(2);
            }
        }
    }
    super::mthread::rt_lockOSThread();
}

// ---- the C library's environment ----

/// A NUL-terminated copy of s in C memory (the caller frees it).
fn cstring(s: &crate::layout::GoString) -> *mut u8 {
    // SAFETY: s is a Go string handed to the runtime; the copy is ours.
    unsafe {
        let n = s.len.max(0) as usize;
        let p = libc::malloc(n + 1) as *mut u8;
        if p.is_null() {
            crate::fatal::throw("runtime: C malloc failed");
        }
        core::ptr::copy_nonoverlapping(s.ptr, p, n);
        *p.add(n) = 0;
        p
    }
}

/// Call runtime/cgo's x_cgo_setenv or x_cgo_unsetenv (void f(char **arg))
/// with the strings' copies.
fn env_call(var: usize, strs: &[&crate::layout::GoString]) {
    let f = cfn(var);
    if f == 0 {
        return;
    }
    let mut arg = [null_mut::<u8>(); 2];
    for (i, s) in strs.iter().enumerate() {
        arg[i] = cstring(s);
    }
    // SAFETY: the helper reads arg[0] (and arg[1]); setenv copies them.
    unsafe {
        ccall1(f, arg.as_mut_ptr() as *mut u8);
        for p in arg {
            libc::free(p as *mut libc::c_void);
        }
    }
}

/// os.Setenv: the C library's environment follows (C code reads it).
pub fn rt_setenv_c(key: crate::layout::GoString, value: crate::layout::GoString) {
    env_call(crate::links::links().cgoSetenv, &[&key, &value]);
}

/// os.Unsetenv, likewise.
pub fn rt_unsetenv_c(key: crate::layout::GoString) {
    env_call(crate::links::links().cgoUnsetenv, &[&key]);
}
