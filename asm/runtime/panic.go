// Panics and defers: the entry points the compiler calls. They run on the
// goroutine's stack because deferred calls and panic values' methods are
// ordinary Go code.

package runtime

import (
	"runtime/internal/atomic"
	"unsafe"
)

// Kinds of panic the Rust side can ask for (m.rtpanicKind): the trampoline
// returns to Go and runtime·rtcall tail-calls rtpanic, which builds the
// panic value here, where heap allocation and Go calls are allowed.
const (
	rtpanicNone         = 0
	rtpanicErrorString  = 1 // errorString(args[0:2] as string)
	rtpanicPlainError   = 2 // plainError(args[0:2] as string)
	rtpanicBounds       = 3 // boundsError{x: args[0], y: args[1], signed: args[2] != 0, code: args[3]}
	rtpanicTypeAssert   = 4 // &TypeAssertionError{args[0], args[1], args[2], ""}
	rtpanicTypeAssertMM = 5 // &TypeAssertionError{nil, args[0], args[1], missing method name at args[2:4]}
	rtpanicDivide       = 6
	rtpanicMemory       = 7 // bad memory access at args[0]; args[1] != 0: report the address (errorAddressString)
	rtpanicPlainEface   = 8 // panic with an eface value built in Rust: (args[0], args[1])
)

// rtpanic raises the panic the Rust side recorded in m.rtpanicKind.
// runtime·rtcall jumps here in place of returning from a trampoline, so the
// panic appears to come from the trampoline's caller.
// The M is the one that recorded the request: runtime·rtcall raised
// m.locks before jumping here, which keeps rtpanic's prologue from
// rescheduling the goroutine; it is lowered once the request is read.
func rtpanic() {
	mp := getg().m
	kind := mp.rtpanicKind
	a := mp.rtpanicArgs
	mp.rtpanicKind = rtpanicNone
	mp.locks--
	switch kind {
	case rtpanicErrorString:
		panic(errorString(rtstring(a[0], a[1])))
	case rtpanicPlainError:
		panic(plainError(rtstring(a[0], a[1])))
	case rtpanicBounds:
		panic(boundsError{x: int64(a[0]), y: int(a[1]), signed: a[2] != 0, code: boundsErrorCode(a[3])})
	case rtpanicTypeAssert:
		panic(&TypeAssertionError{(*_type)(unsafe.Pointer(a[0])), (*_type)(unsafe.Pointer(a[1])), (*_type)(unsafe.Pointer(a[2])), ""})
	case rtpanicTypeAssertMM:
		panic(&TypeAssertionError{nil, (*_type)(unsafe.Pointer(a[0])), (*_type)(unsafe.Pointer(a[1])), rtstring(a[2], a[3])})
	case rtpanicDivide:
		panicdivide()
	case rtpanicMemory:
		if a[1] != 0 {
			panicmemAddr(a[0])
		}
		panicmem()
	case rtpanicPlainEface:
		var e any
		ep := (*eface)(unsafe.Pointer(&e))
		ep._type = (*_type)(unsafe.Pointer(a[0]))
		ep.data = unsafe.Pointer(a[1])
		panic(e)
	}
	fatal("gort: bad rtpanic kind")
}

func rtpanicSystem() {
	fatal("panic on system stack")
}

// panic, Goexit and deferreturn run deferred calls with the loop
//
//	rt_deferBegin(&p, kind, getcallerpc(), getcallersp())
//	for { fn, ok := rt_deferNext(&p); if !ok { break }; fn() }
//
// where src/lang/panic.rs decides everything: which frame's deferred calls come
// next, in which order, and where a recovery resumes (rt_deferNext performs
// it). The Go side only makes the calls, because they run on the goroutine's
// stack. rt_deferBegin may return more than once: a recovery that would jump
// over a running Goexit resumes Goexit's loop just after that call.

// Kinds of deferred-call loop (src/lang/panic.rs LOOP_*).
const (
	deferLoopPanic  = 0
	deferLoopGoexit = 1
	deferLoopReturn = 2
)

// The number of panics currently running deferred calls (kept by the Rust
// side; read by the exit path, which waits for them).
var runningPanicDefers int32

// asFunc views a closure pointer from the Rust side as a func value.
//
//go:nosplit
func asFunc(fv *funcval) func() {
	return *(*func())(unsafe.Pointer(&fv))
}

// preprintpanics replaces each error or Stringer panic value of the chain
// with its text while calling methods is still safe (the report that
// follows runs with the world frozen). A method that panics ends in a
// fatal error naming what it panicked with.
func preprintpanics(p *_panic) {
	defer panicValueMethodFailed()
	for ; p != nil; p = p.link {
		p.arg = panicValueText(p.arg)
	}
}

