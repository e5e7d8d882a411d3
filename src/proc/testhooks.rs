//! Entry points for the runtime's own tests only: the Rust half of gort's
//! export_test.go (asm/runtime_test), which upstream's external runtime
//! tests call. Their Go declarations and trampolines are generated into
//! files that `gort conform` adds to the throw-away GOROOT of the runtime
//! tests (surface entries marked `!test`); no program built with gort's
//! overlay can call them. Each opens a window on one part of gort (its run
//! queues, semaphores, collector, statistics) in the sense upstream's hook
//! of the same name gives the tests.

use crate::heap::sizeclasses::PAGE_SIZE;
use crate::heap::{self, Mspan};
use crate::layout::rt::g;
use crate::layout::{GoSlice, GoString};
use crate::mstats::MemStats as Stats;
use crate::sched::{self, runq, P};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicI32, AtomicI64, AtomicPtr, AtomicUsize, Ordering};

// ---- environment and tracebacks ----

/// The runtime's environment: the tests' replacement (set_envs), else a
/// copy of the initial one.
pub fn rt_test_envs() -> GoSlice<GoString> {
    crate::env::env_override().unwrap_or_else(crate::syscall::envs)
}

/// # Safety
/// e is a Go slice of strings the caller keeps alive and unchanged until
/// the next call (env::set_envs).
pub unsafe fn rt_test_setEnvs(e: GoSlice<GoString>) {
    // SAFETY: per the function contract.
    unsafe { crate::env::set_envs(e) }
}

/// # Safety
/// level is a live Go string.
pub unsafe fn rt_test_setTracebackEnv(level: GoString) {
    // SAFETY: per the function contract.
    crate::fatal::set_traceback(unsafe { level.as_bytes() })
}

// ---- run queues, on Ps made for the test ----

/// Ps made by rt_test_newP and given back, for reuse (the tests make
/// thousands; a P is never freed): a slot is taken by swapping it to null.
static FREE_PS: [AtomicPtr<P>; 8] = [const { AtomicPtr::new(null_mut()) }; 8];

/// A P that belongs to no M and runs nothing, with empty run queues.
pub fn rt_test_newP() -> *mut u8 {
    new_p() as *mut u8
}

fn new_p() -> *mut P {
    let Some(pp) = FREE_PS.iter().map(|slot| slot.swap(null_mut(), Ordering::Acquire)).find(|pp| !pp.is_null()) else {
        let pp = crate::persistent::new::<P>();
        // SAFETY: a fresh, zeroed P no one else knows.
        unsafe { (*pp).id = -1 };
        return pp;
    };
    // SAFETY: pp came back through rt_test_freeP and was taken from its
    // slot: no one else uses it.
    unsafe {
        (*pp).runq_head.store(0, Ordering::Relaxed);
        (*pp).runq_tail.store(0, Ordering::Relaxed);
        (*pp).runnext.store(0, Ordering::Relaxed);
    }
    pp
}

pub fn rt_test_freeP(pp: *mut u8) {
    let pp = pp as *mut P;
    // Into the first empty slot; with none, the P is left unused.
    for slot in &FREE_PS {
        if slot.compare_exchange(null_mut(), pp, Ordering::Release, Ordering::Relaxed).is_ok() {
            return;
        }
    }
}

pub fn rt_test_runqput(pp: *mut u8, gp: *mut g, next: bool) {
    runq::runqput(pp as *mut P, gp, next)
}

pub fn rt_test_runqget(pp: *mut u8) -> *mut g {
    runq::runqget(pp as *mut P).0
}

pub fn rt_test_runqempty(pp: *mut u8) -> bool {
    runq::runq_empty(pp as *mut P)
}

pub fn rt_test_runqsteal(pp: *mut u8, p2: *mut u8, steal_runnext: bool) -> *mut g {
    runq::runqsteal(pp as *mut P, p2 as *mut P, steal_runnext)
}

/// The capacity of a P's local run queue.
pub fn rt_test_runqSize() -> isize {
    sched::RUNQ_SIZE as isize
}

