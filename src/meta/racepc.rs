//! Race builds: the runtime's own accesses to the program's memory (a map
//! operation reads or writes the map's header, a copy reads and writes its
//! ranges) reported to the race detector the way upstream's runtime
//! reports them: as an access by the runtime function the program called,
//! at that function's entry, in a frame called from the program's call
//! site. A race on a map then shows `runtime.mapassign_fast64()` above the
//! line that assigned.
//!
//! gort's entry points are Rust behind an assembly trampoline (through
//! rtcall, which saves the goroutine's pc and sp): the trampoline is the
//! runtime function the program called (or, for a generated Go function
//! that calls a `runtime.rt_*` trampoline, that Go function); the first
//! frame above it that is not its ABI wrapper is the call site. Upstream
//! names these frames with positions in its own Go sources;
//! `upstream_position` gives the report the same ones.

use crate::layout::abi::Type;
use crate::symtab::FuncInfo;
use crate::traceback::Unwinder;
use crate::tsan::{self, Access};
use core::sync::atomic::{AtomicUsize, Ordering};

/// The runtime entry point the current goroutine is in and the return
/// address of the program's call to it.
fn entry_and_caller() -> Option<(FuncInfo, usize)> {
    let gp = crate::gm::curg();
    if gp.is_null() {
        return None;
    }
    let mut frames = Unwinder::for_g(gp);
    let mut entry = frames.next()?.fi;
    if entry.name().starts_with(b"runtime.rt_") {
        // The trampoline of a Go function the surface generates for an
        // entry point std packages reach by linkname ("push" entries:
        // reflect.typedmemmove calls runtime.rt_reflect_typedmemmove):
        // that function is the entry point.
        entry = frames.next()?.fi;
    }
    for f in frames {
        // The ABI wrapper compiled code calls the trampoline through has
        // its name (other wrappers, such as a go statement's, are frames
        // of the program).
        if f.fi.name() == entry.name() {
            continue;
        }
        return Some((entry, f.pc));
    }
    None
}

/// Upstream's entry points that do their work by calling another runtime
/// function, whose accesses are then reported as that function's, called
/// from a line of the entry point (whose own caller's frame the report
/// lacks: the runtime is not instrumented). gort's entry points do the
/// work themselves; a report names the callee at its entry, called from
/// the entry point's entry plus 1 + the call's number (distinct pcs that
/// `upstream_position` gives the lines of the calls).
struct Call {
    /// The entry point.
    entry: &'static [u8],
    /// Which of its calls (0, 1...).
    call: usize,
    /// The function it calls.
    callee: &'static [u8],
    /// Where the call is in upstream's runtime: file in GOROOT/src/runtime.
    file: &'static [u8],
    line: u32,
}

const fn call(entry: &'static [u8], call: usize, callee: &'static [u8], file: &'static [u8], line: u32) -> Call {
    Call { entry, call, callee, file, line }
}

const CALLS: &[Call] = &[
    call(b"runtime.mapaccess1_fat", 0, b"runtime.mapaccess1", b"map.go", 563),
    call(b"runtime.mapaccess2_fat", 0, b"runtime.mapaccess1", b"map.go", 571),
    call(b"reflect.mapaccess", 0, b"runtime.mapaccess2", b"map.go", 1350),
    call(b"reflect.mapaccess_faststr", 0, b"runtime.mapaccess2_faststr", b"map.go", 1360),
    call(b"reflect.mapassign0", 0, b"runtime.mapassign", b"map.go", 1370),
    call(b"reflect.mapassign_faststr0", 0, b"runtime.mapassign_faststr", b"map.go", 1376),
    call(b"reflect.mapdelete", 0, b"runtime.mapdelete", b"map.go", 1382),
    call(b"reflect.mapdelete_faststr", 0, b"runtime.mapdelete_faststr", b"map.go", 1387),
    call(b"reflect.mapiterinit", 0, b"runtime.mapiterinit", b"map.go", 1392),
    call(b"reflect.mapiternext", 0, b"runtime.mapiternext", b"map.go", 1397),
    call(b"reflect.mapclear", 0, b"runtime.mapclear", b"map.go", 1424),
    call(b"reflect.growslice", 0, b"runtime.growslice", b"slice.go", 306),
    // Elements without pointers: slicecopy; with: typedslicecopy, which
    // reports as slicecopy too.
    call(b"reflect.typedslicecopy", 0, b"runtime.slicecopy", b"mbarrier.go", 309),
    call(b"reflect.typedslicecopy", 1, b"runtime.slicecopy", b"mbarrier.go", 311),
    call(b"internal/reflectlite.typedmemmove", 0, b"reflect.typedmemmove", b"mbarrier.go", 221),
];

