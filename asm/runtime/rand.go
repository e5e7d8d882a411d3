package runtime

import "runtime/internal/math"

// rand32 and rand draw from the current m's wyrand state (m.cheaprand),
// which src/base/rand.rs seeds and draws from as well. Go code asks for
// them often (the compiler seeds every map it makes on a goroutine's stack
// with rand32): too often for a call into Rust. Only the m's own thread
// touches its state, and runtime functions are not preempted
// asynchronously, so the m stays the same from the read to the write.
//
//go:nosplit
func rand32() uint32 {
	return uint32(wyrand())
}

//go:nosplit
func rand() uint64 {
	lo := uint32(wyrand())
	return uint64(lo) | uint64(uint32(wyrand()))<<32
}

//go:nosplit
func wyrand() uint64 {
	mp := getg().m
	s := mp.cheaprand + 0xa0761d6478bd642f
	mp.cheaprand = s
	hi, lo := math.Mul64(s, s^0xe7037ed1a0b428db)
	return hi ^ lo
}
