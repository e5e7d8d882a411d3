// Go panics through C frames: a panic in a callback recovered by the Go
// code that called C (the C frames are abandoned), one recovered halfway
// through nested callbacks, then C keeps working; last, an unrecovered
// panic in a callback on a thread C created, reported as upstream
// reports it.
package main

/*
void callPanicky(int depth);
int callMiddle(void);
void panicOnThread(void);
static int add(int a, int b) { return a + b; }
*/
import "C"

import "fmt"

//export goPanicky
func goPanicky(depth C.int) {
	if depth > 0 {
		C.callPanicky(depth - 1)
		return
	}
	panic("panic in a callback")
}

//export goPanicNow
func goPanicNow() {
	panic("unrecovered panic in a callback on a thread C created")
}

//export goMiddle
func goMiddle() (r C.int) {
	defer func() {
		fmt.Println("recovered in the middle:", recover())
		r = 7
	}()
	C.callPanicky(3)
	return 0
}

func main() {
	for i := 0; i < 3; i++ {
		func() {
			defer func() { fmt.Println("recovered above C:", recover()) }()
			C.callPanicky(C.int(i))
		}()
	}
	fmt.Println("middle returned", C.callMiddle())
	fmt.Println("C still works:", C.add(2, 3))
	C.panicOnThread()
}
