// An uncaught panic in a goroutine other than main: the report names the
// goroutine that created it; a custom error type as the panic value.
package main

import (
	"fmt"
	"time"
)

type badError struct{ code int }

func (e badError) Error() string { return fmt.Sprintf("bad thing %d", e.code) }

//go:noinline
func work() {
	panic(badError{42})
}

func spawn() {
	go func() {
		work()
	}()
}

func main() {
	spawn()
	time.Sleep(time.Second)
	fmt.Println("not reached")
}
