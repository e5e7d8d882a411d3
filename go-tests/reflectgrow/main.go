// reflect.Value.Grow, Append and AppendSlice past a slice's capacity
// (reflect.growslice): the elements between the old length and the old
// capacity keep their values, the new ones read as zero, for elements
// without pointers (whose new memory the runtime must clear) and with them.
package main

import (
	"fmt"
	"reflect"
)

func main() {
	full := []byte{1, 2, 3, 4}
	b := full[:2]
	v := reflect.ValueOf(&b).Elem()
	v.Grow(10)
	fmt.Println("bytes:", len(b), cap(b) >= 12, b[:12])

	ints := []int64{7, 8, 9, 10, 11}[:1]
	iv := reflect.ValueOf(&ints).Elem()
	iv.Grow(6)
	fmt.Println("ints:", len(ints), ints[:10])

	x, y := 5, 6
	ptrs := []*int{&x, &y, &x}[:1]
	pv := reflect.ValueOf(&ptrs).Elem()
	pv.Grow(4)
	p := ptrs[:5]
	fmt.Println("pointers:", len(ptrs), *p[0], *p[1], *p[2], p[3] == nil, p[4] == nil)

	type rec struct {
		a int32
		b [3]byte
	}
	rs := make([]rec, 2, 3)
	rs = append(rs, rec{9, [3]byte{1, 2, 3}})[:2]
	rv := reflect.Append(reflect.ValueOf(rs), reflect.ValueOf(rec{4, [3]byte{5, 6, 7}}))
	out := rv.Interface().([]rec)
	fmt.Println("append:", out, out[:cap(out)][3:4])

	s := reflect.AppendSlice(reflect.ValueOf([]uint16{1, 2}), reflect.ValueOf([]uint16{3, 4, 5, 6, 7}))
	fmt.Println("appendslice:", s.Interface(), s.Len())

	// Many growths in a row (reflect.Value.Grow as encoding/json uses it).
	var grown []uint32
	gv := reflect.ValueOf(&grown).Elem()
	sum := 0
	for i := 0; i < 2000; i++ {
		if gv.Len() == gv.Cap() {
			gv.Grow(1)
			tail := grown[len(grown):cap(grown)]
			for _, t := range tail {
				sum += int(t)
			}
		}
		gv.SetLen(gv.Len() + 1)
		gv.Index(i).SetUint(uint64(i))
	}
	fmt.Println("grown:", len(grown), grown[1999], "nonzero in new room:", sum)
}
