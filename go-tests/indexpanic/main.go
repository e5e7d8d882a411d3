// An unrecovered runtime error: the report names the error with its
// numbers, runs deferred calls first, and shows the stack (with an
// inlined frame).
package main

import "fmt"

func get(s []int, i int) int { return s[i] }

func main() {
	defer fmt.Println("deferred call runs before the report")
	s := []int{1, 2, 3}
	n := 5
	fmt.Println(get(s, n))
}
