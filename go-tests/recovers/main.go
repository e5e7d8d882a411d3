// recover: returns the panic value and stops the panic; returns nil when
// not panicking or when not called directly by a deferred function;
// runtime errors recovered as runtime.Error; panic(nil); error values.
package main

import (
	"errors"
	"fmt"
	"runtime"
)

type MyErr struct{ Code int }

func (e *MyErr) Error() string { return fmt.Sprintf("my error %d", e.Code) }

func try(name string, f func()) {
	defer func() {
		r := recover()
		fmt.Printf("%s: recovered %v (%T)\n", name, r, r)
		if re, ok := r.(runtime.Error); ok {
			fmt.Println("  runtime.Error:", re.Error())
		}
	}()
	f()
	fmt.Println(name, "did not panic")
}

func helper() any { return recover() }

func indirect() (r any) {
	defer func() {
		r = helper() // not called directly by the deferred function: nil
	}()
	panic("indirect")
}

func main() {
	fmt.Println("recover outside panic:", recover())
	try("string", func() { panic("boom") })
	try("int", func() { panic(42) })
	try("error", func() { panic(&MyErr{7}) })
	try("wrapped", func() { panic(fmt.Errorf("wrapped: %w", errors.New("inner"))) })
	try("index", func() {
		s := []int{1, 2, 3}
		i := 5
		_ = s[i]
	})
	try("slice", func() {
		s := []int{1, 2, 3}
		j := 1
		_ = s[2:j]
	})
	try("nil map write", func() {
		var m map[string]int
		m["a"] = 1
	})
	try("type assertion", func() {
		var x any = "str"
		_ = x.(int)
	})
	try("missing method", func() {
		var x any = 3
		_ = x.(fmt.Stringer)
	})
	try("closed channel", func() {
		c := make(chan int)
		close(c)
		close(c)
	})
	try("nil", func() { panic(nil) })
	try("no panic", func() {})
	fmt.Println("recover through helper:", func() (r any) {
		defer func() { r = recover() }()
		_ = indirect
		return
	}())
	func() {
		defer func() { fmt.Println("outer recovered:", recover()) }()
		indirect()
	}()
	var e *MyErr
	try("errors.As", func() { panic(fmt.Errorf("ctx: %w", &MyErr{9})) })
	fmt.Println(errors.As(fmt.Errorf("x: %w", &MyErr{1}), &e), e.Code)
	fmt.Println("done")
}
