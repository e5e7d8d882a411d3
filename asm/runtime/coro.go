// Coroutines (iter.Pull, GOEXPERIMENT=rangefunc): two goroutines that take
// turns on one thread. The coroutine's goroutine starts blocked; each
// coroswitch blocks the caller and runs the other side at once, with no
// trip through the run queues. The switching is src/sched/coro.rs's.

package runtime

import "unsafe"

// newcoro (iter reaches it by linkname) makes the coroutine: f runs on a
// new goroutine, blocked until the first coroswitch.
func newcoro(f func(*coro)) *coro {
	c := new(coro)
	c.f = f
	c.gp = guintptr(unsafe.Pointer(rt_newcoro(c, getcallerpc())))
	return c
}

// corostart is the coroutine goroutine's body: run f, then leave for good.
func corostart() {
	gp := getg()
	c := gp.coroarg
	gp.coroarg = nil
	c.f(c)
	gp.coroexit = true
	coroswitch(c)
}

// coroswitch (iter reaches it by linkname) blocks the caller and runs the
// other side of c.
func coroswitch(c *coro) {
	getg().coroarg = c
	mcall(mcallCoroswitch)
}
