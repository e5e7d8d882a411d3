// Scheduler and allocator benchmarks (not tests): scripts/bench builds this
// program with upstream's runtime and with gort and compares the ns/op each
// prints (../internal/benchrun runs them). One op is one unit of n of the
// benchmark function.
//
// Usage: sched NAME  (spawn, pingpong, buffered, mutex, sleep, trees, churn)
package main

import (
	"sync"
	"time"

	"gort.test/_bench/internal/benchrun"
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
	benchrun.Main("sched", []benchrun.Bench{
		{Name: "spawn", F: benchrun.Exact(spawn), N: 200000},
		{Name: "pingpong", F: benchrun.Exact(pingpong), N: 200000},
		{Name: "buffered", F: benchrun.Exact(buffered), N: 2000000},
		{Name: "mutex", F: benchrun.Exact(mutex), N: 2000000},
		{Name: "sleep", F: benchrun.Exact(sleep), N: 200},
		{Name: "trees", F: benchrun.Exact(trees), N: 20000000},
		{Name: "churn", F: benchrun.Exact(churn), N: 5000000},
	})
}
