// Complex arithmetic, including division's special cases (zero, infinite
// and NaN operands), which the runtime computes.
package main

import (
	"fmt"
	"math"
	"math/cmplx"
)

//go:noinline
func div(a, b complex128) complex128 { return a / b }

func main() {
	inf, nan := math.Inf(1), math.NaN()
	vals := []complex128{
		0, 1, -1, 1i, complex(3, 4), complex(1e300, 1e300), complex(1e-300, 2e-300),
		complex(inf, 0), complex(0, inf), complex(nan, 0), complex(inf, inf), complex(-inf, 1),
		complex(math.Copysign(0, -1), 0),
	}
	for _, a := range vals {
		for _, b := range vals {
			fmt.Print(div(a, b), " ")
		}
		fmt.Println()
	}
	fmt.Println(cmplx.Sqrt(-1), cmplx.Abs(complex(3, 4)), complex64(complex(1, 2))/complex64(complex(3, 4)))
	println(div(complex(1, 2), complex(3, 4)))
}
