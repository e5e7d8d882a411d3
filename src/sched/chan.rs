//! Channels and select.
//!
//! An `hchan` holds a ring buffer of `dataqsiz` elements (none for
//! unbuffered channels) and two queues of waiting goroutines (sudogs):
//! receivers and senders. A sender that finds a waiting receiver copies its
//! value straight into the receiver's destination (and vice versa): a
//! parked goroutine's stack does not move while it waits. Everything is
//! done with the channel's lock held; a goroutine that must wait enqueues a
//! sudog and parks with a commit that releases the lock (see block.go for
//! the Go half of the protocol), so a waker can only find it fully parked.
//!
//! select locks every channel involved in address order, polls the cases in
//! a random order, and otherwise enqueues one sudog per case; the first
//! waker to claim the select (g.selectDone) wins, and the losing sudogs are
//! removed when the goroutine resumes.

use crate::raise::raise_plain;
use crate::heap::malloc::mallocgc;
use crate::layout::abi::ChanType;
use crate::layout::GoSlice;
use crate::layout::rt::{self, g, hchan, scase, sudog, waitq};
use crate::lockrank::Rank;
use crate::leaf::Leaf;
use crate::lock::Mutex;
use crate::sched::{self, acquire_sudog, curg, release_sudog};
use crate::sched::schedule::prepare_park;
use core::ptr::null_mut;
use core::sync::atomic::Ordering;

const BLOCK_DONE: isize = 0;
const BLOCK_WOULD_WAIT: isize = 1;
const BLOCK_PARKED: isize = 2;

/// Header size, rounded to the maximum alignment.
const HCHAN_SIZE: usize = core::mem::size_of::<hchan>().next_multiple_of(8);

fn lock_of(c: *mut hchan) -> &'static Mutex {
    // SAFETY: c is a live channel; its lock word is a runtime mutex.
    unsafe { Mutex::from_key_ranked(core::ptr::addr_of_mut!((*c).lock.key), Rank::Hchan) }
}

/// # Safety
/// The pointers come from compiled code or reflect: a channel type, a
/// channel of that type (nil where Go allows it), buffers holding a value
/// of its element type, select's case and order arrays.
pub unsafe fn makechan(t: *mut ChanType, size: isize) -> *mut hchan {
    // SAFETY: t comes from compiled code.
    let elem = unsafe { (*t).Elem };
    // SAFETY: elem is a type descriptor.
    let (esize, ptrs) = unsafe { ((*elem).Size_, (*elem).PtrBytes != 0) };
    if esize >= 1 << 16 {
        crate::fatal::throw("makechan: invalid channel element type");
    }
    let mem = match esize.checked_mul(size as usize) {
        Some(m) if size >= 0 && m <= crate::heap::MAX_ALLOC - HCHAN_SIZE => m,
        _ => {
            raise_plain("makechan: size out of range");
            return null_mut();
        }
    };
    let c = if mem == 0 || !ptrs {
        // Header and buffer in one block when the collector need not scan
        // the buffer separately.
        // SAFETY: per the function contract.
        let c = unsafe { mallocgc(HCHAN_SIZE + mem, null_mut(), true) } as *mut hchan;
        // SAFETY: c has room for the header plus mem bytes.
        unsafe { (*c).buf = if mem == 0 { core::ptr::addr_of_mut!((*c).buf) as *mut u8 } else { (c as *mut u8).add(HCHAN_SIZE) } };
        c
    } else {
        // SAFETY: per the function contract.
        let c = unsafe { mallocgc(HCHAN_SIZE, crate::types::rt_type(&crate::types::HCHAN_TYPE), true) } as *mut hchan;
        // SAFETY: c is a fresh header.
        unsafe { (*c).buf = mallocgc(mem, elem, true) };
        c
    };
    // SAFETY: c is a fresh header.
    unsafe {
        (*c).elemsize = esize as u16;
        (*c).elemtype = elem;
        (*c).dataqsiz = size as usize;
    }
    c
}

/// # Safety
/// The pointers come from compiled code or reflect: a channel type, a
/// channel of that type (nil where Go allows it), buffers holding a value
/// of its element type, select's case and order arrays.
pub unsafe fn makechan64(t: *mut ChanType, size: i64) -> *mut hchan {
    if size as isize as i64 != size {
        raise_plain("makechan: size out of range");
        return null_mut();
    }
    // SAFETY: per the function contract.
    unsafe { makechan(t, size as isize) }
}

/// # Safety
/// The pointers come from compiled code or reflect: a channel type, a
/// channel of that type (nil where Go allows it), buffers holding a value
/// of its element type, select's case and order arrays.
pub unsafe fn chanlen(c: *mut hchan) -> isize {
    if c.is_null() {
        return 0;
    }
    // SAFETY: c is a live channel.
    unsafe { (*c).qcount as isize }
}

/// # Safety
/// The pointers come from compiled code or reflect: a channel type, a
/// channel of that type (nil where Go allows it), buffers holding a value
/// of its element type, select's case and order arrays.
pub unsafe fn chancap(c: *mut hchan) -> isize {
    if c.is_null() {
        return 0;
    }
    // SAFETY: c is a live channel.
    unsafe { (*c).dataqsiz as isize }
}

// ---- wait queues ----

fn enqueue(q: *mut waitq, s: *mut sudog) {
    // SAFETY: the queue's channel is locked; s is ours.
    unsafe {
        (*s).next = null_mut();
        let last = (*q).last;
        if last.is_null() {
            (*s).prev = null_mut();
            (*q).first = s;
            (*q).last = s;
        } else {
            (*s).prev = last;
            (*last).next = s;
            (*q).last = s;
        }
    }
}

