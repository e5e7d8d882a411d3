// close and range over channels, nil channels in select, a producer and
// consumer pipeline with buffered and unbuffered stages, and upstream's
// panics for misuse of channels.
package main

import (
	"fmt"
	"sort"
)

func producer(n int) <-chan int {
	c := make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			c <- i
		}
		close(c)
	}()
	return c
}

func squarer(in <-chan int) <-chan int {
	out := make(chan int, 10)
	go func() {
		for v := range in {
			out <- v * v
		}
		close(out)
	}()
	return out
}

func merge(cs ...<-chan int) []int {
	var all []int
	// Disable each input in the select by setting it to nil once closed.
	a, b := cs[0], cs[1]
	for a != nil || b != nil {
		select {
		case v, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			all = append(all, v)
		case v, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			all = append(all, v)
		}
	}
	sort.Ints(all)
	return all
}

func try(name string, f func()) {
	defer func() { fmt.Println(name+":", recover()) }()
	f()
}

func main() {
	all := merge(squarer(producer(50)), squarer(producer(30)))
	sum := 0
	for _, v := range all {
		sum += v
	}
	fmt.Println("merged", len(all), "values, sum", sum)

	c := make(chan int, 3)
	c <- 1
	c <- 2
	close(c)
	for v := range c {
		fmt.Println("drained", v)
	}
	v, ok := <-c
	fmt.Println("after close:", v, ok)

	try("send on closed", func() { c <- 3 })
	try("close closed", func() { close(c) })
	var nc chan int
	try("close nil", func() { close(nc) })
	fmt.Println("len/cap:", len(c), cap(c))
}
