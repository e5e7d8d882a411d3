// Panics and defers: the entry points the compiler calls. They run on the
// goroutine's stack because deferred calls and panic values' methods are
// ordinary Go code.
//
// Interim (until the pclntab unwinder, issue 5): deferred calls run when
// their function returns normally; a panic does not run deferred calls and
// cannot be recovered: it prints upstream's "panic: " report and exits 2.

package runtime

import "unsafe"

// Kinds of panic the Rust side can ask for (m.rtpanicKind): the trampoline
// returns to Go and runtime·rtcall tail-calls rtpanic, which builds the
// panic value here, where heap allocation and Go calls are allowed.
const (
	rtpanicNone          = 0
	rtpanicErrorString   = 1 // errorString(args[0:2] as string)
	rtpanicPlainError    = 2 // plainError(args[0:2] as string)
	rtpanicBounds        = 3 // boundsError{x: args[0], y: args[1], signed: args[2] != 0, code: args[3]}
	rtpanicTypeAssert    = 4 // &TypeAssertionError{args[0], args[1], args[2], ""}
	rtpanicTypeAssertMM  = 5 // &TypeAssertionError{nil, args[0], args[1], missing method name at args[2:4]}
	rtpanicDivide        = 6
	rtpanicMemory        = 7 // nil dereference (errorAddressString)
	rtpanicPlainEface    = 8 // panic with an eface value built in Rust: (args[0], args[1])
	rtpanicThrowOnSystem = 9
)

// rtpanic raises the panic the Rust side recorded in m.rtpanicKind.
// runtime·rtcall jumps here in place of returning from a trampoline, so the
// panic appears to come from the trampoline's caller.
func rtpanic() {
	mp := getg().m
	kind := mp.rtpanicKind
	a := mp.rtpanicArgs
	mp.rtpanicKind = rtpanicNone
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

// gopanic implements panic(e).
func gopanic(e any) {
	if e == nil {
		e = new(PanicNilError)
	}
	gp := getg()
	var p _panic
	p.arg = e
	p.link = gp._panic
	gp._panic = (*_panic)(noescape(unsafe.Pointer(&p)))
	// Turn error and Stringer values into their text now, on this stack,
	// where calling their methods is allowed.
	var msg string
	hasmsg := false
	switch v := e.(type) {
	case error:
		msg, hasmsg = v.Error(), true
	case stringer:
		msg, hasmsg = v.String(), true
	}
	rt_fatalpanic(e, msg, hasmsg)
}

// gorecover implements recover(). While panics are fatal (see the file
// comment) no deferred call runs during a panic, so there is never a panic
// to recover and the answer is nil, as upstream's outside a panic.
func gorecover(argp uintptr) any {
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

// deferreturn runs the deferred calls registered by its caller, at the
// caller's return.
func deferreturn() {
	gp := getg()
	sp := getcallersp()
	for {
		d := gp._defer
		if d == nil || d.sp != sp {
			return
		}
		fn := d.fn
		d.fn = nil
		gp._defer = d.link
		fn()
	}
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
	panic(errorString("negative shift amount"))
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
// autogenerated pointer wrapper.
func panicwrap() {
	rt_panicwrap(getcallerpc())
}

func deferrangefunc() any {
	fatal("gort: runtime.deferrangefunc not implemented")
	return nil
}

// Failed bounds checks, with the offending values (compiled code reaches
// these through the register stubs in asm_amd64.s).
func goPanicIndex(x int, y int) {
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsIndex})
}
func goPanicIndexU(x uint, y int) {
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsIndex})
}
func goPanicSliceAlen(x int, y int) {
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsSliceAlen})
}
func goPanicSliceAlenU(x uint, y int) {
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsSliceAlen})
}
func goPanicSliceAcap(x int, y int) {
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsSliceAcap})
}
func goPanicSliceAcapU(x uint, y int) {
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsSliceAcap})
}
func goPanicSliceB(x int, y int) {
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsSliceB})
}
func goPanicSliceBU(x uint, y int) {
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsSliceB})
}
func goPanicSlice3Alen(x int, y int) {
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsSlice3Alen})
}
func goPanicSlice3AlenU(x uint, y int) {
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsSlice3Alen})
}
func goPanicSlice3Acap(x int, y int) {
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsSlice3Acap})
}
func goPanicSlice3AcapU(x uint, y int) {
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsSlice3Acap})
}
func goPanicSlice3B(x int, y int) {
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsSlice3B})
}
func goPanicSlice3BU(x uint, y int) {
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsSlice3B})
}
func goPanicSlice3C(x int, y int) {
	panic(boundsError{x: int64(x), signed: true, y: y, code: boundsSlice3C})
}
func goPanicSlice3CU(x uint, y int) {
	panic(boundsError{x: int64(x), signed: false, y: y, code: boundsSlice3C})
}
func goPanicSliceConvert(x int, y int) {
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

func wbNotImplemented() {
	fatal("gort: runtime.gcWriteBarrier not implemented")
}
