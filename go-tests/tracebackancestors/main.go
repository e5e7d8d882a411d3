// GODEBUG=tracebackancestors=N (set in ./env): each goroutine keeps the
// stacks of the goroutines that led to its creation, and tracebacks show
// them after "created by", N at most. A chain of goroutines, each made a
// few calls deep; runtime.Stack of all of them, then a panic in the last
// one (its crash report shows the ancestry too).
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
)

var parked = make(chan bool)
var release = make(chan bool)

//go:noinline
func spawn(left, depth int) {
	if depth > 0 {
		spawn(left, depth-1)
		return
	}
	if left == 0 {
		parked <- true
		<-release
		panic("the last of the chain")
	}
	go spawn(left-1, 2)
	<-release
}

// allReceiving: every goroutine of the chain in a dump waits in a
// channel receive.
func allReceiving(dump string) bool {
	for _, g := range strings.Split(dump, "\n\n") {
		if strings.Contains(g, "main.spawn(") && !strings.HasPrefix(g, "goroutine 1 ") &&
			!strings.Contains(strings.SplitN(g, "\n", 2)[0], "[chan receive") {
			return false
		}
	}
	return true
}

func main() {
	go spawn(3, 1)
	<-parked
	// The chain's other goroutines may not have reached their receive yet
	// (one preempted right after its go statement is runnable, one that
	// allocated during a collection may wait for it): wait until all do.
	buf := make([]byte, 1<<16)
	n := runtime.Stack(buf, true)
	for tries := 0; tries < 100000 && !allReceiving(string(buf[:n])); tries++ {
		runtime.Gosched()
		n = runtime.Stack(buf, true)
	}
	// Only the chain's goroutines (the main one's own frames differ in
	// their argument words).
	for _, g := range strings.Split(string(buf[:n]), "\n\n") {
		if strings.Contains(g, "main.spawn(") && !strings.HasPrefix(g, "goroutine 1 ") {
			fmt.Println(g)
			fmt.Println()
		}
	}
	fmt.Fprintln(os.Stderr, "ancestors shown:", strings.Count(string(buf[:n]), "[originating from goroutine"))
	close(release)
	select {}
}
