// The race detector's Go face (built only with -race): the API the
// instrumented program and the standard library call (internal/race,
// sync, reflect), and the table of ThreadSanitizer entry points the Rust
// side calls (src/base/tsan.rs, src/proc/race.rs).
//
// ThreadSanitizer's Go runtime is linked from runtime/race's .syso. Its
// entry points are C functions that run on the system stack: the hot ones
// (memory accesses, function entry and exit, sync/atomic) are called from
// race_amd64.s through racecall; the rest from Rust, which already runs
// on g0. Without the race tag none of this is compiled (race0.go).

//go:build race

package runtime

import (
	"internal/abi"
	"unsafe"
)

const raceenabled = true

// The C symbols of the race runtime. The variable names must be the C
// names (their addresses are the functions'), so they are linknamed, and
// cgo_import_static tells the linker to find them in the host link.

//go:linkname __tsan_init __tsan_init
var __tsan_init byte

//go:linkname __tsan_fini __tsan_fini
var __tsan_fini byte

//go:linkname __tsan_proc_create __tsan_proc_create
var __tsan_proc_create byte

//go:linkname __tsan_proc_destroy __tsan_proc_destroy
var __tsan_proc_destroy byte

//go:linkname __tsan_map_shadow __tsan_map_shadow
var __tsan_map_shadow byte

//go:linkname __tsan_finalizer_goroutine __tsan_finalizer_goroutine
var __tsan_finalizer_goroutine byte

//go:linkname __tsan_go_start __tsan_go_start
var __tsan_go_start byte

//go:linkname __tsan_go_end __tsan_go_end
var __tsan_go_end byte

//go:linkname __tsan_malloc __tsan_malloc
var __tsan_malloc byte

//go:linkname __tsan_free __tsan_free
var __tsan_free byte

//go:linkname __tsan_acquire __tsan_acquire
var __tsan_acquire byte

//go:linkname __tsan_release __tsan_release
var __tsan_release byte

//go:linkname __tsan_release_acquire __tsan_release_acquire
var __tsan_release_acquire byte

//go:linkname __tsan_release_merge __tsan_release_merge
var __tsan_release_merge byte

//go:linkname __tsan_go_ignore_sync_begin __tsan_go_ignore_sync_begin
var __tsan_go_ignore_sync_begin byte

//go:linkname __tsan_go_ignore_sync_end __tsan_go_ignore_sync_end
var __tsan_go_ignore_sync_end byte

//go:linkname __tsan_report_count __tsan_report_count
var __tsan_report_count byte

//go:linkname __tsan_read_range __tsan_read_range
var __tsan_read_range byte

//go:linkname __tsan_write_range __tsan_write_range
var __tsan_write_range byte

//go:linkname __tsan_read_pc __tsan_read_pc
var __tsan_read_pc byte

//go:linkname __tsan_write_pc __tsan_write_pc
var __tsan_write_pc byte

//go:linkname __tsan_func_enter __tsan_func_enter
var __tsan_func_enter byte

//go:linkname __tsan_func_exit __tsan_func_exit
var __tsan_func_exit byte

//go:cgo_import_static __tsan_init
//go:cgo_import_static __tsan_fini
//go:cgo_import_static __tsan_proc_create
//go:cgo_import_static __tsan_proc_destroy
//go:cgo_import_static __tsan_map_shadow
//go:cgo_import_static __tsan_finalizer_goroutine
//go:cgo_import_static __tsan_go_start
//go:cgo_import_static __tsan_go_end
//go:cgo_import_static __tsan_malloc
//go:cgo_import_static __tsan_free
//go:cgo_import_static __tsan_acquire
//go:cgo_import_static __tsan_release
//go:cgo_import_static __tsan_release_acquire
//go:cgo_import_static __tsan_release_merge
//go:cgo_import_static __tsan_go_ignore_sync_begin
//go:cgo_import_static __tsan_go_ignore_sync_end
//go:cgo_import_static __tsan_report_count
//go:cgo_import_static __tsan_read
//go:cgo_import_static __tsan_read_pc
//go:cgo_import_static __tsan_read_range
//go:cgo_import_static __tsan_write
//go:cgo_import_static __tsan_write_pc
//go:cgo_import_static __tsan_write_range
//go:cgo_import_static __tsan_func_enter
//go:cgo_import_static __tsan_func_exit
//go:cgo_import_static __tsan_go_atomic32_load
//go:cgo_import_static __tsan_go_atomic64_load
//go:cgo_import_static __tsan_go_atomic32_store
//go:cgo_import_static __tsan_go_atomic64_store
//go:cgo_import_static __tsan_go_atomic32_exchange
//go:cgo_import_static __tsan_go_atomic64_exchange
//go:cgo_import_static __tsan_go_atomic32_fetch_add
//go:cgo_import_static __tsan_go_atomic64_fetch_add
//go:cgo_import_static __tsan_go_atomic32_compare_exchange
//go:cgo_import_static __tsan_go_atomic64_compare_exchange

