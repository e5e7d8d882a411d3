//! The pclntab: the linker's tables mapping program counters to functions,
//! source positions, stack-frame sizes, pointer maps and inlining.
//!
//! Layout (go1.20+, magic 0xfffffff1), all reached from a module's
//! moduledata:
//!   - `ftab`: (entry offset, _func offset) per function, sorted by entry,
//!     plus an end sentinel; `findfunctab` buckets (4096 bytes of text
//!     each, 16 sub-buckets) give a starting index for the search;
//!   - `_func` records in `pclntable`, each followed by `npcdata` u32
//!     offsets of pc-value tables (into `pctab`) and `nfuncdata` u32
//!     offsets of funcdata (from `gofunc`; !0 = none);
//!   - pc-value tables: pairs of zigzag varint value deltas and varint pc
//!     deltas (in units of minLC), starting from value -1 at the entry;
//!   - names in `funcnametab`, file names in `filetab` indexed through
//!     `cutab` (per compilation unit), NUL-terminated.
//!
//! `Module` is a view of one module's tables. At run time it borrows the
//! linker's data in place; tests build one from an executable file.
//! Every read is bounds-checked against the tables: a malformed table gives
//! None (or a clear throw at run time), never a wild read.

use crate::layout::rt::moduledata;
use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicUsize, Ordering};

pub const PCDATA_UNSAFE_POINT: usize = 0;
pub const PCDATA_STACK_MAP_INDEX: usize = 1;
pub const PCDATA_INL_TREE_INDEX: usize = 2;
pub const PCDATA_ARG_LIVE_INDEX: usize = 3;

pub const FUNCDATA_ARGS_POINTER_MAPS: usize = 0;
pub const FUNCDATA_LOCALS_POINTER_MAPS: usize = 1;
pub const FUNCDATA_STACK_OBJECTS: usize = 2;
pub const FUNCDATA_INL_TREE: usize = 3;
pub const FUNCDATA_OPEN_CODED_DEFER_INFO: usize = 4;
pub const FUNCDATA_ARG_INFO: usize = 5;
pub const FUNCDATA_ARG_LIVE_INFO: usize = 6;

pub const FUNC_FLAG_TOP_FRAME: u8 = 1;
pub const FUNC_FLAG_SPWRITE: u8 = 2;
pub const FUNC_FLAG_ASM: u8 = 4;

// Function IDs the linker assigns by name (cmd/internal/objabi's
// numbering; the gaps are IDs gort has no use for).
pub const FUNCID_NORMAL: u8 = 0;
pub const FUNCID_ASYNC_PREEMPT: u8 = 3;
pub const FUNCID_CGOCALLBACK: u8 = 4;
pub const FUNCID_DEBUG_CALL_V2: u8 = 6;
pub const FUNCID_GOEXIT: u8 = 8;
pub const FUNCID_GOPANIC: u8 = 10;
pub const FUNCID_PANICWRAP: u8 = 15;
pub const FUNCID_RUNTIME_MAIN: u8 = 18;
pub const FUNCID_SIGPANIC: u8 = 19;
pub const FUNCID_WRAPPER: u8 = 22;

/// Size of a _func record before its pcdata offsets.
const FUNC_SIZE: usize = 44;
const PC_BUCKET_SIZE: usize = 4096;
const SUBBUCKETS: usize = 16;
const FIND_FUNC_BUCKET_SIZE: usize = 4 + SUBBUCKETS;

/// A byte table (a Go []byte the linker built, or a test's buffer).
#[derive(Clone, Copy)]
pub struct Table {
    pub ptr: *const u8,
    pub len: usize,
}

impl Table {
    #[inline]
    fn byte(&self, i: usize) -> Option<u8> {
        if i < self.len {
            // SAFETY: in bounds of the table.
            Some(unsafe { *self.ptr.add(i) })
        } else {
            None
        }
    }

