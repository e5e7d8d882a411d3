// Every kind of builtin print/println argument, including float corner
// cases, complex numbers, pointers, slices and interfaces.
package main

import "math"

type T struct{ a, b int }

func (T) String() string { return "T" }

type Stringer interface{ String() string }

func main() {
	println("bool:", true, false)
	println("int:", 0, 1, -1, 42, math.MaxInt64, math.MinInt64)
	println("int8/16/32:", int8(-128), int16(32767), int32(-2147483648))
	println("uint:", uint(0), uint(7), uint64(math.MaxUint64), uint8(255), uint16(65535), uint32(4294967295))
	println("uintptr:", uintptr(0), uintptr(255), uintptr(0xdeadbeef))
	println("float64:", 1.5, -2.25, 0.0, math.Copysign(0, -1), 1e100, 1e-100, 123456789.0, 9.9999999)
	println("float32:", float32(3.25), float32(-1e10))
	println("special:", math.NaN(), math.Inf(1), math.Inf(-1))
	println("tiny:", math.SmallestNonzeroFloat64, math.MaxFloat64)
	println("complex:", complex(1, 2), complex(-1.5, 0.25), complex64(complex(3, -4)))
	println("string:", "", "héllo", "tab\tnewline-free")
	var p *int
	println("nil pointer:", p)
	x := 5
	println("pointer:", &x != nil)
	var s []int
	println("nil slice:", s)
	var e any
	println("nil eface:", e)
	var i Stringer
	println("nil iface:", i)
	print("print without spaces:", 1, 2, "x", true, "\n")
	print()
	println()
	println("done")
	// Addresses vary from run to run; gort diff normalises them.
	s = make([]int, 3, 10)
	e = T{1, 2}
	i = T{3, 4}
	println("values with addresses:", &x, s, e, i)
}
