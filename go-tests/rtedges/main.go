// Corners of the runtime's Go face: Goexit and recovery (a recovery never
// jumps over a running Goexit), open-coded and linked defers around a
// recovery, recover through a method wrapper, a nil deferred function,
// reflect.Select's case layout, reflect calls with many register
// arguments (spillArgs/unspillArgs), finalizers of every parameter kind,
// debug.SetPanicOnFault, CallersFrames on odd input. With an argument: a
// nil dereference that kills the program.
package main

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// Goexit whose deferred call panics, and a deferred call of that panic
// recovers: the recovery must not jump past the Goexit, which continues.
func goexitRecover() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer fmt.Println("goexit: outermost defer runs")
		defer func() {
			defer func() { fmt.Println("goexit: recovered", recover()) }()
			panic("inside goexit's defer")
		}()
		runtime.Goexit()
	}()
	wg.Wait()
}

// Goexit runs a deferred call that panics; an earlier-deferred call
// recovers: execution resumes in Goexit's loop, not in the frame.
func goexitJump() {
	done := make(chan bool)
	go func() {
		defer close(done)
		defer fmt.Println("jump: last")
		defer func() { fmt.Println("jump: recovered", recover()) }()
		defer func() { panic("hello") }()
		func() {
			defer fmt.Println("jump: inner defer")
			runtime.Goexit()
		}()
		fmt.Println("jump: NOT REACHED")
	}()
	<-done
}

// Goexit in a deferred call of a panic, then a recover below.
func goexitDuringPanic() {
	done := make(chan bool)
	go func() {
		defer close(done)
		defer func() { fmt.Println("gdp: recover sees", recover()) }()
		defer runtime.Goexit()
		panic("p")
	}()
	<-done
}

// Open-coded defers, recovery in the middle: the remaining ones still run.
func openCoded() (r int) {
	defer func() { r += 100; fmt.Println("open: last defer, r =", r) }()
	defer func() {
		if e := recover(); e != nil {
			fmt.Println("open: recovered", e)
			r = 1
		}
	}()
	defer fmt.Println("open: first defer")
	var m map[string]int
	m["x"] = 1
	return 7
}

// Linked defers (loop), recovery in the middle.
func linked(n int) (s string) {
	for i := 0; i < n; i++ {
		i := i
		defer func() {
			if i == 2 {
				if e := recover(); e != nil {
					s += fmt.Sprint("[rec ", e, "]")
				}
			}
			s += fmt.Sprint(i)
		}()
	}
	panic("loop")
}

// recover through a method value wrapper (argp adjustment).
type T struct{ name string }

func (t T) Rec() { fmt.Println("wrapper recover:", recover(), t.name) }

func wrapperRecover() {
	defer func() { fmt.Println("outer:", recover()) }()
	var i interface{ Rec() } = T{"t"}
	defer i.Rec()
	panic("via wrapper")
}

// Deferred nil func.
func nilDefer() {
	defer func() { fmt.Println("nil defer:", recover()) }()
	var f func()
	defer f()
}

func reflectSelect() {
	a, b, c := make(chan int, 1), make(chan int, 1), make(chan string)
	b <- 5
	cases := []reflect.SelectCase{
		{Dir: reflect.SelectSend, Chan: reflect.ValueOf(c), Send: reflect.ValueOf("x")},
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(a)},
		{Dir: reflect.SelectDefault},
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(b)},
	}
	i, v, ok := reflect.Select(cases)
	fmt.Println("rselect:", i, v, ok)
	i, v, ok = reflect.Select(cases)
	fmt.Println("rselect default:", i, v.IsValid(), ok)
	got := make(chan string)
	go func() { got <- <-c }()
	i, _, _ = reflect.Select(cases[:2])
	fmt.Println("rselect send:", i, <-got)
	close(a)
	i, v, ok = reflect.Select(cases[1:2])
	fmt.Println("rselect closed:", i, v, ok)
	i, _, ok = reflect.Select([]reflect.SelectCase{{Dir: reflect.SelectDefault}})
	fmt.Println("rselect only default:", i, ok)
}