    #[inline]
    fn u32_at(&self, i: usize) -> Option<u32> {
        if i.checked_add(4)? <= self.len {
            // SAFETY: in bounds of the table.
            Some(unsafe { core::ptr::read_unaligned(self.ptr.add(i) as *const u32) })
        } else {
            None
        }
    }

    /// The NUL-terminated string at offset i.
    fn cstr(&self, i: usize) -> Option<&'static [u8]> {
        if i >= self.len {
            return None;
        }
        // SAFETY: [i, len) is in bounds.
        let rest = unsafe { core::slice::from_raw_parts(self.ptr.add(i), self.len - i) };
        let n = memchr::memchr(0, rest).unwrap_or(rest.len());
        Some(&rest[..n])
    }
}

/// One module's tables.
#[derive(Clone, Copy)]
pub struct Module {
    pub funcnametab: Table,
    pub cutab: Table,
    pub filetab: Table,
    pub pctab: Table,
    pub pclntable: Table,
    /// ftab entries (8 bytes each), nftab = functions + 1.
    pub ftab: Table,
    /// The findfunctab buckets.
    pub findfunctab: Table,
    pub minpc: usize,
    pub maxpc: usize,
    /// Start of the text section (entry offsets are relative to it).
    pub text: usize,
    /// Where funcdata offsets are relative to, in this address space.
    pub gofunc: usize,
    pub min_lc: u8,
    /// The moduledata this view was made from (null in tests).
    pub datap: *const moduledata,
}

/// A function: its _func record within a module. Two words: the module's
/// view is shared (`modules`), not copied into every FuncInfo and frame
/// (a copy was 160 bytes: memcpy took a quarter of a collection's stack
/// scanning).
#[derive(Clone, Copy)]
pub struct FuncInfo {
    pub md: &'static Module,
    /// Offset of the _func record in pclntable.
    pub off: usize,
}

impl Module {
    /// A view of the running program's module (the linker's moduledata).
    pub fn from_moduledata(md: &moduledata) -> Module {
        let t = |s: crate::layout::GoSlice<u8>| Table { ptr: s.ptr, len: s.len.max(0) as usize };
        let nbuckets = (md.maxpc - md.minpc).div_ceil(PC_BUCKET_SIZE);
        // SAFETY: pcHeader is the linker's pclntab header.
        let min_lc = unsafe { (*md.pcHeader).minLC };
        Module {
            funcnametab: t(md.funcnametab),
            cutab: Table { ptr: md.cutab.ptr as *const u8, len: md.cutab.len.max(0) as usize * 4 },
            filetab: t(md.filetab),
            pctab: t(md.pctab),
            pclntable: t(md.pclntable),
            ftab: Table { ptr: md.ftab.ptr as *const u8, len: md.ftab.len.max(0) as usize * 8 },
            findfunctab: Table { ptr: md.findfunctab as *const u8, len: nbuckets * FIND_FUNC_BUCKET_SIZE },
            minpc: md.minpc,
            maxpc: md.maxpc,
            text: md.text,
            gofunc: md.gofunc,
            min_lc,
            datap: md,
        }
    }

    fn nftab(&self) -> usize {
        self.ftab.len / 8
    }

    /// The function containing pc.
    pub fn findfunc(&'static self, pc: usize) -> Option<FuncInfo> {
        if pc < self.minpc || pc >= self.maxpc {
            return None;
        }
        let x = pc - self.minpc;
        let b = x / PC_BUCKET_SIZE;
        let i = (x % PC_BUCKET_SIZE) / (PC_BUCKET_SIZE / SUBBUCKETS);
        let base = b * FIND_FUNC_BUCKET_SIZE;
        let mut idx = self.findfunctab.u32_at(base)? as usize + self.findfunctab.byte(base + 4 + i)? as usize;
        let pcoff = (pc - self.text) as u32;
        let n = self.nftab();
        if idx + 1 >= n {
            idx = n.checked_sub(2)?;
        }
        while idx + 1 < n && self.ftab.u32_at((idx + 1) * 8)? <= pcoff {
            idx += 1;
        }
        while idx > 0 && self.ftab.u32_at(idx * 8)? > pcoff {
            idx -= 1;
        }
        let funcoff = self.ftab.u32_at(idx * 8 + 4)? as usize;
        if funcoff + FUNC_SIZE > self.pclntable.len {
            return None;
        }
        Some(FuncInfo { md: self, off: funcoff })
    }

