//! The race detector's runtime half (`-race` builds): starting and ending
//! ThreadSanitizer's Go runtime, and the callback it makes into the runtime
//! (a P's processor context; code and data symbolization for its reports).
//!
//! The contract is upstream's (runtime/race.go): TSan keeps one context per
//! goroutine (`g.racectx`, made by `__tsan_go_start` when the goroutine is
//! created, ended by `__tsan_go_end`: src/sched), one per P
//! (`P.raceprocctx`, asked for through the callback), and shadow memory for
//! the heap's arenas and the data and bss segments. The entry points and the
//! small hooks the lower layers call are in `base/tsan.rs`.

use crate::tsan::{self, Fn};
use core::sync::atomic::{AtomicBool, Ordering};

/// The callback's commands (TSan's Go interface).
const CMD_GET_PROC: usize = 0;
const CMD_SYMBOLIZE_CODE: usize = 1;
const CMD_SYMBOLIZE_DATA: usize = 2;

/// rt_raceInit(table, n, datastart, dataend): runtime.main's first act in a
/// race build (asm/runtime/race.go raceinit). `table` is race.go's
/// raceTable (`n` words).
///
/// # Safety
/// `table` points to `n` readable words laid out as `tsan::Fn` says;
/// [datastart, dataend) is the program's data and bss, page-rounded.
pub unsafe fn rt_raceInit(table: *mut u8, n: usize, datastart: usize, dataend: usize) {
    if n != tsan::TABLE_LEN {
        crate::fatal::throw("race: runtime/race table does not match the runtime library");
    }
    // SAFETY: the caller passes race.go's table of TABLE_LEN words.
    let table = unsafe { &*(table as *const [usize; tsan::TABLE_LEN]) };
    tsan::install(table);
    let mut gctx = 0usize;
    let mut pctx = 0usize;
    // SAFETY: __tsan_init(&gctx, &pctx, callback): both words receive
    // contexts; the callback has the C signature TSan expects.
    unsafe {
        tsan::call(
            Fn::Init,
            &mut gctx as *mut usize as usize,
            &mut pctx as *mut usize as usize,
            gort_racecallback as *const () as usize,
            0,
        )
    };
    tsan::set_root_ctx(gctx);
    tsan::map_data(datastart, dataend - datastart);
    let mp = crate::gm::getm();
    // SAFETY: m0 (this thread's m), its g0 and P are live; the main
    // goroutine (the current one) runs no instrumented code yet.
    unsafe {
        // g0s have no context of their own (upstream gives m0's g0
        // gctx): a g0's racectx is set only while a timer function runs
        // on it (sched/timer.rs run_one), which newproc1 reads.
        let cur = crate::sched::curp();
        for i in 0..crate::sched::MAX_GOMAXPROCS {
            let pp = crate::sched::allp(i);
            if pp.is_null() {
                break;
            }
            (*pp).raceprocctx = if pp == cur { pctx } else { tsan::proc_create() };
        }
        tsan::enable();
        crate::heap::race_map_arenas();
        let gp = (*mp).curg;
        (*gp).racectx = tsan::go_start(gctx, 0);
        // -race code assumes twice the usual nosplit room below
        // stackguard0; the main goroutine (made before this) gets it now,
        // the others as they are made.
        crate::stack::set_race_guard();
        if !(*gp).preempt {
            (*gp).stackguard0 = (*gp).stack.lo + crate::stack::guard();
        }
    }
}

/// The first caller of racefini (__tsan_fini exits the process; a second
/// caller waits for that).
static FINISHING: AtomicBool = AtomicBool::new(false);

/// rt_raceFini: end the program through TSan, which prints "Found N data
/// race(s)" and exits with status 66 if it reported any, else 0 (the exit
/// of a race build that would exit 0).
pub fn rt_raceFini() {
    if FINISHING.swap(true, Ordering::AcqRel) {
        loop {
            crate::sys::usleep(1_000_000);
        }
    }
    // SAFETY: __tsan_fini takes no arguments and does not return.
    unsafe { tsan::call(Fn::Fini, 0, 0, 0, 0) };
    crate::fatal::throw("race: __tsan_fini returned");
}

