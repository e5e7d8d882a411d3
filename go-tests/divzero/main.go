// Integer division by zero from a hardware trap, recovered and then not.
package main

import "fmt"

//go:noinline
func div(a, b int) int { return a / b }

//go:noinline
func mod(a, b int64) int64 { return a % b }

func main() {
	func() {
		defer func() { fmt.Println("recovered:", recover()) }()
		fmt.Println(div(10, 0))
	}()
	fmt.Println(mod(7, 3), div(-9, 2))
	fmt.Println(div(1, 0))
}