    /// All function entries (the tests walk them; the race detector looks
    /// one up by name).
    pub fn funcs(&'static self) -> impl Iterator<Item = FuncInfo> {
        (0..self.nftab().saturating_sub(1)).filter_map(move |i| {
            let off = self.ftab.u32_at(i * 8 + 4)? as usize;
            Some(FuncInfo { md: self, off })
        })
    }
}

/// Read a varint at p[*i..], advancing *i.
fn read_varint(t: &Table, i: &mut usize) -> Option<u32> {
    let (mut v, mut shift) = (0u32, 0);
    loop {
        let b = t.byte(*i)?;
        *i += 1;
        v |= ((b & 0x7f) as u32) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
        if shift > 28 {
            return None;
        }
    }
}

impl FuncInfo {
    fn u32_field(&self, off: usize) -> u32 {
        self.md.pclntable.u32_at(self.off + off).unwrap_or(0)
    }
    fn u8_field(&self, off: usize) -> u8 {
        self.md.pclntable.byte(self.off + off).unwrap_or(0)
    }
    pub fn entry_off(&self) -> u32 {
        self.u32_field(0)
    }
    pub fn entry(&self) -> usize {
        self.md.text + self.entry_off() as usize
    }
    pub fn name_off(&self) -> i32 {
        self.u32_field(4) as i32
    }
    pub fn args(&self) -> i32 {
        self.u32_field(8) as i32
    }
    pub fn deferreturn(&self) -> u32 {
        self.u32_field(12)
    }
    pub fn pcsp(&self) -> u32 {
        self.u32_field(16)
    }
    pub fn pcfile(&self) -> u32 {
        self.u32_field(20)
    }
    pub fn pcln(&self) -> u32 {
        self.u32_field(24)
    }
    pub fn npcdata(&self) -> u32 {
        self.u32_field(28)
    }
    pub fn cu_offset(&self) -> u32 {
        self.u32_field(32)
    }
    pub fn start_line(&self) -> i32 {
        self.u32_field(36) as i32
    }
    pub fn func_id(&self) -> u8 {
        self.u8_field(40)
    }
    pub fn flag(&self) -> u8 {
        self.u8_field(41)
    }
    pub fn nfuncdata(&self) -> u8 {
        self.u8_field(43)
    }

