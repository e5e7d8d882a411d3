// CPU profiling: pprof.StartCPUProfile samples the running goroutines
// (SIGPROF on each thread's CPU-time timer); the profile must parse, its
// sampling period must be 1e9/hz, the hot function must dominate the
// samples, samples taken inside pprof.Do must carry the labels, and a
// second profile must start once the first has stopped (but not while it
// runs), samples in map lookups must name the lookup and its caller, and
// samples in clock reads must be walked from their goroutine. Counts are
// not compared (they vary run to run on either runtime): only what is
// deterministic is printed.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"
)

var sink uint64

//go:noinline
func hotLoop(d time.Duration) {
	end := time.Now().Add(d)
	x := uint64(1)
	for time.Now().Before(end) {
		for i := 0; i < 100000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	sink += x
}

//go:noinline
func labeledLoop(d time.Duration) {
	end := time.Now().Add(d)
	x := uint64(3)
	for time.Now().Before(end) {
		for i := 0; i < 100000; i++ {
			x = x*2862933555777941757 + 3037000493
		}
	}
	sink += x
}

var lookupTable = map[uint64]uint64{}

// mapLoop spends its time in map lookups: gort runs them on the
// goroutine's stack (leaf entry points); their samples must still name
// runtime.mapaccess1_fast64 called from here, as upstream's do.
//
//go:noinline
func mapLoop(d time.Duration) {
	end := time.Now().Add(d)
	x := uint64(0)
	for time.Now().Before(end) {
		for i := uint64(0); i < 10000; i++ {
			x += lookupTable[i&4095]
		}
	}
	sink += x
}

// clockLoop spends its time reading the clocks: gort reads them through
// the vDSO on the system stack (asm/runtime/clock.go); samples taken there
// must be walked from this goroutine's frames, with no runtime frame that
// upstream's do not have (runtime.systemstack), and never as external
// code.
//
//go:noinline
func clockLoop(d time.Duration) {
	start := time.Now()
	x := int64(0)
	for time.Since(start) < d {
		for i := 0; i < 1000; i++ {
			x += time.Now().UnixNano()
		}
	}
	sink += uint64(x)
}

// A sample of a profile as go tool pprof -traces lists it: its time and
// its frames, innermost first.
type trace struct {
	ms     int
	frames []string
}

// traces profiles run and returns the samples.
func traces(gobin string, run func()) []trace {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return nil
	}
	run()
	pprof.StopCPUProfile()
	f, _ := os.CreateTemp("", "cputraces*.pprof")
	defer os.Remove(f.Name())
	f.Write(buf.Bytes())
	f.Close()
	out, _ := exec.Command(gobin, "tool", "pprof", "-traces", f.Name()).CombinedOutput()
	// Samples are separated by lines of dashes.
	var ts []trace
	for _, sample := range strings.Split(string(out), "-----------+") {
		var t trace
		for _, l := range strings.Split(sample, "\n") {
			fs := strings.Fields(l)
			if len(fs) == 0 || strings.HasPrefix(fs[0], "---") {
				continue
			}
			if len(t.frames) == 0 && len(fs) > 1 && strings.HasSuffix(fs[0], "ms") {
				fmt.Sscanf(strings.TrimSuffix(fs[0], "ms"), "%d", &t.ms)
			}
			t.frames = append(t.frames, fs[len(fs)-1])
		}
		ts = append(ts, t)
	}
	return ts
}

// under reports the frames of t innermost to fn, and whether fn is in t.
func (t trace) under(fn string) ([]string, bool) {
	for i, f := range t.frames {
		if f == fn {
			return t.frames[:i], true
		}
	}
	return nil, false
}

// leafAttribution profiles mapLoop and reports whether some sample's
// stack has runtime.mapaccess1_fast64 right above main.mapLoop, and
// whether most samples are under main.mapLoop (a sample taken in a
// lookup that could not be walked would name no Go function:
// runtime._ExternalCode, runtime._System). (Not "every": gort's scheduler
// is Rust, whose code an idle thread's samples name as external code,
// where upstream's name its Go functions.)
func leafAttribution(gobin string) (attributed, most bool) {
	for i := uint64(0); i < 4096; i++ {
		lookupTable[i] = i
	}
	total, inLoop := 0, 0
	for _, t := range traces(gobin, func() { mapLoop(300 * time.Millisecond) }) {
		total += t.ms
		if above, ok := t.under("main.mapLoop"); ok {
			inLoop += t.ms
			if len(above) > 0 && above[len(above)-1] == "runtime.mapaccess1_fast64" {
				attributed = true
			}
		}
	}
	return attributed, total > 0 && inLoop*2 > total
}

