// runtime/debug.WriteHeapDump: the program dumps its heap to a temporary
// file, parses the dump itself (the "go1.7 heap dump" format) and prints
// facts that do not depend on the run: the header and parameters, a kept
// object with its contents and pointer fields, the type of an itab, a
// parked goroutine's frames and the dumping goroutine's wait reason,
// finalizer records and queued finalizers, NumGC against ReadMemStats, a
// memory-profile sample of the kept object, the bss root, and that every
// record parses up to EOF.
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"unsafe"
)

type Rec struct {
	pat  [8]uint64
	next *Rec
	n    int
}

type I interface{ M() int }

type T struct{ a, b int }

func (t T) M() int { return t.a + t.b }

type Fin struct {
	p *int
	x [4]int
}

var keep *Rec
var iface I
var finKept []*Fin

//go:noinline
func makeRec() *Rec {
	r := &Rec{n: 7}
	for i := range r.pat {
		r.pat[i] = 0x1122334455667700 + uint64(i)
	}
	r.next = &Rec{n: 8}
	return r
}

//go:noinline
func parkHere(ch chan int, p *Rec, started chan bool) int {
	started <- true
	v := <-ch
	return v + p.n
}

//go:noinline
func parkDefer(ch chan int, started chan bool) {
	for i := 0; i < 2; i++ {
		defer func() {}()
	}
	started <- true
	<-ch
}

//go:noinline
func parkPanicking(ch chan int, started chan bool) {
	defer func() { recover() }()
	defer func() {
		started <- true
		<-ch
	}()
	panic("parked while panicking")
}

var big []*Rec

var blockFin = make(chan bool)
var finStarted = make(chan bool)

//go:noinline
func dropQueued() (uintptr, uintptr) {
	b, c := &Fin{}, &Fin{}
	runtime.SetFinalizer(b, func(*Fin) {})
	runtime.SetFinalizer(c, func(*Fin) {})
	return uintptr(unsafe.Pointer(b)), uintptr(unsafe.Pointer(c))
}

//go:noinline
func dropBlocker() {
	a := &Fin{}
	runtime.SetFinalizer(a, func(*Fin) {
		finStarted <- true
		<-blockFin
	})
}

type field struct{ kind, off uint64 }

type object struct {
	addr   uint64
	data   []byte
	fields []field
}

type frame struct {
	sp     uint64
	name   string
	data   []byte
	fields []field
}

type goroutine struct {
	status uint64
	reason string
	frames []frame
	defers int
	panics int
}

type dump struct {
	params     []string
	objects    map[uint64]*object
	types      map[uint64]string
	itabs      map[uint64]uint64
	gs         []*goroutine
	threads    int
	arenaLo    uint64
	arenaHi    uint64
	bssAddr    uint64
	bssData    []byte
	bssFields  []field
	dataAddr   uint64
	dataData   []byte
	dataFields []field
	finalizers []uint64
	queued     []uint64
	numGC      uint64
	samples    map[uint64]uint64
	buckets    map[uint64][]string
	trailing   int
	err        error
}

type reader struct {
	r   *bufio.Reader
	err error
}

func (r *reader) uv() uint64 {
	if r.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(r.r)
	if err != nil {
		r.err = err
	}
	return v
}

func (r *reader) str() []byte {
	n := r.uv()
	if r.err != nil {
		return nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r.r, b); err != nil {
		r.err = err
	}
	return b
}

func (r *reader) fields() []field {
	var fs []field
	for r.err == nil {
		k := r.uv()
		if k == 0 {
			break
		}
		fs = append(fs, field{k, r.uv()})
	}
	return fs
}