// ---- the network poller ----

pub fn rt_test_netpollBreak() {
    crate::netpoll::netpoll_break()
}

/// Poll once (waiting up to `delay` ns) and make the goroutines found
/// ready runnable.
pub fn rt_test_netpoll(delay: i64) {
    if !crate::netpoll::inited() {
        return;
    }
    let (mut list, delta) = crate::netpoll::netpoll(delay);
    crate::netpoll::adjust_waiters(delta);
    runq::injectglist(&mut list);
}

// ---- semaphores ----

pub fn rt_test_semNwait(addr: *mut u32) -> u32 {
    crate::sema::nwait(addr)
}

// ---- symbol tables ----

/// The pcdata UnsafePoint value at pc (0 for a safe point; upstream's
/// negative codes otherwise); -1 without a function there.
pub fn rt_test_pcdataUnsafePoint(pc: usize) -> i32 {
    match crate::symtab::findfunc(pc) {
        Some(f) => f.pcdata_value(crate::symtab::PCDATA_UNSAFE_POINT, pc),
        None => -1,
    }
}

// ---- the collector and the heap ----

/// Moved stacks are filled with a pattern before reuse while `on`
/// (ShrinkStackAndVerifyFramePointers; upstream's stackPoisonCopy).
pub fn rt_test_setStackPoison(on: bool) {
    crate::stack::POISON_OLD.store(on, Ordering::Relaxed);
}

pub fn rt_test_forceGCPeriod() -> *mut i64 {
    crate::gc::FORCEGC_PERIOD.as_ptr()
}

pub fn rt_test_finalizerAsleep() -> bool {
    crate::gc::finalizer::runner_asleep()
}

pub fn rt_test_inHeap(p: *mut u8) -> bool {
    !heap::span_of_heap(p as usize).is_null()
}

/// Addresses whose marks the next collection records (GCTestIsReachable):
/// held here, outside anything the collector scans.
static PROBE: AtomicPtr<usize> = AtomicPtr::new(null_mut());
static PROBE_N: AtomicUsize = AtomicUsize::new(0);
static PROBE_MASK: AtomicI64 = AtomicI64::new(0);

/// Called by the collector after marking (gc::AFTER_MARK), world stopped:
/// record which probed objects are marked.
fn probe_marks() {
    let p = PROBE.load(Ordering::Acquire);
    if p.is_null() {
        return;
    }
    let mut mask = 0u64;
    for i in 0..PROBE_N.load(Ordering::Relaxed) {
        // SAFETY: PROBE points at PROBE_N addresses (rt_test_isReachable).
        let a = unsafe { *p.add(i) };
        let s = heap::span_of_heap(a);
        // SAFETY: s is an in-use span containing a.
        if !s.is_null() && unsafe { (*s).is_marked((*s).obj_index(a)) } {
            mask |= 1 << i;
        }
    }
    PROBE_MASK.store(mask as i64, Ordering::Relaxed);
}

/// Collect, and report bit i set when the object ptrs[i] points to
/// survived marking. The slice's own references are cleared first, so that
/// only the program's make the objects reachable.
///
/// # Safety
/// ptrs is a live Go slice; the caller (Go) holds worldsema.
pub unsafe fn rt_test_isReachable(ptrs: GoSlice<*mut u8>) -> u64 {
    let n = ptrs.len as usize;
    if n > 64 {
        crate::fatal::throw("GCTestIsReachable: more than 64 pointers");
    }
    let mut addrs = [0usize; 64];
    for (i, a) in addrs.iter_mut().enumerate().take(n) {
        // SAFETY: ptrs is a live Go slice of n pointers.
        unsafe {
            *a = *ptrs.ptr.add(i) as usize;
            *ptrs.ptr.add(i) = null_mut();
        }
    }
    static AFTER_MARK: fn() = probe_marks;
    crate::gc::AFTER_MARK.set(&AFTER_MARK);
    PROBE_N.store(n, Ordering::Relaxed);
    PROBE.store(addrs.as_mut_ptr(), Ordering::Release);
    crate::gc::collect_stopped();
    PROBE.store(null_mut(), Ordering::Release);
    PROBE_MASK.load(Ordering::Relaxed) as u64
}

