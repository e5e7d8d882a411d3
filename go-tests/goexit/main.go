// runtime.Goexit runs the goroutine's deferred calls, cannot be
// recovered, and does not affect other goroutines.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() { fmt.Println("recover in Goexit:", recover()) }()
		defer fmt.Println("deferred before Goexit runs")
		func() {
			defer fmt.Println("inner deferred runs too")
			runtime.Goexit()
		}()
		fmt.Println("not reached")
	}()
	wg.Wait()
	fmt.Println("main continues")
}
