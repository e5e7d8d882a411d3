// GOTRACEBACK=all: an unrecovered panic prints every goroutine, blocked in
// a channel receive, a select, a mutex, a WaitGroup and a sleep.
package main

import (
	"sync"
	"time"
)

func recvForever(c chan int) { <-c }

func selectForever(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}

func main() {
	c := make(chan int)
	go recvForever(c)
	go selectForever(c, c)
	var mu sync.Mutex
	mu.Lock()
	go func() {
		mu.Lock()
	}()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		wg.Wait()
	}()
	go func() {
		time.Sleep(time.Hour)
	}()
	time.Sleep(50 * time.Millisecond)
	panic("with every goroutine")
}
