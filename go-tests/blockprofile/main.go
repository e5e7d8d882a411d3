// The block and mutex profiles: with SetBlockProfileRate(1) every wait is
// recorded, at the stack upstream records (the innermost frame is the
// runtime or sync function the program called: runtime.chanrecv1,
// runtime.selectgo, sync.(*Mutex).Lock, sync.(*WaitGroup).Wait,
// sync.(*Cond).Wait...), and with SetMutexProfileFraction(1) every
// contended sync.Mutex/RWMutex unlock is charged to the unlocker's stack.
// Which sites appear, with which innermost frame, and how many events each
// has (where the program makes the count exact) must equal upstream's;
// pprof's block and mutex profiles must parse (debug=1 text, debug=0
// gzipped protocol buffer).
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"
)

//go:noinline
func recvWait(ch chan int) int { return <-ch }

//go:noinline
func sendWait(ch chan int) { ch <- 1 }

//go:noinline
func selectWait(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}

//go:noinline
func lockWait(mu *sync.Mutex) { mu.Lock(); mu.Unlock() }

//go:noinline
func holdAndUnlock(mu *sync.Mutex) { mu.Unlock() }

//go:noinline
func rlockWait(rw *sync.RWMutex) { rw.RLock(); rw.RUnlock() }

//go:noinline
func wgWait(wg *sync.WaitGroup) { wg.Wait() }

//go:noinline
func condWait(c *sync.Cond, done *bool) {
	c.L.Lock()
	for !*done {
		c.Wait()
	}
	c.L.Unlock()
}

