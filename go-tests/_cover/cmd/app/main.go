// A program built with -cover: it exits by returning from main, by
// os.Exit with a non-zero status, or by an unrecovered panic, as its
// argument says.
package main

import (
	"cover"
	"fmt"
	"os"
)

func main() {
	for _, a := range os.Args[1:] {
		switch a {
		case "exit3":
			fmt.Println(cover.Classify(5))
			os.Exit(3)
		case "panic":
			panic(cover.Classify(0))
		case "sum":
			fmt.Println(cover.Sum(50))
		default:
			fmt.Println(cover.Classify(len(a) - 3))
		}
	}
}
