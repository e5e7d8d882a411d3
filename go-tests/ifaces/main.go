// Interfaces: method sets, embedding, type assertions (ok and panicking
// forms are exercised with ok only), type switches, comparisons.
package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

type Shape interface {
	Area() float64
	Name() string
}

type Named interface{ Name() string }

type Rect struct{ W, H float64 }
type Circle struct{ R float64 }
type Square struct{ Rect }

func (r Rect) Area() float64   { return r.W * r.H }
func (r Rect) Name() string    { return "rect" }
func (c *Circle) Area() float64 { return 3 * c.R * c.R }
func (c *Circle) Name() string  { return "circle" }
func (s Square) Name() string   { return "square" }

type myErr struct{ code int }

func (e *myErr) Error() string { return fmt.Sprint("code ", e.code) }

func classify(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case int, int64:
		return fmt.Sprint("integer ", x)
	case string:
		return "string " + x
	case Shape:
		return "shape " + x.Name()
	case Named:
		return "named " + x.Name()
	case error:
		return "error " + x.Error()
	case fmt.Stringer:
		return "stringer"
	default:
		return fmt.Sprintf("other %T", x)
	}
}

func main() {
	shapes := []Shape{Rect{2, 3}, &Circle{1}, Square{Rect{2, 2}}}
	for _, s := range shapes {
		fmt.Println(s.Name(), s.Area())
	}
	var n Named = shapes[1]
	if s, ok := n.(Shape); ok {
		fmt.Println("named is a shape:", s.Area())
	}
	_, ok := n.(io.Reader)
	fmt.Println("named is a reader:", ok)
	for _, v := range []any{nil, 1, int64(2), "s", Rect{1, 1}, Square{}, &myErr{3}, 3.5, []int{1}} {
		fmt.Println(classify(v))
	}
	var e error = &myErr{7}
	var target *myErr
	fmt.Println(errors.As(fmt.Errorf("wrapped: %w", e), &target), target.code)
	fmt.Println(any(1) == any(1), any(1) == any(int64(1)), any("a") == any("a"), any(Rect{1, 2}) == any(Rect{1, 2}))
	var r io.Reader = strings.NewReader("abc")
	_, isWriter := r.(io.Writer)
	_, isByteReader := r.(io.ByteReader)
	fmt.Println(isWriter, isByteReader)
	var nilShape Shape
	fmt.Println(nilShape == nil, classify(nilShape))
	var c *Circle
	var s Shape = c
	fmt.Println(s == nil, s != nil)
	// Repeated assertions exercise the compiler's assertion caches.
	count := 0
	vals := []any{Rect{}, &Circle{}, 1, "x", Square{}}
	for i := 0; i < 5000; i++ {
		if _, ok := vals[i%len(vals)].(Shape); ok {
			count++
		}
		switch vals[i%len(vals)].(type) {
		case Named:
			count += 10
		}
	}
	fmt.Println(count)
}
