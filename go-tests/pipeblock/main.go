// A goroutine blocked reading a pipe must not stop the others (the env
// file sets GOMAXPROCS=1): through the poller (os.Pipe) and through a
// blocking read(2) in a system call (syscall.Pipe), which sysmon hands off.
package main

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"
)

func spin(d time.Duration) int {
	n := 0
	for start := time.Now(); time.Since(start) < d; n++ {
	}
	return n
}

func main() {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	got := make(chan string)
	go func() {
		buf := make([]byte, 64)
		n, err := r.Read(buf)
		got <- fmt.Sprint(string(buf[:n]), err)
	}()
	// Others keep running while the reader waits.
	done := make(chan bool)
	go func() { time.Sleep(20 * time.Millisecond); done <- spin(10*time.Millisecond) > 0 }()
	fmt.Println("worker ran while reader blocked (poller):", <-done)
	w.Write([]byte("via poller"))
	fmt.Println("reader got:", <-got)

	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		panic(err)
	}
	go func() {
		buf := make([]byte, 64)
		n, err := syscall.Read(p[0], buf)
		got <- fmt.Sprint(string(buf[:n]), err)
	}()
	go func() { time.Sleep(20 * time.Millisecond); done <- spin(10*time.Millisecond) > 0 }()
	fmt.Println("worker ran while reader blocked (read syscall):", <-done)
	syscall.Write(p[1], []byte("via syscall"))
	fmt.Println("reader got:", <-got)

	// A read deadline wakes a blocked reader with a timeout.
	r.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	_, err = r.Read(make([]byte, 1))
	fmt.Println("deadline:", os.IsTimeout(err))
	// Closing the pipe wakes a blocked reader.
	go func() { time.Sleep(10 * time.Millisecond); r.Close() }()
	r.SetReadDeadline(time.Time{})
	_, err = r.Read(make([]byte, 1))
	fmt.Println("closed:", err)
	// The write end stays open until here (a collection would otherwise
	// finalize it and the reader would see EOF).
	runtime.KeepAlive(w)
}
