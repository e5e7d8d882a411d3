// Goroutine stacks grow by copying: pointers into the stack (locals,
// arguments, address-taken variables, closures, defer records, panics in
// flight) must all follow the move, in deep recursion, big frames, and
// many goroutines growing at once.
package main

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
)

type pair struct {
	a, b *int
}

// Pointers to the caller's locals, passed down a deep recursion.
func chain(n int, acc *int, p pair) int {
	local := n
	q := pair{&local, p.a}
	if n == 0 {
		return *acc + *p.a + *p.b
	}
	*acc += 1
	return chain(n-1, acc, q) + local - n
}

// A big frame forces a large growth step.
func bigframe(n int) int {
	var buf [16384]byte
	for i := range buf {
		buf[i] = byte(i + n)
	}
	if n == 0 {
		return int(buf[100])
	}
	return bigframe(n-1) + int(buf[n])
}

// Closures with stack-allocated context, called after growth.
func closures(n int) int {
	x := n
	inc := func() { x++ }
	if n > 0 {
		closures(n - 1)
	}
	inc()
	return x
}

// Deferred calls registered in deep frames run correctly after growth.
func deferDeep(n int, out *[]int) {
	defer func() { *out = append(*out, n) }()
	if n > 0 {
		var pad [256]byte
		_ = pad
		deferDeep(n-1, out)
	}
}

// A panic raised deep down, recovered near the top, while deferred calls
// grow the stack further.
func panicDeep(n int) (r string) {
	defer func() {
		if e := recover(); e != nil {
			r = fmt.Sprint("recovered: ", e, " ", deepString(200))
		}
	}()
	var rec func(int)
	rec = func(k int) {
		defer func() { _ = deepString(50) }()
		if k == 0 {
			panic(fmt.Sprintf("bottom at %d", n))
		}
		rec(k - 1)
	}
	rec(n)
	return "no panic"
}

func deepString(n int) string {
	if n == 0 {
		return "."
	}
	s := deepString(n - 1)
	return s[:1]
}

func main() {
	acc := 0
	one, two := 1, 2
	fmt.Println("chain:", chain(50000, &acc, pair{&one, &two}), acc)
	fmt.Println("bigframe:", bigframe(40))
	fmt.Println("closures:", closures(10000))
	var order []int
	deferDeep(3000, &order)
	fmt.Println("deferred calls:", len(order), order[0], order[len(order)-1])
	fmt.Println(panicDeep(5000))

	var wg sync.WaitGroup
	results := make([]int, 16)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			a := 0
			o, t := i, 2*i
			results[i] = chain(20000+i, &a, pair{&o, &t})
		}(i)
	}
	wg.Wait()
	fmt.Println("goroutines:", results[0], results[15])

	// Tracebacks and Callers walk grown stacks.
	var depth func(int) string
	depth = func(n int) string {
		if n == 0 {
			buf := make([]byte, 1<<16)
			return string(buf[:runtime.Stack(buf, false)])
		}
		return depth(n - 1)
	}
	st := depth(2000)
	fmt.Println("stack trace frames:", strings.Count(st, "main.main.func"), strings.Contains(st, "frames elided"))
	pcs := make([]uintptr, 5000)
	var callers func(int) int
	callers = func(n int) int {
		if n == 0 {
			return runtime.Callers(0, pcs)
		}
		return callers(n - 1)
	}
	fmt.Println("callers:", callers(3000))

	// Stacks grow under reflect's call frames too: Value.Call, method
	// values and MakeFunc stubs, with pointers to the caller's locals.
	v := 7
	out := reflect.ValueOf(chain).Call([]reflect.Value{reflect.ValueOf(5000), reflect.ValueOf(&v), reflect.ValueOf(pair{&one, &two})})
	fmt.Println("reflect call:", out[0].Int(), v)
	mk := reflect.MakeFunc(reflect.TypeOf(func(int, *int) int { return 0 }), func(args []reflect.Value) []reflect.Value {
		p := args[1].Interface().(*int)
		return []reflect.Value{reflect.ValueOf(chain(int(args[0].Int()), p, pair{p, p}))}
	}).Interface().(func(int, *int) int)
	w := 1
	fmt.Println("makefunc:", mk(4000, &w), w)
	var h holder
	m := reflect.ValueOf(&h).MethodByName("Add").Interface().(func(int, *int) int)
	fmt.Println("method value:", m(3000, &w), w)
}

type holder struct{ calls int }

func (h *holder) Add(n int, p *int) int {
	h.calls++
	local := *p
	return chain(n, p, pair{&local, &h.calls})
}
