// Writing to a pipe whose reader is gone: on stdout or stderr the program
// dies of SIGPIPE (as a C program would), unless it ignores SIGPIPE or
// asked os/signal for it; on any other descriptor the write just fails
// with EPIPE. The program re-runs itself in each configuration with its
// stdout, stderr or descriptor 3 connected to a closed pipe.
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func child(dest int, mode string) {
	var c chan os.Signal
	switch mode {
	case "notify":
		c = make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGPIPE)
	case "ignore":
		signal.Ignore(syscall.SIGPIPE)
	}
	var f *os.File
	switch dest {
	case 1:
		f = os.Stdout
	case 2:
		f = os.Stderr
	default:
		f = os.NewFile(uintptr(dest), "pipe")
	}
	_, err := f.Write([]byte("hello\n"))
	report := os.NewFile(4, "report")
	fmt.Fprintf(report, "write error: %v\n", err)
	if c != nil {
		select {
		case s := <-c:
			fmt.Fprintf(report, "notified: %v\n", s)
		case <-time.After(5 * time.Second):
			fmt.Fprintf(report, "not notified\n")
		}
	}
	os.Exit(0)
}

func main() {
	if d := os.Getenv("SIGPIPE_CHILD"); d != "" {
		dest, _ := strconv.Atoi(d)
		child(dest, os.Getenv("SIGPIPE_MODE"))
		return
	}
	for _, mode := range []string{"default", "notify", "ignore"} {
		for dest := 1; dest <= 3; dest++ {
			r, w, err := os.Pipe()
			if err != nil {
				panic(err)
			}
			r.Close()
			var report bytes.Buffer
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), fmt.Sprintf("SIGPIPE_CHILD=%d", dest), "SIGPIPE_MODE="+mode)
			cmd.Stdout = w
			cmd.Stderr = w
			rr, rw, _ := os.Pipe()
			cmd.ExtraFiles = []*os.File{w, rw}
			if err := cmd.Start(); err != nil {
				panic(err)
			}
			w.Close()
			rw.Close()
			report.ReadFrom(rr)
			rr.Close()
			err = cmd.Wait()
			how := "exit 0"
			if ee, ok := err.(*exec.ExitError); ok {
				ws := ee.Sys().(syscall.WaitStatus)
				if ws.Signaled() {
					how = "killed by " + ws.Signal().String()
				} else {
					how = fmt.Sprintf("exit %d", ws.ExitStatus())
				}
			}
			fmt.Printf("mode %-7s fd %d: %s\n", mode, dest, how)
			for _, line := range strings.SplitAfter(report.String(), "\n") {
				if line != "" {
					fmt.Print("  ", line)
				}
			}
		}
	}
}
