// Panics during deferred calls: the report shows the chain with
// [recovered] marks; a re-panic of a recovered value.
package main

import (
	"fmt"
	"os"
)

func main() {
	func() {
		defer func() {
			r := recover()
			fmt.Println("recovered the second panic:", r)
		}()
		defer func() {
			panic("second")
		}()
		panic("first")
	}()
	func() {
		defer func() {
			fmt.Println("recovered after re-panic:", recover())
		}()
		func() {
			defer func() {
				r := recover()
				panic(fmt.Sprint("re-panic of ", r))
			}()
			panic("original")
		}()
	}()
	fmt.Fprintln(os.Stderr, "now an unrecovered chain")
	defer func() {
		recover()
		panic("third, after recovering the second")
	}()
	defer func() {
		panic("second")
	}()
	panic("first")
}
