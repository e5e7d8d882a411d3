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

// Version: the toolchain's version (go1.22.12), as the linker recorded it.
func Version() string {
	return buildVersion
}

// Breakpoint executes a breakpoint trap (a Go frame of its own under the
// trap, as upstream's, so that debuggers unwind through it).
func Breakpoint() {
	breakpoint()
}

func breakpoint()

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

// MemStats: allocator and collector counters (ReadMemStats fills it;
// the layout is the public API's).
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

// ReadMemStats fills m with the memory allocator's statistics, read with
// the world stopped (the Rust side stops it): one stopper at a time.
func ReadMemStats(m *MemStats) {
	semacquire1(&worldsema, false, false, 0, waitReasonSemacquire)
	rt_readMemStats(m)
	semrelease1(&worldsema, false, 0)
}

// Callers fills pc with the return program counters of the calling
// goroutine's stack, skipping skip frames (0 is Callers itself).
func Callers(skip int, pc []uintptr) int {
	if len(pc) == 0 {
		return 0
	}
	return rt_callers(skip, pc)
}

// Caller reports the function invocation skip frames up the stack (0 is
// the caller of Caller).
func Caller(skip int) (pc uintptr, file string, line int, ok bool) {
	var rpc [1]uintptr
	if rt_callers(skip+1, rpc[:]) < 1 {
		return
	}
	// The first frame CallersFrames would give, without a Frames: built
	// without inlining (-gcflags=-l), CallersFrames' result would move rpc
	// to the heap, which the runtime package may not do implicitly.
	var frame Frame
	if !rt_frameFor(rpc[0], &frame) && cgoSymbolizer != nil {
		// A C pc (from SetCgoTraceback's traceback function).
		if fs := cgoFrames(nil, rpc[0]); len(fs) > 0 {
			frame = fs[0]
		}
	}
	return frame.PC, frame.File, frame.Line, frame.PC != 0
}

// CallersFrames returns Frames for a slice of PCs returned by Callers.
func CallersFrames(callers []uintptr) *Frames {
	return &Frames{callers: callers}
}

// Next returns the next frame and whether there are more (the Rust side
// walks the pcs: src/lang/callers.rs).
func (ci *Frames) Next() (frame Frame, more bool) {
	if cgoSymbolizer != nil || len(ci.frames) > 0 {
		return ci.nextWithC()
	}
	more = rt_framesNext(ci, &frame)
	return
}

// nextWithC is Next once SetCgoTraceback has given a symbolizer: a pc
// that is not Go code (a C pc from a traceback function) stands for the
// frames the symbolizer describes for it, none or several (inlined
// calls). They wait in ci.frames, which is kept one frame ahead of the
// one returned, so that more is exact.
func (ci *Frames) nextWithC() (frame Frame, more bool) {
	for len(ci.frames) < 2 && len(ci.callers) > 0 {
		pc := ci.callers[0]
		ci.callers = ci.callers[1:]
		var f Frame
		if !rt_frameFor(pc, &f) {
			ci.frames = cgoFrames(ci.frames, pc)
			continue
		}
		ci.frames = append(ci.frames, f)
	}
	if len(ci.frames) == 0 {
		return
	}
	frame = ci.frames[0]
	ci.frames[0] = Frame{}
	ci.frames = ci.frames[1:]
	return frame, len(ci.frames) > 0
}

// FuncForPC returns the function containing pc (the innermost inlined one,
// if pc is in inlined code), or nil.
func FuncForPC(pc uintptr) *Func {
	var fi funcinl
	if raw := rt_funcForPC(pc, &fi); raw != nil {
		return (*Func)(raw)
	}
	if fi.ones != ^uint32(0) {
		return nil
	}
	p := new(funcinl)
	*p = fi
	return (*Func)(unsafe.Pointer(p))
}

func (f *Func) isInlined() bool {
	return *(*uint32)(unsafe.Pointer(f)) == ^uint32(0)
}

// Name returns the function's name.
func (f *Func) Name() string {
	if f == nil {
		return ""
	}
	if f.isInlined() {
		return rt_funcNameForPrint((*funcinl)(unsafe.Pointer(f)).name)
	}
	return rt_funcName(f)
}

// Entry returns the function's entry address.
func (f *Func) Entry() uintptr {
	if f.isInlined() {
		return (*funcinl)(unsafe.Pointer(f)).entry
	}
	return rt_funcEntry(f)
}

// FileLine returns the file name and line number of the source code
// corresponding to pc.
func (f *Func) FileLine(pc uintptr) (file string, line int) {
	if f.isInlined() {
		fi := (*funcinl)(unsafe.Pointer(f))
		return fi.file, int(fi.line)
	}
	return rt_funcFileLine(f, pc)
}

// Stack formats a stack trace of the calling goroutine into buf and
// returns the number of bytes written; with all, other goroutines follow.
// (Not inlined: the trace starts at Stack's caller, found by skipping
// Stack's own frame.)
//
//go:noinline
func Stack(buf []byte, all bool) int {
	if len(buf) == 0 {
		return 0
	}
	if all {
		// Every goroutine's stack, read with the world stopped (the Rust
		// side stops it): one stopper at a time.
		semacquire1(&worldsema, false, false, 0, waitReasonSemacquire)
		n := rt_stack(buf, true)
		semrelease1(&worldsema, false, 0)
		return n
	}
	return rt_stack(buf, false)
}

// StackRecord: the program counters of one stack, zero-terminated.
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

// A Pinner keeps Go objects in place and alive until Unpin, so that their
// addresses may be held outside Go (the cgo pointer rules). Its record
// references every object it pinned; a record that becomes unreachable
// with objects still pinned is a leak, reported by a panic from its
// finalizer.
type Pinner struct {
	*pinner
}

type pinner struct {
	refs     []unsafe.Pointer
	refStore [5]unsafe.Pointer
}

// Pin pins a Go object: a non-nil pointer or unsafe.Pointer. Pointers to
// memory outside the Go heap need no pinning and are accepted as they are.
func (p *Pinner) Pin(pointer any) {
	if p.pinner == nil {
		p.pinner = new(pinner)
		p.refs = p.refStore[:0]
		SetFinalizer(p.pinner, (*pinner).checkLeak)
	}
	ptr := rt_pinTarget(pointer)
	if rt_setPinned(ptr, true) {
		p.refs = append(p.refs, ptr)
	}
}

// Unpin unpins all pinned objects of the Pinner.
func (p *Pinner) Unpin() {
	p.pinner.unpinAll()
}

func (r *pinner) unpinAll() {
	if r == nil || r.refs == nil {
		return
	}
	for _, ptr := range r.refs {
		rt_setPinned(ptr, false)
	}
	// Drop the references (and a grown backing array with them).
	r.refStore = [len(r.refStore)]unsafe.Pointer{}
	r.refs = r.refStore[:0]
}

func (r *pinner) checkLeak() {
	if len(r.refs) != 0 {
		r.unpinAll()
		pinnerLeakPanic()
	}
}

// pinnerLeakPanic reports a Pinner dropped while it still pinned objects
// (a variable: tests replace it).
var pinnerLeakPanic = func() {
	panic(errorString("runtime.Pinner: found leaking pinned pointer; forgot to call Unpin()?"))
}

// A network poller descriptor, owned by the Rust side (src/sched/netpoll.rs);
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

// randn returns a uniformly random uint32 in [0, n).
func randn(n uint32) uint32 {
	return uint32((uint64(rand32()) * uint64(n)) >> 32)
}
