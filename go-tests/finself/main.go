// An object with a finalizer that points into itself (a slice of one of
// its own arrays, a pointer to one of its fields, to its own start) is
// still finalized once unreachable: what an object reaches is kept for its
// finalizer, but a pointer back into the object does not keep the object
// itself alive (runtime.Pinner's leak check relies on it).
package main

import (
	"fmt"
	"runtime"
	"time"
)

type selfSlice struct {
	refs  []*int
	store [4]*int
}

type selfField struct {
	p *int
	x int
}

type selfStart struct {
	me  *selfStart
	pad [100]byte
}

type bigSelf struct {
	data [3000]int
	p    *int
}

var done = make(chan string, 16)

//go:noinline
func make1() {
	s := new(selfSlice)
	s.refs = s.store[:0]
	s.refs = append(s.refs, new(int))
	runtime.SetFinalizer(s, func(*selfSlice) { done <- "slice of own array" })

	f := new(selfField)
	f.p = &f.x
	runtime.SetFinalizer(f, func(*selfField) { done <- "pointer to own field" })

	m := new(selfStart)
	m.me = m
	runtime.SetFinalizer(m, func(*selfStart) { done <- "pointer to itself" })

	b := new(bigSelf)
	b.p = &b.data[2000]
	runtime.SetFinalizer(b, func(*bigSelf) { done <- "large object, pointer inside" })
}

func main() {
	make1()
	got := map[string]bool{}
	deadline := time.Now().Add(5 * time.Second)
	for len(got) < 4 && time.Now().Before(deadline) {
		runtime.GC()
		select {
		case s := <-done:
			got[s] = true
		case <-time.After(50 * time.Millisecond):
		}
	}
	for _, k := range []string{"slice of own array", "pointer to own field", "pointer to itself", "large object, pointer inside"} {
		fmt.Println(k, got[k])
	}
}
