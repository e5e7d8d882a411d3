// Races through reflect's and internal/reflectlite's calls into the
// runtime the race detector must report (built with -race: see flags).
// Upstream's reflect entry points (reflect.mapassign0, reflect.growslice,
// ...) call the runtime's own map and slice functions, whose accesses are
// reported: each report shows the runtime function above the reflect
// entry and reflect's own frames. internal/reflectlite's typedmemmove
// (errors.As, sort.Slice's swaps) is reported as reflect.typedmemmove
// called from it. Each pair of goroutines is ordered by a sleep (no
// synchronisation), so the reports read the same in every run. Exit
// status 66.
package main

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"

	"gort.test/internal/racetest"
)

type point struct{ x, y int }

type codeErr struct{ code, line int }

func (e codeErr) Error() string { return fmt.Sprint("code ", e.code) }

var sink any

func main() {
	var wg sync.WaitGroup

	// reflect's map assignment (reflect.mapassign0 -> runtime.mapassign).
	m1 := map[int]int{}
	racetest.Pair(&wg, func() { m1[1] = 1 }, func() {
		reflect.ValueOf(m1).SetMapIndex(reflect.ValueOf(2), reflect.ValueOf(2))
	})

	// string keys (reflect.mapassign_faststr0, reflect.mapaccess_faststr).
	m2 := map[string]int{}
	racetest.Pair(&wg, func() { m2["a"] = 1 }, func() {
		reflect.ValueOf(m2).SetMapIndex(reflect.ValueOf("b"), reflect.ValueOf(2))
	})
	m3 := map[string]int{}
	racetest.Pair(&wg, func() { m3["a"] = 1 }, func() {
		sink = reflect.ValueOf(m3).MapIndex(reflect.ValueOf("a")).Interface()
	})

	// a lookup (reflect.mapaccess -> runtime.mapaccess2).
	m4 := map[point]int{}
	racetest.Pair(&wg, func() { m4[point{}] = 1 }, func() {
		sink = reflect.ValueOf(m4).MapIndex(reflect.ValueOf(point{})).Interface()
	})

	// deletions (reflect.mapdelete, reflect.mapdelete_faststr).
	m5 := map[int]int{1: 1}
	racetest.Pair(&wg, func() { m5[2] = 2 }, func() {
		reflect.ValueOf(m5).SetMapIndex(reflect.ValueOf(1), reflect.Value{})
	})
	m6 := map[string]int{"a": 1}
	racetest.Pair(&wg, func() { m6["b"] = 2 }, func() {
		reflect.ValueOf(m6).SetMapIndex(reflect.ValueOf("a"), reflect.Value{})
	})

	// iteration (reflect.mapiterinit, reflect.mapiternext).
	m7 := map[int]int{1: 1}
	racetest.Pair(&wg, func() { m7[2] = 2 }, func() {
		it := reflect.ValueOf(m7).MapRange()
		for it.Next() {
		}
	})

	// clear (reflect.mapclear).
	m8 := map[int]int{1: 1}
	racetest.Pair(&wg, func() { _ = m8[1] }, func() { reflect.ValueOf(m8).Clear() })

	// reflect's len of a map (reflect.maplen: its own read, at upstream's
	// position).
	m12 := map[int]int{}
	n12 := 0
	racetest.Pair(&wg, func() { m12[1] = 1 }, func() { n12 = reflect.ValueOf(m12).Len() })

	// reflect.Append growing (reflect.growslice -> runtime.growslice).
	s9 := make([]int, 2)
	racetest.Pair(&wg, func() { s9[1] = 1 }, func() {
		sink = reflect.Append(reflect.ValueOf(s9), reflect.ValueOf(3)).Interface()
	})

	// reflect.Copy (reflect.typedslicecopy -> runtime.slicecopy, with and
	// without pointers).
	s10 := make([]int, 2)
	d10 := make([]int, 2)
	racetest.Pair(&wg, func() { s10[0] = 1 }, func() { reflect.Copy(reflect.ValueOf(d10), reflect.ValueOf(s10)) })
	x := 1
	s11 := make([]*int, 2)
	d11 := make([]*int, 2)
	racetest.Pair(&wg, func() { s11[0] = &x }, func() { reflect.Copy(reflect.ValueOf(d11), reflect.ValueOf(s11)) })

	// errors.As stores into the target (internal/reflectlite.typedmemmove).
	var target codeErr
	var err error = fmt.Errorf("wrapped: %w", codeErr{7, 1})
	racetest.Pair(&wg, func() { sink = target.line }, func() { errors.As(err, &target) })

	// sort.Slice's swaps of structs (reflectlite.Swapper's typedmemmove).
	ps := []point{{1, 1}, {0, 0}}
	racetest.Pair(&wg, func() { ps[1].y = 9 }, func() {
		sort.Slice(ps, func(i, j int) bool { return j < i })
	})

	fmt.Println(len(m1), len(m2), len(m7), len(m8), n12, len(d10), target.code, ps[0].x)
}
