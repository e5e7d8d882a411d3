// A deleted entry's slot must read as zero when a new key takes it:
// `m[k]++` and `m[k] += x` read the element the runtime hands back for a
// new key. Values without pointers (ints, arrays, structs), strings, and
// elements big enough to be stored indirectly.
package main

import "fmt"

type pair struct{ a, b int64 }

type big struct{ v [40]int }

func main() {
	mi := map[int]int{}
	mi[12] = 99
	delete(mi, 12)
	mi[13]++
	fmt.Println("int:", mi[13])

	m32 := map[int32]int32{}
	m32[1] = 7
	delete(m32, 1)
	m32[2] += 5
	fmt.Println("int32:", m32[2])

	ms := map[string]int64{}
	ms["a"] = 1 << 40
	delete(ms, "a")
	ms["b"]++
	fmt.Println("string key:", ms["b"])

	mp := map[int]pair{}
	mp[1] = pair{3, 4}
	delete(mp, 1)
	p := mp[2]
	p.a++
	mp[3] = p
	fmt.Println("struct:", mp[3])

	ma := map[int][4]byte{}
	ma[1] = [4]byte{1, 2, 3, 4}
	delete(ma, 1)
	fmt.Println("array:", ma[2])

	mb := map[int]big{}
	mb[1] = big{v: [40]int{5}}
	delete(mb, 1)
	x := mb[2]
	fmt.Println("big:", x.v[0])

	// Many keys in few buckets: every freed slot is reused.
	m := map[int]int{}
	for i := 0; i < 64; i++ {
		m[i] = i + 1000
	}
	for i := 0; i < 64; i++ {
		delete(m, i)
	}
	sum := 0
	for i := 100; i < 164; i++ {
		m[i]++
		sum += m[i]
	}
	fmt.Println("reused:", sum, len(m))
}
