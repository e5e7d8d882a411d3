// Signal-based (asynchronous) preemption: goroutines in loops without
// function calls are interrupted (the env file sets GOMAXPROCS=1), and
// every register they use survives the interruptions: the results of the
// computations are exact.
package main

import (
	"fmt"
	"runtime"
	"time"
)

// Many live integer and floating-point values in a loop without calls.
func compute(n int) (uint64, float64) {
	var a, b, c, d, e, f, g, h uint64 = 1, 2, 3, 4, 5, 6, 7, 8
	x, y, z, w := 1.0, 0.5, 0.25, 0.125
	for i := 0; i < n; i++ {
		a, b, c, d = b^uint64(i), c+a, d*3+1, a^d
		e, f, g, h = f+uint64(i), g^e, h+f, e*5
		x, y, z, w = y*0.999+0.001, z*0.998+0.002, w*0.997+0.003, x*0.996+0.004
	}
	return a + b + c + d + e + f + g + h, x + y + z + w
}

func main() {
	stop := make(chan bool)
	ticks := 0
	go func() {
		// Keeps waking up: each time, the loops below must be interrupted.
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				ticks++
			}
		}
	}()
	results := make(chan string, 3)
	for k := 0; k < 3; k++ {
		go func(k int) {
			u, f := compute(30000000 + k)
			results <- fmt.Sprintf("%d %.12f", u, f)
		}(k)
	}
	got := map[string]bool{}
	for k := 0; k < 3; k++ {
		got[<-results] = true
	}
	close(stop)
	for k := 0; k < 3; k++ {
		u, f := compute(30000000 + k)
		fmt.Println("result", k, got[fmt.Sprintf("%d %.12f", u, f)])
	}
	fmt.Println("ticker goroutine ran meanwhile:", ticks > 0)

	// A loop with no calls at all, and a GOMAXPROCS change (a stop of the
	// world) while it runs.
	x := 0
	go func() {
		for {
			x++
		}
	}()
	time.Sleep(20 * time.Millisecond)
	runtime.GOMAXPROCS(2)
	fmt.Println("GOMAXPROCS changed under a tight loop:", runtime.GOMAXPROCS(0))
}
