// The runtime's error types. Programs see them as panic values and call
// their methods, so their names, method sets and messages are upstream's;
// the messages are formatted in Rust (src/lang/errors.rs).

package runtime

import "unsafe"

// Error is implemented by the errors the runtime itself raises.
type Error interface {
	error
	// RuntimeError marks the type as a runtime error; it does nothing.
	RuntimeError()
}

// TypeAssertionError: the panic value of an x.(T) that does not hold.
type TypeAssertionError struct {
	_interface    *_type
	concrete      *_type
	asserted      *_type
	missingMethod string
}

func (*TypeAssertionError) RuntimeError() {}

func (e *TypeAssertionError) Error() string {
	return rt_typeAssertionErrorString(e._interface, e.concrete, e.asserted, e.missingMethod)
}

// A runtime error with a fixed message, printed after "runtime error: ".
type errorString string

func (e errorString) RuntimeError() {}

func (e errorString) Error() string {
	return "runtime error: " + string(e)
}

// A runtime error caused by a memory access at addr.
type errorAddressString struct {
	msg  string
	addr uintptr
}

func (e errorAddressString) RuntimeError() {}

func (e errorAddressString) Error() string {
	return "runtime error: " + e.msg
}

// Addr: the faulting address.
func (e errorAddressString) Addr() uintptr {
	return e.addr
}

// A runtime error printed without the "runtime error: " prefix.
type plainError string

func (e plainError) RuntimeError() {}

func (e plainError) Error() string {
	return string(e)
}

// An index or slice expression out of range.
type boundsError struct {
	x      int64
	y      int
	signed bool
	code   boundsErrorCode
}

type boundsErrorCode uint8

// boundsErrorCode values, in upstream's order.
const (
	boundsIndex boundsErrorCode = iota
	boundsSliceAlen
	boundsSliceAcap
	boundsSliceB
	boundsSlice3Alen
	boundsSlice3Acap
	boundsSlice3B
	boundsSlice3C
	boundsConvert
)

func (e boundsError) RuntimeError() {}

func (e boundsError) Error() string {
	return rt_boundsErrorString(e.x, e.y, e.signed, uint8(e.code))
}

// PanicNilError: what panic(nil) panics with (go1.22 semantics).
type PanicNilError struct {
	_ [0]*PanicNilError
}

func (*PanicNilError) Error() string { return "panic called with nil argument" }
func (*PanicNilError) RuntimeError() {}

type stringer interface {
	String() string
}

// A Go string viewing n bytes at p (for static Rust strings).
func rtstring(p uintptr, n uintptr) string {
	return unsafe.String((*byte)(unsafe.Pointer(p)), int(n))
}
