//! Stack maps: which slots of a goroutine's frame hold pointers, from the
//! pclntab (funcdata LocalsPointerMaps/ArgsPointerMaps indexed by pcdata
//! StackMapIndex at the frame's continuation pc, and StackObjects for
//! address-taken variables). Stack copying (mem/stack.rs) adjusts these
//! slots; the collector (gc/mark.rs) scans them.

use crate::gprint;
use crate::symtab::{FuncInfo, FUNCDATA_ARGS_POINTER_MAPS, FUNCDATA_LOCALS_POINTER_MAPS, FUNCDATA_STACK_OBJECTS, PCDATA_STACK_MAP_INDEX};
use crate::traceback::Frame;

/// A bit vector of a stack map: n bits at p.
#[derive(Clone, Copy)]
pub struct BitVec {
    pub n: usize,
    p: *const u8,
}

impl BitVec {
    const EMPTY: BitVec = BitVec { n: 0, p: core::ptr::null() };
    pub fn bit(&self, i: usize) -> bool {
        // SAFETY: i < n; the map has (n+7)/8 bytes.
        unsafe { *self.p.add(i / 8) >> (i % 8) & 1 != 0 }
    }
}

/// Bitmap `index` of a stack map (funcdata: int32 count, int32 bits per
/// map, then the maps).
fn stackmap(fi: &FuncInfo, which: usize, index: i32, what: &str) -> Option<BitVec> {
    let p = fi.funcdata(which)?;
    // SAFETY: p is linker-emitted funcdata of this function.
    unsafe {
        let n = *(p as *const i32);
        let nbit = *((p + 4) as *const i32);
        if n <= 0 {
            return None;
        }
        if nbit == 0 {
            return Some(BitVec::EMPTY);
        }
        if index < 0 || index >= n {
            gprint!(b"runtime: pcdata is ", index, b" and ", n, b" ", what, b" stack map entries for ");
            crate::traceback::print_func_name(fi.name());
            gprint!(b"\n");
            crate::fatal::throw("bad symbol table");
        }
        let bytes = (nbit as usize).div_ceil(8);
        Some(BitVec { n: nbit as usize, p: (p + 8 + bytes * index as usize) as *const u8 })
    }
}

fn visit_bits(base: usize, bv: &BitVec, kind: Slot, visit: &mut dyn FnMut(usize, Slot)) {
    for i in 0..bv.n {
        if bv.bit(i) {
            visit(base + i * 8, kind);
        }
    }
}

/// A stack object record (funcdata StackObjects, after a count word).
#[repr(C)]
struct StackObject {
    off: i32,
    size: i32,
    ptrdata: i32,
    gcdataoff: u32,
}

/// What a pointer slot of a frame is.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Slot {
    /// A live pointer (stack maps): it points at a valid object or nowhere.
    Live,
    /// A pointer slot of an address-taken variable, live or not: it may
    /// hold a stale value.
    Object,
    /// The frame's saved frame pointer (points into the stack).
    SavedBP,
}

/// Call visit(address, kind) for every pointer slot of frame f (whose
/// callee, the frame below it, was sigpanic if `callee_sigpanic`).
pub fn visit_frame(f: &Frame, callee_sigpanic: bool, visit: &mut dyn FnMut(usize, Slot)) {
    visit_frame_split(f, callee_sigpanic, visit, None)
}

/// The argument area of frame f when its callee (the frame below it, None
/// for the innermost) is runtime.rtcallHook: f is then a Rust entry
/// point's trampoline whose return runs the hook (asm_amd64.s), and the
/// area holds the Rust call's results as well as its arguments, which f's
/// argument map does not describe (a result may point into this stack, at
/// a map the compiler put there, say). The collector scans it
/// conservatively (gc/mark.rs) and stack copying adjusts every word of it
/// that points into the old stack (mem/stack.rs). None for any other
/// frame.
pub fn hook_args(f: &Frame, callee: Option<&FuncInfo>) -> Option<core::ops::Range<usize>> {
    let args = f.fi.args();
    if args <= 0 || callee?.name() != b"runtime.rtcallHook" {
        return None;
    }
    Some(f.fp..f.fp + args as usize)
}

