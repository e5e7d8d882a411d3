// A data race the race detector must report (built with -race: see
// flags): two goroutines write the same global with nothing ordering
// them. The second starts after the first has written (a sleep, which is
// no synchronisation), so the report's "Write" and "Previous write" are
// the same in every run. Exit status 66 with "Found 1 data race(s)".
package main

import (
	"fmt"
	"sync"
	"time"
)

var counter int

//go:noinline
func set(v int) {
	counter = v
}

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		set(1)
		wg.Done()
	}()
	time.Sleep(100 * time.Millisecond)
	go func() {
		set(2)
		wg.Done()
	}()
	wg.Wait()
	fmt.Println("counter", counter)
}
