// Calls from C into Go: callbacks on threads C created that grow their
// goroutine's stack, allocate and collect; runtime.Goexit inside a
// callback (the C frames below are abandoned, as upstream); a long C call
// during which other goroutines run (GOMAXPROCS=1: the P is handed off);
// nested callbacks that park, with and without LockOSThread.
package main

/*
void threadsCallDeep(int n, int rounds);
void callGoexit(void);
void sleepInC(int ms);
int callBack(int x);
*/
import "C"

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var deepSum atomic.Int64

//go:noinline
func recurse(n int) int {
	var buf [128]byte
	buf[n%128] = byte(n)
	if n == 0 {
		return 0
	}
	return recurse(n-1) + int(buf[n%128])/255 + 1
}

//export goDeep
func goDeep(n C.int) {
	r := recurse(int(n) * 50)
	s := strings.Repeat("x", int(n)*100)
	runtime.GC()
	deepSum.Add(int64(r + len(s)))
}

//export goGoexit
func goGoexit() {
	defer fmt.Println("deferred call in the callback runs")
	runtime.Goexit()
}

//export goBack
func goBack(x C.int) C.int {
	if x > 0 {
		return C.callBack(x-1) + 1
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(time.Millisecond)
	}()
	wg.Wait()
	return 0
}

func main() {
	C.threadsCallDeep(4, 3)
	fmt.Println("callbacks on C threads:", deepSum.Load())

	done := make(chan string)
	go func() {
		defer func() { done <- "goroutine ended by Goexit" }()
		C.callGoexit()
		done <- "not reached"
	}()
	fmt.Println(<-done)

	runtime.GOMAXPROCS(1)
	var ticks atomic.Int32
	stop := make(chan bool)
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				ticks.Add(1)
				time.Sleep(time.Millisecond)
			}
		}
	}()
	C.sleepInC(300)
	close(stop)
	fmt.Println("another goroutine ran during a long C call:", ticks.Load() > 3)

	fmt.Println("nested callbacks:", C.callBack(20))
	runtime.LockOSThread()
	fmt.Println("nested callbacks, locked:", C.callBack(5))
	runtime.UnlockOSThread()
}