/// What the heap walk finds: bytes and objects allocated, per size class,
/// and pages of in-use spans.
struct Census {
    bytes: u64,
    objects: u64,
    by_class: [u64; heap::sizeclasses::NUM_SIZE_CLASSES],
    pages: u64,
}

/// Walk every in-use span.
///
/// # Safety
/// The world is stopped (stop_swept).
unsafe fn census() -> Census {
    let mut c = Census { bytes: 0, objects: 0, by_class: [0; heap::sizeclasses::NUM_SIZE_CLASSES], pages: 0 };
    let mut count = |s: *mut Mspan| {
        // SAFETY: s is an in-use span; the world is stopped.
        let sp = unsafe { &*s };
        c.pages += sp.npages as u64;
        let n = if sp.size_class() == 0 { 1 } else { sp.allocated_count() as u64 };
        c.objects += n;
        c.bytes += n * sp.elemsize as u64;
        if sp.size_class() != 0 {
            c.by_class[sp.size_class()] += n;
        }
    };
    // SAFETY: per the function contract.
    unsafe { heap::for_each_span(&mut count) };
    c
}

/// Stop the world with every span swept (as a collection does: the
/// current M stays unpreemptible until start_swept).
fn stop_swept(why: &'static [u8]) {
    heap::sweep::finish();
    crate::gm::acquirem();
    sched::stw::stop_the_world_for(crate::sched::stats::StwReason::ForTest(why));
    heap::sweep::finish();
}

fn start_swept() {
    let _ = sched::stw::start_the_world();
    crate::gm::releasem();
}

/// ReadMemStats' figures (base) and the same figures with the heap's
/// recounted by walking its spans (slow).
///
/// # Safety
/// base and slow point at the caller's MemStats; the caller (Go) holds
/// worldsema.
pub unsafe fn rt_test_readMemStatsSlow(base: *mut u8, slow: *mut u8) {
    stop_swept(b"ReadMemStatsSlow (test)");
    // SAFETY: per the function contract; the world is stopped.
    let c = unsafe {
        crate::mstats::fill(base);
        census()
    };
    start_swept();
    // SAFETY: base and slow point at the caller's MemStats, which
    // crate::mstats::MemStats mirrors field by field.
    unsafe {
        core::ptr::copy_nonoverlapping(base as *const u8, slow, core::mem::size_of::<Stats>());
        let s = &mut *(slow as *mut Stats);
        s.alloc = c.bytes;
        s.heap_alloc = c.bytes;
        s.heap_objects = c.objects;
        s.frees = s.mallocs - c.objects.min(s.mallocs);
        s.heap_inuse = c.pages * PAGE_SIZE as u64;
        s.heap_idle = s.heap_sys - s.heap_inuse.min(s.heap_sys);
        for (i, b) in s.by_size.iter_mut().enumerate() {
            if i > 0 && i < c.by_class.len() {
                b.frees = b.mallocs - c.by_class[i].min(b.mallocs);
            }
        }
    }
}

/// MemStats and runtime/metrics' samples from one stop of the world.
///
/// # Safety
/// m points at the caller's MemStats; samples are the caller's, their
/// histograms prepared (asm/runtime/metrics.go); worldsema is held.
pub unsafe fn rt_test_readMetricsSlow(m: *mut u8, samples: crate::layout::GoSlice<crate::layout::rt::metricSample>) {
    stop_swept(b"ReadMetricsSlow (test)");
    // SAFETY: per the function contract; the world is stopped.
    unsafe {
        crate::mstats::fill(m);
        crate::metrics::rt_readMetrics(samples);
    }
    start_swept();
}

/// Pages in use by the heap's running count, and by a walk of its spans.
pub fn rt_test_countPagesInUse() -> (usize, usize) {
    stop_swept(b"CountPagesInUse (test)");
    let running = heap::heap_inuse() / PAGE_SIZE;
    // SAFETY: the world is stopped.
    let counted = unsafe { census() }.pages as usize;
    start_swept();
    (running, counted)
}

