// Preemption of goroutines whose loops call only the runtime's map
// operations (gort's leaf entry points, which run on the goroutine's stack
// without a Go prologue): with GOMAXPROCS=1 and asynchronous preemption
// off (the env file), upstream stops such a goroutine at the next map
// function's prologue when sysmon asks it to yield after about 10ms;
// gort's leaf trampolines must notice the request too (they compare with
// stackguard0). Without it the sleeping main goroutine never runs again:
// the program never ends, and gort diff's time limit fails it. A
// collection during the spin must also be able to scan the spinners'
// stacks (they scan themselves as they yield).
package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

var stop atomic.Bool

func spinAssign(done chan<- int) {
	m := make(map[int]int, 1024)
	n := 0
	for !stop.Load() {
		m[n&1023] = n
		n++
	}
	done <- len(m)
}

func spinLookup(done chan<- int) {
	m := map[string]int{"a": 1, "b": 2, "c": 3}
	keys := []string{"a", "b", "c", "d"}
	s := 0
	for i := 0; !stop.Load(); i++ {
		s += m[keys[i&3]]
	}
	done <- len(m)
}

func main() {
	done := make(chan int)
	go spinAssign(done)
	go spinLookup(done)
	time.Sleep(30 * time.Millisecond)
	fmt.Println("main ran again while the spinners spin")
	runtime.GC()
	fmt.Println("a collection finished while they spin")
	stop.Store(true)
	fmt.Println("spinners' maps:", <-done+<-done)
}
