// The tiny allocator: small allocations without pointers share 16-byte
// blocks, as upstream's do. Visible to programs as memory use, as counts
// (each one is a malloc in MemStats and a tiny alloc in runtime/metrics),
// and in finalizers (an object's finalizer waits for its whole block).
// The values packed together stay intact across collections.
package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
)

var sink []*int32
var strs []string
var bytes []*[3]byte

func tinyAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/tiny/allocs:objects"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func main() {
	const n = 100000
	debug.SetGCPercent(-1)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	t0 := tinyAllocs()
	sink = make([]*int32, n)
	for i := range sink {
		v := new(int32)
		*v = int32(i)
		sink[i] = v
	}
	t1 := tinyAllocs()
	runtime.ReadMemStats(&after)
	// The slice itself is one allocation of 800 KB.
	objs := after.HeapAlloc - before.HeapAlloc - uint64(8*n)
	fmt.Println("4-byte objects take less than 8 bytes each:", objs < 6*n)
	fmt.Println("each one is a malloc:", after.Mallocs-before.Mallocs >= n)
	fmt.Println("most are packed into shared blocks:", t1-t0 >= n/2)
	fmt.Println("live objects count blocks, not packed allocations:", after.HeapObjects-before.HeapObjects < n/2)
	debug.SetGCPercent(100)

	// Mixed sizes and alignments, through collections.
	for round := 0; round < 5; round++ {
		strs = strs[:0]
		bytes = bytes[:0]
		for i := 0; i < 20000; i++ {
			strs = append(strs, strconv.Itoa(i))
			b := new([3]byte)
			b[0], b[1], b[2] = byte(i), byte(i>>8), byte(i>>16)
			bytes = append(bytes, b)
			if i%1000 == 0 {
				runtime.GC()
			}
		}
		bad := 0
		for i, s := range strs {
			if s != strconv.Itoa(i) {
				bad++
			}
			b := bytes[i]
			if b[0] != byte(i) || b[1] != byte(i>>8) || b[2] != byte(i>>16) {
				bad++
			}
		}
		for i, p := range sink {
			if *p != int32(i) {
				bad++
			}
		}
		fmt.Println("round", round, "corrupted values:", bad)
	}

	// Alignment: an 8-byte value, a 4-byte one and a 2-byte one are
	// aligned to their size even inside a shared block.
	misaligned := 0
	for i := 0; i < 1000; i++ {
		a := new(uint8)
		b := new(uint16)
		c := new(uint32)
		d := new(uint64)
		if uintptrOf(b)%2 != 0 || uintptrOf(c)%4 != 0 || uintptrOf(d)%8 != 0 {
			misaligned++
		}
		*a, *b, *c, *d = 1, 2, 3, 4
		keep = append(keep, a, b, c, d)
	}
	fmt.Println("misaligned:", misaligned)
}

var keep []any

func uintptrOf[T any](p *T) uintptr { return uintptr(unsafePointer(p)) }