// clockAttribution profiles clockLoop and reports whether most samples
// are under main.clockLoop and whether none of those has
// runtime.systemstack above it.
func clockAttribution(gobin string) (most, noSystemstack bool) {
	total, inLoop := 0, 0
	noSystemstack = true
	for _, t := range traces(gobin, func() { clockLoop(300 * time.Millisecond) }) {
		total += t.ms
		if above, ok := t.under("main.clockLoop"); ok {
			inLoop += t.ms
			for _, f := range above {
				if f == "runtime.systemstack" {
					noSystemstack = false
				}
			}
		}
	}
	return total > 0 && inLoop*2 > total, noSystemstack
}

func profileOnce(buf *bytes.Buffer) error {
	if err := pprof.StartCPUProfile(buf); err != nil {
		return err
	}
	done := make(chan bool)
	go func() { hotLoop(400 * time.Millisecond); done <- true }()
	pprof.Do(context.Background(), pprof.Labels("phase", "labeled"), func(context.Context) {
		labeledLoop(200 * time.Millisecond)
	})
	<-done
	pprof.StopCPUProfile()
	return nil
}

func main() {
	var buf bytes.Buffer
	if err := profileOnce(&buf); err != nil {
		fmt.Println("StartCPUProfile:", err)
		return
	}
	// A second profile while one runs is refused.
	var other bytes.Buffer
	pprof.StartCPUProfile(&buf)
	err := pprof.StartCPUProfile(&other)
	fmt.Println("second StartCPUProfile refused:", err != nil)
	pprof.StopCPUProfile()

	zr, err := gzip.NewReader(bytes.NewReader(buf.Bytes()))
	var raw []byte
	if err == nil {
		raw, err = io.ReadAll(zr)
	}
	fmt.Println("profile gzipped:", err == nil, "names hotLoop:", bytes.Contains(raw, []byte("main.hotLoop")),
		"has label:", bytes.Contains(raw, []byte("labeled")))

	// go tool pprof reads it: the hot function is on top.
	f, _ := os.CreateTemp("", "cpu*.pprof")
	defer os.Remove(f.Name())
	var first bytes.Buffer
	profileOnce(&first)
	f.Write(first.Bytes())
	f.Close()
	gobin := runtime.GOROOT() + "/bin/go"
	// Sorted by cumulative time: the hot loop's share, not its rank by
	// flat time (on a loaded machine, samples landing in
	// runtime.asyncPreempt can outnumber it there, with either runtime).
	out, err := exec.Command(gobin, "tool", "pprof", "-top", "-cum", "-nodecount=20", f.Name()).CombinedOutput()
	if err != nil {
		fmt.Println("pprof -top:", err, string(out))
		return
	}
	hot := 0.0
	for _, l := range strings.Split(string(out), "\n") {
		fs := strings.Fields(l)
		if len(fs) == 6 && fs[5] == "main.hotLoop" {
			fmt.Sscanf(strings.TrimSuffix(fs[4], "%"), "%g", &hot)
		}
	}
	fmt.Println("hot function in most samples:", hot > 50)
	out, _ = exec.Command(gobin, "tool", "pprof", "-raw", f.Name()).CombinedOutput()
	s := string(out)
	fmt.Println("period:", strings.Contains(s, "Period: 10000000"), "sample types:", strings.Contains(s, "samples/count cpu/nanoseconds"))
	// Labeled samples: pprof -tagfocus keeps only them; the labeled loop
	// is there, the unlabeled hot loop is not.
	out, _ = exec.Command(gobin, "tool", "pprof", "-top", "-tagfocus=phase=labeled", f.Name()).CombinedOutput()
	s = string(out)
	fmt.Println("tagfocus: labeledLoop", strings.Contains(s, "main.labeledLoop"), "hotLoop", strings.Contains(s, "main.hotLoop"))
	attributed, most := leafAttribution(gobin)
	fmt.Println("map lookups sampled in runtime.mapaccess1_fast64 under main.mapLoop:", attributed)
	if !raceBuild {
		fmt.Println("most samples under main.mapLoop:", most)
	}
	most, noSystemstack := clockAttribution(gobin)
	if !raceBuild {
		fmt.Println("most samples under main.clockLoop:", most)
	}
	fmt.Println("clock reads' samples without runtime.systemstack:", noSystemstack)
}