// Where memory has shadow (race_amd64.s skips accesses elsewhere: stacks,
// the runtime's own memory): the heap's arenas, set by the Rust side as it
// maps them, and the data and bss segments.
var racearenastart, racearenaend uintptr
var racedatastart, racedataend uintptr

// raceTable is what rt_raceInit gets: the entry points in the order of
// src/base/tsan.rs's Fn enum, then the addresses of the bounds above.
var raceTable = [...]uintptr{
	uintptr(unsafe.Pointer(&__tsan_init)),
	uintptr(unsafe.Pointer(&__tsan_fini)),
	uintptr(unsafe.Pointer(&__tsan_proc_create)),
	uintptr(unsafe.Pointer(&__tsan_proc_destroy)),
	uintptr(unsafe.Pointer(&__tsan_map_shadow)),
	uintptr(unsafe.Pointer(&__tsan_finalizer_goroutine)),
	uintptr(unsafe.Pointer(&__tsan_go_start)),
	uintptr(unsafe.Pointer(&__tsan_go_end)),
	uintptr(unsafe.Pointer(&__tsan_malloc)),
	uintptr(unsafe.Pointer(&__tsan_free)),
	uintptr(unsafe.Pointer(&__tsan_acquire)),
	uintptr(unsafe.Pointer(&__tsan_release)),
	uintptr(unsafe.Pointer(&__tsan_release_acquire)),
	uintptr(unsafe.Pointer(&__tsan_release_merge)),
	uintptr(unsafe.Pointer(&__tsan_read_range)),
	uintptr(unsafe.Pointer(&__tsan_write_range)),
	uintptr(unsafe.Pointer(&__tsan_read_pc)),
	uintptr(unsafe.Pointer(&__tsan_write_pc)),
	uintptr(unsafe.Pointer(&__tsan_func_enter)),
	uintptr(unsafe.Pointer(&__tsan_func_exit)),
	uintptr(unsafe.Pointer(&racearenastart)),
	uintptr(unsafe.Pointer(&racearenaend)),
	uintptr(unsafe.Pointer(&racegctx)),
}

// raceNamed: see raceinit.
var raceNamed [16]uintptr

// The context __tsan_init made (written by rt_raceInit): the parent of
// goroutines with no Go creator (extra Ms' goroutines).
var racegctx uintptr

// racecgoctx gives the goroutine of an extra M (a thread C created) a
// race context, in its first call from C (it has a P by now). Reports
// show such a goroutine created at runtime.newextram, as upstream's,
// where extra Ms are made: the creation pc is a return address in a
// function of that name, placed at upstream's position.
//
//go:nosplit
func racecgoctx(gp *g) {
	newextram(gp)
}

//go:noinline
//go:nosplit
func newextram(gp *g) {
//line $GOROOT/src/runtime/proc.go:2266
	racecgostart(gp)
//line $GOROOT/src/runtime/race.go:190
}

//go:noinline
//go:nosplit
func racecgostart(gp *g) {
	racecall(&__tsan_go_start, racegctx, uintptr(unsafe.Pointer(&gp.racectx)), getcallerpc(), 0)
}

