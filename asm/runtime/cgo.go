// cgo: calls from Go into C (cgocall) and from C into Go (cgocallback,
// asm_amd64.s, then cgocallbackg here). External linking always links
// runtime/cgo, the C half of the contract: its helpers are reached
// through the variables below. The Go side does what must run on the
// goroutine's stack (the system-call bracket around a C call, the
// callback's call and its panic path); src/sched/cgo.rs does the rest
// (extra Ms for threads C created, thread creation through runtime/cgo,
// runtime/cgo's start-up hooks).

package runtime

import (
	"runtime/internal/atomic"
	"unsafe"
)

// C helpers runtime/cgo provides (set from its C code or Go variables).
//
//go:linkname _cgo_init _cgo_init
//go:linkname _cgo_thread_start _cgo_thread_start
//go:linkname _cgo_sys_thread_create _cgo_sys_thread_create
//go:linkname _cgo_notify_runtime_init_done _cgo_notify_runtime_init_done
//go:linkname _cgo_callers _cgo_callers
//go:linkname _cgo_set_context_function _cgo_set_context_function
//go:linkname _cgo_yield _cgo_yield
//go:linkname _cgo_pthread_key_created _cgo_pthread_key_created
//go:linkname _cgo_bindm _cgo_bindm
//go:linkname _cgo_getstackbound _cgo_getstackbound
var (
	_cgo_init                     unsafe.Pointer
	_cgo_thread_start             unsafe.Pointer
	_cgo_sys_thread_create        unsafe.Pointer
	_cgo_notify_runtime_init_done unsafe.Pointer
	_cgo_callers                  unsafe.Pointer
	_cgo_set_context_function     unsafe.Pointer
	_cgo_yield                    unsafe.Pointer
	_cgo_pthread_key_created      unsafe.Pointer
	_cgo_bindm                    unsafe.Pointer
	_cgo_getstackbound            unsafe.Pointer
)

// Set by runtime/cgo: its setenv/unsetenv helpers, and crosscall2's setter.
var (
	_cgo_setenv    unsafe.Pointer
	_cgo_unsetenv  unsafe.Pointer
	set_crosscall2 func()
)

// Extra Ms lent to threads C created (src/sched/cgo.rs keeps the count;
// runtime/testdata/testprogcgo reads it by linkname).
var extraMInUse atomic.Uint32

// Set once the program has made its first call into C (rt_cgoStart has
// prepared the runtime for C code: see src/sched/cgo.rs).
var cgoStarted bool

// racecgosync: under -race every cgo call and callback synchronises on its
// address (C code may synchronise in ways the detector does not see).
var racecgosync uint64

// Closed when every package initialiser has run: a call from a thread C
// created waits for it before running Go code (runtime.main makes it
// before runtime/cgo lets such calls in).
var main_init_done chan bool

// asmcgocall calls the C function fn(arg) on the system stack
// (asm_amd64.s).
//
//go:noescape
func asmcgocall(fn, arg unsafe.Pointer) int32

// cgocall: upstream_lines.go (its frame shows in tracebacks).

// The argument block of runtime/cgo's libc wrappers (linux_syscall.c).
type cgoArgset struct {
	args   unsafe.Pointer
	retval uintptr
}

// syscall.cgocaller: the syscall package calls the C library's set*id
// functions through runtime/cgo (so that every thread changes, POSIX's
// way).
//
//go:linkname syscall_cgocaller syscall.cgocaller
//go:nosplit
//go:uintptrescapes
func syscall_cgocaller(fn unsafe.Pointer, args ...uintptr) uintptr {
	var blk cgoArgset
	blk.args = unsafe.Pointer(unsafe.SliceData(args))
	cgocall(fn, unsafe.Pointer(&blk))
	return blk.retval
}

// cgocallback is where C code calls into Go (crosscall2); asm_amd64.s.
func cgocallback(fn, frame, ctxt uintptr)

func badcgocallback() {
	throw("misaligned stack in cgocallback")
}

