// Pooled buffers under collection and preemption: 16 goroutines take
// bytes.Buffers from a sync.Pool, format into them with fmt (which pools
// its printers too), check the text, and put them back, while each calls
// runtime.GC now and then. A buffer used by two goroutines at once, or an
// object freed while still reachable, shows up as a wrong line or a fault.
//
// This caught a collector bug: a frame interrupted by asynchronous
// preemption was scanned conservatively, but not its argument spill
// area, so pointers only spilled there were missed and their objects
// reused while live (19 bad runs in 40 at GOMAXPROCS=2).
package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
)

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func worker(id, rounds int, bad *int, mu *sync.Mutex) int {
	n := 0
	for i := 0; i < rounds; i++ {
		b := buffers.Get().(*bytes.Buffer)
		b.Reset()
		fmt.Fprintf(b, "%d:%d:%s", id, i, fmt.Sprint(id*i))
		want := strconv.Itoa(id) + ":" + strconv.Itoa(i) + ":" + strconv.Itoa(id*i)
		if got := b.String(); got != want {
			mu.Lock()
			*bad++
			if *bad <= 3 {
				fmt.Printf("worker %d round %d: %q, want %q\n", id, i, got, want)
			}
			mu.Unlock()
		}
		n += b.Len()
		buffers.Put(b)
		if i%2000 == 1999 {
			runtime.GC()
		}
	}
	return n
}

func main() {
	const workers, rounds = 16, 20000
	var wg sync.WaitGroup
	var mu sync.Mutex
	bad, total := 0, 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			n := worker(id, rounds, &bad, &mu)
			mu.Lock()
			total += n
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	fmt.Println("bytes formatted:", total, "mismatches:", bad)
	if bad > 0 {
		os.Exit(1)
	}
}
