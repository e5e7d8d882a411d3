// gort's test hooks for upstream's external runtime tests (package
// runtime_test): the names those tests call through package runtime, with
// the meanings upstream's tests expect, implemented over gort's Go face and
// its Rust runtime (the test-only entry points of asm/surface.def, marked
// !test, come in through ztesthooks_test.go).
//
// This file is not part of gort's runtime package: `gort conform` puts it
// (with the generated ztesthooks_test.go and ztesthooks_amd64.s) into the
// throw-away GOROOT where the runtime's tests are built, and nowhere else.
//
// Hooks that reach a data structure of upstream's runtime that gort does
// not have (its page allocator, lfstack, mspans, the pacer...) exist so
// that the test files compile; calling one panics with notApplicable. The
// harness does not run the tests that call them: conform/runtime_tests.list
// names each, with the reason, and docs/CONFORMANCE.md reports them.

package runtime

import (
	"internal/abi"
	"internal/goarch"
	"runtime/internal/atomic"
	"runtime/internal/syscall"
	"unsafe"
)

// notApplicable is what a hook for an upstream-only structure panics with.
func notApplicable(what string) {
	panic("gort: not applicable: this hook tests upstream's " + what + ", which gort does not have")
}

// ---- values and small helpers ----

const PtrSize = goarch.PtrSize

const Raceenabled = false

// gort unwinds with the pclntab; every amd64 frame keeps a frame pointer.
const FramePointerEnabled = true

// Whether a fatal error on the system stack prints that stack's frames
// (gort's fatal reports do: src/base/fatal.rs).
const CrashStackImplemented = true

// Upstream's traceback cut-offs (tracebacks print the innermost 50 and the
// outermost 50 frames of a deep stack); gort's traceback uses the same.
const (
	TracebackInnerFrames = 50
	TracebackOuterFrames = 50
)

// The load factor at which maps grow (src/lang/maps.rs: 13/2).
const HashLoad = float32(13) / 2

const RuntimeHmapSize = unsafe.Sizeof(hmap{})

var ZeroBase = unsafe.Pointer(&zerobase)

var escapeSinkOn bool
var escapeSink any

// Escape makes x escape to the heap (as far as the compiler can tell).
func Escape[T any](x T) T {
	if escapeSinkOn {
		escapeSink = x
	}
	return x
}

// Acquirem and Releasem pin the goroutine to its M (no preemption) and
// unpin it.
func Acquirem() {
	getg().m.locks++
}

func Releasem() {
	getg().m.locks--
}

type G = g
type M = m
type Sudog = sudog

func Getg() *G { return getg() }

func Goid() uint64 { return getg().goid }

// GIsWaitingOnMutex: gp is parked on a sync.Mutex or sync.RWMutex.
func GIsWaitingOnMutex(gp *G) bool {
	if gp.atomicstatus.Load() != _Gwaiting {
		return false
	}
	switch gp.waitreason {
	case waitReasonSyncMutexLock, waitReasonSyncRWMutexRLock, waitReasonSyncRWMutexLock:
		return true
	}
	return false
}

var CasGStatusAlwaysTrack = &casgstatusAlwaysTrack

func LockOSCounts() (external, internal uint32) {
	gp := getg()
	mp := gp.m
	locked := mp.lockedExt+mp.lockedInt != 0
	if locked != (gp.lockedm != 0) {
		panic("gort: g.lockedm disagrees with the M's lock counts")
	}
	return mp.lockedExt, mp.lockedInt
}

func LockedOSThread() bool {
	gp := getg()
	return gp.lockedm != 0 && gp.m.lockedg != 0
}

var Xadduintptr = atomic.Xadduintptr

func Envs() []string { return rt_test_envs() }

// SetEnvs replaces the environment the runtime reads (runtime.GOROOT and
// GODEBUG); setEnvsKeep keeps the strings alive while Rust holds them.
func SetEnvs(e []string) {
	setEnvsKeep = e
	rt_test_setEnvs(e)
}

var setEnvsKeep []string

// SetTracebackEnv sets the traceback level as GOTRACEBACK would have: a
// floor that runtime/debug.SetTraceback cannot lower.
func SetTracebackEnv(level string) {
	rt_test_setTracebackEnv(level)
}

var Nanotime = nanotime

// Usleep sleeps the thread (not the goroutine) for usec microseconds.
func Usleep(usec uint32) {
	ts := [2]int64{int64(usec) / 1e6, int64(usec) % 1e6 * 1e3}
	syscall.Syscall6(sysNanosleep, uintptr(unsafe.Pointer(&ts)), 0, 0, 0, 0, 0)
}

// Timediv divides v by div without a 64-bit division instruction (upstream
// uses it where none is available); gort's is plain Go.
func Timediv(v int64, div int32, rem *int32) int32 {
	q := int32(0)
	for bit := 30; bit >= 0; bit-- {
		if v >= int64(div)<<uint(bit) {
			v -= int64(div) << uint(bit)
			q |= 1 << uint(bit)
		}
	}
	if v >= int64(div) {
		// The quotient does not fit: saturate, as upstream does.
		if rem != nil {
			*rem = 0
		}
		return 0x7fffffff
	}
	if rem != nil {
		*rem = int32(v)
	}
	return q
}

// ---- strings ----

