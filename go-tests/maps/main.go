// Maps: insert, lookup, delete (also while iterating), growth to a million
// keys, NaN keys, keys of struct, array, interface and float types, map
// clearing, and printing through fmt (which sorts keys).
package main

import (
	"fmt"
	"math"
	"sort"
	"unsafe"
)

type point struct{ x, y int }

type key struct {
	name string
	id   int
	_    int
	f    float64
}

func main() {
	m := map[string]int{}
	for i := 0; i < 100; i++ {
		m[fmt.Sprint("k", i)] = i
	}
	fmt.Println(len(m), m["k42"], m["missing"])
	v, ok := m["k7"]
	fmt.Println(v, ok)
	delete(m, "k7")
	_, ok = m["k7"]
	fmt.Println(ok, len(m))

	// Delete every other key while iterating.
	n := 0
	for k, v := range m {
		if v%2 == 0 {
			delete(m, k)
		}
		n++
	}
	fmt.Println("visited", n, "left", len(m))

	// Growth to a million keys, with checks.
	big := make(map[int]int)
	for i := 0; i < 1000000; i++ {
		big[i] = i * 2
	}
	sum := 0
	for k, v := range big {
		if v != k*2 {
			panic("bad value")
		}
		sum += k
	}
	fmt.Println(len(big), sum, big[999999])
	for i := 0; i < 1000000; i += 3 {
		delete(big, i)
	}
	fmt.Println(len(big))

	// NaN keys: each insertion is a new key; lookups never find them.
	f := map[float64]string{}
	f[math.NaN()] = "a"
	f[math.NaN()] = "b"
	f[0] = "zero"
	f[math.Copysign(0, -1)] = "negative zero overwrites zero"
	_, found := f[math.NaN()]
	fmt.Println(len(f), found, f[0])
	nans := 0
	for k := range f {
		if k != k {
			nans++
		}
	}
	fmt.Println("nan keys:", nans)

	// Struct, array and interface keys.
	ps := map[point]string{{1, 2}: "a", {3, 4}: "b"}
	ps[point{1, 2}] = "c"
	fmt.Println(ps[point{1, 2}], len(ps))
	ks := map[key]int{}
	ks[key{name: "x", id: 1, f: 0}] = 1
	ks[key{name: "x", id: 1, f: math.Copysign(0, -1)}] = 2
	fmt.Println(len(ks), ks[key{name: "x", id: 1}])
	arr := map[[3]int]bool{{1, 2, 3}: true}
	fmt.Println(arr[[3]int{1, 2, 3}], arr[[3]int{3, 2, 1}])
	ifs := map[any]int{1: 1, "1": 2, 1.0: 3, point{1, 1}: 4, [2]string{"a", "b"}: 5}
	fmt.Println(ifs[1], ifs["1"], ifs[1.0], ifs[point{1, 1}], ifs[[2]string{"a", "b"}], ifs[int64(1)])

	// Map of structs and maps of maps.
	mm := map[string]map[string]int{}
	for _, a := range []string{"x", "y"} {
		mm[a] = map[string]int{}
		for _, b := range []string{"p", "q", "r"} {
			mm[a][b] = len(a + b)
		}
	}
	fmt.Println(mm)

	// fmt sorts keys.
	fmt.Println(map[int]string{3: "c", 1: "a", 2: "b"})
	fmt.Println(map[string]bool{"zeta": true, "alpha": false})
	fmt.Printf("%v\n", map[point]int{{2, 1}: 1, {1, 2}: 2})

	// Deterministic key listing.
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Println(keys[:5])

	// clear.
	clear(m)
	fmt.Println(len(m), m)
	m["again"] = 1
	fmt.Println(m)

	// A small map the compiler keeps on the stack.
	local := map[int]int{1: 10}
	local[2] = 20
	fmt.Println(local[1]+local[2], len(local))

	smallMaps()
	structKeys()
	planKeys()
	flatPlanKeys()
	anyKeys()
}

