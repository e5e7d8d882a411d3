// Blocking operations: channels, select, semaphores, sync.Cond wait lists,
// sleeping. Each follows one protocol, because a goroutine can only be
// suspended from its own stack:
//
//  1. a Rust call tries the operation; if it must wait, the Rust side
//     enqueues the goroutine (a sudog) and records in its m what to commit
//     once the goroutine is off its stack (typically: unlock the channel;
//     for a semaphore the commit enqueues, and may call the park off);
//  2. the Go side calls gopark (mcall(mcallPark)): the goroutine's context is saved,
//     gort_mcall runs on g0, marks it waiting, runs the commit, schedules;
//  3. when another goroutine (or a timer) readies it, mcall returns here and
//     a second Rust call finishes the operation (results, sudog release,
//     panics such as "send on closed channel").

package runtime

import (
	"internal/abi"
	"runtime/internal/atomic"
	"unsafe"
)

// Results of the first step of a blocking operation.
const (
	blockDone      = 0 // completed
	blockWouldWait = 1 // would have to wait, and the caller asked not to
	blockParked    = 2 // enqueued: park, then finish
)

// ---- channels ----

// chansend sends on c for the program's call at callerpc (under -race the
// send is reported as a read of the channel by runtime.chansend called
// from there, as upstream's: it races with a close).
func chansend(c *hchan, elem unsafe.Pointer, block bool, callerpc uintptr) bool {
	if raceenabled && c != nil {
		racereadpc(unsafe.Pointer(&c.buf), callerpc, abi.FuncPCABIInternal(chansend))
	}
	if !block && wouldWait(c, chanFull) {
		return false
	}
	switch rt_chansend(c, elem, block) {
	case blockDone:
		return true
	case blockParked:
		gopark()
		rt_chansendFinish(c)
		return true
	}
	return false
}

func chanrecv(c *hchan, elem unsafe.Pointer, block bool) (selected, received bool) {
	if !block && wouldWait(c, chanEmpty) {
		return false, false
	}
	r, ok := rt_chanrecv(c, elem, block)
	switch r {
	case blockDone:
		return true, ok
	case blockParked:
		gopark()
		return true, rt_chanrecvFinish(c)
	}
	return false, false
}

// selectnbsend and selectnbrecv are select with a default case. Their
// own wouldWait answers a poll without the call to chansend or chanrecv.
func selectnbsend(c *hchan, elem unsafe.Pointer) (selected bool) {
	if wouldWait(c, chanFull) {
		return false
	}
	return chansend(c, elem, false, getcallerpc())
}

func selectnbrecv(elem unsafe.Pointer, c *hchan) (selected, received bool) {
	if wouldWait(c, chanEmpty) {
		return false, false
	}
	return chanrecv(c, elem, false)
}

// wouldWait tells, without the channel's lock or a call into the runtime,
// that a non-blocking operation on c would have to wait (polling loops of
// select with a default case ask this over and over): the channel has
// nothing for it (read first) and is still open (read second). Closing is
// for good, so a channel open at the second read was open at the first:
// at that instant the operation would have waited, and "not ready" is
// what it would have answered under the lock then. Under -race the
// operation takes the lock, so the detector sees its synchronisation.
func wouldWait(c *hchan, nothing func(*hchan) bool) bool {
	return c != nil && !raceenabled && nothing(c) && atomic.Load(&c.closed) == 0
}

// chanEmpty: no value buffered and no sender waiting (read unlocked).
func chanEmpty(c *hchan) bool {
	if c.dataqsiz == 0 {
		return atomic.Loadp(unsafe.Pointer(&c.sendq.first)) == nil
	}
	return atomic.Loaduint(&c.qcount) == 0
}

// chanFull: no free slot and no receiver waiting (read unlocked).
func chanFull(c *hchan) bool {
	if c.dataqsiz == 0 {
		return atomic.Loadp(unsafe.Pointer(&c.recvq.first)) == nil
	}
	return atomic.Loaduint(&c.qcount) == c.dataqsiz
}

// block parks forever: select {} and a receive from a nil channel.
func block() {
	rt_parkForever(uint8(waitReasonSelectNoCases))
	gopark()
}

//go:linkname reflect_chansend0 reflect.chansend0
func reflect_chansend0(c *hchan, elem unsafe.Pointer, nb bool) (selected bool) {
	return chansend(c, elem, !nb, getcallerpc())
}

//go:linkname reflect_chanrecv reflect.chanrecv
func reflect_chanrecv(c *hchan, nb bool, elem unsafe.Pointer) (selected bool, received bool) {
	return chanrecv(c, elem, !nb)
}

// ---- the network poller ----

//go:linkname poll_runtime_pollWait internal/poll.runtime_pollWait
func poll_runtime_pollWait(pd *pollDesc, mode int) int {
	for {
		code, park := rt_pollWait(pd, mode)
		if !park {
			return code
		}
		gopark()
		if code := rt_pollWaitFinish(pd, mode); code >= 0 {
			return code
		}
	}
}

// ---- semaphores (sync.Mutex, WaitGroup, RWMutex, internal/poll) ----

// semacquire1 waits for the semaphore at addr. profile: the wait counts
// in the block profile (package sync's and internal/poll's waits), whose
// stack leaves out skipframes frames of the caller's package below its
// linkname (src/sched/sema.rs counts this frame and the linkname's).
func semacquire1(addr *uint32, lifo bool, profile bool, skipframes int, reason waitReason) {
	for !rt_semacquire(addr, lifo, profile, uint8(reason)) {
		gopark()
		if rt_semacquireFinish(skipframes) {
			return
		}
	}
}

// semrelease1: skipframes as for semacquire1 (the mutex profile's stack).
func semrelease1(addr *uint32, handoff bool, skipframes int) {
	if rt_semadd(addr) && rt_semwake(addr, handoff, skipframes) {
		// The semaphore was handed to a waiter: let it run now.
		goyield()
	}
}

//go:linkname sync_runtime_Semrelease sync.runtime_Semrelease
func sync_runtime_Semrelease(addr *uint32, handoff bool, skipframes int) {
	semrelease1(addr, handoff, skipframes)
}

//go:linkname poll_runtime_Semrelease internal/poll.runtime_Semrelease
func poll_runtime_Semrelease(addr *uint32) {
	semrelease1(addr, false, 0)
}

// ---- sync.Cond wait lists ----

//go:linkname notifyListAdd sync.runtime_notifyListAdd
func notifyListAdd(l *notifyList) uint32 {
	return atomic.Xadd(&l.wait, 1) - 1
}