// Atoi parses a decimal int the way the runtime parses GODEBUG and
// GOGC-style settings: an optional sign, digits, no overflow.
func Atoi(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
		if s == "" {
			return 0, false
		}
	}
	const maxUint = ^uint(0)
	var un uint
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if un > maxUint/10 {
			return 0, false
		}
		un *= 10
		n := un + uint(c-'0')
		if n < un {
			return 0, false
		}
		un = n
	}
	const maxInt = int(^uint(0) >> 1)
	if !neg && un > uint(maxInt) {
		return 0, false
	}
	if neg && un > uint(maxInt)+1 {
		return 0, false
	}
	n := int(un)
	if neg {
		n = -n
	}
	return n, true
}

func Atoi32(s string) (int32, bool) {
	n, ok := Atoi(s)
	if !ok || n != int(int32(n)) {
		return 0, false
	}
	return int32(n), true
}

// ParseByteCount parses a GOMEMLIMIT-style byte count: digits with an
// optional B, KiB, MiB, GiB or TiB suffix.
func ParseByteCount(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	last := s[len(s)-1]
	if last >= '0' && last <= '9' {
		n, ok := Atoi(s)
		if !ok || n < 0 {
			return 0, false
		}
		return int64(n), true
	}
	if last != 'B' {
		return 0, false
	}
	s = s[:len(s)-1]
	shift := uint(0)
	if len(s) >= 2 && s[len(s)-1] == 'i' {
		switch s[len(s)-2] {
		case 'K':
			shift = 10
		case 'M':
			shift = 20
		case 'G':
			shift = 30
		case 'T':
			shift = 40
		default:
			return 0, false
		}
		s = s[:len(s)-2]
	}
	if s == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<63-1)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		if n > 1<<63-1 {
			return 0, false
		}
	}
	if n > (1<<63-1)>>shift {
		return 0, false
	}
	return int64(n << shift), true
}

// GostringW converts a NUL-terminated UTF-16 array the way the runtime
// converts Windows strings: unit by unit (a surrogate becomes U+FFFD).
func GostringW(w []uint16) string {
	var buf []byte
	for _, u := range w {
		if u == 0 {
			break
		}
		r := rune(u)
		if r >= 0xd800 && r < 0xe000 {
			r = 0xfffd
		}
		switch {
		case r < 0x80:
			buf = append(buf, byte(r))
		case r < 0x800:
			buf = append(buf, byte(0xc0|r>>6), byte(0x80|r&0x3f))
		default:
			buf = append(buf, byte(0xe0|r>>12), byte(0x80|(r>>6)&0x3f), byte(0x80|r&0x3f))
		}
	}
	return string(buf)
}

// ---- memory ----

var Memmove = memmove
var MemclrNoHeapPointers = memclrNoHeapPointers

func MemclrBytes(b []byte) {
	if len(b) > 0 {
		memclrNoHeapPointers(unsafe.Pointer(&b[0]), uintptr(len(b)))
	}
}

func ReadUnaligned32(p unsafe.Pointer) uint32 { return *(*uint32)(p) }
func ReadUnaligned64(p unsafe.Pointer) uint64 { return *(*uint64)(p) }

// ---- hashing (gort's hash functions: src/lang/alg.rs) ----

// gort hashes with its own seeded function whether or not the CPU has AES.
var UseAeshash = new(bool)

func MemHash(p unsafe.Pointer, h, s uintptr) uintptr { return memhash(p, h, s) }
func MemHash32(p unsafe.Pointer, h uintptr) uintptr  { return memhash32(p, h) }
func MemHash64(p unsafe.Pointer, h uintptr) uintptr  { return memhash64(p, h) }

func StringHash(s string, seed uintptr) uintptr {
	return strhash(noescape(unsafe.Pointer(&s)), seed)
}

func BytesHash(b []byte, seed uintptr) uintptr {
	if len(b) == 0 {
		return memhash(unsafe.Pointer(&zerobase), seed, 0)
	}
	return memhash(unsafe.Pointer(&b[0]), seed, uintptr(len(b)))
}

func Int32Hash(i uint32, seed uintptr) uintptr {
	return memhash32(noescape(unsafe.Pointer(&i)), seed)
}

func Int64Hash(i uint64, seed uintptr) uintptr {
	return memhash64(noescape(unsafe.Pointer(&i)), seed)
}

func EfaceHash(i any, seed uintptr) uintptr {
	return nilinterhash(noescape(unsafe.Pointer(&i)), seed)
}

func IfaceHash(i interface{ F() }, seed uintptr) uintptr {
	return interhash(noescape(unsafe.Pointer(&i)), seed)
}

// ---- random numbers ----

func Fastrand() uint32   { return uint32(rand()) }
func Fastrand64() uint64 { return rand() }

func Fastrandn(n uint32) uint32 {
	return uint32(uint64(uint32(rand())) * uint64(n) >> 32)
}

// gort reads its seed from the kernel's AT_RANDOM; it has no fallback.
var ReadRandomFailed = new(bool)

// ---- software floating point (src/lang/softfloat.rs) ----

var Fadd64 = fadd64
var Fmul64 = fmul64
var Fdiv64 = fdiv64
var F64to32 = f64to32
var F32to64 = f32to64
var Fintto64 = fint64to64

func Fsub64(f, g uint64) uint64 { return fadd64(f, g^(1<<63)) }

func Fcmp64(f, g uint64) (cmp int32, isnan bool) {
	if !feq64(f, f) || !feq64(g, g) {
		return 0, true
	}
	switch {
	case feq64(f, g):
		return 0, false
	case fgt64(f, g):
		return 1, false
	}
	return -1, false
}

