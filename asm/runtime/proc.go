// The parts of the scheduler that must run on a goroutine's own stack: the
// main goroutine (package initialisers and main.main are ordinary Go code
// that may block, grow the stack and start goroutines), and the entry points
// that hand the goroutine over to the Rust scheduler through mcall.

package runtime

import (
	"internal/cpu"
	"runtime/internal/atomic"
	"unsafe"
)

// Stack guard: compiled prologues compare SP against g.stackguard0, which
// lies this many bytes above the stack's low end. NOSPLIT chains may use up
// to stackGuard-stackSmall bytes below it (the linker checks 800).
const (
	stackGuard = 928
	stackSmall = 128
)

// Operations gort_mcall performs on g0 for the goroutine that called mcall.
const (
	mcallPark        = 0 // block until goready (what to commit was prepared in Rust)
	mcallGosched     = 1 // back to the global run queue
	mcallGoexit      = 2 // the goroutine is finished
	mcallPreempt     = 3 // yield at a preemption request
	mcallYield       = 4 // to the tail of the P's own run queue (a semaphore handed off)
	mcallExitsyscall = 5 // leave a system call when no P was free: wait for one
	mcallCoroswitch  = 6 // hand the thread to a coroutine's other goroutine (coro.go)
	mcallDebugCall   = 7 // wait while a debugger's call runs on a new goroutine (debugcall.go)
	mcallDebugDone   = 8 // a debugger's call is over: back to the goroutine it interrupted
)

// The linker writes the module's symbol tables here (and sizes it from this
// declaration's type).
var firstmoduledata moduledata
var lastmoduledatap *moduledata

// Every goroutine ever created, for debuggers (gdb's runtime-gdb.py and
// Delve read them): the Rust scheduler keeps the list (src/sched) and
// publishes it here at every addition. The array is not in the Go heap.
var (
	allgs   []*g
	allglen uintptr
)

// mcall switches to g0 and runs gort_mcall(gp, op) there (asm_amd64.s).
func mcall(op int)

func abort()

// main is the body of the main goroutine.
func main() {
	// With -race, the race runtime starts before anything it watches.
	if raceenabled {
		raceinit()
	}
	// The runtime's own set-up first (upstream does it before the main
	// goroutine exists): sysmon, once started, may preempt this goroutine,
	// which changes the scheduling order programs observe.
	cpuinit(rt_godebug())
	typesinit()
	memProfileInit(rt_godebug())
	// From here on new goroutines wake idle Ps; sysmon starts watching.
	mainStarted = true
	rt_mainStarted()
	// Package initialisers run on the main thread (some C libraries and
	// system calls care which thread calls them).
	rt_lockOSThread()
	initDone := false
	defer func() {
		// Reached only through runtime.Goexit in an initialiser: the main
		// goroutine ends, and its thread must not stay locked to it.
		if !initDone {
			rt_unlockOSThread()
		}
	}()
	initTrace = rt_initTraceOn()
	doInit(runtime_inittasks)
	gcenable()
	// Calls from threads C created wait for the package initialisers
	// (cgocallbackg1); runtime/cgo's thread-exit hook calls crosscall2
	// through the pointer set_crosscall2 sets. rt_runtimeInitDone then
	// lets runtime/cgo's exported functions in.
	main_init_done = make(chan bool)
	if set_crosscall2 != nil {
		set_crosscall2()
	}
	rt_runtimeInitDone()
	for md := &firstmoduledata; md != nil; md = md.next {
		doInit(md.inittasks)
	}
	close(main_init_done)
	initDone = true
	rt_unlockOSThread()
	rt_mainInitDone()
	main_main()
	// A goroutine whose panic is on its way to a fatal report may still be
	// running deferred calls: give it the chance to get there; and while a
	// report is being printed, wait for its exit (status 2), as upstream,
	// rather than exit 0 under it.
	for c := 0; c < 1000 && atomic.Load((*uint32)(unsafe.Pointer(&runningPanicDefers))) != 0; c++ {
		Gosched()
	}
	if rt_panicking() {
		rt_parkForever(uint8(waitReasonPanicWait))
		gopark()
	}
	runExitHooks(0)
	if raceenabled {
		racefini() // exits: 66 if races were reported
	}
	rt_exit(0)
	for {
		var x *int32
		*x = 0
	}
}

// cpuinit detects CPU features before any package initialiser runs (the
// internal/cpu contract) and publishes the ones compiled code consults.
func cpuinit(godebug string) {
	// Linux lets GODEBUG turn CPU features off (cpu.avx2=off, cpu.all=off).
	cpu.DebugOptions = true
	cpu.Initialize(godebug)
	x86HasPOPCNT = cpu.X86.HasPOPCNT
	x86HasSSE41 = cpu.X86.HasSSE41
	x86HasFMA = cpu.X86.HasFMA
	rt_cpuflags(cpu.X86.HasAVX, cpu.X86.HasAVX2, cpu.X86.HasERMS)
}

// doInit runs the initialisers of each task, in the linker's order.
func doInit(tasks []*initTask) {
	for _, t := range tasks {
		runInitTask(t)
	}
}