    /// The function's name.
    pub fn name(&self) -> &'static [u8] {
        self.md.funcnametab.cstr(self.name_off() as usize).unwrap_or(b"?")
    }

    pub fn name_at(&self, name_off: i32) -> &'static [u8] {
        self.md.funcnametab.cstr(name_off as usize).unwrap_or(b"?")
    }

    /// Value of the pc-value table at `off` for targetpc (-1 when the table
    /// is missing or targetpc lies outside it).
    pub fn pcvalue(&self, off: u32, targetpc: usize) -> i32 {
        self.pcvalue_start(off, targetpc).0
    }

    /// pcvalue, also returning where the run of that value containing
    /// targetpc starts (0 when unknown).
    fn pcvalue_start(&self, off: u32, targetpc: usize) -> (i32, usize) {
        if off == 0 {
            return (-1, 0);
        }
        let tab = self.md.pctab.ptr as usize + off as usize;
        let Some(cache) = PcvCache::enter() else {
            return self.decode_pcvalue(off, targetpc);
        };
        let r = match cache.get(tab, targetpc) {
            Some(r) => r,
            None => {
                let r = self.decode_pcvalue(off, targetpc);
                cache.put(tab, targetpc, r);
                r
            }
        };
        cache.leave();
        r
    }

    /// pcvalue_start without the cache: the table decoded from the
    /// function's start up to targetpc.
    fn decode_pcvalue(&self, off: u32, targetpc: usize) -> (i32, usize) {
        let t = &self.md.pctab;
        let mut i = off as usize;
        let mut pc = self.entry();
        let mut val: i32 = -1;
        let mut first = true;
        loop {
            let Some(uv) = read_varint(t, &mut i) else { return (-1, 0) };
            if uv == 0 && !first {
                return (-1, 0);
            }
            first = false;
            // zigzag: low bit is the sign.
            let delta = if uv & 1 != 0 { !(uv >> 1) as i32 } else { (uv >> 1) as i32 };
            val = val.wrapping_add(delta);
            let start = pc;
            let Some(pcd) = read_varint(t, &mut i) else { return (-1, 0) };
            pc += pcd as usize * self.md.min_lc as usize;
            if targetpc < pc {
                return (val, start);
            }
        }
    }

    /// Like pcdata_value, also returning where the run of that value
    /// containing targetpc starts (0 when unknown).
    pub fn pcdata_value_start(&self, table: usize, targetpc: usize) -> (i32, usize) {
        if table as u32 >= self.npcdata() {
            return (-1, 0);
        }
        self.pcvalue_start(self.u32_field(FUNC_SIZE + table * 4), targetpc)
    }

    /// Frame size (SP adjustment) at pc.
    pub fn spdelta(&self, pc: usize) -> i32 {
        self.pcvalue(self.pcsp(), pc)
    }

    /// The largest frame size anywhere in the function (how much stack a
    /// call of it may need beyond its entry SP).
    pub fn max_spdelta(&self) -> i32 {
        let off = self.pcsp();
        if off == 0 {
            return 0;
        }
        let t = &self.md.pctab;
        let mut i = off as usize;
        let mut val: i32 = -1;
        let mut max: i32 = 0;
        let mut first = true;
        loop {
            let Some(uv) = read_varint(t, &mut i) else { return max };
            if uv == 0 && !first {
                return max;
            }
            first = false;
            let delta = if uv & 1 != 0 { !(uv >> 1) as i32 } else { (uv >> 1) as i32 };
            val = val.wrapping_add(delta);
            max = max.max(val);
            if read_varint(t, &mut i).is_none() {
                return max;
            }
        }
    }

    pub fn pcdata_value(&self, table: usize, pc: usize) -> i32 {
        if table as u32 >= self.npcdata() {
            return -1;
        }
        let off = self.u32_field(FUNC_SIZE + table * 4);
        self.pcvalue(off, pc)
    }

    /// Address of funcdata i, or None.
    pub fn funcdata(&self, i: usize) -> Option<usize> {
        if i >= self.nfuncdata() as usize {
            return None;
        }
        let off = self.u32_field(FUNC_SIZE + self.npcdata() as usize * 4 + i * 4);
        if off == u32::MAX {
            return None;
        }
        Some(self.md.gofunc + off as usize)
    }

    /// Source file and line of pc.
    pub fn file_line(&self, pc: usize) -> (&'static [u8], i32) {
        let fileno = self.pcvalue(self.pcfile(), pc);
        let line = self.pcvalue(self.pcln(), pc);
        if fileno < 0 || line < 0 {
            return (b"?", 0);
        }
        let file = self
            .md
            .cutab
            .u32_at((self.cu_offset() as usize + fileno as usize) * 4)
            .and_then(|off| if off == u32::MAX { None } else { self.md.filetab.cstr(off as usize) })
            .unwrap_or(b"?");
        (file, line)
    }

    /// The inlining tree's entry at pc: Some((name_off, func_id,
    /// parent_pc, start_line)) if pc lies in a function inlined here.
    pub fn inlined_at(&self, pc: usize) -> Option<InlinedCall> {
        let tree = self.funcdata(FUNCDATA_INL_TREE)?;
        let ix = self.pcdata_value(PCDATA_INL_TREE_INDEX, pc);
        if ix < 0 {
            return None;
        }
        // SAFETY: the inlining tree is linker data in the module's go:func
        // region; ix comes from the function's own tables.
        Some(unsafe { core::ptr::read_unaligned((tree as *const InlinedCall).add(ix as usize)) })
    }
}

