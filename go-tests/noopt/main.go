// Built with -gcflags=all=-N -l (no optimisation, no inlining, as debuggers
// build programs): the runtime package itself must compile that way (no
// variable of its own may move to the heap), and behave the same.
package main

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

func where() string {
	_, file, line, ok := runtime.Caller(1)
	return fmt.Sprintf("%s:%d %v", filepath.Base(file), line, ok)
}

func main() {
	fmt.Println(where())
	m := map[string]int{}
	for i := 0; i < 1000; i++ {
		m[fmt.Sprint(i)] = i
	}
	fmt.Println(len(m), m["999"])
	var wg sync.WaitGroup
	ch := make(chan int, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ch <- i * i
		}(i)
	}
	wg.Wait()
	close(ch)
	sum := 0
	for v := range ch {
		sum += v
	}
	fmt.Println(sum)
	runtime.GC()
	defer func() {
		r := recover()
		fmt.Println("recovered:", r)
		pcs := make([]uintptr, 8)
		n := runtime.Callers(0, pcs)
		frames := runtime.CallersFrames(pcs[:n])
		var names []string
		for {
			f, more := frames.Next()
			names = append(names, f.Function)
			if !more {
				break
			}
		}
		fmt.Println(strings.Join(names[:2], " "))
	}()
	var s []int
	_ = s[5]
}