#[allow(clippy::declare_interior_mutable_const)]
const NONE: AtomicUsize = AtomicUsize::new(0);
/// Each callee's entry (see `entry_named`).
static CALLEES: [AtomicUsize; CALLS.len()] = [NONE; CALLS.len()];

/// For an access by entry point `entry` (its call number `call`, if it
/// is in CALLS): the callee's entry and the pc of the call; else None.
fn callee_of(entry: &FuncInfo, call: usize) -> Option<(usize, usize)> {
    let name = entry.name();
    let i = CALLS.iter().position(|c| c.entry == name && c.call == call)?;
    let callee = entry_named(CALLS[i].callee, &CALLEES[i]);
    if callee == 0 {
        return None;
    }
    Some((callee, entry.entry() + 1 + call))
}

/// The pcs an access by the current goroutine's runtime entry point is
/// reported with: the function's entry and the program's call site (for
/// an entry point in CALLS, its callee's and the call's).
fn access_pcs(call: usize) -> Option<(usize, usize)> {
    let (entry, callerpc) = entry_and_caller()?;
    Some(callee_of(&entry, call).unwrap_or_else(|| (alias_of(&entry), callerpc)))
}

/// The test inline (every map iteration step and slice copy asks); the
/// report out of line.
#[inline]
fn report(acc: Access, addr: usize) {
    if tsan::enabled() {
        report_race(acc, addr);
    }
}

#[cold]
#[inline(never)]
fn report_race(acc: Access, addr: usize) {
    if !tsan::shadowed(addr) {
        return;
    }
    if let Some((fnpc, callerpc)) = access_pcs(0) {
        tsan::runtime_access(acc, addr, callerpc, fnpc);
    }
}

/// The entry of the function named `name` (looked up once, kept in
/// `cache`; 0: none).
fn entry_named(name: &[u8], cache: &AtomicUsize) -> usize {
    let mut e = cache.load(Ordering::Relaxed);
    if e == 0 {
        e = usize::MAX;
        'search: for m in crate::symtab::modules() {
            for f in m.funcs() {
                if f.name() == name {
                    e = f.entry();
                    break 'search;
                }
            }
        }
        cache.store(e, Ordering::Relaxed);
    }
    if e == usize::MAX {
        0
    } else {
        e
    }
}

/// The entry of runtime.slicecopy: typedslicecopy's accesses are reported
/// as slicecopy's, as upstream's.
static SLICECOPY: AtomicUsize = AtomicUsize::new(0);
/// The entries of runtime.chansend and runtime.chanrecv: a select's cases
/// are reported as their accesses, as upstream's.
static CHANSEND: AtomicUsize = AtomicUsize::new(0);
static CHANRECV: AtomicUsize = AtomicUsize::new(0);

/// Entry points upstream reports under another function's name (its
/// entry, the same call site): (entry point, function reported).
const ALIASES: &[(&[u8], &[u8])] = &[(b"internal/reflectlite.maplen", b"reflect.maplen")];
static ALIASED: [AtomicUsize; ALIASES.len()] = [NONE; ALIASES.len()];

/// The entry of the function `entry` is reported as (see ALIASES).
fn alias_of(entry: &FuncInfo) -> usize {
    let name = entry.name();
    if let Some(i) = ALIASES.iter().position(|a| a.0 == name) {
        let e = entry_named(ALIASES[i].1, &ALIASED[i]);
        if e != 0 {
            return e;
        }
    }
    entry.entry()
}

/// The current goroutine reads addr in runtime.chansend called from
/// callerpc (a select's send case: the case's pc, which the compiler
/// recorded; 0: none known, no caller frame, as upstream's).
pub fn read_as_chansend(addr: usize, callerpc: usize) {
    if !tsan::enabled() || !tsan::shadowed(addr) {
        return;
    }
    let fnpc = entry_named(b"runtime.chansend", &CHANSEND);
    if fnpc != 0 {
        tsan::runtime_access(Access::Read, addr, callerpc, fnpc);
    }
}

