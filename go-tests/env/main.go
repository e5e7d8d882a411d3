// Environment variables: Getenv, LookupEnv, Setenv, Unsetenv, Environ,
// ExpandEnv; plus runtime facts that do not vary between runs.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
)

func main() {
	fmt.Println("GORT_TEST_VAR =", os.Getenv("GORT_TEST_VAR"))
	_, ok := os.LookupEnv("GORT_UNSET_VAR")
	fmt.Println("unset present:", ok)
	os.Setenv("GORT_NEW", "new value")
	fmt.Println(os.Getenv("GORT_NEW"), os.ExpandEnv("[$GORT_NEW]"))
	os.Unsetenv("GORT_TEST_VAR")
	fmt.Println("after unset:", os.Getenv("GORT_TEST_VAR") == "")
	var mine []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GORT_") {
			mine = append(mine, kv)
		}
	}
	sort.Strings(mine)
	fmt.Println(mine)
	fmt.Println(runtime.GOOS, runtime.GOARCH, runtime.Version(), runtime.Compiler)
	fmt.Println(runtime.NumCPU() > 0, runtime.GOMAXPROCS(0) > 0)
}
