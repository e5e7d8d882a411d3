// Application-shaped benchmarks (not tests): the kinds of work real programs
// do, beyond the scheduler and allocator loops of ../sched. scripts/bench
// builds this program with upstream's runtime and with gort and compares
// the ns/op each prints (and each process's peak RSS).
//
// Usage: apps NAME  (mapint, mapstr, json, iface, strbuild, http, fan, timers)
//
// Each benchmark runs once small (a warm-up) and once at full size, and
// prints the full run's nanoseconds per operation on one line
// (../internal/benchrun).
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gort.test/_bench/internal/benchrun"
)

// rng is a small xorshift generator: the same sequence on both runtimes,
// independent of math/rand's seeding.
type rng uint64

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	*r = rng(x)
	return x
}

var sinkInt int

// mapint: a map[int]int grown from empty (no size hint): inserts, lookups
// of present and absent keys, iteration, deletes of half the keys and
// re-inserts. One op is one map operation.
func mapint(n int) int {
	const keys = 1 << 16
	r := rng(1)
	ks := make([]int, keys)
	for i := range ks {
		ks[i] = int(r.next() >> 1)
	}
	ops, s := 0, 0
	for ops < n {
		m := make(map[int]int)
		for i, k := range ks {
			m[k] = i
		}
		for _, k := range ks {
			s += m[k]
			if _, ok := m[k+1]; ok {
				s++
			}
		}
		for k, v := range m {
			s += k ^ v
		}
		for i := 0; i < keys; i += 2 {
			delete(m, ks[i])
		}
		for i := 0; i < keys; i += 2 {
			m[ks[i]] = i
		}
		ops += keys * 5
	}
	sinkInt = s
	return ops
}

// mapstr: the same with string keys (16 to 40 bytes, made beforehand).
func mapstr(n int) int {
	const keys = 1 << 15
	r := rng(2)
	ks := make([]string, keys)
	miss := make([]string, keys)
	for i := range ks {
		ks[i] = fmt.Sprintf("key/%x/%d", r.next(), i)
		miss[i] = fmt.Sprintf("absent/%x", r.next())
	}
	ops, s := 0, 0
	for ops < n {
		m := make(map[string]int)
		for i, k := range ks {
			m[k] = i
		}
		for i, k := range ks {
			s += m[k]
			if _, ok := m[miss[i]]; ok {
				s++
			}
		}
		for k, v := range m {
			s += len(k) + v
		}
		for i := 0; i < keys; i += 2 {
			delete(m, ks[i])
		}
		for i := 0; i < keys; i += 2 {
			m[ks[i]] = i
		}
		ops += keys * 5
	}
	sinkInt = s
	return ops
}

// endpoint is a composite map key of a string and an int, as programs
// key tables by host and port (the runtime hashes and compares it field
// by field: no _fast entry point takes it).
type endpoint struct {
	host string
	port int
}

// mapstruct: a connection table keyed by endpoint, 16k endpoints over 4k
// hosts. Each round fills a new table, looks every endpoint up twice and
// an absent one once, counts a use of each (a lookup and a store),
// ranges over the table, drops every fourth endpoint and adds it back.
// One op is one of those map operations.
func mapstruct(n int) int {
	const size = 1 << 14
	r := rng(3)
	eps := make([]endpoint, size)
	absent := make([]endpoint, size)
	for i := range eps {
		eps[i] = endpoint{fmt.Sprintf("host-%x.example.net", r.next()%4096), 1024 + i}
		absent[i] = endpoint{eps[i].host, 80}
	}
	ops, s := 0, 0
	for ops < n {
		uses := make(map[endpoint]int)
		for i, e := range eps {
			uses[e] = i & 7
		}
		for i, e := range eps {
			s += uses[e] + uses[eps[(i*7)%size]]
			if _, ok := uses[absent[i]]; ok {
				s++
			}
			uses[e]++
		}
		for e, v := range uses {
			s += e.port ^ v
		}
		for i := 0; i < size; i += 4 {
			delete(uses, eps[i])
			uses[eps[i]] = i
		}
		ops += size*6 + size/2
	}
	sinkInt = s
	return ops
}

