// Address-taken local variables big enough that their type describes its
// pointers with a GC program instead of a bitmap (more than 16384 pointer
// words): they live on the goroutine stack as stack objects, which must be
// scanned by the collector (only while reachable) and have their pointers
// adjusted when the stack is copied to a bigger one.
package main

import (
	"fmt"
	"runtime"
)

const n = 20000

type pair struct {
	p *int
	x int
}

//go:noinline
func fill(a *[n]*int, base int) {
	for i := range a {
		v := base + i
		a[i] = &v
	}
}

//go:noinline
func fillPairs(a *[n]pair) {
	for i := range a {
		v := -i
		a[i] = pair{&v, i}
	}
}

// churn allocates garbage so that freed objects would be reused.
func churn() {
	var keep []*[4]int
	for i := 0; i < 200000; i++ {
		x := &[4]int{-1, -1, -1, -1}
		if i%1000 == 0 {
			keep = append(keep, x)
		}
	}
	runtime.KeepAlive(keep)
}

// deep grows the stack (copying it, with the caller's frames) by recursion.
//
//go:noinline
func deep(k int) int {
	var pad [256]byte
	pad[k%256] = byte(k)
	if k == 0 {
		return int(pad[0])
	}
	return deep(k-1) + int(pad[k%256])
}

func check(name string, a *[n]*int, base int) {
	bad := 0
	for i := range a {
		if *a[i] != base+i {
			bad++
		}
	}
	fmt.Printf("%s: %d of %d wrong\n", name, bad, n)
}

//go:noinline
func run(base int) {
	var a [n]*int // a stack object described by a GC program
	var ps [n]pair
	fill(&a, base)
	fillPairs(&ps)
	pa := &a
	runtime.GC()
	churn()
	deep(2000)
	runtime.GC()
	churn()
	check(fmt.Sprint("array ", base), pa, base)
	bad := 0
	for i := range ps {
		if *ps[i].p != -i || ps[i].x != i {
			bad++
		}
	}
	fmt.Printf("pairs %d: %d of %d wrong\n", base, bad, n)
}

func main() {
	run(1)
	done := make(chan bool)
	for g := 0; g < 3; g++ {
		go func(g int) {
			run(1000 * (g + 2))
			done <- true
		}(g)
		<-done
	}
}
