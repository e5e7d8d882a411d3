// A program reaching runtime internals gort does not provide: gort build
// must name them (CLI test, not a diff test).
package main

import _ "unsafe"

//go:linkname procyield runtime.procyield
func procyield(cycles uint32)

//go:linkname nanotime1 runtime.nanotime1
func nanotime1() int64

func main() {
	procyield(10)
	println(nanotime1())
}
