// A package whose test writes every profile through go test's flags
// (scripts/profile-tests): a hot loop for -cpuprofile, a known number of
// allocations at one site for -memprofile, channel and mutex waits for
// -blockprofile and -mutexprofile.
package prof

import (
	"sync"
	"testing"
	"time"
)

var sink [][]byte
var x uint64

//go:noinline
func hotLoop(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for i := 0; i < 100000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
}

//go:noinline
func allocSite(n int) {
	for i := 0; i < n; i++ {
		sink = append(sink, make([]byte, 1000))
	}
}

//go:noinline
func recvSite(ch chan int) int { return <-ch }

//go:noinline
func contend(mu *sync.Mutex) {
	mu.Lock()
	time.Sleep(time.Millisecond)
	mu.Unlock()
}

func TestProfiles(t *testing.T) {
	hotLoop(300 * time.Millisecond)
	sink = make([][]byte, 0, 1000)
	allocSite(1000)
	ch := make(chan int)
	go func() { time.Sleep(5 * time.Millisecond); ch <- 1 }()
	recvSite(ch)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				contend(&mu)
			}
		}()
	}
	wg.Wait()
}