/// One entry of a function's inlining tree (funcdata InlTree).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct InlinedCall {
    pub func_id: u8,
    _pad: [u8; 3],
    pub name_off: i32,
    pub parent_pc: i32,
    pub start_line: i32,
}

/// A source-level frame at a pc: physical or inlined.
#[derive(Clone, Copy)]
pub struct SrcFrame {
    pub name: &'static [u8],
    pub func_id: u8,
    pub file: &'static [u8],
    pub line: i32,
    /// True for the outermost (physical) function.
    pub physical: bool,
}

/// Walk the source frames at pc (innermost inlined call first), calling f
/// for each; stops early if f returns false.
pub fn for_each_src_frame(fi: &FuncInfo, pc: usize, mut f: impl FnMut(SrcFrame) -> bool) {
    let mut pc = pc;
    for _ in 0..1000 {
        let (file, line) = fi.file_line(pc);
        match fi.inlined_at(pc) {
            Some(ic) => {
                let fr = SrcFrame {
                    name: fi.name_at(ic.name_off),
                    func_id: ic.func_id,
                    file,
                    line,
                    physical: false,
                };
                if !f(fr) {
                    return;
                }
                pc = fi.entry() + ic.parent_pc as usize;
            }
            None => {
                f(SrcFrame { name: fi.name(), func_id: fi.func_id(), file, line, physical: true });
                return;
            }
        }
    }
}

/// The current thread's cache of pc-value lookups (m.pcvCache), held
/// between enter and leave: PCV_SETS sets of PCV_WAYS entries, by table
/// and pc; a miss replaces a random entry of its set (a walk that asks for
/// more pairs of one set than it holds, in a cycle, still hits some, where
/// replacing the oldest would miss them all: with 8 sets of 2 and the
/// oldest replaced, a change of code layout elsewhere took runtime.Callers
/// from 2168 to 2713 instructions). Entries are never stale: tables and
/// code do not change.
struct PcvCache(*mut crate::layout::rt::m);

/// Entries per set, and sets (a power of 2: the hash's top bits pick one).
const PCV_WAYS: usize = 4;
const PCV_SETS: usize = 8;

// m.pcvCache (asm/runtime/layout.go) holds the sets (a type check).
const _: fn(&crate::layout::rt::m) -> &[crate::layout::rt::pcvEntry; PCV_SETS * PCV_WAYS] = |m| &m.pcvCache;

impl PcvCache {
    /// The current m's cache, unless there is no m (a thread being set
    /// up) or this thread is already using it (a signal handler that
    /// interrupted a lookup: it decodes without the cache).
    #[cfg(not(test))]
    fn enter() -> Option<PcvCache> {
        let gp = crate::gm::getg();
        if gp.is_null() {
            return None;
        }
        // SAFETY: gp is the current g; its m (if any) is this thread's.
        unsafe {
            let mp = (*gp).m;
            if mp.is_null() || (*mp).pcvBusy != 0 {
                return None;
            }
            // A signal arriving from here on sees the flag; compiler
            // fences keep the cache's accesses inside it (the handler
            // runs on this thread: program order is all that matters).
            core::ptr::write_volatile(core::ptr::addr_of_mut!((*mp).pcvBusy), 1);
            core::sync::atomic::compiler_fence(Ordering::SeqCst);
            Some(PcvCache(mp))
        }
    }

    /// Unit tests run without gort's threads: no cache.
    #[cfg(test)]
    fn enter() -> Option<PcvCache> {
        None
    }

