// The goroutine profile (runtime.GoroutineProfile and runtime/pprof's
// goroutine profile with labels), profiler labels, and the frame helpers
// runtime/pprof symbolizes profiles with. The Rust side takes the snapshot
// (src/proc/profile.rs: the world stops while every goroutine's stack and
// labels are recorded); this side serialises it with the other
// stop-the-world users.

package runtime

import "unsafe"

// GoroutineProfile returns n, the number of records in the active
// goroutine stack profile; if len(p) >= n it copies the profile into p
// and returns n, true, else it copies nothing and returns n, false.
func GoroutineProfile(p []StackRecord) (n int, ok bool) {
	return goroutineProfile(p, nil)
}

//go:linkname pprof_goroutineProfileWithLabels runtime/pprof.runtime_goroutineProfileWithLabels
func pprof_goroutineProfileWithLabels(p []StackRecord, labels []unsafe.Pointer) (n int, ok bool) {
	return goroutineProfile(p, labels)
}

// goroutineProfile's frame is left out of the calling goroutine's record.
//
//go:noinline
func goroutineProfile(p []StackRecord, labels []unsafe.Pointer) (n int, ok bool) {
	if len(labels) < len(p) {
		labels = nil
	}
	semacquire1(&worldsema, false, false, 0, waitReasonSemacquire)
	n, ok = rt_goroutineProfile(p, labels)
	semrelease1(&worldsema, false, 0)
	return n, ok
}

// Profiler labels (runtime/pprof.SetGoroutineLabels, pprof.Do) live in the
// goroutine; new goroutines start with their creator's. Under -race, the
// CPU profile's reader (which reads the labels the samples carry) is
// ordered after every label setting so far: a release-merge here, an
// acquire in readProfile, on labelSync (the signal handler that copies
// the label pointer into the profile cannot call the race runtime).
//
//go:linkname pprof_setProfLabel runtime/pprof.runtime_setProfLabel
func pprof_setProfLabel(labels unsafe.Pointer) {
	if raceenabled {
		racereleasemerge(unsafe.Pointer(&labelSync))
	}
	getg().m.curg.labels = labels
}

// labelSync: only its address is used (see pprof_setProfLabel).
var labelSync uintptr

//go:linkname pprof_getProfLabel runtime/pprof.runtime_getProfLabel
func pprof_getProfLabel() unsafe.Pointer {
	return getg().m.curg.labels
}

//go:linkname pprof_FrameStartLine runtime/pprof.runtime_FrameStartLine
func pprof_FrameStartLine(f *Frame) int {
	return f.startLine
}

// Stacks record a pc for every inlined frame (src/lang/callers.rs); one
// cut at its maximum depth may end inside inlined calls whose callers
// were cut off: the last pc is replaced by the pcs of every logical frame
// at it, as upstream's.
//
//go:linkname pprof_expandFinalInlineFrame runtime/pprof.runtime_expandFinalInlineFrame
func pprof_expandFinalInlineFrame(stk []uintptr) []uintptr {
	if len(stk) == 0 {
		return stk
	}
	var buf [32]uintptr
	n := rt_inlineFrames(stk[len(stk)-1], buf[:])
	if n == 0 {
		return stk
	}
	return append(stk[:len(stk)-1], buf[:n]...)
}

// MemProfile returns the memory profile's records (src/mem/mprof.rs): n,
// and whether they fit in p (then copied). A Go function, so that the
// linker sees whether the program can reach it (when it cannot, it sets
// disableMemoryProfiling): never inlined, so that calls keep it.
//
//go:noinline
func MemProfile(p []MemProfileRecord, inuseZero bool) (n int, ok bool) {
	return rt_memProfile(p, inuseZero)
}

// memProfileInit sets runtime.MemProfileRate at startup: from
// GODEBUG=memprofilerate=N (the last such setting wins), and to 0 when the
// linker found runtime.MemProfile unreachable (nobody can read the
// profile, so nothing is sampled).
func memProfileInit(godebug string) {
	const key = "memprofilerate="
	for i := 0; i < len(godebug); {
		j := i
		for j < len(godebug) && godebug[j] != ',' {
			j++
		}
		item := godebug[i:j]
		if len(item) > len(key) && item[:len(key)] == key {
			n, ok := 0, true
			for k := len(key); k < len(item); k++ {
				c := item[k]
				if c < '0' || c > '9' {
					ok = false
					break
				}
				n = n*10 + int(c-'0')
			}
			if ok {
				MemProfileRate = n
			}
		}
		i = j + 1
	}
	if disableMemoryProfiling {
		MemProfileRate = 0
	}
}

// ---- CPU profiling (src/proc/cpuprof.rs) ----

// A profile's buffer: its ring of words and its tags (one per record:
// the sampled goroutine's labels), allocated per profile as upstream's.
// The tags are Go memory so that the collector keeps the labels alive
// until runtime/pprof has read them.
var (
	cpuprofData []uint64
	cpuprofTags []unsafe.Pointer
)

// Sizes (src/proc/cpuprof.rs DATA_WORDS, TAG_SLOTS).
const (
	cpuprofDataWords = 1 << 17
	cpuprofTagSlots  = 1 << 14
)

// Serialises SetCPUProfileRate callers.
var cpuprofSema uint32 = 1

// SetCPUProfileRate sets the CPU profiling rate to hz samples per second;
// hz <= 0 turns profiling off.
func SetCPUProfileRate(hz int) {
	semacquire1(&cpuprofSema, false, false, 0, waitReasonSemacquire)
	if hz > 0 {
		data := make([]uint64, cpuprofDataWords)
		tags := make([]unsafe.Pointer, cpuprofTagSlots)
		if rt_setCPUProfileRate(hz, data, tags) {
			cpuprofData, cpuprofTags = data, tags
		}
	} else {
		rt_setCPUProfileRate(0, nil, nil)
	}
	semrelease1(&cpuprofSema, false, 0)
}

// CPUProfile panics, as upstream's: runtime/pprof reads the profile.
func CPUProfile() []byte {
	panic("CPUProfile no longer available")
}

// What rt_cpuprofRead found.
const (
	cpuprofReadData = 0
	cpuprofReadEOF  = 1
	cpuprofReadWait = 2
)

// readProfile returns the next records of the CPU profile and their tags
// (valid until the next call), waiting for some; eof once the profile
// has stopped and everything was read.
//
//go:linkname pprof_readProfile runtime/pprof.readProfile
func pprof_readProfile() ([]uint64, []unsafe.Pointer, bool) {
	for {
		data, tags, st := rt_cpuprofRead()
		if st != cpuprofReadWait {
			if raceenabled {
				raceacquire(unsafe.Pointer(&labelSync))
			}
			return data, tags, st == cpuprofReadEOF
		}
		entersyscallblock()
		rt_cpuprofWait()
		exitsyscall()
	}
}

// Pseudo-functions that stand for code a CPU profile sample cannot name:
// code outside Go's text (gort's own runtime code, the C library) and the
// runtime's system work, as upstream's.
func _ExternalCode() { _ExternalCode() }
func _System()       { _System() }
