// What debuggers read about threads, under upstream's name and type:
// Delve reads allm (goroutines: allgs and allglen, proc.go). The list of
// Ms is the Rust side's own (src/sched/mthread.rs keeps its head here).
// Go code never reads it.

package runtime

var allm *m
