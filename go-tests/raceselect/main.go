// Races through select's cases the race detector must report (built with
// -race: see flags). selectgo reads the value a send case sends and
// writes the value a receive case receives, reported as runtime.chansend
// and runtime.chanrecv called from the case. A compiled select's values
// are temporaries on the goroutine's stack, which nothing else touches;
// reflect.Select's send cases read the Value's own memory, which may be a
// shared variable (reflect.ValueOf(&v).Elem()), and its cases' "pc" is
// reflect.rselect's. Each pair of goroutines is ordered by a sleep (no
// synchronisation), so the reports read the same in every run. Exit
// status 66.
package main

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	"gort.test/internal/racetest"
)

type point struct{ x, y int }

func sendCase(c any, v reflect.Value) reflect.SelectCase {
	return reflect.SelectCase{Dir: reflect.SelectSend, Chan: reflect.ValueOf(c), Send: v}
}

var quit = make(chan bool)

func recvQuit() reflect.SelectCase {
	return reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(quit)}
}

func main() {
	var wg sync.WaitGroup

	// a write, then reflect.Select sends the variable into a buffer with
	// room: the case reads it.
	v1 := 0
	c1 := make(chan int, 1)
	racetest.Pair(&wg, func() { v1 = 1 }, func() {
		reflect.Select([]reflect.SelectCase{sendCase(c1, reflect.ValueOf(&v1).Elem()), recvQuit()})
	})

	// the same with a struct (every byte of it is read) to a receiver
	// already waiting.
	p2 := point{}
	c2 := make(chan point)
	got := make(chan point)
	go func() { got <- <-c2 }()
	time.Sleep(50 * time.Millisecond)
	racetest.Pair(&wg, func() { p2.y = 2 }, func() {
		reflect.Select([]reflect.SelectCase{recvQuit(), sendCase(c2, reflect.ValueOf(&p2).Elem())})
	})
	<-got

	// a send case that waits until main receives.
	v3 := 0
	c3 := make(chan int)
	wg.Add(2)
	go func() {
		v3 = 3
		wg.Done()
	}()
	time.Sleep(50 * time.Millisecond)
	go func() {
		reflect.Select([]reflect.SelectCase{sendCase(c3, reflect.ValueOf(&v3).Elem()), recvQuit()})
		wg.Done()
	}()
	time.Sleep(50 * time.Millisecond)
	<-c3
	wg.Wait()

	// reflect.Select's send, then a close: the send reads the channel.
	c4 := make(chan int, 1)
	racetest.Pair(&wg, func() {
		reflect.Select([]reflect.SelectCase{sendCase(c4, reflect.ValueOf(4)), recvQuit()})
	}, func() { close(c4) })

	// compiled selects' values are their own: no race.
	v5 := 5
	c5 := make(chan int, 1)
	r5 := 0
	racetest.Pair(&wg, func() {
		select {
		case c5 <- v5:
		case <-quit:
		}
	}, func() {
		select {
		case r5 = <-c5:
		case <-quit:
		}
	})

	fmt.Println(<-c1, r5)
}
