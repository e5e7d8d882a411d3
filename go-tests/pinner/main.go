// runtime.Pinner: pinned objects stay put and alive across collections
// until Unpin, argument errors panic with upstream's messages, pointers
// outside the heap are accepted, and a Pinner dropped with objects still
// pinned panics from its finalizer ("forgot to call Unpin()?").
package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"unsafe"
)

type node struct {
	val  int
	next *node
	pad  [64]byte
}

var global node

func tryPin(p *runtime.Pinner, v any) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	p.Pin(v)
	return "ok"
}

func leak() {
	var p runtime.Pinner
	p.Pin(&node{val: 7})
}

func main() {
	if os.Getenv("PINNER_CHILD") != "" {
		leak()
		for i := 0; i < 20; i++ {
			runtime.GC()
			runtime.Gosched()
		}
		fmt.Println("leak not reported")
		return
	}

	var p runtime.Pinner
	addrs := make([]uintptr, 100)
	for i := range addrs {
		n := &node{val: i}
		p.Pin(n)
		addrs[i] = uintptr(unsafe.Pointer(n))
	}
	// Garbage in between; the pinned nodes are reachable only through p.
	for r := 0; r < 5; r++ {
		junk := make([][]byte, 0)
		for i := 0; i < 2000; i++ {
			junk = append(junk, make([]byte, 256))
		}
		runtime.GC()
		_ = junk
	}
	ok := true
	for i, a := range addrs {
		if (*node)(unsafe.Pointer(a)).val != i {
			ok = false
		}
	}
	fmt.Println("pinned objects intact:", ok)
	p.Unpin()
	p.Unpin() // twice is fine

	var q runtime.Pinner
	fmt.Println(tryPin(&q, nil))
	fmt.Println(tryPin(&q, 42))
	fmt.Println(tryPin(&q, node{}))
	fmt.Println(tryPin(&q, &global))
	fmt.Println(tryPin(&q, unsafe.Pointer(&global)))
	x := new(int)
	fmt.Println(tryPin(&q, x), tryPin(&q, x))
	q.Unpin()

	// The leak check relies on this: an object pointing into itself is
	// still finalized when nothing else reaches it.
	done := make(chan bool)
	func() {
		n := &node{val: 1}
		n.next = n
		runtime.SetFinalizer(n, func(*node) { done <- true })
	}()
	runtime.GC()
	fmt.Println("self-referencing object finalized:", <-done)

	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "PINNER_CHILD=1")
	out, err := cmd.CombinedOutput()
	first := strings.SplitN(string(out), "\n", 2)[0]
	fmt.Println("child:", first, err)
}
