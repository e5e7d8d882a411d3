// Signals: os/signal delivery (Notify, Ignore, Stop, Reset), the default
// actions (SIGTERM and signal 34 kill, SIGUSR1 is caught and ignored,
// SIGQUIT dumps the goroutines and exits 2), and GOTRACEBACK=crash (a
// panic ends in SIGABRT).
// The checks of other processes run this program as a child.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"
)

func child(mode string) {
	switch mode {
	case "block":
		fmt.Println("ready")
		time.Sleep(time.Hour)
	case "quit":
		c := make(chan int)
		go func() { time.Sleep(time.Hour); c <- 1 }()
		fmt.Println("ready")
		<-c
	case "notify34":
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.Signal(34))
		fmt.Println("ready")
		select {
		case s := <-c:
			fmt.Fprintln(os.Stderr, "delivered:", s)
		case <-time.After(2 * time.Second):
		}
	case "panic":
		panic("boom")
	}
}

// runChild starts this program as a child in mode, waits for it to be
// ready, sends it sig (if any) and returns its exit state and stderr.
func runChild(mode string, sig syscall.Signal, env ...string) (string, string) {
	cmd := exec.Command(os.Args[0], "child", mode)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return "start: " + err.Error(), ""
	}
	// A child that does not finish (never ready, or alive after its
	// signal) is killed after 20 s and reported, rather than leaving the
	// whole test to the harness's time limit, which cannot say which step
	// hung (CI saw upstream's run of this test hang once).
	hung := make(chan bool, 1)
	watchdog := time.AfterFunc(20*time.Second, func() {
		hung <- true
		cmd.Process.Kill()
	})
	if sig != 0 {
		line, _ := bufio.NewReader(out).ReadString('\n')
		if line != "ready\n" {
			watchdog.Stop()
			return "child not ready: " + line, ""
		}
		// Let the child reach its blocking point.
		time.Sleep(50 * time.Millisecond)
		cmd.Process.Signal(sig)
	}
	err := cmd.Wait()
	watchdog.Stop()
	state := "exit status 0"
	if err != nil {
		state = err.Error()
	}
	select {
	case <-hung:
		state = "child " + mode + " still running after 20s: killed"
	default:
	}
	return state, stderr.String()
}

func main() {
	if len(os.Args) > 2 && os.Args[1] == "child" {
		child(os.Args[2])
		return
	}
	c := make(chan os.Signal, 4)
	signal.Notify(c, syscall.SIGUSR1, syscall.SIGUSR2)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	fmt.Println("got:", <-c)
	syscall.Kill(os.Getpid(), syscall.SIGUSR2)
	fmt.Println("got:", <-c)
	signal.Ignore(syscall.SIGHUP)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	fmt.Println("ignored SIGHUP; Ignored reports:", signal.Ignored(syscall.SIGHUP))
	signal.Stop(c)
	signal.Reset()
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	time.Sleep(20 * time.Millisecond)
	select {
	case s := <-c:
		fmt.Println("unexpected delivery after Stop:", s)
	default:
		fmt.Println("SIGUSR1 without Notify is caught and ignored")
	}

	state, _ := runChild("block", syscall.SIGTERM)
	fmt.Println("SIGTERM:", state)
	// Signal 34 is musl's (glibc's are 32 and 33): the runtime leaves it
	// alone, so its default action kills, and os/signal cannot have it.
	state, _ = runChild("block", syscall.Signal(34))
	fmt.Println("signal 34:", state)
	state, _ = runChild("notify34", syscall.Signal(34))
	fmt.Println("signal 34 after Notify:", state)
	state, _ = runChild("block", syscall.SIGINT)
	fmt.Println("SIGINT:", state)

	state, stderr := runChild("quit", syscall.SIGQUIT)
	fmt.Println("SIGQUIT:", state)
	lines := strings.Split(stderr, "\n")
	fmt.Println("  first line:", lines[0])
	fmt.Println("  PC line:", len(lines) > 1 && regexp.MustCompile(`^PC=0x[0-9a-f]+ m=\d+ sigcode=0$`).MatchString(lines[1]))
	fmt.Println("  main goroutine shown:", regexp.MustCompile(`(?m)^goroutine 1 gp=0x[0-9a-f]+ m=nil \[chan receive\]:$`).MatchString(stderr) && strings.Contains(stderr, "\nmain.child("))
	fmt.Println("  sleeping goroutine shown:", regexp.MustCompile(`(?m)^goroutine \d+ gp=0x[0-9a-f]+ m=nil \[sleep\]:$`).MatchString(stderr))
	fmt.Println("  registers:", regexp.MustCompile(`(?m)^rax    0x[0-9a-f]+$`).MatchString(stderr) && regexp.MustCompile(`(?m)^gs     0x[0-9a-f]+$`).MatchString(stderr))

	state, stderr = runChild("panic", 0, "GOTRACEBACK=crash")
	fmt.Println("GOTRACEBACK=crash:", state)
	fmt.Println("  first line:", strings.SplitN(stderr, "\n", 2)[0])
	fmt.Println("  system-level header:", regexp.MustCompile(`(?m)^goroutine 1 gp=0x[0-9a-f]+ m=\d+ mp=0x[0-9a-f]+ \[running\]:$`).MatchString(stderr))
}
