// The Go side of the garbage collector (src/gc): starting collections
// from goroutines, and the finalizer goroutine.

package runtime

import (
	"internal/abi"
	"unsafe"
)

// rtcallHook runs, as if called by a Rust entry point's trampoline, when
// the Rust call asked for work before returning to Go code: a collection
// an allocation triggered, or marking an allocation owes while the
// collector marks (an assist); or when a leaf entry point's trampoline
// finds a preemption request pending (the goroutine yields here, or in
// this function's prologue). The goroutine is at a safe point here
// (every frame, the trampoline's included, is described for the
// collector).
//
// The semaphore calls below return through rtcall too, so the hook can
// fire again inside itself (the goroutine may have moved to an M with a
// request of its own): a goroutine holding the world semaphore is asked
// for nothing (src/gc: rt_hookWanted). One that asks for a collection
// while another holds it waits for it in gcStart, as upstream's wait for
// the start semaphore: allocation is held back while a cycle is being
// started (dropping the request instead let 16 allocating goroutines take
// the heap 50% past its goal while the starter waited for a processor).
func rtcallHook() {
	switch rt_hookWanted() {
	case hookCollect:
		gcStart(triggerHeap, 0)
	case hookAssist:
		switch rt_gcAssist() {
		case assistDone:
			// Nothing left to mark concurrently: end the cycle here
			// rather than wait for a mark worker to get a processor;
			// unless the world semaphore is taken: then wait for the end
			// (whoever holds it, or a mark worker, ends the cycle).
			if rt_tryAcquireWorldsema() {
				rt_gcMarkDone()
				semrelease1(&worldsema, false, 0)
			} else if rt_gcAssistWait() {
				gopark()
			}
		case assistPark:
			// In debt with nothing to scan: wait for the mark workers'
			// credit or the end of the cycle (src/gc/assist.rs).
			gopark()
		}
	case hookPreempt:
		mcall(mcallPreempt)
	}
}

// What rt_gcAssist reports (src/gc/assist.rs: ASSIST_*).
const (
	assistOK   uint8 = 0
	assistDone uint8 = 1
	assistPark uint8 = 2
)

// What rt_hookWanted asks for (src/gc: HOOK_*).
const (
	hookNone    uint8 = 0
	hookCollect uint8 = 1
	hookAssist  uint8 = 2
	hookPreempt uint8 = 3
)

// gcStart starts a collection if trigger kind still calls for one (for
// triggerUser: unless cycle n has started). The mark workers exist
// before the first cycle, one per P.
func gcStart(kind uint8, n uint32) {
	for k := rt_gcWorkersWanted(); k > 0; k-- {
		go gcBgMarkWorker()
	}
	// Finish the last cycle's sweep first, a batch of spans per call (one
	// long Rust call could not be preempted: other goroutines on this P,
	// its timers, would wait for the whole heap's sweep).
	for rt_sweepStep() {
	}
	semacquire1(&worldsema, false, false, 0, waitReasonSemacquire)
	rt_gcStart(kind, n)
	semrelease1(&worldsema, false, 0)
}

// GC runs a whole collection and sweeps the heap before it returns: it
// waits for the cycle under way (if any) to finish marking, then starts
// the next one and waits for it. Then it yields once: finalizers the
// collection queued get their chance to run before GC returns (programs
// rely on it).
func GC() {
	n := rt_gcCycles()
	gcWaitMark(n)
	gcStart(triggerUser, n+1)
	gcWaitMark(n + 1)
	for rt_sweepStep() {
	}
	rt_sweepAll()
	// Every free of cycle n+1 is known: the memory profile can show it.
	rt_mProfPostSweep(n + 1)
	Gosched()
}

// gcWaitMark parks until cycle n has finished marking.
func gcWaitMark(n uint32) {
	for rt_gcWaitMark(n) {
		gopark()
	}
}

// gcBgMarkWorker is a mark worker (src/gc/workers.rs): parked between
// cycles; during one, it marks a turn at a time, yielding between turns
// when preempted or idle (not for goroutines merely waiting: see
// workers.rs), and ends the cycle when nothing is left to mark.
func gcBgMarkWorker() {
	for {
		if rt_gcWorkerWait() {
			gopark()
			continue
		}
		for {
			st := rt_gcMarkWork()
			if st == markOver {
				break
			}
			if st == markDone {
				semacquire1(&worldsema, false, false, 0, waitReasonSemacquire)
				rt_gcMarkDone()
				semrelease1(&worldsema, false, 0)
				break
			}
			if st == markRest {
				// A fractional worker ahead of its share of the time.
				timeSleep(1000 * 1000)
			} else if st == markIdle {
				// Nothing to scan while other markers hold the rest: wait
				// a little rather than spin through the scheduler; but not
				// on a timer under simulated time, where the clock would
				// jump to it when the program's goroutines all wait.
				if faketime != 0 {
					Gosched()
				} else {
					timeSleep(50 * 1000)
				}
			} else if getg().preempt {
				Gosched()
			}
		}
		rt_gcWorkerLeave()
	}
}

// What rt_gcMarkWork reports (src/gc: MARK_*).
const (
	markMore uint8 = 0
	markIdle uint8 = 1
	markDone uint8 = 2
	markOver uint8 = 3
	markRest uint8 = 4
)

// debug.SetGCPercent: a negative percent turns the collector off, and
// returns once a collection under way has finished marking (the caller
// then sees no collection run until it turns the collector back on).
//
//go:linkname debug_setGCPercent runtime/debug.setGCPercent
func debug_setGCPercent(in int32) (out int32) {
	out = rt_setGCPercent(in)
	if in < 0 {
		gcWaitMark(rt_gcCycles())
	}
	return out
}

// debug.FreeOSMemory: collect, then return free memory to the system.
//
//go:linkname debug_freeOSMemory runtime/debug.freeOSMemory
func debug_freeOSMemory() {
	GC()
	rt_scavengeAll()
}

// debug.WriteHeapDump: the Rust side stops the world (one stopper at a
// time: worldsema) and writes the dump.
//
//go:linkname debug_WriteHeapDump runtime/debug.WriteHeapDump
func debug_WriteHeapDump(fd uintptr) {
	semacquire1(&worldsema, false, false, 0, waitReasonSemacquire)
	rt_writeHeapDump(fd, buildVersion)
	semrelease1(&worldsema, false, 0)
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
		if raceenabled {
			racefingo() // a finalizer sees everything before it
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
