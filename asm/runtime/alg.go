// Equality primitives the compiler calls (directly, and from the equality
// functions it generates for composite types), and the memory primitives
// implemented in assembly. Comparing interface values calls the dynamic
// type's Equal function, ordinary Go code that must run on the goroutine's
// stack; that is why these few lines are Go. Hashing lives in Rust
// (src/lang/alg.rs).

package runtime

import "unsafe"

// Implemented in asm_amd64.s.
func memmove(to, from unsafe.Pointer, n uintptr)
func memclrNoHeapPointers(ptr unsafe.Pointer, n uintptr)

// memclrHasPointers clears memory that may hold heap pointers.
func memclrHasPointers(ptr unsafe.Pointer, n uintptr) {
	if writeBarrier.enabled {
		rt_wbBulk(ptr, nil, n)
	}
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

// complex128div computes n/m for the compiler. Go's spec follows C99
// Annex G: Smith's scaled formula (CACM 5(8), 1962) avoids overflow, and
// when it yields NaN+NaNi, infinite or zero operands are given their
// Annex G results instead.
func complex128div(n complex128, m complex128) complex128 {
	a, b := real(n), imag(n)
	c, d := real(m), imag(m)
	var x, y float64
	if fabs(c) >= fabs(d) {
		r := d / c
		den := c + r*d
		x = (a + b*r) / den
		y = (b - a*r) / den
	} else {
		r := c / d
		den := d + r*c
		x = (a*r + b) / den
		y = (b*r - a) / den
	}
	if x != x && y != y {
		posInf := float64frombits(0x7ff0000000000000)
		switch {
		case c == 0 && d == 0 && (a == a || b == b):
			// Non-NaN divided by zero: an infinity.
			x = withSign(posInf, c) * a
			y = withSign(posInf, c) * b
		case (isInfinite(a) || isInfinite(b)) && isFiniteFloat(c) && isFiniteFloat(d):
			// Infinite divided by finite: an infinity.
			a, b = withSign(unitIfInf(a), a), withSign(unitIfInf(b), b)
			x = posInf * (a*c + b*d)
			y = posInf * (b*c - a*d)
		case (isInfinite(c) || isInfinite(d)) && isFiniteFloat(a) && isFiniteFloat(b):
			// Finite divided by infinite: a (signed) zero.
			c, d = withSign(unitIfInf(c), c), withSign(unitIfInf(d), d)
			x = 0 * (a*c + b*d)
			y = 0 * (b*c - a*d)
		}
	}
	return complex(x, y)
}

func float64bits(f float64) uint64     { return *(*uint64)(unsafe.Pointer(&f)) }
func float64frombits(b uint64) float64 { return *(*float64)(unsafe.Pointer(&b)) }

func fabs(f float64) float64 { return float64frombits(float64bits(f) &^ (1 << 63)) }

// withSign returns mag with the sign bit of sgn.
func withSign(mag, sgn float64) float64 {
	return float64frombits(float64bits(mag)&^(1<<63) | float64bits(sgn)&(1<<63))
}

func isInfinite(f float64) bool    { return float64bits(f)&^(1<<63) == 0x7ff0000000000000 }
func isFiniteFloat(f float64) bool { return float64bits(f)&0x7ff0000000000000 != 0x7ff0000000000000 }

// unitIfInf is 1 for infinities and 0 otherwise.
func unitIfInf(f float64) float64 {
	if isInfinite(f) {
		return 1
	}
	return 0
}

// goschedguarded yields unless the goroutine must not be preempted; the
// compiler inserts calls to it only when asked to (-d=ssa/insert_resched_checks).
func goschedguarded() {
	if mp := getg().m; mp.locks == 0 && mp.mallocing == 0 {
		Gosched()
	}
}

// throwinit: the compiler's check against a package initialising itself
// recursively.
func throwinit() {
	throw("recursive call during initialization - linker skew")
}

// strmin and strmax: the builtins min and max on strings (for more than
// two arguments the compiler chains calls). On ties the first wins.
func strmin(x, y string) string {
	if y < x {
		return y
	}
	return x
}

func strmax(x, y string) string {
	if y > x {
		return y
	}
	return x
}