/// The first waiter, skipping select waiters whose select already fired.
fn dequeue(q: *mut waitq) -> *mut sudog {
    // SAFETY: the queue's channel is locked.
    unsafe {
        loop {
            let s = (*q).first;
            if s.is_null() {
                return null_mut();
            }
            let y = (*s).next;
            if y.is_null() {
                (*q).first = null_mut();
                (*q).last = null_mut();
            } else {
                (*y).prev = null_mut();
                (*q).first = y;
                (*s).next = null_mut();
            }
            if (*s).isSelect {
                let done = &(*(*s).g).selectDone;
                if done.compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire).is_err() {
                    continue;
                }
            }
            return s;
        }
    }
}

/// Remove a specific sudog (a losing select case).
fn remove(q: *mut waitq, s: *mut sudog) {
    // SAFETY: the queue's channel is locked; s may or may not be queued.
    unsafe {
        let (x, y) = ((*s).prev, (*s).next);
        if !x.is_null() {
            if !y.is_null() {
                (*x).next = y;
                (*y).prev = x;
            } else {
                (*x).next = null_mut();
                (*q).last = x;
            }
        } else if !y.is_null() {
            (*y).prev = null_mut();
            (*q).first = y;
        } else if (*q).first == s {
            (*q).first = null_mut();
            (*q).last = null_mut();
        }
        (*s).next = null_mut();
        (*s).prev = null_mut();
    }
}

// ---- the race detector's view of channels (race builds; upstream's
// model: a value passed through buffer slot i is a release-acquire on
// the slot, a hand-off between two goroutines synchronises both ways,
// a close is a release that receivers seeing it acquire) ----

/// The address TSan synchronises on for slot i (the channel itself when it
/// has no buffer or its elements have no size).
fn race_addr(c: *mut hchan, i: usize) -> usize {
    // SAFETY: c is a live channel.
    unsafe {
        if (*c).dataqsiz == 0 || (*c).elemsize == 0 {
            c as usize
        } else {
            slot(c, i) as usize
        }
    }
}

/// The current goroutine puts a value into, or takes one from, slot i.
#[inline(always)]
fn race_slot(c: *mut hchan, i: usize) {
    if crate::tsan::enabled() {
        race_slot_g(c, null_mut(), i);
    }
}

/// Goroutine gp (null: the current one) passes a value through slot i of
/// a buffered channel. With elements of no size every slot is the one
/// address, which cannot follow the per-slot rule: what passes through it
/// accumulates there (acquire, then release), as upstream's.
#[inline(never)]
fn race_slot_g(c: *mut hchan, gp: *mut g, i: usize) {
    use crate::tsan::{sync_g, Sync};
    let a = race_addr(c, i);
    // SAFETY: c is a live channel.
    if unsafe { (*c).elemsize } == 0 {
        sync_g(gp, Sync::Acquire, a);
        sync_g(gp, Sync::Release, a);
    } else {
        sync_g(gp, Sync::ReleaseAcquire, a);
    }
}

/// The current goroutine hands a value to, or takes one from, the parked
/// goroutine `other` (through slot i of a full or empty buffer).
#[inline(always)]
fn race_handoff(c: *mut hchan, other: *mut g, i: usize) {
    if crate::tsan::enabled() {
        race_handoff_sync(c, other, i);
    }
}

#[inline(never)]
fn race_handoff_sync(c: *mut hchan, other: *mut g, i: usize) {
    use crate::tsan::{sync_g, Sync};
    let a = race_addr(c, i);
    // SAFETY: c is a live channel.
    if unsafe { (*c).dataqsiz } == 0 {
        sync_g(null_mut(), Sync::Release, a);
        sync_g(other, Sync::Acquire, a);
        sync_g(other, Sync::Release, a);
        sync_g(null_mut(), Sync::Acquire, a);
    } else {
        race_slot_g(c, null_mut(), i);
        race_slot_g(c, other, i);
    }
}

/// Goroutine gp (null: the current one) sees the channel closed.
fn race_closed(c: *mut hchan, gp: *mut g) {
    if crate::tsan::enabled() {
        crate::tsan::sync_g(gp, crate::tsan::Sync::Acquire, c as usize);
    }
}

fn slot(c: *mut hchan, i: usize) -> *mut u8 {
    // SAFETY: i < dataqsiz; buf has dataqsiz elements.
    unsafe { (*c).buf.add(i * (*c).elemsize as usize) }
}

/// Copy an element (into a buffer slot, a receiver's variable, a
/// goroutine's stack), behind the write barrier (mem/wb.rs typed_move).
#[inline(always)]
fn copy_elem(c: *mut hchan, dst: *mut u8, src: *const u8) {
    // SAFETY: both point at values of the channel's element type.
    unsafe { crate::wb::typed_move((*c).elemtype, dst, src) }
}

/// Zero an element (a buffer slot taken), behind the write barrier.
#[inline(always)]
fn clear_elem(c: *mut hchan, p: *mut u8) {
    // SAFETY: p points at a value of the channel's element type.
    unsafe { crate::wb::typed_clear((*c).elemtype, p) }
}

