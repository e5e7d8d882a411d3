// os.Exit with a non-zero status, after output on both streams.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("to stdout")
	fmt.Fprintln(os.Stderr, "to stderr")
	defer fmt.Println("deferred calls do not run at os.Exit")
	os.Exit(3)
}