type address struct {
	Street string `json:"street"`
	City   string `json:"city"`
	Zip    int    `json:"zip"`
}

type person struct {
	ID      int64             `json:"id"`
	Name    string            `json:"name"`
	Email   string            `json:"email,omitempty"`
	Score   float64           `json:"score"`
	Active  bool              `json:"active"`
	Tags    []string          `json:"tags"`
	Home    address           `json:"home"`
	Attrs   map[string]string `json:"attrs"`
	Friends []int64           `json:"friends"`
}

// json: encoding/json Marshal and Unmarshal of a 100-record document
// (nested structs, slices, maps, strings and floats). One op is one
// record marshalled and unmarshalled.
func jsonBench(n int) int {
	r := rng(3)
	doc := make([]person, 100)
	for i := range doc {
		p := &doc[i]
		p.ID = int64(r.next() >> 20)
		p.Name = "Person " + strconv.Itoa(i)
		if i%3 != 0 {
			p.Email = "p" + strconv.Itoa(i) + "@example.com"
		}
		p.Score = float64(r.next()%100000) / 7
		p.Active = i%2 == 0
		p.Tags = []string{"a", "bb", "tag" + strconv.Itoa(i%7)}
		p.Home = address{"Main Street " + strconv.Itoa(i), "Springfield", 10000 + i}
		p.Attrs = map[string]string{"k1": "v1", "lang": "go", "n": strconv.Itoa(i)}
		for j := 0; j < i%8; j++ {
			p.Friends = append(p.Friends, int64(r.next()>>40))
		}
	}
	done := 0
	for ; done < n; done += len(doc) {
		b, err := json.Marshal(doc)
		if err != nil {
			panic(err)
		}
		var back []person
		if err := json.Unmarshal(b, &back); err != nil {
			panic(err)
		}
		if len(back) != len(doc) || back[7].Home.Zip != doc[7].Home.Zip {
			panic("json round trip")
		}
	}
	return done
}

type shape interface {
	area() float64
	perimeter() float64
}

type rect struct{ w, h float64 }
type circle struct{ r float64 }
type square struct{ s float64 }
type tri struct{ a, b, c float64 }

func (x rect) area() float64        { return x.w * x.h }
func (x rect) perimeter() float64   { return 2 * (x.w + x.h) }
func (x circle) area() float64      { return 3.14159 * x.r * x.r }
func (x circle) perimeter() float64 { return 2 * 3.14159 * x.r }
func (x *square) area() float64     { return x.s * x.s }
func (x *square) perimeter() float64 {
	return 4 * x.s
}
func (x tri) area() float64      { return x.a * x.b / 2 }
func (x tri) perimeter() float64 { return x.a + x.b + x.c }
func (x tri) String() string     { return "tri" }
func (x rect) String() string    { return "rect" }

type named interface{ String() string }

// iface: method calls through an interface, type switches, and
// assertions from `any` to interfaces (the itab cache) and to concrete
// types, over a mixed slice. One op is one element visited.
func iface(n int) int {
	vals := make([]any, 1024)
	for i := range vals {
		switch i % 5 {
		case 0:
			vals[i] = rect{float64(i), 2}
		case 1:
			vals[i] = circle{float64(i)}
		case 2:
			vals[i] = &square{float64(i)}
		case 3:
			vals[i] = tri{3, 4, 5}
		case 4:
			vals[i] = i
		}
	}
	var total float64
	var names int
	done := 0
	for ; done < n; done += len(vals) {
		for _, v := range vals {
			if s, ok := v.(shape); ok {
				total += s.area() + s.perimeter()
			}
			switch x := v.(type) {
			case rect:
				total += x.w
			case *square:
				total += x.s
			case int:
				total += float64(x)
			case circle, tri:
				total++
			}
			if nm, ok := v.(named); ok {
				names += len(nm.String())
			}
			if c, ok := v.(circle); ok {
				total -= c.r
			}
		}
	}
	sinkInt = int(total) + names
	return done
}

var sinkStr string