/// Wake the goroutine of sudog s (dequeued by us), telling it which sudog
/// fired and whether the operation succeeded.
fn wake(s: *mut sudog, success: bool) {
    // SAFETY: s was dequeued under the channel lock; its goroutine is parked.
    unsafe {
        let gp = (*s).g;
        (*gp).param = s as *mut u8;
        (*s).success = success;
        sched::blockprof::released(s);
        sched::schedule::ready(gp);
    }
}

/// Hand ep's value to the waiting receiver s (channel locked by caller,
/// who unlocks afterwards).
fn send_to(c: *mut hchan, s: *mut sudog, ep: *const u8) {
    // SAFETY: s is a dequeued receiver.
    unsafe {
        race_handoff(c, (*s).g, (*c).recvx);
        if !(*s).elem.is_null() {
            copy_elem(c, (*s).elem, ep);
            (*s).elem = null_mut();
        }
    }
}

/// Take a value from the waiting sender s into ep (channel locked).
fn recv_from(c: *mut hchan, s: *mut sudog, ep: *mut u8) {
    // SAFETY: the channel is locked; s is a dequeued sender.
    unsafe {
        race_handoff(c, (*s).g, (*c).recvx);
        if (*c).dataqsiz == 0 {
            if !ep.is_null() {
                copy_elem(c, ep, (*s).elem);
            }
        } else {
            // The buffer is full: take its head, and put the sender's
            // value at the tail (which is the same slot).
            let q = slot(c, (*c).recvx);
            if !ep.is_null() {
                copy_elem(c, ep, q);
            }
            copy_elem(c, q, (*s).elem);
            (*c).recvx += 1;
            if (*c).recvx == (*c).dataqsiz {
                (*c).recvx = 0;
            }
            (*c).sendx = (*c).recvx;
        }
        (*s).elem = null_mut();
    }
}

/// Enqueue the current goroutine on q and prepare to park, releasing the
/// channel's lock at commit.
fn wait_on(c: *mut hchan, q: *mut waitq, ep: *mut u8, reason: u32) {
    let s = acquire_sudog();
    let gp = curg();
    // SAFETY: s is ours; c is locked.
    unsafe {
        (*s).g = gp;
        (*s).elem = ep;
        (*s).c = c;
        (*s).releasetime = sched::blockprof::wait_start();
        (*gp).waiting = s;
        (*gp).param = null_mut();
        (*gp).parkingOnChan.store(true, Ordering::Relaxed);
        enqueue(q, s);
        prepare_park(Some(chan_commit), c as *mut u8, reason as u8);
    }
}

/// Park commit for a channel operation: the goroutine is parked (from
/// here on a collector may move its stack, with the channel locked), then
/// the channel is unlocked.
unsafe extern "C" fn chan_commit(gp: *mut g, c: *mut u8) -> bool {
    // SAFETY: gp is the parking goroutine, c its channel, locked by it.
    unsafe {
        (*gp).activeStackChans = true;
        (*gp).parkingOnChan.store(false, Ordering::Release);
        lock_of(c as *mut hchan).unlock();
    }
    true
}

/// First step of a send: BLOCK_DONE, BLOCK_WOULD_WAIT (if !block) or
/// BLOCK_PARKED (park, then rt_chansendFinish).
///
/// # Safety
/// The pointers come from compiled code or reflect: a channel type, a
/// channel of that type (nil where Go allows it), buffers holding a value
/// of its element type, select's case and order arrays.
pub unsafe fn rt_chansend(c: *mut hchan, ep: *mut u8, block: bool) -> isize {
    if c.is_null() {
        if !block {
            return BLOCK_WOULD_WAIT;
        }
        prepare_park(None, null_mut(), rt::waitReasonChanSendNilChan as u8);
        return BLOCK_PARKED;
    }
    let lock = lock_of(c);
    lock.lock();
    // SAFETY: c is locked.
    unsafe {
        if (*c).closed != 0 {
            lock.unlock();
            raise_plain("send on closed channel");
            return BLOCK_DONE;
        }
        let s = dequeue(core::ptr::addr_of_mut!((*c).recvq));
        if !s.is_null() {
            send_to(c, s, ep);
            lock.unlock();
            wake(s, true);
            return BLOCK_DONE;
        }
        if (*c).qcount < (*c).dataqsiz {
            buffer_put(c, ep);
            lock.unlock();
            return BLOCK_DONE;
        }
        if !block {
            lock.unlock();
            return BLOCK_WOULD_WAIT;
        }
        wait_on(c, core::ptr::addr_of_mut!((*c).sendq), ep, rt::waitReasonChanSend as u32);
    }
    BLOCK_PARKED
}

/// Put ep's value into the buffer's next free slot (c locked, with room).
///
/// # Safety
/// c is a live, locked channel with qcount < dataqsiz; ep holds a value of
/// its element type.
#[inline]
unsafe fn buffer_put(c: *mut hchan, ep: *const u8) {
    // SAFETY: per the function contract.
    unsafe {
        race_slot(c, (*c).sendx);
        copy_elem(c, slot(c, (*c).sendx), ep);
        (*c).sendx += 1;
        if (*c).sendx == (*c).dataqsiz {
            (*c).sendx = 0;
        }
        (*c).qcount += 1;
    }
}

/// Move the buffer's oldest value into ep (nil: drop it) and clear its
/// slot (c locked, not empty).
///
/// # Safety
/// c is a live, locked channel with qcount > 0; ep is nil or has room for
/// a value of its element type.
#[inline]
unsafe fn buffer_take(c: *mut hchan, ep: *mut u8) {
    // SAFETY: per the function contract.
    unsafe {
        race_slot(c, (*c).recvx);
        let q = slot(c, (*c).recvx);
        if !ep.is_null() {
            copy_elem(c, ep, q);
        }
        clear_elem(c, q);
        (*c).recvx += 1;
        if (*c).recvx == (*c).dataqsiz {
            (*c).recvx = 0;
        }
        (*c).qcount -= 1;
    }
}

