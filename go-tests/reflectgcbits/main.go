// The runtime's pointer masks as reflect's test hook reports them
// (reflect.gcbits, linknamed): heap objects of compiled types and of types
// made at run time (bitmaps, GC programs of big arrays, slices), globals
// in data and bss, objects without pointers.
// Also reflect's check that a not-in-heap pointer type does not point into
// the heap or a goroutine stack.
package main

import (
	"fmt"
	"reflect"
	"runtime/cgo"
	"unsafe"
)

//go:linkname gcbits reflect.gcbits
func gcbits(x any) []byte

type scalar struct{ x uintptr }
type ptr struct{ p *int }
type ptrscalar struct {
	p *int
	x uintptr
}
type scalarptr struct {
	x uintptr
	p *int
}
type big struct {
	a [100]*int
	b [100]uintptr
}

var dataVar = struct {
	a *int
	b int
	c string
	d [3]any
}{a: new(int), b: 1}

var bssVar struct {
	x    int
	p    *int
	s    []byte
	arr  [5000]ptrscalar // a GC program in the linker's bss description
	tail map[int]int
}

// show prints the mask of the value v points to, cut to its type's size
// (the heap's mask may run on to the end of the allocation slot, with
// pointers tiled beyond the value).
func show(name string, v any) {
	m := gcbits(v)
	n := int(reflect.TypeOf(v).Elem().Size() / 8)
	if len(m) > n {
		m = m[:n]
	}
	fmt.Printf("%-28s %s\n", name, compress(m))
}

// trim drops trailing scalar words (which a mask may or may not list).
func trim(m []byte) []byte {
	for len(m) > 0 && m[len(m)-1] == 0 {
		m = m[:len(m)-1]
	}
	return m
}

// compress writes a mask (without trailing scalars) as its length, its number of pointer words,
// its first 12 words and a checksum of all of them.
func compress(m []byte) string {
	m = trim(m)
	ones, sum := 0, uint32(2166136261)
	for _, b := range m {
		ones += int(b)
		sum = (sum ^ uint32(b)) * 16777619
	}
	head := m
	if len(head) > 12 {
		head = head[:12]
	}
	return fmt.Sprintf("len=%d ptrs=%d head=%v sum=%08x", len(m), ones, head, sum)
}

type nih struct {
	_ cgo.Incomplete
	x int
}

func notInHeap(name string, p unsafe.Pointer) {
	v := reflect.ValueOf((*nih)(p))
	defer func() {
		fmt.Printf("%-28s %v\n", name, recover())
	}()
	v.Elem()
}

var globalNih = nih{x: 7}

func main() {
	show("*byte", new(*byte))
	show("scalar", new(scalar))
	show("ptr", new(ptr))
	show("ptrscalar", new(ptrscalar))
	show("scalarptr", new(scalarptr))
	show("[2]scalarptr", new([2]scalarptr))
	show("[10000]ptr", new([10000]ptr))
	show("[10000]scalarptr", new([10000]scalarptr))
	show("[2][10000]ptrscalar", new([2][10000]ptrscalar))
	show("[4]big", new([4]big))
	show("string/slice/iface", new(struct {
		s string
		b []int
		e any
		i fmt.Stringer
		m map[int]int
		c chan int
		f func()
	}))

	ps := reflect.TypeOf(ptrscalar{})
	show("ArrayOf(3, ptrscalar)", reflect.New(reflect.ArrayOf(3, ps)).Interface())
	show("ArrayOf(10000, ptrscalar)", reflect.New(reflect.ArrayOf(10000, ps)).Interface())
	show("ArrayOf(2, ArrayOf(10000))", reflect.New(reflect.ArrayOf(2, reflect.ArrayOf(10000, ps))).Interface())
	st := reflect.StructOf([]reflect.StructField{
		{Name: "A", Type: reflect.TypeOf(uintptr(0))},
		{Name: "B", Type: reflect.TypeOf("")},
		{Name: "C", Type: reflect.ArrayOf(3, reflect.TypeOf(scalarptr{}))},
	})
	show("StructOf", reflect.New(st).Interface())
	sl := reflect.MakeSlice(reflect.SliceOf(reflect.TypeOf(scalarptr{})), 0, 7)
	m := gcbits(reflect.NewAt(sl.Type().Elem(), sl.UnsafePointer()).Interface())
	if len(m) > 14 {
		m = m[:14]
	}
	fmt.Printf("%-28s %s\n", "MakeSlice(scalarptr, 0, 7)", compress(m))

	show("data var", &dataVar)
	show("bss var", &bssVar)
	show("bss field", &bssVar.s)

	notInHeap("global", unsafe.Pointer(&globalNih))
	notInHeap("heap", unsafe.Pointer(new(int)))
	var onStack int
	notInHeap("stack", unsafe.Pointer(&onStack))
}