// ---- signals ----

/// The pipe WaitForSigusr1 waits on (-1: not armed), and the id of the M
/// whose thread received SIGUSR1.
static SIGUSR1_FD: AtomicI32 = AtomicI32::new(-1);
static SIGUSR1_M: AtomicI64 = AtomicI64::new(-1);

/// Is a runtime test waiting for SIGUSR1? (Read by the signal handler.)
pub fn sigusr1_armed() -> bool {
    SIGUSR1_FD.load(Ordering::Acquire) >= 0
}

/// In the signal handler: record which M got SIGUSR1 and wake the test.
pub fn sigusr1_received(m_id: i64) {
    SIGUSR1_M.store(m_id, Ordering::Release);
    let fd = SIGUSR1_FD.load(Ordering::Acquire);
    let b = 0u8;
    // SAFETY: write(2) of one byte from a local; async-signal-safe.
    unsafe { libc::write(fd, core::ptr::addr_of!(b) as *const libc::c_void, 1) };
}

pub fn rt_test_sigusr1Arm(wfd: i32) {
    SIGUSR1_M.store(-1, Ordering::Relaxed);
    SIGUSR1_FD.store(wfd, Ordering::Release);
}

/// Disarm; the id of the M that received the signal (-1: none).
pub fn rt_test_sigusr1Disarm() -> i64 {
    SIGUSR1_FD.store(-1, Ordering::Release);
    SIGUSR1_M.load(Ordering::Acquire)
}

// ---- pinning ----

/// Where rt_test_pinCounter leaves its answer.
static PIN_EXTRA: AtomicUsize = AtomicUsize::new(0);

/// The runtime tests' GetPinCounter: the pins beyond the first of the
/// object p points into (read at once by the caller), or null when it is
/// pinned at most once.
pub fn rt_test_pinCounter(p: *mut u8) -> *mut usize {
    let n = crate::heap::pin::pin_count(p as usize);
    if n <= 1 {
        return null_mut();
    }
    PIN_EXTRA.store(n as usize - 1, Ordering::Relaxed);
    PIN_EXTRA.as_ptr()
}

// ---- debugger call injection (InjectDebugCall) ----
//
// The tests' debugger: InjectDebugCall arms a session and sends SIGTRAP to
// the target goroutine's thread; gort's signal handler passes that signal,
// and then the INT3 traps of the call protocol (asm/runtime/debugcall.go),
// to `debugcall_trap`, which plays each step on the interrupted context as
// a debugger would through ptrace. The session ends at the protocol's last
// stop (or at once, when no call could be injected), by a byte on the
// test's pipe.

/// One session. Armed by the test (rt_test_debugCallArm), then used only
/// by the signal handler on the target thread, then read by the test
/// (rt_test_debugCallDisarm) once the handler has written the pipe: never
/// two at a time (DEBUG_CALL_ARMED hands it over).
struct DebugCall {
    gp: *mut g,
    /// The thread gp is locked to (the call's goroutine takes it over).
    mp: *mut crate::layout::rt::m,
    fv: *mut crate::layout::rt::funcval,
    regs: *mut crate::layout::abi::RegArgs,
    argp: *mut u8,
    arg_size: usize,
    wfd: i32,
    /// The call was injected: the traps now come from the protocol.
    injected: bool,
    /// The registers at the injection (restored at status 16).
    gregs: [libc::greg_t; 23],
    fp: libc::_libc_fpstate,
    /// Why no call was made (a static string), or empty.
    reason: GoString,
    /// The called function's panic value (an eface), if it panicked.
    panicked: [usize; 2],
}

// SAFETY: the session is handed between threads by DEBUG_CALL_ARMED.
unsafe impl Send for DebugCall {}