// raceinit starts the race runtime, first thing in runtime.main (before
// any instrumented code runs): the Rust side calls __tsan_init, gives
// every P a processor context and the main goroutine a goroutine context,
// and maps shadow for the heap; the data and bss segments (page-rounded)
// are given here.
func raceinit() {
	md := &firstmoduledata
	start, end := md.noptrdata, md.enoptrdata
	for _, r := range [...][2]uintptr{{md.data, md.edata}, {md.noptrbss, md.enoptrbss}, {md.bss, md.ebss}} {
		start = min(start, r[0])
		end = max(end, r[1])
	}
	start &^= 4095
	end = (end + 4095) &^ 4095
	racedatastart, racedataend = start, end
	// Keep linked the functions reports name for others (the runtime
	// functions reflect's entry points and mapaccess1_fat call in
	// upstream's runtime, select's cases as chansend and chanrecv):
	// src/meta/racepc.rs looks them up by name. The map functions are
	// leaf entries (ABIInternal trampolines).
	raceNamed = [...]uintptr{
		abi.FuncPCABIInternal(mapaccess1), abi.FuncPCABIInternal(mapaccess2),
		abi.FuncPCABIInternal(mapaccess2_faststr), abi.FuncPCABIInternal(mapassign),
		abi.FuncPCABIInternal(mapassign_faststr), abi.FuncPCABIInternal(mapdelete),
		abi.FuncPCABIInternal(mapdelete_faststr), abi.FuncPCABIInternal(mapiterinit),
		abi.FuncPCABIInternal(mapiternext), abi.FuncPCABI0(mapclear),
		abi.FuncPCABIInternal(growslice), abi.FuncPCABI0(slicecopy),
		abi.FuncPCABIInternal(reflect_typedmemmove), abi.FuncPCABIInternal(reflect_maplen),
		abi.FuncPCABIInternal(chansend), abi.FuncPCABIInternal(chanrecv),
	}
	rt_raceInit(unsafe.Pointer(&raceTable[0]), uintptr(len(raceTable)), start, end)
}

// racefini ends the program through the race runtime: __tsan_fini prints
// "Found N data race(s)" and exits with status 66 if it reported any
// (else 0). Called where a race-free program would exit 0.
func racefini() {
	rt_raceFini()
}

// The exported API.

func RaceRead(addr unsafe.Pointer)
func RaceWrite(addr unsafe.Pointer)
func RaceReadRange(addr unsafe.Pointer, len int)
func RaceWriteRange(addr unsafe.Pointer, len int)

// RaceErrors is the number of races reported so far.
func RaceErrors() int {
	var n uint64
	racecall(&__tsan_report_count, uintptr(unsafe.Pointer(&n)), 0, 0, 0)
	return int(n)
}

//go:nosplit
func RaceAcquire(addr unsafe.Pointer) { racesync(&__tsan_acquire, addr) }

//go:nosplit
func RaceRelease(addr unsafe.Pointer) { racesync(&__tsan_release, addr) }

//go:nosplit
func RaceReleaseMerge(addr unsafe.Pointer) { racesync(&__tsan_release_merge, addr) }

// RaceDisable stops synchronisation events of the current goroutine from
// reaching the detector until the matching RaceEnable (they nest).
//
//go:nosplit
func RaceDisable() {
	gp := getg()
	if gp.raceignore == 0 {
		racecall(&__tsan_go_ignore_sync_begin, gp.racectx, 0, 0, 0)
	}
	gp.raceignore++
}

//go:nosplit
func RaceEnable() {
	gp := getg()
	gp.raceignore--
	if gp.raceignore == 0 {
		racecall(&__tsan_go_ignore_sync_end, gp.racectx, 0, 0, 0)
	}
}

// racesync reports an acquire or release on addr by the current
// goroutine, unless it ignores synchronisation or addr has no shadow.
//
//go:nosplit
func racesync(fn *byte, addr unsafe.Pointer) {
	gp := getg()
	if gp.raceignore != 0 || !raceshadowed(uintptr(addr)) {
		return
	}
	racecall(fn, gp.racectx, uintptr(addr), 0, 0)
}

// racereadpc: the runtime function whose entry is pc, called by the
// program at callerpc, reads addr (src/meta/racepc.rs does the same for
// the Rust side's entry points; the symbolizer gives such an entry pc
// upstream's position).
func racereadpc(addr unsafe.Pointer, callerpc, pc uintptr) {
	if raceshadowed(uintptr(addr)) {
		racecall(&__tsan_read_pc, getg().racectx, uintptr(addr), callerpc, pc+1)
	}
}

