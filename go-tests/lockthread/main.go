// LockOSThread: the locked goroutine stays on its thread (same gettid
// across blocking operations) and no other goroutine runs there; after
// UnlockOSThread it may move again. A goroutine exiting while locked takes
// its thread with it.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"syscall"
	"time"
)

func main() {
	runtime.LockOSThread()
	mainTid := syscall.Gettid()
	var mu sync.Mutex
	seen := map[int]bool{}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				seen[syscall.Gettid()] = true
				mu.Unlock()
				runtime.Gosched()
			}
		}()
	}
	same := true
	c := make(chan int)
	for i := 0; i < 50; i++ {
		go func() { c <- i }()
		<-c
		time.Sleep(100 * time.Microsecond)
		runtime.Gosched()
		if syscall.Gettid() != mainTid {
			same = false
		}
	}
	close(stop)
	wg.Wait()
	fmt.Println("locked main kept its thread:", same)
	fmt.Println("no other goroutine ran on it:", !seen[mainTid])

	// A locked goroutine that exits: its thread ends; others go on. (Main
	// stays locked meanwhile: a goroutine that exits locked on the main
	// thread leaves it wedged, not gone, in upstream's runtime.)
	tids := make(chan int)
	go func() {
		runtime.LockOSThread()
		tids <- syscall.Gettid()
	}()
	t := <-tids
	// Gone soon (polled: a loaded machine may take a while to reap it).
	alive := true
	for deadline := time.Now().Add(5 * time.Second); alive && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
		alive = syscall.Tgkill(syscall.Getpid(), t, 0) == nil
	}
	fmt.Println("thread of exited locked goroutine is gone:", !alive)
	runtime.UnlockOSThread()

	// Nested locks need as many unlocks.
	done := make(chan bool)
	go func() {
		runtime.LockOSThread()
		runtime.LockOSThread()
		tid := syscall.Gettid()
		runtime.UnlockOSThread()
		time.Sleep(time.Millisecond)
		ok := syscall.Gettid() == tid
		runtime.UnlockOSThread()
		done <- ok
	}()
	fmt.Println("still locked after one of two unlocks:", <-done)
}
