// All goroutines blocked: the runtime reports a deadlock with every
// goroutine's stack.
package main

import "sync"

func waiter(c chan int, wg *sync.WaitGroup) {
	wg.Done()
	<-c
}

func main() {
	c := make(chan int)
	var wg sync.WaitGroup
	wg.Add(2)
	go waiter(c, &wg)
	go waiter(c, &wg)
	wg.Wait()
	var never chan bool
	never <- true
}
