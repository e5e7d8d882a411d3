// Run-queue order on one processor, which upstream makes deterministic:
// a new or readied goroutine runs next (runnext) and inherits the time
// slice, the rest wait in the local queue in order, Gosched goes to the
// global queue, and every 61st scheduling round looks at the global queue
// first. Each section prints the order in which goroutines ran.
//
// Even upstream's order changes when sysmon preempts a goroutine that
// seemed to run for 10ms (the OS descheduled its thread on a loaded
// machine), so the program runs itself as a child several times and
// prints the most common output: noise cannot change it, a systematic
// difference does. Children start with GOMAXPROCS=1 (the same processor
// from the first scheduling round on), and, for the tour's example alone,
// with two processors and runtime.GOMAXPROCS(1) as the example does.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
)

const runs = 7

func mostCommon(env ...string) string {
	seen := map[string]int{}
	best := ""
	for i := 0; i < runs; i++ {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			fmt.Println("child failed:", err, string(out))
			os.Exit(1)
		}
		seen[string(out)]++
		if seen[string(out)] > seen[best] {
			best = string(out)
		}
	}
	return best
}

var trace []string
var results []string

func note(s string) { trace = append(trace, s) }

// flush ends a section. The results are printed at the end: a write to
// stdout is a system call, during which sysmon may hand the processor to
// another thread, changing the order being measured.
func flush(name string) {
	results = append(results, fmt.Sprintf("%-10s %s\n", name, strings.Join(trace, " ")))
	trace = trace[:0]
}

func printResults() {
	for _, r := range results {
		fmt.Print(r)
	}
}

// The tour's example: two goroutines alternating through Gosched.
func say(s string, n int) {
	for i := 0; i < n; i++ {
		runtime.Gosched()
		note(s)
	}
}

func main() {
	switch os.Getenv("SCHEDORDER_CHILD") {
	case "":
		fmt.Print(mostCommon("SCHEDORDER_CHILD=tour", "GOMAXPROCS=2"))
		fmt.Print(mostCommon("SCHEDORDER_CHILD=all", "GOMAXPROCS=1"))
		return
	case "tour":
		runtime.GOMAXPROCS(1)
		go say("world", 3)
		say("hello", 3)
		flush("tour")
		printResults()
		return
	}
	runtime.GOMAXPROCS(1)

	go say("world", 3)
	say("hello", 3)
	flush("say")

	// Spawn order: the last goroutine made runs first, then the others.
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func(i int) { note(fmt.Sprint(i)); wg.Done() }(i)
	}
	wg.Wait()
	flush("spawn")

	// Channel wake-ups: the receiver readied by a send runs next.
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			note(fmt.Sprint("r", v))
			pong <- v
		}
		close(pong)
	}()
	for i := 0; i < 4; i++ {
		note(fmt.Sprint("s", i))
		ping <- i
		<-pong
	}
	close(ping)
	<-pong
	flush("pingpong")

	// Buffered channel: senders fill the buffer, then block in order.
	ch := make(chan int, 2)
	for i := 0; i < 4; i++ {
		go func(i int) { ch <- i; note(fmt.Sprint("sent", i)) }(i)
	}
	for i := 0; i < 4; i++ {
		note(fmt.Sprint("got", <-ch))
	}
	runtime.Gosched()
	flush("buffered")

	// Mutex hand-over between three goroutines.
	var mu sync.Mutex
	var wg2 sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg2.Add(1)
		go func(i int) {
			defer wg2.Done()
			for j := 0; j < 3; j++ {
				mu.Lock()
				note(fmt.Sprint(i, j))
				runtime.Gosched()
				mu.Unlock()
			}
		}(i)
	}
	wg2.Wait()
	flush("mutex")

	// Many rounds: crosses the global-queue check every 61st round.
	var wg3 sync.WaitGroup
	for _, name := range []string{"a", "b", "c"} {
		wg3.Add(1)
		go func(name string) {
			defer wg3.Done()
			for i := 0; i < 70; i++ {
				note(name)
				runtime.Gosched()
			}
		}(name)
	}
	wg3.Wait()
	flush("rounds")

	// A goroutine locked to its thread takes turns like the others.
	done := make(chan bool)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for i := 0; i < 3; i++ {
			note("locked")
			runtime.Gosched()
		}
		done <- true
	}()
	for i := 0; i < 3; i++ {
		note("main")
		runtime.Gosched()
	}
	<-done
	flush("locked")
	printResults()
}
