// Atomic operations on pointers for sync/atomic and runtime/internal/atomic.
// They are the runtime's because a pointer store needs the write barrier
// while the collector marks: before the operation, the value it may
// replace and the new one are shaded (src/mem/wb.rs). (Another goroutine
// may change the slot between the read and the operation; the value it
// stored was shaded as its new value, so nothing escapes.)

package runtime

import (
	"runtime/internal/atomic"
	"unsafe"
)

// atomicwb shades *ptr and new while the collector marks.
//
//go:nosplit
func atomicwb(ptr *unsafe.Pointer, new unsafe.Pointer) {
	if writeBarrier.enabled {
		rt_wbShade2(*ptr, new)
	}
}

//go:linkname sync_atomic_StorePointer sync/atomic.StorePointer
//go:nosplit
func sync_atomic_StorePointer(ptr *unsafe.Pointer, new unsafe.Pointer) {
	atomicwb(ptr, new)
	if raceenabled {
		raceStorePointer(ptr, new)
		return
	}
	atomic.StorepNoWB(noescape(unsafe.Pointer(ptr)), new)
}

//go:linkname sync_atomic_SwapPointer sync/atomic.SwapPointer
//go:nosplit
func sync_atomic_SwapPointer(ptr *unsafe.Pointer, new unsafe.Pointer) unsafe.Pointer {
	atomicwb(ptr, new)
	if raceenabled {
		return raceSwapPointer(ptr, new)
	}
	return unsafe.Pointer(atomic.Xchguintptr((*uintptr)(noescape(unsafe.Pointer(ptr))), uintptr(new)))
}

//go:linkname sync_atomic_CompareAndSwapPointer sync/atomic.CompareAndSwapPointer
//go:nosplit
func sync_atomic_CompareAndSwapPointer(ptr *unsafe.Pointer, old, new unsafe.Pointer) bool {
	atomicwb(ptr, new)
	if raceenabled {
		return raceCompareAndSwapPointer(ptr, old, new)
	}
	return atomic.Casp1((*unsafe.Pointer)(noescape(unsafe.Pointer(ptr))), old, new)
}

//go:linkname atomic_storePointer runtime/internal/atomic.storePointer
//go:nosplit
func atomic_storePointer(ptr *unsafe.Pointer, new unsafe.Pointer) {
	atomicwb(ptr, new)
	atomic.StorepNoWB(unsafe.Pointer(ptr), new)
}

//go:linkname atomic_casPointer runtime/internal/atomic.casPointer
//go:nosplit
func atomic_casPointer(ptr *unsafe.Pointer, old, new unsafe.Pointer) bool {
	atomicwb(ptr, new)
	return atomic.Casp1(ptr, old, new)
}
