// Preemption of long-running goroutines (the env file sets GOMAXPROCS=1):
// goroutines that compute without blocking are asked to yield after about
// 10ms, so a sleeping main goroutine and a ticker still get the processor.
// The spinners call a function with a stack check in its prologue (where
// cooperative preemption takes effect; go-tests/asyncpreempt covers loops
// without calls). Without preemption the main goroutine never runs again:
// the program then never ends, and gort diff's time limit fails it.
package main

import (
	"fmt"
	"sync/atomic"
	"time"
)

//go:noinline
func leaf(x int) int { return x*31 + 7 }

//go:noinline
func work(x int) int { return leaf(x) ^ leaf(x+1) }

func main() {
	var stop atomic.Bool
	var spins [2]atomic.Int64
	for i := range spins {
		go func(i int) {
			x := 0
			for !stop.Load() {
				x = work(x)
				spins[i].Add(1)
			}
		}(i)
	}
	time.Sleep(30 * time.Millisecond)
	fmt.Println("main woke up while two goroutines spin")
	tick := time.NewTicker(5 * time.Millisecond)
	n := 0
	for range tick.C {
		if n++; n == 3 {
			break
		}
	}
	tick.Stop()
	fmt.Println("ticker delivered", n, "ticks")
	stop.Store(true)
	fmt.Println("both spinners ran:", spins[0].Load() > 0 && spins[1].Load() > 0)
}
