// runtime/metrics and debug.ReadGCStats: every metric metrics.All lists
// reads with the kind its description gives (the names, kinds, units and
// cumulative flags are printed, so the differential run compares them with
// upstream's), and the values obey what the descriptions promise: no
// negative or NaN values, cumulative ones never go back, histograms have
// one more boundary than counts, in increasing order, and related values
// agree (allocations minus frees are the live objects, the memory classes
// sum to the total, the GC cycle counts add up, the settings read back).
// Exact values differ between runtimes and runs, so only checks print.
package main

import (
	"fmt"
	"math"
	_ "math/rand" // links internal/godebug, which counts non-default behaviours
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sort"
	"strings"
	"sync"
	"time"
)

var failed bool

func check(name string, ok bool, detail ...any) {
	if ok {
		fmt.Println("ok  ", name)
		return
	}
	failed = true
	fmt.Println("FAIL", name, fmt.Sprint(detail...))
}

type reading map[string]metrics.Value

func read() reading {
	descs := metrics.All()
	s := make([]metrics.Sample, len(descs))
	for i := range s {
		s[i].Name = descs[i].Name
	}
	metrics.Read(s)
	r := reading{}
	for _, x := range s {
		r[x.Name] = x.Value
	}
	return r
}

func (r reading) u(name string) uint64 {
	return r[name].Uint64()
}

func (r reading) f(name string) float64 {
	return r[name].Float64()
}

func (r reading) histTotal(name string) uint64 {
	var n uint64
	for _, c := range r[name].Float64Histogram().Counts {
		n += c
	}
	return n
}

var sink [][]byte
var keep []*[16]int

func churn() {
	for i := 0; i < 20000; i++ {
		sink = append(sink, make([]byte, 50+i%5000))
		if i%4 == 0 {
			keep = append(keep, new([16]int))
		}
		if len(sink) > 500 {
			sink = nil
		}
	}
}

// Read the processor time classes over and over while other goroutines
// allocate (collections, assists, mark workers): none may go back
// between two reads. (The collector's time is counted once its work is
// done: a runtime that derived user time as the rest of the total let it
// dip then.)
func cpuClassesMonotonic() bool {
	var names []string
	for _, d := range metrics.All() {
		if strings.HasPrefix(d.Name, "/cpu/classes/") {
			names = append(names, d.Name)
		}
	}
	s := make([]metrics.Sample, len(names))
	for i := range s {
		s[i].Name = names[i]
	}
	prev := make([]float64, len(names))
	stop := make(chan bool)
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var keep [][]byte
			for {
				select {
				case <-stop:
					return
				default:
				}
				for i := 0; i < 100; i++ {
					keep = append(keep, make([]byte, 1000))
				}
				if len(keep) > 20000 {
					keep = nil
				}
			}
		}()
	}
	ok := true
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) && ok {
		metrics.Read(s)
		for i := range s {
			v := s[i].Value.Float64()
			if v < prev[i] {
				fmt.Println(names[i], "went back from", prev[i], "to", v)
				ok = false
			}
			prev[i] = v
		}
	}
	close(stop)
	wg.Wait()
	return ok
}

