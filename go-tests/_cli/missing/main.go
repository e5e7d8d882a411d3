// A program reaching runtime internals gort does not provide: gort build
// must name them (CLI test, not a diff test).
package main

import _ "unsafe"

//go:linkname procyield runtime.procyield
func procyield(cycles uint32)

//go:linkname fastrand runtime.fastrand
func fastrand() uint32

func main() {
	procyield(10)
	println(fastrand())
}
