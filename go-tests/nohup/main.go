// Signals ignored when the program starts (as under nohup) stay ignored
// for SIGHUP and SIGINT: os/signal.Ignored reports them, receiving one is
// harmless, Notify can still ask for one, and Stop/Reset return to
// ignoring it. Other inherited ignores (SIGTERM) are overridden by the
// runtime's own handler. The program re-runs itself with SIGHUP, SIGINT
// and SIGTERM ignored (exec keeps ignored dispositions).
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

func report(who string) {
	for _, s := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1} {
		fmt.Printf("%s: Ignored(%v) = %v\n", who, s, signal.Ignored(s))
	}
}

func child() {
	report("child")
	// Ignored signals do nothing.
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	time.Sleep(50 * time.Millisecond)
	fmt.Println("child: alive after SIGHUP and SIGINT")

	// Notify still delivers them.
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGHUP)
	fmt.Println("child: Ignored(SIGHUP) after Notify =", signal.Ignored(syscall.SIGHUP))
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	select {
	case s := <-c:
		fmt.Println("child: notified of", s)
	case <-time.After(5 * time.Second):
		fmt.Println("child: SIGHUP not delivered")
	}

	// Stop: back to the inherited disposition (ignored).
	signal.Stop(c)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	time.Sleep(50 * time.Millisecond)
	fmt.Println("child: alive after Stop and SIGHUP")

	signal.Notify(c, syscall.SIGINT)
	signal.Reset(syscall.SIGINT)
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	time.Sleep(50 * time.Millisecond)
	fmt.Println("child: alive after Reset and SIGINT")
}

func main() {
	if os.Getenv("NOHUP_CHILD") == "1" {
		child()
		return
	}
	report("parent")
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM)
	report("parent after Ignore")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "NOHUP_CHILD=1")
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stdout
	err := cmd.Run()
	fmt.Println("child exited:", err)
}
