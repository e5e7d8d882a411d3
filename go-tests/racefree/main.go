// A race-free program built with -race (see flags): goroutines share
// memory through channels (unbuffered, buffered, closed, select), a mutex,
// a WaitGroup and sync/atomic; the race detector must report nothing and
// the program exits 0.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

type box struct{ v [4]int }

func main() {
	// Unbuffered hand-off of a heap object.
	ch := make(chan *box)
	go func() {
		b := &box{}
		b.v[0] = 1
		ch <- b
	}()
	b := <-ch
	b.v[0]++

	// Buffered channel as a pipeline, closed by the producer.
	data := make([]int, 100)
	work := make(chan int, 8)
	go func() {
		for i := range data {
			data[i] = i * i
			work <- i
		}
		close(work)
	}()
	sum := 0
	for i := range work {
		sum += data[i]
	}

	// A mutex-protected counter.
	var mu sync.Mutex
	var wg sync.WaitGroup
	total := 0
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				mu.Lock()
				total += n
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()

	// sync/atomic, then a select hand-off.
	var hits atomic.Int64
	done := make(chan struct{})
	res := make(chan string, 1)
	shared := map[string]int{}
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hits.Add(1)
		}()
	}
	go func() {
		shared["k"] = 42
		select {
		case res <- "sent":
		case <-done:
		}
	}()
	msg := <-res
	close(done)
	wg.Wait()
	fmt.Println(b.v[0], sum, total, hits.Load(), msg, shared["k"])
}
