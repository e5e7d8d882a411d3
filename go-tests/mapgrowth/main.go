// Writes while a map grows: inserts, deletes and re-inserts interleaved
// with the incremental evacuation of a growing map (a doubling, and the
// same-size growth that many deletions leave behind), with iterators
// started before and during the growth, for int, int32, string and
// composite keys. Every map is checked against a model (a slice indexed
// by key number) after every phase; the program prints what it checked
// and fails loudly on a difference.
package main

import (
	"fmt"
	"os"
	"strconv"
)

type pair struct{ a, b int64 }

// rng is a xorshift generator: the same keys on every run.
type rng uint64

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	*r = rng(x)
	return x
}

// ops are the map operations a test runs, over key numbers 0..n-1.
type ops struct {
	name   string
	set    func(i, v int)
	del    func(i int)
	get    func(i int) (int, bool)
	length func() int
	each   func(f func(i, v int) bool)
}

func failf(format string, args ...any) {
	fmt.Printf("FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// check compares the map with the model (-1: absent).
func check(o ops, model []int, phase string) {
	n := 0
	for i, v := range model {
		got, ok := o.get(i)
		if ok != (v >= 0) || (ok && got != v) {
			failf("%s %s: key %d: got %d,%v want %d", o.name, phase, i, got, ok, v)
		}
		if v >= 0 {
			n++
		}
	}
	if o.length() != n {
		failf("%s %s: len %d want %d", o.name, phase, o.length(), n)
	}
	seen := 0
	o.each(func(i, v int) bool {
		if model[i] != v {
			failf("%s %s: iteration gave key %d = %d, want %d", o.name, phase, i, v, model[i])
		}
		seen++
		return true
	})
	if seen != n {
		failf("%s %s: iteration saw %d entries, want %d", o.name, phase, seen, n)
	}
}

func run(o ops, n int, seed uint64) {
	model := make([]int, n)
	for i := range model {
		model[i] = -1
	}
	r := rng(seed)
	// Phase 1: grow from empty with deletes and re-inserts mixed in, so
	// that writes land on buckets both evacuated and not.
	for i := 0; i < n; i++ {
		o.set(i, i)
		model[i] = i
		if x := r.next(); x%3 == 0 {
			j := int(x>>8) % (i + 1)
			o.del(j)
			model[j] = -1
		} else if x%3 == 1 {
			j := int(x>>8) % (i + 1)
			o.set(j, j+1)
			model[j] = j + 1
		}
	}
	check(o, model, "grown")
	// Phase 2: writes during an iteration (which may start mid-growth):
	// keys present throughout must be reported exactly once.
	stable := make([]bool, n)
	for i := range stable {
		stable[i] = model[i] >= 0 && i%4 != 0
	}
	seen := make([]int, n)
	steps := 0
	o.each(func(i, v int) bool {
		seen[i]++
		steps++
		if steps < n/2 {
			// Delete and add keys other than the stable ones.
			j := int(r.next()>>8) % n
			if j%4 == 0 {
				if model[j] >= 0 {
					o.del(j)
					model[j] = -1
				} else {
					o.set(j, 7*j)
					model[j] = 7 * j
				}
			}
		}
		return true
	})
	for i := range seen {
		// A key deleted and added again during the iteration is a new
		// entry, which the iteration may report again.
		if stable[i] && seen[i] != 1 {
			failf("%s iterate: stable key %d seen %d times", o.name, i, seen[i])
		}
	}
	check(o, model, "iterated")
	// Phase 3: delete most keys and re-insert them in another order: the
	// many emptied overflow buckets trigger same-size growth.
	for i := 0; i < n; i++ {
		if i%8 != 0 && model[i] >= 0 {
			o.del(i)
			model[i] = -1
		}
	}
	check(o, model, "thinned")
	for k := 0; k < 3; k++ {
		for i := n - 1; i >= 0; i-- {
			if i%8 != 0 {
				o.set(i, i^k)
				model[i] = i ^ k
			}
		}
		for i := 0; i < n; i++ {
			if i%8 != 0 && i%3 != k {
				o.del(i)
				model[i] = -1
			}
		}
	}
	check(o, model, "churned")
	fmt.Printf("%s: %d keys, %d left\n", o.name, n, o.length())
}

func intOps(n int) ops {
	m := map[int]int{}
	key := func(i int) int { return i*0x9e3779b9 + 1 }
	back := map[int]int{}
	for i := 0; i < n; i++ {
		back[key(i)] = i
	}
	return ops{"int",
		func(i, v int) { m[key(i)] = v },
		func(i int) { delete(m, key(i)) },
		func(i int) (int, bool) { v, ok := m[key(i)]; return v, ok },
		func() int { return len(m) },
		func(f func(i, v int) bool) {
			for k, v := range m {
				if !f(back[k], v) {
					return
				}
			}
		}}
}

func int32Ops() ops {
	m := map[int32]int{}
	return ops{"int32",
		func(i, v int) { m[int32(i)] = v },
		func(i int) { delete(m, int32(i)) },
		func(i int) (int, bool) { v, ok := m[int32(i)]; return v, ok },
		func() int { return len(m) },
		func(f func(i, v int) bool) {
			for k, v := range m {
				if !f(int(k), v) {
					return
				}
			}
		}}
}

func stringOps(n int) ops {
	m := map[string]int{}
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
	}
	return ops{"string",
		func(i, v int) { m[keys[i]] = v },
		func(i int) { delete(m, keys[i]) },
		func(i int) (int, bool) { v, ok := m[keys[i]]; return v, ok },
		func() int { return len(m) },
		func(f func(i, v int) bool) {
			for k, v := range m {
				i, _ := strconv.Atoi(k[4:])
				if !f(i, v) {
					return
				}
			}
		}}
}

func pairOps() ops {
	m := map[pair]int{}
	return ops{"pair",
		func(i, v int) { m[pair{int64(i), -int64(i)}] = v },
		func(i int) { delete(m, pair{int64(i), -int64(i)}) },
		func(i int) (int, bool) { v, ok := m[pair{int64(i), -int64(i)}]; return v, ok },
		func() int { return len(m) },
		func(f func(i, v int) bool) {
			for k, v := range m {
				if !f(int(k.a), v) {
					return
				}
			}
		}}
}

// ptrOps: elements with pointers, so that evacuation copies pointers.
func ptrOps() ops {
	m := map[int64]*int{}
	return ops{"pointer-elem",
		func(i, v int) { p := new(int); *p = v; m[int64(i)] = p },
		func(i int) { delete(m, int64(i)) },
		func(i int) (int, bool) {
			p, ok := m[int64(i)]
			if !ok {
				return 0, false
			}
			return *p, true
		},
		func() int { return len(m) },
		func(f func(i, v int) bool) {
			for k, p := range m {
				if !f(int(k), *p) {
					return
				}
			}
		}}
}

func main() {
	for _, n := range []int{100, 5000, 70000} {
		run(intOps(n), n, 1)
		run(int32Ops(), n, 2)
		run(stringOps(n), n, 3)
		run(pairOps(), n, 4)
		run(ptrOps(), n, 5)
	}
}
