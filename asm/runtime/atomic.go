// Atomic operations on pointers for sync/atomic and runtime/internal/atomic.
// They are the runtime's because pointer stores need write barriers once a
// concurrent collector runs; gort has none yet, so they are the plain
// atomic operations.

package runtime

import (
	"runtime/internal/atomic"
	"unsafe"
)

//go:linkname sync_atomic_StorePointer sync/atomic.StorePointer
//go:nosplit
func sync_atomic_StorePointer(ptr *unsafe.Pointer, new unsafe.Pointer) {
	atomic.StorepNoWB(noescape(unsafe.Pointer(ptr)), new)
}

//go:linkname sync_atomic_SwapPointer sync/atomic.SwapPointer
//go:nosplit
func sync_atomic_SwapPointer(ptr *unsafe.Pointer, new unsafe.Pointer) unsafe.Pointer {
	return unsafe.Pointer(atomic.Xchguintptr((*uintptr)(noescape(unsafe.Pointer(ptr))), uintptr(new)))
}

//go:linkname sync_atomic_CompareAndSwapPointer sync/atomic.CompareAndSwapPointer
//go:nosplit
func sync_atomic_CompareAndSwapPointer(ptr *unsafe.Pointer, old, new unsafe.Pointer) bool {
	return atomic.Casp1((*unsafe.Pointer)(noescape(unsafe.Pointer(ptr))), old, new)
}

//go:linkname atomic_storePointer runtime/internal/atomic.storePointer
//go:nosplit
func atomic_storePointer(ptr *unsafe.Pointer, new unsafe.Pointer) {
	atomic.StorepNoWB(unsafe.Pointer(ptr), new)
}

//go:linkname atomic_casPointer runtime/internal/atomic.casPointer
//go:nosplit
func atomic_casPointer(ptr *unsafe.Pointer, old, new unsafe.Pointer) bool {
	return atomic.Casp1(ptr, old, new)
}
