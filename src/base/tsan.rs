//! ThreadSanitizer's Go entry points, for the race detector (`-race`).
//!
//! A race build links TSan's Go runtime (runtime/race's .syso). The Go side
//! (asm/runtime/race.go, built only with the race tag) hands this module a
//! table of the entry points' addresses at startup (`proc/race.rs`
//! `rt_raceInit`); until then, and always in other builds, `enabled()` is
//! false and every hook here is one relaxed load. The library is the same
//! for both kinds of build: nothing here names a TSan symbol.
//!
//! Every entry point is a C function that must run on a system stack: the
//! Rust side is always on one (g0), so it calls them directly; Go code
//! reaches the hot ones (memory accesses, function entry and exit,
//! sync/atomic) through race_amd64.s's racecall.

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The entry points, in the order of race.go's raceTable; then the
/// addresses of the Go variables that bound the heap's shadowed range
/// (race_amd64.s reads them on every access) and of racegctx.
// Entry points the runtime does not call yet stay in the table (its
// layout is race.go's).
#[allow(dead_code)]
#[derive(Clone, Copy)]
#[repr(usize)]
pub enum Fn {
    Init,
    Fini,
    ProcCreate,
    ProcDestroy,
    MapShadow,
    FinalizerGoroutine,
    GoStart,
    GoEnd,
    Malloc,
    Free,
    Acquire,
    Release,
    ReleaseAcquire,
    ReleaseMerge,
    ReadRange,
    WriteRange,
    ReadPc,
    WritePc,
    FuncEnter,
    FuncExit,
    ArenaStartVar,
    ArenaEndVar,
    RootCtxVar,
}

/// How many words race.go's table has.
pub const TABLE_LEN: usize = Fn::RootCtxVar as usize + 1;

#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicUsize = AtomicUsize::new(0);
/// The table (written once by `install`, before `ENABLED`).
static TABLE: [AtomicUsize; TABLE_LEN] = [ZERO; TABLE_LEN];
static ENABLED: AtomicBool = AtomicBool::new(false);
/// The context __tsan_init gave (m0's g0's): the parent of goroutines the
/// runtime creates with no goroutine behind them.
static ROOT_CTX: AtomicUsize = AtomicUsize::new(0);

pub fn set_root_ctx(ctx: usize) {
    ROOT_CTX.store(ctx, Ordering::Relaxed);
    // SAFETY: the table's RootCtxVar word is the address of race.go's
    // racegctx (an aligned word of the data segment).
    unsafe { (*(TABLE[Fn::RootCtxVar as usize].load(Ordering::Relaxed) as *const AtomicUsize)).store(ctx, Ordering::Relaxed) };
}

/// The data and bss segments' shadowed range (set at startup).
static DATA_START: AtomicUsize = AtomicUsize::new(0);
static DATA_END: AtomicUsize = AtomicUsize::new(0);

/// Whether addr has shadow memory: TSan's synchronisation and access
/// entry points may be given no other address.
pub fn shadowed(addr: usize) -> bool {
    if DATA_START.load(Ordering::Relaxed) <= addr && addr < DATA_END.load(Ordering::Relaxed) {
        return true;
    }
    // SAFETY: the table's arena words are race.go's racearenastart/end.
    unsafe {
        let start = &*(TABLE[Fn::ArenaStartVar as usize].load(Ordering::Relaxed) as *const AtomicUsize);
        let end = &*(TABLE[Fn::ArenaEndVar as usize].load(Ordering::Relaxed) as *const AtomicUsize);
        start.load(Ordering::Relaxed) <= addr && addr < end.load(Ordering::Relaxed)
    }
}

/// Whether this is a race build whose race runtime has started.
#[inline]
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Record the entry points (startup, before anything else calls here).
pub fn install(table: &[usize; TABLE_LEN]) {
    for (slot, &v) in TABLE.iter().zip(table.iter()) {
        slot.store(v, Ordering::Relaxed);
    }
}

/// From now on the hooks call TSan.
pub fn enable() {
    ENABLED.store(true, Ordering::Release);
}

