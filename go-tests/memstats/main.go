// runtime.ReadMemStats: every field upstream's TestMemStats checks is
// filled in and consistent (the *Sys fields sum to Sys, idle + in use =
// HeapSys, LastGC is the newest PauseEnd, PauseTotalNs sums PauseNs),
// counts move the right way as a program allocates and collects, and
// BySize counts small allocations per size class.
package main

import (
	"fmt"
	"runtime"
)

var sink [][]byte
var keep []*[4]int

func check(name string, ok bool) {
	if !ok {
		fmt.Println("FAIL", name)
	} else {
		fmt.Println("ok  ", name)
	}
}

func main() {
	for i := 0; i < 20000; i++ {
		sink = append(sink, make([]byte, 100+i%3000))
		if i%3 == 0 {
			keep = append(keep, new([4]int))
		}
		if len(sink) > 2000 {
			sink = nil
		}
	}
	runtime.GC()
	runtime.GC()
	var st runtime.MemStats
	runtime.ReadMemStats(&st)

	nz := func(v uint64) bool { return v != 0 && v < 1e11 }
	check("Alloc", nz(st.Alloc) && st.Alloc == st.HeapAlloc)
	check("TotalAlloc", nz(st.TotalAlloc) && st.TotalAlloc >= st.Alloc)
	check("Sys", nz(st.Sys))
	check("Lookups", st.Lookups == 0)
	check("Mallocs", nz(st.Mallocs))
	check("Frees", nz(st.Frees) && st.Frees <= st.Mallocs)
	check("HeapObjects", nz(st.HeapObjects) && st.HeapObjects == st.Mallocs-st.Frees)
	check("HeapSys", nz(st.HeapSys))
	check("HeapInuse", nz(st.HeapInuse) && st.HeapInuse >= st.HeapAlloc/2)
	check("HeapIdle+HeapInuse==HeapSys", st.HeapIdle+st.HeapInuse == st.HeapSys)
	check("HeapReleased<=HeapIdle", st.HeapReleased <= st.HeapIdle)
	check("StackInuse", nz(st.StackInuse) && st.StackInuse <= st.StackSys)
	check("MSpanInuse", nz(st.MSpanInuse) && st.MSpanInuse <= st.MSpanSys)
	check("MCacheInuse", nz(st.MCacheInuse) && st.MCacheInuse <= st.MCacheSys)
	// BuckHashSys is non-zero on upstream because memory profiling
	// samples from the first allocations; gort has no memory profiling yet.
	check("GCSys", nz(st.GCSys))
	check("OtherSys", nz(st.OtherSys))
	check("Sys is the sum", st.Sys == st.HeapSys+st.StackSys+st.MSpanSys+st.MCacheSys+st.BuckHashSys+st.GCSys+st.OtherSys)
	check("NextGC", nz(st.NextGC))
	check("LastGC", st.LastGC != 0 && st.LastGC == st.PauseEnd[(st.NumGC+255)%256])
	var total uint64
	for _, p := range st.PauseNs {
		total += p
	}
	// All pauses are in the ring while fewer than 256 collections ran.
	check("PauseTotalNs", (st.NumGC < 256 && st.PauseTotalNs == total) || (st.NumGC >= 256 && st.PauseTotalNs >= total))
	check("NumGC", st.NumGC >= 2 && st.NumForcedGC >= 2 && st.NumForcedGC <= st.NumGC)
	check("GCCPUFraction", st.GCCPUFraction > 0 && st.GCCPUFraction < 0.99)
	check("EnableGC", st.EnableGC && !st.DebugGC)

	var small, bsFrees uint64
	sizesOK := true
	for i, b := range st.BySize {
		small += b.Mallocs
		bsFrees += b.Frees
		if i > 0 && b.Size <= st.BySize[i-1].Size {
			sizesOK = false
		}
		if b.Frees > b.Mallocs {
			sizesOK = false
		}
	}
	check("BySize sizes", sizesOK && st.BySize[1].Size == 8 && st.BySize[60].Size == 18432)
	check("BySize counts", small > 20000 && small <= st.Mallocs && bsFrees > 0 && bsFrees <= st.Frees)

	// More allocation moves the counters forward.
	before := st
	for i := 0; i < 1000; i++ {
		keep = append(keep, new([4]int))
	}
	runtime.ReadMemStats(&st)
	check("Mallocs grows", st.Mallocs >= before.Mallocs+1000)
	check("TotalAlloc grows", st.TotalAlloc >= before.TotalAlloc+32000)
	runtime.GC()
	runtime.ReadMemStats(&st)
	check("NumGC grows", st.NumGC >= before.NumGC+1 && st.NumForcedGC == before.NumForcedGC+1)
	runtime.KeepAlive(keep)
}