func runInitTask(t *initTask) {
	switch t.state {
	case 2:
		return
	case 1:
		fatal("recursive call during initialization - linker skew")
	}
	if t.nfns == 0 {
		fatal("inittask with no functions")
	}
	t.state = 1
	// The task's nfns function entry PCs follow its 8-byte header. A func
	// value is a pointer to a word holding the PC, so point at each word.
	pcs := add(unsafe.Pointer(t), 8)
	if initTrace {
		rt_initTraceStart()
	}
	for i := uintptr(0); i < uintptr(t.nfns); i++ {
		pc := add(pcs, i*8)
		initfn := *(*func())(unsafe.Pointer(&pc))
		initfn()
	}
	if initTrace {
		rt_initTraceEnd(*(*uintptr)(pcs))
	}
	t.state = 2
}

// GODEBUG=inittrace=1: report each package's initialisation.
var initTrace bool

// goexit is the bottom frame of every goroutine (asm_amd64.s); it is never
// called. Its parameter's type is what tracebacks print as its arguments,
// "runtime.goexit({})", as upstream's.
func goexit(neverCallThisFunction)

type neverCallThisFunction struct{}

// goexit1 finishes the current goroutine (its function returned into goexit).
func goexit1() {
	mcall(mcallGoexit)
}

// Gosched yields the processor, allowing other goroutines to run. The
// current goroutine is not suspended: it resumes automatically.
func Gosched() {
	mcall(mcallGosched)
}

// goyield yields the processor but stays on this P's run queue (behind
// what is there), where Gosched would go to the global queue: after a
// handoff the woken goroutine runs next here, and the yielder after it.
func goyield() {
	mcall(mcallYield)
}

func badmcall() {
	fatal("runtime: mcall called on m->g0 stack")
}

func badmorestackgsignal() {
	fatal("morestack on gsignal")
}

// newproc starts a goroutine running fn: the compiled form of `go f()`.
func newproc(fn *funcval) {
	rt_newproc(fn, getcallerpc())
}

// Compiler intrinsics.
func getcallerpc() uintptr
func getcallersp() uintptr

// getfp returns its caller's frame pointer register (asm_amd64.s), as
// upstream's stubs_amd64.go declares it.
func getfp() uintptr
func getg() *g

// entersyscall: the goroutine is about to make a system call that may
// block. The collector and tracebacks walk its stack from the caller's pc
// and sp meanwhile: the caller's frame (syscall.Syscall's, say) stays as
// it is until the call returns, while frames below it are reused by the
// system call itself. (Had the Rust entry point been called directly,
// from syscall's package through the toolchain's ABI wrapper, the saved
// position would lie in the wrapper's frame, dead and overwritten by the
// time anything walks it.)
//
//go:nosplit
func entersyscall() {
	rt_entersyscall(getcallerpc(), getcallersp())
}

// entersyscallblock: like entersyscall, for a call known to block (the P
// is handed off at once).
//
//go:nosplit
func entersyscallblock() {
	rt_entersyscallblock(getcallerpc(), getcallersp())
}

// exitsyscall: the goroutine's system call returned. The fast path takes
// a P back in Rust; without one, wait for a P on g0.
//
//go:nosplit
func exitsyscall() {
	if !rt_exitsyscallfast() {
		mcall(mcallExitsyscall)
	}
}

// Serialises stop-the-world operations (a goroutine waiting for another's
// to finish parks instead of holding up its P).
var worldsema uint32 = 1

// Time every goroutine transition for runtime/metrics, not one in eight
// (runtime tests set it: TestMutexWaitTimeMetric; src/sched/stats.rs).
var casgstatusAlwaysTrack bool

// GOMAXPROCS returns the number of Ps and, when n >= 1, makes it n
// (stopping the world to resize).
func GOMAXPROCS(n int) int {
	ret := rt_gomaxprocs()
	if n <= 0 || n == ret {
		return ret
	}
	semacquire1(&worldsema, false, false, 0, waitReasonSemacquire)
	ret = rt_gomaxprocs()
	rt_gomaxprocsStop(n)
	startTheWorldGC()
	return ret
}

// startTheWorldGC restarts the world stopped by a caller that holds
// worldsema, and releases worldsema. (Upstream's name: execution traces
// show the GOMAXPROCS change under runtime.startTheWorld and
// runtime.startTheWorldGC, and tools match those frames.)
func startTheWorldGC() {
	startTheWorld()
	semrelease1(&worldsema, false, 0)
}

// startTheWorld restarts the world (the new GOMAXPROCS takes effect here).
//
//go:noinline
func startTheWorld() {
	rt_startTheWorld()
}

// asyncPreempt is injected by the signal handler (asm_amd64.s).
func asyncPreempt()

// asyncPreempt2 yields the processor from an asynchronous preemption; the
// goroutine's registers are saved in asyncPreempt's frame meanwhile.
//
//go:nosplit
func asyncPreempt2() {
	gp := getg()
	gp.asyncSafePoint = true
	mcall(mcallPreempt)
	gp.asyncSafePoint = false
}
