// Floating point compiled with -gcflags=-d=softfloat: every operation is a
// runtime call on bit patterns. Results, bit for bit, for ordinary values
// and the edges: signed zeros, subnormals, infinities, NaNs (upstream
// makes every NaN result the same quiet NaN), rounding to float32, and
// conversions to and from integers outside their ranges.
package main

import (
	"fmt"
	"math"
)

var f64s = []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 2.5, -2.5, 1e308, -1e308, 5e-324, 2.2250738585072014e-308,
	math.Inf(1), math.Inf(-1), math.NaN(), 3.4e38, 1 << 53, 1<<63 - 1024, 1 << 63, 1.5 * (1 << 63), 1 << 64, 1e19, -1 << 63}

var f32s = []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.1, 1e-45, 3.4e38, float32(math.Inf(1)), float32(math.NaN()), 16777217}

var ints = []int64{0, 1, -1, 1 << 53, 1<<53 + 1, math.MaxInt64, math.MinInt64, 123456789123}

func main() {
	for _, x := range f64s {
		for _, y := range f64s[:8] {
			fmt.Printf("%x %x %x %x %v %v %v\n", math.Float64bits(x+y), math.Float64bits(x-y), math.Float64bits(x*y), math.Float64bits(x/y), x == y, x < y, x >= y)
		}
		fmt.Printf("to32 %x toint %d %d touint %d\n", math.Float32bits(float32(x)), int64(x), int32(x), uint64(x))
	}
	for _, x := range f32s {
		for _, y := range f32s {
			fmt.Printf("%x %x %x %v %v\n", math.Float32bits(x+y), math.Float32bits(x*y), math.Float32bits(x/y), x == y, x > y)
		}
		fmt.Printf("to64 %x toint %d %d touint %d\n", math.Float64bits(float64(x)), int64(x), int32(x), uint64(x))
	}
	for _, i := range ints {
		fmt.Printf("%x %x %x %x\n", math.Float64bits(float64(i)), math.Float32bits(float32(i)), math.Float64bits(float64(uint64(i))), math.Float32bits(float32(uint64(i))))
		fmt.Printf("%x %x\n", math.Float64bits(float64(int32(i))), math.Float32bits(float32(int32(i))))
	}
	fmt.Println(fmt.Sprintf("%.3g", 1.0/3))
}