func parse(b []byte) *dump {
	d := &dump{objects: map[uint64]*object{}, types: map[uint64]string{}, itabs: map[uint64]uint64{},
		samples: map[uint64]uint64{}, buckets: map[uint64][]string{}}
	const hdr = "go1.7 heap dump\n"
	if !bytes.HasPrefix(b, []byte(hdr)) {
		d.err = fmt.Errorf("bad header %q", b[:min(len(b), 16)])
		return d
	}
	r := &reader{r: bufio.NewReader(bytes.NewReader(b[len(hdr):]))}
	var g *goroutine
	for r.err == nil {
		tag := r.uv()
		switch tag {
		case 0:
			rest, _ := io.ReadAll(r.r)
			d.trailing = len(rest)
			return d
		case 1:
			o := &object{addr: r.uv(), data: r.str()}
			o.fields = r.fields()
			d.objects[o.addr] = o
		case 2:
			r.str()
			r.uv()
		case 3:
			addr := r.uv()
			r.uv()
			d.types[addr] = string(r.str())
			r.uv()
		case 4:
			g = &goroutine{}
			r.uv()
			r.uv()
			r.uv()
			r.uv()
			g.status = r.uv()
			r.uv()
			r.uv()
			r.uv()
			g.reason = string(r.str())
			r.uv()
			r.uv()
			r.uv()
			r.uv()
			d.gs = append(d.gs, g)
		case 5:
			var f frame
			f.sp = r.uv()
			r.uv()
			r.uv()
			f.data = r.str()
			r.uv()
			r.uv()
			r.uv()
			f.name = string(r.str())
			f.fields = r.fields()
			if g == nil {
				d.err = fmt.Errorf("frame before any goroutine")
				return d
			}
			g.frames = append(g.frames, f)
		case 6:
			be := r.uv()
			ptr := r.uv()
			d.arenaLo = r.uv()
			d.arenaHi = r.uv()
			arch := string(r.str())
			ver := string(r.str())
			ncpu := r.uv()
			d.params = append(d.params, fmt.Sprintf("bigendian=%d ptrsize=%d arch=%s version-matches=%v ncpu>0=%v",
				be, ptr, arch, ver == runtime.Version(), ncpu > 0))
		case 7, 11:
			obj := r.uv()
			r.uv()
			r.uv()
			r.uv()
			r.uv()
			if tag == 7 {
				d.finalizers = append(d.finalizers, obj)
			} else {
				d.queued = append(d.queued, obj)
			}
		case 8:
			tab := r.uv()
			d.itabs[tab] = r.uv()
		case 9:
			r.uv()
			r.uv()
			r.uv()
			d.threads++
		case 10:
			for i := 0; i < 24+256; i++ {
				r.uv()
			}
			d.numGC = r.uv()
		case 12, 13:
			addr := r.uv()
			data := r.str()
			fs := r.fields()
			if tag == 13 {
				d.bssAddr, d.bssData, d.bssFields = addr, data, fs
			} else {
				d.dataAddr, d.dataData, d.dataFields = addr, data, fs
			}
		case 14, 15:
			n := 7
			if tag == 15 {
				n = 6
			}
			for i := 0; i < n; i++ {
				r.uv()
			}
			if g == nil {
				d.err = fmt.Errorf("defer or panic before any goroutine")
				return d
			}
			if tag == 14 {
				g.defers++
			} else {
				g.panics++
			}
		case 16:
			b := r.uv()
			r.uv()
			n := r.uv()
			var names []string
			for i := uint64(0); i < n && r.err == nil; i++ {
				names = append(names, string(r.str()))
				r.str()
				r.uv()
			}
			r.uv()
			r.uv()
			d.buckets[b] = names
		case 17:
			p := r.uv()
			d.samples[p] = r.uv()
		default:
			d.err = fmt.Errorf("unknown tag %d", tag)
			return d
		}
	}
	d.err = r.err
	return d
}

func word(b []byte, off uint64) uint64 {
	if off+8 > uint64(len(b)) {
		return 0
	}
	return binary.LittleEndian.Uint64(b[off:])
}