    /// The entries of (tab, pc)'s set.
    fn set(&self, tab: usize, pc: usize) -> *mut crate::layout::rt::pcvEntry {
        let h = (pc ^ tab.rotate_left(17)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PCV_SETS.trailing_zeros());
        // SAFETY: self.0 is the current m; h < PCV_SETS, and the sets fill
        // the cache.
        unsafe { core::ptr::addr_of_mut!((*self.0).pcvCache).cast::<crate::layout::rt::pcvEntry>().add(PCV_WAYS * h) }
    }

    fn get(&self, tab: usize, pc: usize) -> Option<(i32, usize)> {
        let e = self.set(tab, pc);
        // SAFETY: entries of our cache, used only by this thread (enter).
        unsafe {
            for w in 0..PCV_WAYS {
                let x = e.add(w);
                if (*x).pc == pc && (*x).tab == tab {
                    return Some(((*x).val, (*x).start));
                }
            }
        }
        None
    }

    fn put(&self, tab: usize, pc: usize, (val, start): (i32, usize)) {
        // SAFETY: as in get; a random entry of the set makes way.
        unsafe {
            let e = self.set(tab, pc).add(crate::rand::cheaprand() as usize % PCV_WAYS);
            (*e).tab = tab;
            (*e).pc = pc;
            (*e).start = start;
            (*e).val = val;
        }
    }

    fn leave(self) {
        core::sync::atomic::compiler_fence(Ordering::SeqCst);
        // SAFETY: self.0 is the current m (enter).
        unsafe { core::ptr::write_volatile(core::ptr::addr_of_mut!((*self.0).pcvBusy), 0) };
    }
}

/// Views of the program's modules, made once by `init` (the module list
/// is the linker's and never changes).
struct Views {
    n: AtomicUsize,
    v: UnsafeCell<[MaybeUninit<Module>; MAX_MODULES]>,
}

/// More modules than a program without plugins has (plugins fail loudly).
const MAX_MODULES: usize = 8;

// SAFETY: `v` is written only by `init`, at startup while the process is
// single-threaded, before `n` publishes the entries; read-only after.
unsafe impl Sync for Views {}

static VIEWS: Views = Views { n: AtomicUsize::new(0), v: UnsafeCell::new([const { MaybeUninit::uninit() }; MAX_MODULES]) };

/// Make the module views (startup, single-threaded, before any traceback
/// or signal can ask for them).
pub fn init() {
    let mut n = 0;
    for md in crate::types::modules() {
        if n == MAX_MODULES {
            crate::fatal::throw("gort: too many modules");
        }
        // SAFETY: startup is single-threaded; nothing reads entry n before
        // the store to `n` below publishes it.
        unsafe { (*VIEWS.v.get())[n].write(Module::from_moduledata(md)) };
        n += 1;
    }
    VIEWS.n.store(n, Ordering::Release);
}

/// The running program's modules.
pub fn modules() -> impl Iterator<Item = &'static Module> {
    let n = VIEWS.n.load(Ordering::Acquire);
    // SAFETY: the first n entries were written by init and are never
    // written again; MaybeUninit<Module> has Module's layout.
    let views: &'static [Module] = unsafe { core::slice::from_raw_parts((*VIEWS.v.get()).as_ptr() as *const Module, n) };
    views.iter()
}

impl FuncInfo {
    /// Address of the _func record (what a *runtime.Func points at).
    pub fn raw(&self) -> *const u8 {
        self.md.pclntable.ptr.wrapping_add(self.off)
    }

    /// The function whose _func record is at p, in the running program.
    pub fn from_raw(p: *const u8) -> Option<FuncInfo> {
        modules().find_map(|m| {
            let start = m.pclntable.ptr as usize;
            let a = p as usize;
            if a >= start && a + FUNC_SIZE <= start + m.pclntable.len {
                Some(FuncInfo { md: m, off: a - start })
            } else {
                None
            }
        })
    }
}

