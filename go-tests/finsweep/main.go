// Setting and clearing finalizers on long-lived objects while the sweeper
// runs: two goroutines set and remove finalizers on their own halves of
// 200k objects that survive every collection, while a third allocates
// garbage so that collections (and their concurrent sweeps) keep coming.
//
// This caught a false fatal error in exectracestress (net.Dial's
// netFD.Close removing its finalizer): SetFinalizer checked the object's
// allocation bit, which a concurrent sweep of its span was rewriting (the
// bits swapped for the marks, the old words zeroed), so a live object
// could read as free: "pointer not in allocated block" (2 runs of 4
// under scripts/go-tests with that check).
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

type obj struct {
	p *int
	x [3]int
}

func main() {
	objs := make([]*obj, 200000)
	for i := range objs {
		objs[i] = &obj{}
	}
	finalized := 0
	var mu sync.Mutex
	end := time.Now().Add(3 * time.Second)
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; time.Now().Before(end); i += 7 {
				o := objs[(i%(len(objs)/2))*2+w]
				runtime.SetFinalizer(o, func(*obj) {
					mu.Lock()
					finalized++
					mu.Unlock()
				})
				runtime.SetFinalizer(o, nil)
			}
		}(w)
	}
	wg.Add(1)
	collections := uint32(0)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		start := ms.NumGC
		var keep [][]byte
		for time.Now().Before(end) {
			keep = append(keep, make([]byte, 64))
			if len(keep) > 10000 {
				keep = nil
			}
		}
		runtime.ReadMemStats(&ms)
		collections = ms.NumGC - start
	}()
	wg.Wait()
	runtime.GC()
	runtime.GC()
	runtime.KeepAlive(objs)
	mu.Lock()
	fmt.Println("finalizers run on live objects:", finalized)
	mu.Unlock()
	fmt.Println("collections while setting them:", collections > 10)
}
