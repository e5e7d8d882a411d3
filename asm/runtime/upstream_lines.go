// Functions whose frames appear in default tracebacks although they belong
// to the runtime: panic's frame in the middle of a stack ("panic(...)"),
// and functions the runtime provides to std packages by linkname (a
// goroutine blocked in time.Sleep shows "time.Sleep(...)" with a position
// in runtime/time.go). Upstream prints positions in its own runtime
// sources; the //line directives below give the calls these frames stop at
// the same positions (in go1.22.12's runtime/panic.go, sema.go, time.go,
// cgocall.go, slice.go), so that gort's tracebacks read exactly like upstream's. A directive
// affects the lines that follow it, so each remapped line is followed by one
// that gives the rest of the file its own positions back (the line number
// is that of the next line: tests/line_directives.rs checks it): coverage
// instrumentation of the runtime (-coverpkg=all) names each function's file
// from its first line, and `go tool cover` must find that file.

package runtime

import "unsafe"

// gopark suspends the goroutine as the Rust call before it prepared (a
// sudog queued, the lock its park commit releases recorded in its m): every
// blocking operation parks here, as upstream's do, so that debuggers and
// GOTRACEBACK=system show waiting goroutines in runtime.gopark. Nosplit:
// the goroutine may hold the lock its park commit releases, so it must not
// stop in a prologue (stack growth, preemption) on its way to mcall.
//
//go:noinline
//go:nosplit
func gopark() {
//line $GOROOT/src/runtime/proc.go:402
	mcall(mcallPark)
//line $GOROOT/src/runtime/upstream_lines.go:32
}
//line $GOROOT/src/runtime/upstream_lines.go:34

// gopanic implements panic(e): it calls the deferred functions of the
// panicking goroutine, innermost frame first, until one recovers (the Rust
// side then resumes the recovering frame) or none is left (the panic is
// reported and the program dies).
func gopanic(e any) {
	if e == nil {
		if rt_panicNilIsError() {
			e = new(PanicNilError)
		} else {
			godebugPanicnil.incNonDefault()
		}
	}
	var p _panic
	p.arg = e
	rt_deferBegin(&p, deferLoopPanic, getcallerpc(), getcallersp())
	for fv, more := rt_deferNext(&p); more; fv, more = rt_deferNext(&p) {
		fn := asFunc(fv)
//line $GOROOT/src/runtime/panic.go:770
		fn()
//line $GOROOT/src/runtime/upstream_lines.go:55
	}
	preprintpanics(&p)
	rt_fatalpanic(&p)
}

// deferreturn runs the deferred calls its caller registered with
// deferproc or deferprocStack (and, after a recovery, the caller's
// remaining open-coded ones), at the caller's return.
func deferreturn() {
	var p _panic
	rt_deferBegin(&p, deferLoopReturn, getcallerpc(), getcallersp())
	for fv, more := rt_deferNext(&p); more; fv, more = rt_deferNext(&p) {
		fn := asFunc(fv)
//line $GOROOT/src/runtime/panic.go:602
		fn()
//line $GOROOT/src/runtime/upstream_lines.go:71
	}
}

// Goexit terminates the calling goroutine after running its deferred
// calls. It is not a panic: recover returns nil in those calls.
func Goexit() {
	var p _panic
	rt_deferBegin(&p, deferLoopGoexit, getcallerpc(), getcallersp())
	for fv, more := rt_deferNext(&p); more; fv, more = rt_deferNext(&p) {
		fn := asFunc(fv)
//line $GOROOT/src/runtime/panic.go:626
		fn()
//line $GOROOT/src/runtime/upstream_lines.go:84
	}
	goexit1()
}

// The deadline is computed here, as upstream does, so that ns stays live
// across a call and its spill slot shows the duration in tracebacks.
//
//go:linkname timeSleep time.Sleep
func timeSleep(ns int64) {
	if ns <= 0 {
		return
	}
	when := nanotime() + ns
	if when < 0 {
		when = 1<<63 - 1
	}
	rt_sleepUntil(when)
//line $GOROOT/src/runtime/time.go:195
	gopark()
//line $GOROOT/src/runtime/upstream_lines.go:104
}

//go:linkname sync_runtime_Semacquire sync.runtime_Semacquire
func sync_runtime_Semacquire(addr *uint32) {
//line $GOROOT/src/runtime/sema.go:62
	semacquire1(addr, false, true, 0, waitReasonSemacquire)
//line $GOROOT/src/runtime/upstream_lines.go:111
}

//go:linkname poll_runtime_Semacquire internal/poll.runtime_Semacquire
func poll_runtime_Semacquire(addr *uint32) {
//line $GOROOT/src/runtime/sema.go:67
	semacquire1(addr, false, true, 0, waitReasonSemacquire)
//line $GOROOT/src/runtime/upstream_lines.go:118
}

//go:linkname sync_runtime_SemacquireMutex sync.runtime_SemacquireMutex
func sync_runtime_SemacquireMutex(addr *uint32, lifo bool, skipframes int) {
//line $GOROOT/src/runtime/sema.go:77
	semacquire1(addr, lifo, true, skipframes, waitReasonSyncMutexLock)
//line $GOROOT/src/runtime/upstream_lines.go:125
}

