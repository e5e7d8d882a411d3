// Package a is initialised before b and c, which import it.
package a

var Trace []string

func record(s string) int {
	Trace = append(Trace, s)
	println("init step:", s)
	return len(Trace)
}

var A1 = record("a.A1 (var)")
var A0 = record("a.A0 (declared second, initialised second)")

func init() {
	record("a.init #1")
}

func init() {
	record("a.init #2")
}
