// Data layouts shared by compiled Go code, gort's assembly (through the
// go_asm.h the toolchain generates from this file), debuggers (through DWARF)
// and gort's Rust code (through src/build, which parses this file and emits
// matching #[repr(C)] structs). This file is the one definition of each
// layout; tests hold it against the DWARF of a binary linked with upstream's
// runtime.
//
// Field names and order follow go1.22.12's runtime so that the compiler, the
// linker and tools such as gdb's runtime-gdb.py and Delve find what they
// expect. Where a field only matters to gort, the name says what it is in the
// Go runtime's own words.

package runtime

import (
	"internal/abi"
	"runtime/internal/atomic"
	"runtime/internal/sys"
	"unsafe"
)

// Aliases for the type descriptors emitted by the compiler.
type (
	_type         = abi.Type
	maptype       = abi.MapType
	chantype      = abi.ChanType
	slicetype     = abi.SliceType
	functype      = abi.FuncType
	ptrtype       = abi.PtrType
	arraytype     = abi.ArrayType
	structtype    = abi.StructType
	interfacetype = abi.InterfaceType
	uncommontype  = abi.UncommonType
	nameOff       = abi.NameOff
	typeOff       = abi.TypeOff
	textOff       = abi.TextOff
)

// Scheduler handles. They are plain words so that holding one does not keep
// the referent alive for the garbage collector, and so that writes need no
// write barrier.
type (
	guintptr uintptr
	muintptr uintptr
	puintptr uintptr
)

type waitReason uint8
type throwType uint32
type traceTime uint64
type sigset [2]uint32
// The Go-allocated signal stack state of an m (linux).
type gsignalStack struct {
	stack       stack
	stackguard0 uintptr
	stackguard1 uintptr
	stktopsp    uintptr
}

// Number of words of thread-local storage kept in each m.
const tlsSlots = 6

// Stack a leaf entry point's Rust fast path may use on the goroutine's
// stack: its trampoline runs it there only with this much room between SP
// and the stack's low end (asm/templates/surface_amd64.s;
// src/base/leaf.rs). Nothing else runs on that stack meanwhile, so the
// room below stackguard0 counts.
const leafHeadroom = 1024

// The same room counted from stackguard0 (stack.lo + stackGuard), which
// the trampolines compare with: a preemption request (stackguard0 set to
// stackPreempt) then fails the check too, and the slow path yields.
const leafGuardRoom = leafHeadroom - stackGuard

// Goroutine states (g.atomicstatus), as upstream numbers them: debuggers
// and tracebacks read them.
const (
	_Gidle      = 0
	_Grunnable  = 1
	_Grunning   = 2
	_Gsyscall   = 3
	_Gwaiting   = 4
	_Gdead      = 6
	_Gcopystack = 8
	_Gpreempted = 9
	_Gscan      = 0x1000
)

// Why a goroutine waits (g.waitreason), in upstream's numbering: debuggers
// read the number; tracebacks print the text (src/meta/traceback.rs has the texts).
const (
	waitReasonZero waitReason = iota
	waitReasonGCAssistMarking
	waitReasonIOWait
	waitReasonChanReceiveNilChan
	waitReasonChanSendNilChan
	waitReasonDumpingHeap
	waitReasonGarbageCollection
	waitReasonGarbageCollectionScan
	waitReasonPanicWait
	waitReasonSelect
	waitReasonSelectNoCases
	waitReasonGCAssistWait
	waitReasonGCSweepWait
	waitReasonGCScavengeWait
	waitReasonChanReceive
	waitReasonChanSend
	waitReasonFinalizerWait
	waitReasonForceGCIdle
	waitReasonSemacquire
	waitReasonSleep
	waitReasonSyncCondWait
	waitReasonSyncMutexLock
	waitReasonSyncRWMutexRLock
	waitReasonSyncRWMutexLock
	waitReasonTraceReaderBlocked
	waitReasonWaitForGCCycle
	waitReasonGCWorkerIdle
	waitReasonGCWorkerActive
	waitReasonPreempted
	waitReasonDebugCall
	waitReasonGCMarkTermination
	waitReasonStoppingTheWorld
	waitReasonFlushProcCaches
	waitReasonTraceGoroutineStatus
	waitReasonTraceProcStatus
	waitReasonPageTraceFlush
	waitReasonCoroutine
)

