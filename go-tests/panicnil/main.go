// panic(nil) under GODEBUG=panicnil: by default (a module of go 1.21 or
// later) it panics with a *runtime.PanicNilError; with panicnil=1 it is old
// Go's panic(nil), which recover reports as nil. The setting is read from
// the environment at startup (children run with it set) and again whenever
// the program changes GODEBUG (os.Setenv, os.Unsetenv).
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
)

func try(label string) {
	defer func() {
		r := recover()
		fmt.Printf("%s: recovered %T(%v)\n", label, r, r)
		if err, ok := r.(error); ok {
			var re runtime.Error
			fmt.Printf("  error %q, runtime.Error: %v\n", err.Error(), errors.As(err, &re))
		}
	}()
	panic(nil)
	fmt.Println("not reached")
}

// nested: a panic(nil) inside a deferred call of another panic.
func nested(label string) {
	defer func() { fmt.Printf("%s: outer recovered %v\n", label, recover()) }()
	defer func() { panic(nil) }()
	panic("first")
}

func child(mode string) {
	switch mode {
	case "recover":
		try("child")
		nested("child")
	case "die":
		panic(nil)
	case "goroutine":
		done := make(chan bool)
		go func() {
			defer close(done)
			try("goroutine")
		}()
		<-done
		panic(nil)
	}
}

func run(mode string, env ...string) {
	cmd := exec.Command(os.Args[0], "child", mode)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	fmt.Printf("--- child %s %v: %v\n%s", mode, env, err, out)
}

func main() {
	if len(os.Args) > 2 && os.Args[1] == "child" {
		child(os.Args[2])
		return
	}
	try("default")
	nested("default")
	os.Setenv("GODEBUG", "panicnil=1")
	try("Setenv panicnil=1")
	nested("Setenv panicnil=1")
	os.Setenv("GODEBUG", "panicnil=1,panicnil=0")
	try("Setenv panicnil=1,panicnil=0")
	os.Setenv("GODEBUG", "panicnil=0,panicnil=1,panicnil=x")
	try("Setenv panicnil=0,panicnil=1,panicnil=x")
	os.Setenv("GODEBUG", "panicnil=2")
	try("Setenv panicnil=2")
	os.Setenv("GODEBUG", "panicnil=1")
	os.Unsetenv("GODEBUG")
	try("Unsetenv")

	os.Unsetenv("GODEBUG")
	run("recover")
	run("recover", "GODEBUG=panicnil=1")
	run("recover", "GODEBUG=gctrace=0,panicnil=1,asyncpreemptoff=0")
	run("die")
	run("die", "GODEBUG=panicnil=1")
	run("goroutine", "GODEBUG=panicnil=1")
}