// cgocallbackg, cgocallbackg1: upstream_lines.go.

// What cgocallbackg1's deferred cgoUnwind must undo: the callback's
// traceback context (pushed on g.cgoCtxt), and, while unwinding is still
// set (a panic or Goexit is leaving the callback), the call itself.
type cgoCallbackState struct {
	unwinding bool
	ctxt      bool
}

// cgoUnwind runs as cgocallbackg1 returns, normally or not. The
// callback's traceback context goes. A panic (or Goexit) leaving the
// callback through the C frames abandons them: the system stack goes back
// to where it was before cgocallback (its frame keeps the previous
// g0.sched.sp at 0(SP)), and what cgocallbackg and cgocall would have
// undone on the way back is undone here.
func cgoUnwind(cb *cgoCallbackState) {
	if cb.ctxt {
		cgoCtxtPop(getg())
	}
	if !cb.unwinding {
		return
	}
	mp := getg().m
	mp.locks++
	g0 := mp.g0
	g0.sched.sp = *(*uintptr)(unsafe.Pointer(g0.sched.sp))
	if mp.ncgo > 0 {
		mp.incgo = false
		mp.ncgo--
	}
	rt_unlockOSThread()
	mp.locks--
}

// _cgo_panic_internal panics with a C string, for cgo's _cgo_panic.
func _cgo_panic_internal(p *byte) {
	panic(rt_gostring(p))
}

// Never true; cgo-generated code uses it to keep values alive.
var cgoAlwaysFalse bool

// cgoUse is called only under cgoAlwaysFalse (escape analysis sees the
// call, nothing runs it).
func cgoUse(any) { throw("cgoUse should not be called") }

// cgoNoCallback brackets a call to a C function declared
// `#cgo nocallback`: a call back into Go during it panics.
func cgoNoCallback(v bool) {
	gp := getg()
	if v && gp.nocgocallback {
		panic("runtime: unexpected setting cgoNoCallback")
	}
	gp.nocgocallback = v
}

// gostring: a Go copy of a NUL-terminated C string (cgo's C.GoString
// reaches it by linkname).
func gostring(p *byte) string { return rt_gostring(p) }

// gostringn: C.GoStringN, a Go copy of n bytes of C memory.
func gostringn(p *byte, n int) string {
	if n == 0 {
		return ""
	}
	return string(unsafe.Slice(p, n))
}

// gobytes: C.GoBytes, a new Go slice holding n bytes of C memory.
func gobytes(p *byte, n int) []byte {
	if n < 0 || uintptr(n) > 1<<48 { // the heap's address space
		panic(errorString("gobytes: length out of range"))
	}
	b := make([]byte, n)
	copy(b, unsafe.Slice(p, n))
	return b
}

// setenv_c and unsetenv_c keep the C library's environment in step with
// os.Setenv and os.Unsetenv (C code reads it with getenv).
func setenv_c(k, v string) {
	rt_setenv_c(k, v)
}

func unsetenv_c(k string) {
	rt_unsetenv_c(k)
}

// getm is the current M's address (runtime/testdata/testprogcgo reaches it
// by linkname to tell threads' Ms apart).
func getm() uintptr {
	return uintptr(unsafe.Pointer(getg().m))
}

// lockedOSThread: is the calling goroutine wired to its thread (by
// LockOSThread or by the runtime)? cgo's own tests reach it by linkname.
//
//go:nosplit
func lockedOSThread() bool {
	mp := getg().m
	return mp.lockedg != 0 && mp.lockedg == guintptr(unsafe.Pointer(getg()))
}

// The C functions SetCgoTraceback recorded.
var cgoTraceback, cgoContext, cgoSymbolizer unsafe.Pointer

