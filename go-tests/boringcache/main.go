// The runtime's support for crypto/internal/boring/bcache: a registered
// cache pointer is set to nil at every collection (linknamed here, since
// the package is internal), and the registration keeps a cache alive.
package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"
)

//go:linkname registerCache crypto/internal/boring/bcache.registerCache
func registerCache(p unsafe.Pointer)

type table [64]*int

type cache struct {
	name  string
	table atomic.Pointer[table]
}

var global = cache{name: "global"}

func fillIn(c *cache) {
	t := new(table)
	for i := range t {
		v := i
		t[i] = &v
	}
	c.table.Store(t)
}

func main() {
	registerCache(unsafe.Pointer(&global.table))
	h := &cache{name: "heap"}
	registerCache(unsafe.Pointer(&h.table))
	finalized := make(chan string, 1)
	runtime.SetFinalizer(h, func(c *cache) { finalized <- c.name })
	addr := uintptr(unsafe.Pointer(h))
	h = nil

	heapCache := func() *cache { return (*cache)(unsafe.Pointer(addr)) }
	for round := 1; round <= 3; round++ {
		fillIn(&global)
		fillIn(heapCache())
		fmt.Println("round", round, "before GC:", global.table.Load() != nil, heapCache().table.Load() != nil)
		runtime.GC()
		fmt.Println("round", round, "after GC:", global.table.Load() == nil, heapCache().table.Load() == nil)
	}

	// Caches stay usable: a cleared table is replaced on demand.
	for i := 0; i < 1000; i++ {
		t := global.table.Load()
		if t == nil {
			t = new(table)
			if !global.table.CompareAndSwap(nil, t) {
				continue
			}
		}
		v := i
		t[i%64] = &v
	}
	fmt.Println("table in use:", global.table.Load() != nil)

	runtime.GC()
	runtime.GC()
	select {
	case name := <-finalized:
		fmt.Println("registered cache finalized:", name)
	case <-time.After(100 * time.Millisecond):
		fmt.Println("registered cache kept alive:", heapCache().name)
	}
}
