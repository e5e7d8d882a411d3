// Coverage instrumentation's runtime half (go build -cover, go test -cover)
// and exit hooks. An instrumented package registers its coverage meta-data
// from its initialiser (addCovMeta, called by compiler-generated code); its
// counters live in the section the linker gathers between
// moduledata.covctrs and ecovctrs. runtime/coverage reads both, and writes
// them to GOCOVERDIR from an exit hook, which runs when main returns or
// the program calls os.Exit (not when it dies of a panic or a fatal error).
// All of this is Go data (slices, a map, closures), so it lives here.

package runtime

import (
	"internal/coverage/rtcov"
	"unsafe"
)

// The registered packages, in registration order (a package's counter-list
// id is its position plus one), and for packages with a hard-coded id (the
// standard library's), that id's position.
var covMetaList []rtcov.CovMetaBlob
var covPkgMap map[int]int

func addCovMeta(p unsafe.Pointer, dlen uint32, hash [16]byte, pkpath string, pkid int, cmode uint8, cgran uint8) uint32 {
	id := uint32(len(covMetaList)) + 1 // ids start at 1: 0 means none
	if pkid != -1 {
		// A hard-coded id (the runtime's packages have them; -1: none)
		// names exactly one package.
		if _, dup := covPkgMap[pkid]; dup {
			throw("runtime.addCovMeta: coverage package map collision")
		}
		if covPkgMap == nil {
			covPkgMap = map[int]int{}
		}
		covPkgMap[pkid] = int(id) - 1
	}
	blob := rtcov.CovMetaBlob{P: (*byte)(p), Len: dlen, Hash: hash, PkgPath: pkpath, PkgID: pkid, CounterMode: cmode, CounterGranularity: cgran}
	covMetaList = append(covMetaList, blob)
	return id
}

//go:linkname coverage_getCovMetaList runtime/coverage.getCovMetaList
func coverage_getCovMetaList() []rtcov.CovMetaBlob {
	return covMetaList
}

//go:linkname coverage_getCovPkgMap runtime/coverage.getCovPkgMap
func coverage_getCovPkgMap() map[int]int {
	return covPkgMap
}

// The counter sections of every module that has one (uint32 counters).
//
//go:linkname coverage_getCovCounterList runtime/coverage.getCovCounterList
func coverage_getCovCounterList() []rtcov.CovCounterBlob {
	list := []rtcov.CovCounterBlob{}
	for md := &firstmoduledata; md != nil; md = md.next {
		if n := (md.ecovctrs - md.covctrs) / 4; n > 0 {
			list = append(list, rtcov.CovCounterBlob{Counters: (*uint32)(unsafe.Pointer(md.covctrs)), Len: uint64(n)})
		}
	}
	return list
}

// Functions to run at exit, in registration order; runExitHooks calls them
// last first.
var exitHooks []exitHook
var exitHooksRunning bool

type exitHook struct {
	f             func()
	onNonZeroExit bool // also when the exit status is not 0
}

// addExitHook registers f to run when the program exits normally (main
// returns, or os.Exit(0)), and also on other os.Exit statuses when
// runOnNonZeroExit. For runtime/coverage (and the runtime's tests).
func addExitHook(f func(), runOnNonZeroExit bool) {
	exitHooks = append(exitHooks, exitHook{f: f, onNonZeroExit: runOnNonZeroExit})
}

func runExitHooks(exitCode int) {
	if exitHooksRunning {
		throw("internal error: exit hook invoked exit")
	}
	exitHooksRunning = true
	for i := len(exitHooks) - 1; i >= 0; i-- {
		h := exitHooks[i]
		if exitCode != 0 && !h.onNonZeroExit {
			continue
		}
		if !exitHookReturns(h.f) {
			throw("internal error: exit hook invoked panic")
		}
	}
	exitHooks = nil
	exitHooksRunning = false
}

// exitHookReturns calls f and reports whether it returned (rather than
// panicked: the panic is stopped here).
func exitHookReturns(f func()) (returned bool) {
	defer func() {
		if !returned {
			recover()
		}
	}()
	f()
	return true
}
