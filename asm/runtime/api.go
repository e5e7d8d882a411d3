// The runtime package's exported API (as listed in $GOROOT/api): types,
// variables, constants, and the functions whose bodies must be Go. The
// other exported functions are declared from asm/surface.def.

package runtime

import "unsafe"

const (
	// Compiler is the name of the compiler toolchain that built the binary.
	Compiler = "gc"
	// GOOS is the running program's operating system target.
	GOOS = "linux"
	// GOARCH is the running program's architecture target.
	GOARCH = "amd64"
)

// MemProfileRate controls the fraction of memory allocations recorded in
// the memory profile (one sample per MemProfileRate bytes on average).
var MemProfileRate int = 512 * 1024

// Set by the linker: the GOROOT the binary was built with.
var defaultGOROOT string

// GOROOT returns the root of the Go tree: $GOROOT if set, else the root used
// during the build.
func GOROOT() string {
	if s := rt_getenv("GOROOT"); s != "" {
		return s
	}
	return defaultGOROOT
}

// Version returns the Go tree's version string.
func Version() string {
	return buildVersion
}

// Breakpoint executes a breakpoint trap.
func Breakpoint()

// KeepAlive marks its argument as reachable until the call.
//
//go:noinline
func KeepAlive(x any) {
	if keepAliveSink {
		println(x)
	}
}

// Never true; the compiler cannot prove it, so KeepAlive's use stays.
var keepAliveSink bool

// A MemStats records statistics about the memory allocator.
type MemStats struct {
	Alloc         uint64
	TotalAlloc    uint64
	Sys           uint64
	Lookups       uint64
	Mallocs       uint64
	Frees         uint64
	HeapAlloc     uint64
	HeapSys       uint64
	HeapIdle      uint64
	HeapInuse     uint64
	HeapReleased  uint64
	HeapObjects   uint64
	StackInuse    uint64
	StackSys      uint64
	MSpanInuse    uint64
	MSpanSys      uint64
	MCacheInuse   uint64
	MCacheSys     uint64
	BuckHashSys   uint64
	GCSys         uint64
	OtherSys      uint64
	NextGC        uint64
	LastGC        uint64
	PauseTotalNs  uint64
	PauseNs       [256]uint64
	PauseEnd      [256]uint64
	NumGC         uint32
	NumForcedGC   uint32
	GCCPUFraction float64
	EnableGC      bool
	DebugGC       bool
	BySize        [61]struct {
		Size    uint32
		Mallocs uint64
		Frees   uint64
	}
}

// Frames iterates over the frames of a stack (see CallersFrames).
type Frames struct {
	callers    []uintptr
	frames     []Frame
	frameStore [2]Frame
}

// Frame is the information Frames returns for each call frame.
type Frame struct {
	PC        uintptr
	Func      *Func
	Function  string
	File      string
	Line      int
	startLine int
	Entry     uintptr
	funcInfo  funcInfo
}

type funcInfo struct {
	*_func
	datap *moduledata
}

// CallersFrames returns Frames for a slice of PCs returned by Callers.
func CallersFrames(callers []uintptr) *Frames {
	f := &Frames{callers: callers}
	f.frames = f.frameStore[:0]
	return f
}

// Next returns the next frame and whether there are more.
func (ci *Frames) Next() (frame Frame, more bool) {
	rt_framesNext(ci, &frame, &more)
	return
}

// A Func represents a Go function in the running binary.
type Func struct {
	opaque struct{}
}

// Name returns the function's name.
func (f *Func) Name() string {
	if f == nil {
		return ""
	}
	return rt_funcName(f)
}

// Entry returns the function's entry address.
func (f *Func) Entry() uintptr {
	return rt_funcEntry(f)
}

// FileLine returns the file name and line number of the source code
// corresponding to pc.
func (f *Func) FileLine(pc uintptr) (file string, line int) {
	return rt_funcFileLine(f, pc)
}

// A StackRecord describes a single execution stack.
type StackRecord struct {
	Stack0 [32]uintptr
}

// Stack returns the stack trace of the record (a prefix of Stack0).
func (r *StackRecord) Stack() []uintptr {
	for i, v := range r.Stack0 {
		if v == 0 {
			return r.Stack0[0:i]
		}
	}
	return r.Stack0[0:]
}

// A MemProfileRecord describes the live objects allocated by one stack.
type MemProfileRecord struct {
	AllocBytes, FreeBytes     int64
	AllocObjects, FreeObjects int64
	Stack0                    [32]uintptr
}

// InUseBytes returns the number of bytes in use.
func (r *MemProfileRecord) InUseBytes() int64 { return r.AllocBytes - r.FreeBytes }

// InUseObjects returns the number of objects in use.
func (r *MemProfileRecord) InUseObjects() int64 { return r.AllocObjects - r.FreeObjects }

// Stack returns the stack trace of the record (a prefix of Stack0).
func (r *MemProfileRecord) Stack() []uintptr {
	for i, v := range r.Stack0 {
		if v == 0 {
			return r.Stack0[0:i]
		}
	}
	return r.Stack0[0:]
}

// BlockProfileRecord describes blocking events at one stack.
type BlockProfileRecord struct {
	Count  int64
	Cycles int64
	StackRecord
}

// A Pinner keeps objects at fixed addresses until Unpin. gort's heap never
// moves or frees objects yet, so pinning only validates its argument.
type Pinner struct {
	*pinner
}

type pinner struct {
	refs     []unsafe.Pointer
	refStore [5]unsafe.Pointer
}

// Pin pins a Go object.
func (p *Pinner) Pin(pointer any) {
	rt_pinnerPin(pointer)
}

// Unpin unpins all pinned objects of the Pinner.
func (p *Pinner) Unpin() {}

// A reflect.Select case (reflect lays out the same struct).
type runtimeSelect struct {
	dir selectDir
	typ unsafe.Pointer
	ch  *hchan
	val unsafe.Pointer
}

type selectDir int

// A network poller descriptor, owned by the Rust side (src/netpoll.rs);
// Go code only passes pointers to it around.
type pollDesc struct {
	fd uintptr
}

// Zeroed memory that reflect and map lookups return for zero values.
var zeroVal [1024]byte

// Errors math/bits panics with.
var (
	overflowError = error(errorString("integer overflow"))
	divideError   = error(errorString("integer divide by zero"))
)

// The address of the vDSO's gettimeofday, for syscall.Gettimeofday (set at
// startup by the Rust side through rt_vdsoinit).
var vdsoGettimeofdaySym uintptr

// randn returns a uniformly random uint32 in [0, n).
func randn(n uint32) uint32 {
	return uint32((uint64(rand32()) * uint64(n)) >> 32)
}
