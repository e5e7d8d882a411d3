// Package c depends on a and b.
package c

import (
	"gort.test/initorder/a"
	"gort.test/initorder/b"
)

var X = b.B + a.A0

func init() {
	println("c.init sees", X)
	a.Trace = append(a.Trace, "c.init")
}
