// Package runtime is gort's Go-side face: the declarations that the gc
// compiler, the linker and the standard library need from package runtime,
// with their logic implemented in Rust (gort's static library, linked by the
// host linker). This directory becomes src/runtime of gort's overlay GOROOT.
//
// What lives here, and why:
//   - layout.go: data layouts shared with compiled code and with Rust;
//   - asm_amd64.s: startup (the C entry point main), the switch to the
//     system stack for every call into Rust (rtcall), context switches
//     (gogo, mcall), goexit, morestack;
//   - zsurface.go, zsurface_amd64.s: generated from asm/surface.def, one
//     declaration and one trampoline per Rust entry point;
//   - the few loops that must run on a goroutine's own stack (running
//     package initialisers, calling main.main).
//
// Rust code always runs on a system stack (g0), never on a goroutine stack.
package runtime

import (
	"internal/abi"
	_ "internal/bytealg"               // defines runtime·memequal, runtime·cmpstring
	_ "runtime/internal/syscall" // pushes syscall.RawSyscall6
	"unsafe"
)

// The host C runtime's start code calls main; export it from the Go object
// so that the host linker finds it. The gort_* functions are assembly entry
// points the Rust side calls.
//
//go:cgo_export_static main
//go:cgo_export_static gort_getg
//go:cgo_export_static gort_gogo
//go:cgo_export_static gort_calltimer
//go:cgo_export_static gort_mstart
//go:cgo_export_static gort_mexit
//go:cgo_export_static gort_setg
//go:cgo_export_static gort_mstart_cgo
var _ byte

// The initial thread's m and its system-stack goroutine.
var (
	m0 m
	g0 g
)

// Set by runtime/cgo (always linked, since gort needs external linking).
var iscgo bool

// Set by the linker.
var (
	buildVersion           string
	modinfo                string
	disableMemoryProfiling bool
)

// The compiler checks writeBarrier.enabled before pointer writes that need
// a barrier; it loads 32 or 64 bits, hence the padding.
var writeBarrier struct {
	enabled bool
	pad     [3]byte
	alignme uint64
}

// The address of every zero-sized allocation.
var zerobase uintptr

// Package initialisation tasks of the runtime package itself, collected by
// the linker.
// (The linker fills the slice in.)
var runtime_inittasks []*initTask

// The program's entry point.
//
//go:linkname main_main main.main
func main_main()

// Set once main.main is about to run (package initialisers have finished).
var mainStarted bool

// The linker redirects calls of methods it proved unreachable here.
func unreachableMethod() {
	fatal("unreachable method called. linker bug?")
}

// The linker requires this symbol to exist: map initialisers it pruned are
// replaced by it. In assembly (asm_amd64.s), so that coverage
// instrumentation of the runtime (-coverpkg=all) leaves it empty.
func mapinitnoop()

// Interned small integers, used by the compiler for convT of small values.
var staticuint64s = [...]uint64{
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
	32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
	48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
	64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79,
	80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95,
	96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
	112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127,
	128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143,
	144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159,
	160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175,
	176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191,
	192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207,
	208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223,
	224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239,
	240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255,
}

// CPU features the compiler consults before using optional instructions.
var (
	x86HasPOPCNT bool
	x86HasSSE41  bool
	x86HasFMA    bool
)

// fatal reports an unrecoverable error caused by the program and exits
// with status 2.
//
//go:nosplit
func fatal(s string) {
	rt_fatal(s)
}

// throw reports a broken runtime invariant and exits with status 2.
//
//go:nosplit
func throw(s string) {
	rt_throw(s)
}

// add returns p+x.
//
//go:nosplit
func add(p unsafe.Pointer, x uintptr) unsafe.Pointer {
	return unsafe.Pointer(uintptr(p) + x)
}

// The compiler's temporary buffers for string operations that do not escape.
const tmpStringBufSize = 32

type tmpBuf [tmpStringBufSize]byte

// Empty caches the compiler's type assertions and switches start with.
var (
	emptyTypeAssertCache      = abi.TypeAssertCache{Mask: 0}
	emptyInterfaceSwitchCache = abi.InterfaceSwitchCache{Mask: 0}
)

// Interface values whose type descriptors the Rust side needs.
var (
	stringEface any = ""
	sliceEface  any = []byte(nil)
)

// typesinit hands the Rust side the type descriptors it allocates with
// (their pointer maps tell the collector what to scan).
func typesinit() {
	rt_settypes((*eface)(unsafe.Pointer(&stringEface))._type, (*eface)(unsafe.Pointer(&sliceEface))._type,
		elemType((*hmap)(nil)), elemType((*mapextra)(nil)), elemType((*hchan)(nil)),
		elemType((*unsafe.Pointer)(nil)), elemType((*[]unsafe.Pointer)(nil)))
}

// elemType is the type a pointer in x points to.
func elemType(x any) *_type {
	return (*ptrtype)(unsafe.Pointer((*eface)(unsafe.Pointer(&x))._type)).Elem
}