// A goroutine stack occupies [lo, hi).
type stack struct {
	lo uintptr
	hi uintptr
}

// Saved execution context of a goroutine that is not running.
type gobuf struct {
	sp   uintptr
	pc   uintptr
	g    guintptr
	ctxt unsafe.Pointer
	ret  uintptr
	lr   uintptr
	bp   uintptr
}

// A closure: the code pointer followed by captured variables.
type funcval struct {
	fn uintptr
}

// A goroutine. The compiler hard-codes the offsets of stack, stackguard0,
// stackguard1 and _panic; the rest is read by gort's Rust code, gort's
// assembly, and debuggers.
type g struct {
	// The goroutine's stack [lo, hi). Function prologues compare SP with
	// stackguard0 (stack.lo + stackGuard normally; stackPreempt to ask the
	// goroutine to enter the scheduler); stackguard1 is the C-stack limit
	// (unused by gort's goroutines: ~0).
	stack       stack
	stackguard0 uintptr
	stackguard1 uintptr

	// The innermost panic and deferred-call records (Go structs on the
	// goroutine's stack or heap; src/lang/panic.rs walks them).
	_panic *_panic
	_defer *_defer
	// The m running the goroutine (nil when it is not running).
	m *m
	// The saved context: where gogo resumes the goroutine. Written by
	// mcall, morestack and rtcall; consumed (cleared but for pc) by
	// gort_gogo.
	sched gobuf
	// pc/sp at entersyscall: tracebacks of a goroutine in a system call
	// start here.
	syscallsp uintptr
	syscallpc uintptr
	// SP at the goroutine's entry (below goexit's return address).
	stktopsp uintptr

	// A word passed between a waker and the woken goroutine (select's
	// winning case, recovery's note to deferreturn).
	param unsafe.Pointer
	// _Grunnable, _Grunning, ... (src/base/gm.rs); changed with CAS.
	atomicstatus atomic.Uint32
	stackLock    uint32 // unused by gort
	goid         uint64
	// Link on a run queue, the global queue or the free list.
	schedlink guintptr
	// When the goroutine began waiting (tracebacks print "N minutes").
	waitsince int64
	// Why it waits (tracebacks print the text: src/meta/traceback.rs).
	waitreason waitReason

	// A preemption request (mirrors stackguard0 = stackPreempt).
	preempt       bool
	preemptStop   bool // unused by gort
	preemptShrink bool // unused by gort

	// Stopped by asynchronous preemption (asyncPreempt2, proc.go): its
	// innermost frames are scanned conservatively.
	asyncSafePoint bool

	// debug.SetPanicOnFault: a fault in this goroutine panics.
	paniconfault bool
	gcscandone   bool // unused by gort
	// Between entersyscall and exitsyscall: no Go prologue may split.
	throwsplit bool
	// A channel operation's sudogs point into this stack (stack copying
	// must adjust them with the channels locked).
	activeStackChans bool
	// Parking on a channel: set until the channel is unlocked.
	parkingOnChan atomic.Bool
	inMarkAssist  bool // unused by gort
	coroexit      bool // unused by gort

	raceignore    int8  // RaceDisable nesting (race builds)
	nocgocallback bool  // unused by gort
	tracking      bool  // timing this wait for a processor (src/sched/stats.rs)
	trackingSeq   uint8 // transitions, for sampling one in eight
	trackingStamp int64 // start of a timed sync.Mutex wait
	runnableTime  int64 // start of a timed wait for a processor
	// The m this goroutine is locked to (LockOSThread).
	lockedm muintptr
	// The signal that made it panic (sigpanic), its si_code and fault
	// address, and the faulting pc.
	sig uint32
	// Where print output goes instead of stderr (runtime.Stack).
	writebuf []byte
	sigcode0 uintptr
	sigcode1 uintptr
	sigpc    uintptr
	// Who created it: the parent's id and the go statement's pc (the
	// "created by" line), and the function it started at.
	parentGoid uint64
	gopc       uintptr
	ancestors  *[]ancestorInfo // unused by gort
	startpc    uintptr
	racectx    uintptr // unused by gort
	// The sudogs of the channel operations it waits in (select: a list).
	waiting *sudog
	// The traceback contexts of the calls from C it is running, innermost
	// last (SetCgoTraceback's context function; cgocallbackg1 pushes
	// and pops them, on a heap array, nil when empty).
	cgoCtxt []uintptr
	// Profiler labels (runtime/pprof).
	labels unsafe.Pointer
	// time.Sleep's timer, kept for reuse.
	timer *timer
	// Set by the first case of a select to win.
	selectDone atomic.Uint32

	coroarg *coro // unused by gort

	goroutineProfiled goroutineProfileStateHolder // unused by gort

	trace gTraceState // the execution tracer's model of the goroutine (src/proc/trace.rs)

	gcAssistBytes int64 // unused by gort
}

