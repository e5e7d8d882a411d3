// Package benchrun is the driver the benchmark programs ../../sched and
// ../../apps share: it runs the benchmark their one argument names and
// prints its nanoseconds per operation, which scripts/bench compares
// between the program built with upstream's runtime and with gort.
package benchrun

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// A Bench is one benchmark of a program: F runs about n operations and
// returns how many it ran; N is the n of a full run.
type Bench struct {
	Name string
	F    func(n int) int
	N    int
}

// Exact is F for a benchmark function that runs exactly n operations.
func Exact(f func(n int)) func(n int) int {
	return func(n int) int {
		f(n)
		return n
	}
}

// Main runs the benchmark os.Args[1] names once small (a tenth of its N: a
// warm-up) and once at full size, and prints the full run's nanoseconds
// per operation on one line. Without exactly one argument it prints the
// usage of program prog (the benchmarks' names in the order given), for
// an unknown name an error, and exits with status 2.
func Main(prog string, benches []Bench) {
	if len(os.Args) != 2 {
		names := make([]string, len(benches))
		for i, b := range benches {
			names[i] = b.Name
		}
		fmt.Fprintln(os.Stderr, "usage:", prog, strings.Join(names, "|"))
		os.Exit(2)
	}
	for _, b := range benches {
		if b.Name != os.Args[1] {
			continue
		}
		b.F(b.N / 10) // warm up
		start := time.Now()
		ops := b.F(b.N)
		fmt.Printf("%.1f\n", float64(time.Since(start).Nanoseconds())/float64(ops))
		return
	}
	fmt.Fprintln(os.Stderr, "unknown benchmark", os.Args[1])
	os.Exit(2)
}
