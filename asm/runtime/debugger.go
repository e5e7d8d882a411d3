// What debuggers read about goroutines and threads, under upstream's names
// and types: gdb's runtime-gdb.py walks allgs ("info goroutines",
// "goroutine N bt"); Delve reads allgs and allglen, and allm. The Rust
// side keeps the lists and these variables: allgs and allglen are written
// whenever a goroutine is first created (a view of the array of every G,
// src/base/gm.rs), allm is the head of the list of Ms itself
// (src/sched/mthread.rs). Go code never reads them.

package runtime

var (
	allgs   []*g
	allglen uintptr
	allm    *m
)
