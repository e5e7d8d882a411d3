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

/// The runtime entry point the current goroutine is in (its entry pc) and
/// the return address of the program's call to it.
fn entry_and_caller() -> Option<(usize, usize)> {
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
        return Some((entry.entry(), f.pc));
    }
    None
}

fn report(acc: Access, addr: usize) {
    if !tsan::enabled() || !tsan::shadowed(addr) {
        return;
    }
    if let Some((mut fnpc, mut callerpc)) = entry_and_caller() {
        // Upstream's mapaccess1_fat and mapaccess2_fat call mapaccess1,
        // which reports: runtime.mapaccess1 called from the fat function
        // (whose own caller's frame is not in the report: the runtime is
        // not instrumented). The fat function's entry stands for that
        // call site (POSITIONS gives it the line of the call).
        if let Some(fat) = crate::symtab::findfunc(fnpc) {
            let name = fat.name();
            if name == b"runtime.mapaccess1_fat" || name == b"runtime.mapaccess2_fat" {
                let inner = entry_named(b"runtime.mapaccess1", &MAPACCESS1);
                if inner != 0 {
                    callerpc = fnpc + 1;
                    fnpc = inner;
                }
            }
        }
        tsan::runtime_access(acc, addr, callerpc, fnpc);
    }
}

/// The entry of runtime.mapaccess1 (see `report`).
static MAPACCESS1: AtomicUsize = AtomicUsize::new(0);

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
/// The entry of runtime.chansend: a select's send cases are reported as
/// its reads, as upstream's.
static CHANSEND: AtomicUsize = AtomicUsize::new(0);

/// The current goroutine reads addr in runtime.chansend called from
/// callerpc (a select's send case: the case's pc, which the compiler
/// recorded).
pub fn read_as_chansend(addr: usize, callerpc: usize) {
    if !tsan::enabled() || !tsan::shadowed(addr) {
        return;
    }
    let fnpc = entry_named(b"runtime.chansend", &CHANSEND);
    if fnpc != 0 {
        tsan::runtime_access(Access::Read, addr, callerpc, fnpc);
    }
}

/// ... reads [src, src+len) and writes [dst, dst+len) as runtime.slicecopy
/// (typedslicecopy: upstream reports its copies under slicecopy's name),
/// the write first.
pub fn typed_copy_as_slicecopy(dst: usize, src: usize, len: usize) {
    if !tsan::enabled() || len == 0 || !(tsan::shadowed(dst) || tsan::shadowed(src)) {
        return;
    }
    let Some((mut fnpc, callerpc)) = entry_and_caller() else { return };
    let sc = entry_named(b"runtime.slicecopy", &SLICECOPY);
    if sc != 0 {
        fnpc = sc;
    }
    if tsan::shadowed(dst) {
        tsan::runtime_access(Access::WriteRange(len), dst, callerpc, fnpc);
    }
    if tsan::shadowed(src) {
        tsan::runtime_access(Access::ReadRange(len), src, callerpc, fnpc);
    }
}

/// The runtime entry point the current goroutine called reads addr.
pub fn read(addr: usize) {
    report(Access::Read, addr);
}

/// The runtime entry point the current goroutine called writes addr.
pub fn write(addr: usize) {
    report(Access::Write, addr);
}

/// ... reads [addr, addr+len).
pub fn read_range(addr: usize, len: usize) {
    if len != 0 {
        report(Access::ReadRange(len), addr);
    }
}

/// ... writes [addr, addr+len).
pub fn write_range(addr: usize, len: usize) {
    if len != 0 {
        report(Access::WriteRange(len), addr);
    }
}

/// ... writes a value of type t at addr (as `read_object`).
///
/// # Safety
/// t is a type descriptor.
pub unsafe fn write_object(t: *const Type, addr: usize) {
    if !tsan::enabled() || !tsan::shadowed(addr) {
        return;
    }
    // SAFETY: per the function contract.
    let (kind, size) = unsafe { (crate::types::kind(t), (*t).Size_) };
    if kind == crate::types::KIND_ARRAY || kind == crate::types::KIND_STRUCT {
        write_range(addr, size);
    } else {
        write(addr);
    }
}

/// ... reads a value of type t at addr: every byte of an array or struct
/// (a write may have gone to any field), the first byte of anything else
/// (any write to it writes that byte).
///
/// # Safety
/// t is a type descriptor.
pub unsafe fn read_object(t: *const Type, addr: usize) {
    if !tsan::enabled() || !tsan::shadowed(addr) {
        return;
    }
    // SAFETY: per the function contract.
    let (kind, size) = unsafe { (crate::types::kind(t), (*t).Size_) };
    if kind == crate::types::KIND_ARRAY || kind == crate::types::KIND_STRUCT {
        read_range(addr, size);
    } else {
        read(addr);
    }
}

/// Where upstream's runtime defines the entry points whose accesses are
/// reported: (function, file in GOROOT/src/runtime, line of its `func`).
/// A report names the function at its entry: upstream's position there.
const POSITIONS: &[(&[u8], &[u8], u32)] = &[
    (b"runtime.mapaccess1", b"map.go", 396),
    (b"runtime.mapaccess2", b"map.go", 457),
    // The fat variants' entries stand for their call of mapaccess1.
    (b"runtime.mapaccess1_fat", b"map.go", 563),
    (b"runtime.mapaccess2_fat", b"map.go", 571),
    (b"runtime.mapassign", b"map.go", 579),
    (b"runtime.mapdelete", b"map.go", 696),
    (b"runtime.mapiterinit", b"map.go", 816),
    (b"runtime.mapiternext", b"map.go", 862),
    (b"runtime.mapclear", b"map.go", 989),
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
    (b"runtime.closechan", b"chan.go", 357),
    (b"runtime.makeslicecopy", b"slice.go", 38),
    (b"runtime.growslice", b"slice.go", 155),
    (b"runtime.slicecopy", b"slice.go", 325),
    (b"reflect.typedmemmove", b"mbarrier.go", 203),
    (b"runtime.slicebytetostring", b"string.go", 81),
    (b"runtime.slicebytetostringtmp", b"string.go", 150),
    (b"runtime.slicerunetostring", b"string.go", 202),
];

#[allow(clippy::declare_interior_mutable_const)]
const NONE: AtomicUsize = AtomicUsize::new(0);
/// Each position's file name, NUL-terminated, made at first use.
static FILES: [AtomicUsize; POSITIONS.len()] = [NONE; POSITIONS.len()];

/// For a pc at the entry of one of the functions above (only the pcs
/// `report` gives are, and TSan looks one byte before the pcs it is
/// given): the file (a NUL-terminated path in the
/// directory of the trampoline's own file, GOROOT/src/runtime) and line
/// upstream's report shows.
pub fn upstream_position(fi: &FuncInfo, pc: usize) -> Option<(*const u8, usize)> {
    if pc != fi.entry() {
        return None;
    }
    let name = fi.name();
    let i = POSITIONS.iter().position(|p| p.0 == name)?;
    let (_, base, line) = POSITIONS[i];
    let mut file = FILES[i].load(Ordering::Acquire);
    if file == 0 {
        let (own, _) = fi.file_line(pc);
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
