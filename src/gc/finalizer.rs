//! Finalizers (runtime.SetFinalizer) and the finalizer goroutine's queue.
//!
//! A finalizer is a record keyed by its object's address. At the end of
//! marking, an unmarked object with a finalizer is marked again (so that it
//! and what it reaches survive this cycle), its record moves to the queue,
//! and the finalizer goroutine (runtime.runfinq, started with the first
//! SetFinalizer) calls the function; the object is freed by a later cycle
//! if nothing revived it.

use super::mark::Marker;
use crate::layout::abi::{FuncType, InterfaceType, PtrType, RegArgs, Type};
use crate::layout::rt::{funcval, g};
use crate::layout::Eface;
use crate::lock::{Locked, Mutex};
use crate::pvec::PVec;
use crate::sysstat::Stat;
use crate::sched;
use crate::types::*;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// A finalizer: what runfinq needs to call it.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Finalizer {
    pub obj: *mut u8,
    pub fn_: *mut funcval,
    /// Bytes of results the function returns (ignored).
    pub nret: usize,
    /// The function's parameter type.
    pub fint: *mut Type,
    /// The object's pointer type.
    pub ot: *mut PtrType,
}

const EMPTY: Finalizer = Finalizer { obj: null_mut(), fn_: null_mut(), nret: 0, fint: null_mut(), ot: null_mut() };

/// The records: an open-addressed table keyed by object address.
struct Table {
    slots: *mut Finalizer,
    cap: usize,
    len: usize,
}

/// The records and the queue, under one lock (also the one the finalizer
/// goroutine parks with, and the one that guards its creation).
struct Finalizers {
    table: Table,
    /// Finalizers ready to run.
    queue: PVec<Finalizer>,
}

// SAFETY: the records point at heap objects and Go functions, which every
// thread may use; they are reached only under the lock.
unsafe impl Send for Finalizers {}

static FINALIZERS: Locked<Finalizers> =
    Locked::new(crate::lockrank::Rank::Finalizers, Finalizers { table: Table { slots: null_mut(), cap: 0, len: 0 }, queue: PVec::persistent(64, Stat::Other) });
/// The object of the finalizer runfinq is calling (null while it waits):
/// a root, because once off the queue the object is only in runfinq's
/// register image, a stack object no live pointer may reach yet.
static CALLING: AtomicPtr<u8> = AtomicPtr::new(null_mut());
/// The finalizer goroutine, and whether it waits for work.
static RUNNER: AtomicPtr<g> = AtomicPtr::new(null_mut());
static RUNNER_WAITING: AtomicUsize = AtomicUsize::new(0);