func main() {
	descs := metrics.All()
	fmt.Println(len(descs), "metrics")
	for _, d := range descs {
		unit := d.Name[strings.IndexByte(d.Name, ':')+1:]
		fmt.Println(d.Name, d.Kind, unit, d.Cumulative)
	}

	churn()
	runtime.GC()
	before := read()
	for _, d := range descs {
		v := before[d.Name]
		if v.Kind() != d.Kind {
			check(d.Name+" kind", false, v.Kind(), " want ", d.Kind)
			continue
		}
		switch v.Kind() {
		case metrics.KindFloat64:
			if f := v.Float64(); f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
				check(d.Name+" value", false, f)
			}
		case metrics.KindFloat64Histogram:
			h := v.Float64Histogram()
			ok := len(h.Buckets) == len(h.Counts)+1
			for i := 1; ok && i < len(h.Buckets); i++ {
				ok = h.Buckets[i-1] < h.Buckets[i]
			}
			if !ok {
				check(d.Name+" buckets", false, len(h.Buckets), len(h.Counts))
			}
		}
	}
	check("every kind as described", !failed)

	// Work of every kind the metrics count: allocation, collections,
	// goroutines waiting and running, mutex contention, GOMAXPROCS.
	churn()
	runtime.GC()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				mu.Lock()
				time.Sleep(100 * time.Microsecond)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for i := 0; i < 2000; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
	}
	wg.Wait()
	procs := runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(procs + 1)
	runtime.GOMAXPROCS(procs)
	block := make(chan int)
	for i := 0; i < 10; i++ {
		go func() { <-block }()
	}
	runtime.GC()
	after := read()

	back := []string{}
	for _, d := range descs {
		if !d.Cumulative {
			continue
		}
		a, b := before[d.Name], after[d.Name]
		switch a.Kind() {
		case metrics.KindUint64:
			if b.Uint64() < a.Uint64() {
				back = append(back, d.Name)
			}
		case metrics.KindFloat64:
			if b.Float64() < a.Float64() {
				back = append(back, d.Name)
			}
		case metrics.KindFloat64Histogram:
			for i, c := range b.Float64Histogram().Counts {
				if c < a.Float64Histogram().Counts[i] {
					back = append(back, d.Name)
					break
				}
			}
		}
	}
	check("cumulative metrics never go back", len(back) == 0, back)
	check("processor time classes never go back while collecting", cpuClassesMonotonic())

	r := after
	check("heap objects", r.u("/gc/heap/objects:objects") > 0 &&
		r.u("/gc/heap/objects:objects") == r.u("/gc/heap/allocs:objects")-r.u("/gc/heap/frees:objects"))
	check("heap bytes", r.u("/memory/classes/heap/objects:bytes") > 0 &&
		r.u("/memory/classes/heap/objects:bytes") == r.u("/gc/heap/allocs:bytes")-r.u("/gc/heap/frees:bytes"))
	check("allocs grow", r.u("/gc/heap/allocs:objects") >= before.u("/gc/heap/allocs:objects")+20000 &&
		r.u("/gc/heap/allocs:bytes") > before.u("/gc/heap/allocs:bytes")+20000*50)
	check("frees grow", r.u("/gc/heap/frees:objects") > before.u("/gc/heap/frees:objects"))
	check("allocs by size", r.histTotal("/gc/heap/allocs-by-size:bytes") == r.u("/gc/heap/allocs:objects"))
	check("frees by size", r.histTotal("/gc/heap/frees-by-size:bytes") == r.u("/gc/heap/frees:objects"))
	check("heap live and goal", r.u("/gc/heap/live:bytes") > 0 && r.u("/gc/heap/goal:bytes") >= r.u("/gc/heap/live:bytes"))
	check("scan bytes", r.u("/gc/scan/globals:bytes") > 0 && r.u("/gc/scan/heap:bytes") > 0 && r.u("/gc/scan/stack:bytes") > 0 &&
		r.u("/gc/scan/total:bytes") == r.u("/gc/scan/globals:bytes")+r.u("/gc/scan/heap:bytes")+r.u("/gc/scan/stack:bytes"))

	var sum uint64
	for _, d := range descs {
		if strings.HasPrefix(d.Name, "/memory/classes/") && d.Name != "/memory/classes/total:bytes" {
			sum += r.u(d.Name)
		}
	}
	check("memory classes sum to the total", sum == r.u("/memory/classes/total:bytes"), sum, " ", r.u("/memory/classes/total:bytes"))
	check("heap memory", r.u("/memory/classes/heap/released:bytes")+r.u("/memory/classes/heap/free:bytes") > 0 &&
		r.u("/memory/classes/heap/stacks:bytes") > 0 && r.u("/memory/classes/metadata/other:bytes") > 0)

	check("gc cycles add up", r.u("/gc/cycles/total:gc-cycles") == r.u("/gc/cycles/automatic:gc-cycles")+r.u("/gc/cycles/forced:gc-cycles"))
	// Two runtime.GC calls since `before`: each runs a cycle of its own,
	// unless a cycle the heap triggered starts just before it and serves
	// instead (then it is not counted as forced, on either runtime).
	forced := r.u("/gc/cycles/forced:gc-cycles") - before.u("/gc/cycles/forced:gc-cycles")
	check("forced cycles", r.u("/gc/cycles/forced:gc-cycles") >= 2 && forced >= 1 && forced <= 2)
	check("automatic cycles", r.u("/gc/cycles/automatic:gc-cycles") > 0)
	check("gc pauses", r.histTotal("/gc/pauses:seconds") >= before.histTotal("/gc/pauses:seconds")+2 &&
		r.histTotal("/sched/pauses/total/gc:seconds") == r.histTotal("/gc/pauses:seconds") &&
		r.histTotal("/sched/pauses/stopping/gc:seconds") == r.histTotal("/gc/pauses:seconds"))
	check("other pauses", r.histTotal("/sched/pauses/total/other:seconds") >= before.histTotal("/sched/pauses/total/other:seconds")+2)
	check("scheduling latencies", r.histTotal("/sched/latencies:seconds") > before.histTotal("/sched/latencies:seconds"))
	check("goroutines", r.u("/sched/goroutines:goroutines") >= 11)
	check("gomaxprocs", r.u("/sched/gomaxprocs:threads") == uint64(procs))
	check("mutex wait", r.f("/sync/mutex/wait/total:seconds") > before.f("/sync/mutex/wait/total:seconds"))
	check("starting stack size", r.u("/gc/stack/starting-size:bytes") == 2048)

	total := r.f("/cpu/classes/total:cpu-seconds")
	parts := r.f("/cpu/classes/user:cpu-seconds") + r.f("/cpu/classes/idle:cpu-seconds") +
		r.f("/cpu/classes/gc/total:cpu-seconds") + r.f("/cpu/classes/scavenge/total:cpu-seconds")
	check("cpu classes sum to the total", total > 0 && math.Abs(total-parts) <= total*1e-6, total, " ", parts)
	gcTotal := r.f("/cpu/classes/gc/total:cpu-seconds")
	gcParts := r.f("/cpu/classes/gc/pause:cpu-seconds") + r.f("/cpu/classes/gc/mark/assist:cpu-seconds") +
		r.f("/cpu/classes/gc/mark/dedicated:cpu-seconds") + r.f("/cpu/classes/gc/mark/idle:cpu-seconds")
	check("cpu gc classes", r.f("/cpu/classes/gc/pause:cpu-seconds") > 0 && math.Abs(gcTotal-gcParts) <= gcTotal*1e-6, gcTotal, " ", gcParts)

	// The settings read back.
	check("gogc", r.u("/gc/gogc:percent") == 100)
	check("gomemlimit", r.u("/gc/gomemlimit:bytes") == math.MaxInt64)
	old := debug.SetGCPercent(50)
	debug.SetMemoryLimit(1 << 40)
	r = read()
	check("gogc set", r.u("/gc/gogc:percent") == 50)
	check("gomemlimit set", r.u("/gc/gomemlimit:bytes") == 1<<40)
	debug.SetGCPercent(old)
	debug.SetMemoryLimit(math.MaxInt64)

	// A godebug counter: panic(nil) under panicnil=1 is a non-default
	// behaviour.
	name := "/godebug/non-default-behavior/panicnil:events"
	n0 := r.u(name)
	os.Setenv("GODEBUG", "panicnil=1")
	func() {
		defer func() { recover() }()
		panic(nil)
	}()
	os.Setenv("GODEBUG", "")
	check("godebug counter", read().u(name) == n0+1)

	// Unknown names read as KindBad; values are reused.
	s := []metrics.Sample{{Name: "/no/such:metric"}, {Name: "/sched/latencies:seconds"}}
	metrics.Read(s)
	h := s[1].Value.Float64Histogram()
	metrics.Read(s)
	check("unknown name", s[0].Value.Kind() == metrics.KindBad)
	check("histogram reused", s[1].Value.Float64Histogram() == h)

	// debug.ReadGCStats agrees with the cycle count.
	var st debug.GCStats
	st.PauseQuantiles = make([]time.Duration, 5)
	debug.ReadGCStats(&st)
	cs := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(cs)
	for i := 0; i < 100 && cs[0].Value.Uint64() != uint64(st.NumGC); i++ {
		// A collection ran in between (GC stress): read both again.
		debug.ReadGCStats(&st)
		metrics.Read(cs)
	}
	cycles := cs[0].Value.Uint64()
	n := int(cycles)
	if n > 256 {
		n = 256
	}
	check("ReadGCStats count", st.NumGC == int64(cycles) && len(st.Pause) == n && len(st.PauseEnd) == n, st.NumGC, " ", cycles, " ", len(st.Pause))
	check("ReadGCStats times", st.PauseTotal > 0 && time.Since(st.LastGC) < time.Hour && st.LastGC.Equal(st.PauseEnd[0]))
	check("ReadGCStats order", sort.SliceIsSorted(st.PauseEnd, func(i, j int) bool { return st.PauseEnd[i].After(st.PauseEnd[j]) }))
	check("ReadGCStats quantiles", st.PauseQuantiles[0] <= st.PauseQuantiles[4] && st.PauseQuantiles[4] > 0)
	close(block)
	runtime.KeepAlive(keep)
	if failed {
		os.Exit(1)
	}
}
