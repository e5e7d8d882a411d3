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

// runfinq is the finalizer goroutine. The Rust side hands it each queued
// finalizer as a ready call: the function, its argument already in the
// register image, and the frame size; the call goes through reflectcall,
// which handles any result layout. The argument frame is reused while it is
// big enough.
func runfinq() {
	var frame unsafe.Pointer
	var frameCap uintptr
	for {
		var regs abi.RegArgs
		fn, size := rt_finalizerCall(&regs)
		if fn == nil {
			gopark()
			continue
		}
		if size > frameCap {
			frame, frameCap = mallocgc(size, nil, true), size
		}
		reflectcall(nil, unsafe.Pointer(fn), frame, uint32(size), uint32(size), uint32(size), &regs)
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