// waitFor returns once n goroutines wait with the given status.
func waitFor(status string, n int) {
	buf := make([]byte, 1<<16)
	for {
		st := buf[:runtime.Stack(buf, true)]
		if bytes.Count(st, []byte("["+status)) >= n {
			time.Sleep(20 * time.Millisecond)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The functions whose waits (and unlocks) the program arranges.
var measured = map[string]bool{
	"main.recvWait": true, "main.sendWait": true, "main.selectWait": true, "main.lockWait": true,
	"main.holdAndUnlock": true, "main.rlockWait": true, "main.wgWait": true, "main.condWait": true,
}

// sites lists a profile's records as "innermost frame <- first main frame
// (count)", the count only where asked.
func sites(p []runtime.BlockProfileRecord, exact map[string]bool) []string {
	var out []string
	for _, r := range p {
		frames := runtime.CallersFrames(r.Stack())
		first, own := "", ""
		for {
			f, more := frames.Next()
			if first == "" {
				first = f.Function
			}
			if own == "" && strings.HasPrefix(f.Function, "main.") {
				own = f.Function
			}
			if !more {
				break
			}
		}
		if !measured[own] {
			// Other waits (the program's own handshakes) depend on
			// timing.
			continue
		}
		s := first + " <- " + own
		if exact[own] {
			s += fmt.Sprintf(" (%d)", r.Count)
		}
		if r.Cycles <= 0 {
			s += " no-cycles"
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func blockProfile() []runtime.BlockProfileRecord {
	n, _ := runtime.BlockProfile(nil)
	p := make([]runtime.BlockProfileRecord, n+20)
	n, ok := runtime.BlockProfile(p)
	if !ok {
		panic("BlockProfile")
	}
	return p[:n]
}

func mutexProfile() []runtime.BlockProfileRecord {
	n, _ := runtime.MutexProfile(nil)
	p := make([]runtime.BlockProfileRecord, n+20)
	n, ok := runtime.MutexProfile(p)
	if !ok {
		panic("MutexProfile")
	}
	return p[:n]
}

func pprofForms(name string, want string) {
	var buf bytes.Buffer
	if err := pprof.Lookup(name).WriteTo(&buf, 1); err != nil {
		fmt.Println(name, "error:", err)
		return
	}
	s := buf.String()
	// (The cycles/second value differs: upstream counts the CPU's
	// time-stamp counter, gort nanoseconds.)
	fmt.Printf("%s debug=1: header %v, has %s: %v\n", name,
		strings.HasPrefix(s, "--- contention:\ncycles/second=") || strings.HasPrefix(s, "--- mutex:\ncycles/second="),
		want, strings.Contains(s, want))
	buf.Reset()
	if err := pprof.Lookup(name).WriteTo(&buf, 0); err != nil {
		fmt.Println(name, "error:", err)
		return
	}
	zr, err := gzip.NewReader(&buf)
	var raw []byte
	if err == nil {
		raw, err = io.ReadAll(zr)
	}
	fmt.Printf("%s debug=0 gzipped: %v, has %s: %v\n", name, err == nil, want, bytes.Contains(raw, []byte(want)))
}

func main() {
	// Nothing is recorded while the rates are 0.
	ch := make(chan int)
	go func() { time.Sleep(10 * time.Millisecond); ch <- 1 }()
	<-ch
	fmt.Println("block records before:", len(blockProfile()), "mutex records before:", len(mutexProfile()))

	runtime.SetBlockProfileRate(1)
	fmt.Println("SetMutexProfileFraction old:", runtime.SetMutexProfileFraction(1), "now:", runtime.SetMutexProfileFraction(-1))

	// Channels: 3 receivers and 2 senders block, then are released.
	for i := 0; i < 3; i++ {
		go recvWait(ch)
	}
	waitFor("chan receive", 3)
	for i := 0; i < 3; i++ {
		ch <- i
	}
	for i := 0; i < 2; i++ {
		go sendWait(ch)
	}
	waitFor("chan send", 2)
	<-ch
	<-ch

	// Select.
	a, b := make(chan int), make(chan int)
	go selectWait(a, b)
	waitFor("select", 1)
	b <- 1

	// sync.Mutex: 2 waiters; the unlocks are charged to holdAndUnlock and
	// to lockWait (the first waiter's unlock wakes the second).
	var mu sync.Mutex
	mu.Lock()
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); lockWait(&mu) }()
	}
	waitFor("sync.Mutex.Lock", 2)
	holdAndUnlock(&mu)
	wg.Wait()

	// sync.RWMutex readers behind a writer.
	var rw sync.RWMutex
	rw.Lock()
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); rlockWait(&rw) }()
	}
	waitFor("sync.RWMutex.RLock", 2)
	rw.Unlock()
	wg.Wait()

	// sync.WaitGroup.
	var wg2 sync.WaitGroup
	wg2.Add(1)
	done := make(chan bool)
	go func() { wgWait(&wg2); done <- true }()
	waitFor("semacquire", 1)
	wg2.Done()
	<-done

	// sync.Cond.
	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	flag := false
	go func() { condWait(cond, &flag); done <- true }()
	waitFor("sync.Cond.Wait", 1)
	cmu.Lock()
	flag = true
	cmu.Unlock()
	// Broadcast after unlocking: a waiter woken while the lock is still
	// held would block again on it (a mutex wait whose presence depends
	// on when the woken goroutine runs, on either runtime).
	cond.Broadcast()
	<-done

	exact := map[string]bool{"main.recvWait": true, "main.sendWait": true, "main.selectWait": true, "main.wgWait": true, "main.condWait": true}
	for _, s := range sites(blockProfile(), exact) {
		fmt.Println("block:", s)
	}
	for _, s := range sites(mutexProfile(), nil) {
		fmt.Println("mutex:", s)
	}
	pprofForms("block", "main.recvWait")
	pprofForms("mutex", "main.holdAndUnlock")

	runtime.SetBlockProfileRate(0)
	runtime.SetMutexProfileFraction(0)
	n := len(blockProfile())
	go func() { time.Sleep(10 * time.Millisecond); ch <- 1 }()
	<-ch
	fmt.Println("no new block records once off:", len(blockProfile()) == n)
}
