// Defer order, argument evaluation time, defers in loops (heap records),
// defers modifying named results, deferred closures and method values.
package main

import "fmt"

type T struct{ name string }

func (t T) Print(s string) { fmt.Println(t.name, s) }

func namedResult() (n int) {
	defer func() { n *= 2 }()
	n = 21
	return n
}

func loop(k int) {
	for i := 0; i < k; i++ {
		defer fmt.Println("loop defer", i)
	}
	fmt.Println("loop body done")
}

func args() {
	x := 1
	defer fmt.Println("argument evaluated at defer time:", x)
	x = 2
	defer func() { fmt.Println("closure sees the latest value:", x) }()
	x = 3
}

func main() {
	defer fmt.Println("main's first defer runs last")
	args()
	loop(3)
	fmt.Println("named result:", namedResult())
	t := T{"method"}
	defer t.Print("value captured at defer time")
	t.name = "changed"
	f := t.Print
	defer f("method value")
	for i := 0; i < 2; i++ {
		func() {
			defer fmt.Println("inner function defer", i)
		}()
	}
}
