// The runtime keeps reading its settings after C code has edited the
// process environment: with cgo, os.Unsetenv calls C's unsetenv, which
// shifts the entries of the startup envp array down in place. The runtime
// reads GODEBUG (cgocheck) at the first pointer check, after that.
package main

/*
static int first(void *p) { return **(int **)p; }
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"unsafe"
)

func main() {
	env := os.Environ()
	for _, kv := range env[:len(env)/2+1] {
		k, _, _ := strings.Cut(kv, "=")
		if k != "GODEBUG" {
			os.Unsetenv(k)
		}
	}
	os.Setenv("ENVCGO_ADDED", "yes")
	fmt.Println("added:", os.Getenv("ENVCGO_ADDED"), "godebug:", os.Getenv("GODEBUG"))

	// A Go pointer to memory holding a Go pointer: cgocheck=1 refuses it.
	n := new(int)
	*n = 7
	holder := []*int{n}
	func() {
		defer func() { fmt.Println("recovered:", recover()) }()
		fmt.Println("value:", C.first(unsafe.Pointer(&holder[0])))
	}()

	// Pinned, the same call is allowed.
	var pin runtime.Pinner
	pin.Pin(n)
	fmt.Println("value:", C.first(unsafe.Pointer(&holder[0])))
	pin.Unpin()
}
