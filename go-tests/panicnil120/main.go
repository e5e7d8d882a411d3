// panic(nil) in a module that declares go 1.20: the go command links it
// with GODEBUG default panicnil=1 (runtime.godebugDefault), so recover
// reports nil, unless the environment says otherwise. This directory is a
// module of its own; scripts/go-tests builds it from inside.
package main

import (
	"fmt"
	"os"
	"os/exec"
)

func try(label string) {
	defer func() {
		r := recover()
		fmt.Printf("%s: recovered %T(%v)\n", label, r, r)
	}()
	panic(nil)
}

func main() {
	if len(os.Args) > 2 && os.Args[1] == "child" {
		try("child")
		panic(nil)
	}
	try("go.mod default")
	os.Setenv("GODEBUG", "panicnil=0")
	try("Setenv panicnil=0")
	os.Setenv("GODEBUG", "")
	try("Setenv empty")
	os.Unsetenv("GODEBUG")
	for _, env := range []string{"", "GODEBUG=panicnil=0", "GODEBUG=panicnil=1"} {
		cmd := exec.Command(os.Args[0], "child", "x")
		cmd.Env = os.Environ()
		if env != "" {
			cmd.Env = append(cmd.Env, env)
		}
		out, err := cmd.CombinedOutput()
		fmt.Printf("--- child %q: %v\n%s", env, err, out)
	}
}
