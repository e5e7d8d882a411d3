// Runtime operations one at a time, for counting the instructions each
// costs (scripts/icount: cachegrind's count for n operations minus its
// count for none, divided by n; deterministic, unlike time on a shared
// machine). Usage: ops NAME N, or ops list.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var sinkI int
var sinkS string
var sinkA any
var sinkB []byte

type shape interface{ area() int }
type sq struct{ a int }

func (s sq) area() int { return s.a * s.a }

type big struct{ a, b, c, d int }

func deferred(i int) (r int) {
	defer func() { r += i }()
	return i
}

func recovered(i int) (r int) {
	defer func() {
		if recover() != nil {
			r = i
		}
	}()
	if i >= 0 {
		panic("x")
	}
	return 0
}

var errX = errors.New("x")

// names lists the operations, in the order of main's switch.
var names = []string{"convT64", "convTstring", "convTbig", "assertE2I", "typeswitch", "concat", "concat3", "bytes2str", "str2bytes", "append", "makeslice", "newobj", "defer", "recover", "chanbuf", "select", "mutex", "rwmutex", "once", "pool", "atomic", "sprintf", "errorsis", "builder", "goroutine", "unbuf", "closure", "mapclear", "mapsmalliter", "selectdefault", "timenow", "callers", "callersframes", "reflectcall", "deepequal", "sortslice", "ctxcancel", "chanclose", "gosched", "mapstructkey", "mapanykey", "efaceeq"}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "list" {
		fmt.Println(strings.Join(names, " "))
		return
	}
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: ops NAME N | ops list")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n < 0 {
		fmt.Fprintln(os.Stderr, "ops: N must be a count:", os.Args[2])
		os.Exit(2)
	}
	s := 0
	switch os.Args[1] {
	case "convT64":
		for i := 0; i < n; i++ {
			sinkA = i + 1000
		}
	case "convTstring":
		strs := []string{"a", "bb", "ccc"}
		for i := 0; i < n; i++ {
			sinkA = strs[i%3]
		}
	case "convTbig":
		for i := 0; i < n; i++ {
			sinkA = big{i, i, i, i}
		}
	case "assertE2I":
		var xs []any = []any{sq{1}, sq{2}}
		for i := 0; i < n; i++ {
			if sh, ok := xs[i&1].(shape); ok {
				s += sh.area()
			}
		}
	case "typeswitch":
		var xs []any = []any{sq{1}, 1, "s", 2.0}
		for i := 0; i < n; i++ {
			switch v := xs[i&3].(type) {
			case shape:
				s += v.area()
			case int:
				s += v
			case string:
				s += len(v)
			}
		}
	case "concat":
		a, b := "hello", "world"
		for i := 0; i < n; i++ {
			sinkS = a + b
		}
	case "concat3":
		a, b := "hello", "world"
		for i := 0; i < n; i++ {
			sinkS = a + " " + b + strconv.Itoa(i&7)
		}
	case "bytes2str":
		b := []byte("hello world, this is a test")
		for i := 0; i < n; i++ {
			sinkS = string(b)
		}
	case "str2bytes":
		str := "hello world, this is a test"
		for i := 0; i < n; i++ {
			sinkB = []byte(str)
		}
	case "append":
		for i := 0; i < n/16; i++ {
			var x []int
			for j := 0; j < 16; j++ {
				x = append(x, j)
			}
			s += len(x)
		}
	case "makeslice":
		for i := 0; i < n; i++ {
			sinkB = make([]byte, 64)
		}
	case "newobj":
		for i := 0; i < n; i++ {
			p := new(big)
			p.a = i
			sinkA = p
		}
	case "defer":
		for i := 0; i < n; i++ {
			s += deferred(i)
		}
	case "recover":
		for i := 0; i < n; i++ {
			s += recovered(i)
		}
	case "chanbuf":
		c := make(chan int, 16)
		for i := 0; i < n; i++ {
			c <- i
			s += <-c
		}
	case "select":
		c1 := make(chan int, 1)
		c2 := make(chan int, 1)
		for i := 0; i < n; i++ {
			select {
			case c1 <- i:
			case c2 <- i:
			}
			select {
			case v := <-c1:
				s += v
			case v := <-c2:
				s += v
			}
		}
	case "mutex":
		var mu sync.Mutex
		for i := 0; i < n; i++ {
			mu.Lock()
			s++
			mu.Unlock()
		}
	case "rwmutex":
		var mu sync.RWMutex
		for i := 0; i < n; i++ {
			mu.RLock()
			s++
			mu.RUnlock()
		}
	case "once":
		var o sync.Once
		for i := 0; i < n; i++ {
			o.Do(func() { s++ })
		}
	case "pool":
		p := sync.Pool{New: func() any { return new(big) }}
		for i := 0; i < n; i++ {
			b := p.Get().(*big)
			b.a = i
			p.Put(b)
		}
	case "atomic":
		var x atomic.Int64
		for i := 0; i < n; i++ {
			x.Add(1)
		}
		s = int(x.Load())
	case "sprintf":
		for i := 0; i < n; i++ {
			sinkS = fmt.Sprintf("%d-%s", i, "x")
		}
	case "errorsis":
		e := fmt.Errorf("wrap: %w", errX)
		for i := 0; i < n; i++ {
			if errors.Is(e, errX) {
				s++
			}
		}
	case "builder":
		for i := 0; i < n/16; i++ {
			var b strings.Builder
			for j := 0; j < 16; j++ {
				b.WriteString("ab")
			}
			s += b.Len()
		}
	case "goroutine":
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() { wg.Done() }()
			wg.Wait()
		}
	case "unbuf":
		c := make(chan int)
		done := make(chan bool)
		go func() {
			for v := range c {
				s += v
			}
			done <- true
		}()
		for i := 0; i < n; i++ {
			c <- i
		}
		close(c)
		<-done
	case "closure":
		for i := 0; i < n; i++ {
			f := func() int { return i * 2 }
			sinkA = f
		}
	case "mapclear":
		m := map[int]int{}
		for i := 0; i < n/8; i++ {
			for j := 0; j < 8; j++ {
				m[j] = j
			}
			clear(m)
		}
	case "mapsmalliter":
		m := map[string]int{"a": 1, "b": 2, "c": 3}
		for i := 0; i < n/3; i++ {
			for _, v := range m {
				s += v
			}
		}
	case "selectdefault":
		c := make(chan int)
		for i := 0; i < n; i++ {
			select {
			case v := <-c:
				s += v
			default:
				s++
			}
		}
	case "timenow":
		for i := 0; i < n; i++ {
			s += time.Now().Nanosecond() & 1
		}
	case "callers":
		pcs := make([]uintptr, 16)
		for i := 0; i < n; i++ {
			s += runtime.Callers(1, pcs)
		}
	case "callersframes":
		pcs := make([]uintptr, 16)
		for i := 0; i < n/10; i++ {
			k := runtime.Callers(1, pcs)
			fr := runtime.CallersFrames(pcs[:k])
			for {
				f, more := fr.Next()
				s += f.Line
				if !more {
					break
				}
			}
		}
	case "reflectcall":
		f := reflect.ValueOf(func(a, b int) int { return a + b })
		args := []reflect.Value{reflect.ValueOf(1), reflect.ValueOf(2)}
		for i := 0; i < n/10; i++ {
			s += int(f.Call(args)[0].Int())
		}
	case "deepequal":
		a := map[string][]int{"a": {1, 2}, "b": {3}}
		b := map[string][]int{"a": {1, 2}, "b": {3}}
		for i := 0; i < n/10; i++ {
			if reflect.DeepEqual(a, b) {
				s++
			}
		}
	case "sortslice":
		x := make([]int, 64)
		for i := 0; i < n/64; i++ {
			for j := range x {
				x[j] = (j * 7919) % 64
			}
			sort.Slice(x, func(a, b int) bool { return x[a] < x[b] })
		}
	case "ctxcancel":
		for i := 0; i < n/10; i++ {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			<-ctx.Done()
		}
	case "chanclose":
		for i := 0; i < n; i++ {
			c := make(chan int)
			close(c)
			_, ok := <-c
			if !ok {
				s++
			}
		}
	case "gosched":
		for i := 0; i < n/10; i++ {
			runtime.Gosched()
		}
	case "mapstructkey":
		type sk struct {
			name string
			id   int
		}
		m := map[sk]int{}
		keys := make([]sk, 64)
		for i := range keys {
			keys[i] = sk{fmt.Sprint("k", i), i}
			m[keys[i]] = i
		}
		for i := 0; i < n; i++ {
			s += m[keys[i&63]]
		}
	case "mapanykey":
		m := map[any]int{}
		keys := make([]any, 64)
		for i := range keys {
			keys[i] = i * 7
			m[keys[i]] = i
		}
		for i := 0; i < n; i++ {
			s += m[keys[i&63]]
		}
	case "efaceeq":
		var a, b any = "hello", "hello"
		for i := 0; i < n; i++ {
			if a == b {
				s++
			}
		}
	default:
		fmt.Fprintln(os.Stderr, "ops: unknown operation", os.Args[1], "(ops list names them)")
		os.Exit(2)
	}
	sinkI = s
}
