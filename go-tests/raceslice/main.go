// Races on slices and strings the race detector must report (built with
// -race: see flags): copy, append's growth, string conversions and
// reflect's copies are the runtime's code, which tells the detector what
// it reads and writes, so each report shows the runtime function
// (slicecopy, growslice, slicebytetostring, ...) above the program's line.
// Each pair of goroutines is ordered by a sleep (no synchronisation), so
// the reports read the same in every run. Exit status 66.
package main

import (
	"fmt"
	"reflect"
	"sync"

	"gort.test/internal/racetest"
)

type point struct{ x, y int }

var sink []int
var str string

func main() {
	var wg sync.WaitGroup

	// a write, then copy() reads it (runtime.slicecopy).
	buf := make([]byte, 8)
	out := make([]byte, 8)
	racetest.Pair(&wg, func() { buf[3] = 1 }, func() { copy(out, buf) })

	// copy() writes what another goroutine read.
	src := make([]int, 4)
	dst := make([]int, 4)
	racetest.Pair(&wg, func() { _ = dst[2] }, func() { copy(dst, src) })

	// append that grows reads the old array (runtime.growslice).
	arr := make([]int, 4)
	racetest.Pair(&wg, func() { arr[1] = 5 }, func() { sink = append(arr, 9) })

	// string([]byte) reads the bytes (runtime.slicebytetostring).
	b := []byte("hello, world")
	racetest.Pair(&wg, func() { b[2] = 'x' }, func() { str = string(b) })

	// string([]rune) (runtime.slicerunetostring).
	r := []rune("runes")
	racetest.Pair(&wg, func() { r[0] = 'R' }, func() { str = string(r) })

	// copy() of pointers (runtime.typedslicecopy, reported as slicecopy).
	x := 1
	ps := make([]*int, 2)
	ps2 := make([]*int, 2)
	racetest.Pair(&wg, func() { ps[1] = &x }, func() { copy(ps2, ps) })

	// reflect's copy of a struct (reflect.typedmemmove).
	shared := &point{}
	racetest.Pair(&wg, func() { shared.y = 2 }, func() {
		var local point
		reflect.ValueOf(&local).Elem().Set(reflect.ValueOf(shared).Elem())
	})

	fmt.Println(len(out), len(dst), len(sink), len(str), len(ps2))
}
