// text/template (reflect.Value.Call for methods and functions, maps,
// ranges, pipelines) and reflect calls directly.
package main

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"text/template"
)

type Item struct {
	Name  string
	Price float64
	Tags  []string
}

func (i Item) Expensive() bool          { return i.Price > 10 }
func (i *Item) Label(p string) string    { return p + ": " + i.Name }
func (i Item) Sum(a, b, c, d, e int) int { return a + b + c + d + e }

const tpl = `{{range $i, $it := .Items}}{{$i}}. {{$it.Name | upper}} {{printf "%.2f" $it.Price}}{{if $it.Expensive}} (expensive){{end}} tags={{join $it.Tags ","}}
{{end}}total={{.Total}} first={{(index .Items 0).Label "first"}} sum={{(index .Items 0).Sum 1 2 3 4 5}}
{{with .Meta}}{{range $k, $v := .}}{{$k}}={{$v}};{{end}}{{end}}
`

func main() {
	funcs := template.FuncMap{"upper": strings.ToUpper, "join": strings.Join}
	t := template.Must(template.New("t").Funcs(funcs).Parse(tpl))
	items := []*Item{{"apple", 1.5, []string{"fruit"}}, {"caviar", 99.99, []string{"fish", "luxury"}}}
	data := map[string]any{
		"Items": items,
		"Total": 101.49,
		"Meta":  map[string]int{"b": 2, "a": 1},
	}
	if err := t.Execute(os.Stdout, data); err != nil {
		fmt.Println("error:", err)
	}
	// reflect.Value.Call with many arguments and results.
	f := reflect.ValueOf(func(a int, b string, c float64, d []int, e map[string]int) (string, int, error) {
		return fmt.Sprint(a, b, c, d, len(e)), a * 2, nil
	})
	out := f.Call([]reflect.Value{reflect.ValueOf(7), reflect.ValueOf("x"), reflect.ValueOf(2.5),
		reflect.ValueOf([]int{1, 2}), reflect.ValueOf(map[string]int{"k": 1})})
	fmt.Println(out[0], out[1], out[2].IsNil())
	m := reflect.ValueOf(items[1]).MethodByName("Label")
	fmt.Println(m.Call([]reflect.Value{reflect.ValueOf("via reflect")})[0])
	// A reflected call that panics is recoverable.
	func() {
		defer func() { fmt.Println("recovered:", recover()) }()
		reflect.ValueOf(func() { panic("inside reflect call") }).Call(nil)
	}()
	mk := reflect.MakeFunc(reflect.TypeOf(func(int, int) int { return 0 }), func(args []reflect.Value) []reflect.Value {
		return []reflect.Value{reflect.ValueOf(int(args[0].Int() * args[1].Int()))}
	})
	fmt.Println(mk.Interface().(func(int, int) int)(6, 7))
}