/// Call entry point `f` with four word arguments (the Go entry points take
/// at most four; the C ABI ignores those a function does not declare).
///
/// # Safety
/// The table is installed and the arguments are what `f` expects
/// (contexts TSan gave, addresses of live memory for results).
pub unsafe fn call(f: Fn, a0: usize, a1: usize, a2: usize, a3: usize) {
    let addr = TABLE[f as usize].load(Ordering::Relaxed);
    if addr == 0 {
        crate::fatal::throw("race: race runtime entry point missing");
    }
    // SAFETY: addr is the address of the C function race.go named for f.
    let func: extern "C" fn(usize, usize, usize, usize) = unsafe { core::mem::transmute(addr) };
    func(a0, a1, a2, a3)
}

/// A new goroutine context, child of `parent` (a context; 0: the root
/// context), created at pc.
pub fn go_start(parent: usize, pc: usize) -> usize {
    let parent = if parent == 0 { ROOT_CTX.load(Ordering::Relaxed) } else { parent };
    let mut ctx = 0usize;
    // SAFETY: parent is a context TSan gave; ctx receives the new one.
    unsafe { call(Fn::GoStart, parent, &mut ctx as *mut usize as usize, pc, 0) };
    ctx
}

/// The goroutine of context `ctx` has ended.
pub fn go_end(ctx: usize) {
    // SAFETY: ctx is a live goroutine context, ended once.
    unsafe { call(Fn::GoEnd, ctx, 0, 0, 0) }
}

/// A new processor context (for a P).
pub fn proc_create() -> usize {
    let mut ctx = 0usize;
    // SAFETY: ctx receives the new context.
    unsafe { call(Fn::ProcCreate, &mut ctx as *mut usize as usize, 0, 0, 0) };
    ctx
}

/// Give [addr, addr+size) shadow memory (a heap arena just mapped). Widens
/// the heap range race_amd64.s treats as tracked.
pub fn map_heap(addr: usize, size: usize) {
    if !enabled() {
        return;
    }
    // SAFETY: the range is a fresh mapping of the heap.
    unsafe { call(Fn::MapShadow, addr, size, 0, 0) };
    // SAFETY: the table's last two words are the addresses of race.go's
    // racearenastart/racearenaend (aligned words of the data segment).
    unsafe {
        let start = &*(TABLE[Fn::ArenaStartVar as usize].load(Ordering::Relaxed) as *const AtomicUsize);
        let end = &*(TABLE[Fn::ArenaEndVar as usize].load(Ordering::Relaxed) as *const AtomicUsize);
        let s = start.load(Ordering::Relaxed);
        if s == 0 || addr < s {
            start.store(addr, Ordering::Relaxed);
        }
        if end.load(Ordering::Relaxed) < addr + size {
            end.store(addr + size, Ordering::Relaxed);
        }
    }
}

/// Map shadow for the data and bss segments (startup).
pub fn map_data(addr: usize, size: usize) {
    // SAFETY: the range is mapped memory of the program.
    unsafe { call(Fn::MapShadow, addr, size, 0, 0) }
    DATA_START.store(addr, Ordering::Relaxed);
    DATA_END.store(addr + size, Ordering::Relaxed);
}

/// The current goroutine's context (0 when it has none).
fn cur_ctx() -> usize {
    let gp = crate::gm::curg();
    if gp.is_null() {
        return 0;
    }
    // SAFETY: curg is a live goroutine.
    unsafe {
        if (*gp).raceignore != 0 {
            return 0;
        }
        (*gp).racectx
    }
}

/// A heap object [p, p+size) was just allocated: its shadow starts clean
/// (the memory may have held another object, whose accesses must not race
/// with the new one's).
pub fn malloc(p: usize, size: usize) {
    // SAFETY: __tsan_malloc(thr, pc, p, size); with no thread and pc it
    // only resets the range's shadow, which the heap maps.
    unsafe { call(Fn::Malloc, 0, 0, p, size) }
}

