// 100k goroutines joined by a WaitGroup; a mutex-protected counter; an
// RWMutex; sync.Once and sync.Cond.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

func main() {
	var wg sync.WaitGroup
	var n atomic.Int64
	for i := 0; i < 100000; i++ {
		wg.Add(1)
		go func(i int) {
			n.Add(int64(i))
			wg.Done()
		}(i)
	}
	wg.Wait()
	fmt.Println("sum:", n.Load())

	var mu sync.Mutex
	counter := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10000; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	fmt.Println("counter:", counter)

	var rw sync.RWMutex
	m := map[int]int{}
	for g := 0; g < 4; g++ {
		wg.Add(2)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				rw.Lock()
				m[g*100+i] = i
				rw.Unlock()
			}
		}(g)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				rw.RLock()
				_ = len(m)
				rw.RUnlock()
			}
		}()
	}
	wg.Wait()
	fmt.Println("map size:", len(m))

	var once sync.Once
	for i := 0; i < 3; i++ {
		once.Do(func() { fmt.Println("once") })
	}

	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	ready := 0
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmu.Lock()
			for ready == 0 {
				cond.Wait()
			}
			ready++
			cmu.Unlock()
		}()
	}
	cmu.Lock()
	ready = 1
	cond.Broadcast()
	cmu.Unlock()
	wg.Wait()
	fmt.Println("cond:", ready)
}