static DEBUG_CALL: crate::global::Global<Option<DebugCall>> = crate::global::Global::new(None);
static DEBUG_CALL_ARMED: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// Registers of the internal ABI's integer arguments, in order.
const INT_ARG_REGS: [i32; 9] = [
    libc::REG_RAX, libc::REG_RBX, libc::REG_RCX, libc::REG_RDI, libc::REG_RSI, libc::REG_R8, libc::REG_R9,
    libc::REG_R10, libc::REG_R11,
];

/// Arm a session: inject a call of fv (arguments in regs and at argp,
/// arg_size bytes, results written back there) into gp; the end is
/// signalled on wfd.
///
/// # Safety
/// gp is a goroutine locked to its thread; fv a func value; regs null or
/// an abi.RegArgs; argp null or arg_size bytes: all kept alive by the
/// caller until it disarms.
pub unsafe fn rt_test_debugCallArm(
    gp: *mut g, fv: *mut crate::layout::rt::funcval, regs: *mut u8, argp: *mut u8, arg_size: usize, wfd: i32,
) {
    // SAFETY: no session is armed: the handler does not touch the global.
    unsafe {
        *DEBUG_CALL.get() = Some(DebugCall {
            gp,
            mp: (*gp).lockedm as *mut crate::layout::rt::m,
            fv,
            regs: regs as *mut crate::layout::abi::RegArgs,
            argp,
            arg_size,
            wfd,
            injected: false,
            gregs: core::mem::zeroed(),
            fp: core::mem::zeroed(),
            reason: GoString { ptr: null_mut(), len: 0 },
            panicked: [0; 2],
        });
    }
    DEBUG_CALL_ARMED.store(true, Ordering::Release);
}

/// End the session (the handler signalled its end): why no call was made
/// ("" if one was), and the called function's panic value, written to
/// *panicked (an `any`; left alone if it did not panic).
///
/// # Safety
/// panicked points to an `any`.
pub unsafe fn rt_test_debugCallDisarm(panicked: *mut u8) -> GoString {
    DEBUG_CALL_ARMED.store(false, Ordering::Release);
    // SAFETY: disarmed, and the handler is done with the session (it wrote
    // the pipe last).
    unsafe {
        let Some(s) = DEBUG_CALL.get().take() else { return GoString { ptr: null_mut(), len: 0 } };
        if s.panicked[0] != 0 {
            // The tests stop the collector around a call: no barrier.
            *(panicked as *mut [usize; 2]) = s.panicked;
        }
        s.reason
    }
}

/// The session is over: the test may go on.
fn debugcall_finish(s: &mut DebugCall, reason: &'static [u8]) {
    if !reason.is_empty() {
        s.reason = GoString { ptr: reason.as_ptr(), len: reason.len() as isize };
    }
    DEBUG_CALL_ARMED.store(false, Ordering::Release);
    let b = 0u8;
    // SAFETY: write(2) of one byte from a local; async-signal-safe.
    unsafe { libc::write(s.wfd, core::ptr::addr_of!(b) as *const libc::c_void, 1) };
}

