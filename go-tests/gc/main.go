// Garbage collection: memory is reclaimed (a churn of 2 GB of garbage runs
// in a small heap), reachable data survives every collection intact
// (lists, maps, channels, closures, interfaces, strings), finalizers run
// for unreachable objects and not for reachable ones, and the runtime/debug
// knobs work.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

type node struct {
	next *node
	val  int
	name string
	data []byte
}

func build(n int) *node {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{next: head, val: i, name: fmt.Sprint("node-", i), data: make([]byte, i%100)}
	}
	return head
}

func check(head *node, n int) bool {
	i := n - 1
	for p := head; p != nil; p = p.next {
		if p.val != i || p.name != fmt.Sprint("node-", i) || len(p.data) != i%100 {
			return false
		}
		i--
	}
	return i == -1
}

func main() {
	keep := build(20000)
	m := map[string][]int{}
	for i := 0; i < 5000; i++ {
		m[fmt.Sprint("k", i)] = []int{i, i * 2}
	}
	ch := make(chan *node, 100)
	for i := 0; i < 100; i++ {
		ch <- &node{val: i}
	}
	fns := []func() int{}
	for i := 0; i < 100; i++ {
		x := &node{val: i}
		fns = append(fns, func() int { return x.val })
	}
	var ifaces []any
	for i := 0; i < 1000; i++ {
		ifaces = append(ifaces, &node{val: i}, fmt.Sprint(i), []int{i})
	}

	// 2 GB of garbage, in pieces of up to 64 KB.
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gc0 := ms.NumGC
	total := 0
	for total < 2<<30 {
		b := make([]byte, 1024+(total/7)%65536)
		b[len(b)-1] = 1
		total += len(b)
		if total%(256<<20) < 70000 {
			_ = build(1000)
		}
	}
	runtime.ReadMemStats(&ms)
	fmt.Println("collections ran:", ms.NumGC > gc0)
	fmt.Println("heap stayed small:", ms.HeapAlloc < 256<<20, ms.HeapSys < 1<<30)

	fmt.Println("list intact:", check(keep, 20000))
	ok := true
	for i := 0; i < 5000; i++ {
		v := m[fmt.Sprint("k", i)]
		if len(v) != 2 || v[0] != i || v[1] != 2*i {
			ok = false
		}
	}
	fmt.Println("map intact:", ok, len(m))
	sum := 0
	for i := 0; i < 100; i++ {
		sum += (<-ch).val
	}
	fmt.Println("channel intact:", sum)
	sum = 0
	for _, f := range fns {
		sum += f()
	}
	fmt.Println("closures intact:", sum)
	ok = true
	for i := 0; i < 1000; i++ {
		if ifaces[3*i].(*node).val != i || ifaces[3*i+1].(string) != fmt.Sprint(i) || ifaces[3*i+2].([]int)[0] != i {
			ok = false
		}
	}
	fmt.Println("interfaces intact:", ok)

	// Finalizers: run for unreachable objects, not for reachable ones.
	done := make(chan string, 10)
	func() {
		a := &node{name: "dropped"}
		runtime.SetFinalizer(a, func(n *node) { done <- n.name })
	}()
	kept := &node{name: "kept"}
	runtime.SetFinalizer(kept, func(n *node) { done <- n.name })
	var got []string
	for i := 0; i < 20 && len(got) == 0; i++ {
		runtime.GC()
		select {
		case s := <-done:
			got = append(got, s)
		case <-time.After(10 * time.Millisecond):
		}
	}
	fmt.Println("finalized:", strings.Join(got, ","))
	runtime.KeepAlive(kept)
	runtime.SetFinalizer(kept, nil)

	// A finalizer taking an interface.
	func() {
		b := &node{name: "as interface"}
		runtime.SetFinalizer(b, func(x any) { done <- x.(*node).name })
	}()
	for i := 0; i < 20; i++ {
		runtime.GC()
		select {
		case s := <-done:
			fmt.Println("finalized:", s)
			i = 20
		case <-time.After(10 * time.Millisecond):
		}
	}

	old := debug.SetGCPercent(50)
	fmt.Println("SetGCPercent old:", old, "now:", debug.SetGCPercent(old))
	debug.FreeOSMemory()
	runtime.ReadMemStats(&ms)
	fmt.Println("forced collections counted:", ms.NumForcedGC > 0)
	fmt.Fprintln(os.Stderr, "done")
}