fn hash(p: usize) -> usize {
    (p >> 3).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl Table {
    fn find(&self, obj: *mut u8) -> Option<usize> {
        if self.cap == 0 {
            return None;
        }
        let mut i = hash(obj as usize) & (self.cap - 1);
        loop {
            // SAFETY: i < cap.
            let s = unsafe { &*self.slots.add(i) };
            if s.obj.is_null() {
                return None;
            }
            if s.obj == obj {
                return Some(i);
            }
            i = (i + 1) & (self.cap - 1);
        }
    }

    fn insert(&mut self, f: Finalizer) {
        if (self.len + 1) * 2 > self.cap {
            self.grow();
        }
        let mut i = hash(f.obj as usize) & (self.cap - 1);
        // SAFETY: the table is never full (load factor 1/2).
        unsafe {
            while !(*self.slots.add(i)).obj.is_null() {
                i = (i + 1) & (self.cap - 1);
            }
            *self.slots.add(i) = f;
        }
        self.len += 1;
    }

    fn grow(&mut self) {
        let (old, oldcap) = (self.slots, self.cap);
        let cap = (oldcap * 2).max(64);
        self.slots = crate::sysstat::map(cap * core::mem::size_of::<Finalizer>(), crate::sysstat::Stat::Other)
            .unwrap_or_else(|| crate::fatal::throw("runtime: cannot allocate finalizer table")) as *mut Finalizer;
        self.cap = cap;
        self.len = 0;
        for i in 0..oldcap {
            // SAFETY: i < oldcap.
            let f = unsafe { *old.add(i) };
            if !f.obj.is_null() {
                self.insert(f);
            }
        }
        if oldcap > 0 {
            crate::sysstat::unmap(old as *mut u8, oldcap * core::mem::size_of::<Finalizer>(), crate::sysstat::Stat::Other);
        }
    }

    /// Remove slot i, re-placing the entries of its probe run.
    fn remove_at(&mut self, mut i: usize) {
        // SAFETY: i < cap.
        unsafe {
            *self.slots.add(i) = EMPTY;
            self.len -= 1;
            loop {
                i = (i + 1) & (self.cap - 1);
                let f = *self.slots.add(i);
                if f.obj.is_null() {
                    return;
                }
                *self.slots.add(i) = EMPTY;
                self.len -= 1;
                self.insert(f);
            }
        }
    }
}

// ---- SetFinalizer ----

fn fail(parts: &[&[u8]]) -> ! {
    let mut buf = [0u8; 512];
    let mut n = 0;
    for p in parts {
        let k = p.len().min(buf.len() - n);
        buf[n..n + k].copy_from_slice(&p[..k]);
        n += k;
    }
    // SAFETY: type strings and our literals are UTF-8.
    crate::fatal::throw(unsafe { core::str::from_utf8_unchecked(&buf[..n]) })
}

/// The parameter and result types of a function type.
unsafe fn func_params(ft: *const FuncType) -> (&'static [*mut Type], &'static [*mut Type], bool) {
    // SAFETY: ft is a function type descriptor: the parameter types follow
    // it (and its uncommon part, if any).
    unsafe {
        let mut off = core::mem::size_of::<FuncType>();
        if (*ft).Type.TFlag & TFLAG_UNCOMMON != 0 {
            off += core::mem::size_of::<crate::layout::abi::UncommonType>();
        }
        let p = (ft as *const u8).add(off) as *const *mut Type;
        let nin = (*ft).InCount as usize;
        let nout = ((*ft).OutCount & 0x7fff) as usize;
        let variadic = (*ft).OutCount & 0x8000 != 0;
        (core::slice::from_raw_parts(p, nin), core::slice::from_raw_parts(p.add(nin), nout), variadic)
    }
}

pub fn SetFinalizer(obj: Eface, finalizer: Eface) {
    let etyp = obj.typ;
    if etyp.is_null() {
        crate::fatal::throw("runtime.SetFinalizer: first argument is nil");
    }
    // SAFETY: live interface values' type descriptors; obj.data is the
    // pointer the interface holds.
    unsafe {
        if kind(etyp) != KIND_POINTER {
            fail(&[b"runtime.SetFinalizer: first argument is ", type_string(etyp), b", not pointer"]);
        }
        let ot = etyp as *mut PtrType;
        if (*ot).Elem.is_null() {
            crate::fatal::throw("nil elem type!");
        }
        let p = obj.data as usize;
        // Only whether p is in an in-use span's objects, as upstream's
        // findObject: not the object's allocation bit, which a concurrent
        // sweep of the span is rewriting (allocbits swapped for the marks,
        // the old words zeroed), so a live object could read as free.
        let s = crate::heap::span_of_heap(p);
        if s.is_null() {
            if crate::types::modules().any(|m| (m.data <= p && p < m.ebss) || (m.noptrdata <= p && p < m.enoptrbss)) {
                // Linker-allocated (a global): never collected, nothing to do.
                return;
            }
            crate::fatal::throw("runtime.SetFinalizer: pointer not in allocated block");
        }
        let base = (*s).obj_base((*s).obj_index(p));
        if p != base {
            let elem = (*ot).Elem;
            if (*elem).PtrBytes != 0 || (*elem).Size_ >= 16 {
                crate::fatal::throw("runtime.SetFinalizer: pointer not at beginning of allocated block");
            }
        }
        let ftyp = finalizer.typ;
        if ftyp.is_null() {
            FINALIZERS.with(|fs| {
                if let Some(i) = fs.table.find(obj.data) {
                    fs.table.remove_at(i);
                }
            });
            return;
        }
        if kind(ftyp) != KIND_FUNC {
            fail(&[b"runtime.SetFinalizer: second argument is ", type_string(ftyp), b", not a function"]);
        }
        let (ins, outs, variadic) = func_params(ftyp as *const FuncType);
        if variadic {
            fail(&[b"runtime.SetFinalizer: cannot pass ", type_string(etyp), b" to finalizer ", type_string(ftyp), b" because dotdotdot"]);
        }
        if ins.len() != 1 {
            fail(&[b"runtime.SetFinalizer: cannot pass ", type_string(etyp), b" to finalizer ", type_string(ftyp)]);
        }
        let fint = ins[0];
        let ok = fint == etyp
            || (kind(fint) == KIND_POINTER
                && ((*fint).TFlag & TFLAG_UNCOMMON == 0 || (*etyp).TFlag & TFLAG_UNCOMMON == 0)
                && (*(fint as *mut PtrType)).Elem == (*ot).Elem)
            || (kind(fint) == KIND_INTERFACE && {
                let it = fint as *mut InterfaceType;
                (*it).Methods.len == 0 || !crate::iface::assertE2I2(it, etyp).is_null()
            });
        if !ok {
            fail(&[b"runtime.SetFinalizer: cannot pass ", type_string(etyp), b" to finalizer ", type_string(ftyp)]);
        }
        let mut nret = 0usize;
        for &t in outs {
            let a = ((*t).Align_ as usize).max(1);
            nret = nret.next_multiple_of(a) + (*t).Size_;
        }
        nret = nret.next_multiple_of(8);
        start_runner();
        let f = Finalizer { obj: obj.data, fn_: finalizer.data as *mut funcval, nret, fint, ot };
        let set = FINALIZERS.with(|fs| {
            if fs.table.find(obj.data).is_some() {
                return false;
            }
            fs.table.insert(f);
            true
        });
        if !set {
            crate::fatal::throw("runtime.SetFinalizer: finalizer already set");
        }
        // The table is scanned when a collection starts; while one marks,
        // shade the function and what the object points to now (the
        // caller may drop both before anything else finds them).
        if crate::wb::enabled() {
            let mut m = Marker::new();
            m.mark_ptr(f.fn_ as usize, false);
            m.mark_referents(obj.data as usize);
            m.publish();
            m.free();
        }
    }
}

/// The funcval of runtime.runfinq: its code word is written once, under
/// the finalizers' lock, before the goroutine exists; read only by that
/// goroutine.
static RUNFINQ_FV: crate::global::Global<funcval> = crate::global::Global::new(funcval { r#fn: 0 });

fn start_runner() {
    if !RUNNER.load(Ordering::Acquire).is_null() {
        return;
    }
    FINALIZERS.mutex().lock();
    if RUNNER.load(Ordering::Acquire).is_null() {
        // SAFETY: written once, under the finalizers' lock, before the
        // goroutine exists.
        unsafe {
            RUNFINQ_FV.get().r#fn = crate::links::links().runfinqPC;
            let gp = sched::newproc1(RUNFINQ_FV.as_ptr(), crate::gm::curg(), 0);
            RUNNER.store(gp, Ordering::Release);
            // As a `go` statement would: next to run on this P.
            sched::runq::runqput(sched::curp(), gp, true);
        }
    }
    FINALIZERS.mutex().unlock();
    sched::mthread::wakep();
}

// ---- the heap dump (world stopped) ----

/// Call f(record, false) for every finalizer record, then f(record, true)
/// for every finalizer waiting in the queue (runtime/debug.WriteHeapDump).
///
/// # Safety
/// The world is stopped (as for mark_tables: the lock is not taken).
pub unsafe fn for_each_finalizer(mut f: impl FnMut(&Finalizer, bool)) {
    // SAFETY: the world is stopped: nobody else uses the table.
    let fs = unsafe { FINALIZERS.get_locked() };
    for i in 0..fs.table.cap {
        // SAFETY: i < cap.
        let rec = unsafe { &*fs.table.slots.add(i) };
        if !rec.obj.is_null() {
            f(rec, false);
        }
    }
    for rec in fs.queue.as_slice() {
        f(rec, true);
    }
}

// ---- the collector's side (world stopped) ----

/// Mark the finalizer functions and what each object with a finalizer
/// points to (roots); the objects themselves are not roots. So when A
/// points to B and both have finalizers, only A's runs in a collection
/// that finds both unreachable, and B's in a later one (upstream's order;
/// a cycle through an object with a finalizer is never collected).
pub fn mark_tables(m: &mut Marker) {
    // SAFETY: the world is stopped (marking): nobody else uses the table.
    // (The lock is not taken: a goroutine that parked with it prepared may
    // be the one collecting, see rtcall's hook.)
    let fs = unsafe { FINALIZERS.get_locked() };
    {
        let t = &fs.table;
        for i in 0..t.cap {
            // SAFETY: i < cap.
            let f = unsafe { *t.slots.add(i) };
            if !f.obj.is_null() {
                m.mark_ptr(f.fn_ as usize, false);
                m.mark_referents(f.obj as usize);
            }
        }
        for f in fs.queue.as_slice() {
            m.mark_ptr(f.obj as usize, false);
            m.mark_ptr(f.fn_ as usize, false);
        }
    }
    m.mark_ptr(CALLING.load(Ordering::Relaxed) as usize, false);
}

/// After marking: queue the finalizers of unreachable objects, reviving
/// the objects (and what they reach) for their finalizer.
pub fn mark_finalizers(m: &mut Marker) {
    // SAFETY: as for mark_tables.
    let fs = unsafe { FINALIZERS.get_locked() };
    // First every record whose object is unmarked, then revive them: the
    // objects of a tiny block's several finalizers are one object to the
    // collector, whose finalizers all run when the block is unreachable.
    let first = fs.queue.len();
    let mut i = 0;
    while i < fs.table.cap {
        // SAFETY: i < cap.
        let f = unsafe { *fs.table.slots.add(i) };
        if f.obj.is_null() || is_marked(f.obj as usize) {
            i += 1;
            continue;
        }
        fs.queue.push(f);
        fs.table.remove_at(i);
        // remove_at may have moved another entry into slot i: look again.
    }
    for k in first..fs.queue.len() {
        m.mark_ptr(fs.queue.get(k).obj as usize, false);
    }
}

fn is_marked(p: usize) -> bool {
    let s = crate::heap::span_of_heap(p);
    // SAFETY: s is null or an in-use span.
    s.is_null() || unsafe { (*s).is_marked((*s).obj_index(p)) }
}

/// After a collection: wake the finalizer goroutine if it has work.
pub fn wake_runner() {
    let wake = FINALIZERS.with(|fs| {
        let gp = RUNNER.load(Ordering::Acquire);
        !fs.queue.is_empty() && !gp.is_null() && RUNNER_WAITING.swap(0, Ordering::AcqRel) == 1
    });
    let gp = RUNNER.load(Ordering::Acquire);
    if wake {
        sched::schedule::ready(gp);
    }
}

/// The finalizer goroutine's next call: the function to call and the size
/// of the argument frame reflectcall needs (spill space for its one
/// argument, then room for its results, which are dropped), with the
/// argument placed in the register image regs. The argument is the object
/// converted to the function's parameter type: the pointer itself, or an
/// interface holding it (two words); it stays a root until runfinq asks
/// again. Null, after preparing to park until there is work, when the
/// queue is empty.
///
/// # Safety
/// `regs` is runfinq's own register image.
pub unsafe fn rt_finalizerCall(regs: *mut RegArgs) -> (*mut funcval, usize) {
    // Held until the park commit releases it when the queue is empty.
    let lock = FINALIZERS.mutex();
    lock.lock();
    // SAFETY: the lock is held.
    let next = unsafe { FINALIZERS.get_locked().queue.pop() };
    CALLING.store(next.map_or(null_mut(), |f| f.obj), Ordering::Relaxed);
    let Some(f) = next else {
        RUNNER_WAITING.store(1, Ordering::Release);
        sched::schedule::prepare_park(Some(sched::schedule::unlock_commit), lock as *const Mutex as *mut u8, crate::layout::rt::waitReasonFinalizerWait as u8);
        return (null_mut(), 0);
    };
    lock.unlock();
    // SAFETY: regs is runfinq's zeroed register image; f's descriptors were
    // checked by SetFinalizer.
    unsafe {
        let r = &mut *regs;
        let mut obj_reg = 0;
        if kind(f.fint) == KIND_INTERFACE {
            let it = f.fint as *mut InterfaceType;
            let ptr_type = core::ptr::addr_of_mut!((*f.ot).Type);
            r.Ints[0] = if (*it).Methods.len == 0 {
                ptr_type as usize
            } else {
                crate::iface::assertE2I(it, ptr_type) as usize
            };
            obj_reg = 1;
        } else if kind(f.fint) != KIND_POINTER && kind(f.fint) != KIND_UNSAFE_POINTER {
            crate::fatal::throw("bad kind in runfinq");
        }
        r.Ints[obj_reg] = f.obj as usize;
        r.Ptrs[obj_reg] = f.obj;
        (f.fn_, 2 * core::mem::size_of::<usize>() + f.nret)
    }
}

/// Is gp the finalizer goroutine, calling a finalizer (the program's code:
/// the goroutine profile counts it then, as upstream's)?
pub fn running_finalizer(gp: *mut g) -> bool {
    !gp.is_null() && RUNNER.load(Ordering::Acquire) == gp && !CALLING.load(Ordering::Relaxed).is_null()
}

/// Is the finalizer goroutine parked, waiting for work?
pub fn runner_asleep() -> bool {
    let gp = RUNNER.load(Ordering::Acquire);
    !gp.is_null() && RUNNER_WAITING.load(Ordering::Acquire) == 1 && crate::gm::gstatus(gp) == crate::gm::G_WAITING
}

/// No finalizer is queued and the finalizer goroutine (if any) waits for
/// work (runtime.blockUntilEmptyFinalizerQueue).
pub fn rt_finqEmpty() -> bool {
    FINALIZERS.with(|fs| {
        fs.queue.is_empty() && (RUNNER.load(Ordering::Acquire).is_null() || RUNNER_WAITING.load(Ordering::Acquire) == 1)
    })
}