// F64toint: the conversion, and whether f was in range (NaN, infinities
// and magnitudes of 2^63 and more are not, -2^63 aside).
func F64toint(f uint64) (val int64, ok bool) {
	exp := int(f>>52) & 0x7ff
	if exp == 0x7ff {
		return 0, false
	}
	if exp-1023 >= 63 {
		if f == 0xc3e0000000000000 {
			return -1 << 63, true
		}
		return 0, false
	}
	return f64toint64(f), true
}

// ---- goroutines, threads, the scheduler ----

var Entersyscall = entersyscall
var Exitsyscall = exitsyscall

// gort preempts running goroutines with signals (src/sched/sysmon.rs).
const PreemptMSupported = true

// The run-queue tests drive gort's run queues (src/sched/runq.rs) on Ps
// made for them, with goroutine structs that never run.

func RunSchedLocalQueueTest() {
	pp := rt_test_newP()
	n := rt_test_runqSize()
	gs := make([]g, n)
	Escape(gs)
	for i := 0; i < n; i++ {
		if rt_test_runqget(pp) != nil {
			throw("runq is not empty initially")
		}
		for j := 0; j < i; j++ {
			rt_test_runqput(pp, &gs[i], false)
		}
		for j := 0; j < i; j++ {
			if rt_test_runqget(pp) != &gs[i] {
				print("bad element at iter ", i, "/", j, "\n")
				throw("bad element")
			}
		}
		if rt_test_runqget(pp) != nil {
			throw("runq is not empty afterwards")
		}
	}
	rt_test_freeP(pp)
}

func RunSchedLocalQueueStealTest() {
	p1, p2 := rt_test_newP(), rt_test_newP()
	n := rt_test_runqSize()
	gs := make([]g, n)
	Escape(gs)
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			gs[j].sig = 0
			rt_test_runqput(p1, &gs[j], false)
		}
		// Each G is taken exactly once, by the thief or by its owner, and
		// the thief takes at most half.
		stolen := 0
		if gp := rt_test_runqsteal(p2, p1, true); gp != nil {
			stolen++
			gp.sig++
		}
		for gp := rt_test_runqget(p2); gp != nil; gp = rt_test_runqget(p2) {
			stolen++
			gp.sig++
		}
		for gp := rt_test_runqget(p1); gp != nil; gp = rt_test_runqget(p1) {
			gp.sig++
		}
		for j := 0; j < i; j++ {
			if gs[j].sig != 1 {
				print("bad element ", j, "(", gs[j].sig, ") at iter ", i, "\n")
				throw("bad element")
			}
		}
		if stolen != i/2 && stolen != i/2+1 {
			print("bad steal ", stolen, ", want ", i/2, " or ", i/2+1, ", iter ", i, "\n")
			throw("bad steal")
		}
	}
	rt_test_freeP(p1)
	rt_test_freeP(p2)
}

// RunSchedLocalQueueEmptyTest: while the owner moves a G from runnext to
// the queue and takes another, a concurrent observer must never see the
// queue empty.
func RunSchedLocalQueueEmptyTest(iters int) {
	done := make(chan bool, 1)
	gs := make([]g, 2)
	Escape(gs)
	ready := new(uint32)
	for i := 0; i < iters; i++ {
		*ready = 0
		next0 := i&1 == 0
		next1 := i&2 == 0
		pp := rt_test_newP()
		rt_test_runqput(pp, &gs[0], next0)
		go func() {
			for atomic.Xadd(ready, 1); atomic.Load(ready) != 2; {
			}
			if rt_test_runqempty(pp) {
				println("next:", next0, next1)
				throw("queue is empty")
			}
			done <- true
		}()
		for atomic.Xadd(ready, 1); atomic.Load(ready) != 2; {
		}
		rt_test_runqput(pp, &gs[1], next1)
		rt_test_runqget(pp)
		<-done
		rt_test_runqget(pp)
		rt_test_freeP(pp)
	}
}

func RunStealOrderTest() { notApplicable("steal-order enumeration (randomOrder)") }

// RunGetgThreadSwitchTest: getg must not be cached across a thread switch.
func RunGetgThreadSwitchTest() {
	ch := make(chan int)
	go func() {
		ch <- 5
		LockOSThread()
	}()
	before := getg()
	<-ch
	if getg() != before {
		panic("getg changed across a blocking receive")
	}
	if again := getg(); again != before {
		panic("getg changed after the receive")
	}
}

// ---- the network poller (src/sched/netpoll.rs) ----

func NetpollGenericInit() { rt_internal_poll_runtime_pollServerInit() }

func NetpollBreak() { rt_test_netpollBreak() }

// Netpoll polls once, waiting up to delta ns, and makes the goroutines it
// finds ready runnable.
func Netpoll(delta int64) { rt_test_netpoll(delta) }

// ---- semaphores (src/sched/sema.rs) ----

func Semacquire(addr *uint32) {
	semacquire1(addr, false, false, 0, waitReasonSemacquire)
}

func Semrelease1(addr *uint32, handoff bool, skipframes int) {
	semrelease1(addr, handoff, skipframes)
}

// SemNwait: how many goroutines wait on addr's semaphore.
func SemNwait(addr *uint32) uint32 { return rt_test_semNwait(addr) }

// Runtime-internal locks (upstream's lock/unlock, mutexContended and the
// semaphore table's locks): gort's are Rust's (src/base/lock.rs).
type Mutex = mutex

