// Function calls a debugger injects into a running goroutine (Delve's
// `call`; the runtime tests' InjectDebugCall plays the debugger). The
// debugger stops the goroutine's thread, pushes the interrupted pc, writes
// the size of the argument frame it needs 16 bytes below, saves every
// register and resumes the thread at debugCallV2 (asm_amd64.s). From then
// on the runtime reports each step with a status in R12 and an INT3; the
// debugger acts at each stop and resumes:
//
//	 0  a frame is ready at SP: write the arguments there and in the
//	    argument registers, push the trapping pc, jump to the function
//	    (closure context in DX)
//	 1  the function returned: results at SP and in the registers
//	 2  the function panicked: the panic value (an eface) at SP
//	 8  no call can be made here: the reason (a string) at SP
//	16  done: restore every register but the pc and SP
//
// The call runs on a goroutine of its own, locked to the debugger's
// thread, while the interrupted goroutine waits ("debug call") in
// debugCallWrap: the interrupted frame is at an arbitrary instruction, so
// that goroutine's stack must neither grow nor move until the call is over.

package runtime

import "unsafe"

func debugCallV2()
func debugCallPanicked(val any)

// gort_debugcall_check's address (a C function of the Rust runtime).
func debugCallCheckFn() unsafe.Pointer

// What debugCallCheck asks the Rust side: may a call be injected with
// return pc pc? reason stays empty if so.
type debugCallQuery struct {
	pc     uintptr
	reason string
}

// The one refusal decided here: the thread is not on the goroutine's own
// stack (it runs the runtime's Rust code on the system stack, or is on its
// way there or back).
const debugCallSystemStack = "executing on Go runtime stack"

// debugCallCheck is debugCallV2's safe-point check: "" if a call may be
// injected where the goroutine was stopped (pc), else why not. The rest of
// the decision (pc's function and its unsafe-point table) is made in Rust,
// reached through asmcgocall: a Rust call's return through rtcall may run
// Go code (a collection) that could grow this stack, which the untyped
// frames below must not see.
//
//go:nosplit
func debugCallCheck(pc uintptr) string {
	gp := getg()
	sp := getcallersp()
	if gp != gp.m.curg || sp <= gp.stack.lo || sp > gp.stack.hi {
		return debugCallSystemStack
	}
	q := debugCallQuery{pc: pc}
	asmcgocall(debugCallCheckFn(), noescape(unsafe.Pointer(&q)))
	return q.reason
}

// debugCallWrap runs the call whose frame debugCallV2 chose (dispatch: a
// debugCallNNN) on a new goroutine, and waits for it. The record stays in
// this frame meanwhile; m.debugCall links the records of nested calls
// (a call injected into a call's goroutine), innermost first. Nosplit, and
// no Rust call through rtcall: nothing may grow this stack here.
//
//go:nosplit
func debugCallWrap(dispatch uintptr) {
	gp := getg()
	mp := gp.m
	rec := debugCallRecord{dispatch: dispatch, gopc: getcallerpc(), outer: mp.debugCall}
	// The frames below (debugCallV2's saved registers, the interrupted
	// function) are scanned conservatively; this also keeps the stack
	// from being shrunk.
	gp.asyncSafePoint = true
	mp.debugCall = uintptr(unsafe.Pointer(&rec))
	mcall(mcallDebugCall)
	// The call is over (src/sched/debugcall.rs gave the thread back).
	if gp.m.debugCall != rec.outer {
		throw("debugCallWrap: debug call records out of order")
	}
	gp.asyncSafePoint = false
}

// debugCallRun is the body of the call's goroutine. It starts on the
// debugger's thread, which it keeps (locked) until the call is over.
func debugCallRun() {
	rec := (*debugCallRecord)(unsafe.Pointer(getg().m.debugCall))
	debugCallGuarded(rec.dispatch)
	mcall(mcallDebugDone)
	// Resumed later from the run queue, anywhere: just exit.
}

// debugCallGuarded calls the debugCallNNN at pc (its traps let the
// debugger make the call and read the results) and turns a panic of the
// called function into the status-2 stop.
func debugCallGuarded(pc uintptr) {
	fv := funcval{fn: pc}
	var f func()
	*(*unsafe.Pointer)(unsafe.Pointer(&f)) = noescape(unsafe.Pointer(&fv))
	returned := false
	defer func() {
		if !returned {
			debugCallPanicked(recover())
		}
	}()
	f()
	returned = true
}