// againstModel runs 20000 random lookups, assignments and deletions of
// keys from mk on a map and on an association list compared with ==, and
// returns the map, the list's keys and how many lookups disagreed. A key
// != itself (NaN) is never in the list: the map never finds it either.
func againstModel[K comparable](mk func() K, next func(int) int) (map[K]int, []K, int) {
	m := map[K]int{}
	var keys []K
	var vals []int
	bad := 0
	for op := 0; op < 20000; op++ {
		k := mk()
		at := -1
		for i, x := range keys {
			if x == k {
				at = i
				break
			}
		}
		if v, ok := m[k]; ok != (at >= 0) || (ok && v != vals[at]) {
			bad++
		}
		switch next(3) {
		case 0:
			m[k] = op
			if at >= 0 {
				vals[at] = op
			} else if k == k {
				keys = append(keys, k)
				vals = append(vals, op)
			}
		case 1:
			delete(m, k)
			if at >= 0 {
				keys = append(keys[:at], keys[at+1:]...)
				vals = append(vals[:at], vals[at+1:]...)
			}
		}
	}
	return m, keys, bad
}

// deep nests a value in structs holding interfaces.
type deep struct {
	v any
	n int8
}

func nest(d int, v any) any {
	for i := 0; i < d; i++ {
		v = deep{v, int8(i)}
	}
	return v
}

// anyKeys checks a map keyed by interfaces (ints, strings, floats, arrays
// and structs, nested up to 12 levels deep) against an association list,
// and the panics of keys whose dynamic type has no ==, at the top or
// deep inside, in empty and non-empty maps.
func anyKeys() {
	seed := uint32(11)
	next := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % n
	}
	mk := func() any {
		var v any
		switch next(6) {
		case 0:
			v = next(5)
		case 1:
			v = fmt.Sprint(next(5))
		case 2:
			v = float64(next(3)) - 1
		case 3:
			v = [2]any{next(2), fmt.Sprint(next(2))}
		case 4:
			v = mixedKey{a: int32(next(2)), f: fmt.Sprint(next(2)), h: next(2)}
		default:
			v = int8(next(3))
		}
		return nest(next(13), v)
	}
	m, keys, bad := againstModel(mk, next)
	fmt.Println("interface keys: mismatches", bad, "keys", len(m) == len(keys))
	try := func(what string, f func()) {
		defer func() { fmt.Println(what+":", recover()) }()
		f()
	}
	empty := map[any]int{}
	for _, d := range []int{0, 1, 12} {
		k := nest(d, []int{1})
		try(fmt.Sprint("lookup of an empty array of slices, depth ", d), func() { _ = m[nest(d, [0][]int{})] })
		try(fmt.Sprint("lookup, depth ", d), func() { _ = m[k] })
		try(fmt.Sprint("lookup in an empty map, depth ", d), func() { _, _ = empty[k] })
		try(fmt.Sprint("assignment, depth ", d), func() { m[k] = 1 })
		try(fmt.Sprint("delete, depth ", d), func() { delete(m, k) })
	}
	fmt.Println("keys after the panics:", len(m) == len(keys))
}

// mixedKey mixes fields compared as memory (adjacent or apart, around
// padding) with blank, float, string and interface fields. The blank field
// and the padding get random bytes (through unsafe): == ignores them, and
// so must the map.
type mixedKey struct {
	a, b int32
	c    int64
	_    int32
	d    uint8
	e    float64
	f    string
	g    [2]int16
	h    any
	i    int16
	j    uint8
	k    int32
}

