// cgo both ways: Go calls C from 16 goroutines at once (each C call
// sleeps, so the calls overlap and their Ps are handed off), C's qsort
// sorts a Go slice with a Go comparison function, calls nest Go -> C ->
// Go ten levels deep, 8 threads C creates call Go 200 times each, and
// os.Setenv reaches C's getenv.
package main

/*
#include <stdlib.h>
#include <unistd.h>

void sortInts(int *p, int n);
void runThreads(int n);
int nested(int depth);

static int slowAdd(int a, int b) { usleep(200); return a + b; }
static const char *cgetenv(const char *k) { return getenv(k); }
*/
import "C"

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"unsafe"
)

var compares atomic.Int64

//export goCompare
func goCompare(a, b C.int) C.int {
	compares.Add(1)
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

var (
	recorded  atomic.Int64
	perThread [8]atomic.Int64
	mu        sync.Mutex
	seen      = map[int]bool{}
)

//export goRecord
func goRecord(id, i C.int) {
	recorded.Add(int64(i))
	perThread[id].Add(1)
	if i%50 == 0 {
		// Allocate, lock and touch a map from threads C made.
		buf := make([]byte, 4096)
		buf[0] = byte(i)
		mu.Lock()
		seen[int(id)*1000+int(i)] = buf[0] == byte(i)
		mu.Unlock()
	}
}

//export goNested
func goNested(depth C.int) C.int {
	if depth == 0 {
		return 1
	}
	return 1 + C.nested(depth-1)
}

func main() {
	var wg sync.WaitGroup
	var sum atomic.Int64
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				sum.Add(int64(C.slowAdd(C.int(g), C.int(i))))
			}
		}(g)
	}
	wg.Wait()
	fmt.Println("16 goroutines calling C:", sum.Load())

	xs := make([]C.int, 1000)
	for i := range xs {
		xs[i] = C.int((i * 7919) % 1000)
	}
	C.sortInts(&xs[0], C.int(len(xs)))
	sorted := true
	for i := range xs {
		if xs[i] != C.int(i) {
			sorted = false
		}
	}
	fmt.Println("qsort of a Go slice with a Go comparison:", sorted, compares.Load() > 1000)

	fmt.Println("nested Go -> C -> Go:", C.nested(10))

	C.runThreads(8)
	ok := true
	for i := range perThread {
		ok = ok && perThread[i].Load() == 200
	}
	fmt.Println("8 C threads calling Go:", recorded.Load(), ok, len(seen))

	os.Setenv("GORT_CGOCALLS", "from Go")
	k := C.CString("GORT_CGOCALLS")
	defer C.free(unsafe.Pointer(k))
	fmt.Println("C's getenv after os.Setenv:", C.GoString(C.cgetenv(k)))
	os.Unsetenv("GORT_CGOCALLS")
	fmt.Println("after os.Unsetenv:", C.cgetenv(k) == nil)
}