/// What TSan asks the code symbolizer (upstream's symbolizeCodeContext).
#[repr(C)]
struct CodeCtx {
    pc: usize,
    func: *const u8,
    file: *const u8,
    line: usize,
    off: usize,
    res: usize,
}

/// What TSan asks the data symbolizer (upstream's symbolizeDataContext).
#[repr(C)]
struct DataCtx {
    addr: usize,
    heap: usize,
    start: usize,
    size: usize,
    name: *const u8,
    file: *const u8,
    line: usize,
    res: usize,
}

/// The callback TSan was given at __tsan_init: C ABI, called on the
/// system stack from inside a TSan entry point (the TLS g is the goroutine
/// that made the call, or g0 when Rust made it).
///
/// # Safety
/// Called by TSan only, with `ctx` pointing to the command's structure.
#[no_mangle]
pub unsafe extern "C" fn gort_racecallback(cmd: usize, ctx: *mut u8) {
    match cmd {
        CMD_GET_PROC => {
            let pp = crate::sched::curp();
            if pp.is_null() {
                crate::fatal::throw("race: the race runtime needs a P on an M that has none");
            }
            // SAFETY: ctx is TSan's word for the answer; pp is this M's P.
            unsafe { *(ctx as *mut usize) = (*pp).raceprocctx };
        }
        // SAFETY: TSan passes the structure of the command.
        CMD_SYMBOLIZE_CODE => symbolize_code(unsafe { &mut *(ctx as *mut CodeCtx) }),
        // SAFETY: as above.
        CMD_SYMBOLIZE_DATA => symbolize_data(unsafe { &mut *(ctx as *mut DataCtx) }),
        _ => crate::fatal::throw("race: unknown callback command"),
    }
}

/// Name, file and line of ctx.pc (already the call instruction's last
/// byte). For a pc in inlined code: the innermost inlined function, and
/// ctx.pc becomes the pc in its caller, which TSan then asks about in turn.
/// Strings are handed out NUL-terminated (the pclntab's are).
fn symbolize_code(ctx: &mut CodeCtx) {
    static UNKNOWN_FN: &[u8] = b"??\0";
    static UNKNOWN_FILE: &[u8] = b"-\0";
    let pc = ctx.pc;
    if let Some(fi) = crate::symtab::findfunc(pc) {
        // A runtime function's own access (meta/racepc.rs): upstream's
        // position of the function.
        if let Some((file, line)) = crate::racepc::upstream_position(&fi, pc) {
            ctx.func = fi.name().as_ptr();
            ctx.file = file;
            ctx.line = line;
            ctx.off = 0;
            ctx.res = 1;
            return;
        }
        let mut at = pc;
        for _ in 0..1000 {
            let (file, line) = fi.file_line(at);
            let (name, caller, wrapper) = match fi.inlined_at(at) {
                Some(ic) => (
                    fi.name_at(ic.name_off),
                    Some(fi.entry() + ic.parent_pc as usize),
                    ic.func_id == crate::symtab::FUNCID_WRAPPER,
                ),
                None => (fi.name(), None, false),
            };
            if !wrapper && line > 0 {
                ctx.func = name.as_ptr();
                ctx.file = file.as_ptr();
                ctx.line = line as usize;
                ctx.off = pc - fi.entry();
                ctx.res = 1;
                if let Some(c) = caller {
                    ctx.pc = c;
                }
                return;
            }
            match caller {
                Some(c) => at = c,
                None => break,
            }
        }
    }
    ctx.func = UNKNOWN_FN.as_ptr();
    ctx.file = UNKNOWN_FILE.as_ptr();
    ctx.line = 0;
    ctx.off = pc;
    ctx.res = 1;
}

/// The heap object holding ctx.addr, if any (TSan prints "Location is heap
/// block of size N at ..."); globals are left to TSan.
fn symbolize_data(ctx: &mut DataCtx) {
    let s = crate::heap::span_of_heap(ctx.addr);
    if s.is_null() {
        return;
    }
    // SAFETY: span_of_heap returned an in-use span (never freed).
    let (start, elemsize) = unsafe { ((*s).start, (*s).elemsize) };
    if elemsize == 0 {
        return;
    }
    ctx.heap = 1;
    ctx.start = start + (ctx.addr - start) / elemsize * elemsize;
    ctx.size = elemsize;
    ctx.res = 1;
}
