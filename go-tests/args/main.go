// os.Args (including the program name) and reading stdin line by line.
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	fmt.Println("program:", filepath.Base(os.Args[0]))
	for i, a := range os.Args[1:] {
		fmt.Printf("arg %d: %q\n", i, a)
	}
	sc := bufio.NewScanner(os.Stdin)
	n := 0
	for sc.Scan() {
		n++
		fmt.Printf("line %d: %s\n", n, sc.Text())
	}
	fmt.Println("lines:", n)
}
