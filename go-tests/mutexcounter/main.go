// A counter protected by sync.Mutex, incremented from 8 goroutines (the env
// file sets GOMAXPROCS=4), plus RWMutex readers, sync.Map, atomic CAS
// loops and a sync.Cond handshake: every final value is exact.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

func main() {
	fmt.Println("GOMAXPROCS:", runtime.GOMAXPROCS(0))
	var mu sync.Mutex
	counter := 0
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100000; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	fmt.Println("mutex counter:", counter)

	var rw sync.RWMutex
	m := map[int]int{}
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				if i%10 == 0 {
					rw.Lock()
					m[g*10000+i] = i
					rw.Unlock()
				} else {
					rw.RLock()
					_ = m[g]
					rw.RUnlock()
				}
			}
		}(g)
	}
	wg.Wait()
	fmt.Println("rwmutex map size:", len(m))

	var sm sync.Map
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				sm.Store(i, g)
				sm.Load(i)
			}
		}(g)
	}
	wg.Wait()
	keys := 0
	sm.Range(func(k, v any) bool { keys++; return true })
	fmt.Println("sync.Map keys:", keys)

	var a atomic.Int64
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50000; i++ {
				for {
					v := a.Load()
					if a.CompareAndSwap(v, v+1) {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	fmt.Println("atomic CAS counter:", a.Load())

	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	ready := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmu.Lock()
			ready++
			cond.Broadcast()
			cmu.Unlock()
		}()
	}
	cmu.Lock()
	for ready < 8 {
		cond.Wait()
	}
	cmu.Unlock()
	wg.Wait()
	fmt.Println("cond ready:", ready)

	var once sync.Once
	calls := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() { defer wg.Done(); once.Do(func() { calls++ }) }()
	}
	wg.Wait()
	fmt.Println("once calls:", calls)
}
