// System calls while a collection request is pending on the thread: a
// goroutine may be preempted right where it would have collected (the
// request then stays with its thread), and the next goroutine on that
// thread may go straight into a system call. Nothing that can grow the
// stack may run between entersyscall and exitsyscall, so the request must
// wait for a later return from the runtime. Goroutines here allocate, make
// system calls and run long enough to be preempted, for about a second.
package main

import (
	"fmt"
	"sync"
	"syscall"
	"time"
)

var sink [8][]byte

// spin computes for a while through calls with stack checks (where
// preemption requests are seen).
//
//go:noinline
func spin(n int) int {
	if n == 0 {
		return 1
	}
	return spin(n-1) + 1
}

//go:noinline
func work(g, i int) uintptr {
	// Big enough to spend a while in the allocator (zeroing), where
	// preemption requests arrive.
	sink[g] = make([]byte, 256<<10+i%4096)
	for k := 0; k < 200; k++ {
		spin(20)
	}
	r, _, _ := syscall.Syscall(syscall.SYS_GETPID, 0, 0, 0)
	return r
}

func main() {
	var wg sync.WaitGroup
	deadline := time.Now().Add(time.Second)
	calls := make([]int, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; ; i++ {
				if work(g, i) == 0 {
					panic("getpid returned 0")
				}
				calls[g]++
				if i%1024 == 0 && time.Now().After(deadline) {
					return
				}
			}
		}(g)
	}
	wg.Wait()
	ok := true
	for _, n := range calls {
		ok = ok && n > 0
	}
	fmt.Println("all goroutines made system calls:", ok)
}
