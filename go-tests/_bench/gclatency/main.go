// GC latency benchmark: a program with a large live, pointer-rich heap
// that keeps allocating, and a goroutine that wakes every millisecond and
// records how late it woke. With a stop-the-world collector the worst
// delay grows with the live heap; with a concurrent one it should not.
//
// Usage: gclatency LIVE_MB SECONDS
// Prints: live MB, collections, worst and 99th-percentile wake-up delay
// (microseconds), the longest stop-the-world pause (MemStats.PauseNs),
// the total of all pauses, the collector's share of processor time
// (MemStats.GCCPUFraction) and the peak heap (HeapSys).
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync/atomic"
	"time"
)

type node struct {
	next  *node
	other *node
	pad   [4]int64
}

var live []*node

func build(mb int) {
	// 48-byte nodes in chains of 1000.
	n := mb << 20 / 48
	chains := n / 1000
	live = make([]*node, chains)
	for c := range live {
		var head *node
		for i := 0; i < 1000; i++ {
			head = &node{next: head}
			if i%3 == 0 && c > 0 {
				head.other = live[c-1]
			}
		}
		live[c] = head
	}
}

var sink atomic.Pointer[[]byte]

func churn(stop *atomic.Bool) {
	for !stop.Load() {
		for i := 0; i < 1000; i++ {
			b := make([]byte, 64+i%512)
			sink.Store(&b)
		}
		// Replace a chain now and then: the live heap stays the same
		// size but is rewritten.
		c := int(time.Now().UnixNano()) % len(live)
		var head *node
		for i := 0; i < 100; i++ {
			head = &node{next: head}
		}
		live[c] = head
		runtime.Gosched()
	}
}

func main() {
	mb, _ := strconv.Atoi(os.Args[1])
	secs, _ := strconv.Atoi(os.Args[2])
	build(mb)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var stop atomic.Bool
	go churn(&stop)
	var delays []time.Duration
	end := time.Now().Add(time.Duration(secs) * time.Second)
	next := time.Now()
	for time.Now().Before(end) {
		next = next.Add(time.Millisecond)
		time.Sleep(time.Until(next))
		late := time.Since(next)
		if late < 0 {
			late = 0
		}
		delays = append(delays, late)
		if late > time.Millisecond {
			next = time.Now()
		}
	}
	stop.Store(true)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	worst := delays[len(delays)-1]
	p99 := delays[len(delays)*99/100]
	var maxPause uint64
	for i := before.NumGC; i < after.NumGC; i++ {
		if p := after.PauseNs[(i+255)%256]; p > maxPause {
			maxPause = p
		}
	}
	fmt.Printf("live=%dMB gcs=%d worst=%dus p99=%dus maxpause=%dus totalpause=%dus gccpu=%.0f%% heapsys=%dMB\n",
		mb, after.NumGC-before.NumGC, worst.Microseconds(), p99.Microseconds(),
		maxPause/1000, (after.PauseTotalNs-before.PauseTotalNs)/1000, after.GCCPUFraction*100, after.HeapSys>>20)
	runtime.KeepAlive(live)
}