// structKeys checks a map keyed by mixedKey against an association list
// compared with ==: keys that differ only in a blank field, or in the
// sign of a zero, are one key; a NaN field makes every key new.
func structKeys() {
	seed := uint32(7)
	next := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % n
	}
	mk := func() mixedKey {
		k := mixedKey{a: int32(next(3)), b: int32(next(2)), c: int64(next(2)) << 40, d: uint8(next(2)),
			f: fmt.Sprint(next(3)), g: [2]int16{int16(next(2)), 0}, i: int16(next(2)), j: uint8(next(2)), k: int32(next(2))}
		switch next(4) {
		case 0:
			k.e = 0
		case 1:
			k.e = math.Copysign(0, -1)
		case 2:
			k.e = 1.5
		}
		switch next(3) {
		case 0:
			k.h = next(2)
		case 1:
			k.h = fmt.Sprint(next(2))
		}
		if next(50) == 0 {
			k.e = math.NaN()
		}
		// Bytes == ignores: the blank field, the padding after d and j.
		p := unsafe.Pointer(&k)
		*(*int32)(unsafe.Add(p, unsafe.Offsetof(k.c)+8)) = int32(next(1000))
		*(*uint8)(unsafe.Add(p, unsafe.Offsetof(k.d)+1)) = uint8(next(256))
		*(*uint8)(unsafe.Add(p, unsafe.Offsetof(k.j)+1)) = uint8(next(256))
		return k
	}
	m, keys, bad := againstModel(mk, next)
	nan := 0
	for k := range m {
		if k != k {
			nan++
		}
	}
	fmt.Println("struct keys: mismatches", bad, "keys", len(m)-nan == len(keys), "NaN keys", nan > 0)
}

// planKey has a part of every kind a key plan unrolls (src/lang/keyplan.rs):
// an array of structs of strings and float32s, complex numbers, a
// non-empty interface, a blank field, a run of plain memory, a pointer.
type planKey struct {
	in [2]struct {
		s string
		f float32
	}
	c complex64
	z complex128
	e error
	_ [3]byte
	m [3]int8
	p *int
}

type errKey string

func (e errKey) Error() string { return string(e) }

// planKeys checks a map keyed by planKey against an association list (as
// structKeys): lookups hash a key by its plan, deletions and inserts while
// the map grows by the type's own hash function, so a plan that strayed
// from it loses keys. (With an interface among its parts, planKey's plan
// is looked up at each hash and ==; flatPlanKeys covers the other kind.)
func planKeys() {
	next := lcg(11)
	ptrs := []*int{new(int), new(int)}
	mk := func() planKey {
		var k planKey
		fillPlanParts(next, &k.in, &k.c, &k.z)
		switch next(3) {
		case 0:
			k.e = errKey(fmt.Sprint(next(2)))
		case 1:
			k.e = fmt.Errorf("x")
		}
		if k.e != nil && next(2) == 0 {
			k.e = nil
		}
		k.m[next(3)] = int8(next(2))
		k.p = ptrs[next(2)]
		p := unsafe.Pointer(&k)
		*(*uint8)(unsafe.Add(p, unsafe.Offsetof(k.e)+16+uintptr(next(3)))) = uint8(next(256))
		return k
	}
	m, keys, bad := againstModel(mk, next)
	fmt.Println("plan keys: mismatches", bad, "keys", len(m) == len(keys), len(m) > 100)
}

// lcg returns a generator of pseudo-random numbers below n (a linear
// congruential one from seed: the same sequence on every run).
func lcg(seed uint32) func(n int) int {
	return func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % n
	}
}

// fillPlanParts sets at random the parts planKey and flatPlanKey share:
// one string of the array, a float32 (sometimes -0), the complex numbers.
func fillPlanParts(next func(int) int, in *[2]struct {
	s string
	f float32
}, c *complex64, z *complex128) {
	in[next(2)].s = fmt.Sprint(next(3))
	in[1].f = float32(next(2))
	if next(40) == 0 {
		in[0].f = float32(math.Copysign(0, -1))
	}
	*c = complex(float32(next(2)), 0)
	*z = complex(0, float64(next(2)))
}

// flatPlanKey is planKey without the interface: its plan always decides,
// so lookups, inserts (while the map grows too, where the evacuation
// needs no new bucket) and deletions find the plan once per operation
// and hash and compare by it (src/lang/maps.rs PlanKey); inserts that
// grow the map or chain an overflow bucket hash by the type's own hash
// function.
type flatPlanKey struct {
	in [2]struct {
		s string
		f float32
	}
	c complex64
	z complex128
	_ [3]byte
	m [3]int8
	n int64
	u uint32
	p *int
}

