// The goroutine profile (runtime.GoroutineProfile and runtime/pprof's
// goroutine profile with labels), profiler labels, and the frame helpers
// runtime/pprof symbolizes profiles with. The Rust side takes the snapshot
// (src/proc/profile.rs: the world stops while every goroutine's stack is
// recorded); this side serialises it with the other stop-the-world users
// and copies the labels (Go pointers) into the caller's slice.

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
	var gs []uintptr
	if labels != nil && len(labels) >= len(p) {
		gs = make([]uintptr, len(p))
	}
	semacquire1(&worldsema, false, false, 0, waitReasonSemacquire)
	n, ok = rt_goroutineProfile(p, gs)
	semrelease1(&worldsema, false, 0)
	if ok && gs != nil {
		for i := 0; i < n; i++ {
			labels[i] = (*g)(unsafe.Pointer(gs[i])).labels
		}
	}
	return n, ok
}

// Profiler labels (runtime/pprof.SetGoroutineLabels, pprof.Do) live in the
// goroutine; new goroutines start with their creator's.
//
//go:linkname pprof_setProfLabel runtime/pprof.runtime_setProfLabel
func pprof_setProfLabel(labels unsafe.Pointer) {
	getg().m.curg.labels = labels
}

//go:linkname pprof_getProfLabel runtime/pprof.runtime_getProfLabel
func pprof_getProfLabel() unsafe.Pointer {
	return getg().m.curg.labels
}

//go:linkname pprof_FrameStartLine runtime/pprof.runtime_FrameStartLine
func pprof_FrameStartLine(f *Frame) int {
	return f.startLine
}

// Callers already records a pc for every inlined frame, the last one
// included (src/lang/callers.rs): there is nothing left to expand.
//
//go:linkname pprof_expandFinalInlineFrame runtime/pprof.runtime_expandFinalInlineFrame
func pprof_expandFinalInlineFrame(stk []uintptr) []uintptr {
	return stk
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