// panicValueText is v as the panic report prints it: the text of an error
// or a Stringer, any other value as is.
func panicValueText(v any) any {
	if err, ok := v.(error); ok {
		return err.Error()
	}
	if s, ok := v.(stringer); ok {
		return s.String()
	}
	return v
}

func panicValueMethodFailed() {
	r := recover()
	if r == nil {
		return
	}
	const what = "panic while printing panic value: "
	if s, ok := r.(string); ok {
		throw(what + s)
	}
	throw(what + "type " + rt_typestring((*eface)(unsafe.Pointer(&r))._type))
}

func printpanicval(v any) {
	rt_printpanicval(v)
}

// gorecover implements recover(): it stops the panic if called directly by
// a deferred function that the panic is running (argp is that function's
// argument pointer).
func gorecover(argp uintptr) any {
	gp := getg()
	p := gp._panic
	if p != nil && !p.goexit && !p.recovered && argp == uintptr(p.argp) {
		p.recovered = true
		return p.arg
	}
	return nil
}

// deferprocStack registers a deferred call whose record the compiler built
// in the caller's frame (only d.fn is set).
//
//go:nosplit
func deferprocStack(d *_defer) {
	gp := getg()
	d.heap = false
	d.rangefunc = false
	d.sp = getcallersp()
	d.pc = getcallerpc()
	d.link = gp._defer
	d.head = nil
	gp._defer = d
	return0()
}

// deferproc registers a deferred call with a heap-allocated record.
func deferproc(fn func()) {
	gp := getg()
	d := new(_defer)
	d.heap = true
	d.fn = fn
	d.sp = getcallersp()
	d.pc = getcallerpc()
	d.link = gp._defer
	gp._defer = d
	return0()
}

// return0 makes deferproc report 0 in AX: "continue normally" (the value
// compiled code tests after each deferproc call).
func return0()

// noescape hides a pointer from escape analysis.
//
//go:nosplit
func noescape(p unsafe.Pointer) unsafe.Pointer {
	x := uintptr(p)
	return unsafe.Pointer(x ^ 0)
}

func panicdivide() {
	panic(errorString("integer divide by zero"))
}

func panicoverflow() {
	panic(errorString("integer overflow"))
}

func panicshift() {
	panicCheck1(getcallerpc(), "negative shift amount")
	panic(errorString("negative shift amount"))
}

// panicCheck1: a failed check in the runtime package's own code is a
// runtime bug, a fatal error rather than a panic a program could recover
// (pc is where the check failed).
func panicCheck1(pc uintptr, msg string) {
	if rt_pcInRuntime(pc) {
		throw(msg)
	}
}

func panicmem() {
	panic(errorString("invalid memory address or nil pointer dereference"))
}

func panicmakeslicelen() {
	panic(errorString("makeslice: len out of range"))
}

func panicmakeslicecap() {
	panic(errorString("makeslice: cap out of range"))
}

func panicunsafeslicelen() {
	panic(errorString("unsafe.Slice: len out of range"))
}

func panicunsafeslicenilptr() {
	panic(errorString("unsafe.Slice: ptr is nil and len is not zero"))
}

func panicunsafestringlen() {
	panic(errorString("unsafe.String: len out of range"))
}

func panicunsafestringnilptr() {
	panic(errorString("unsafe.String: ptr is nil and len is not zero"))
}

func panicrangeexit() {
	panic(errorString("range function continued iteration"))
}

func panicnildottype(want *_type) {
	panic(&TypeAssertionError{nil, nil, want, ""})
}

func panicdottypeE(have, want, iface *_type) {
	panic(&TypeAssertionError{iface, have, want, ""})
}

func panicdottypeI(have *itab, want, iface *_type) {
	var t *_type
	if have != nil {
		t = have._type
	}
	panicdottypeE(t, want, iface)
}

// panicwrap: a value method called through a nil pointer by an
// autogenerated pointer wrapper, whose name ("pkg.(*T).M") gives the
// message's parts.
func panicwrap() {
	name := rt_funcNameForPrint(FuncForPC(getcallerpc()).Name())
	i := stringIndex(name, ".(*")
	if i < 0 {
		throw("panicwrap: no ( in " + name)
	}
	pkg, rest := name[:i], name[i+3:]
	j := stringIndex(rest, ").")
	if j < 0 {
		throw("panicwrap: no ) in " + name)
	}
	typ, meth := rest[:j], rest[j+2:]
	panic(plainError("value method " + pkg + "." + typ + "." + meth + " called using nil *" + typ + " pointer"))
}

// stringIndex is the index of the first sep in s, or -1.
func stringIndex(s, sep string) int {
	for i := 0; i+len(sep) <= len(s); i++ {
		if s[i:i+len(sep)] == sep {
			return i
		}
	}
	return -1
}

