// A program for Delve's `call` (scripts/debugger-tests): stopped at a
// breakpoint in main, the debugger injects calls of functions that return
// an int and a string and of one that panics (the runtime's debugCallV2
// protocol), then lets the program finish, which must print what it would
// have printed without the calls.
package main

import (
	"fmt"
	"os"
	"strings"
)

//go:noinline
func add(a, b int) int { return a + b }

//go:noinline
func greet(n int) string { return "hello, " + strings.Repeat("go", n) }

//go:noinline
func boom(n int) { panic(fmt.Sprint("boom ", n)) }

func main() {
	x := 3
	if len(os.Args) > 5 {
		boom(x)
	}
	fmt.Println(add(x, 4), greet(1)) // line 28: the breakpoint
	fmt.Println("done")
}
