// Types made at run time by reflect (SliceOf, MapOf, ChanOf, FuncOf,
// ArrayOf, PointerTo, StructOf): their names, identity with compiled
// types, method sets (StructOf with embedded interfaces and pointers),
// and values of them used through fmt, encoding/json and interfaces.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
)

type Point struct{ X, Y int }

func (p Point) String() string { return fmt.Sprintf("(%d,%d)", p.X, p.Y) }

type Named interface{ Name() string }

type person string

func (p person) Name() string { return "person " + string(p) }

func main() {
	pt := reflect.TypeOf(Point{})
	made := []reflect.Type{
		reflect.SliceOf(pt),
		reflect.MapOf(reflect.TypeOf(""), reflect.SliceOf(pt)),
		reflect.ChanOf(reflect.RecvDir, pt),
		reflect.ChanOf(reflect.BothDir, reflect.MapOf(reflect.TypeOf(0), pt)),
		reflect.FuncOf([]reflect.Type{pt, reflect.TypeOf(0)}, []reflect.Type{reflect.TypeOf(errorf)}, false),
		reflect.FuncOf([]reflect.Type{reflect.SliceOf(pt)}, nil, true),
		reflect.ArrayOf(3, pt),
		reflect.PointerTo(reflect.ArrayOf(2, reflect.SliceOf(pt))),
	}
	for _, t := range made {
		fmt.Printf("%-45s kind=%-6v name=%q size=%d\n", t.String(), t.Kind(), t.Name(), t.Size())
	}

	// Identity: a run-time type equals the compiled one when it exists.
	fmt.Println(reflect.SliceOf(pt) == reflect.TypeOf([]Point(nil)))
	fmt.Println(reflect.MapOf(reflect.TypeOf(""), pt) == reflect.TypeOf(map[string]Point(nil)))
	fmt.Println(reflect.ArrayOf(7, reflect.TypeOf(uint16(0))).String())

	// StructOf: embedded interface and embedded named type promote methods.
	reader := reflect.TypeOf((*io.Reader)(nil)).Elem()
	named := reflect.TypeOf((*Named)(nil)).Elem()
	st := reflect.StructOf([]reflect.StructField{
		{Name: "Named", Type: named, Anonymous: true},
		{Name: "Count", Type: reflect.TypeOf(0), Tag: `json:"count"`},
		{Name: "Tags", Type: reflect.SliceOf(reflect.TypeOf("")), Tag: `json:"tags,omitempty"`},
	})
	fmt.Println(st.String(), st.NumField(), st.NumMethod())
	fmt.Println("implements Named:", st.Implements(named), "Reader:", st.Implements(reader))
	v := reflect.New(st).Elem()
	v.Field(0).Set(reflect.ValueOf(person("ann")))
	v.Field(1).SetInt(42)
	v.Field(2).Set(reflect.ValueOf([]string{"a", "b"}))
	if n, ok := v.Interface().(Named); ok {
		// Upstream's StructOf cannot forward an embedded interface's
		// methods: the call panics with reflect's message.
		func() {
			defer func() { fmt.Println("recovered:", recover()) }()
			fmt.Println("via interface:", n.Name())
		}()
	}
	// An embedded struct type with a value method is promoted.
	sp := reflect.StructOf([]reflect.StructField{
		{Name: "Point", Type: pt, Anonymous: true},
		{Name: "Z", Type: reflect.TypeOf(0)},
	})
	pv := reflect.New(sp).Elem()
	pv.Field(0).Set(reflect.ValueOf(Point{3, 4}))
	fmt.Println(sp, sp.NumMethod(), pv.Method(0).Call(nil)[0], pv.Interface())
	if s, ok := pv.Interface().(fmt.Stringer); ok {
		fmt.Println("Stringer:", s.String())
	}
	b, err := json.Marshal(v.Addr().Interface())
	fmt.Println(string(b), err)

	// A struct of run-time types, printed and compared.
	st2 := reflect.StructOf([]reflect.StructField{
		{Name: "P", Type: reflect.PointerTo(pt)},
		{Name: "M", Type: reflect.MapOf(reflect.TypeOf(""), reflect.TypeOf(0))},
		{Name: "S", Type: reflect.TypeOf(""), Tag: `x:"y"`},
	})
	w := reflect.New(st2).Elem()
	w.Field(0).Set(reflect.ValueOf(&Point{1, 2}))
	w.Field(1).Set(reflect.MakeMap(st2.Field(1).Type))
	w.Field(1).SetMapIndex(reflect.ValueOf("k"), reflect.ValueOf(5))
	w.Field(2).SetString("s")
	fmt.Printf("%v %+v\n", st2, w.Interface())
	fmt.Println(st2.Field(2).Tag.Get("x"), reflect.DeepEqual(w.Interface(), w.Interface()))

	// MakeFunc with a run-time func type.
	ft := reflect.FuncOf([]reflect.Type{reflect.TypeOf(""), reflect.TypeOf(0)}, []reflect.Type{reflect.TypeOf("")}, false)
	rep := reflect.MakeFunc(ft, func(args []reflect.Value) []reflect.Value {
		return []reflect.Value{reflect.ValueOf(strings.Repeat(args[0].String(), int(args[1].Int())))}
	})
	fmt.Println(ft, rep.Call([]reflect.Value{reflect.ValueOf("ab"), reflect.ValueOf(3)})[0])
	f := rep.Interface().(func(string, int) string)
	fmt.Println(f("x", 4))

	// Many run-time types: names stay right as the table grows.
	bad := 0
	t := reflect.TypeOf(0)
	for i := 0; i < 300; i++ {
		t = reflect.SliceOf(t)
		if i%2 == 0 {
			t = reflect.PointerTo(t)
		}
	}
	s := t.String()
	fmt.Println(len(s), strings.Count(s, "[]"), strings.Count(s, "*"), bad)
}

func errorf(string) error { return nil }