func many(a int, x float64, b int, y float32, c int8, z float64, d, e, f, g, h, i2, j, k int, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15, w16 float64) (int, float64) {
	return a + b + int(c) + d + e + f + g + h + i2 + j + k, x + float64(y) + z + w1 + w2 + w3 + w4 + w5 + w6 + w7 + w8 + w9 + w10 + w11 + w12 + w13 + w14 + w15 + w16
}

func reflectCalls() {
	args := []reflect.Value{}
	ft := reflect.TypeOf(many)
	for i := 0; i < ft.NumIn(); i++ {
		args = append(args, reflect.ValueOf(i+1).Convert(ft.In(i)))
	}
	out := reflect.ValueOf(many).Call(args)
	fmt.Println("call:", out[0], out[1])
	mk := reflect.MakeFunc(ft, func(in []reflect.Value) []reflect.Value {
		s := 0.0
		n := 0
		for _, v := range in {
			if v.CanFloat() {
				s += v.Float()
			} else {
				n += int(v.Int())
			}
		}
		return []reflect.Value{reflect.ValueOf(n), reflect.ValueOf(s * 2)}
	})
	f := mk.Interface().(func(int, float64, int, float32, int8, float64, int, int, int, int, int, int, int, int, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64) (int, float64))
	n, s := f(1, 2.5, 3, 4.5, 5, 6.5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30)
	fmt.Println("makefunc:", n, s)
}

type S struct{ n int }

func (s *S) String() string { return fmt.Sprint("S", s.n) }

type big struct{ a [20]int }

func finalizers() {
	ch := make(chan string, 10)
	for i := 0; i < 3; i++ {
		s := &S{i}
		switch i {
		case 0:
			runtime.SetFinalizer(s, func(x fmt.Stringer) { ch <- "stringer " + x.String() })
		case 1:
			runtime.SetFinalizer(s, func(x *S) big { ch <- fmt.Sprint("ptr with big result ", x.n); return big{} })
		case 2:
			runtime.SetFinalizer(s, func(x any) (int, string, float64) { ch <- fmt.Sprint("any ", x.(*S).n); return 1, "", 2 })
		}
	}
	var got []string
	for len(got) < 3 {
		runtime.GC()
		select {
		case s := <-ch:
			got = append(got, s)
		case <-time.After(10 * time.Millisecond):
		}
	}
	for _, want := range []string{"stringer S0", "ptr with big result 1", "any 2"} {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		fmt.Println("finalizer", want, found)
	}
}

func faults() {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		r := recover()
		err := r.(error)
		var ae interface{ Addr() uintptr }
		fmt.Println("fault:", err, errors.As(err, &ae) && ae.Addr() == 0xdead0000)
	}()
	p := (*int)(unsafe.Pointer(uintptr(0xdead0000)))
	fmt.Println(*p)
}

func callers() {
	pcs := make([]uintptr, 20)
	n := runtime.Callers(0, pcs)
	fr := runtime.CallersFrames(append([]uintptr{1, 2}, pcs[:n]...))
	for {
		f, more := fr.Next()
		fmt.Println("frame", f.Function, strings.Contains(f.File, ".go"), f.Line > 0, more)
		if !more {
			break
		}
	}
	f, more := runtime.CallersFrames(nil).Next()
	fmt.Println("empty", f.PC, f.Function == "", more)
	f, more = runtime.CallersFrames([]uintptr{1, 2, 3}).Next()
	fmt.Println("bogus", f.PC, more)
	_, file, line, ok := runtime.Caller(0)
	fmt.Println("caller", strings.HasSuffix(file, "main.go"), line, ok)
	_, _, _, ok = runtime.Caller(100)
	fmt.Println("caller far", ok)
}

func main() {
	goexitRecover()
	goexitJump()
	goexitDuringPanic()
	fmt.Println("open result:", openCoded())
	fmt.Println("linked:", linked(5))
	wrapperRecover()
	nilDefer()
	reflectSelect()
	reflectCalls()
	finalizers()
	faults()
	callers()
	if len(os.Args) > 1 {
		var p *S
		fmt.Println(p.n)
	}
}
