// A worker pool: jobs on a buffered channel, results collected and
// reported in job order; close and range.
package main

import (
	"fmt"
	"sort"
	"sync"
)

type result struct{ job, value int }

func main() {
	jobs := make(chan int, 16)
	results := make(chan result, 16)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			for j := range jobs {
				results <- result{j, j * j}
			}
		}(w)
	}
	go func() {
		for i := 0; i < 1000; i++ {
			jobs <- i
		}
		close(jobs)
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	var all []result
	for r := range results {
		all = append(all, r)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].job < all[j].job })
	sum := 0
	for i, r := range all {
		if r.job != i || r.value != i*i {
			panic("wrong result")
		}
		sum += r.value
	}
	fmt.Println(len(all), sum)
	_, ok := <-results
	fmt.Println("closed:", !ok)
}
