// The memory profile: with MemProfileRate = 1 every allocation is sampled,
// so runtime.MemProfile's counts for the program's own allocation sites
// are exact and must equal upstream's: objects and bytes allocated (the
// size of the slot: size classes and large objects rounded to pages),
// freed once a collection found them dead, and the three-cycle
// publication (a profile shows what the last completed collection saw;
// runtime.GC publishes its own frees). Also pprof's heap and allocs
// profiles as text (debug=1) and as gzipped protocol buffers. (Not run
// under GORT_GCSTRESS: extra collections publish the counts earlier.)
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
)

type node struct {
	next *node
	pad  [40]byte
}

var keep []*node
var keepBig [][]byte
var sink any

//go:noinline
func allocKept(n int) {
	for i := 0; i < n; i++ {
		keep = append(keep, &node{})
	}
}

//go:noinline
func allocDropped(n int) {
	for i := 0; i < n; i++ {
		sink = &node{}
	}
	sink = nil
}

//go:noinline
func allocBig(n int) {
	for i := 0; i < n; i++ {
		keepBig = append(keepBig, make([]byte, 100<<10))
	}
}

//go:noinline
func allocStrings(n int) {
	for i := 0; i < n; i++ {
		sink = fmt.Sprint("value-", i, "-", strings.Repeat("x", 50))
	}
}

// site is a record's innermost frame in package main.
func site(stk []uintptr) string {
	frames := runtime.CallersFrames(stk)
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, "main.") {
			return f.Function
		}
		if !more {
			return ""
		}
	}
}

type counts struct{ allocObj, allocBytes, freeObj, freeBytes int64 }

// profile sums runtime.MemProfile's records per main-package site.
func profile(inuseZero bool) map[string]counts {
	var p []runtime.MemProfileRecord
	n, ok := runtime.MemProfile(nil, inuseZero)
	for !ok {
		p = make([]runtime.MemProfileRecord, n+50)
		n, ok = runtime.MemProfile(p, inuseZero)
	}
	out := map[string]counts{}
	for _, r := range p[:n] {
		s := site(r.Stack())
		switch s {
		case "main.warmup", "main.allocKept", "main.allocDropped", "main.allocBig", "main.allocStrings":
		default:
			// The runtime's own allocations on behalf of the rest
			// (CallersFrames, maps) differ between runtimes.
			continue
		}
		c := out[s]
		c.allocObj += r.AllocObjects
		c.allocBytes += r.AllocBytes
		c.freeObj += r.FreeObjects
		c.freeBytes += r.FreeBytes
		out[s] = c
	}
	return out
}

func show(title string, inuseZero bool) {
	m := profile(inuseZero)
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Println(title)
	for _, k := range keys {
		c := m[k]
		if k == "main.allocStrings" {
			// fmt's buffers come and go with its own pools: the site's
			// count of objects depends on them; that it is there does not.
			fmt.Printf("  %s present=%v\n", k, c.allocObj > 0)
			continue
		}
		fmt.Printf("  %s alloc=%d/%dB free=%d/%dB\n", k, c.allocObj, c.allocBytes, c.freeObj, c.freeBytes)
	}
}

func textHas(name string, want ...string) {
	var buf bytes.Buffer
	if err := pprof.Lookup(name).WriteTo(&buf, 1); err != nil {
		fmt.Println(name, "error:", err)
		return
	}
	s := buf.String()
	for _, w := range want {
		fmt.Printf("%s debug=1 has %s: %v\n", name, w, strings.Contains(s, w))
	}
	fmt.Printf("%s debug=1 has MemStats: %v\n", name, strings.Contains(s, "# runtime.MemStats"))
	buf.Reset()
	if err := pprof.Lookup(name).WriteTo(&buf, 0); err != nil {
		fmt.Println(name, "error:", err)
		return
	}
	zr, err := gzip.NewReader(&buf)
	var raw []byte
	if err == nil {
		raw, err = io.ReadAll(zr)
	}
	fmt.Printf("%s debug=0 gzipped: %v, names allocKept: %v\n", name, err == nil, bytes.Contains(raw, []byte("main.allocKept")))
}

var warm []*node

//go:noinline
func warmup(n int) {
	for i := 0; i < n; i++ {
		warm = append(warm, &node{})
	}
}

func main() {
	// Only the program's runtime.GC calls collect: what is published when
	// depends on the collections.
	debug.SetGCPercent(-1)
	runtime.MemProfileRate = 1
	// Something published, so that what follows is not taken for a
	// program that never collects.
	warmup(5)
	runtime.GC()
	runtime.GC()
	allocKept(100)
	allocDropped(300)
	allocBig(3)
	allocStrings(20)
	// Nothing collected since these allocations: not published yet.
	show("before any collection of them (inuseZero):", true)
	runtime.GC()
	show("after one GC:", true)
	show("after one GC (in use only):", false)
	runtime.GC()
	show("after two GCs:", true)
	keep = nil
	keepBig = nil
	runtime.GC()
	show("after dropping and a GC:", true)
	runtime.GC()
	show("after another GC (in use only):", false)

	allocKept(10)
	runtime.GC()
	textHas("heap", "main.allocKept", "main.allocBig")
	textHas("allocs", "main.allocDropped", "main.allocStrings")
	runtime.KeepAlive(keep)
	fmt.Println("MemProfileRate", runtime.MemProfileRate)
}