func Lock(l *mutex)                   { notApplicable("runtime-internal mutex") }
func Unlock(l *mutex)                 { notApplicable("runtime-internal mutex") }
func MutexContended(l *mutex) bool    { notApplicable("runtime-internal mutex"); return false }
func SemRootLock(addr *uint32) *mutex { notApplicable("semaphore table (semtable)"); return nil }

const SemTableSize = 251

type SemTable struct{ _ [SemTableSize]uintptr }

func (t *SemTable) Enqueue(addr *uint32) { notApplicable("semaphore table (semtable)") }
func (t *SemTable) Dequeue(addr *uint32) bool {
	notApplicable("semaphore table (semtable)")
	return false
}

type RWMutex struct{ _ [8]uintptr }

func (rw *RWMutex) Init()    { notApplicable("runtime-internal rwmutex") }
func (rw *RWMutex) RLock()   { notApplicable("runtime-internal rwmutex") }
func (rw *RWMutex) RUnlock() { notApplicable("runtime-internal rwmutex") }
func (rw *RWMutex) Lock()    { notApplicable("runtime-internal rwmutex") }
func (rw *RWMutex) Unlock()  { notApplicable("runtime-internal rwmutex") }

// ---- maps (src/lang/maps.rs keeps upstream's hmap and bucket layout) ----

func mapHeader(m map[int]int) *hmap {
	return *(**hmap)(unsafe.Pointer(&m))
}

func MapBucketsCount(m map[int]int) int { return 1 << mapHeader(m).B }

func MapBucketsPointerIsNil(m map[int]int) bool { return mapHeader(m).buckets == nil }

// OverLoadFactor: would count entries in 2^B buckets make the map grow?
func OverLoadFactor(count int, B uint8) bool {
	return count > bucketCnt && uintptr(count) > 13*((uintptr(1)<<B)/2)
}

// MapTombstoneCheck checks the empty-slot markers of every bucket chain:
// once a slot is marked "empty, and so is the rest" (0), every later slot
// is too, and the slot before the first such one is not "empty" (1).
func MapTombstoneCheck(m map[int]int) {
	h := mapHeader(m)
	var i any = m
	t := (*maptype)(unsafe.Pointer((*eface)(unsafe.Pointer(&i))._type))
	const emptyRest, emptyOne = 0, 1
	for x := uintptr(0); x < uintptr(1)<<h.B; x++ {
		first := (*bmap)(add(h.buckets, x*uintptr(t.BucketSize)))
		var marks []uint8
		for b := first; b != nil; b = *(**bmap)(add(unsafe.Pointer(b), uintptr(t.BucketSize)-goarch.PtrSize)) {
			marks = append(marks, b.tophash[:]...)
		}
		used := 0
		for j, v := range marks {
			if v != emptyRest {
				used = j + 1
			}
		}
		for j, v := range marks {
			if j < used && v == emptyRest {
				panic("early emptyRest")
			}
			if j >= used && v != emptyRest {
				panic("late non-emptyRest")
			}
			if j == used-1 && v == emptyOne {
				panic("last non-emptyRest entry is emptyOne")
			}
		}
	}
}

// MapKeys and MapValues fill a slice (p points at it) with a map's keys
// or values, as maps.Keys and maps.Values do.
func MapKeys(m any, p unsafe.Pointer)   { mapCollect(m, p, true) }
func MapValues(m any, p unsafe.Pointer) { mapCollect(m, p, false) }

func mapCollect(m any, p unsafe.Pointer, keys bool) {
	e := (*eface)(unsafe.Pointer(&m))
	t := (*maptype)(unsafe.Pointer(e._type))
	h := (*hmap)(e.data)
	if h == nil || h.count == 0 {
		return
	}
	s := (*slice)(p)
	et := t.Elem
	if keys {
		et = t.Key
	}
	var it hiter
	for mapiterinit(t, h, &it); it.key != nil; mapiternext(&it) {
		if s.len == s.cap {
			*s = growslice(s.array, s.len+1, s.cap, 1, et)
		} else {
			s.len++
		}
		src := it.elem
		if keys {
			src = it.key
		}
		typedmemmove(et, add(s.array, uintptr(s.len-1)*et.Size_), src)
	}
}

// ---- stacks, tracebacks, the collector ----

// GCTestMoveStackOnNextCall makes the goroutine's next function call move
// its stack to a new one (src/mem/stack.rs, STACK_FORCE_MOVE).
//
//go:nosplit
func GCTestMoveStackOnNextCall() {
	getg().stackguard0 = stackForceMove
}

// The stackguard0 value that asks for the move (src/mem/stack.rs).
const stackForceMove = 0xfffffffffffffeed

// GCTestPointerClass says where p points: "heap", "stack" (the current
// goroutine's), "data", "bss" or "other".
//
//go:nosplit
func GCTestPointerClass(p unsafe.Pointer) string {
	a := uintptr(p)
	gp := getg()
	if a >= gp.stack.lo && a < gp.stack.hi {
		return "stack"
	}
	for md := &firstmoduledata; md != nil; md = md.next {
		if a >= md.data && a < md.edata || a >= md.noptrdata && a < md.enoptrdata {
			return "data"
		}
		if a >= md.bss && a < md.ebss || a >= md.noptrbss && a < md.enoptrbss {
			return "bss"
		}
	}
	if rt_test_inHeap(p) {
		return "heap"
	}
	return "other"
}