type goroutineProfileStateHolder atomic.Uint32

type gTraceState struct {
	traceSchedResourceState
}

type traceSchedResourceState struct {
	statusTraced [3]atomic.Uint32
	seq          [2]uint64
}

type ancestorInfo struct {
	pcs  []uintptr
	goid uint64
	gopc uintptr
}

type coro struct {
	gp guintptr
	f  func(*coro)
}

// An OS thread. The leading fields keep upstream's order (debuggers read
// g0, procid and curg); the rest is gort's scheduler state, owned by Rust.
type m struct {
	// The thread's system stack (where Rust runs: rtcall and mcall switch
	// to it) and the context morestack saves before switching.
	g0      *g
	morebuf gobuf
	divmod  uint32 // unused by gort
	_       uint32

	// The kernel's thread id (preemption signals go to it).
	procid uint64
	// The signal-handling goroutine and the thread's signal stack.
	gsignal    *g
	goSigStack gsignalStack
	sigmask    sigset             // unused by gort
	tls        [tlsSlots]uintptr // unused by gort (TLS holds g)
	mstartfn   func()            // unused by gort (see mstartRust)
	// The goroutine this m runs (nil while it runs none).
	curg      *g
	caughtsig guintptr // unused by gort
	// The P it holds (0: none); the P a waker handed it (startm); the P it
	// held when it entered a system call.
	p     puintptr
	nextp puintptr
	oldp  puintptr
	id    int64
	// Inside mallocgc (no signal may panic here; no nested malloc).
	mallocing int32
	// Reporting a fatal error: THROW_USER or THROW_RUNTIME
	// (src/base/fatal.rs).
	throwing   throwType
	// Shown by scheddetail (gort never sets it).
	preemptoff string
	// Nonzero: the goroutine is pinned here (acquirem, procPin): no
	// preemption, no collection at its next return from Rust.
	locks int32
	// This thread is reporting a fatal error.
	dying     int32
	// The CPU profiling rate this thread's timer runs at (0: none).
	profilehz int32
	// Looking for work (counted in sched.nmspinning).
	spinning bool
	// Parked on its note.
	blocked     bool
	newSigstack bool // unused by gort
	// Nesting of printlock.
	printlock int8
	incgo     bool          // unused by gort
	isextra   bool          // unused by gort
	freeWait  atomic.Uint32 // unused by gort
	ncgocall  uint64        // unused by gort
	ncgo      int32         // unused by gort
	// Where the m sleeps when idle.
	park note
	// The list of all Ms; the idle list.
	alllink   *m
	schedlink muintptr
	// The goroutine locked to this thread, and the external (LockOSThread)
	// and internal (runtime) lock counts.
	lockedg   guintptr
	lockedExt uint32
	lockedInt uint32
	nextwaitm muintptr // unused by gort

	// Where mstart left the thread's own (C) stack: the base every switch
	// to g0 restarts from.
	g0base uintptr
	// The pthread that runs this m.
	thread uintptr
	// Random state for cheap scheduling decisions made on this m.
	cheaprand uint64
	// What gort_mcall(mcallPark) commits once the goroutine is off its
	// stack: a Rust function and its argument (e.g. unlock a channel).
	waitunlockf uintptr
	waitlock    unsafe.Pointer
	waitreason  waitReason
	// A Go panic requested by Rust code (see rtpanic in panic.go): raised
	// by runtime·rtcall when the Rust call returns.
	rtpanicKind uint32
	rtpanicArgs [4]uintptr
	// Traceback level forced for the current print (runtime.Stack uses 1).
	tracebackLevel uint8
	// A Rust function a new m runs before scheduling (sysmon never
	// returns from it; mspinning marks the m spinning).
	mstartRust uintptr
	// The P's syscalltick when this m entered a system call.
	syscalltick uint32
	// The signal mask the m restores after fork (see syscall.runtime_AfterFork).
	forkmask sigset
	// A preemption signal was sent to this m and not yet handled.
	signalPending atomic.Uint32
	// Work for the goroutine to do when its current Rust call returns
	// (bits of gort's heap::malloc::HOOK_*: a collection the allocation
	// asked for).
	rtcallHook uint32
	// While a leaf entry point's Rust fast path runs on the goroutine's
	// stack (the `!leaf` trampolines of asm/surface.def): the
	// trampoline's SP, for the CPU profiler's walk of that stack; 0
	// otherwise.
	leafsp uintptr
	// The runtime locks this m holds, innermost last, with their ranks,
	// while gort's lock-order checker runs (GORT_LOCKRANK=1 or a debug
	// build of the runtime: src/base/lockrank.rs).
	lockRankLen   uint32
	lockRankRanks [16]uint8
	lockRankAddrs [16]uintptr
	// The write-barrier buffer (gcWriteBarrierN in asm_amd64.s, flushed
	// by src/gc/wb.rs): pointers to shade, filled from wbBuf[0] up to
	// wbNext; wbEnd is the end of wbBuf. Both are 0 until the first
	// barrier on this m, whose flush sets them. Per m rather than per P:
	// a barrier's reserve-then-fill sequence cannot be preempted, so the
	// goroutine keeps its m throughout.
	wbNext uintptr
	wbEnd  uintptr
	wbBuf  [wbBufEntries]uintptr
	// The stack (Callers' pcs) of the goroutine whose runtime call created
	// this thread, for the threadcreate profile (empty when the scheduler
	// or sysmon created it on no goroutine's behalf).
	createstack [32]uintptr
	// The thread's CPU-time profiling timer (timer_create), when
	// profileTimerValid is set (src/os/proftimer.rs).
	profileTimer      int32
	profileTimerValid atomic.Uint32
	// The innermost debugger-injected call running on this thread (a
	// *debugCallRecord on the interrupted goroutine's stack; 0: none).
	debugCall uintptr
	// Recent pc-value table lookups (src/meta/symtab.rs pcvalue_start):
	// stack walks ask the same (table, pc) pairs over and over, and each
	// answer otherwise decodes its table from the function's start.
	// pcvBusy is set while this thread uses it (a signal handler
	// interrupting that use decodes without it).
	pcvBusy  uint32
	pcvCache [pcvEntries]pcvEntry
	// Set by a map operation's goroutine-stack fast path whose walk over
	// a nested key gave up (src/lang/maps.rs WalkKey): the operation is
	// then declined, before it has changed anything.
	leafWalkGaveUp uint32
}

