//! Process start and end: what runs between the C library calling `main`
//! and the main goroutine's first instruction, and how the process exits.
//!
//! Startup, on the initial thread (asm `main` has already made g0 and m0
//! current in the TLS slot, on the thread's own stack):
//!   1. record the Go symbols the Rust side needs (runtime·gortlinks);
//!   2. record argv, the environment and auxv;
//!   3. give g0 its real stack bounds (the main thread's stack rlimit);
//!   4. register m0 (its id, signal stack and mask), count CPUs, choose
//!      GOMAXPROCS, create the Ps;
//!   5. create the main goroutine (runtime.main, on its own stack) and
//!      schedule it. runtime.main (Go) runs the package initialisers in the
//!      linker's order, then main.main, then exits with status 0.

pub mod cpuprof;
pub mod debug;
pub mod metrics;
pub mod profile;
pub mod mstats;
pub mod signal;
pub mod syscall;
pub mod testhooks;
pub mod trace;

use crate::env;
use crate::global::Global;
use crate::layout::rt::{self, funcval};
use crate::sched;
use crate::sys;
use crate::links::{g0, links, m0};
use crate::GoLinks;
use core::sync::atomic::Ordering;

/// The main goroutine's function value (runtime.main): written once, by
/// gort_rt0 while the process is single-threaded.
static MAIN_FV: Global<funcval> = Global::new(funcval { r#fn: 0 });

/// The C-ABI entry from asm `main`.
///
/// # Safety
/// Called once, by asm `main`, on the initial thread's stack with g0/m0
/// installed.
#[no_mangle]
pub unsafe extern "C" fn gort_rt0(argc: isize, argv: *const *const u8, golinks: *const GoLinks) -> ! {
    // SAFETY: startup runs single-threaded; each static is written once here.
    unsafe {
        crate::links::init(golinks);
        sched::cgo::init();
        env::init(argc as usize, argv);
        env::secure_init();

        let g0 = g0();
        let m0 = m0();
        // The main thread's stack may grow to its rlimit; keep a margin for
        // the guard gap the kernel keeps below it.
        let limit = sys::getrlimit(sys::RLIMIT_STACK).map(|r| r.cur).unwrap_or(8 << 20);
        let size = (limit.min(64 << 20) as usize).saturating_sub(64 << 10).max(64 << 10);
        let hi = (*g0).stack.hi;
        (*g0).stack.lo = hi - size;
        (*g0).stackguard0 = (*g0).stack.lo + rt::stackGuard as usize;
        (*g0).stackguard1 = (*g0).stackguard0;
        (*g0).atomicstatus.store(crate::gm::G_RUNNING, Ordering::Relaxed);
        sched::mthread::m0init(m0);

        crate::heap::init();
        crate::alg::init();
        crate::time::init();
        crate::settings::init();
        crate::gc::init();
        crate::traceback::init();
        crate::signal::init();
        sched::sysmon::parse_sched_godebug();
        let ncpu = sys::ncpu();
        sched::NCPU.store(ncpu as i64, Ordering::Relaxed);
        let procs = gomaxprocs_from_env().unwrap_or(ncpu);
        sched::procinit(procs);

        MAIN_FV.get().r#fn = links().mainPC;
        let main_g = sched::newproc1(MAIN_FV.as_ptr(), core::ptr::null_mut(), 0);
        sched::runq::runqput(sched::curp(), main_g, true);
    }
    sched::schedule::schedule()
}

/// GOMAXPROCS from the environment, when it is a positive decimal number.
fn gomaxprocs_from_env() -> Option<i32> {
    let v = env::getenv(b"GOMAXPROCS")?;
    let mut n: i64 = 0;
    if v.is_empty() {
        return None;
    }
    for &c in v {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (c - b'0') as i64;
        if n > 1024 {
            n = 1024;
        }
    }
    if n > 0 {
        Some(n as i32)
    } else {
        None
    }
}

/// Called once the runtime package's own initialisers have run.
pub fn rt_runtimeInitDone() {
    crate::iface::itabsinit();
    sched::cgo::runtime_init_done();
}

/// Called once every package initialiser has run, before main.main.
pub fn rt_mainInitDone() {}

/// CPU features the Rust side may use (from internal/cpu, on the Go side).
pub fn rt_cpuflags(avx: bool, avx2: bool, erms: bool) {
    let _ = (avx, avx2, erms);
}

/// Normal process exit (main.main returned, or os.Exit).
pub fn rt_exit(code: i32) -> ! {
    sys::exit_group(code)
}
