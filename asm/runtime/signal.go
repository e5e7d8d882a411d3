// The Go half of synchronous signals. The Rust handler (src/proc/signal.rs)
// turns a fault in Go code into a call of sigpanic on the faulting
// goroutine (as if the faulting instruction had called it), with the
// signal's details in g.sig, g.sigcode0/1 and g.sigpc.

package runtime

import _ "unsafe" // for go:linkname

// Printed by print as hexadecimal (the compiler knows this type).
type hex uint64

// sigpanic0 (asm_amd64.s) establishes Go's registers and jumps here.
func sigpanic0()

// sigpanic runs in place of the faulting instruction. The Rust side decides
// what the fault means and records the panic to raise (rtcall then raises
// it, from this frame) or reports a fatal error.
func sigpanic() {
	rt_sigpanic()
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
