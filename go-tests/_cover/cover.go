// Package cover is instrumented by scripts/cover-tests: some branches run,
// some do not, some run many times (counts differ by mode).
package cover

import "sync"

func Classify(n int) string {
	switch {
	case n < 0:
		return "negative"
	case n == 0:
		return "zero"
	case n < 10:
		return "small"
	}
	return "large"
}

// Sum adds 1..n on several goroutines (atomic mode counts them all).
func Sum(n int) int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	total := 0
	for i := 1; i <= n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			mu.Lock()
			total += i
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	return total
}

func Unused() int { return 42 }