/// The channel's lock for a fast path (src/base/leaf.rs), or None: the
/// fast path declines when the channel is nil or unbuffered (every
/// operation there is a hand-off or a wait), under the race detector or
/// the lock-order checker, while the collector marks if the m's barrier
/// buffer has no room for what an element's copy and clear record (a fast
/// path cannot drain it), and when another thread holds the lock (waiting
/// for it is the ordinary entry's business).
///
/// # Safety
/// c is nil or a live channel.
unsafe fn leaf_lock(c: *mut hchan) -> Option<&'static Mutex> {
    // SAFETY: per the function contract.
    if c.is_null() || unsafe { (*c).dataqsiz } == 0 {
        return None;
    }
    if crate::tsan::enabled() || crate::lockrank::checking() {
        return None;
    }
    // SAFETY: c is a live channel; its element type is a descriptor.
    if crate::wb::enabled() && !crate::wb::leaf_room(3 * unsafe { (*(*c).elemtype).PtrBytes } / 8) {
        return None;
    }
    let lock = lock_of(c);
    lock.try_lock().then_some(lock)
}

/// The goroutine-stack fast path of rt_chansend (src/base/leaf.rs): a
/// value into a free slot of a buffered channel no receiver waits on, or a
/// full one's refusal of a non-blocking send.
///
/// # Safety
/// As rt_chansend's.
pub unsafe fn leaf_rt_chansend(c: *mut hchan, ep: *mut u8, block: bool) -> Leaf {
    // SAFETY: per the function contract; leaf_lock locked c.
    unsafe {
        let Some(lock) = leaf_lock(c) else { return Leaf::DECLINE };
        let r = if (*c).closed != 0 || !(*c).recvq.first.is_null() {
            None
        } else if (*c).qcount < (*c).dataqsiz {
            buffer_put(c, ep);
            Some(BLOCK_DONE)
        } else if !block {
            Some(BLOCK_WOULD_WAIT)
        } else {
            None
        };
        lock.unlock();
        r.map_or(Leaf::DECLINE, |r| Leaf::one(r as usize))
    }
}

/// The goroutine-stack fast path of rt_chanrecv (src/base/leaf.rs): the
/// oldest value of a buffered channel no sender waits on, a closed and
/// drained one's zero value, or an empty one's refusal of a non-blocking
/// receive.
///
/// # Safety
/// As rt_chanrecv's.
pub unsafe fn leaf_rt_chanrecv(c: *mut hchan, ep: *mut u8, block: bool) -> Leaf {
    // SAFETY: per the function contract; leaf_lock locked c.
    unsafe {
        let Some(lock) = leaf_lock(c) else { return Leaf::DECLINE };
        let r = if !(*c).sendq.first.is_null() {
            None
        } else if (*c).qcount > 0 {
            buffer_take(c, ep);
            Some((BLOCK_DONE, true))
        } else if (*c).closed != 0 {
            if !ep.is_null() {
                clear_elem(c, ep);
            }
            Some((BLOCK_DONE, false))
        } else if !block {
            Some((BLOCK_WOULD_WAIT, false))
        } else {
            None
        };
        lock.unlock();
        r.map_or(Leaf::DECLINE, |(r, ok)| Leaf::two(r as usize, ok as usize))
    }
}

/// Finish a send that parked; raises "send on closed channel" if the
/// channel was closed while waiting.
///
/// # Safety
/// The pointers come from compiled code or reflect: a channel type, a
/// channel of that type (nil where Go allows it), buffers holding a value
/// of its element type, select's case and order arrays.
pub unsafe fn rt_chansendFinish(c: *mut hchan) {
    let gp = curg();
    // SAFETY: gp.waiting is our sudog, dequeued by the waker.
    unsafe {
        let s = end_chan_wait(gp);
        // The block profile's stack starts at chansend's caller (the Go
        // face's trampoline and chansend left out), as upstream's.
        sched::blockprof::blocked(s, 2);
        let closed = !(*s).success;
        release_sudog(s);
        if closed {
            if (*c).closed == 0 {
                crate::fatal::throw("chansend: spurious wakeup");
            }
            raise_plain("send on closed channel");
        }
    }
}

/// The goroutine-stack fast paths of rt_chansendFinish and
/// rt_chanrecvFinish (src/base/leaf.rs): a goroutine blocked on a channel
/// comes through one at every wakeup. Declined when the wait is to be
/// profiled, when the sudog cannot go back to the P's cache without a
/// lock, and for a send that the channel's close ended (it raises).
///
/// # Safety
/// As rt_chansendFinish's.
pub unsafe fn leaf_rt_chansendFinish(_c: *mut hchan) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    match unsafe { finish_quick(false) } {
        Some(_) => crate::leaf::Leaf::one(0),
        None => crate::leaf::Leaf::DECLINE,
    }
}

/// # Safety
/// As rt_chanrecvFinish's.
pub unsafe fn leaf_rt_chanrecvFinish(_c: *mut hchan) -> crate::leaf::Leaf {
    // SAFETY: per the function contract.
    match unsafe { finish_quick(true) } {
        Some(ok) => crate::leaf::Leaf::one(ok as usize),
        None => crate::leaf::Leaf::DECLINE,
    }
}

