// CPU profiling: pprof.StartCPUProfile samples the running goroutines
// (SIGPROF on each thread's CPU-time timer); the profile must parse, its
// sampling period must be 1e9/hz, the hot function must dominate the
// samples, samples taken inside pprof.Do must carry the labels, and a
// second profile must start once the first has stopped (but not while it
// runs). Counts are not compared (they vary run to run on either
// runtime): only what is deterministic is printed.
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
}