// flatPlanKeys checks a map keyed by flatPlanKey against an association
// list (as planKeys).
func flatPlanKeys() {
	next := lcg(29)
	ptrs := []*int{new(int), new(int)}
	mk := func() flatPlanKey {
		var k flatPlanKey
		fillPlanParts(next, &k.in, &k.c, &k.z)
		k.m[next(3)] = int8(next(2))
		k.n = int64(next(3)) << 40
		k.u = uint32(next(2))
		k.p = ptrs[next(2)]
		p := unsafe.Pointer(&k)
		*(*uint8)(unsafe.Add(p, unsafe.Offsetof(k.z)+16+uintptr(next(3)))) = uint8(next(256))
		return k
	}
	m, keys, bad := againstModel(mk, next)
	fmt.Println("flat plan keys: mismatches", bad, "keys", len(m) == len(keys), len(m) > 100)
}

// Maps of at most a few buckets (a one-bucket map's lookups compare keys
// slot by slot), keyed by 4-byte, 8-byte, pointer and string keys: random
// inserts, updates, deletes and lookups, hits and misses, checked against
// an association list.
func smallMaps() {
	ptrs := make([]*int, 24)
	for i := range ptrs {
		ptrs[i] = new(int)
	}
	strs := make([]string, 24)
	for i := range strs {
		strs[i] = fmt.Sprint("s", i*37)
	}
	seed := uint32(1)
	next := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % n
	}
	bad := 0
	type model struct {
		keys []int
		vals []int
	}
	find := func(md *model, k int) int {
		for i, x := range md.keys {
			if x == k {
				return i
			}
		}
		return -1
	}
	m32 := map[int32]int{}
	m64 := map[int64]int{}
	mp := map[*int]int{}
	ms := map[string]int{}
	for round := 0; round < 40; round++ {
		// Key ranges from 6 (one bucket) to 20 (growth and shrinking
		// through deletes) distinct keys.
		span := 6 + round%15
		var md model
		clear(m32)
		clear(m64)
		clear(mp)
		clear(ms)
		for op := 0; op < 400; op++ {
			k := next(span)
			switch next(4) {
			case 0, 1:
				v := next(1000)
				m32[int32(k)] = v
				m64[int64(k)<<33] = v
				mp[ptrs[k]] = v
				ms[strs[k]] = v
				if i := find(&md, k); i >= 0 {
					md.vals[i] = v
				} else {
					md.keys = append(md.keys, k)
					md.vals = append(md.vals, v)
				}
			case 2:
				delete(m32, int32(k))
				delete(m64, int64(k)<<33)
				delete(mp, ptrs[k])
				delete(ms, strs[k])
				if i := find(&md, k); i >= 0 {
					md.keys = append(md.keys[:i], md.keys[i+1:]...)
					md.vals = append(md.vals[:i], md.vals[i+1:]...)
				}
			case 3:
				want, wok := 0, false
				if i := find(&md, k); i >= 0 {
					want, wok = md.vals[i], true
				}
				a, aok := m32[int32(k)]
				b, bok := m64[int64(k)<<33]
				c, cok := mp[ptrs[k]]
				d, dok := ms[strs[k]]
				if a != want || b != want || c != want || d != want || aok != wok || bok != wok || cok != wok || dok != wok {
					bad++
				}
				if m32[int32(k)] != want || m64[int64(k)<<33] != want || mp[ptrs[k]] != want || ms[strs[k]] != want {
					bad++
				}
			}
			if len(m32) != len(md.keys) || len(m64) != len(md.keys) || len(mp) != len(md.keys) || len(ms) != len(md.keys) {
				bad++
			}
		}
		sum := 0
		for k, v := range m64 {
			sum += int(k>>33)*1000 + v
		}
		for i, k := range md.keys {
			sum -= k*1000 + md.vals[i]
		}
		if sum != 0 {
			bad++
		}
	}
	fmt.Println("small maps: mismatches", bad)
}
