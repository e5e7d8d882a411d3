// The Go half of synchronous signals. The Rust handler (src/signal.rs)
// turns a fault in Go code into a call of sigpanic on the faulting
// goroutine (as if the faulting instruction had called it), with the
// signal's details in g.sig, g.sigcode0/1 and g.sigpc.

package runtime

import _ "unsafe" // for go:linkname

// Printed by print as hexadecimal (the compiler knows this type).
type hex uint64

const (
	_SIGBUS  = 7
	_SIGFPE  = 8
	_SIGSEGV = 11

	_BUS_ADRERR  = 2
	_SEGV_MAPERR = 1
	_SEGV_ACCERR = 2
	_FPE_INTDIV  = 1
	_FPE_INTOVF  = 2
)

// sigpanic0 (asm_amd64.s) establishes Go's registers and jumps here.
func sigpanic0()

func sigpanic() {
	gp := getg()
	switch gp.sig {
	case _SIGBUS:
		if gp.sigcode0 == _BUS_ADRERR && gp.sigcode1 < 0x1000 {
			panicmem()
		}
		if gp.paniconfault {
			panicmemAddr(gp.sigcode1)
		}
		print("unexpected fault address ", hex(gp.sigcode1), "\n")
		throw("fault")
	case _SIGSEGV:
		if (gp.sigcode0 == 0 || gp.sigcode0 == _SEGV_MAPERR || gp.sigcode0 == _SEGV_ACCERR) && gp.sigcode1 < 0x1000 {
			panicmem()
		}
		if gp.paniconfault {
			panicmemAddr(gp.sigcode1)
		}
		print("unexpected fault address ", hex(gp.sigcode1), "\n")
		throw("fault")
	case _SIGFPE:
		switch gp.sigcode0 {
		case _FPE_INTDIV:
			panicdivide()
		case _FPE_INTOVF:
			panicoverflow()
		}
		panic(errorString("floating point error"))
	}
	panic(errorString(rt_signame(gp.sig)))
}

func panicmemAddr(addr uintptr) {
	panic(errorAddressString{msg: "invalid memory address or nil pointer dereference", addr: addr})
}

// os/signal's receive loop: the next signal a handler queued for it. While
// none is pending the goroutine waits in a blocking system call (its
// thread sleeps until a handler wakes it; its P goes to other work).
//
//go:linkname signal_recv os/signal.signal_recv
func signal_recv() uint32 {
	for {
		if s := rt_signalRecv(); s != 0 {
			return s
		}
		entersyscallblock()
		rt_signalWait()
		exitsyscall()
	}
}

// signal.Stop: wait until no signal is being delivered and the receive
// loop is asleep, so that no signal for the stopped channel is in flight.
//
//go:linkname signalWaitUntilIdle os/signal.signalWaitUntilIdle
func signalWaitUntilIdle() {
	for !rt_signalIdle() {
		Gosched()
	}
}
