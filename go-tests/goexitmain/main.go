// runtime.Goexit in the main goroutine: main's deferred calls run, other
// goroutines continue; when they are done the program reports a deadlock.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func main() {
	go func() {
		time.Sleep(20 * time.Millisecond)
		fmt.Println("other goroutine finished")
	}()
	defer fmt.Println("main's deferred call runs")
	runtime.Goexit()
}
