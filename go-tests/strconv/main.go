// Strings and conversions: concatenation, []byte/[]rune round trips,
// ranging over UTF-8 (including invalid bytes), strconv, strings.Builder.
package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

func main() {
	s := "héllo, 世界"
	fmt.Println(len(s), utf8.RuneCountInString(s), []byte(s)[1], []rune(s)[7])
	for i, r := range "a\xffb€" {
		fmt.Print(i, ":", r, " ")
	}
	fmt.Println()
	b := []byte(s)
	b[0] = 'H'
	fmt.Println(string(b), s)
	r := []rune(s)
	r[0] = 'J'
	fmt.Println(string(r), len(r), cap(r) >= len(r))
	fmt.Println(string(rune(65)), string(rune(0x10FFFF+1)) == "\uFFFD", string(rune(-1)))
	x, y, z := "a", "b", "c"
	fmt.Println(x+y, x+y+z, x+y+z+x, x+y+z+x+y, x+y+z+x+y+z)
	parts := []string{}
	for i := 0; i < 10; i++ {
		parts = append(parts, strconv.Itoa(i*i))
	}
	fmt.Println(strings.Join(parts, ","))
	var sb strings.Builder
	for i := 0; i < 1000; i++ {
		sb.WriteString("ab")
	}
	fmt.Println(sb.Len(), sb.String()[:6])
	n, err := strconv.Atoi("12345")
	fmt.Println(n, err)
	_, err = strconv.Atoi("12a")
	fmt.Println(err)
	f, _ := strconv.ParseFloat("3.14159", 64)
	fmt.Println(f, strconv.FormatFloat(f, 'e', 3, 64), strconv.Quote("tab\t\"q\""))
	fmt.Println(strings.ToUpper(s), strings.Fields(" a b  c "), strings.Repeat("-", 5))
	fmt.Println(strings.Contains(s, "llo"), strings.Index(s, "世"), strings.Split("a,b,c", ","))
	fmt.Printf("%q %x %X %08.3f %-5d| %+d %v\n", s, "hi", []byte("hi"), 3.14159, 42, 7, []string{"a"})
	bs := []byte("bytes")
	fmt.Println(string(bs[1:3]), strings.Compare("a", "b"), "abc" < "abd", "x" > "")
}
