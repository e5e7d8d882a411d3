// Package racetest holds what the race detector's go-tests share
// (racemap, raceslice, racechan, raceselect, racereflect: built with
// -race, each main package's flags file says).
package racetest

import (
	"sync"
	"time"
)

// Pair runs first, then second, each on a goroutine of its own, and
// returns when both are done. Nothing the race detector sees orders them:
// the second starts 50 ms after the first (a sleep, no synchronisation),
// so a race between them is reported with the same sides in every run and
// the two never overlap.
func Pair(wg *sync.WaitGroup, first, second func()) {
	wg.Add(2)
	go func() {
		first()
		wg.Done()
	}()
	time.Sleep(50 * time.Millisecond)
	go func() {
		second()
		wg.Done()
	}()
	wg.Wait()
}
