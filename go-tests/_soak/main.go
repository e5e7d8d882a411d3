// The soak program (scripts/soak): an HTTP server and concurrent clients on
// loopback for a given time. Each request carries its own random body; the
// server answers with the body's SHA-256 and a transformed copy; each
// client checks both. Every few seconds it prints requests, errors,
// mismatches and the resident set size; at the end a summary line, and
// exit status 1 if anything went wrong or RSS grew without bound.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	duration = flag.Duration("d", time.Minute, "how long to run")
	clients  = flag.Int("c", 32, "concurrent clients")
)

func rssKB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			n, _ := strconv.ParseInt(strings.Fields(l)[1], 10, 64)
			return n
		}
	}
	return -1
}

func handler(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	sum := sha256.Sum256(body)
	w.Header().Set("X-Sum", hex.EncodeToString(sum[:]))
	w.Write(bytes.ToUpper(body))
}

func main() {
	flag.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, http.HandlerFunc(handler))
	url := "http://" + ln.Addr().String() + "/echo"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *clients}, Timeout: 30 * time.Second}

	var requests, errors, mismatches atomic.Int64
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed))
			for time.Now().Before(deadline) {
				body := make([]byte, 16+rng.Intn(64<<10))
				for i := range body {
					body[i] = 'a' + byte(rng.Intn(26))
				}
				resp, err := client.Post(url, "text/plain", bytes.NewReader(body))
				if err != nil {
					errors.Add(1)
					continue
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				requests.Add(1)
				sum := sha256.Sum256(body)
				if err != nil || resp.StatusCode != 200 || resp.Header.Get("X-Sum") != hex.EncodeToString(sum[:]) || !bytes.Equal(got, bytes.ToUpper(body)) {
					if mismatches.Add(1) <= 5 {
						want := bytes.ToUpper(body)
						at := 0
						for at < len(got) && at < len(want) && got[at] == want[at] {
							at++
						}
						fmt.Printf("MISMATCH: err=%v status=%d sum ok=%v len got=%d want=%d first diff at %d: got %q want %q\n",
							err, resp.StatusCode, resp.Header.Get("X-Sum") == hex.EncodeToString(sum[:]), len(got), len(want), at,
							got[at:min(at+16, len(got))], want[at:min(at+16, len(want))])
					}
				}
			}
		}(int64(c))
	}
	start := time.Now()
	var first, peak int64
	done := make(chan bool)
	go func() { wg.Wait(); close(done) }()
	tick := time.NewTicker(5 * time.Second)
loop:
	for {
		select {
		case <-done:
			break loop
		case <-tick.C:
			rss := rssKB()
			if first == 0 {
				first = rss
			}
			peak = max(peak, rss)
			fmt.Printf("%6.0fs requests=%d errors=%d mismatches=%d rss=%dMB\n", time.Since(start).Seconds(), requests.Load(), errors.Load(), mismatches.Load(), rss>>10)
		}
	}
	final := rssKB()
	fmt.Printf("soak: %s, %d requests, %d errors, %d mismatches, rss first %dMB peak %dMB final %dMB\n",
		duration.String(), requests.Load(), errors.Load(), mismatches.Load(), first>>10, peak>>10, final>>10)
	// Bounded: the resident set may settle, not keep growing; allow the
	// warm-up sample to be small.
	if errors.Load() != 0 || mismatches.Load() != 0 || requests.Load() == 0 || (first > 0 && peak > 4*first+256<<10) {
		os.Exit(1)
	}
}