/// A select's case copies its value at addr (of type t): a send case reads
/// it, as runtime.chansend, a receive case writes it, as runtime.chanrecv,
/// called from the case's pc (0: none known), as upstream's selectgo
/// reports them.
///
/// # Safety
/// t is a type descriptor.
pub unsafe fn select_value(send: bool, t: *const Type, addr: usize, casepc: usize) {
    if !tsan::enabled() || !tsan::shadowed(addr) {
        return;
    }
    let fnpc = if send {
        entry_named(b"runtime.chansend", &CHANSEND)
    } else {
        entry_named(b"runtime.chanrecv", &CHANRECV)
    };
    if fnpc != 0 {
        // SAFETY: per the function contract.
        unsafe { object(send, t, addr, fnpc, casepc) };
    }
}

/// ... reads [src, src+len) and writes [dst, dst+len) as runtime.slicecopy
/// (typedslicecopy: upstream reports its copies under slicecopy's name;
/// reflect.typedslicecopy's as slicecopy called from its second call),
/// the write first.
pub fn typed_copy_as_slicecopy(dst: usize, src: usize, len: usize) {
    if !tsan::enabled() || len == 0 || !(tsan::shadowed(dst) || tsan::shadowed(src)) {
        return;
    }
    let Some((entry, callerpc)) = entry_and_caller() else { return };
    let (fnpc, callerpc) = callee_of(&entry, 1).unwrap_or_else(|| {
        let sc = entry_named(b"runtime.slicecopy", &SLICECOPY);
        (if sc != 0 { sc } else { entry.entry() }, callerpc)
    });
    if tsan::shadowed(dst) {
        tsan::runtime_access(Access::WriteRange(len), dst, callerpc, fnpc);
    }
    if tsan::shadowed(src) {
        tsan::runtime_access(Access::ReadRange(len), src, callerpc, fnpc);
    }
}

/// The runtime entry point the current goroutine called reads addr.
#[inline]
pub fn read(addr: usize) {
    report(Access::Read, addr);
}

/// The runtime entry point the current goroutine called writes addr.
#[inline]
pub fn write(addr: usize) {
    report(Access::Write, addr);
}

/// ... reads [addr, addr+len).
#[inline]
pub fn read_range(addr: usize, len: usize) {
    if len != 0 {
        report(Access::ReadRange(len), addr);
    }
}

/// ... writes [addr, addr+len).
#[inline]
pub fn write_range(addr: usize, len: usize) {
    if len != 0 {
        report(Access::WriteRange(len), addr);
    }
}

/// ... writes a value of type t at addr (as `read_object`).
///
/// # Safety
/// t is a type descriptor.
#[inline]
pub unsafe fn write_object(t: *const Type, addr: usize) {
    if tsan::enabled() {
        // SAFETY: per the function contract.
        unsafe { report_object(false, t, addr) };
    }
}

/// ... reads a value of type t at addr.
///
/// # Safety
/// t is a type descriptor.
#[inline]
pub unsafe fn read_object(t: *const Type, addr: usize) {
    if tsan::enabled() {
        // SAFETY: per the function contract.
        unsafe { report_object(true, t, addr) };
    }
}

/// read_object's and write_object's report, out of line.
///
/// # Safety
/// t is a type descriptor.
#[cold]
#[inline(never)]
unsafe fn report_object(read: bool, t: *const Type, addr: usize) {
    if !tsan::shadowed(addr) {
        return;
    }
    if let Some((fnpc, callerpc)) = access_pcs(0) {
        // SAFETY: per the function contract.
        unsafe { object(read, t, addr, fnpc, callerpc) };
    }
}

/// Report a read (or write) of a value of type t at addr by fnpc called
/// from callerpc: every byte of an array or struct (a write may have gone
/// to any field), the first byte of anything else (any write to it writes
/// that byte).
///
/// # Safety
/// t is a type descriptor.
unsafe fn object(read: bool, t: *const Type, addr: usize, fnpc: usize, callerpc: usize) {
    // SAFETY: per the function contract.
    let (kind, size) = unsafe { (crate::types::kind(t), (*t).Size_) };
    let acc = match (kind == crate::types::KIND_ARRAY || kind == crate::types::KIND_STRUCT, read) {
        (true, _) if size == 0 => return,
        (true, true) => Access::ReadRange(size),
        (true, false) => Access::WriteRange(size),
        (false, true) => Access::Read,
        (false, false) => Access::Write,
    };
    tsan::runtime_access(acc, addr, callerpc, fnpc);
}

