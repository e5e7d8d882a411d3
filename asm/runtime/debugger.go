// What debuggers read about threads, under upstream's name and type:
// Delve reads allm (goroutines: allgs and allglen, proc.go). The list of
// Ms is the Rust side's own (src/sched/mthread.rs keeps its head here).
// Go code never reads it.

package runtime

var allm *m

// Constants of package runtime that debuggers print from DWARF (the
// runtime's gdb test reads these two). gort's heap has the same page size
// and numbers an in-use span the same way (src/mem/heap asserts both).
type mSpanState uint8

const mSpanInUse mSpanState = 1

const _PageSize = 8192
