// 100k goroutines joined by a WaitGroup, each adding its index to a shared
// atomic sum; then the same through a channel fan-in.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

func main() {
	const n = 100000
	var wg sync.WaitGroup
	var sum atomic.Int64
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sum.Add(int64(i))
		}(i)
	}
	wg.Wait()
	fmt.Println("sum:", sum.Load(), "want:", int64(n)*(n-1)/2)

	results := make(chan int, 64)
	for i := 0; i < n; i++ {
		go func(i int) { results <- i % 7 }(i)
	}
	total := 0
	for i := 0; i < n; i++ {
		total += <-results
	}
	fmt.Println("fan-in total:", total)
}
