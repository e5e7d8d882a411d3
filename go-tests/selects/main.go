// select: default, several ready cases, timeouts, nil channels, closed
// channels, send cases, and reflect.Select.
package main

import (
	"fmt"
	"reflect"
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
}