// GCTestIsReachable runs a collection and reports, bit i for ptrs[i],
// which of the objects survived its marking.
func GCTestIsReachable(ptrs ...unsafe.Pointer) (mask uint64) {
	semacquire1(&worldsema, false, false, 0, waitReasonSemacquire)
	mask = rt_test_isReachable(ptrs)
	semrelease1(&worldsema, false, 0)
	return mask
}

// GCMask: one byte per word of the object x points to, 1 for a pointer
// slot, as the collector sees it (the reflect.gcbits hook).
func GCMask(x any) []byte { return rt_reflect_gcbits(x) }

// ForceGCPeriod points at the period (ns) after which sysmon forces a
// collection.
var ForceGCPeriod = rt_test_forceGCPeriod()

// gort's ReadMemStats has no double-check mode: ReadMemStatsSlow below
// does the check.
var DoubleCheckReadMemStats = new(bool)

// ReadMemStatsSlow: MemStats as ReadMemStats reports them, and recounted
// from the heap itself, with the world stopped for both.
func ReadMemStatsSlow() (base, slow MemStats) {
	semacquire1(&worldsema, false, false, 0, waitReasonSemacquire)
	rt_test_readMemStatsSlow(&base, &slow)
	semrelease1(&worldsema, false, 0)
	return
}

func BlockUntilEmptyFinalizerQueue(timeout int64) bool {
	return blockUntilEmptyFinalizerQueue(timeout)
}

// FinalizerGAsleep: the finalizer goroutine is parked, waiting for work.
func FinalizerGAsleep() bool { return rt_test_finalizerAsleep() }

// SetIntArgRegs: gort's finalizer calls go through reflectcall, which
// always passes arguments in registers; the setting cannot change.
func SetIntArgRegs(a int) int { return abi.IntArgRegs }

func FrameStartLine(f *Frame) int { return f.startLine }

// FPCallers: the return addresses of the frames on the stack, found by
// following frame pointers from the caller's frame.
// FPCallers starts the walk at its caller's frame pointer register
// (getfp): a slot below its caller's SP is not a saved frame pointer when
// FPCallers itself keeps no frame.
func FPCallers(pcBuf []uintptr) int {
	return fpCallers(getfp(), pcBuf)
}

func fpCallers(fp uintptr, pcBuf []uintptr) int {
	n := 0
	for n < len(pcBuf) && fp != 0 {
		pcBuf[n] = *(*uintptr)(unsafe.Pointer(fp + goarch.PtrSize))
		n++
		fp = *(*uintptr)(unsafe.Pointer(fp))
	}
	return n
}

// UnsafePoint: may pc not be interrupted (pcdata UnsafePoint)? Restart
// codes are interruptible (they say how to resume).
func UnsafePoint(pc uintptr) bool {
	switch v := rt_test_pcdataUnsafePoint(pc); v {
	case abi.UnsafePointUnsafe:
		return true
	case abi.UnsafePointSafe, abi.UnsafePointRestart1, abi.UnsafePointRestart2, abi.UnsafePointRestartAtEntry:
		return false
	default:
		panic("invalid unsafe point code")
	}
}

// CountPagesInUse: the heap's running count of in-use pages, and a count
// of the in-use spans' pages.
func CountPagesInUse() (pagesInUse, counted uintptr) {
	semacquire1(&worldsema, false, false, 0, waitReasonSemacquire)
	pagesInUse, counted = rt_test_countPagesInUse()
	semrelease1(&worldsema, false, 0)
	return
}

// MyGenericFunc: a generic function in package runtime (upstream calls it
// on the system stack; gort runs no Go code there).
func MyGenericFunc[T any]() {
	var x T
	escapeSink = Escape(&x)
	escapeSink = nil
}

// PanicForTesting indexes b in runtime code: an out-of-range index is a
// runtime error raised inside package runtime.
//
//go:noinline
func PanicForTesting(b []byte, i int) byte {
	return unexportedPanicForTesting(b, i)
}

//go:noinline
func unexportedPanicForTesting(b []byte, i int) byte {
	return b[i]
}

// ---- system calls (raw, as the runtime's own) ----

const (
	sysRead      = 0
	sysWrite     = 1
	sysOpen      = 2
	sysClose     = 3
	sysMmap      = 9
	sysMunmap    = 11
	sysMincore   = 27
	sysNanosleep = 35
	sysFcntl     = 72
	sysPipe2     = 293
)

const (
	O_WRONLY = 0x1
	O_CREAT  = 0x40
	O_TRUNC  = 0x200
)

const (
	ENOMEM      = 12
	MAP_ANON    = 0x20
	MAP_PRIVATE = 0x2
	MAP_FIXED   = 0x10
)

func errnoOf(r uintptr) int32 {
	if int(r) < 0 && int(r) > -4096 {
		return int32(-int(r))
	}
	return 0
}

func Open(name *byte, mode, perm int32) int32 {
	r, _, e := syscall.Syscall6(sysOpen, uintptr(unsafe.Pointer(name)), uintptr(mode), uintptr(perm), 0, 0, 0)
	if e != 0 {
		return -1
	}
	return int32(r)
}

func Close(fd int32) int32 {
	_, _, e := syscall.Syscall6(sysClose, uintptr(fd), 0, 0, 0, 0, 0)
	if e != 0 {
		return -1
	}
	return 0
}