func main() {
	runtime.MemProfileRate = 1
	keep = makeRec()
	iface = T{1, 2}
	for i := 0; i < 3; i++ {
		f := &Fin{x: [4]int{i}}
		runtime.SetFinalizer(f, func(*Fin) {})
		finKept = append(finKept, f)
	}
	// A finalizer that blocks the finalizer goroutine, then two whose
	// objects die while it is blocked: they stay queued.
	dropBlocker()
	runtime.GC()
	<-finStarted
	qb, qc := dropQueued()
	runtime.GC()

	ch := make(chan int)
	started := make(chan bool)
	parked := &Rec{n: 1}
	go parkHere(ch, parked, started)
	<-started
	go parkDefer(ch, started)
	<-started
	go parkPanicking(ch, started)
	<-started
	big = make([]*Rec, 10000)
	big[5] = keep

	f, err := os.CreateTemp("", "heapdump")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.Remove(f.Name())
	debug.SetGCPercent(-1)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	debug.WriteHeapDump(f.Fd())
	f.Close()
	b, err := os.ReadFile(f.Name())
	if err != nil {
		fmt.Println(err)
		return
	}
	d := parse(b)
	fmt.Println("parse error:", d.err, "trailing bytes:", d.trailing)
	for _, p := range d.params {
		fmt.Println("params:", p)
	}

	// The kept object and what it points to.
	ka := uint64(uintptr(unsafe.Pointer(keep)))
	if o := d.objects[ka]; o == nil {
		fmt.Println("kept object: missing")
	} else {
		ok := len(o.data) >= 72
		for i := 0; ok && i < 8; i++ {
			ok = word(o.data, uint64(i*8)) == 0x1122334455667700+uint64(i)
		}
		fmt.Println("kept object: pattern ok:", ok, "size >= 80:", len(o.data) >= 80)
		var offs []string
		for _, fl := range o.fields {
			offs = append(offs, fmt.Sprintf("%d@%d", fl.kind, fl.off))
		}
		fmt.Println("kept object: pointer fields:", strings.Join(offs, " "))
		next := word(o.data, 64)
		fmt.Println("kept object: next points to", next == uint64(uintptr(unsafe.Pointer(keep.next))),
			"and is dumped:", d.objects[next] != nil && word(d.objects[next].data, 72) == 8)
		sb := d.samples[ka]
		fmt.Println("kept object: allocation sample:", sb != 0, "bucket has main.makeRec:", contains(d.buckets[sb], "main.makeRec"))
	}

	// A large object: a slice's backing array.
	if o := d.objects[uint64(uintptr(unsafe.Pointer(&big[0])))]; o == nil {
		fmt.Println("large object: missing")
	} else {
		listed := false
		for _, fl := range o.fields {
			listed = listed || fl.off == 40
		}
		fmt.Println("large object: size >= 80000:", len(o.data) >= 80000, "fields:", len(o.fields) >= 10000, "element 5 listed:", listed,
			"element 5 is keep:", word(o.data, 40) == ka)
	}

	// The itab of iface.
	tab := *(*uint64)(unsafe.Pointer(&iface))
	typ, ok := d.itabs[tab]
	fmt.Println("itab of I(main.T): listed:", ok, "type:", d.types[typ])
	named := map[string]bool{}
	for _, t := range d.itabs {
		if n := d.types[t]; n != "" {
			named[n] = true
		}
	}
	fmt.Println("itab types include main.T:", named["main.T"])

	// Goroutines.
	var lines []string
	pa := uint64(uintptr(unsafe.Pointer(parked)))
	for _, g := range d.gs {
		var fn []string
		sees := false
		for _, fr := range g.frames {
			if strings.HasPrefix(fr.name, "main.") {
				fn = append(fn, fr.name)
			}
			for _, fl := range fr.fields {
				if word(fr.data, fl.off) == pa {
					sees = true
				}
			}
		}
		if len(fn) > 0 {
			lines = append(lines, fmt.Sprintf("goroutine status=%d reason=%q main frames=%v sees parked Rec=%v defers>=2:%v panics:%d",
				g.status, g.reason, fn, sees, g.defers >= 2, g.panics))
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	fmt.Println("threads > 0:", d.threads > 0)
	bad := 0
	for _, o := range d.objects {
		for _, fl := range o.fields {
			if fl.kind != 1 || fl.off%8 != 0 || fl.off+8 > uint64(len(o.data)) {
				bad++
			}
		}
	}
	for _, g := range d.gs {
		for _, fr := range g.frames {
			for _, fl := range fr.fields {
				if fl.kind != 1 || fl.off%8 != 0 || fl.off+8 > uint64(len(fr.data)) {
					bad++
				}
			}
		}
	}
	fmt.Println("pointer fields outside their object or frame:", bad)
	fmt.Println("arena bounds ordered:", d.arenaLo != 0 && d.arenaLo < d.arenaHi)

	// Every heap pointer of an object, of data/bss or of a frame's live
	// slots points into a dumped object (the sweep is finished: nothing
	// allocated is unreachable garbage pointing at freed memory).
	var objs []*object
	for _, o := range d.objects {
		objs = append(objs, o)
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].addr < objs[j].addr })
	inHeap := func(v uint64) bool {
		i := sort.Search(len(objs), func(i int) bool { return objs[i].addr > v }) - 1
		return i >= 0 && v < objs[i].addr+uint64(len(objs[i].data))
	}
	// Stacks are not objects (upstream's live in the heap's arenas,
	// and its sudogs and Gs point into them).
	inStack := func(v uint64) bool {
		for _, g := range d.gs {
			for _, fr := range g.frames {
				if v >= fr.sp && v < fr.sp+uint64(len(fr.data)) {
					return true
				}
			}
		}
		return false
	}
	dangling, checked := 0, 0
	check := func(data []byte, fs []field) {
		for _, fl := range fs {
			v := word(data, fl.off)
			if v >= d.arenaLo && v < d.arenaHi && !inStack(v) {
				checked++
				if !inHeap(v) {
					if os.Getenv("HD_DEBUG") != "" {
						fmt.Printf("dangling %#x (stack %v) data len %d\n", v, inStack(v), len(data))
					}
					dangling++
				}
			}
		}
	}
	for _, o := range objs {
		check(o.data, o.fields)
	}
	check(d.dataData, d.dataFields)
	fd, fc := dangling, checked
	for _, g := range d.gs {
		for _, fr := range g.frames {
			check(fr.data, fr.fields)
			if os.Getenv("HD_DEBUG") != "" && dangling > fd {
				fmt.Println("frame", fr.name)
				fd = dangling
			}
		}
	}
	if os.Getenv("HD_DEBUG") != "" {
		fmt.Println("frames checked", checked-fc)
	}
	check(d.bssData, d.bssFields)
	if os.Getenv("HD_DEBUG") != "" {
		fmt.Println("checked", checked)
	}
	fmt.Println("heap pointers checked > 20:", checked > 20, "pointing to no dumped object:", dangling)

	// Finalizers.
	n := 0
	for _, fp := range finKept {
		a := uint64(uintptr(unsafe.Pointer(fp)))
		for _, o := range d.finalizers {
			if o == a {
				n++
			}
		}
	}
	fmt.Println("finalizer records of kept objects:", n)
	q := 0
	for _, o := range d.queued {
		if o == uint64(qb) || o == uint64(qc) {
			q++
		}
	}
	fmt.Println("queued finalizers of dropped objects:", q)

	fmt.Println("NumGC matches ReadMemStats:", d.numGC == uint64(ms.NumGC), "NumGC > 0:", d.numGC > 0)

	// The bss root: keep is a pointer variable there.
	ko := uint64(uintptr(unsafe.Pointer(&keep))) - d.bssAddr
	listed := false
	for _, fl := range d.bssFields {
		if fl.kind == 1 && fl.off == ko {
			listed = true
		}
	}
	fmt.Println("bss lists keep:", listed, "data segment dumped:", d.dataAddr != 0)

	close(blockFin)
	close(ch)
	runtime.KeepAlive(keep)
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
