// Functions the runtime provides to other standard packages by
// //go:linkname whose bodies are naturally Go (they delegate to another
// runtime function or must run on the caller's stack). The others are
// generated from asm/surface.def.

package runtime

import (
	"internal/abi"
	"unsafe"
)

//go:linkname reflect_memmove reflect.memmove
func reflect_memmove(to, from unsafe.Pointer, n uintptr) {
	memmove(to, from, n)
}

//go:linkname reflect_memclrNoHeapPointers reflect.memclrNoHeapPointers
func reflect_memclrNoHeapPointers(ptr unsafe.Pointer, n uintptr) {
	memclrNoHeapPointers(ptr, n)
}

//go:linkname syscall_Exit syscall.Exit
func syscall_Exit(code int) {
	rt_exit(int32(code))
}

// os.Exit is about to exit the process.
//
//go:linkname os_runtime_beforeExit os.runtime_beforeExit
func os_runtime_beforeExit(exitCode int) {
	runExitHooks(exitCode)
	if raceenabled && exitCode == 0 {
		racefini() // exits: 66 if races were reported
	}
}

//go:linkname syscall_Getpagesize syscall.Getpagesize
func syscall_Getpagesize() int {
	return 4096
}

// Called when a write to stdout or stderr fails with EPIPE.
//
//go:linkname os_sigpipe os.sigpipe
func os_sigpipe() {
	rt_sigpipe()
}

//go:linkname sync_runtime_procPin sync.runtime_procPin
//go:nosplit
func sync_runtime_procPin() int {
	return procPin()
}

//go:linkname sync_runtime_procUnpin sync.runtime_procUnpin
//go:nosplit
func sync_runtime_procUnpin() {
	procUnpin()
}

//go:linkname sync_atomic_runtime_procPin sync/atomic.runtime_procPin
//go:nosplit
func sync_atomic_runtime_procPin() int {
	return procPin()
}

//go:linkname sync_atomic_runtime_procUnpin sync/atomic.runtime_procUnpin
//go:nosplit
func sync_atomic_runtime_procUnpin() {
	procUnpin()
}

// procPin disables preemption of the current goroutine and returns the id
// of its P.
//
//go:nosplit
func procPin() int {
	mp := getg().m
	mp.locks++
	// The Rust P struct (src/sched/mod.rs, repr(C)) starts with its id.
	return int(*(*int32)(unsafe.Pointer(mp.p)))
}

//go:nosplit
func procUnpin() {
	getg().m.locks--
}

// reflectcall calls fn with the arguments at stackArgs (and in regArgs),
// for reflect.Value.Call (zreflectcall_amd64.s, generated).
//
//go:noescape
func reflectcall(stackArgsType *_type, fn, stackArgs unsafe.Pointer, stackArgsSize, stackRetOffset, frameSize uint32, regArgs *abi.RegArgs)

// reflectcallmove copies a reflected call's results into place and makes
// pointers returned in registers visible where the collector looks.
//
//go:nosplit
func reflectcallmove(typ *_type, dst, src unsafe.Pointer, size uintptr, regs *abi.RegArgs) {
	if writeBarrier.enabled && typ != nil && typ.PtrBytes != 0 {
		rt_wbBulk(dst, src, size)
	}
	memmove(dst, src, size)
	for i := range regs.Ints {
		if regs.ReturnIsPtr.Get(i) {
			regs.Ptrs[i] = unsafe.Pointer(regs.Ints[i])
		}
	}
}

func badreflectcall() {
	panic(plainError("arg size to reflect.call more than 128MB"))
}

// maps.Clone (for a non-nil map): a new map of the same type holding the
// same entries, built by ordinary insertion.
//
//go:linkname maps_clone maps.clone
func maps_clone(m any) any {
	e := (*eface)(unsafe.Pointer(&m))
	t := (*maptype)(unsafe.Pointer(e._type))
	src := (*hmap)(e.data)
	dst := makemap(t, int(src.count), nil)
	var it hiter
	for mapiterinit(t, src, &it); it.key != nil; mapiternext(&it) {
		typedmemmove(t.Elem, mapassign(t, dst, it.key), it.elem)
	}
	e.data = unsafe.Pointer(dst)
	return m
}

// A test hook (GOROOT/test/fixedbugs/issue69110.go): is the map growing
// into a bucket array of its current size (flag bit 8, src/lang/maps.rs)?
func sameSizeGrowForIssue69110Test(h *hmap) bool { return h.flags&8 != 0 }

// The runtime's random numbers under their pre-1.22 names, which packages
// outside the standard library reach by //go:linkname.
func fastrand() uint32          { return rand32() }
func fastrandn(n uint32) uint32 { return randn(n) }
func fastrand64() uint64        { return rand() }
