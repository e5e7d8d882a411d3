// The execution tracer's API: gort's tracer is src/proc/trace.rs; these
// are the waits it cannot do on the system stack.

package runtime

// What rt_traceRead found.
const (
	traceReadData = 0
	traceReadEOF  = 1
	traceReadWait = 2
)

// StartTrace enables tracing for the current process.
func StartTrace() error {
	// The Rust side stops the world for the tracer's first snapshot: one
	// stopper at a time.
	semacquire1(&worldsema, false, false, 0, waitReasonSemacquire)
	ok := rt_traceStart()
	semrelease1(&worldsema, false, 0)
	if !ok {
		return errorString("tracing is already enabled")
	}
	return nil
}

// StopTrace stops tracing, if it was enabled, and returns once the reader
// has been given all of the trace.
func StopTrace() {
	if !rt_traceStop() {
		return
	}
	for !rt_traceReaderDone() {
		entersyscallblock()
		rt_traceStopWait()
		exitsyscall()
	}
}

// ReadTrace returns the next chunk of the trace (valid until the next
// call), waiting for one; nil once the trace has been read to its end.
func ReadTrace() []byte {
	for {
		data, st := rt_traceRead()
		if st != traceReadWait {
			return data
		}
		entersyscallblock()
		rt_traceWait()
		exitsyscall()
	}
}