const pcvEntries = 32

// One cached lookup: the table (its address), the pc, the value there and
// where the run of that value begins.
type pcvEntry struct {
	tab   uintptr
	pc    uintptr
	start uintptr
	val   int32
}

// One debugger-injected call (asm/runtime/debugcall.go): debugCallWrap
// keeps it in its frame on the interrupted goroutine's stack, which does
// not move while the call runs, and links it from m.debugCall; the
// scheduler's side (src/sched/debugcall.rs) fills in the rest.
type debugCallRecord struct {
	dispatch  uintptr // the debugCallNNN the call's goroutine calls
	gopc      uintptr // where the call was injected ("created by")
	caller    uintptr // the interrupted goroutine (a *g)
	outer     uintptr // the record of the call this one interrupted (0: none)
	lockedExt uint32  // the thread's LockOSThread count, set aside meanwhile
	_         uint32
}

// Entries of an m's write-barrier buffer.
const wbBufEntries = 512

// A futex word used to sleep and wake one m.
type note struct {
	key uintptr
}

// Runtime lock. key is a futex word.
type mutex struct {
	lockRankStruct // empty: upstream's lock-ranking builds fill it (debuggers show it)
	key            uintptr
}

type lockRankStruct struct{}

// A deferred call. Compiled code builds these on the stack for
// deferprocStack, so the layout is fixed by the compiler.
type _defer struct {
	heap      bool
	rangefunc bool
	sp        uintptr
	pc        uintptr
	fn        func()
	link      *_defer
	head      *atomic.Pointer[_defer]
}