/// The sweep freed the heap object [p, p+size): TSan drops the
/// synchronisation objects it kept for addresses in it.
pub fn free(p: usize, size: usize) {
    // SAFETY: __tsan_free(p, size) on heap memory (shadowed).
    unsafe { call(Fn::Free, p, size, 0, 0) }
}

/// The current goroutine releases addr (a later acquire of addr sees
/// what it did so far).
pub fn release_cur(addr: usize) {
    if !enabled() || !shadowed(addr) {
        return;
    }
    let ctx = cur_ctx();
    if ctx == 0 {
        return;
    }
    // SAFETY: ctx is the current goroutine's context; addr has shadow.
    unsafe { call(Fn::Release, ctx, addr, 0, 0) }
}

/// Context `ctx` acquires addr.
pub fn acquire_ctx(ctx: usize, addr: usize) {
    if ctx == 0 || !shadowed(addr) {
        return;
    }
    // SAFETY: ctx is a live context; addr has shadow.
    unsafe { call(Fn::Acquire, ctx, addr, 0, 0) }
}

/// A synchronisation event (TSan's Go interface).
#[derive(Clone, Copy)]
pub enum Sync {
    Acquire,
    Release,
    /// Acquire, then make addr's clock this goroutine's (a channel slot
    /// passed from sender to receiver and back).
    ReleaseAcquire,
}

/// Goroutine gp (its context; 0 or null: the current goroutine) performs
/// `ev` on addr. Nothing outside race builds, for addresses without shadow,
/// or while the current goroutine ignores synchronisation (RaceDisable).
pub fn sync_g(gp: *mut crate::layout::rt::g, ev: Sync, addr: usize) {
    if !enabled() || !shadowed(addr) {
        return;
    }
    let cur = cur_ctx();
    if cur == 0 {
        return;
    }
    // SAFETY: gp is null or a live goroutine (parked: its context is not
    // in use on another thread).
    let ctx = if gp.is_null() { cur } else { unsafe { (*gp).racectx } };
    if ctx == 0 {
        return;
    }
    let f = match ev {
        Sync::Acquire => Fn::Acquire,
        Sync::Release => Fn::Release,
        Sync::ReleaseAcquire => Fn::ReleaseAcquire,
    };
    // SAFETY: ctx is a live context; addr has shadow.
    unsafe { call(f, ctx, addr, 0, 0) }
}

/// What the runtime does to the program's memory on its behalf.
#[derive(Clone, Copy)]
pub enum Access {
    Read,
    Write,
    /// [addr, addr+len)
    ReadRange(usize),
    WriteRange(usize),
}

/// The current goroutine, inside the runtime function whose entry is
/// `fnpc`, called from `callerpc` (a return address in the program; 0:
/// none), accesses addr (which has shadow). TSan records the access as
/// made at fnpc, in a frame called from callerpc on top of the goroutine's
/// instrumented frames, as upstream's runtime reports its own accesses.
pub fn runtime_access(acc: Access, addr: usize, callerpc: usize, fnpc: usize) {
    let gp = crate::gm::curg();
    if gp.is_null() {
        return;
    }
    // SAFETY: curg is a live goroutine (ours).
    let ctx = unsafe { (*gp).racectx };
    if ctx == 0 {
        return;
    }
    // TSan takes the pc of an access as a return address (it looks one
    // byte back when symbolizing): the entry plus one names the entry.
    let pc = fnpc + 1;
    // SAFETY: ctx is the current goroutine's context; addr has shadow.
    unsafe {
        match acc {
            Access::Read => call(Fn::ReadPc, ctx, addr, callerpc, pc),
            Access::Write => call(Fn::WritePc, ctx, addr, callerpc, pc),
            Access::ReadRange(n) | Access::WriteRange(n) => {
                if callerpc != 0 {
                    call(Fn::FuncEnter, ctx, callerpc, 0, 0);
                }
                let f = if matches!(acc, Access::ReadRange(_)) { Fn::ReadRange } else { Fn::WriteRange };
                call(f, ctx, addr, n, pc);
                if callerpc != 0 {
                    call(Fn::FuncExit, ctx, 0, 0, 0);
                }
            }
        }
    }
}
