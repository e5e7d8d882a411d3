// Files: os.WriteFile / ReadFile, appending, directories, renaming,
// reading a file line by line with bufio, and errors for missing files.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

func main() {
	dir, err := os.MkdirTemp("", "gort-files")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "a.txt")
	err = os.WriteFile(p, []byte("line one\nline two\n"), 0644)
	fmt.Println("write:", err)
	f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	fmt.Fprintf(f, "line %s\n", "three")
	f.Close()
	data, err := os.ReadFile(p)
	fmt.Printf("read: %q %v\n", data, err)
	f, _ = os.Open(p)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fmt.Println("scan:", sc.Text())
	}
	f.Close()
	st, _ := os.Stat(p)
	fmt.Println("size:", st.Size(), st.Mode().IsRegular(), st.Name())
	os.Mkdir(filepath.Join(dir, "sub"), 0755)
	os.Rename(p, filepath.Join(dir, "sub", "b.txt"))
	var names []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, path)
		names = append(names, rel)
		return nil
	})
	sort.Strings(names)
	fmt.Println("tree:", names)
	_, err = os.ReadFile(filepath.Join(dir, "missing"))
	fmt.Println("missing:", errors.Is(err, fs.ErrNotExist))
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(w, "buffered stdout")
	w.Flush()
}
