// Clocks for Go code: monotonic nanotime and time.now, read through the
// vDSO's clock_gettime without a call into Rust (src/os/time.rs reads the
// same clocks for the Rust side). Both are nosplit: the runtime's own
// nosplit code asks the time.

package runtime

import (
	"runtime/internal/atomic"
	"unsafe"
)

// The vDSO's functions, 0 where the kernel maps none (src/os/time.rs sets
// them at startup, before any Go code runs). syscall.Gettimeofday calls
// the second one itself.
var (
	vdsoClockGettimeSym uintptr
	vdsoGettimeofdaySym uintptr
)

const (
	clockRealtime  = 0
	clockMonotonic = 1
)

// A struct timespec of the kernel's.
type clockTime struct {
	sec, nsec int64
}

// clockGettime reads clock into ts (asm_amd64.s: on the system stack).
//
//go:noescape
func clockGettime(clock int32, ts *clockTime)

// fakeNow is the playground's simulated time, 0 when off (see
// faketime_on.go); the Rust side moves it forward.
//
//go:nosplit
func fakeNow() int64 {
	return atomic.Loadint64((*int64)(unsafe.Pointer(&faketime)))
}

//go:nosplit
func nanotime() int64 {
	if t := fakeNow(); t != 0 {
		return t
	}
	var ts clockTime
	clockGettime(clockMonotonic, &ts)
	return ts.sec*1_000_000_000 + ts.nsec
}

//go:linkname time_now time.now
//go:nosplit
func time_now() (sec int64, nsec int32, mono int64) {
	if t := fakeNow(); t != 0 {
		return t / 1_000_000_000, int32(t % 1_000_000_000), t
	}
	var ts clockTime
	clockGettime(clockRealtime, &ts)
	return ts.sec, int32(ts.nsec), nanotime()
}

//go:linkname sync_runtime_nanotime sync.runtime_nanotime
//go:nosplit
func sync_runtime_nanotime() int64 {
	return nanotime()
}
