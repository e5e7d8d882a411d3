// Fatal-error reports laid out as upstream's:
//   - stack overflow (thrown on the system stack): the limit and sp lines,
//     "fatal error: stack overflow", a blank line, "runtime stack:" with
//     the system stack's frames, then every goroutine (the overflowing one
//     first, its middle frames elided), exit status 2;
//   - debug.SetMaxThreads below the threads that exist (thrown on the
//     calling goroutine's stack): the limit line, "fatal error: thread
//     exhaustion", then the goroutines, the caller first;
//   - a collection scanning a goroutine whose stack holds, beyond its
//     innermost frame, the frame of an assembly function that writes SP
//     (spwrite, spwrite_amd64.s: the assembler marks it SPWRITE, and no
//     unwinder can step over it): "traceback: unexpected SPWRITE function
//     main.spwrite", "fatal error: traceback", and no silent stop of the
//     scan at that frame (its callers' pointers unmarked).
//
// The program runs itself as a child per case and prints each report with
// the runtime's own frames left out: their names and positions are the
// runtime's implementation (upstream: runtime.newstack, runtime.gopark...;
// gort: its Rust functions), everything else must match.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
)

func f(n int) int {
	var buf [64]byte
	buf[n%64] = byte(n)
	return f(n+1) + int(buf[3])
}

// spwrite calls back with SP aligned by hand (spwrite_amd64.s).
func spwrite()

// back collects (without allocating first, so that the first collection
// is this one even where gort's GORT_GCSTRESS collects at allocations):
// the collection scans this goroutine's stack, back's frame, then
// spwrite's.
func back() {
	runtime.GC()
}

func main() {
	switch os.Getenv("FATAL_CHILD") {
	case "overflow":
		// On a goroutine of its own: its stack starts with the same
		// frames on both runtimes (goexit's, then the function's), so
		// the same number of f's frames fit (main's starts below
		// runtime.main's frame, whose size is each runtime's own).
		go func() { println(f(0)) }()
		select {}
	case "maxthreads":
		debug.SetMaxThreads(1)
		return
	case "spwrite":
		spwrite()
		fmt.Println("the collection scanned past main.spwrite")
		return
	}
	for _, c := range []string{"overflow", "maxthreads", "spwrite"} {
		fmt.Println("==", c)
		report(c)
	}
}

func report(child string) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "FATAL_CHILD="+child, "GOMAXPROCS=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	// Goroutine sections whose frames are all the runtime's own (its
	// background goroutines, whose states depend on what the collector
	// happens to be doing) are left out whole.
	var section []string
	userFrames := false
	flush := func() {
		header := ""
		for _, l := range section {
			if l != "" {
				header = l
				break
			}
		}
		if userFrames || !strings.HasPrefix(header, "goroutine ") {
			for _, l := range section {
				fmt.Println(l)
			}
		}
		section, userFrames = nil, false
	}
	sc := bufio.NewScanner(&stderr)
	inRuntimeStack, skipNext := false, false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case skipNext:
			skipNext = false
			continue
		case line == "runtime stack:":
			inRuntimeStack = true
			section = append(section, line)
			continue
		case inRuntimeStack && line != "":
			continue
		case line == "":
			inRuntimeStack = false
			flush()
		case strings.HasPrefix(line, "runtime.") || strings.HasPrefix(line, "created by runtime."):
			skipNext = true // and its position line
			continue
		case !strings.HasPrefix(line, "goroutine ") && !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, "created by"):
			userFrames = true
		}
		// Argument words of the overflowing frames are whatever the stack
		// held ("0x4a?": unreliable, as the "?" says): not compared.
		if i := strings.Index(line, "(0x"); i > 0 && strings.HasSuffix(line, ")") {
			line = line[:i] + "(...)"
		}
		section = append(section, line)
	}
	flush()
	fmt.Println("exit status", code)
}
