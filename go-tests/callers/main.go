// runtime.Caller line numbers, Callers + CallersFrames through inlined
// functions, FuncForPC, log with Lshortfile, errors with stack info.
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

func where() string {
	_, file, line, ok := runtime.Caller(1)
	return fmt.Sprintf("%s:%d %v", filepath.Base(file), line, ok)
}

// Small enough to be inlined into its callers.
func inlinedLeaf(pcs []uintptr) int { return runtime.Callers(1, pcs) }

func inlinedMiddle(pcs []uintptr) int { return inlinedLeaf(pcs) }

//go:noinline
func outer() []string {
	pcs := make([]uintptr, 16)
	n := inlinedMiddle(pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var out []string
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, "main.") {
			out = append(out, fmt.Sprintf("%s %s:%d", f.Function, filepath.Base(f.File), f.Line))
		}
		if !more {
			break
		}
	}
	return out
}

type T struct{}

//go:noinline
func (T) Method() string { return where() }

func generic[X any](x X) string {
	pc, _, _, _ := runtime.Caller(0)
	return runtime.FuncForPC(pc).Name()
}

func main() {
	fmt.Println(where())
	fmt.Println(T{}.Method())
	for _, s := range outer() {
		fmt.Println(s)
	}
	pc, file, line, ok := runtime.Caller(0)
	f := runtime.FuncForPC(pc)
	ffile, fline := f.FileLine(pc)
	fmt.Println(f.Name(), filepath.Base(file), line, ok, filepath.Base(ffile) == filepath.Base(file), fline == line, f.Entry() <= pc)
	fmt.Println(runtime.FuncForPC(0) == nil)
	fmt.Println(generic(1), generic("s"))
	log.SetFlags(log.Lshortfile)
	log.SetOutput(os.Stdout)
	log.Println("log with file and line")
	_, _, _, ok = runtime.Caller(100)
	fmt.Println("deep caller ok:", ok)
}
