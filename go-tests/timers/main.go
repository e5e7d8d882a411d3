// Timers and tickers: Sleep, After, NewTimer with Stop and Reset,
// AfterFunc, Ticker counted over a fixed window, context.WithTimeout.
package main

import (
	"context"
	"fmt"
	"sync"
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

	// A heap out of order makes the same timers late on every attempt; a
	// loaded machine (CI's two cores under -race) makes one attempt late
	// now and then: the answer is whether every attempt was late.
	early, extra, stopped, allLate := 0, 0, false, true
	for attempt := 0; attempt < 3 && allLate; attempt++ {
		e, x, s, late := heapChurn()
		early, extra, stopped = early+e, extra+x, stopped || s
		allLate = late > 40*time.Millisecond
	}
	fmt.Println("heap churn: early", early, "extra", extra, "some stopped:", stopped)
	// Out of order (a heap whose top is not its earliest timer): late by
	// up to the 60 ms spread (65-69 ms with a sift that follows the later
	// child); in order, 1-3 ms with CI's load beside.
	fmt.Println("heap churn: runs 40ms late in every attempt:", allLate)
}

// Thousands of pending timers reset, stopped and restarted in a
// pseudo-random order (the timer heap's removals and sifts): every arming
// fires exactly once unless stopped, never before its deadline. A timer's
// armings not yet fired are kept in order (the last is the one in the
// heap; earlier ones fired and their functions may not have run yet): a
// run of its function is early if none of them is due; how late the
// latest run was shows a heap that keeps its timers out of order.
func heapChurn() (early, extra int, stopped bool, maxLate time.Duration) {
	const n = 3000
	seed := uint32(7)
	next := func(k int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % k
	}
	var mu sync.Mutex
	pend := make([][]time.Time, n)
	fired, expected, stops := 0, 0, 0
	var wg sync.WaitGroup
	timers := make([]*time.Timer, n)
	for i := 0; i < n; i++ {
		i := i
		d := time.Duration(5+next(60)) * time.Millisecond
		mu.Lock()
		pend[i] = append(pend[i], time.Now().Add(d))
		expected++
		wg.Add(1)
		timers[i] = time.AfterFunc(d, func() {
			mu.Lock()
			now := time.Now()
			due := -1
			for k, dl := range pend[i] {
				if !now.Before(dl) {
					due = k
					if late := now.Sub(dl); late > maxLate {
						maxLate = late
					}
					break
				}
			}
			if due < 0 {
				early++
				due = 0
			}
			if len(pend[i]) > 0 {
				pend[i] = append(pend[i][:due], pend[i][due+1:]...)
			}
			fired++
			mu.Unlock()
			wg.Done()
		})
		mu.Unlock()
	}
	for round := 0; round < 2*n; round++ {
		i := next(n)
		if next(3) == 0 {
			mu.Lock()
			if timers[i].Stop() {
				pend[i] = pend[i][:len(pend[i])-1]
				stops++
				expected--
				wg.Done()
			}
			mu.Unlock()
			continue
		}
		d := time.Duration(5+next(60)) * time.Millisecond
		mu.Lock()
		dl := time.Now().Add(d)
		if timers[i].Reset(d) {
			pend[i][len(pend[i])-1] = dl
		} else {
			// It had fired or been stopped: this arms it again.
			pend[i] = append(pend[i], dl)
			expected++
			wg.Add(1)
		}
		mu.Unlock()
	}
	wg.Wait()
	time.Sleep(80 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	return early, fired - expected, stops > 0, maxLate
}
