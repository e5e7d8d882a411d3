// Races on channels the race detector must report (built with -race: see
// flags): a send and a close that nothing orders. The runtime reports a
// send as a read of the channel by runtime.chansend and a close as a write
// by runtime.closechan, so each report shows those frames above the
// program's lines. Each pair of goroutines is ordered by a sleep (no
// synchronisation), and every send finds room in the buffer, so the
// reports read the same in every run. Exit status 66.
package main

import (
	"fmt"
	"reflect"
	"sync"

	"gort.test/internal/racetest"
)

func main() {
	var wg sync.WaitGroup

	// a send, then a close.
	c1 := make(chan int, 1)
	racetest.Pair(&wg, func() { c1 <- 1 }, func() { close(c1) })

	// a non-blocking send (select with default), then a close.
	c2 := make(chan int, 1)
	racetest.Pair(&wg, func() {
		select {
		case c2 <- 2:
		default:
		}
	}, func() { close(c2) })

	// reflect's send, then reflect's close.
	c3 := make(chan int, 1)
	racetest.Pair(&wg, func() { reflect.ValueOf(c3).Send(reflect.ValueOf(3)) }, func() { reflect.ValueOf(c3).Close() })

	// a select's only send case, then a close.
	c5 := make(chan int, 1)
	quit := make(chan bool)
	racetest.Pair(&wg, func() {
		select {
		case c5 <- 5:
		case <-quit:
		}
	}, func() { close(c5) })

	// a send and a close ordered by a receive: no race.
	c4 := make(chan int, 1)
	done := make(chan bool)
	racetest.Pair(&wg, func() { c4 <- 4; done <- true }, func() { <-done; close(c4) })

	fmt.Println(<-c1, <-c2, <-c3, <-c4, <-c5)
}