//go:linkname sync_runtime_SemacquireRWMutexR sync.runtime_SemacquireRWMutexR
func sync_runtime_SemacquireRWMutexR(addr *uint32, lifo bool, skipframes int) {
//line $GOROOT/src/runtime/sema.go:82
	semacquire1(addr, lifo, true, skipframes, waitReasonSyncRWMutexRLock)
//line $GOROOT/src/runtime/upstream_lines.go:132
}

//go:linkname sync_runtime_SemacquireRWMutex sync.runtime_SemacquireRWMutex
func sync_runtime_SemacquireRWMutex(addr *uint32, lifo bool, skipframes int) {
//line $GOROOT/src/runtime/sema.go:87
	semacquire1(addr, lifo, true, skipframes, waitReasonSyncRWMutexLock)
//line $GOROOT/src/runtime/upstream_lines.go:139
}

//go:linkname notifyListWait sync.runtime_notifyListWait
func notifyListWait(l *notifyList, t uint32) {
	if rt_notifyListWait(l, t) {
//line $GOROOT/src/runtime/sema.go:569
		gopark()
//line $GOROOT/src/runtime/upstream_lines.go:147
		rt_notifyListFinish()
	}
}

//go:linkname sync_throw sync.throw
func sync_throw(s string) {
//line $GOROOT/src/runtime/panic.go:1002
	throw(s)
//line $GOROOT/src/runtime/upstream_lines.go:156
}

//go:linkname sync_fatal sync.fatal
func sync_fatal(s string) {
//line $GOROOT/src/runtime/panic.go:1007
	fatal(s)
//line $GOROOT/src/runtime/upstream_lines.go:163
}

// cgocall calls the C function fn with arg (a pointer to cgo's argument
// block), as a system call: the goroutine's P can go to other work while
// C runs. cgo's generated code calls it. nosplit: the stack must not move
// between entersyscall and exitsyscall.
//
//go:nosplit
func cgocall(fn, arg unsafe.Pointer) int32 {
	switch {
	case fn == nil:
		throw("cgocall nil")
	case !cgoStarted:
		rt_cgoStart()
		cgoStarted = true
	}
	m := getg().m
	m.ncgocall += 1
	racecgoEnterC() // -race: C may synchronise unseen (race.go)
//line $GOROOT/src/runtime/cgocall.go:157
	entersyscall()
//line $GOROOT/src/runtime/upstream_lines.go:185
	m.incgo, m.ncgo = true, m.ncgo+1
//line $GOROOT/src/runtime/cgocall.go:175
	ret := asmcgocall(fn, arg)
//line $GOROOT/src/runtime/upstream_lines.go:189
	// Before exitsyscall, which may move the goroutine to another M.
	m.incgo, m.ncgo = false, m.ncgo-1
	exitsyscall()
	racecgoLeaveC()
	// A callback from C may have seen this frame at asmcgocall, where fn
	// and arg are still in use; keep them live throughout.
	KeepAlive(fn)
	KeepAlive(arg)
	return ret
}

// cgocallbackg runs a call from C on the thread's goroutine: the one in
// the cgocall below, or an extra M's. It arrives in a system call (cgocall
// entered one; an extra M's goroutine is always in one outside Go) and
// leaves in it again, at the same place, for the C code to continue.
// nosplit until the system call is left.
//
//go:nosplit
func cgocallbackg(fn, frame unsafe.Pointer, ctxt uintptr) {
	gp := getg()
	mp := gp.m
	if gp != mp.curg {
		fatal("runtime: bad g in cgocallback")
	}
	// The C frames below are on this thread's system stack: the goroutine
	// must come back to this thread, whatever it does meanwhile.
	rt_cgocallbackEnter()
	pc, sp := gp.syscallpc, gp.syscallsp
	exitsyscall()
	if raceenabled && gp.racectx == 0 {
		racecgoctx(gp) // an extra M's goroutine, in its first call from C
	}
	mp.incgo = false
	if gp.nocgocallback {
		panic("runtime: function marked with #cgo nocallback called back into Go")
	}
//line $GOROOT/src/runtime/cgocall.go:339
	cgocallbackg1(fn, frame, ctxt)
//line $GOROOT/src/runtime/upstream_lines.go:228
	mp.incgo = true
	rt_unlockOSThread()
//line $GOROOT/src/runtime/cgocall.go:358
	rt_entersyscall(pc, sp)
//line $GOROOT/src/runtime/upstream_lines.go:233
}

func cgocallbackg1(fn, frame unsafe.Pointer, ctxt uintptr) {
	gp := getg()
	// ctxt: the traceback context runtime/cgo got from SetCgoTraceback's
	// context function for this call (0: none), kept on the goroutine
	// while the callback runs; runtime/cgo releases it when the call
	// returns to C.
	cb := cgoCallbackState{unwinding: true}
	if ctxt != 0 {
		cgoCtxtPush(gp, ctxt)
		cb.ctxt = true
	}
	if gp.m.ncgo == 0 {
		// No Go code below: a thread C created, which may call before the
		// package initialisers are done.
		<-main_init_done
	}
	defer cgoUnwind(&cb)
	var call func(unsafe.Pointer)
	fv := funcval{fn: uintptr(fn)}
	*(*unsafe.Pointer)(unsafe.Pointer(&call)) = noescape(unsafe.Pointer(&fv))
	racecgoLeaveC()
//line $GOROOT/src/runtime/cgocall.go:420
	call(frame)
//line $GOROOT/src/runtime/upstream_lines.go:259
	racecgoEnterC()
	cb.unwinding = false
}

