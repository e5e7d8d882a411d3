// Goroutines that have not started yet (gort starts them on a shared
// launch pad and gives each a stack of its own when it first runs): their
// tracebacks, in runtime.Stack(all) and in a crash's GOTRACEBACK=all
// report (a child process); a collection while they wait (their stacks are scanned, their
// closures kept alive); then they run. Then goroutines made faster than
// they start, some growing their stacks before they exit, on every P: each
// must see its own closure and arguments, whatever stack it ends up on.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
)

type payload struct {
	id   int
	data []int
}

func worker(ch chan<- int, p *payload) {
	s := 0
	for _, v := range p.data {
		s += v
	}
	ch <- p.id*1000 + s
}

// deep recurses n frames with a frame-sized buffer each: the stack grows
// (and is a different size when the goroutine exits).
func deep(n int) int {
	var buf [64]int
	buf[n%64] = n
	if n == 0 {
		return buf[0]
	}
	return deep(n-1) + buf[n%64]
}

func pending() {
	ch := make(chan int, 16)
	for i := 0; i < 3; i++ {
		p := &payload{id: i, data: []int{i, i + 1, i + 2}}
		go worker(ch, p)
	}
	msg := strings.Repeat("x", 3)
	go func() { ch <- len(msg) }()

	buf := make([]byte, 1<<16)
	n := runtime.Stack(buf, true)
	fmt.Println(string(buf[:n]))

	// Collect while they wait: the payloads live only in their closures.
	runtime.GC()
	runtime.GC()

	sum := 0
	for i := 0; i < 4; i++ {
		sum += <-ch
	}
	fmt.Println("pending goroutines ran:", sum)
}

func flood() {
	runtime.GOMAXPROCS(2)
	const n = 20000
	results := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if i%97 == 0 {
				results[i] = deep(200)
				return
			}
			results[i] = i * 3
		}(i)
	}
	wg.Wait()
	want := deep(200)
	for i, r := range results {
		exp := i * 3
		if i%97 == 0 {
			exp = want
		}
		if r != exp {
			fmt.Println("goroutine", i, "computed", r, "want", exp)
			os.Exit(1)
		}
	}
	fmt.Println("flood:", n, "goroutines agree")
}

// crash panics with goroutines that never ran (in a process of its own, so
// that they are new goroutines, listed in the order they were made).
func crash() {
	runtime.GOMAXPROCS(1)
	// GOMAXPROCS stops the world, which may leave a preemption request
	// (and its signal) pending for this goroutine: take it here, before
	// the goroutines exist. Upstream's build otherwise now and then (2 of
	// 20 runs on a loaded machine) yielded between the go statements and
	// the panic, and a worker ran to its channel send.
	runtime.Gosched()
	for i := 0; i < 2; i++ {
		go worker(make(chan int), &payload{id: i})
	}
	go func() { fmt.Println("never printed") }()
	panic("crash with unstarted goroutines")
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "crash" {
		crash()
	}
	runtime.GOMAXPROCS(1)
	pending()
	flood()

	cmd := exec.Command(os.Args[0], "crash")
	cmd.Env = append(os.Environ(), "GOTRACEBACK=all")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err := cmd.Run()
	fmt.Println("crash:", err)
}
