// The Go side of the garbage collector (src/gc): starting collections
// from goroutines, and the finalizer goroutine.

package runtime

import (
	"internal/abi"
	"runtime/internal/atomic"
	"unsafe"
)

// rtcallHook runs, as if called by a Rust entry point's trampoline, when
// the Rust call asked for work before returning to Go code: a collection
// an allocation triggered. The goroutine is at a safe point here (every
// frame, the trampoline's included, is described for the collector).
//
// The semaphore calls below return through rtcall too, so the hook can
// fire again inside itself (the goroutine may have moved to an M with a
// request of its own): while the world semaphore is taken, by this
// goroutine or another, a collection is under way or excluded, and the
// request is dropped (the next allocation past the trigger asks again).
func rtcallHook() {
	if rt_hookWanted() && atomic.Load(&worldsema) != 0 {
		semacquire1(&worldsema, false, waitReasonSemacquire)
		rt_gcCollect(triggerHeap)
		semrelease1(&worldsema, false)
	}
}

// GC runs a whole collection and sweeps the heap before it returns. Then
// it yields once: finalizers the collection queued get their chance to
// run before GC returns (programs rely on it).
func GC() {
	semacquire1(&worldsema, false, waitReasonSemacquire)
	rt_gcCollect(triggerUser)
	semrelease1(&worldsema, false)
	rt_sweepAll()
	Gosched()
}

// debug.FreeOSMemory: collect, then return free memory to the system.
//
//go:linkname debug_freeOSMemory runtime/debug.freeOSMemory
func debug_freeOSMemory() {
	GC()
	rt_scavengeAll()
}

// A finalizer to run (src/gc/finalizer.rs).
type finalizer struct {
	obj  unsafe.Pointer
	fn   *funcval
	nret uintptr
	fint *_type
	ot   *ptrtype
}

const (
	kindInterface     = 20
	kindPtr           = 22
	kindUnsafePointer = 26
)

// runfinq is the finalizer goroutine: it calls each queued finalizer with
// its object as the argument (converted to the function's parameter
// type), through reflectcall.
func runfinq() {
	var frame unsafe.Pointer
	var framecap uintptr
	for {
		var f finalizer
		if !rt_nextFinalizer(&f) {
			mcall(mcallPark)
			continue
		}
		framesz := unsafe.Sizeof((any)(nil)) + f.nret
		if framecap < framesz {
			frame = mallocgc(framesz, nil, true)
			framecap = framesz
		}
		var regs abi.RegArgs
		switch f.fint.Kind_ & kindMask {
		case kindPtr, kindUnsafePointer:
			regs.Ints[0] = uintptr(f.obj)
			regs.Ptrs[0] = f.obj
		case kindInterface:
			ityp := (*interfacetype)(unsafe.Pointer(f.fint))
			if len(ityp.Methods) == 0 {
				regs.Ints[0] = uintptr(unsafe.Pointer(&f.ot.Type))
			} else {
				regs.Ints[0] = uintptr(unsafe.Pointer(assertE2I(ityp, &f.ot.Type)))
			}
			regs.Ints[1] = uintptr(f.obj)
			regs.Ptrs[1] = f.obj
		default:
			throw("bad kind in runfinq")
		}
		reflectcall(nil, unsafe.Pointer(f.fn), frame, uint32(framesz), uint32(framesz), uint32(framesz), &regs)
	}
}

// blockUntilEmptyFinalizerQueue (sync's tests reach it by linkname): wait,
// yielding, until no finalizer is queued or running, or the timeout (ns)
// passes; reports whether the queue emptied.
func blockUntilEmptyFinalizerQueue(timeout int64) bool {
	start := nanotime()
	for !rt_finqEmpty() {
		if nanotime()-start >= timeout {
			return false
		}
		Gosched()
	}
	return true
}

// heapObjectsCanMove: gort's collector never moves heap objects.
func heapObjectsCanMove() bool { return false }