// Channel operations and select: the block profile's stacks start at
// these frames (runtime.chansend1, chanrecv1, chanrecv2, selectgo), with
// upstream's positions in runtime/chan.go and runtime/select.go.

func chansend1(c *hchan, elem unsafe.Pointer) {
//line $GOROOT/src/runtime/chan.go:145
	chansend(c, elem, true, getcallerpc())
//line $GOROOT/src/runtime/upstream_lines.go:271
}

func chanrecv1(c *hchan, elem unsafe.Pointer) {
//line $GOROOT/src/runtime/chan.go:442
	chanrecv(c, elem, true)
//line $GOROOT/src/runtime/upstream_lines.go:277
}

func chanrecv2(c *hchan, elem unsafe.Pointer) (received bool) {
//line $GOROOT/src/runtime/chan.go:447
	_, received = chanrecv(c, elem, true)
//line $GOROOT/src/runtime/upstream_lines.go:283
	return
}

// selectgo runs a select statement's cases (sends first, then receives,
// as the compiler lays them out in cas0); order0 is scratch space for the
// poll and lock orders.
func selectgo(cas0 *scase, order0 *uint16, pc0 *uintptr, nsends, nrecvs int, block bool) (int, bool) {
	casi, recvOK, parked := rt_selectgo(cas0, order0, pc0, nsends, nrecvs, block)
	if parked {
//line $GOROOT/src/runtime/select.go:327
		gopark()
//line $GOROOT/src/runtime/upstream_lines.go:295
//line $GOROOT/src/runtime/select.go:508
		casi, recvOK = rt_selectFinish(cas0, order0, pc0, nsends, nrecvs)
//line $GOROOT/src/runtime/upstream_lines.go:298
	}
	return casi, recvOK
}

// reflect.Value.Close: under -race its frame shows in reports of a close
// racing with a send (runtime.closechan is called from here).
//
//go:linkname reflect_chanclose reflect.chanclose
func reflect_chanclose(c *hchan) {
//line $GOROOT/src/runtime/chan.go:753
	closechan(c)
//line $GOROOT/src/runtime/upstream_lines.go:310
}

// reflect.Select: the Rust side lays the cases out as the compiler does for
// a select statement (sends, then receives; orig maps them back), and
// selectgo runs them. Under -race every case gets the same "case pc", a
// return address in this function at upstream's position of its
// selectsetpc call: a race through a case shows a reflect.rselect frame
// under runtime.chansend, as upstream's does.
//
//go:linkname reflect_rselect reflect.rselect
func reflect_rselect(cases []runtimeSelect) (int, bool) {
	n := len(cases)
	if n == 0 {
		block()
	}
	sel := make([]scase, n)
	orig := make([]int, n)
	nsends, nrecvs, dflt := rt_rselectCases(cases, sel, orig)
	chosen, recvOK := -1, false
	if nchans := nsends + nrecvs; nchans > 0 {
		order := make([]uint16, 2*nchans)
		var pc0 *uintptr
		if raceenabled {
			pcs := make([]uintptr, nchans)
//line $GOROOT/src/runtime/select.go:584
			selectsetpc(&pcs[0])
//line $GOROOT/src/runtime/upstream_lines.go:337
			for k := 1; k < nchans; k++ {
				pcs[k] = pcs[0]
			}
			pc0 = &pcs[0]
		}
		chosen, recvOK = selectgo(&sel[0], &order[0], pc0, nsends, nrecvs, dflt < 0)
	}
	if chosen < 0 {
		return dflt, false
	}
	return orig[chosen], recvOK
}

// reflect.Value.Grow and reflect.Append past the capacity
// (reflect.growslice): room for num elements past old's length, which
// reflect asks for only when old.len+num > old.cap. It is append's growth
// (growslice, whose fast path runs on the goroutine's stack), which copies
// the old elements up to the capacity, so that those past the length keep
// their values, and which leaves the memory of the elements it adds for
// append to write (zeroed already where they hold pointers): reflect's
// caller reads them, so here they are cleared.
//
//go:linkname reflect_growslice reflect.growslice
func reflect_growslice(et *_type, old slice, num int) slice {
	need := old.len + num
//line $GOROOT/src/runtime/slice.go:306
	s := growslice(old.array, need, old.cap, need-old.cap, et)
//line $GOROOT/src/runtime/upstream_lines.go:365
	if et.PtrBytes == 0 {
		from := uintptr(old.cap) * et.Size_
		memclrNoHeapPointers(add(s.array, from), uintptr(need)*et.Size_-from)
	}
	s.len = old.len
	return s
}