// An active panic. Compiled wrapper methods read and write argp, which
// therefore stays first.
type _panic struct {
	argp unsafe.Pointer
	arg  any
	link *_panic

	startPC uintptr
	startSP unsafe.Pointer
	sp      unsafe.Pointer
	lr      uintptr
	fp      unsafe.Pointer
	retpc   uintptr

	deferBitsPtr *uint8
	slotsPtr     unsafe.Pointer

	recovered   bool
	goexit      bool
	deferreturn bool
}

// A goroutine waiting on a channel or semaphore.
type sudog struct {
	g *g

	next *sudog
	prev *sudog
	elem unsafe.Pointer

	acquiretime int64
	releasetime int64
	ticket      uint32
	isSelect    bool
	success     bool
	waiters     uint16

	parent   *sudog
	waitlink *sudog
	waittail *sudog
	c        *hchan
}

// A runtime timer, as the time package builds them (go1.22 layout: the
// time package's runtimeTimer mirrors it).
type timer struct {
	pp       puintptr
	when     int64
	period   int64
	f        func(any, uintptr)
	arg      any
	seq      uintptr
	nextwhen int64
	status   atomic.Uint32
}

// Interface values.
type eface struct {
	_type *_type
	data  unsafe.Pointer
}

type iface struct {
	tab  *itab
	data unsafe.Pointer
}

// An interface method table. fun is variable-sized: one entry per method of
// inter; fun[0] == 0 means _type does not implement inter.
type itab struct {
	inter *interfacetype
	_type *_type
	hash  uint32
	_     [4]byte
	fun   [1]uintptr
}

type slice struct {
	array unsafe.Pointer
	len   int
	cap   int
}

type stringStruct struct {
	str unsafe.Pointer
	len int
}

// The linker's DWARF pass describes strings with this type.
type stringStructDWARF struct {
	str *byte
	len int
}

// Maps. hmap's size (48 bytes) is checked by the compiler; buckets are laid
// out by the compiler for maps that do not escape.
const bucketCnt = abi.MapBucketCount

type hmap struct {
	count     int
	flags     uint8
	B         uint8
	noverflow uint16
	hash0     uint32

	buckets    unsafe.Pointer
	oldbuckets unsafe.Pointer
	nevacuate  uintptr

	extra *mapextra
}

type mapextra struct {
	overflow     *[]*bmap
	oldoverflow  *[]*bmap
	nextOverflow *bmap
}

type bmap struct {
	tophash [bucketCnt]uint8
}

// A map iteration. The compiler allocates it (often on the stack) and knows
// key and elem are first.
type hiter struct {
	key         unsafe.Pointer
	elem        unsafe.Pointer
	t           *maptype
	h           *hmap
	buckets     unsafe.Pointer
	bptr        *bmap
	overflow    *[]*bmap
	oldoverflow *[]*bmap
	startBucket uintptr
	offset      uint8
	wrapped     bool
	B           uint8
	i           uint8
	bucket      uintptr
	checkBucket uintptr
}

// Channels.
type hchan struct {
	qcount   uint
	dataqsiz uint
	buf      unsafe.Pointer
	elemsize uint16
	closed   uint32
	elemtype *_type
	sendx    uint
	recvx    uint
	recvq    waitq
	sendq    waitq
	lock     mutex
}

type waitq struct {
	first *sudog
	last  *sudog
}

// One case of a select statement, as the compiler lays it out.
type scase struct {
	c    *hchan
	elem unsafe.Pointer
}

// A case of reflect.Select, as package reflect lays it out.
type runtimeSelect struct {
	dir selectDir
	typ unsafe.Pointer
	ch  *hchan
	val unsafe.Pointer
}

