// runtime/debug's setters whose frames show in fatal reports (a throw
// made while they run starts with the calling goroutine), with the //line
// position upstream's go1.22.12 frame stops at (see upstream_lines.go).

package runtime

import _ "unsafe" // for go:linkname

//go:linkname debug_setMaxThreads runtime/debug.setMaxThreads
func debug_setMaxThreads(in int) (out int) {
//line $GOROOT/src/runtime/proc.go:6997
	return rt_setMaxThreads(in)
//line $GOROOT/src/runtime/debug_lines.go:14
}
