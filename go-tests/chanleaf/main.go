// Buffered channels' fast paths (src/sched/chan.rs leaf_rt_chansend,
// leaf_rt_chanrecv): values of several sizes and shapes through buffers
// that fill and drain, receives from a closed channel (buffered values
// first, then zero values), non-blocking sends and receives on full and
// empty channels, and many goroutines contending for one channel while
// the collector runs (the fast paths decline then; both ways must agree).
package main

import (
	"fmt"
	"runtime"
	"sync"
)

type small struct{ a int32 }

type big struct {
	a, b, c int64
	s       string
}

func roundTrip[T any](name string, vals []T) {
	c := make(chan T, 3)
	var got []T
	for _, v := range vals {
		select {
		case c <- v:
		default:
			// Full: drain one first.
			got = append(got, <-c)
			c <- v
		}
	}
	close(c)
	for v := range c {
		got = append(got, v)
	}
	var zero T
	v, ok := <-c
	fmt.Printf("%s: %v, after close: %v %v (zero %v), len %d cap %d\n", name, got, v, ok, zero, len(c), cap(c))
}

func nonBlocking() {
	c := make(chan int, 2)
	n := 0
	for i := 0; i < 5; i++ {
		select {
		case c <- i:
			n++
		default:
		}
	}
	fmt.Println("non-blocking sends accepted:", n, "len", len(c))
	r := 0
	for i := 0; i < 5; i++ {
		select {
		case v := <-c:
			r += v + 1
		default:
		}
	}
	fmt.Println("non-blocking receives sum:", r, "len", len(c))
}

var sink [][]byte

func contended() {
	const producers, consumers, each = 4, 4, 20000
	c := make(chan *big, 16)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := int64(0)
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				c <- &big{a: int64(i), b: int64(p), c: 1, s: fmt.Sprint(i % 10)}
				if i%512 == 0 {
					sink = append(sink[:0], make([]byte, 64<<10))
				}
			}
		}(p)
	}
	var cw sync.WaitGroup
	for k := 0; k < consumers; k++ {
		cw.Add(1)
		go func() {
			defer cw.Done()
			sum := int64(0)
			for v := range c {
				sum += v.a + v.c + int64(len(v.s))
			}
			mu.Lock()
			total += sum
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(c)
	cw.Wait()
	want := int64(producers) * (int64(each)*(each-1)/2 + each + each)
	fmt.Println("contended total matches:", total == want)
}

func main() {
	roundTrip("int", []int{1, 2, 3, 4, 5})
	roundTrip("small", []small{{1}, {2}, {3}, {4}})
	roundTrip("big", []big{{1, 2, 3, "x"}, {4, 5, 6, "yy"}, {7, 8, 9, "zzz"}, {10, 11, 12, ""}})
	roundTrip("string", []string{"a", "bb", "ccc", "dddd"})
	x, y := 1, 2
	c := make(chan *int, 1)
	c <- &x
	p := <-c
	c <- &y
	q := <-c
	fmt.Println("pointers:", *p, *q)
	roundTrip("empty struct", []struct{}{{}, {}, {}, {}})
	nonBlocking()
	contended()
	runtime.GC()
	contended()
}
