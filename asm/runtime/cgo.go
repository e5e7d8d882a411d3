// The hooks runtime/cgo expects. External linking always links runtime/cgo;
// calls between C and Go through cgo are not implemented yet, so nothing
// here calls the C helpers runtime/cgo registers.

package runtime

import "unsafe"

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

// cgocallback is where C code calls into Go (crosscall2); asm_amd64.s.
func cgocallback(fn, frame, ctxt uintptr)

func cgocallbackNotImplemented() {
	fatal("gort: runtime.cgocallback not implemented (calls from C into Go)")
}

// _cgo_panic_internal panics with a C string, for cgo's _cgo_panic.
func _cgo_panic_internal(p *byte) {
	panic(rt_gostring(p))
}

// Never true; cgo-generated code uses it to keep values alive.
var cgoAlwaysFalse bool

// gostring: a Go copy of a NUL-terminated C string (cgo's C.GoString
// reaches it by linkname).
func gostring(p *byte) string { return rt_gostring(p) }
