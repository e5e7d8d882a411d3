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
pub mod heapdump;
pub mod metrics;
pub mod profile;
pub mod race;
pub mod mstats;
pub mod signal;
pub mod syscall;
pub mod testhooks;
pub mod trace;

use crate::env;
use crate::global::Global;
use crate::layout::rt::funcval;
use crate::sched;
use crate::sys;
use crate::links::{g0, links, m0};
use crate::GoLinks;
use core::sync::atomic::{AtomicI64, AtomicU64, Ordering};

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
        crate::gm::init_getg();
        crate::links::init(golinks);
        crate::symtab::init();
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
        (*g0).stackguard0 = (*g0).stack.lo + crate::stack::guard();
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
        sched::sema::init();
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
pub fn rt_mainInitDone() {
    crate::heap::malloc::INIT_TRACE_G.store(0, Ordering::Relaxed);
}

/// GODEBUG=inittrace=1: each package's initialisers report their start,
/// duration and allocations, as upstream's. When the process's runtime.main
/// began (the reports' @ time).
static INIT_TRACE_T0: AtomicI64 = AtomicI64::new(0);
/// The package under way: its start, and the allocation counts then.
static INIT_TRACE_START: AtomicI64 = AtomicI64::new(0);
static INIT_TRACE_BASE: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];

/// Is inittrace on? If so, count the calling (main) goroutine's
/// allocations from now until rt_mainInitDone.
pub fn rt_initTraceOn() -> bool {
    if crate::settings::godebug_at_start(b"inittrace") == 0 {
        return false;
    }
    INIT_TRACE_T0.store(crate::time::nanotime(), Ordering::Relaxed);
    crate::heap::malloc::INIT_TRACE_G.store(crate::gm::curg() as usize, Ordering::Relaxed);
    true
}

/// A package's initialisers start.
pub fn rt_initTraceStart() {
    use crate::heap::malloc::{INIT_TRACE_ALLOCS, INIT_TRACE_BYTES};
    INIT_TRACE_BASE[0].store(INIT_TRACE_ALLOCS.load(Ordering::Relaxed), Ordering::Relaxed);
    INIT_TRACE_BASE[1].store(INIT_TRACE_BYTES.load(Ordering::Relaxed), Ordering::Relaxed);
    INIT_TRACE_START.store(crate::time::nanotime(), Ordering::Relaxed);
}

/// They are done: "init PKG @T ms, D ms clock, B bytes, N allocs" (pc: the
/// package's first initialiser, whose name gives the package).
pub fn rt_initTraceEnd(pc: usize) {
    use crate::heap::malloc::{INIT_TRACE_ALLOCS, INIT_TRACE_BYTES};
    let end = crate::time::nanotime();
    let start = INIT_TRACE_START.load(Ordering::Relaxed);
    let allocs = INIT_TRACE_ALLOCS.load(Ordering::Relaxed) - INIT_TRACE_BASE[0].load(Ordering::Relaxed);
    let bytes = INIT_TRACE_BYTES.load(Ordering::Relaxed) - INIT_TRACE_BASE[1].load(Ordering::Relaxed);
    let name = crate::symtab::findfunc(pc).map(|f| f.name()).unwrap_or(b"?");
    let mut buf = [0u8; 24];
    crate::gprint!(b"init ", package_of(name), b" @");
    crate::print::gwrite(ns_as_ms(&mut buf, (start - INIT_TRACE_T0.load(Ordering::Relaxed)).max(0) as u64));
    crate::gprint!(b" ms, ");
    crate::print::gwrite(ns_as_ms(&mut buf, (end - start).max(0) as u64));
    crate::gprint!(b" ms clock, ", bytes, b" bytes, ", allocs, b" allocs\n");
}

/// A function's package path: its name up to the first dot after the
/// last slash ("crypto/internal/edwards25519.init.0").
fn package_of(name: &[u8]) -> &[u8] {
    let from = name.iter().rposition(|&c| c == b'/').map_or(0, |i| i + 1);
    match name[from..].iter().position(|&c| c == b'.') {
        Some(i) => &name[..from + i],
        None => name,
    }
}

/// Nanoseconds as milliseconds the way inittrace shows them: whole
/// milliseconds from 10 ms up, else two significant digits with at most
/// three decimals ("0.21", "3.7", "0.004", "0").
fn ns_as_ms(buf: &mut [u8; 24], ns: u64) -> &[u8] {
    // The digits kept, and how many of them are decimals.
    let (mut digits, decimals) = if ns >= 10_000_000 {
        (ns / 1_000_000, 0)
    } else {
        let mut us = ns / 1000;
        if us == 0 {
            return b"0";
        }
        // Two significant digits: each one dropped is a decimal less.
        let mut decimals = 3;
        while us >= 100 {
            us /= 10;
            decimals -= 1;
        }
        (us, decimals)
    };
    // From the right: the decimals, the point, then the whole part (at
    // least one digit: "0.008").
    let mut i = buf.len();
    let mut written = 0;
    loop {
        i -= 1;
        buf[i] = b'0' + (digits % 10) as u8;
        digits /= 10;
        written += 1;
        if written == decimals {
            i -= 1;
            buf[i] = b'.';
        }
        if digits == 0 && written > decimals {
            break;
        }
    }
    &buf[i..]
}

/// CPU features the Rust side may use (from internal/cpu, on the Go side).
pub fn rt_cpuflags(avx: bool, avx2: bool, erms: bool) {
    let _ = (avx, avx2, erms);
}

/// Normal process exit (main.main returned, or os.Exit).
pub fn rt_exit(code: i32) -> ! {
    sys::exit_group(code)
}

#[cfg(test)]
mod tests {
    use super::{ns_as_ms, package_of};

    #[test]
    fn inittrace_numbers() {
        let mut b = [0u8; 24];
        for (ns, want) in [
            (0u64, "0"),
            (999, "0"),
            (4_000, "0.004"),
            (21_000, "0.021"),
            (210_000, "0.21"),
            (3_700_000, "3.7"),
            (9_990_000, "9.9"),
            (10_000_000, "10"),
            (123_456_789, "123"),
        ] {
            assert_eq!(core::str::from_utf8(ns_as_ms(&mut b, ns)).unwrap(), want, "{ns}");
        }
        assert_eq!(package_of(b"crypto/internal/edwards25519.init.0"), b"crypto/internal/edwards25519");
        assert_eq!(package_of(b"main.init"), b"main");
        assert_eq!(package_of(b"vendor/golang.org/x/net/idna.init"), b"vendor/golang.org/x/net/idna");
    }
}
