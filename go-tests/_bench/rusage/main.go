// rusage runs a command and reports what it cost: scripts/bench's
// measuring wrapper (built with upstream's runtime only).
//
// Usage: rusage OUTFILE CMD [ARG...]
//
// The command's standard output goes to OUTFILE, its standard error passes
// through. rusage prints one line: the command's wall-clock time in
// nanoseconds and its peak resident set size in KiB (ru_maxrss of the
// waited-for child). A command that fails makes rusage fail.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: rusage OUTFILE CMD [ARG...]")
		os.Exit(2)
	}
	out, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "rusage:", err)
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdout = out
	cmd.Stderr = os.Stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	out.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "rusage: %s: %v\n", os.Args[2], err)
		os.Exit(1)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "rusage: no resource usage")
		os.Exit(1)
	}
	fmt.Printf("%d %d\n", wall.Nanoseconds(), ru.Maxrss)
}
