// encoding/json round trip: structs with tags, nested maps and slices,
// pointers, interfaces, and unmarshalling into any.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

type Address struct {
	Street string `json:"street"`
	City   string `json:"city,omitempty"`
}

type Person struct {
	Name     string            `json:"name"`
	Age      int               `json:"age"`
	Emails   []string          `json:"emails"`
	Address  *Address          `json:"address,omitempty"`
	Tags     map[string]int    `json:"tags"`
	Extra    any               `json:"extra"`
	private  int
	Balance  float64           `json:"balance,string"`
	Children []Person          `json:"children,omitempty"`
	Meta     map[string]string `json:"-"`
}

func main() {
	p := Person{
		Name:    "Ada",
		Age:     36,
		Emails:  []string{"ada@example.com", "a@b.c"},
		Address: &Address{Street: "1 Analytical Way"},
		Tags:    map[string]int{"math": 1, "engine": 2},
		Extra:   []any{1, "two", 3.5, nil, true},
		Balance: 12.5,
		Children: []Person{{Name: "Byron", Age: 5}},
	}
	b, err := json.Marshal(p)
	fmt.Println(string(b), err)
	var q Person
	err = json.Unmarshal(b, &q)
	fmt.Println(err, q.Name, q.Age, q.Emails, q.Address.Street, q.Tags, q.Extra, q.Balance, q.Children[0].Name)
	var anyv any
	json.Unmarshal([]byte(`{"a":[1,2,{"b":null}],"c":"d","e":1e3}`), &anyv)
	fmt.Println(anyv)
	out, _ := json.MarshalIndent(map[string]any{"z": 1, "a": []int{1, 2}}, "", "  ")
	fmt.Println(string(out))
	enc := json.NewEncoder(os.Stdout)
	enc.Encode(struct {
		X int
		Y string
	}{1, "<&>"})
	var bad struct{ N int }
	fmt.Println(json.Unmarshal([]byte(`{"N":"x"}`), &bad))
}
