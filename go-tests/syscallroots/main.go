// Goroutines in system calls keep what their frames point to. Workers
// each hold the only reference to a freshly built object in their own
// frames and make short system calls (writes to /dev/null, reads of a
// pipe that has data) in a loop, while another goroutine collects
// continuously: collections keep finding workers inside a call or on
// their way out of one. Each worker checks its object after every call.
//
// This caught a collector bug: the position a goroutine in a system call
// is scanned from was recorded inside the toolchain's ABI wrapper around
// entersyscall, a frame that is dead (and reused by the call itself and by
// exitsyscall) by the time of the scan, so the frames above it were
// sometimes missed and their objects freed while in use.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type payload struct {
	id    int
	words [32]int
	next  *payload
}

func build(id int) *payload {
	p := &payload{id: id}
	for i := range p.words {
		p.words[i] = id*1000 + i
	}
	p.next = &payload{id: -id}
	return p
}

//go:noinline
func intact(id int, p *payload) bool {
	if p.id != id || p.next == nil || p.next.id != -id {
		return false
	}
	for i, w := range p.words {
		if w != id*1000+i {
			return false
		}
	}
	return true
}

//go:noinline
func calls(p *payload, null, rfd, wfd int, buf []byte) {
	// p is live across the system calls only through this frame and
	// the worker's.
	for k := 0; k < 50; k++ {
		syscall.Write(null, buf)
		syscall.Write(wfd, buf[:1])
		syscall.Read(rfd, buf[:1])
	}
	_ = p.id
}

func worker(id int, stop *atomic.Bool, bad *atomic.Int64, wg *sync.WaitGroup) {
	defer wg.Done()
	null, err := syscall.Open(os.DevNull, syscall.O_WRONLY, 0)
	if err != nil {
		panic(err)
	}
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		panic(err)
	}
	buf := make([]byte, 64)
	for round := 0; !stop.Load(); round++ {
		p := build(id*100000 + round)
		calls(p, null, fds[0], fds[1], buf)
		if !intact(id*100000+round, p) {
			bad.Add(1)
		}
	}
	syscall.Close(null)
	syscall.Close(fds[0])
	syscall.Close(fds[1])
}

var sink [][]byte

func main() {
	var stop atomic.Bool
	var bad atomic.Int64
	var wg sync.WaitGroup
	for i := 1; i <= 8; i++ {
		wg.Add(1)
		go worker(i, &stop, &bad, &wg)
	}
	// Upstream's runtime.GC waits for its concurrent phases, each a turn
	// in the run queue behind eight busy workers: bound the run by time
	// as well as by cycles, or it takes over a minute on two cores.
	deadline := time.Now().Add(3 * time.Second)
	for k := 0; k < 300 && time.Now().Before(deadline); k++ {
		runtime.GC()
		for j := 0; j < 50; j++ {
			sink = append(sink, make([]byte, 512))
		}
		sink = nil
	}
	stop.Store(true)
	wg.Wait()
	fmt.Println("objects corrupted while their goroutine was in a system call:", bad.Load())
}