// Read and Write return the count, or minus the errno.
func Read(fd int32, p unsafe.Pointer, n int32) int32 {
	r, _, e := syscall.Syscall6(sysRead, uintptr(fd), uintptr(p), uintptr(n), 0, 0, 0)
	if e != 0 {
		return -int32(e)
	}
	return int32(r)
}

func Write(fd uintptr, p unsafe.Pointer, n int32) int32 {
	r, _, e := syscall.Syscall6(sysWrite, fd, uintptr(p), uintptr(n), 0, 0, 0)
	if e != 0 {
		return -int32(e)
	}
	return int32(r)
}

func Pipe() (r, w int32, errno int32) {
	var fds [2]int32
	_, _, e := syscall.Syscall6(sysPipe2, uintptr(unsafe.Pointer(&fds)), 0, 0, 0, 0, 0)
	return fds[0], fds[1], int32(e)
}

// NonblockingPipe: a pipe with both ends non-blocking and close-on-exec.
func NonblockingPipe() (r, w int32, errno int32) {
	var fds [2]int32
	const oNonblock, oCloexec = 0x800, 0x80000
	_, _, e := syscall.Syscall6(sysPipe2, uintptr(unsafe.Pointer(&fds)), oNonblock|oCloexec, 0, 0, 0, 0)
	return fds[0], fds[1], int32(e)
}

var Fcntl = fcntl

func Closeonexec(fd int32) {
	const fSetfd, fdCloexec = 2, 1
	Fcntl(fd, fSetfd, fdCloexec)
}

func SetNonblock(fd int32) {
	const fGetfl, fSetfl, oNonblock = 3, 4, 0x800
	fl, _ := Fcntl(fd, fGetfl, 0)
	Fcntl(fd, fSetfl, fl|oNonblock)
}

func Mmap(addr unsafe.Pointer, n uintptr, prot, flags, fd int32, off uint32) (p unsafe.Pointer, err int) {
	r, _, e := syscall.Syscall6(sysMmap, uintptr(addr), n, uintptr(prot), uintptr(flags), uintptr(fd), uintptr(off))
	if e != 0 {
		return nil, int(e)
	}
	return unsafe.Pointer(r), 0
}

func Munmap(addr unsafe.Pointer, n uintptr) {
	syscall.Syscall6(sysMunmap, uintptr(addr), n, 0, 0, 0, 0)
}

// Mincore returns 0 or minus the errno, as the raw system call.
func Mincore(addr unsafe.Pointer, n uintptr, dst *byte) int32 {
	r, _, e := syscall.Syscall6(sysMincore, uintptr(addr), n, uintptr(unsafe.Pointer(dst)), 0, 0, 0)
	if e != 0 {
		return -int32(e)
	}
	return int32(r)
}

func GetPhysPageSize() uintptr { return 4096 }

// ---- hooks of upstream-only structures: not applicable ----
//
// The tests that call these are listed as not applicable in
// conform/runtime_tests.list (with these reasons) and are not run.

type MSpan struct{ _ uintptr }

func AllocMSpan() *MSpan                         { notApplicable("mspan structures"); return nil }
func FreeMSpan(s *MSpan)                         { notApplicable("mspan structures") }
func MSpanCountAlloc(ms *MSpan, bits []byte) int { notApplicable("mspan mark bitmaps"); return 0 }

func BenchSetType[T any](n int, resetTimer func()) {
	notApplicable("heap bitmap writer (heapBitsSetType)")
}
func BenchSetTypeSlice[T any](n int, resetTimer func(), len int) {
	notApplicable("heap bitmap writer (heapBitsSetType)")
}

func KeepNArenaHints(n int)                           { notApplicable("arena hints") }
func MapNextArenaHint() (start, end uintptr, ok bool) { notApplicable("arena hints"); return }
func GetNextArenaHint() uintptr                       { notApplicable("arena hints"); return 0 }

func PageCachePagesLeaked() uintptr { notApplicable("per-P page caches (pageCache)"); return 0 }

type BitsMismatch struct {
	Base      uintptr
	Got, Want uint64
}

func CheckScavengedBitsCleared(mismatches []BitsMismatch) (n int, ok bool) {
	notApplicable("page allocator's scavenged bitmaps")
	return
}

const PageSize = 8192
const PhysPageSize = 4096
const PhysHugePageSize = 2 << 20

func PersistentAlloc(n uintptr) unsafe.Pointer { notApplicable("persistentalloc"); return nil }

// lfstack_test.go declares a variable chanbarrier_test.go uses, so it is
// compiled; its tests are not run.
type LFNode struct {
	Next    uint64
	Pushcnt uintptr
}

func LFStackPush(head *uint64, node *LFNode) { notApplicable("lock-free stack (lfstack)") }
func LFStackPop(head *uint64) *LFNode        { notApplicable("lock-free stack (lfstack)"); return nil }
func LFNodeValidate(node *LFNode)            { notApplicable("lock-free stack (lfstack)") }

func NewOSProc0(stacksize uintptr, fn unsafe.Pointer) {
	notApplicable("newosproc0 (a thread started without an M before the scheduler runs)")
}

// The kernel's siginfo and sigevent sizes; upstream's test holds its own Go
// definitions of the structures to them (gort's are Rust's, from libc).
const SiginfoMaxSize = 128
const SigeventMaxSize = 64

type Siginfo struct{ _ [SiginfoMaxSize]byte }
type Sigevent struct{ _ [SigeventMaxSize]byte }

func Fastlog2(x float64) float64 { notApplicable("fastlog2 (heap profile sampling)"); return 0 }

