// Tracebacks of deep stacks print the innermost 50 and the outermost 50
// logical frames (inlined calls count as frames) with "...N frames
// elided..." between; the cut may fall inside a physical frame (a run of
// inlined calls), where the second part picks up. Depths around the limit,
// with five logical frames per physical one.
package main

import (
	"fmt"
	"os"
	"regexp"
	"runtime/debug"
	"strings"
)

//go:noinline
func deep(n int) string {
	if n <= 0 {
		return string(debug.Stack())
	}
	return a(n - 1)
}

func a(n int) string { return b(n) }
func b(n int) string { return c(n) }
func c(n int) string { return d(n) }
func d(n int) string { return deep(n) }

var frameRe = regexp.MustCompile(`(?m)^(\S+)\(`)

func main() {
	for _, n := range []int{18, 19, 20, 21, 25, 40} {
		s := deep(n)
		var names []string
		for _, m := range frameRe.FindAllStringSubmatch(s, -1) {
			names = append(names, m[1])
		}
		elided := ""
		if i := strings.Index(s, "frames elided"); i >= 0 {
			elided = s[strings.LastIndex(s[:i], "\n")+1 : i+len("frames elided...")]
		}
		fmt.Printf("n=%d frames=%d first=%s last=%s %s\n", n, len(names), names[0], names[len(names)-1], elided)
	}
	if len(os.Args) > 1 {
		fmt.Print(deep(25))
	}
}
