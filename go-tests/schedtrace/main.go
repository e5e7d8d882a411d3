// GODEBUG=schedtrace and scheddetail: this program runs itself as a child
// (upstream reads its counters racily, so nmidlelocked may print negative)
// with the setting, and checks every trace line against upstream's formats.
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

var (
	summary = regexp.MustCompile(`^SCHED \d+ms: gomaxprocs=(\d+) idleprocs=\d+ threads=\d+ spinningthreads=\d+ needspinning=[01] idlethreads=\d+ runqueue=\d+( \[(\d+ ?)+\])?( gcwaiting=(true|false) nmidlelocked=-?\d+ stopwait=-?\d+ sysmonwait=(true|false))?$`)
	pLine   = regexp.MustCompile(`^  P\d+: status=\d schedtick=\d+ syscalltick=\d+ m=(\d+|nil) runqsize=\d+ gfreecnt=\d+ timerslen=\d+$`)
	mLine   = regexp.MustCompile(`^  M\d+: p=(\d+|nil) curg=(\d+|nil) mallocing=\d+ throwing=\d+ preemptoff=.* locks=-?\d+ dying=\d+ spinning=(true|false) blocked=(true|false) lockedg=(\d+|nil)$`)
	gLine   = regexp.MustCompile(`^  G\d+: status=\d+\([a-zA-Z .()]*\) m=(\d+|nil) lockedm=(\d+|nil)$`)
)

func child() {
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			end := time.Now().Add(60 * time.Millisecond)
			for time.Now().Before(end) {
				time.Sleep(time.Millisecond)
			}
		}()
	}
	wg.Wait()
}

func check(godebug string, procs string) {
	cmd := exec.Command(os.Args[0], "child")
	cmd.Env = append(os.Environ(), "GODEBUG="+godebug, "GOMAXPROCS="+procs)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		fmt.Println(godebug, "child failed:", err)
		return
	}
	out := stderr.String()
	if i := strings.LastIndexByte(out, '\n'); i >= 0 && i < len(out)-1 {
		// The child exited while the monitor was printing a line (on
		// either runtime): drop the unfinished line.
		out = out[:i+1]
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	counts := map[string]int{}
	bad := 0
	for _, l := range lines {
		switch {
		case summary.MatchString(l):
			counts["SCHED"]++
			if m := summary.FindStringSubmatch(l); m[1] != procs {
				bad++
			}
		case pLine.MatchString(l):
			counts["P"]++
		case mLine.MatchString(l):
			counts["M"]++
		case gLine.MatchString(l):
			counts["G"]++
		default:
			bad++
			fmt.Printf("unexpected line: %q\n", l)
		}
	}
	fmt.Printf("%s GOMAXPROCS=%s: summary lines: %v, P lines: %v, M lines: %v, G lines: %v, bad lines: %d\n",
		godebug, procs, counts["SCHED"] > 0, counts["P"] > 0, counts["M"] > 0, counts["G"] > 0, bad)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		child()
		return
	}
	check("schedtrace=10", "3")
	check("schedtrace=10,scheddetail=1", "2")
}