/// In the signal handler, for SIGTRAP: a step of an armed session?
/// Returns whether the signal was the session's (false: handle it as any
/// SIGTRAP).
///
/// # Safety
/// ctx is the handler's context; gp the thread's g (or null).
pub unsafe fn debugcall_trap(ctx: &mut libc::ucontext_t, gp: *mut g, from_user: bool) -> bool {
    if !DEBUG_CALL_ARMED.load(Ordering::Acquire) || gp.is_null() {
        return false;
    }
    // SAFETY: armed: the session is this handler's until it finishes.
    let s = unsafe { DEBUG_CALL.get().as_mut() };
    let Some(s) = s else { return false };
    // SAFETY: gp is this thread's live g.
    let mp = unsafe { (*gp).m };
    if mp.is_null() || mp != s.mp {
        return false;
    }
    let r = &mut ctx.uc_mcontext.gregs;
    let (pc, sp) = (r[libc::REG_RIP as usize] as usize, r[libc::REG_RSP as usize] as usize);
    // SAFETY: the kernel's context: fpregs points to the saved FPU state.
    let fp = unsafe { &mut *ctx.uc_mcontext.fpregs };
    if !s.injected {
        if !from_user {
            return false;
        }
        match crate::gm::gstatus(s.gp) {
            crate::gm::G_RUNNING => {}
            crate::gm::G_RUNNABLE => {
                debugcall_finish(s, b"retry _Grunnable");
                return true;
            }
            _ => {
                debugcall_finish(s, b"goroutine in unexpected state at call inject");
                return true;
            }
        }
        // SAFETY: s.gp is live.
        let lo = unsafe { (*s.gp).stack.lo };
        if gp != s.gp || sp <= lo + 256 {
            // Running the runtime's Rust code on the system stack (whose
            // leaf functions may use the 128 bytes below SP), or short of
            // stack: not a place to push a frame. Try again later.
            debugcall_finish(s, b"executing on Go runtime stack");
            return true;
        }
        s.gregs = *r;
        s.fp = *fp;
        // SAFETY: sp is the goroutine's SP with room below (checked).
        unsafe {
            let nsp = sp - 8;
            *(nsp as *mut usize) = pc;
            *((nsp - 16) as *mut usize) = s.arg_size;
            r[libc::REG_RSP as usize] = nsp as i64;
        }
        r[libc::REG_RIP as usize] = crate::links::links().debugCallV2 as i64;
        s.injected = true;
        return true;
    }
    if from_user {
        return false;
    }
    // A protocol stop: just after an INT3 of runtime.debugCall*.
    let name = crate::symtab::findfunc(pc).map_or(&b""[..], |f| f.name());
    let name = name.strip_prefix(b"runtime.").unwrap_or(name);
    // SAFETY: pc follows an instruction of a function just found.
    if !name.starts_with(b"debugCall") || unsafe { *((pc - 1) as *const u8) } != 0xcc {
        return false;
    }
    // SAFETY: each step reads and writes the goroutine's stack at its SP
    // as the protocol lays it out, and the caller's buffers (the arm's
    // contract).
    unsafe {
        match r[libc::REG_R12 as usize] {
            0 => {
                if s.arg_size != 0 && !s.argp.is_null() {
                    core::ptr::copy_nonoverlapping(s.argp, sp as *mut u8, s.arg_size);
                }
                if !s.regs.is_null() {
                    for (i, &reg) in INT_ARG_REGS.iter().enumerate() {
                        r[reg as usize] = (*s.regs).Ints[i] as i64;
                    }
                    for (i, &v) in (*s.regs).Floats.iter().enumerate() {
                        fp._xmm[i].element[0] = v as u32;
                        fp._xmm[i].element[1] = (v >> 32) as u32;
                    }
                }
                let nsp = sp - 8;
                *(nsp as *mut usize) = pc;
                r[libc::REG_RSP as usize] = nsp as i64;
                r[libc::REG_RIP as usize] = (*s.fv).r#fn as i64;
                r[libc::REG_RDX as usize] = s.fv as i64;
            }
            1 => {
                if s.arg_size != 0 && !s.argp.is_null() {
                    core::ptr::copy_nonoverlapping(sp as *const u8, s.argp, s.arg_size);
                }
                if !s.regs.is_null() {
                    for (i, &reg) in INT_ARG_REGS.iter().enumerate() {
                        (*s.regs).Ints[i] = r[reg as usize] as usize;
                    }
                    for (i, v) in (*s.regs).Floats.iter_mut().enumerate() {
                        *v = fp._xmm[i].element[0] as u64 | (fp._xmm[i].element[1] as u64) << 32;
                    }
                }
            }
            2 => s.panicked = *(sp as *const [usize; 2]),
            8 => s.reason = *(sp as *const GoString),
            16 => {
                for (i, v) in s.gregs.iter().enumerate() {
                    if i != libc::REG_RIP as usize && i != libc::REG_RSP as usize {
                        r[i] = *v;
                    }
                }
                *fp = s.fp;
                debugcall_finish(s, b"");
            }
            _ => debugcall_finish(s, b"unexpected debugCallV2 status"),
        }
    }
    true
}
