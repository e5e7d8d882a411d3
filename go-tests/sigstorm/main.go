// A storm of signals while data moves: 16 MB through a pipe and 16 MB
// through a loopback TCP connection, with a goroutine sending SIGUSR1 (and
// SIGURG, the preemption signal) to the process as fast as it can. System
// calls interrupted by the handlers must be restarted or retried: every
// byte arrives, in order, and the handlers see the signals.
package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
)

const size = 16 << 20

func source() []byte {
	b := make([]byte, size)
	x := uint32(1)
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	return b
}

func transfer(w io.WriteCloser, r io.Reader, data []byte) [32]byte {
	go func() {
		// Odd-sized writes, so that some are split by the kernel.
		for off := 0; off < len(data); off += 7919 {
			end := min(off+7919, len(data))
			if _, err := w.Write(data[off:end]); err != nil {
				panic(err)
			}
		}
		w.Close()
	}()
	h := sha256.New()
	buf := make([]byte, 4093)
	n, err := io.CopyBuffer(h, r, buf)
	if err != nil || n != int64(len(data)) {
		panic(fmt.Sprint("short transfer: ", n, err))
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

func main() {
	data := source()
	want := sha256.Sum256(data)

	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs, syscall.SIGUSR1)
	var received atomic.Int64
	go func() {
		for range sigs {
			received.Add(1)
		}
	}()
	stop := make(chan bool)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		pid := os.Getpid()
		for {
			select {
			case <-stop:
				return
			default:
			}
			syscall.Kill(pid, syscall.SIGUSR1)
			syscall.Kill(pid, syscall.SIGURG)
		}
	}()

	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	fmt.Println("pipe intact:", transfer(w, r, data) == want)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	accepted := make(chan net.Conn)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			panic(err)
		}
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	fmt.Println("socket intact:", transfer(c, <-accepted, data) == want)

	close(stop)
	wg.Wait()
	signal.Stop(sigs)
	fmt.Println("signals seen:", received.Load() > 0)
}
