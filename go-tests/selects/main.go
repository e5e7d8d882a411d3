// select: default, several ready cases, timeouts, nil channels, closed
// channels, send cases, and reflect.Select.
package main

import (
	"fmt"
	"reflect"
	"sync"
	"time"
)

func main() {
	c := make(chan int, 1)
	select {
	case v := <-c:
		fmt.Println("unexpected", v)
	default:
		fmt.Println("default when nothing is ready")
	}
	c <- 1
	select {
	case v := <-c:
		fmt.Println("received", v)
	default:
		fmt.Println("unexpected default")
	}
	var nilc chan int
	select {
	case <-nilc:
		fmt.Println("nil channel never ready")
	case <-time.After(20 * time.Millisecond):
		fmt.Println("timeout fired")
	}
	done := make(chan struct{})
	close(done)
	v, ok := <-done
	fmt.Println("closed receive:", v, ok)
	// Both cases ready: each is chosen sometimes.
	a, b := make(chan int, 100), make(chan int, 100)
	for i := 0; i < 100; i++ {
		a <- i
		b <- i
	}
	na, nb := 0, 0
	for i := 0; i < 100; i++ {
		select {
		case <-a:
			na++
		case <-b:
			nb++
		}
	}
	fmt.Println("both chosen:", na > 10, nb > 10, na+nb)
	// Send cases and a goroutine on the other side.
	out := make(chan int)
	quit := make(chan bool)
	go func() {
		for i := 0; i < 5; i++ {
			fmt.Println("got", <-out)
		}
		quit <- true
	}()
	for x := 0; ; x++ {
		select {
		case out <- x:
			continue
		case <-quit:
			fmt.Println("quit")
		}
		break
	}
	// reflect.Select
	ch := make(chan string, 1)
	ch <- "via reflect"
	cases := []reflect.SelectCase{
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(nilc)},
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)},
	}
	i, rv, rok := reflect.Select(cases)
	fmt.Println(i, rv, rok)
	i, _, _ = reflect.Select([]reflect.SelectCase{{Dir: reflect.SelectDefault}, {Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)}})
	fmt.Println("reflect default:", i)
	polling()
}

// Polling with select and default on unbuffered and buffered channels
// while other goroutines send, receive and close: every value sent is
// received exactly once, and once a channel is closed (close returned
// before the poll), a poll reports it closed, never "not ready".
func polling() {
	for _, size := range []int{0, 4} {
		c := make(chan int, size)
		var wg sync.WaitGroup
		var mu sync.Mutex
		sent, got := 0, 0
		const senders, per = 3, 2000
		for w := 0; w < senders; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 1; i <= per; i++ {
					select {
					case c <- w*per + i:
					default:
						c <- w*per + i // not ready: wait instead
					}
					mu.Lock()
					sent += w*per + i
					mu.Unlock()
				}
			}(w)
		}
		done := make(chan bool)
		go func() {
			for n := 0; ; n++ {
				select {
				case v, ok := <-c:
					if !ok {
						done <- true
						return
					}
					got += v
				default:
					if n%3 == 0 {
						// Wait now and then (senders may be polling too).
						v, ok := <-c
						if !ok {
							done <- true
							return
						}
						got += v
					}
				}
			}
		}()
		wg.Wait()
		close(c)
		<-done
		closedSeen := true
		for i := 0; i < 1000; i++ {
			select {
			case _, ok := <-c:
				closedSeen = closedSeen && !ok
			default:
				closedSeen = false
			}
		}
		fmt.Println("polling size", size, "all received once:", sent == got, "closed seen by every poll:", closedSeen)
	}
}