// Tests of upstream's unwinder internals (its inline unwinder, and
// unwinding from the prologue of a function that writes SP).
var FmtSprintf func(format string, a ...any) string
var TestenvOptimizationOff func() bool

type TestingT interface {
	Cleanup(func())
	Error(args ...any)
	Errorf(format string, args ...any)
	Fail()
	FailNow()
	Failed() bool
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Helper()
	Log(args ...any)
	Logf(format string, args ...any)
	Name() string
	Setenv(key, value string)
	Skip(args ...any)
	SkipNow()
	Skipf(format string, args ...any)
	Skipped() bool
	TempDir() string
}

func XTestInlineUnwinder(t TestingT) { notApplicable("inline unwinder (newInlineUnwinder)") }
func XTestSPWrite(t TestingT)        { notApplicable("unwinder's SPWrite handling") }

// ---- hooks of features gort does not have yet ----
//
// The tests run and fail with these messages (docs/CONFORMANCE.md counts
// them), except where conform/runtime_tests.list says otherwise.

func notYet(what string) {
	panic("gort: not implemented yet: " + what)
}

// InjectDebugCall plays a debugger injecting a call of fn into gp (locked
// to its thread and running), as Delve's `call` does: it sends SIGTRAP to
// gp's thread, and gort's signal handler (src/proc/testhooks.rs
// debugcall_trap) takes each step of the protocol (asm/runtime/
// debugcall.go) on the interrupted context. regArgs holds the register
// arguments (results on return), stackArgs points to the stack argument
// frame (results written back into it). Returns fn's panic value, or why
// no call could be made. Where a call cannot be made yet (the goroutine is
// between runs, or in the runtime), it tries again a while.
func InjectDebugCall(gp *g, fn any, regArgs *abi.RegArgs, stackArgs any, tkill func(tid int) error, returnOnUnsafePoint bool) (any, error) {
	if gp.lockedm == 0 {
		return nil, plainError("goroutine not locked to thread")
	}
	tid := int((*m)(unsafe.Pointer(gp.lockedm)).procid)
	if tid == 0 {
		return nil, plainError("missing tid")
	}
	fe := (*eface)(unsafe.Pointer(&fn))
	if fe._type == nil || abi.Kind(fe._type.Kind_&abi.KindMask) != abi.Func {
		return nil, plainError("fn must be a function")
	}
	ae := (*eface)(unsafe.Pointer(&stackArgs))
	var argSize uintptr
	if ae._type != nil {
		if abi.Kind(ae._type.Kind_&abi.KindMask) != abi.Pointer {
			return nil, plainError("args must be a pointer or nil")
		}
		if ae.data != nil {
			argSize = (*abi.PtrType)(unsafe.Pointer(ae._type)).Elem.Size_
		}
	}
	r, w, errno := Pipe()
	if errno != 0 {
		return nil, plainError("InjectDebugCall: pipe failed")
	}
	defer Close(r)
	defer Close(w)
	for try := 0; ; try++ {
		var panicked any
		rt_test_debugCallArm(gp, (*funcval)(fe.data), unsafe.Pointer(regArgs), ae.data, argSize, w)
		if err := tkill(tid); err != nil {
			rt_test_debugCallDisarm(unsafe.Pointer(&panicked))
			return nil, err
		}
		var b byte
		entersyscallblock()
		syscall.Syscall6(sysRead, uintptr(r), uintptr(unsafe.Pointer(&b)), 1, 0, 0, 0)
		exitsyscall()
		reason := rt_test_debugCallDisarm(unsafe.Pointer(&panicked))
		switch {
		case reason == "":
			return panicked, nil
		case reason == "call not at safe point" && returnOnUnsafePoint:
			return nil, plainError(reason)
		case try < 100 && (reason == "call not at safe point" || reason == "retry _Grunnable" ||
			reason == "executing on Go runtime stack" || reason == "call from within the Go runtime"):
			debugCallPause()
			continue
		}
		return nil, plainError(reason)
	}
}

// debugCallPause: a moment for the target goroutine to move on.
func debugCallPause() {
	ts := [2]int64{0, 100_000}
	entersyscallblock()
	syscall.Syscall6(sysNanosleep, uintptr(unsafe.Pointer(&ts)), 0, 0, 0, 0, 0)
	exitsyscall()
	Gosched()
}

// ReadMetricsSlow reads MemStats and the metrics samples with the world
// stopped once for both (so that they agree).
func ReadMetricsSlow(memStats *MemStats, samplesp unsafe.Pointer, len, cap int) {
	readMetricsWith(unsafe.Slice((*metricSample)(samplesp), len), func(samples []metricSample) {
		semacquire1(&worldsema, false, false, 0, waitReasonSemacquire)
		rt_test_readMetricsSlow(memStats, samples)
		semrelease1(&worldsema, false, 0)
	})
}

// Pinner internals (src/mem/heap/pin.rs).
func IsPinned(p unsafe.Pointer) bool { return isPinned(p) }

// GetPinCounter: the count of extra pins (beyond the first) of the object
// p points into, or nil when it is pinned at most once.
func GetPinCounter(p unsafe.Pointer) *uintptr { return rt_test_pinCounter(p) }

func SetPinnerLeakPanic(f func()) { pinnerLeakPanic = f }
func GetPinnerLeakPanic() func()  { return pinnerLeakPanic }

var CgoCheckPointer = cgoCheckPointer