/// The end of a channel wait that needs neither a lock nor a report: the
/// sudog's success flag (None, with nothing changed, if the ordinary
/// finish is needed; for a send, `!recv`, also if the close ended it).
///
/// # Safety
/// The current goroutine has just been woken from a channel wait.
#[inline(always)]
unsafe fn finish_quick(recv: bool) -> Option<bool> {
    let gp = curg();
    // SAFETY: gp.waiting is our sudog, dequeued by the waker.
    unsafe {
        let s = (*gp).waiting;
        let ok = (*s).success;
        if (*s).releasetime != 0 || !(recv || ok) || !sched::sudog_release_is_quick(s) {
            return None;
        }
        end_chan_wait(gp);
        sched::release_sudog_quick(s);
        Some(ok)
    }
}

/// Detach gp, just woken from a channel wait, from its sudog (returned,
/// its channel and element cleared for release).
///
/// # Safety
/// gp is the current goroutine; gp.waiting is its sudog, dequeued by the
/// waker.
#[inline(always)]
unsafe fn end_chan_wait(gp: *mut g) -> *mut sudog {
    // SAFETY: per the function contract.
    unsafe {
        let s = (*gp).waiting;
        (*gp).waiting = null_mut();
        (*gp).activeStackChans = false;
        (*gp).parkingOnChan.store(false, Ordering::Relaxed);
        (*gp).param = null_mut();
        (*s).c = null_mut();
        (*s).elem = null_mut();
        s
    }
}

/// First step of a receive: (status, received).
///
/// # Safety
/// The pointers come from compiled code or reflect: a channel type, a
/// channel of that type (nil where Go allows it), buffers holding a value
/// of its element type, select's case and order arrays.
pub unsafe fn rt_chanrecv(c: *mut hchan, ep: *mut u8, block: bool) -> (isize, bool) {
    if c.is_null() {
        if !block {
            return (BLOCK_WOULD_WAIT, false);
        }
        prepare_park(None, null_mut(), rt::waitReasonChanReceiveNilChan as u8);
        return (BLOCK_PARKED, false);
    }
    let lock = lock_of(c);
    lock.lock();
    // SAFETY: c is locked.
    unsafe {
        if (*c).closed != 0 && (*c).qcount == 0 {
            race_closed(c, null_mut());
            lock.unlock();
            if !ep.is_null() {
                clear_elem(c, ep);
            }
            return (BLOCK_DONE, false);
        }
        let s = dequeue(core::ptr::addr_of_mut!((*c).sendq));
        if !s.is_null() {
            recv_from(c, s, ep);
            lock.unlock();
            wake(s, true);
            return (BLOCK_DONE, true);
        }
        if (*c).qcount > 0 {
            buffer_take(c, ep);
            lock.unlock();
            return (BLOCK_DONE, true);
        }
        if !block {
            lock.unlock();
            return (BLOCK_WOULD_WAIT, false);
        }
        wait_on(c, core::ptr::addr_of_mut!((*c).recvq), ep, rt::waitReasonChanReceive as u32);
    }
    (BLOCK_PARKED, false)
}

/// Finish a receive that parked: was a value received (not a close)?
///
/// # Safety
/// The pointers come from compiled code or reflect: a channel type, a
/// channel of that type (nil where Go allows it), buffers holding a value
/// of its element type, select's case and order arrays.
pub unsafe fn rt_chanrecvFinish(_c: *mut hchan) -> bool {
    let gp = curg();
    // SAFETY: as in rt_chansendFinish.
    unsafe {
        let s = end_chan_wait(gp);
        // As for a send: the stack starts at chanrecv's caller.
        sched::blockprof::blocked(s, 2);
        let ok = (*s).success;
        release_sudog(s);
        ok
    }
}

/// # Safety
/// The pointers come from compiled code or reflect: a channel type, a
/// channel of that type (nil where Go allows it), buffers holding a value
/// of its element type, select's case and order arrays.
pub unsafe fn closechan(c: *mut hchan) {
    if c.is_null() {
        raise_plain("close of nil channel");
        return;
    }
    let lock = lock_of(c);
    lock.lock();
    // SAFETY: c is locked; the woken list is ours after unlocking.
    unsafe {
        if (*c).closed != 0 {
            lock.unlock();
            raise_plain("close of closed channel");
            return;
        }
        if crate::tsan::enabled() {
            // A write of the channel, as upstream's: it races with sends
            // (runtime.chansend reads it) that nothing orders before it.
            crate::racepc::write(core::ptr::addr_of!((*c).buf) as usize);
            crate::tsan::sync_g(null_mut(), crate::tsan::Sync::Release, c as usize);
        }
        (*c).closed = 1;
        // Every waiter fails; its sudog may be part of a select's list
        // (chained through waitlink), so the woken goroutines are collected
        // through g.schedlink, free while they wait.
        let mut woken = sched::runq::GList::new();
        loop {
            let s = dequeue(core::ptr::addr_of_mut!((*c).recvq));
            if s.is_null() {
                break;
            }
            if !(*s).elem.is_null() {
                clear_elem(c, (*s).elem);
                (*s).elem = null_mut();
            }
            race_closed(c, (*s).g);
            woken.push(fail_waiter(s));
        }
        loop {
            let s = dequeue(core::ptr::addr_of_mut!((*c).sendq));
            if s.is_null() {
                break;
            }
            (*s).elem = null_mut();
            race_closed(c, (*s).g);
            woken.push(fail_waiter(s));
        }
        lock.unlock();
        loop {
            let gp = woken.pop();
            if gp.is_null() {
                break;
            }
            sched::schedule::ready(gp);
        }
    }
}

