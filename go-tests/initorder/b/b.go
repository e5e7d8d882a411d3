// Package b depends on a.
package b

import "gort.test/initorder/a"

var B = dependsOnC() + 1

var C = a.A1 * 10

func dependsOnC() int {
	println("b.B initialised after b.C:", C)
	return C
}

func init() {
	println("b.init sees", B, C)
	a.Trace = append(a.Trace, "b.init")
}
