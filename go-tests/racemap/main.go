// Races on maps the race detector must report (built with -race: see
// flags): the map operations are the runtime's code, which tells the
// detector about the map header it reads or writes, so each report shows
// the runtime function (mapassign_fast64, mapaccess1_faststr, ...) above
// the program's line. Each pair of goroutines is ordered by a sleep (no
// synchronisation), so the reports' "Write"/"Previous" sides are the same
// in every run and the operations never overlap (no "concurrent map
// writes" throw). Exit status 66 with the number of races found.
package main

import (
	"fmt"
	"sync"

	"gort.test/internal/racetest"
)

type key struct{ a, b int }

func main() {
	var wg sync.WaitGroup

	// write/write, fast 64-bit keys.
	m64 := map[int]int{}
	racetest.Pair(&wg, func() { m64[1] = 1 }, func() { m64[2] = 2 })

	// write then read, string keys.
	ms := map[string]int{}
	racetest.Pair(&wg, func() { ms["a"] = 1 }, func() { _ = ms["b"] })

	// read (comma-ok) then delete, 32-bit keys.
	m32 := map[int32]int{7: 7}
	racetest.Pair(&wg, func() { _, _ = m32[7] }, func() { delete(m32, 7) })

	// generic keys: assign, then iterate.
	mk := map[key]string{}
	racetest.Pair(&wg, func() { mk[key{1, 2}] = "x" }, func() {
		for range mk {
		}
	})

	// clear then len (len reads the header in the program's own code).
	mc := map[int]int{1: 1}
	racetest.Pair(&wg, func() { clear(mc) }, func() { _ = len(mc) })

	// elements over 1 KB: m[k] is mapaccess1_fat (reported by upstream as
	// runtime.mapaccess1 called from it).
	mf := map[int][2000]byte{}
	racetest.Pair(&wg, func() { mf[1] = [2000]byte{} }, func() { _ = mf[1][7] })

	fmt.Println(len(m64), len(ms), len(m32), len(mk), len(mc), len(mf))
}