// racecgoEnterC and racecgoLeaveC bracket the time a goroutine spends in
// C (a cgo call, or the C code around a callback): C code may synchronise
// in ways the detector does not see, so every entry into C is ordered
// after every earlier return from it, through racecgosync (cgo.go), as
// upstream's.
//
//go:nosplit
func racecgoEnterC() { racereleasemerge(unsafe.Pointer(&racecgosync)) }

//go:nosplit
func racecgoLeaveC() { raceacquire(unsafe.Pointer(&racecgosync)) }

// raceacquire and racereleasemerge: the runtime's own synchronisation
// edges (no-ops in other builds: race0.go).
//
//go:nosplit
func raceacquire(addr unsafe.Pointer) { racesync(&__tsan_acquire, addr) }

//go:nosplit
func racereleasemerge(addr unsafe.Pointer) { racesync(&__tsan_release_merge, addr) }

//go:nosplit
func raceshadowed(a uintptr) bool {
	return racearenastart <= a && a < racearenaend || racedatastart <= a && a < racedataend
}

// Implemented in race_amd64.s: the calls the compiler's instrumentation
// makes (ABIInternal), and racecall, which runs a race runtime function
// on g0 with up to four arguments.
func racefuncenter(callpc uintptr)
func racefuncexit()
func raceread(addr uintptr)
func racewrite(addr uintptr)
func racereadrange(addr, size uintptr)
func racewriterange(addr, size uintptr)
func racecall(fn *byte, arg0, arg1, arg2, arg3 uintptr)

// ABI wrappers: sync/atomic declares these functions and race_amd64.s
// implements them (under -race sync/atomic's own assembly is left out);
// declaring them here makes the compiler emit their ABIInternal wrappers.

//go:linkname abigen_sync_atomic_LoadInt32 sync/atomic.LoadInt32
func abigen_sync_atomic_LoadInt32(addr *int32) (val int32)

//go:linkname abigen_sync_atomic_LoadInt64 sync/atomic.LoadInt64
func abigen_sync_atomic_LoadInt64(addr *int64) (val int64)

//go:linkname abigen_sync_atomic_LoadUint32 sync/atomic.LoadUint32
func abigen_sync_atomic_LoadUint32(addr *uint32) (val uint32)

//go:linkname abigen_sync_atomic_LoadUint64 sync/atomic.LoadUint64
func abigen_sync_atomic_LoadUint64(addr *uint64) (val uint64)

//go:linkname abigen_sync_atomic_LoadUintptr sync/atomic.LoadUintptr
func abigen_sync_atomic_LoadUintptr(addr *uintptr) (val uintptr)

//go:linkname abigen_sync_atomic_LoadPointer sync/atomic.LoadPointer
func abigen_sync_atomic_LoadPointer(addr *unsafe.Pointer) (val unsafe.Pointer)

//go:linkname abigen_sync_atomic_StoreInt32 sync/atomic.StoreInt32
func abigen_sync_atomic_StoreInt32(addr *int32, val int32)

//go:linkname abigen_sync_atomic_StoreInt64 sync/atomic.StoreInt64
func abigen_sync_atomic_StoreInt64(addr *int64, val int64)

//go:linkname abigen_sync_atomic_StoreUint32 sync/atomic.StoreUint32
func abigen_sync_atomic_StoreUint32(addr *uint32, val uint32)

//go:linkname abigen_sync_atomic_StoreUint64 sync/atomic.StoreUint64
func abigen_sync_atomic_StoreUint64(addr *uint64, val uint64)

//go:linkname abigen_sync_atomic_SwapInt32 sync/atomic.SwapInt32
func abigen_sync_atomic_SwapInt32(addr *int32, new int32) (old int32)

//go:linkname abigen_sync_atomic_SwapInt64 sync/atomic.SwapInt64
func abigen_sync_atomic_SwapInt64(addr *int64, new int64) (old int64)

//go:linkname abigen_sync_atomic_SwapUint32 sync/atomic.SwapUint32
func abigen_sync_atomic_SwapUint32(addr *uint32, new uint32) (old uint32)

//go:linkname abigen_sync_atomic_SwapUint64 sync/atomic.SwapUint64
func abigen_sync_atomic_SwapUint64(addr *uint64, new uint64) (old uint64)

