// The goroutine and threadcreate profiles: runtime.GoroutineProfile,
// runtime/pprof's goroutine profile as text (debug=1: stacks grouped, with
// profiler labels, which new goroutines inherit) and as a gzipped
// protocol buffer (debug=0), and the threadcreate profile. Stacks compare
// by the program's own frames (function, file, line); addresses and the
// runtime's own frames differ between runtimes, and so does the number of
// threads, of which only the consistency prints.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"
)

func blockedRecv(ch chan int) { <-ch }

func blockedSelect(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}

func sleeper() { time.Sleep(time.Hour) }

func locker(mu *sync.Mutex) { mu.Lock() }

var failed bool

func check(name string, ok bool, detail ...any) {
	if ok {
		fmt.Println("ok  ", name)
		return
	}
	failed = true
	fmt.Println("FAIL", name, fmt.Sprint(detail...))
}

// waitBlocked returns once every goroutine above is blocked where it
// should be.
func waitBlocked() {
	buf := make([]byte, 1<<16)
	for {
		st := buf[:runtime.Stack(buf, true)]
		if bytes.Count(st, []byte("[chan receive]:")) == 3 && bytes.Contains(st, []byte("[sleep]:")) &&
			bytes.Contains(st, []byte("[sync.Mutex.Lock]:")) && bytes.Contains(st, []byte("[select]:")) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ownFrames is a record's frames in package main, as "function file:line".
func ownFrames(stk []uintptr) string {
	var out []string
	frames := runtime.CallersFrames(stk)
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, "main.") {
			out = append(out, fmt.Sprintf("%s %s:%d", f.Function, filepath.Base(f.File), f.Line))
		}
		if !more {
			break
		}
	}
	return strings.Join(out, " <- ")
}

// textProfile parses a debug=1 profile: its total and, per record, the
// count, the labels and the frames in package main.
func textProfile(b []byte) (total int, recs []string) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	var cur []string
	var count, labels string
	flush := func() {
		if count != "" {
			recs = append(recs, fmt.Sprintf("%s %s[%s]", count, labels, strings.Join(cur, " <- ")))
		}
		cur, count, labels = nil, "", ""
	}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasSuffix(line, " profile: total "+strings.TrimSpace(line[strings.LastIndex(line, " ")+1:])):
			fmt.Sscan(line[strings.LastIndex(line, " ")+1:], &total)
		case strings.Contains(line, " @ "):
			flush()
			count = line[:strings.Index(line, " @ ")]
		case strings.HasPrefix(line, "# labels: "):
			labels = strings.TrimPrefix(line, "# labels: ") + " "
		case strings.HasPrefix(line, "#\t"):
			f := strings.Fields(line)
			if len(f) >= 4 && strings.HasPrefix(f[2], "main.") {
				fn := f[2][:strings.LastIndex(f[2], "+")]
				cur = append(cur, fn+" "+filepath.Base(f[3]))
			}
		}
	}
	flush()
	sort.Strings(recs)
	return
}

func main() {
	ch := make(chan int)
	var mu sync.Mutex
	mu.Lock()
	for i := 0; i < 3; i++ {
		go blockedRecv(ch)
	}
	go sleeper()
	go locker(&mu)
	pprof.Do(context.Background(), pprof.Labels("worker", "select"), func(context.Context) {
		go blockedSelect(make(chan int), make(chan int))
	})
	waitBlocked()

	// runtime.GoroutineProfile.
	n, ok := runtime.GoroutineProfile(nil)
	check("GoroutineProfile sizing", n == runtime.NumGoroutine() && !ok, n)
	p := make([]runtime.StackRecord, n+10)
	n, ok = runtime.GoroutineProfile(p)
	check("GoroutineProfile", ok && n == runtime.NumGoroutine(), n)
	var stacks []string
	for _, r := range p[:n] {
		stacks = append(stacks, ownFrames(r.Stack()))
	}
	sort.Strings(stacks)
	for _, s := range stacks {
		fmt.Println("stack:", s)
	}

	// The text form: the same goroutines, grouped, with their labels.
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		check("goroutine profile (debug=1)", false, err)
	}
	total, recs := textProfile(buf.Bytes())
	check("goroutine profile total", total == runtime.NumGoroutine(), total)
	for _, r := range recs {
		fmt.Println("record:", r)
	}

	// The protocol buffer form.
	buf.Reset()
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 0); err != nil {
		check("goroutine profile (debug=0)", false, err)
	}
	zr, err := gzip.NewReader(&buf)
	var raw []byte
	if err == nil {
		raw, err = io.ReadAll(zr)
	}
	check("goroutine profile (debug=0) is gzipped", err == nil && len(raw) > 0, err)
	check("goroutine profile (debug=0) names the functions", bytes.Contains(raw, []byte("main.blockedSelect")) &&
		bytes.Contains(raw, []byte("main.sleeper")) && bytes.Contains(raw, []byte("select")))

	// The threadcreate profile: a record per thread. Threads are only ever
	// added (the collector's workers may start one between two reads, as
	// under GC stress): each count is at least the one before it.
	buf.Reset()
	if err := pprof.Lookup("threadcreate").WriteTo(&buf, 1); err != nil {
		check("threadcreate profile", false, err)
	}
	threads, _ := textProfile(buf.Bytes())
	m, ok := runtime.ThreadCreateProfile(nil)
	check("threadcreate sizing", m > 0 && !ok, m)
	tp := make([]runtime.StackRecord, m+10)
	m2, ok := runtime.ThreadCreateProfile(tp)
	check("ThreadCreateProfile", ok && m2 >= m && m >= threads && threads > 0, m, " ", m2, " ", threads)

	if failed {
		os.Exit(1)
	}
}
