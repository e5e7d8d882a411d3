// Stack shrinking at collections: goroutines that once needed deep stacks
// and now wait shallow (on a channel receive into a local, a blocked send
// of a local, a select receiving into locals, a mutex, a sleep) get their
// stacks halved by each collection, as upstream's; their locals, the
// values handed to them through channels and their deferred calls survive
// the moves.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

type payload struct {
	a, b int
	p    *int
}

//go:noinline
func deep(n int, buf [256]byte) byte {
	if n == 0 {
		return buf[7]
	}
	buf[n%256] = byte(n)
	return deep(n-1, buf) + buf[3]
}

func stackInuse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.StackInuse
}

func main() {
	const n = 200
	var wg sync.WaitGroup
	recvc := make(chan payload)
	sendc := make(chan payload)
	selc1, selc2 := make(chan payload), make(chan int)
	var mu sync.Mutex
	ready := make(chan bool, 5*n)
	errs := make(chan string, 5*n)
	mu.Lock()

	check := func(kind string, i int, local [8]int, got payload) {
		for j := range local {
			if local[j] != i*8+j {
				errs <- fmt.Sprintf("%s %d: local %d = %d", kind, i, j, local[j])
				return
			}
		}
		if got.p != nil && *got.p != got.a+got.b {
			errs <- fmt.Sprintf("%s %d: payload %v *p=%d", kind, i, got, *got.p)
		}
	}
	fill := func(i int) (l [8]int) {
		for j := range l {
			l[j] = i*8 + j
		}
		return
	}
	for i := 0; i < n; i++ {
		wg.Add(5)
		go func(i int) { // receive into a local
			defer wg.Done()
			local := fill(i)
			deep(200, [256]byte{})
			ready <- true
			v := <-recvc
			check("recv", i, local, v)
		}(i)
		go func(i int) { // blocked sending a local
			defer wg.Done()
			local := fill(i)
			deep(200, [256]byte{})
			x := i * 3
			v := payload{a: i, b: 2 * i, p: &x}
			ready <- true
			sendc <- v
			check("send", i, local, payload{})
		}(i)
		go func(i int) { // select receiving into locals
			defer wg.Done()
			local := fill(i)
			deep(200, [256]byte{})
			ready <- true
			var got payload
			select {
			case got = <-selc1:
			case k := <-selc2:
				x := k
				got = payload{a: k, b: 0, p: &x}
			}
			check("select", i, local, got)
		}(i)
		go func(i int) { // a mutex, with a deferred call on the stack
			defer wg.Done()
			local := fill(i)
			defer func() { check("mutex", i, local, payload{}) }()
			deep(200, [256]byte{})
			ready <- true
			mu.Lock()
			mu.Unlock()
		}(i)
		go func(i int) { // sleeping
			defer wg.Done()
			local := fill(i)
			deep(200, [256]byte{})
			ready <- true
			time.Sleep(200 * time.Millisecond)
			check("sleep", i, local, payload{})
		}(i)
	}
	for i := 0; i < 5*n; i++ {
		<-ready
	}
	time.Sleep(10 * time.Millisecond)
	before := stackInuse()
	for i := 0; i < 8; i++ {
		runtime.GC()
	}
	after := stackInuse()
	fmt.Println("stacks shrank to less than a quarter:", after < before/4)

	for i := 0; i < n; i++ {
		x := i + 2*i
		recvc <- payload{a: i, b: 2 * i, p: &x}
		v := <-sendc
		if *v.p != v.a+v.b {
			errs <- fmt.Sprintf("main: sent payload %v *p=%d", v, *v.p)
		}
		if i%2 == 0 {
			selc1 <- payload{a: i, b: 1, p: &[]int{i + 1}[0]}
		} else {
			selc2 <- i
		}
	}
	mu.Unlock()
	wg.Wait()
	close(errs)
	bad := 0
	for e := range errs {
		if bad < 10 {
			fmt.Println(e)
		}
		bad++
	}
	fmt.Println("goroutines:", 5*n, "errors:", bad)
}
