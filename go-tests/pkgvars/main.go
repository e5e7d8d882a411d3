// Package-level variables initialised by function calls, closures, maps,
// slices and structs, in dependency order.
package main

import (
	"fmt"
	"strings"
)

var (
	total   = sum(values...)
	values  = makeValues(5)
	names   = map[string]int{"one": 1, "two": 2, "three": 3}
	greeter = func(who string) string { return "hello, " + who }
	upper   = strings.ToUpper(greeter("gort"))
	point   = struct{ X, Y int }{X: total, Y: len(names)}
	counter = newCounter()
)

func makeValues(n int) []int {
	v := make([]int, n)
	for i := range v {
		v[i] = i * i
	}
	return v
}

func sum(xs ...int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

type Counter struct{ n int }

func (c *Counter) Next() int { c.n++; return c.n }

func newCounter() *Counter { return &Counter{n: 100} }

func main() {
	fmt.Println("values:", values)
	fmt.Println("total:", total)
	fmt.Println("names:", names["one"], names["two"], names["three"], len(names))
	fmt.Println("upper:", upper)
	fmt.Println("point:", point.X, point.Y)
	fmt.Println("counter:", counter.Next(), counter.Next())
}
