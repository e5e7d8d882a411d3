// hello prints a greeting: the program the README runs on gort.
package main

import "fmt"

func main() {
	fmt.Println("hello, world")
}
