// Without -race: no race detector. The calls in shared code sit behind
// `if raceenabled` and compile to nothing.

//go:build !race

package runtime

import "unsafe"

const raceenabled = false

func raceinit() {}
func racefini() {}

func raceStorePointer(ptr *unsafe.Pointer, new unsafe.Pointer)                    {}
func raceSwapPointer(ptr *unsafe.Pointer, new unsafe.Pointer) unsafe.Pointer      { return nil }
func raceCompareAndSwapPointer(ptr *unsafe.Pointer, old, new unsafe.Pointer) bool { return false }

func racefingo() {}

func selectsetpc(pc *uintptr) {}

func raceacquire(addr unsafe.Pointer)                      {}
func racereadpc(addr unsafe.Pointer, callerpc, pc uintptr) {}
func racereleasemerge(addr unsafe.Pointer)                 {}

func racecgoctx(gp *g) {}

func racecgoEnterC() {}
func racecgoLeaveC() {}
