// GODEBUG=memprofilerate=N sets runtime.MemProfileRate at startup (this
// program can read the memory profile, so the linker keeps profiling on).
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	fmt.Println("MemProfileRate:", runtime.MemProfileRate)
	if len(os.Args) > 5 {
		runtime.MemProfile(nil, false)
	}
}