// Sigisblocked: is signal i blocked in this thread's signal mask?
func Sigisblocked(i int) bool {
	var mask [2]uint32
	const sysRtSigprocmask = 14
	syscall.Syscall6(sysRtSigprocmask, 0, 0, uintptr(unsafe.Pointer(&mask)), 8, 0, 0)
	return mask[(i-1)/32]&(1<<((i-1)%32)) != 0
}

// WaitForSigusr1: with SIGUSR1 unblocked on this (locked) thread, call
// ready, then wait until the signal handler reports (writing to w) which
// M received SIGUSR1; a non-zero byte from the caller on r means timeout.
// Returns this M's id and the receiving M's.
func WaitForSigusr1(r, w int32, ready func(mp *M)) (int64, int64) {
	LockOSThread()
	const sysRtSigprocmask, sigUnblock, sigusr1 = 14, 1, 10
	set := uint64(1) << (sigusr1 - 1)
	syscall.Syscall6(sysRtSigprocmask, sigUnblock, uintptr(unsafe.Pointer(&set)), 0, 8, 0, 0)
	mp := getg().m
	rt_test_sigusr1Arm(w)
	ready(mp)
	var b byte
	entersyscallblock()
	syscall.Syscall6(sysRead, uintptr(r), uintptr(unsafe.Pointer(&b)), 1, 0, 0, 0)
	exitsyscall()
	got := rt_test_sigusr1Disarm()
	UnlockOSThread()
	if b != 0 {
		return -1, -1
	}
	return mp.id, got
}

// SendSigusr1 sends SIGUSR1 to mp's thread.
func SendSigusr1(mp *M) {
	const sysGetpid, sysTgkill, sigusr1 = 39, 234, 10
	pid, _, _ := syscall.Syscall6(sysGetpid, 0, 0, 0, 0, 0, 0)
	syscall.Syscall6(sysTgkill, pid, uintptr(mp.procid), sigusr1, 0, 0, 0)
}

// BlockOnSystemStack prints "x" and blocks forever inside
// runtime.blockOnSystemStackInternal: gort runs no Go code on the system
// stack, so it blocks on the goroutine's own.
func BlockOnSystemStack() {
	blockOnSystemStackInternal()
}

//go:noinline
func blockOnSystemStackInternal() {
	print("x\n")
	var never uint32
	semacquire1(&never, false, false, 0, waitReasonSemacquire)
}

func runOnSystemStack(fn func())

// G0StackOverflow runs Go code on g0 with g0's bounds pulled in to 4 KiB
// below it, so that recursing overflows them: morestack on g0 reports the
// frames and throws.
func G0StackOverflow() {
	runOnSystemStack(func() {
		gp := getg()
		gp.stack.lo = getcallersp() - 4096
		gp.stackguard0 = gp.stack.lo + stackGuard
		gp.stackguard1 = gp.stackguard0
		stackOverflow(nil)
	})
}

//go:noinline
func stackOverflow(p *byte) {
	var frame [256]byte
	stackOverflow(&frame[0])
}

// TracebackSystemstack: tracebacks across systemstack calls; gort runs no
// Go code on the system stack, so it unwinds the goroutine's own frames.
//
//go:noinline
func TracebackSystemstack(stk []uintptr, i int) int {
	if i == 0 {
		return Callers(2, stk)
	}
	return TracebackSystemstack(stk, i-1)
}

// ShrinkStackAndVerifyFramePointers shrinks the goroutine's stack (if it
// uses little enough of it) at the next stack check, with the old stack
// poisoned, and walks the frame pointers on the new one: a frame pointer
// left pointing into the old stack faults.
func ShrinkStackAndVerifyFramePointers() {
	rt_test_setStackPoison(true)
	defer rt_test_setStackPoison(false)
	shrinkOnNextCall()
	stackCheckHere(1)
	FPCallers(make([]uintptr, 1024))
}

// The stackguard0 value that asks for the shrink (src/mem/stack.rs).
const stackForceShrink = 0xfffffffffffffee5

//go:nosplit
func shrinkOnNextCall() {
	getg().stackguard0 = stackForceShrink
}

// stackCheckHere has a stack check in its prologue (it is not a leaf).
//
//go:noinline
func stackCheckHere(n int) int {
	if n > 0 {
		return stackCheckHere(n-1) + 1
	}
	return 0
}

// ---- the debug log (upstream's dlog, present with -tags debuglog) ----
//
// gort has no debug log: DlogEnabled is false, as in upstream's runtime
// built without the tag, and the tests that need one skip themselves.

const DlogEnabled = false

const DebugLogBytes = 16 << 10

const DebugLogStringLimit = DebugLogBytes / 8

type dlogger struct{}

func Dlog() *dlogger { return nil }

func (l *dlogger) End()                  {}
func (l *dlogger) B(x bool) *dlogger     { return l }
func (l *dlogger) I(x int) *dlogger      { return l }
func (l *dlogger) I16(x int16) *dlogger  { return l }
func (l *dlogger) U64(x uint64) *dlogger { return l }
func (l *dlogger) Hex(x uint64) *dlogger { return l }
func (l *dlogger) P(x any) *dlogger      { return l }
func (l *dlogger) S(x string) *dlogger   { return l }
func (l *dlogger) PC(x uintptr) *dlogger { return l }

func DumpDebugLog() string { notApplicable("debug log (dlog)"); return "" }
func ResetDebugLog()       { notApplicable("debug log (dlog)") }
