// A fatal error raised by the standard library through the runtime
// (sync.fatal): unlocking an unlocked mutex. Not recoverable.
package main

import (
	"fmt"
	"sync"
)

func main() {
	defer func() { fmt.Println("not printed: fatal errors are not panics", recover()) }()
	var mu sync.Mutex
	mu.Lock()
	mu.Unlock()
	mu.Unlock()
}
