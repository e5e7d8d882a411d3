// GODEBUG plumbing for internal/godebug: the runtime tells it the current
// GODEBUG settings at registration and whenever os.Setenv changes GODEBUG.
// This calls Go functions, so it lives on the Go side. The runtime's own
// settings that follow such changes (panicnil) are re-read by the Rust side
// (src/os/settings.rs), which also reads godebugDefault.

package runtime

import (
	"runtime/internal/atomic"
	_ "unsafe"
)

// Set by the linker (-X) from the main module's godebug settings: its
// go.mod's go version and //go:debug lines.
var godebugDefault string

var godebugUpdate func(string, string)
var godebugNewIncNonDefault func(string) func()

// The GODEBUG value set through os.Setenv, if any (else the initial one).
var godebugEnv string
var godebugEnvSet bool

func godebugCurrent() string {
	if godebugEnvSet {
		return godebugEnv
	}
	return rt_getenv("GODEBUG")
}

//go:linkname godebug_setUpdate internal/godebug.setUpdate
func godebug_setUpdate(update func(string, string)) {
	godebugUpdate = update
	update(godebugDefault, godebugCurrent())
}

//go:linkname godebug_setNewIncNonDefault internal/godebug.setNewIncNonDefault
func godebug_setNewIncNonDefault(newIncNonDefault func(string) func()) {
	godebugNewIncNonDefault = newIncNonDefault
}

// A runtime GODEBUG setting whose non-default uses internal/godebug counts
// (its /godebug/non-default-behavior/NAME:events metric). Uses before
// internal/godebug registered itself are not counted.
type godebugCounter struct {
	name string
	inc  atomic.Pointer[func()]
}

var godebugPanicnil = &godebugCounter{name: "panicnil"}

func (c *godebugCounter) incNonDefault() {
	f := c.inc.Load()
	if f == nil {
		if godebugNewIncNonDefault == nil {
			return
		}
		inc := new(func())
		*inc = godebugNewIncNonDefault(c.name)
		c.inc.CompareAndSwap(nil, inc)
		f = c.inc.Load()
	}
	(*f)()
}

//go:linkname syscall_runtimeSetenv syscall.runtimeSetenv
func syscall_runtimeSetenv(key, value string) {
	setenv_c(key, value)
	if key == "GODEBUG" {
		godebugEnv, godebugEnvSet = value, true
		rt_godebugChanged(value)
		if godebugUpdate != nil {
			godebugUpdate(godebugDefault, value)
		}
	}
}

//go:linkname syscall_runtimeUnsetenv syscall.runtimeUnsetenv
func syscall_runtimeUnsetenv(key string) {
	unsetenv_c(key)
	if key == "GODEBUG" {
		godebugEnv, godebugEnvSet = "", true
		rt_godebugChanged("")
		if godebugUpdate != nil {
			godebugUpdate(godebugDefault, "")
		}
	}
}
