// Slices: make, append (caps must match upstream's growth and size-class
// rounding), copy, three-index slicing, slices of slices, the slices pkg.
package main

import (
	"fmt"
	"slices"
	"sort"
)

type big struct {
	a [5]int
	p *int
}

func caps[T any](zero T, n int) []int {
	var s []T
	var out []int
	last := -1
	for i := 0; i < n; i++ {
		s = append(s, zero)
		if cap(s) != last {
			last = cap(s)
			out = append(out, last)
		}
	}
	return out
}

func main() {
	fmt.Println(caps(byte(0), 5000))
	fmt.Println(caps(int32(0), 3000))
	fmt.Println(caps(int64(0), 3000))
	fmt.Println(caps("", 2000))
	fmt.Println(caps(big{}, 500))
	fmt.Println(caps(struct{ a, b, c byte }{}, 1000))
	fmt.Println(caps([3]*int{}, 500))
	s := make([]int, 3, 10)
	s2 := append(s, 1, 2, 3)
	fmt.Println(len(s2), cap(s2), s2)
	s3 := append(s[:1:1], 9)
	fmt.Println(s3, s, cap(s3))
	a := append([]int(nil), make([]int, 1000)...)
	fmt.Println(len(a), cap(a))
	b := append([]byte("hello "), "world"...)
	fmt.Println(string(b), cap(b))
	n := copy(s, []int{7, 8, 9, 10})
	fmt.Println(n, s)
	grid := make([][]int, 3)
	for i := range grid {
		grid[i] = make([]int, i+1)
		for j := range grid[i] {
			grid[i][j] = i * j
		}
	}
	fmt.Println(grid)
	xs := []int{5, 2, 8, 1, 9, 3}
	sort.Ints(xs)
	fmt.Println(xs, slices.Contains(xs, 8), slices.Index(xs, 9))
	ys := slices.Clone(xs)
	slices.Reverse(ys)
	fmt.Println(ys, xs)
	strs := []string{"pear", "apple", "fig"}
	slices.Sort(strs)
	fmt.Println(strs, slices.Max(xs))
	var nilSlice []int
	fmt.Println(nilSlice == nil, len(nilSlice), append(nilSlice, 1))
	arr := [5]int{1, 2, 3, 4, 5}
	p := (*[3]int)(arr[:3])
	p[0] = 100
	fmt.Println(arr, len(arr[1:4:5]), cap(arr[1:4:5]))
}
