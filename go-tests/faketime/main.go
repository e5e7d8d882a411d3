// The playground's simulated clock (-tags=faketime): the clock starts at
// 2009-11-10 23:00:00 UTC, jumps ahead when every goroutine sleeps, and
// writes to stdout and stderr come out in timestamped frames (the bytes
// are compared with upstream's, headers included).
package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	start := time.Now()
	println("runtime print at start")
	fmt.Println("now:", start.UTC().Format(time.RFC3339Nano))
	fmt.Fprintln(os.Stderr, "to stderr")

	// Timers in several goroutines: each wakes at its simulated time.
	done := make(chan string)
	for _, d := range []time.Duration{3 * time.Second, time.Second, 2 * time.Hour} {
		d := d
		go func() {
			time.Sleep(d)
			done <- fmt.Sprintf("slept %v, clock moved %v", d, time.Since(start))
		}()
	}
	for i := 0; i < 3; i++ {
		fmt.Println(<-done)
	}
	t := time.NewTimer(500 * time.Millisecond)
	<-t.C
	fmt.Println("timer at", time.Now().UTC().Format(time.RFC3339Nano))
	select {
	case <-time.After(time.Minute):
		fmt.Println("after a minute:", time.Since(start))
	}
}
