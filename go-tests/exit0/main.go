// Returning from main.main exits with status 0 even after os.Exit is
// available; deferred calls of main run first.
package main

import "fmt"

func main() {
	defer fmt.Println("deferred in main")
	for i := 0; i < 3; i++ {
		defer fmt.Println("deferred in a loop", i)
	}
	fmt.Println("returning from main")
}
