// Collections while GOMAXPROCS shrinks and grows (as testing.AllocsPerRun
// does): the allocation caches of retired Ps must not come back stale.
// Every goroutine builds and checks its own data across collections.
package main

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
)

type rec struct {
	id   int
	name string
	kids []*rec
}

func build(id, n int) *rec {
	r := &rec{id: id, name: strings.Repeat("x", id%13)}
	for i := 0; i < n; i++ {
		r.kids = append(r.kids, &rec{id: id*1000 + i, name: fmt.Sprint(i)})
	}
	return r
}

func ok(r *rec, id, n int) bool {
	if r.id != id || r.name != strings.Repeat("x", id%13) || len(r.kids) != n {
		return false
	}
	for i, k := range r.kids {
		if k.id != id*1000+i || k.name != fmt.Sprint(i) {
			return false
		}
	}
	return true
}

func main() {
	good := true
	var mu sync.Mutex
	for round := 0; round < 30; round++ {
		procs := []int{1, 4, 2, 8, 1, 3}[round%6]
		runtime.GOMAXPROCS(procs)
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				var keep []*rec
				for i := 0; i < 200; i++ {
					keep = append(keep, build(g*1000+i, 5))
					_ = make([]byte, 1000+i)
				}
				if round%5 == 0 {
					runtime.GC()
				}
				for i, r := range keep {
					if !ok(r, g*1000+i, 5) {
						mu.Lock()
						good = false
						mu.Unlock()
					}
				}
			}(g)
		}
		wg.Wait()
	}
	fmt.Println("intact:", good)
}
