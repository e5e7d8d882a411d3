// A program for the debugger tests (scripts/debugger-tests): goroutines
// blocked in different ways, then a breakpoint trap in a function whose
// arguments and caller's locals are a map, a slice, a string, an error
// and channels, for gdb's and Delve's goroutine lists, backtraces and
// pretty printers; then a worker goroutine receives a value, where the
// debuggers set a breakpoint.
package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

var ready, got sync.WaitGroup
var mu sync.Mutex

func worker(id int, ch chan int) {
	ready.Done()
	for v := range ch {
		report(v)
		got.Done()
	}
}

func sleeper() {
	ready.Done()
	time.Sleep(time.Hour)
}

func locker() {
	ready.Done()
	mu.Lock()
}

func selector(a, b chan string) {
	ready.Done()
	select {
	case <-a:
	case <-b:
	}
}

// waitBlocked returns once every goroutine above is blocked where it
// should be (the debuggers then see each in its final state).
func waitBlocked() {
	buf := make([]byte, 1<<16)
	for {
		st := buf[:runtime.Stack(buf, true)]
		if bytes.Count(st, []byte("[chan receive]:")) == 3 && bytes.Contains(st, []byte("[sleep]:")) &&
			bytes.Contains(st, []byte("[sync.Mutex.Lock]:")) && bytes.Contains(st, []byte("[select]:")) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// report is where the debuggers' breakpoint is (hit on a worker's
// goroutine).
//
//go:noinline
func report(v int) {
	fmt.Println("received", v)
}

//go:noinline
func stop(m map[string]int, s []int, str string, e error) {
	runtime.Breakpoint()
}

func main() {
	// No collection: the runtime's own goroutines (the finalizer goroutine,
	// the sweeper) then stay parked, as the debuggers' views expect.
	debug.SetGCPercent(-1)
	ch := make(chan int)
	bc := make(chan string, 4)
	bc <- "one"
	bc <- "two"
	mu.Lock()
	ready.Add(6)
	for i := 0; i < 3; i++ {
		go worker(i, ch)
	}
	go sleeper()
	go locker()
	go selector(make(chan string), make(chan string))
	ready.Wait()
	waitBlocked()
	stop(map[string]int{"a": 1, "b": 2}, []int{1, 2, 3}, "hello", os.ErrNotExist)
	got.Add(1)
	ch <- 42 // a worker hits the debuggers' breakpoint in report
	got.Wait()
	fmt.Println("done", len(bc))
}