/// An address-taken variable of a frame (a stack object record): the
/// collector scans it only if a pointer reaches it.
#[derive(Clone, Copy)]
pub struct StackObj {
    pub addr: usize,
    pub size: usize,
    /// Pointer-sized words covered by the type's pointer data.
    pub words: usize,
    /// The type's GC data: a bitmap of `words` bits, or (big types, such
    /// as large arrays) a GC program after its 4-byte length.
    gcdata: *const u8,
    prog: bool,
}

impl StackObj {
    /// Call f(i) for every word i of the object that holds a pointer.
    pub fn for_each_ptr_word(&self, mut f: impl FnMut(usize)) {
        if self.prog {
            let words = self.words;
            // SAFETY: gcdata is the compiler's GC program for the object's
            // type, prefixed by its length.
            unsafe {
                crate::gcprog::run_prog(self.gcdata.add(4), |i, v| {
                    if v && i < words {
                        f(i)
                    }
                })
            };
            return;
        }
        let bv = BitVec { n: self.words, p: self.gcdata };
        for i in 0..bv.n {
            if bv.bit(i) {
                f(i);
            }
        }
    }
}

/// visit_frame, but with the frame's stack objects given whole to `objs`
/// (when present) instead of slot by slot to `visit`.
pub fn visit_frame_split(
    f: &Frame,
    callee_sigpanic: bool,
    visit: &mut dyn FnMut(usize, Slot),
    mut objs: Option<&mut dyn FnMut(StackObj)>,
) {
    let fi = &f.fi;
    let Some(index) = map_index(f, callee_sigpanic) else {
        return;
    };
    let varp = f.varp();
    let argp = f.fp;
    // Locals.
    let size = varp - f.sp;
    if size > 0 {
        match stackmap(fi, FUNCDATA_LOCALS_POINTER_MAPS, index, "locals") {
            Some(bv) => visit_bits(varp - bv.n * 8, &bv, Slot::Live, visit),
            None => {
                gprint!(b"runtime: frame ");
                crate::traceback::print_func_name(fi.name());
                gprint!(b" untyped locals ", crate::print::Hex((varp - size) as u64), b"+", crate::print::Hex(size as u64), b"\n");
                crate::fatal::throw("missing stackmap");
            }
        }
    }
    // The saved frame pointer.
    if argp - varp == 16 {
        visit(varp, Slot::SavedBP);
    }
    // Arguments.
    let args = fi.args();
    if args == i32::MIN {
        let name = fi.name();
        if name == b"reflect.makeFuncStub" || name == b"reflect.methodValueCall" {
            reflect_stub_slots(f, argp, varp, visit);
        }
    } else if args > 0 {
        match stackmap(fi, FUNCDATA_ARGS_POINTER_MAPS, index, "args") {
            Some(bv) => visit_bits(argp, &bv, Slot::Live, visit),
            None => {
                gprint!(b"runtime: frame ");
                crate::traceback::print_func_name(fi.name());
                gprint!(b" untyped args ", crate::print::Hex(argp as u64), b"+", crate::print::Hex(args as u64), b"\n");
                crate::fatal::throw("missing stackmap");
            }
        }
    }
    // Address-taken variables: every pointer slot, live or not.
    if let Some(p) = fi.funcdata(FUNCDATA_STACK_OBJECTS) {
        // SAFETY: p is linker-emitted funcdata: a count, then records.
        unsafe {
            let n = *(p as *const usize);
            let recs = (p + 8) as *const StackObject;
            for i in 0..n {
                let r = &*recs.add(i);
                let base = if r.off >= 0 { argp } else { varp };
                let obj = base.wrapping_add(r.off as isize as usize);
                if obj < f.sp {
                    // Not allocated in the frame yet.
                    continue;
                }
                let gcdata = ((*fi.md.datap).rodata + r.gcdataoff as usize) as *const u8;
                // A negative ptrdata: the type's GC data is a program.
                let words = r.ptrdata.unsigned_abs() as usize / 8;
                let o = StackObj { addr: obj, size: r.size as usize, words, gcdata, prog: r.ptrdata < 0 };
                match objs.as_mut() {
                    Some(take) => take(o),
                    None => o.for_each_ptr_word(|i| visit(obj + i * 8, Slot::Object)),
                }
            }
        }
    }
}

