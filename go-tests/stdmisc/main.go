// Everyday library pieces that lean on the runtime: sync.Pool, sync.Once,
// math/rand (seeded, deterministic), hash/maphash (consistency, not
// values: seeds are random per process), runtime.KeepAlive, sort, time.
package main

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"math/rand"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	pool := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	b := pool.Get().(*bytes.Buffer)
	b.WriteString("pooled")
	fmt.Println(b.String())
	b.Reset()
	pool.Put(b)
	b2 := pool.Get().(*bytes.Buffer)
	fmt.Println("reused buffer is empty:", b2.Len() == 0)

	r := rand.New(rand.NewSource(42))
	fmt.Println(r.Intn(100), r.Intn(100), r.Float64() < 1, r.Perm(5))
	x := rand.Intn(10) // global source: random, only its range is checked
	fmt.Println(x >= 0 && x < 10)

	seed := maphash.MakeSeed()
	var h1, h2 maphash.Hash
	h1.SetSeed(seed)
	h2.SetSeed(seed)
	h1.WriteString("hello")
	h2.WriteString("hel")
	h2.WriteString("lo")
	fmt.Println("maphash consistent:", h1.Sum64() == h2.Sum64(), maphash.String(seed, "a") == maphash.String(seed, "a"))

	obj := &struct{ v [64]byte }{}
	runtime.KeepAlive(obj)
	words := strings.Fields("the quick brown fox jumps over the lazy dog")
	sort.Strings(words)
	fmt.Println(words, sort.SearchStrings(words, "lazy"))
	people := []struct {
		name string
		age  int
	}{{"a", 30}, {"b", 20}, {"c", 30}, {"d", 10}}
	sort.SliceStable(people, func(i, j int) bool { return people[i].age < people[j].age })
	fmt.Println(people)
	t0 := time.Now()
	fmt.Println(time.Since(t0) >= 0, t0.Year() > 2000, time.Unix(0, 0).UTC())
}