/// Tell the goroutine of sudog s (dequeued, channel locked) that its
/// operation failed (the channel closed); returns the goroutine to ready.
unsafe fn fail_waiter(s: *mut sudog) -> *mut g {
    // SAFETY: s was dequeued under the channel lock; its goroutine is parked.
    unsafe {
        let gp = (*s).g;
        (*gp).param = s as *mut u8;
        (*s).success = false;
        sched::blockprof::released(s);
        gp
    }
}

// ---- select ----

struct Select {
    cases: *mut scase,
    pollorder: *mut u16,
    lockorder: *mut u16,
    nsends: usize,
    ncases: usize,
}

impl Select {
    fn case(&self, i: usize) -> &scase {
        // SAFETY: i < ncases; the compiler's case array has ncases entries.
        unsafe { &*self.cases.add(i) }
    }
    /// A case without a channel never proceeds: forget its element.
    fn clear_elem(&self, i: usize) {
        // SAFETY: as for case; no reference to the case is live.
        unsafe { (*self.cases.add(i)).elem = null_mut() };
    }
    fn lock_index(&self, i: usize) -> usize {
        // SAFETY: i < ncases.
        unsafe { *self.lockorder.add(i) as usize }
    }
    fn chan_at_lock(&self, i: usize) -> *mut hchan {
        self.case(self.lock_index(i)).c
    }
    /// Lock every channel, in address order, each once.
    fn lock_all(&self, n: usize) {
        let mut prev: *mut hchan = null_mut();
        for i in 0..n {
            let c = self.chan_at_lock(i);
            if c != prev {
                lock_of(c).lock();
                prev = c;
            }
        }
    }
    fn unlock_all(&self, n: usize) {
        let mut prev: *mut hchan = null_mut();
        for i in 0..n {
            let c = self.chan_at_lock(i);
            if c != prev {
                lock_of(c).unlock();
                prev = c;
            }
        }
    }
}

/// Set up the poll order (random, skipping nil channels) and the lock order
/// (by channel address). Returns the number of cases with channels.
fn select_orders(sel: &Select) -> usize {
    let mut norder = 0;
    for i in 0..sel.ncases {
        if sel.case(i).c.is_null() {
            sel.clear_elem(i);
            continue;
        }
        let j = ((crate::rand::cheaprand() as u64 * (norder as u64 + 1)) >> 32) as usize;
        // SAFETY: pollorder has ncases slots; j <= norder < ncases.
        unsafe {
            *sel.pollorder.add(norder) = *sel.pollorder.add(j);
            *sel.pollorder.add(j) = i as u16;
        }
        norder += 1;
    }
    // Lock order: the poll order sorted by channel address (insertion
    // sort: selects are small).
    for i in 0..norder {
        // SAFETY: both orders have norder valid slots.
        unsafe {
            let v = *sel.pollorder.add(i);
            let cv = sel.case(v as usize).c as usize;
            let mut j = i;
            while j > 0 && sel.case(*sel.lockorder.add(j - 1) as usize).c as usize > cv {
                *sel.lockorder.add(j) = *sel.lockorder.add(j - 1);
                j -= 1;
            }
            *sel.lockorder.add(j) = v;
        }
    }
    norder
}

/// Run f with the channels of gp's sudogs locked, so that no waker copies
/// through their value pointers meanwhile (a collector moving gp's stack
/// adjusts them). gp is suspended and cannot change status; its sudog list
/// is in lock order (one sudog, or select's list), else f does not run
/// and the result is None.
pub fn with_waiting_chans_locked<R>(gp: *mut g, f: impl FnOnce() -> R) -> Option<R> {
    // SAFETY: gp is suspended: its sudog list holds still, and the
    // channels it names stay alive (the sudogs reference them).
    unsafe {
        let mut prev: *mut hchan = null_mut();
        let mut s = (*gp).waiting;
        while !s.is_null() {
            let c = (*s).c;
            if !c.is_null() && (c as usize) < (prev as usize) {
                return None;
            }
            if !c.is_null() {
                prev = c;
            }
            s = (*s).waitlink;
        }
        let each = |lock: bool| {
            let mut last: *mut hchan = null_mut();
            let mut s = (*gp).waiting;
            while !s.is_null() {
                let c = (*s).c;
                if !c.is_null() && c != last {
                    if lock {
                        lock_of(c).lock();
                    } else {
                        lock_of(c).unlock();
                    }
                    last = c;
                }
                s = (*s).waitlink;
            }
        };
        each(true);
        let r = f();
        each(false);
        Some(r)
    }
}

/// Park commit for select: unlock every channel (the goroutine's sudog list
/// is in lock order). Once a channel is unlocked, a waker may ready the
/// goroutine, which then finishes its select (releasing the sudogs) as soon
/// as it can lock every channel: so each channel is unlocked only after the
/// walk has moved past its sudogs, and the last one after the walk ends.
unsafe extern "C" fn select_commit(gp: *mut g, _lock: *mut u8) -> bool {
    // SAFETY: gp.waiting is the sudog list built by rt_selectgo, in lock
    // order; the channels still locked keep the list alive.
    unsafe {
        (*gp).activeStackChans = true;
        (*gp).parkingOnChan.store(false, Ordering::Release);
        let mut last: *mut hchan = null_mut();
        let mut s = (*gp).waiting;
        while !s.is_null() {
            let c = (*s).c;
            if c != last && !last.is_null() {
                lock_of(last).unlock();
            }
            last = c;
            s = (*s).waitlink;
        }
        if !last.is_null() {
            lock_of(last).unlock();
        }
    }
    true
}

