// Write barriers under a concurrent collector: objects whose only
// reference moves through one runtime path at a time (map growth and
// deletion, channel buffers and direct hand-off, atomic pointer swaps,
// reflect's copies, copy() of pointer slices, big struct assignment,
// a global's bulk overwrite, sync.Map, timer closures), while collections run continuously. Each
// object carries a checksum of its own contents; a freed-and-reused
// object fails it. Run by scripts/test with GORT_GCCHECKMARK=1, which also
// throws if a concurrent mark misses anything a stopped mark finds.
package main

import (
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

type obj struct {
	id    int
	words [6]int
	child *obj
	sum   int
}

func mk(id int) *obj {
	o := &obj{id: id, child: &obj{id: -id}}
	for i := range o.words {
		o.words[i] = id*7 + i
	}
	o.sum = o.check()
	o.child.sum = o.child.check()
	return o
}

func (o *obj) check() int {
	s := o.id
	for _, w := range o.words {
		s = s*31 + w
	}
	return s
}

func (o *obj) ok(id int) bool {
	return o != nil && o.id == id && o.sum == o.check() && o.child != nil && o.child.id == -id && o.child.sum == o.child.check()
}

type big struct {
	a, b, c, d *obj
	pad        [32]int
}

var bad atomic.Int64

func verify(o *obj, id int) {
	if !o.ok(id) {
		bad.Add(1)
	}
}

func maps(base int) {
	for round := 0; round < 30; round++ {
		m := map[int]*obj{}
		for i := 0; i < 2000; i++ { // grows through several evacuations
			m[i] = mk(base + i)
		}
		for i := 0; i < 2000; i += 3 {
			delete(m, i)
		}
		runtime.Gosched()
		for i := 0; i < 2000; i++ {
			if o, ok := m[i]; ok {
				verify(o, base+i)
			}
		}
		km := map[*obj]int{}
		for i := 0; i < 500; i++ {
			km[mk(base+i)] = base + i
		}
		for k, v := range km {
			verify(k, v)
		}
		clear(km)
	}
}

func channels(base int) {
	buf := make(chan *obj, 64)
	direct := make(chan *obj)
	done := make(chan bool)
	go func() {
		for i := 0; i < 20000; i++ {
			verify(<-buf, base+i)
			verify(<-direct, base-i)
		}
		done <- true
	}()
	for i := 0; i < 20000; i++ {
		buf <- mk(base + i)
		direct <- mk(base - i)
	}
	<-done
}

func atomics(base int) {
	var p atomic.Pointer[obj]
	var q atomic.Pointer[obj]
	p.Store(mk(base))
	for i := 1; i < 20000; i++ {
		old := p.Swap(mk(base + i))
		verify(old, base+i-1)
		q.Store(old)
		if i%100 == 0 {
			runtime.Gosched()
		}
		o := q.Load()
		if !q.CompareAndSwap(o, nil) {
			bad.Add(1)
		}
		verify(o, base+i-1)
	}
}

func reflects(base int) {
	for round := 0; round < 200; round++ {
		src := make([]*obj, 100)
		for i := range src {
			src[i] = mk(base + i)
		}
		dst := make([]*obj, 100)
		reflect.Copy(reflect.ValueOf(dst), reflect.ValueOf(src))
		var held struct{ O *obj }
		reflect.ValueOf(&held).Elem().Field(0).Set(reflect.ValueOf(src[7]))
		grown := reflect.Append(reflect.ValueOf(dst[:50:50]), reflect.ValueOf(mk(base+999))).Interface().([]*obj)
		m := reflect.MakeMap(reflect.TypeOf(map[int]*obj{}))
		for i := 0; i < 100; i++ {
			m.SetMapIndex(reflect.ValueOf(i), reflect.ValueOf(src[i]))
		}
		clear(src)
		runtime.Gosched()
		for i := range dst {
			verify(dst[i], base+i)
		}
		verify(held.O, base+7)
		verify(grown[50], base+999)
		it := m.MapRange()
		for it.Next() {
			verify(it.Value().Interface().(*obj), base+int(it.Key().Int()))
		}
	}
}

func copies(base int) {
	for round := 0; round < 300; round++ {
		a := make([]*obj, 200)
		for i := range a {
			a[i] = mk(base + i)
		}
		b := make([]*obj, 200)
		copy(b, a)
		copy(a[1:], a) // overlapping
		var x, y big
		x = big{a: mk(base + 1000), b: mk(base + 1001), c: mk(base + 1002), d: mk(base + 1003)}
		y = x
		x = big{}
		clear(a)
		runtime.Gosched()
		for i := range b {
			verify(b[i], base+i)
		}
		verify(y.a, base+1000)
		verify(y.d, base+1003)
	}
}

// mixed has pointer words between plain ones: a bulk copy into a global
// of it shades the words the module's pointer mask marks.
type mixed struct {
	n1 int
	p  *obj
	n2 [3]int
	q  *obj
	s  string
}

var globalMixed [4]mixed

// globals moves objects through a global (data/bss): put there, left
// over a collection's start (unmarked again), copied out to the stack and
// the global overwritten, its old pointers are all that keeps them marked
// while the stack may already have been scanned.
func globals(base int) {
	for round := 0; round < 1000; round++ {
		k := round % len(globalMixed)
		id := base + round
		globalMixed[k] = mixed{n1: round, p: mk(id), n2: [3]int{round, round, round}, q: mk(id + 500_000), s: fmt.Sprint(round)}
		time.Sleep(100 * time.Microsecond)
		held := globalMixed[k]
		globalMixed[k] = mixed{}
		time.Sleep(100 * time.Microsecond)
		verify(held.p, id)
		verify(held.q, id+500_000)
		if held.s != fmt.Sprint(round) {
			bad.Add(1)
		}
	}
}

func syncmaps(base int) {
	var m sync.Map
	for i := 0; i < 20000; i++ {
		m.Store(i%300, mk(base+i))
		if v, ok := m.Load((i + 7) % 300); ok {
			o := v.(*obj)
			if o.id < base || !o.ok(o.id) {
				bad.Add(1)
			}
		}
		if i%50 == 0 {
			m.Delete(i % 300)
		}
	}
}

func timers(base int) {
	var wg sync.WaitGroup
	for i := 0; i < 2000; i++ {
		wg.Add(1)
		o := mk(base + i)
		id := base + i
		t := time.AfterFunc(time.Hour, func() {})
		t.Reset(time.Duration(i%5) * time.Microsecond) // modTimer stores f/arg
		time.AfterFunc(time.Duration(i%7)*time.Microsecond, func() {
			verify(o, id)
			wg.Done()
		})
		t.Stop()
	}
	wg.Wait()
}

var sink []byte

func main() {
	stop := make(chan bool)
	collected := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				collected <- n
				return
			default:
			}
			runtime.GC()
			n++
			sink = make([]byte, 1<<16)
		}
	}()
	var wg sync.WaitGroup
	for k, f := range []func(int){maps, channels, atomics, reflects, copies, globals, syncmaps, timers} {
		wg.Add(1)
		go func(k int, f func(int)) {
			defer wg.Done()
			f((k + 1) * 1_000_000)
		}(k, f)
	}
	wg.Wait()
	close(stop)
	n := <-collected
	fmt.Println("collections ran:", n > 0)
	fmt.Println("objects damaged:", bad.Load())
}
