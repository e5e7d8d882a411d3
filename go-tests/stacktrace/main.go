// runtime.Stack and runtime/debug.Stack of the current goroutine (frames
// with no arguments, so that the output is deterministic).
package main

import (
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
)

//go:noinline
func leaf() string {
	buf := make([]byte, 4096)
	n := runtime.Stack(buf, false)
	return string(buf[:n])
}

//go:noinline
func middle() string { return leaf() }

func main() {
	s := middle()
	// Offsets vary with code generation details; check structure.
	fmt.Println(strings.Count(s, "\n"), strings.HasPrefix(s, "goroutine 1 [running]:\nmain.leaf()"))
	re := regexp.MustCompile(`\+0x[0-9a-f]+`)
	fmt.Print(re.ReplaceAllString(s, "+0x?"))
	d := string(debug.Stack())
	fmt.Println(strings.Contains(d, "runtime/debug.Stack()"), strings.Contains(d, "main.main()"))
}
