// maps.Clone (the runtime's maps.clone) and the min/max builtins on
// strings (runtime.strmin/strmax): clones are independent, keep every
// entry (NaN keys included), and survive collections.
package main

import (
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"strings"
)

type big struct {
	name string
	vals [20]int
	next *big
}

func main() {
	m := map[string]*big{}
	for i := 0; i < 1000; i++ {
		m[fmt.Sprint("k", i)] = &big{name: fmt.Sprint("v", i)}
	}
	c := maps.Clone(m)
	delete(m, "k1")
	m["new"] = nil
	runtime.GC()
	fmt.Println(len(m), len(c), c["k1"].name, c["k999"].name, c["new"] == nil)

	f := map[float64]int{math.NaN(): 1, math.NaN(): 2, 1.5: 3}
	fc := maps.Clone(f)
	var vals []int
	for _, v := range fc {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	fmt.Println(len(fc), vals)

	var nilmap map[int]int
	fmt.Println(maps.Clone(nilmap) == nil)
	empty := maps.Clone(map[int]int{})
	empty[1] = 1
	fmt.Println(len(empty))

	// A map in the middle of growing.
	g := map[int]string{}
	for i := 0; i < 4000; i++ {
		g[i] = strings.Repeat("x", i%7)
		if i%997 == 0 {
			gc := maps.Clone(g)
			fmt.Println("clone at", i, len(gc), maps.Equal(g, gc))
		}
	}

	a, b, z := "pear", "apple", "zoo"
	fmt.Println(min(a, b, z), max(a, b, z), min(a, a+""), max("", "a"))
	x, y := "same", strings.Clone("same")
	fmt.Println(min(x, y), max(x, y))
}