/// The function containing pc in the running program.
pub fn findfunc(pc: usize) -> Option<FuncInfo> {
    modules().find_map(|m| m.findfunc(pc))
}

#[cfg(test)]
pub mod tests {
    //! The decoder against real executables built by the toolchain,
    //! compared with `go tool addr2line`.

    use super::*;
    use object::{Object, ObjectSection, ObjectSymbol};
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    pub const GO: &str = "/usr/lib/go-1.22/bin/go";

    /// An executable loaded for decoding: section bytes kept alive.
    pub struct Loaded {
        _bufs: Vec<Vec<u8>>,
        pub module: Module,
    }

    fn section(obj: &object::File, name: &str) -> (u64, Vec<u8>) {
        let s = obj.section_by_name(name).unwrap_or_else(|| panic!("no section {name}"));
        (s.address(), s.uncompressed_data().unwrap().into_owned())
    }

    /// Build a Module from an ELF Go executable: the pcHeader in
    /// .gopclntab gives every table; findfunctab and go:func.* come from
    /// symbols.
    pub fn load(path: &Path) -> Loaded {
        let data = std::fs::read(path).unwrap();
        let obj = object::File::parse(&*data).unwrap();
        let symbols: HashMap<String, u64> =
            obj.symbols().filter_map(|s| Some((s.name().ok()?.to_string(), s.address()))).collect();
        let (_, pcln) = section(&obj, ".gopclntab");
        let (rodata_addr, rodata) = section(&obj, ".rodata");
        let rd = |off: usize| u64::from_le_bytes(pcln[off..off + 8].try_into().unwrap()) as usize;
        assert_eq!(u32::from_le_bytes(pcln[0..4].try_into().unwrap()), 0xffff_fff1, "pclntab magic");
        let min_lc = pcln[6];
        let nfunc = rd(8);
        let text_start = rd(24);
        let (funcname_off, cu_off, filetab_off, pctab_off, pcln_off) = (rd(32), rd(40), rd(48), rd(56), rd(64));
        let tbl = |from: usize, to: usize| Table { ptr: pcln[from..].as_ptr(), len: to - from };
        let end = pcln.len();
        let ftab_len = (nfunc + 1) * 8;
        let findfunctab = symbols["runtime.findfunctab"];
        let gofunc = symbols["go:func.*"];
        let rodata_ptr = rodata.as_ptr() as usize;
        let translate = |addr: u64| rodata_ptr + (addr - rodata_addr) as usize;
        let ftab = tbl(pcln_off, pcln_off + ftab_len);
        let last_entry = u32::from_le_bytes(pcln[pcln_off + nfunc * 8..pcln_off + nfunc * 8 + 4].try_into().unwrap());
        let maxpc = text_start + last_entry as usize;
        let nbuckets = (maxpc - text_start).div_ceil(PC_BUCKET_SIZE);
        let module = Module {
            funcnametab: tbl(funcname_off, cu_off),
            cutab: tbl(cu_off, filetab_off),
            filetab: tbl(filetab_off, pctab_off),
            pctab: tbl(pctab_off, pcln_off),
            pclntable: tbl(pcln_off, end),
            ftab,
            findfunctab: Table { ptr: translate(findfunctab) as *const u8, len: nbuckets * FIND_FUNC_BUCKET_SIZE },
            minpc: text_start,
            maxpc,
            text: text_start,
            gofunc: translate(gofunc),
            min_lc,
            datap: core::ptr::null(),
        };
        Loaded { _bufs: vec![pcln, rodata], module }
    }

