// Equality primitives the compiler calls (directly, and from the equality
// functions it generates for composite types), and the memory primitives
// implemented in assembly. Comparing interface values calls the dynamic
// type's Equal function, ordinary Go code that must run on the goroutine's
// stack; that is why these few lines are Go. Hashing lives in Rust
// (src/alg.rs).

package runtime

import "unsafe"

// Implemented in asm_amd64.s.
func memmove(to, from unsafe.Pointer, n uintptr)
func memclrNoHeapPointers(ptr unsafe.Pointer, n uintptr)

// memclrHasPointers clears memory that may hold heap pointers.
func memclrHasPointers(ptr unsafe.Pointer, n uintptr) {
	memclrNoHeapPointers(ptr, n)
}

func memequal0(p, q unsafe.Pointer) bool {
	return true
}
func memequal8(p, q unsafe.Pointer) bool {
	return *(*int8)(p) == *(*int8)(q)
}
func memequal16(p, q unsafe.Pointer) bool {
	return *(*int16)(p) == *(*int16)(q)
}
func memequal32(p, q unsafe.Pointer) bool {
	return *(*int32)(p) == *(*int32)(q)
}
func memequal64(p, q unsafe.Pointer) bool {
	return *(*int64)(p) == *(*int64)(q)
}
func memequal128(p, q unsafe.Pointer) bool {
	return *(*[2]int64)(p) == *(*[2]int64)(q)
}
func f32equal(p, q unsafe.Pointer) bool {
	return *(*float32)(p) == *(*float32)(q)
}
func f64equal(p, q unsafe.Pointer) bool {
	return *(*float64)(p) == *(*float64)(q)
}
func c64equal(p, q unsafe.Pointer) bool {
	return *(*complex64)(p) == *(*complex64)(q)
}
func c128equal(p, q unsafe.Pointer) bool {
	return *(*complex128)(p) == *(*complex128)(q)
}
func strequal(p, q unsafe.Pointer) bool {
	return *(*string)(p) == *(*string)(q)
}
func interequal(p, q unsafe.Pointer) bool {
	x, y := *(*iface)(p), *(*iface)(q)
	return x.tab == y.tab && ifaceeq(x.tab, x.data, y.data)
}
func nilinterequal(p, q unsafe.Pointer) bool {
	x, y := *(*eface)(p), *(*eface)(q)
	return x._type == y._type && efaceeq(x._type, x.data, y.data)
}

// Flags in abi.Type.Kind_.
const (
	kindDirectIface = 1 << 5
	kindMask        = 1<<5 - 1
)

// efaceeq compares two values of dynamic type t held in interfaces.
func efaceeq(t *_type, x, y unsafe.Pointer) bool {
	if t == nil {
		return true
	}
	if t.Equal == nil {
		panic(errorString("comparing uncomparable type " + rt_typestring(t)))
	}
	if t.Kind_&kindDirectIface != 0 {
		// The interface holds the value itself (a pointer-shaped value).
		return x == y
	}
	return t.Equal(x, y)
}

func ifaceeq(tab *itab, x, y unsafe.Pointer) bool {
	if tab == nil {
		return true
	}
	return efaceeq(tab._type, x, y)
}

// memhash_varlen hashes memory whose size is stored in the closure that
// the compiler-generated hash function was called through.
func memhash_varlen(p unsafe.Pointer, h uintptr) uintptr {
	ptr := getclosureptr()
	size := *(*uintptr)(unsafe.Pointer(ptr + unsafe.Sizeof(h)))
	return memhash(p, h, size)
}

// getclosureptr is a compiler intrinsic: the closure context (DX) at entry.
func getclosureptr() uintptr
