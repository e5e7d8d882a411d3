// Scheduler and allocator benchmarks (not tests): scripts/bench builds this
// program with upstream's runtime and with gort and compares the ns/op each
// prints.
//
// Usage: sched NAME  (spawn, pingpong, buffered, mutex, sleep, trees, churn)
package main

import (
	"fmt"
	"os"
	"sync"
	"time"
)

func spawn(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
	}
	wg.Wait()
}

func pingpong(n int) {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
		close(pong)
	}()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	close(ping)
}

func buffered(n int) {
	c := make(chan int, 128)
	done := make(chan int)
	for p := 0; p < 4; p++ {
		go func() {
			s := 0
			for v := range c {
				s += v
			}
			done <- s
		}()
	}
	for i := 0; i < n; i++ {
		c <- i
	}
	close(c)
	for p := 0; p < 4; p++ {
		<-done
	}
}

func mutex(n int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	per := n / 8
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

func sleep(n int) {
	for i := 0; i < n; i++ {
		time.Sleep(time.Millisecond)
	}
}

type tree struct{ l, r *tree }

func mktree(d int) *tree {
	if d == 0 {
		return &tree{}
	}
	return &tree{mktree(d - 1), mktree(d - 1)}
}

func (t *tree) count() int {
	if t.l == nil {
		return 1
	}
	return 1 + t.l.count() + t.r.count()
}

// trees: binary trees (the classic collector workload): a long-lived tree
// while many short-lived ones are built and walked; ns per tree node.
func trees(n int) {
	long := mktree(16)
	nodes := 0
	for nodes < n {
		nodes += mktree(10).count()
	}
	if long.count() != 1<<17-1 {
		panic("tree")
	}
}

var sink []byte

// churn: short-lived allocations of mixed sizes (8 B to 8 KB).
func churn(n int) {
	for i := 0; i < n; i++ {
		sink = make([]byte, 8<<(i%11))
	}
}

func main() {
	benches := map[string]struct {
		f func(int)
		n int
	}{
		"spawn":    {spawn, 200000},
		"pingpong": {pingpong, 200000},
		"buffered": {buffered, 2000000},
		"mutex":    {mutex, 2000000},
		"sleep":    {sleep, 200},
		"trees":    {trees, 20000000},
		"churn":    {churn, 5000000},
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: sched spawn|pingpong|buffered|mutex|sleep|trees|churn")
		os.Exit(2)
	}
	b, ok := benches[os.Args[1]]
	if !ok {
		fmt.Fprintln(os.Stderr, "unknown benchmark", os.Args[1])
		os.Exit(2)
	}
	b.f(b.n / 10) // warm up
	start := time.Now()
	b.f(b.n)
	fmt.Printf("%.1f\n", float64(time.Since(start).Nanoseconds())/float64(b.n))
}