/// The index of the stack maps that describe frame f where it continues:
/// at its return address, or for a frame that faulted (callee sigpanic),
/// at its deferreturn call; None if it cannot continue (no recovery).
fn map_index(f: &Frame, callee_sigpanic: bool) -> Option<i32> {
    let fi = &f.fi;
    let mut continpc = f.pc;
    if callee_sigpanic {
        continpc = if fi.deferreturn() != 0 { fi.entry() + fi.deferreturn() as usize + 1 } else { 0 };
    }
    if continpc == 0 {
        return None;
    }
    let targetpc = if continpc != fi.entry() { continpc - 1 } else { continpc };
    match fi.pcdata_value(PCDATA_STACK_MAP_INDEX, targetpc) {
        // Most likely the prologue: the entry map.
        -1 => Some(0),
        i => Some(i),
    }
}

/// The heap dump's view of a function's pointer maps where it continues at
/// `continpc` (0: it cannot continue, and the entry maps are used): its
/// locals' map and its arguments' map, each None when the function has
/// none.
pub fn maps_at(fi: &FuncInfo, continpc: usize) -> (Option<BitVec>, Option<BitVec>) {
    let index = if continpc == 0 || continpc == fi.entry() {
        0
    } else {
        fi.pcdata_value(PCDATA_STACK_MAP_INDEX, continpc - 1).max(0)
    };
    (
        stackmap(fi, FUNCDATA_LOCALS_POINTER_MAPS, index, "locals"),
        stackmap(fi, FUNCDATA_ARGS_POINTER_MAPS, index, "args"),
    )
}

/// The live-pointer map of frame f's locals (the n words just below
/// varp): calls out(address) for every live pointer slot, and returns n
/// (0 without locals or a map).
pub fn live_locals(f: &Frame, callee_sigpanic: bool, mut out: impl FnMut(usize)) -> usize {
    let Some(index) = map_index(f, callee_sigpanic) else {
        return 0;
    };
    if f.varp() == f.sp {
        return 0;
    }
    let Some(bv) = stackmap(&f.fi, FUNCDATA_LOCALS_POINTER_MAPS, index, "locals") else {
        return 0;
    };
    let base = f.varp() - bv.n * 8;
    for i in 0..bv.n {
        if bv.bit(i) {
            out(base + i * 8);
        }
    }
    bv.n
}

/// reflect's makeFuncStub and methodValueCall have no argument map of their
/// own: their arguments are described by the closure context they save at
/// 0(SP) (reflect's makeFuncCtxt: fn, *bitVector of the stack arguments and
/// results, argLen), the results counting only once reflect has set the
/// retValid word at 32(SP). Their frame also holds an abi.RegArgs as its
/// topmost local, whose Ptrs words hold pointer arguments.
fn reflect_stub_slots(f: &Frame, argp: usize, varp: usize, visit: &mut dyn FnMut(usize, Slot)) {
    // abi.RegArgs: Ints [9]uintptr, Floats [15]uint64, Ptrs [9]unsafe.Pointer,
    // ReturnIsPtr; pointer words 24..32.
    const REGARGS_SIZE: usize = 272;
    static REGARGS_PTRMASK: [u8; 5] = [0, 0, 0, 0xff, 0x01];
    let arg0 = f.sp;
    if arg0 >= f.fp - 8 {
        // Not started yet (no frame): no arguments to adjust.
        return;
    }
    // SAFETY: the stub stored its context and retValid at these fixed
    // offsets of its frame (reflect/asm_amd64.s).
    unsafe {
        let ctxt = *(arg0 as *const *const usize);
        let ret_valid = *((arg0 + 32) as *const bool);
        if *ctxt != f.fi.entry() {
            crate::fatal::throw("reflect mismatch");
        }
        let bv = *ctxt.add(1) as *const BitVecRaw;
        let mut n = (*bv).n as usize;
        if !ret_valid {
            let arglen = *ctxt.add(2);
            n = n.min(arglen / 8);
        }
        visit_bits(argp, &BitVec { n, p: (*bv).data }, Slot::Live, visit);
    }
    visit_bits(varp - REGARGS_SIZE, &BitVec { n: 33, p: REGARGS_PTRMASK.as_ptr() }, Slot::Object, visit);
}

/// reflect's bitVector (and the runtime's bitvector): n bits at data.
#[repr(C)]
struct BitVecRaw {
    n: i32,
    data: *const u8,
}
