// Timers and tickers: Sleep, After, NewTimer with Stop and Reset,
// AfterFunc, Ticker counted over a fixed window, context.WithTimeout.
package main

import (
	"context"
	"fmt"
	"time"
)

func main() {
	start := time.Now()
	time.Sleep(30 * time.Millisecond)
	fmt.Println("slept at least 30ms:", time.Since(start) >= 30*time.Millisecond)

	<-time.After(10 * time.Millisecond)
	fmt.Println("after fired")

	t := time.NewTimer(time.Hour)
	fmt.Println("stop pending timer:", t.Stop())
	t.Reset(5 * time.Millisecond)
	<-t.C
	fmt.Println("reset timer fired; stop fired timer:", t.Stop())

	done := make(chan bool)
	time.AfterFunc(5*time.Millisecond, func() { done <- true })
	fmt.Println("afterfunc:", <-done)

	// A ticker never fires early: five ticks take at least five periods.
	// (Only a lower bound: how late ticks come depends on the machine's
	// load, and a slow reader makes the ticker drop ticks.)
	tstart := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	for i := 0; i < 5; i++ {
		<-tick.C
	}
	tick.Stop()
	fmt.Println("five ticks took at least 50ms:", time.Since(tstart) >= 50*time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Millisecond)
	defer cancel()
	<-ctx.Done()
	fmt.Println("context:", ctx.Err())

	d := 2*time.Second + 500*time.Millisecond
	fmt.Println(d, time.Duration(1500)*time.Microsecond)
	loc := time.FixedZone("X", 3600)
	fmt.Println(time.Date(2024, 2, 29, 13, 4, 5, 0, loc).Format(time.RFC3339))
}