fn new_select(cas0: *mut scase, order0: *mut u16, nsends: isize, nrecvs: isize) -> Select {
    let ncases = (nsends + nrecvs) as usize;
    // SAFETY: order0 has 2*ncases slots (the compiler's layout).
    Select { cases: cas0, pollorder: order0, lockorder: unsafe { order0.add(ncases) }, nsends: nsends as usize, ncases }
}

/// Case i's pc (0 if pc0 is null).
///
/// # Safety
/// pc0 is null or holds a pc for each case.
unsafe fn case_pc(pc0: *const usize, i: usize) -> usize {
    if pc0.is_null() {
        0
    } else {
        // SAFETY: per the function contract.
        unsafe { *pc0.add(i) }
    }
}

/// Case i of a select (sending or receiving on c) copies its value at
/// elem: reported to the race detector as upstream's selectgo reports it.
///
/// # Safety
/// c is a live channel, elem holds a value of its element type, pc0 as
/// for `case_pc`.
unsafe fn race_case_value(c: *mut hchan, send: bool, elem: *mut u8, pc0: *const usize, i: usize) {
    if crate::tsan::enabled() {
        // SAFETY: per the function contract.
        unsafe { crate::racepc::select_value(send, (*c).elemtype, elem as usize, case_pc(pc0, i)) };
    }
}

/// First step of a select: (case, recvOK, parked). With no ready case and
/// !block, returns case -1. pc0 (-race builds' compiled selects and
/// reflect.Select; else null) holds each case's pc: a send case looked at
/// is reported as runtime.chansend's read of the channel called from
/// there, and the value a case copies as chansend's read or chanrecv's
/// write, as upstream's.
///
/// # Safety
/// The pointers come from compiled code or reflect: a channel type, a
/// channel of that type (nil where Go allows it), buffers holding a value
/// of its element type, select's case and order arrays, null or the
/// cases' pcs.
pub unsafe fn rt_selectgo(cas0: *mut scase, order0: *mut u16, pc0: *mut usize, nsends: isize, nrecvs: isize, block: bool) -> (isize, bool, bool) {
    let sel = new_select(cas0, order0, nsends, nrecvs);
    let norder = select_orders(&sel);
    sel.lock_all(norder);
    // Pass 1: a case that can proceed now, in poll order.
    for k in 0..norder {
        // SAFETY: k < norder.
        let casi = unsafe { *sel.pollorder.add(k) } as usize;
        let cas = sel.case(casi);
        let c = cas.c;
        // SAFETY: all involved channels are locked.
        unsafe {
            if casi >= sel.nsends {
                let s = dequeue(core::ptr::addr_of_mut!((*c).sendq));
                if !s.is_null() {
                    recv_from(c, s, cas.elem);
                    sel.unlock_all(norder);
                    wake(s, true);
                    return (casi as isize, true, false);
                }
                if (*c).qcount > 0 {
                    if !cas.elem.is_null() {
                        race_case_value(c, false, cas.elem, pc0, casi);
                    }
                    race_slot(c, (*c).recvx);
                    let q = slot(c, (*c).recvx);
                    if !cas.elem.is_null() {
                        copy_elem(c, cas.elem, q);
                    }
                    clear_elem(c, q);
                    (*c).recvx += 1;
                    if (*c).recvx == (*c).dataqsiz {
                        (*c).recvx = 0;
                    }
                    (*c).qcount -= 1;
                    sel.unlock_all(norder);
                    return (casi as isize, true, false);
                }
                if (*c).closed != 0 {
                    race_closed(c, null_mut());
                    sel.unlock_all(norder);
                    if !cas.elem.is_null() {
                        clear_elem(c, cas.elem);
                    }
                    return (casi as isize, false, false);
                }
            } else {
                if crate::tsan::enabled() {
                    crate::racepc::read_as_chansend(core::ptr::addr_of!((*c).buf) as usize, case_pc(pc0, casi));
                }
                if (*c).closed != 0 {
                    sel.unlock_all(norder);
                    raise_plain("send on closed channel");
                    return (casi as isize, false, false);
                }
                let s = dequeue(core::ptr::addr_of_mut!((*c).recvq));
                if !s.is_null() {
                    race_case_value(c, true, cas.elem, pc0, casi);
                    send_to(c, s, cas.elem);
                    sel.unlock_all(norder);
                    wake(s, true);
                    return (casi as isize, false, false);
                }
                if (*c).qcount < (*c).dataqsiz {
                    race_slot(c, (*c).sendx);
                    race_case_value(c, true, cas.elem, pc0, casi);
                    copy_elem(c, slot(c, (*c).sendx), cas.elem);
                    (*c).sendx += 1;
                    if (*c).sendx == (*c).dataqsiz {
                        (*c).sendx = 0;
                    }
                    (*c).qcount += 1;
                    sel.unlock_all(norder);
                    return (casi as isize, false, false);
                }
            }
        }
    }
    if !block {
        sel.unlock_all(norder);
        return (-1, false, false);
    }
    // Pass 2: wait on every channel.
    let gp = curg();
    if norder == 0 {
        sel.unlock_all(norder);
        prepare_park(None, null_mut(), rt::waitReasonSelectNoCases as u8);
        return (-1, false, true);
    }
    let t0 = sched::blockprof::wait_start();
    // SAFETY: all channels locked; the sudogs are ours.
    unsafe {
        (*gp).waiting = null_mut();
        let mut tail: *mut sudog = null_mut();
        for i in 0..norder {
            let casi = sel.lock_index(i);
            let cas = sel.case(casi);
            let s = acquire_sudog();
            (*s).g = gp;
            (*s).isSelect = true;
            (*s).releasetime = t0;
            (*s).elem = cas.elem;
            (*s).c = cas.c;
            if tail.is_null() {
                (*gp).waiting = s;
            } else {
                (*tail).waitlink = s;
            }
            tail = s;
            let q = if casi < sel.nsends {
                core::ptr::addr_of_mut!((*cas.c).sendq)
            } else {
                core::ptr::addr_of_mut!((*cas.c).recvq)
            };
            enqueue(q, s);
        }
        (*gp).param = null_mut();
        (*gp).selectDone.store(0, Ordering::Release);
        (*gp).parkingOnChan.store(true, Ordering::Relaxed);
    }
    prepare_park(Some(select_commit), null_mut(), rt::waitReasonSelect as u8);
    (-1, false, true)
}

