// The execution tracer: runtime/trace.Start ... Stop around goroutines,
// channels, system calls, a forced collection, sleeps (more than one
// generation) and user tasks, regions and logs; then `go tool trace`
// parses the trace (its v2 reader checks every goroutine and P state
// transition) and turns it into scheduler-latency, blocking and syscall
// profiles whose stacks reach the program's functions. Only facts
// that hold on every run are printed: the annotations, in order, and
// whether each kind of event appeared (and the reasons the world was
// stopped for, as the trace names them). A second trace must start after
// the first, not while it runs.
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/trace"
	"sort"
	"strings"
	"sync"
	"time"
)

var sink [][]byte

func work(ctx context.Context) {
	ctx, task := trace.NewTask(ctx, "work")
	defer task.End()
	var wg sync.WaitGroup
	ch := make(chan int)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			trace.WithRegion(ctx, "worker", func() {
				s := 0
				for j := 0; j < 200000; j++ {
					s += j
				}
				trace.WithRegion(ctx, "send", func() { ch <- s + i })
			})
		}(i)
	}
	go func() { wg.Wait(); close(ch) }()
	n := 0
	for range ch {
		n++
	}
	trace.Log(ctx, "received", fmt.Sprint(n))
	trace.Logf(ctx, "", "unnamed category %d", 42)

	// System calls, a collection, allocation, timers.
	os.ReadFile("/proc/self/stat")
	runtime.GC()
	// Stops of the world for other reasons, each named in the trace.
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	runtime.Stack(make([]byte, 1<<16), true)
	// Enough allocation for several collections the heap triggers, each
	// followed by allocation while spans are still unswept: the allocator
	// then sweeps some itself (a sweep range in the trace). With only a
	// collection or two the background sweeper could finish first (seen
	// on upstream: a trace with no allocator sweep).
	for i := 0; i < 20000; i++ {
		sink = append(sink, make([]byte, 4096))
		if len(sink) == 1000 {
			sink = nil
		}
	}
	sink = nil
	time.Sleep(5 * time.Millisecond)

	// A task in another goroutine, ended by a third.
	done := make(chan *trace.Task)
	go func() {
		_, t := trace.NewTask(ctx, "child")
		done <- t
	}()
	t := <-done
	go func() { t.End(); done <- nil }()
	<-done
}

func traceOnce(name string, long bool) (string, error) {
	f, err := os.CreateTemp("", "exectrace-*.out")
	if err != nil {
		return "", err
	}
	if err := trace.Start(f); err != nil {
		return "", err
	}
	if err := trace.Start(&bytes.Buffer{}); err != nil {
		fmt.Println(name, "second Start:", err)
	}
	work(context.Background())
	if long {
		// Past a generation's length (about a second, upstream and gort).
		time.Sleep(1200 * time.Millisecond)
		trace.Log(context.Background(), "after", "sleep")
	}
	trace.Stop()
	f.Close()
	return f.Name(), nil
}

func summarize(name, file string, long bool) {
	gobin := runtime.GOROOT() + "/bin/go"
	out, err := exec.Command(gobin, "tool", "trace", "-d=1", file).CombinedOutput()
	text := string(out)
	if err != nil || strings.Contains(text, "failed to read") || strings.Contains(text, "broken trace") {
		fmt.Println(name, "parse: FAILED:", err)
		lines := strings.Split(text, "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		fmt.Fprintln(os.Stderr, strings.Join(lines, "\n"))
		return
	}
	fmt.Println(name, "parse: ok")
	var annotations []string
	seen := map[string]bool{}
	stw := map[string]bool{}
	created, syncs := 0, 0
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		if len(f) < 5 {
			continue
		}
		kind := f[3]
		rest := l[strings.Index(l, kind)+len(kind):]
		// Drop the timestamp and IDs that differ run to run.
		if i := strings.Index(rest, "Time="); i >= 0 {
			j := strings.IndexByte(rest[i:], ' ')
			if j < 0 {
				rest = rest[:i]
			} else {
				rest = rest[:i] + rest[i+j+1:]
			}
		}
		switch kind {
		case "TaskBegin", "TaskEnd", "RegionBegin", "RegionEnd", "Log":
			annotations = append(annotations, kind+rest)
		case "Sync":
			syncs++
		case "Metric":
			if strings.Contains(l, "/memory/classes/heap/objects:bytes") {
				seen["heap metric"] = true
			}
		case "RangeBegin":
			if strings.Contains(l, "GC concurrent mark phase") {
				seen["GC"] = true
			}
			if strings.Contains(l, "GC incremental sweep") {
				seen["sweep"] = true
			}
			if i := strings.Index(l, "stop-the-world ("); i >= 0 {
				seen["stop-the-world"] = true
				k := l[i:]
				stw[k[:strings.IndexByte(k, ')')+1]] = true
			}
		case "Label":
			if strings.Contains(l, `Label="GC (`) {
				seen["mark worker label"] = true
			}
		case "StateTransition":
			if strings.Contains(l, "NotExist->Runnable") {
				created++
			}
			for _, tr := range []string{"Running->Syscall", "Running->Waiting", "Waiting->Runnable", "Runnable->Running", "Running->NotExist"} {
				if strings.Contains(l, " "+tr) {
					seen[tr] = true
				}
			}
		}
	}
	// Goroutines run concurrently: their annotations interleave.
	sort.Strings(annotations)
	for _, a := range annotations {
		fmt.Println(name, " ", a)
	}
	var kinds []string
	for k := range seen {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Println(name, "seen:", strings.Join(kinds, ", "))
	var stws []string
	for k := range stw {
		stws = append(stws, k)
	}
	sort.Strings(stws)
	fmt.Println(name, "stops of the world:", strings.Join(stws, ", "))
	fmt.Println(name, "goroutines created >= 10:", created >= 10)
	if long {
		fmt.Println(name, "generations >= 2:", syncs >= 2)
	}

	// The scheduler-latency, synchronization-blocking and syscall
	// profiles have samples (pprof's -raw lists them).
	for _, kind := range []string{"sched", "sync", "syscall"} {
		prof, err := os.CreateTemp("", "exectrace-*.pprof")
		if err != nil {
			fmt.Println(name, err)
			return
		}
		cmd := exec.Command(gobin, "tool", "trace", "-pprof="+kind, file)
		cmd.Stdout = prof
		err = cmd.Run()
		prof.Close()
		raw, _ := exec.Command(gobin, "tool", "pprof", "-raw", prof.Name()).Output()
		os.Remove(prof.Name())
		fmt.Println(name, "pprof="+kind+":", err == nil && strings.Contains(string(raw), "Samples:") && strings.Contains(string(raw), "main."))
	}
}

func main() {
	// Annotations while no trace runs are no-ops.
	ctx, task := trace.NewTask(context.Background(), "untraced")
	trace.Log(ctx, "k", "v")
	trace.WithRegion(ctx, "r", func() {})
	task.End()
	fmt.Println("enabled before:", trace.IsEnabled())

	for i, long := range []bool{true, false} {
		name := fmt.Sprintf("trace%d", i+1)
		file, err := traceOnce(name, long)
		if err != nil {
			fmt.Println(name, "error:", err)
			continue
		}
		summarize(name, file, long)
		os.Remove(file)
	}
	fmt.Println("enabled after:", trace.IsEnabled())
}
