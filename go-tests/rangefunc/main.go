// Range over functions (GOEXPERIMENT=rangefunc) and defer: a defer
// statement in a loop body belongs to the enclosing function, so it runs
// when that function returns, after every iteration, in reverse order;
// also when the body panics, when the loop breaks early, and when the
// iterator itself defers and recovers.
package main

import (
	"fmt"
	"iter"
	"runtime"
)

func count(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

func guarded(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		defer fmt.Println("iterator done")
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

func deferInBody() {
	defer fmt.Println("function's own defer")
	for i := range count(4) {
		defer fmt.Println("deferred in iteration", i)
	}
	fmt.Println("loop over")
}

func breakEarly() (out []int) {
	defer func() { out = append(out, -1) }()
	for i := range count(10) {
		defer func() { out = append(out, i) }()
		if i == 2 {
			break
		}
	}
	return nil
}

func panicInBody() (msg string) {
	defer func() { msg = fmt.Sprint("recovered: ", recover()) }()
	for i := range guarded(5) {
		defer fmt.Println("unwinding defer", i)
		if i == 3 {
			panic("boom at 3")
		}
	}
	return "not reached"
}

func nested() {
	for i := range count(2) {
		for j := range count(2) {
			defer fmt.Println("nested", i, j)
		}
	}
}

func main() {
	deferInBody()
	fmt.Println(breakEarly())
	fmt.Println(panicInBody())
	nested()
	sum := 0
	for i := range count(100) {
		sum += i
	}
	fmt.Println("sum", sum)
	pulls()
}

// iter.Pull: the sequence runs as a coroutine, one value per next().
func pulls() {
	seq := func(yield func(string) bool) {
		defer fmt.Println("pulled sequence finished")
		for _, s := range []string{"a", "b", "c", "d"} {
			if !yield(s) {
				return
			}
		}
	}
	next, stop := iter.Pull(iter.Seq[string](seq))
	for {
		v, ok := next()
		if !ok {
			break
		}
		fmt.Println("pulled", v)
		if v == "c" {
			stop()
		}
	}
	// Two pulls interleaved, with collections between the switches.
	n1, s1 := iter.Pull(iter.Seq[int](count(3)))
	n2, s2 := iter.Pull(iter.Seq[int](count(3)))
	for i := 0; i < 4; i++ {
		a, ok1 := n1()
		runtime.GC()
		b, ok2 := n2()
		fmt.Println(a, ok1, b, ok2)
	}
	s1()
	s2()
	_, ok := n1()
	fmt.Println("after stop", ok)
}