/// Where upstream's runtime defines the entry points whose accesses are
/// reported: (function, file in GOROOT/src/runtime, line of its `func`).
/// A report names the function at its entry: upstream's position there.
const POSITIONS: &[(&[u8], &[u8], u32)] = &[
    (b"runtime.mapaccess1", b"map.go", 396),
    (b"runtime.mapaccess2", b"map.go", 457),
    (b"runtime.mapassign", b"map.go", 579),
    (b"runtime.mapdelete", b"map.go", 696),
    (b"runtime.mapiterinit", b"map.go", 816),
    (b"runtime.mapiternext", b"map.go", 862),
    (b"runtime.mapclear", b"map.go", 989),
    (b"reflect.maplen", b"map.go", 1411),
    (b"runtime.mapaccess1_fast32", b"map_fast32.go", 13),
    (b"runtime.mapaccess2_fast32", b"map_fast32.go", 53),
    (b"runtime.mapassign_fast32", b"map_fast32.go", 93),
    (b"runtime.mapassign_fast32ptr", b"map_fast32.go", 183),
    (b"runtime.mapdelete_fast32", b"map_fast32.go", 273),
    (b"runtime.mapaccess1_fast64", b"map_fast64.go", 13),
    (b"runtime.mapaccess2_fast64", b"map_fast64.go", 53),
    (b"runtime.mapassign_fast64", b"map_fast64.go", 93),
    (b"runtime.mapassign_fast64ptr", b"map_fast64.go", 183),
    (b"runtime.mapdelete_fast64", b"map_fast64.go", 273),
    (b"runtime.mapaccess1_faststr", b"map_faststr.go", 13),
    (b"runtime.mapaccess2_faststr", b"map_faststr.go", 108),
    (b"runtime.mapassign_faststr", b"map_faststr.go", 203),
    (b"runtime.mapdelete_faststr", b"map_faststr.go", 301),
    (b"runtime.chansend", b"chan.go", 160),
    (b"runtime.chanrecv", b"chan.go", 457),
    (b"runtime.closechan", b"chan.go", 357),
    (b"runtime.makeslicecopy", b"slice.go", 38),
    (b"runtime.growslice", b"slice.go", 155),
    (b"runtime.slicecopy", b"slice.go", 325),
    (b"reflect.typedmemmove", b"mbarrier.go", 203),
    (b"runtime.slicebytetostring", b"string.go", 81),
    (b"runtime.slicebytetostringtmp", b"string.go", 150),
    (b"runtime.slicerunetostring", b"string.go", 202),
];

/// Each position's file name, NUL-terminated, made at first use (POSITIONS'
/// rows, then CALLS').
static FILES: [AtomicUsize; POSITIONS.len() + CALLS.len()] = [NONE; POSITIONS.len() + CALLS.len()];

/// For a pc at the entry of one of the functions in POSITIONS, or a
/// call's pc of CALLS (only the pcs `report` gives are, and TSan looks
/// one byte before the pcs it is given): the file (a NUL-terminated path
/// in the directory of the function's own file, GOROOT/src/runtime) and
/// line upstream's report shows.
pub fn upstream_position(fi: &FuncInfo, pc: usize) -> Option<(*const u8, usize)> {
    let off = pc.checked_sub(fi.entry())?;
    let name = fi.name();
    let (i, base, line) = match POSITIONS.iter().position(|p| off == 0 && p.0 == name) {
        Some(i) => (i, POSITIONS[i].1, POSITIONS[i].2),
        None => {
            let k = CALLS.iter().position(|c| c.entry == name && c.call == off)?;
            (POSITIONS.len() + k, CALLS[k].file, CALLS[k].line)
        }
    };
    let mut file = FILES[i].load(Ordering::Acquire);
    if file == 0 {
        let (own, _) = fi.file_line(fi.entry());
        let dir = &own[..own.iter().rposition(|&c| c == b'/').map_or(0, |k| k + 1)];
        let n = dir.len() + base.len();
        let p = crate::persistent::alloc_for(n + 1, 1, crate::sysstat::Stat::Other);
        // SAFETY: p is n+1 fresh bytes.
        unsafe {
            core::ptr::copy_nonoverlapping(dir.as_ptr(), p, dir.len());
            core::ptr::copy_nonoverlapping(base.as_ptr(), p.add(dir.len()), base.len());
            *p.add(n) = 0;
        }
        // Two reporters may both make it: either copy will do.
        file = match FILES[i].compare_exchange(0, p as usize, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => p as usize,
            Err(other) => other,
        };
    }
    Some((file as *const u8, line as usize))
}
