// A program that cannot read the memory profile (runtime.MemProfile is
// unreachable: the linker sets runtime.disableMemoryProfiling) samples
// nothing: MemProfileRate is 0 from the start.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Println("MemProfileRate:", runtime.MemProfileRate)
}
