// Package initialisation order across several packages: dependencies
// first, variables in dependency order, then init functions in source
// order, then main.
package main

import (
	"gort.test/initorder/a"
	_ "gort.test/initorder/c"
)

var m = func() string { println("main var"); return "m" }()

func init() {
	println("main.init, m =", m)
}

func main() {
	println("main.main; trace:")
	for i, s := range a.Trace {
		println(i, s)
	}
}
