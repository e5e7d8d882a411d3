// The collector's runtime goroutines (their Rust side: src/gc/background.rs,
// src/mem/heap/sweep.rs): the forced-GC helper, the background sweeper and the
// background scavenger. They exist from startup, like upstream's, so a
// program sees the same goroutine ids and the same scheduling order.

package runtime

// Why a collection runs (src/gc: TRIGGER_*).
const (
	triggerHeap uint8 = 0 // the heap reached its goal
	triggerUser uint8 = 1 // runtime.GC
	triggerTime uint8 = 2 // no collection for two minutes
)

func init() {
	go forcegchelper()
}

// forcegchelper collects when sysmon wakes it (no collection for two
// minutes).
func forcegchelper() {
	for {
		if rt_forcegcPark() {
			gopark()
		}
		gcStart(triggerTime, 0)
	}
}

// gcenable starts the sweeper and the scavenger, and returns once both
// run (runtime.main calls it after the runtime's own initialisers).
func gcenable() {
	started := make(chan int, 2)
	go bgsweep(started)
	go bgscavenge(started)
	for i := 0; i < 2; i++ {
		<-started
	}
}

// bgsweep sweeps what each collection left unswept, a batch at a time,
// stepping aside whenever another goroutine wants the processor.
func bgsweep(started chan int) {
	started <- 1
	for {
		for rt_sweepStep() {
			yieldIfBusy()
		}
		if rt_sweepPark() {
			gopark()
		}
	}
}

// bgscavenge returns free pages to the system after each sweep.
func bgscavenge(started chan int) {
	started <- 1
	for {
		if rt_scavengePark() {
			gopark()
		}
		for rt_scavengeStepTimed() {
			yieldIfBusy()
		}
	}
}

// yieldIfBusy lets other goroutines run when this one should yield or no
// processor is idle.
func yieldIfBusy() {
	if rt_schedBusy() {
		Gosched()
	}
}