// SetCgoTraceback records C functions that make and describe C stack
// traces (their contract is upstream's documentation): traceback writes
// the return pcs of C code, from a signal's context (a crash in C code)
// or from a context the context function made when C called Go;
// context makes and releases such contexts (runtime/cgo calls it, on the
// C side of every call from C into Go: _cgo_wait_runtime_init_done and
// _cgo_release_context); symbolizer turns pcs into functions, files and
// lines. Tracebacks and runtime.Callers then show the C code that called
// each callback (src/meta/traceback.rs).
func SetCgoTraceback(version int, traceback, context, symbolizer unsafe.Pointer) {
	// A function already set may be set again, to itself only.
	resets := func(old, new unsafe.Pointer) bool { return old != nil && old != new }
	switch {
	case version != 0:
		panic("unsupported version")
	case resets(cgoTraceback, traceback), resets(cgoContext, context), resets(cgoSymbolizer, symbolizer):
		panic("call SetCgoTraceback only once")
	}
	cgoTraceback, cgoContext, cgoSymbolizer = traceback, context, symbolizer
	rt_setCgoTraceback(traceback, symbolizer)
	// runtime/cgo keeps the context function for its side of callbacks
	// (a call into C, counted as one: NumCgoCall sees it, as upstream's).
	if setter := _cgo_set_context_function; setter != nil {
		cgocall(setter, context)
	}
}

// cgoCtxtPush records a callback's traceback context on gp (g.cgoCtxt,
// innermost last; the unwinder pairs them with cgocallback frames). A
// signal handler or another thread's traceback may read the list while it
// changes: the array is switched before the length grows (x86 keeps the
// stores in order), and a grown array holds every element the old one did.
func cgoCtxtPush(gp *g, ctxt uintptr) {
	s := gp.cgoCtxt
	if len(s) == cap(s) {
		grown := make([]uintptr, len(s), 2*len(s)+4)
		copy(grown, s)
		s = grown
	}
	s = s[:len(s)+1]
	s[len(s)-1] = ctxt
	p := (*slice)(unsafe.Pointer(&gp.cgoCtxt))
	p.array = unsafe.Pointer(unsafe.SliceData(s))
	p.cap = cap(s)
	p.len = len(s)
}

// cgoCtxtPop forgets gp's innermost traceback context (its callback is
// returning to C, or a panic is leaving it). The last one takes the array
// with it: the collector marks it from the G only while the goroutine
// lives (src/gc/mark.rs), and a G may die, or an extra M's goroutine go
// back to the pool, once its callbacks have returned.
func cgoCtxtPop(gp *g) {
	p := (*slice)(unsafe.Pointer(&gp.cgoCtxt))
	p.len--
	if p.len == 0 {
		gp.cgoCtxt = nil
	}
}

// What the symbolizer is given and fills in (SetCgoTraceback's documented
// layout).
type cgoSymbolizerArg struct {
	pc       uintptr
	file     *byte
	lineno   uintptr
	funcName *byte
	entry    uintptr
	more     uintptr
	data     uintptr
}

// cgoSymbolize calls the symbolizer, as a call into C from the goroutine
// (counted by NumCgoCall), or straight on the system stack while a fatal
// error is reported.
func cgoSymbolize(arg *cgoSymbolizerArg) {
	p := noescape(unsafe.Pointer(arg))
	if rt_panicking() {
		asmcgocall(cgoSymbolizer, p)
		return
	}
	cgocall(cgoSymbolizer, p)
}

// cgoFrames appends to frames those the symbolizer describes at the C pc
// (none if it knows neither function nor file), and lets it free what it
// kept for the pc.
func cgoFrames(frames []Frame, pc uintptr) []Frame {
	arg := cgoSymbolizerArg{pc: pc}
	cgoSymbolize(&arg)
	if arg.funcName == nil && arg.file == nil {
		return frames
	}
	for {
		f := Frame{PC: pc, Line: int(arg.lineno), Entry: arg.entry}
		if arg.funcName != nil {
			f.Function = gostring(arg.funcName)
		}
		if arg.file != nil {
			f.File = gostring(arg.file)
		}
		frames = append(frames, f)
		if arg.more == 0 {
			break
		}
		cgoSymbolize(&arg)
	}
	arg.pc = 0
	cgoSymbolize(&arg)
	return frames
}