/// Finish a select that parked: dequeue the losing cases, report the
/// winner (case, recvOK); raises "send on closed channel" for a send case
/// woken by close. pc0 as for rt_selectgo.
///
/// # Safety
/// The pointers come from compiled code or reflect: a channel type, a
/// channel of that type (nil where Go allows it), buffers holding a value
/// of its element type, select's case and order arrays, null or the
/// cases' pcs.
pub unsafe fn rt_selectFinish(cas0: *mut scase, order0: *mut u16, pc0: *mut usize, nsends: isize, nrecvs: isize) -> (isize, bool) {
    let sel = new_select(cas0, order0, nsends, nrecvs);
    let gp = curg();
    // The lock order is still valid (the cases did not change), but cases
    // with nil channels are not in it: count the ones that are.
    let norder = (0..sel.ncases).filter(|&i| !sel.case(i).c.is_null()).count();
    sel.lock_all(norder);
    // SAFETY: channels locked; gp's sudog list is ours.
    unsafe {
        (*gp).activeStackChans = false;
        (*gp).parkingOnChan.store(false, Ordering::Relaxed);
        (*gp).selectDone.store(0, Ordering::Release);
        let winner = (*gp).param as *mut sudog;
        (*gp).param = null_mut();
        let mut casi: isize = -1;
        let mut recv_ok = false;
        let mut success = false;
        let mut s = (*gp).waiting;
        (*gp).waiting = null_mut();
        for i in 0..norder {
            let k = sel.lock_index(i);
            let cas = sel.case(k);
            let next = (*s).waitlink;
            if s == winner {
                casi = k as isize;
                success = (*s).success;
                if k >= sel.nsends {
                    recv_ok = success;
                }
                // The block profile's stack starts at selectgo (only the
                // trampoline is left out), as upstream's.
                sched::blockprof::blocked(s, 1);
            } else {
                (*s).releasetime = 0;
                let q = if k < sel.nsends {
                    core::ptr::addr_of_mut!((*cas.c).sendq)
                } else {
                    core::ptr::addr_of_mut!((*cas.c).recvq)
                };
                remove(q, s);
            }
            (*s).isSelect = false;
            (*s).elem = null_mut();
            (*s).c = null_mut();
            (*s).waitlink = null_mut();
            release_sudog(s);
            s = next;
        }
        if casi < 0 {
            crate::fatal::throw("selectgo: bad wakeup");
        }
        // The winner's value was copied by the goroutine that woke us.
        let cas = sel.case(casi as usize);
        if (casi as usize) < sel.nsends {
            if success {
                race_case_value(cas.c, true, cas.elem, pc0, casi as usize);
            }
        } else if !cas.elem.is_null() {
            race_case_value(cas.c, false, cas.elem, pc0, casi as usize);
        }
        sel.unlock_all(norder);
        if (casi as usize) < sel.nsends && !success {
            raise_plain("send on closed channel");
        }
        (casi, recv_ok)
    }
}

/// reflect.Select's cases in the layout selectgo takes: the sends, then the
/// receives, each kind in the caller's order; orig[k] is the caller's index
/// of sel[k]. Returns the counts of sends and receives and the index of the
/// default case (-1 if none). sel and orig have one entry per case.
pub fn rt_rselectCases(cases: GoSlice<rt::runtimeSelect>, sel: GoSlice<scase>, orig: GoSlice<isize>) -> (isize, isize, isize) {
    // SAFETY: the three slices are the Go caller's, of equal length.
    let (cases, sel, orig) = unsafe { (cases.as_slice(), sel.as_mut_slice(), orig.as_mut_slice()) };
    let nsends = cases.iter().filter(|c| c.dir as i64 == rt::selectSend).count();
    let (mut sends, mut recvs, mut dflt) = (0, nsends, -1);
    for (i, c) in cases.iter().enumerate() {
        let k = match c.dir as i64 {
            rt::selectSend => &mut sends,
            rt::selectRecv => &mut recvs,
            _ => {
                dflt = i as isize;
                continue;
            }
        };
        sel[*k] = scase { c: c.ch, elem: c.val };
        orig[*k] = i as isize;
        *k += 1;
    }
    (nsends as isize, (recvs - nsends) as isize, dflt)
}
