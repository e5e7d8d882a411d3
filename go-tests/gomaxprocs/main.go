// GOMAXPROCS read and changed at run time while goroutines run, and the
// work still completes exactly.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	orig := runtime.GOMAXPROCS(0)
	fmt.Println("from environment:", orig)
	var total atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					total.Add(1)
					runtime.Gosched()
				}
			}
		}()
	}
	for _, n := range []int{1, 3, 8, 2, 5} {
		prev := runtime.GOMAXPROCS(n)
		time.Sleep(5 * time.Millisecond)
		fmt.Println("set", n, "previous", prev, "now", runtime.GOMAXPROCS(0))
	}
	close(stop)
	wg.Wait()
	fmt.Println("workers made progress:", total.Load() > 0)
	fmt.Println("zero and negative leave it alone:", runtime.GOMAXPROCS(0), runtime.GOMAXPROCS(-1))
	runtime.GOMAXPROCS(orig)
	fmt.Println("restored:", runtime.GOMAXPROCS(0) == orig)
}
