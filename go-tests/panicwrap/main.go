// A value method called through a nil pointer (via the compiler's pointer
// wrapper, here reached through an interface): upstream's message, as a
// recovered runtime error and as an uncaught panic.
package main

import (
	"fmt"
	"runtime"
)

type T struct{ n int }

func (t T) Value() int { return t.n }

type Valuer interface{ Value() int }

func call(v Valuer) (r int, err error) {
	defer func() {
		if e := recover(); e != nil {
			_, isRuntime := e.(runtime.Error)
			err = fmt.Errorf("recovered (runtime.Error %v): %v", isRuntime, e)
		}
	}()
	return v.Value(), nil
}

func main() {
	var p *T
	fmt.Println(call(&T{n: 3}))
	fmt.Println(call(p))
	var v Valuer = p
	v.Value()
}