type selectDir int

const (
	_             selectDir = iota
	selectSend              // case ch <- val
	selectRecv              // case val = <-ch
	selectDefault           // default
)

// Package initialisation record emitted by the compiler: state, number of
// functions, then that many function entry PCs.
type initTask struct {
	state uint32
	nfns  uint32
}

// Symbol tables, as the linker writes them (runtime.firstmoduledata).
type moduledata struct {
	sys.NotInHeap

	pcHeader     *pcHeader
	funcnametab  []byte
	cutab        []uint32
	filetab      []byte
	pctab        []byte
	pclntable    []byte
	ftab         []functab
	findfunctab  uintptr
	minpc, maxpc uintptr

	text, etext           uintptr
	noptrdata, enoptrdata uintptr
	data, edata           uintptr
	bss, ebss             uintptr
	noptrbss, enoptrbss   uintptr
	covctrs, ecovctrs     uintptr
	end, gcdata, gcbss    uintptr
	types, etypes         uintptr
	rodata                uintptr
	gofunc                uintptr

	textsectmap []textsect
	typelinks   []int32
	itablinks   []*itab

	ptab []ptabEntry

	pluginpath string
	pkghashes  []modulehash

	inittasks []*initTask

	modulename   string
	modulehashes []modulehash

	hasmain uint8

	gcdatamask, gcbssmask bitvector

	typemap map[typeOff]*_type

	bad bool

	next *moduledata
}

type pcHeader struct {
	magic          uint32
	pad1, pad2     uint8
	minLC          uint8
	ptrSize        uint8
	nfunc          int
	nfiles         uint
	textStart      uintptr
	funcnameOffset uintptr
	cuOffset       uintptr
	filetabOffset  uintptr
	pctabOffset    uintptr
	pclnOffset     uintptr
}

type functab struct {
	entryoff uint32
	funcoff  uint32
}

type textsect struct {
	vaddr    uintptr
	end      uintptr
	baseaddr uintptr
}

type ptabEntry struct {
	name nameOff
	typ  typeOff
}

type modulehash struct {
	modulename   string
	linktimehash string
	runtimehash  *string
}

type bitvector struct {
	n        int32
	bytedata *uint8
}

// A function's entry in the pclntab.
type _func struct {
	sys.NotInHeap

	entryOff uint32
	nameOff  int32

	args        int32
	deferreturn uint32

	pcsp      uint32
	pcfile    uint32
	pcln      uint32
	npcdata   uint32
	cuOffset  uint32
	startLine int32
	funcID    abi.FuncID
	flag      abi.FuncFlag
	_         [1]byte
	nfuncdata uint8
}

// A sync.Cond's wait list; package sync lays out the same struct (and
// checks the size with runtime_notifyListCheck).
type notifyList struct {
	wait   uint32
	notify uint32
	lock   uintptr
	head   unsafe.Pointer
	tail   unsafe.Pointer
}


// Frames iterates over the frames of a stack (see CallersFrames).
type Frames struct {
	callers    []uintptr
	frames     []Frame
	frameStore [2]Frame
}

// Frame is the information Frames returns for each call frame.
type Frame struct {
	PC        uintptr
	Func      *Func
	Function  string
	File      string
	Line      int
	startLine int
	Entry     uintptr
	funcInfo  funcInfo
}

type funcInfo struct {
	_func *_func
	datap *moduledata
}

// A Func represents a Go function in the running binary. A *Func points
// either at the function's pclntab record or, for a function inlined at
// the queried pc, at a funcinl (whose first word is all ones).
type Func struct {
	opaque struct{}
}

type funcinl struct {
	ones      uint32
	entry     uintptr
	name      string
	file      string
	line      int32
	startLine int32
}


// runtime/metrics' Sample, Value and Float64Histogram, as the runtime
// sees them (runtime/metrics.Read hands the runtime its []Sample).
type metricKind int

type metricSample struct {
	name  string
	value metricValue
}

type metricValue struct {
	kind    metricKind
	scalar  uint64
	pointer unsafe.Pointer
}

type metricFloat64Histogram struct {
	counts  []uint64
	buckets []float64
}