//go:linkname abigen_sync_atomic_AddInt32 sync/atomic.AddInt32
func abigen_sync_atomic_AddInt32(addr *int32, delta int32) (new int32)

//go:linkname abigen_sync_atomic_AddUint32 sync/atomic.AddUint32
func abigen_sync_atomic_AddUint32(addr *uint32, delta uint32) (new uint32)

//go:linkname abigen_sync_atomic_AddInt64 sync/atomic.AddInt64
func abigen_sync_atomic_AddInt64(addr *int64, delta int64) (new int64)

//go:linkname abigen_sync_atomic_AddUint64 sync/atomic.AddUint64
func abigen_sync_atomic_AddUint64(addr *uint64, delta uint64) (new uint64)

//go:linkname abigen_sync_atomic_AddUintptr sync/atomic.AddUintptr
func abigen_sync_atomic_AddUintptr(addr *uintptr, delta uintptr) (new uintptr)

//go:linkname abigen_sync_atomic_CompareAndSwapInt32 sync/atomic.CompareAndSwapInt32
func abigen_sync_atomic_CompareAndSwapInt32(addr *int32, old, new int32) (swapped bool)

//go:linkname abigen_sync_atomic_CompareAndSwapInt64 sync/atomic.CompareAndSwapInt64
func abigen_sync_atomic_CompareAndSwapInt64(addr *int64, old, new int64) (swapped bool)

//go:linkname abigen_sync_atomic_CompareAndSwapUint32 sync/atomic.CompareAndSwapUint32
func abigen_sync_atomic_CompareAndSwapUint32(addr *uint32, old, new uint32) (swapped bool)

//go:linkname abigen_sync_atomic_CompareAndSwapUint64 sync/atomic.CompareAndSwapUint64
func abigen_sync_atomic_CompareAndSwapUint64(addr *uint64, old, new uint64) (swapped bool)

//go:linkname abigen_sync_atomic_StoreUintptr sync/atomic.StoreUintptr
//go:noescape
func abigen_sync_atomic_StoreUintptr(addr *uintptr, val uintptr)

//go:linkname abigen_sync_atomic_SwapUintptr sync/atomic.SwapUintptr
//go:noescape
func abigen_sync_atomic_SwapUintptr(addr *uintptr, new uintptr) (old uintptr)

//go:linkname abigen_sync_atomic_CompareAndSwapUintptr sync/atomic.CompareAndSwapUintptr
//go:noescape
func abigen_sync_atomic_CompareAndSwapUintptr(addr *uintptr, old, new uintptr) (swapped bool)

// The pointer operations of sync/atomic (atomic.go) go through TSan too,
// as their uintptr forms.

//go:nosplit
func raceStorePointer(ptr *unsafe.Pointer, new unsafe.Pointer) {
	abigen_sync_atomic_StoreUintptr((*uintptr)(unsafe.Pointer(ptr)), uintptr(new))
}

//go:nosplit
func raceSwapPointer(ptr *unsafe.Pointer, new unsafe.Pointer) unsafe.Pointer {
	return unsafe.Pointer(abigen_sync_atomic_SwapUintptr((*uintptr)(unsafe.Pointer(ptr)), uintptr(new)))
}

//go:nosplit
func raceCompareAndSwapPointer(ptr *unsafe.Pointer, old, new unsafe.Pointer) bool {
	return abigen_sync_atomic_CompareAndSwapUintptr((*uintptr)(unsafe.Pointer(ptr)), uintptr(old), uintptr(new))
}

// selectsetpc records where a select case is (the compiler's -race
// instrumentation calls it for each case; the pc would name the case in
// race reports on its channel).
func selectsetpc(pc *uintptr) {
	*pc = getcallerpc()
}

// racefingo: the finalizer goroutine is about to run a finalizer, which
// happens after everything the program did so far.
func racefingo() {
	racecall(&__tsan_finalizer_goroutine, getg().racectx, 0, 0, 0)
}

// racenocontext: racefuncenter found no race context on the goroutine
// running instrumented code (a case gort does not handle yet).
func racenocontext() {
	throw("gort: race context for this goroutine not implemented (instrumented code on a goroutine or g0 without one)")
}
