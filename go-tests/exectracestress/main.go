// The execution tracer under churn: goroutines created, blocked and
// ended in every way (channels, select with timers, sleeps, TCP over the
// network poller, LockOSThread, Goexit, allocation with collections),
// some already running when the trace starts, a CPU
// profile at the same time, three traces in a row (the last spanning
// generations). `go tool trace` must parse each one (its v2 reader checks
// every state transition) and find the CPU samples and the annotations.
// (No GOMAXPROCS changes while tracing: go1.22's own tracer then writes a
// trace its parser rejects now and then, "failed to advance" on a ProcStart
// of a P that shrinking took away; gort's traces parse.)
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"sync"
	"time"
)

func churn(ctx context.Context, d time.Duration) {
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; time.Now().Before(end); i++ {
				switch i % 7 {
				case 0:
					c, err := net.Dial("tcp", ln.Addr().String())
					if err == nil {
						c.Write([]byte("hello"))
						b := make([]byte, 5)
						io.ReadFull(c, b)
						c.Close()
					}
				case 1:
					time.Sleep(time.Millisecond)
				case 2:
					ch := make(chan int)
					go func() { ch <- 1 }()
					select {
					case <-ch:
					case <-time.After(time.Millisecond):
					}
				case 3:
					runtime.LockOSThread()
					runtime.Gosched()
					runtime.UnlockOSThread()
				case 4:
					done := make(chan bool)
					go func() { defer close(done); runtime.Goexit() }()
					<-done
				case 5:
					trace.WithRegion(ctx, "alloc", func() {
						var s [][]byte
						for j := 0; j < 100; j++ {
							s = append(s, make([]byte, 1024))
						}
						_ = s
					})
				case 6:
					x := 0
					for j := 0; j < 100000; j++ {
						x += j
					}
					trace.Log(ctx, "x", fmt.Sprint(x%3))
				}
			}
		}(w)
	}
	wg.Wait()
	ln.Close()
}

func main() {
	var prof bytes.Buffer
	pprof.StartCPUProfile(&prof)
	gobin := runtime.GOROOT() + "/bin/go"
	for round, d := range []time.Duration{300, 300, 1300} {
		f, err := os.CreateTemp("", "exectracestress-*.out")
		if err != nil {
			fmt.Println(err)
			return
		}
		go churn(context.Background(), 200*time.Millisecond) // running when the trace starts
		time.Sleep(50 * time.Millisecond)
		trace.Start(f)
		ctx, task := trace.NewTask(context.Background(), "round")
		churn(ctx, d*time.Millisecond)
		task.End()
		trace.Stop()
		f.Close()
		out, err := exec.Command(gobin, "tool", "trace", "-d=1", f.Name()).CombinedOutput()
		text := string(out)
		if err != nil || strings.Contains(text, "broken trace") {
			fmt.Println("round", round, "parse: FAILED:", err)
			// The parser's complaint, and the state it was in.
			if i := strings.LastIndex(text, "\nM="); i >= 0 {
				text = text[i+1:]
			}
			if len(text) > 3000 {
				text = text[:3000]
			}
			fmt.Fprintln(os.Stderr, text)
		} else {
			fmt.Println("round", round, "parse: ok")
			fmt.Println("round", round, "CPU samples:", strings.Contains(text, "StackSample"))
			fmt.Println("round", round, "task and regions:", strings.Contains(text, `TaskBegin`) && strings.Contains(text, `Type="alloc"`))
		}
		os.Remove(f.Name())
	}
	pprof.StopCPUProfile()
	fmt.Println("ok")
}