    /// A program with thousands of functions, built with upstream's runtime.
    pub fn build_big_program() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("gort-symtab-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("main.go"),
            "package main\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n\t\"encoding/json\"\n\t\"text/template\"\n)\n\n\
             func inlined(x int) int { return x * 2 }\n\n\
             func main() {\n\tfmt.Println(inlined(3), http.ListenAndServe, json.Valid(nil), template.HTMLEscapeString(\"<\"))\n}\n",
        )
        .unwrap();
        let exe = dir.join("big");
        let st = Command::new(GO)
            .args(["build", "-o"])
            .arg(&exe)
            .arg("main.go")
            .current_dir(&dir)
            .env("GOTOOLCHAIN", "local")
            .env("GOROOT", "/usr/lib/go-1.22")
            .env("GOFLAGS", "")
            .env("CGO_ENABLED", "0")
            .status()
            .expect("running go build (is go1.22.12 installed? scripts/setup-go)");
        assert!(st.success());
        exe
    }

    fn addr2line(exe: &Path, pcs: &[usize]) -> Vec<(String, String, i32)> {
        use std::io::Write;
        let mut child = Command::new(GO)
            .args(["tool", "addr2line"])
            .arg(exe)
            .env("GOROOT", "/usr/lib/go-1.22")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = String::new();
        for pc in pcs {
            input += &format!("{pc:#x}\n");
        }
        // Feed stdin from another thread: addr2line answers as it reads.
        let mut stdin = child.stdin.take().unwrap();
        let feeder = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
        let out = child.wait_with_output().unwrap();
        feeder.join().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        lines
            .chunks(2)
            .map(|c| {
                let (file, line) = c[1].rsplit_once(':').unwrap();
                (c[0].to_string(), file.to_string(), line.parse().unwrap_or(0))
            })
            .collect()
    }

    #[test]
    fn decoder_matches_addr2line_on_thousands_of_functions() {
        let exe = build_big_program();
        // Leaked: FuncInfo refers to its module for the program's life.
        let l: &'static Loaded = Box::leak(Box::new(load(&exe)));
        let m = &l.module;
        let funcs: Vec<FuncInfo> = m.funcs().collect();
        assert!(funcs.len() > 3000, "only {} functions", funcs.len());
        // Probe every function: at its entry, and (when larger) a few
        // bytes in, where the pc-value tables have advanced.
        let mut pcs = Vec::new();
        for (i, f) in funcs.iter().enumerate() {
            let entry = f.entry();
            pcs.push(entry);
            let next = funcs.get(i + 1).map(|g| g.entry()).unwrap_or(m.maxpc);
            if next > entry + 9 {
                pcs.push(entry + (next - entry) / 2);
            }
        }
        let want = addr2line(&exe, &pcs);
        assert_eq!(want.len(), pcs.len());
        let mut checked = 0;
        for (pc, (wname, wfile, wline)) in pcs.iter().zip(&want) {
            let f = m.findfunc(*pc).unwrap_or_else(|| panic!("no function for pc {pc:#x}"));
            // addr2line reports the outermost function name and the
            // innermost position (inlined code's own file and line).
            assert_eq!(String::from_utf8_lossy(f.name()), *wname, "name at {pc:#x}");
            let (file, line) = f.file_line(*pc);
            if wfile.is_empty() {
                // No position recorded: addr2line says ("", -1 or 0); the
                // runtime's convention is ("?", 0).
                assert_eq!((file, line), (&b"?"[..], 0), "no position at {pc:#x} ({wname})");
            } else {
                assert_eq!(String::from_utf8_lossy(file), *wfile, "file at {pc:#x} ({wname})");
                assert_eq!(line, *wline, "line at {pc:#x} ({wname})");
            }
            if !wfile.is_empty() {
                // Inside the function's code (not alignment padding), the
                // frame size is always known.
                assert!(f.spdelta(*pc) >= 0, "spdelta at {pc:#x} ({wname})");
            }
            checked += 1;
        }
        assert!(checked > 5000);
        // Malformed input is refused, not read wildly.
        assert!(m.findfunc(m.maxpc + 100).is_none());
        let broken = FuncInfo { md: m, off: 0 };
        let _ = broken.pcvalue(u32::MAX - 3, m.minpc);
        std::fs::remove_dir_all(exe.parent().unwrap()).ok();
    }
}