// strbuild: strings.Builder, concatenation with +, strconv formatting and
// parsing, strings.Split/Join/Replace. One op is one line built, split
// and parsed back.
func strbuild(n int) int {
	var total int
	for i := 0; i < n; i++ {
		var b strings.Builder
		for j := 0; j < 8; j++ {
			b.WriteString(strconv.Itoa(i + j))
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatFloat(float64(i)/3, 'g', -1, 64))
		line := b.String()
		s := "id=" + strconv.Itoa(i) + ";" + line + ";" + strconv.Quote("x")
		parts := strings.Split(line, ",")
		for _, p := range parts[:8] {
			v, err := strconv.Atoi(p)
			if err != nil {
				panic(err)
			}
			total += v
		}
		if i%16 == 0 {
			sinkStr = strings.ReplaceAll(strings.Join(parts, "|"), "1", "one") + s
		}
	}
	sinkInt = total
	return n
}

// http: requests per second over loopback, server and client in the same
// process: 4 client goroutines with keep-alive connections issue GETs and
// small POSTs to a net/http server. One op is one request.
func httpBench(n int) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "hello, "+r.URL.Query().Get("name")+"\n")
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(w, r.Body)
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String()
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	const workers = 4
	var wg sync.WaitGroup
	var next atomic.Int64
	body := strings.Repeat("x", 512)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				var resp *http.Response
				var err error
				if i%4 == 0 {
					resp, err = client.Post(url+"/echo", "text/plain", strings.NewReader(body))
				} else {
					resp, err = client.Get(url + "/hello?name=g" + strconv.FormatInt(i, 10))
				}
				if err != nil {
					panic(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					panic(resp.Status)
				}
			}
		}()
	}
	wg.Wait()
	return n
}

// fan: a pipeline: one producer fans out to 8 workers over an unbuffered
// channel, each worker does a little work and fans in to one collector
// over a buffered channel. One op is one item through the pipeline.
func fan(n int) int {
	in := make(chan int)
	out := make(chan int, 64)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range in {
				x := uint64(v)
				for k := 0; k < 16; k++ {
					x = x*6364136223846793005 + 1442695040888963407
				}
				out <- int(x >> 60)
			}
		}()
	}
	go func() {
		for i := 0; i < n; i++ {
			in <- i
		}
		close(in)
		wg.Wait()
		close(out)
	}()
	s := 0
	for v := range out {
		s += v
	}
	sinkInt = s
	return n
}

// timers: timers at scale. 100k time.AfterFunc timers (1-20 ms) fire
// while 100k time.NewTimer timers (an hour away) are reset to new
// durations and stopped, some of them reset again first. One op is one
// timer operation (create, reset, stop or fire).
func timers(n int) int {
	const count = 100000
	r := rng(4)
	ops := 0
	for ops < n {
		var fired sync.WaitGroup
		fired.Add(count)
		for i := 0; i < count; i++ {
			d := time.Duration(1+r.next()%20) * time.Millisecond
			time.AfterFunc(d, fired.Done)
		}
		ts := make([]*time.Timer, count)
		for i := range ts {
			ts[i] = time.NewTimer(time.Hour)
		}
		for i, t := range ts {
			t.Reset(time.Duration(30+r.next()%1000) * time.Minute)
			if i%3 == 0 {
				t.Stop()
				t.Reset(time.Duration(1+r.next()%60) * time.Minute)
			}
		}
		for _, t := range ts {
			t.Stop()
		}
		fired.Wait()
		ops += count*2 + count*2 + count*2/3 + count
	}
	return ops
}

func main() {
	// Alphabetical: the usage message lists them in this order.
	benchrun.Main("apps", []benchrun.Bench{
		{Name: "fan", F: fan, N: 1000000},
		{Name: "http", F: httpBench, N: 12000},
		{Name: "iface", F: iface, N: 50000000},
		{Name: "json", F: jsonBench, N: 50000},
		{Name: "mapint", F: mapint, N: 6000000},
		{Name: "mapstr", F: mapstr, N: 3000000},
		{Name: "mapstruct", F: mapstruct, N: 3000000},
		{Name: "strbuild", F: strbuild, N: 400000},
		{Name: "timers", F: timers, N: 1000000},
	})
}