// Range-over-func loops (GOEXPERIMENT=rangefunc): a defer statement in a
// loop body belongs to the function containing the loop, but runs inside
// the body's closure. The function first calls deferrangefunc, which
// registers a marker record for its frame and returns the marker's list
// head; each defer in the body then pushes its record onto that list with
// deferprocat (the body may run on another goroutine's behalf, hence the
// atomic list). When the frame's deferred calls run, src/lang/panic.rs splices
// the list in place of the marker and closes it.
func deferrangefunc() any {
	gp := getg()
	list := new(atomic.Pointer[_defer])
	// The marker: a heap record standing for the caller's frame.
	gp._defer = &_defer{
		heap:      true,
		rangefunc: true,
		sp:        getcallersp(),
		pc:        getcallerpc(),
		head:      list,
		link:      gp._defer,
	}
	return list
}

// deferprocat registers a deferred call on the list of the frame whose
// deferrangefunc returned frame.
func deferprocat(fn func(), frame any) {
	head := frame.(*atomic.Pointer[_defer])
	d := new(_defer)
	d.heap = true
	d.fn = fn
	for {
		old := head.Load()
		if old == closedDeferList() {
			throw("defer after range func returned")
		}
		d.link = old
		if head.CompareAndSwap(old, d) {
			break
		}
	}
	return0()
}

// closedDeferList marks a range-over-func defer list whose frame's
// deferred calls have started (src/lang/panic.rs: RANGE_LIST_CLOSED).
func closedDeferList() *_defer {
	return (*_defer)(unsafe.Pointer(uintptr(1)))
}

// Failed bounds checks, with the offending values (compiled code reaches
// these through the register stubs in asm_amd64.s).
func goPanicIndex(x int, y int) {
	panicCheck1(getcallerpc(), "index out of range")
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsIndex})
}
func goPanicIndexU(x uint, y int) {
	panicCheck1(getcallerpc(), "index out of range")
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsIndex})
}
func goPanicSliceAlen(x int, y int) {
	panicCheck1(getcallerpc(), "slice bounds out of range")
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsSliceAlen})
}
func goPanicSliceAlenU(x uint, y int) {
	panicCheck1(getcallerpc(), "slice bounds out of range")
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsSliceAlen})
}
func goPanicSliceAcap(x int, y int) {
	panicCheck1(getcallerpc(), "slice bounds out of range")
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsSliceAcap})
}
func goPanicSliceAcapU(x uint, y int) {
	panicCheck1(getcallerpc(), "slice bounds out of range")
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsSliceAcap})
}
func goPanicSliceB(x int, y int) {
	panicCheck1(getcallerpc(), "slice bounds out of range")
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsSliceB})
}
func goPanicSliceBU(x uint, y int) {
	panicCheck1(getcallerpc(), "slice bounds out of range")
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsSliceB})
}
func goPanicSlice3Alen(x int, y int) {
	panicCheck1(getcallerpc(), "slice bounds out of range")
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsSlice3Alen})
}
func goPanicSlice3AlenU(x uint, y int) {
	panicCheck1(getcallerpc(), "slice bounds out of range")
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsSlice3Alen})
}
func goPanicSlice3Acap(x int, y int) {
	panicCheck1(getcallerpc(), "slice bounds out of range")
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsSlice3Acap})
}
func goPanicSlice3AcapU(x uint, y int) {
	panicCheck1(getcallerpc(), "slice bounds out of range")
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsSlice3Acap})
}
func goPanicSlice3B(x int, y int) {
	panicCheck1(getcallerpc(), "slice bounds out of range")
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsSlice3B})
}
func goPanicSlice3BU(x uint, y int) {
	panicCheck1(getcallerpc(), "slice bounds out of range")
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsSlice3B})
}
func goPanicSlice3C(x int, y int) {
	panicCheck1(getcallerpc(), "slice bounds out of range")
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsSlice3C})
}
func goPanicSlice3CU(x uint, y int) {
	panicCheck1(getcallerpc(), "slice bounds out of range")
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsSlice3C})
}
func goPanicSliceConvert(x int, y int) {
	panicCheck1(getcallerpc(), "slice length too short to convert to array or pointer to array")
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsConvert})
}

// Register-argument stubs the compiler calls on failed bounds checks
// (asm_amd64.s); they move the values into place and jump to the above.
func panicIndex(x int, y int)
func panicIndexU(x uint, y int)
func panicSliceAlen(x int, y int)
func panicSliceAlenU(x uint, y int)
func panicSliceAcap(x int, y int)
func panicSliceAcapU(x uint, y int)
func panicSliceB(x int, y int)
func panicSliceBU(x uint, y int)
func panicSlice3Alen(x int, y int)
func panicSlice3AlenU(x uint, y int)
func panicSlice3Acap(x int, y int)
func panicSlice3AcapU(x uint, y int)
func panicSlice3B(x int, y int)
func panicSlice3BU(x uint, y int)
func panicSlice3C(x int, y int)
func panicSlice3CU(x uint, y int)
func panicSliceConvert(x int, y int)

