//! The builtin print and println: byte-identical to upstream's output on
//! stderr. Each piece is written as it is printed (as upstream does); a
//! goroutine capturing a traceback (runtime.Stack) redirects them into
//! g0.writebuf.

use crate::layout::rt::{eface, iface};
use crate::layout::{GoSlice, GoString};
use crate::lock::Mutex;
use crate::gm::getg;
use crate::sys;

/// Serialises print statements across threads (upstream's debuglock).
static DEBUG_LOCK: Mutex = Mutex::new(crate::lockrank::Rank::Print);

pub fn gwrite(b: &[u8]) {
    if b.is_empty() {
        return;
    }
    let gp = getg();
    // SAFETY: getg returns the running g (or null before startup); its m is live.
    unsafe {
        if !gp.is_null() && !(*gp).writebuf.ptr.is_null() && ((*gp).m.is_null() || (*(*gp).m).dying == 0) {
            let wb = &mut (*gp).writebuf;
            let n = b.len().min((wb.cap - wb.len) as usize);
            core::ptr::copy_nonoverlapping(b.as_ptr(), wb.ptr.add(wb.len as usize), n);
            wb.len += n as isize;
            return;
        }
    }
    if crate::faketime::now() != 0 {
        crate::faketime::write_framed(2, b);
        return;
    }
    sys::write_all(2, b);
}

pub fn printlock() {
    let gp = getg();
    // SAFETY: print runs on g0 of a live m.
    unsafe {
        let mp = (*gp).m;
        (*mp).printlock += 1;
        if (*mp).printlock == 1 {
            DEBUG_LOCK.lock();
        }
    }
}

pub fn printunlock() {
    let gp = getg();
    // SAFETY: as for printlock.
    unsafe {
        let mp = (*gp).m;
        (*mp).printlock -= 1;
        if (*mp).printlock == 0 {
            DEBUG_LOCK.unlock();
        }
    }
}

/// Called once the process is dying: take the print lock if we can, but do
/// not wait forever for a thread that may itself be dying.
pub fn print_lock_for_death() {
    for _ in 0..1000 {
        if DEBUG_LOCK.try_lock() {
            return;
        }
        sys::sched_yield();
    }
}

pub fn printsp() {
    gwrite(b" ");
}

pub fn printnl() {
    gwrite(b"\n");
}

pub fn printbool(v: bool) {
    gwrite(if v { b"true" } else { b"false" });
}

pub fn printstring(s: GoString) {
    // SAFETY: s is a Go string handed over by compiled code.
    gwrite(unsafe { s.as_bytes() });
}

pub fn printuint(mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    gwrite(&buf[i..]);
}

pub fn printint(v: i64) {
    if v < 0 {
        gwrite(b"-");
    }
    printuint(v.unsigned_abs());
}

pub fn printhex(v: u64) {
    printhex_padded(v, 1)
}

/// printhex with at least `digits` hex digits (zeros in front; at most 16),
/// as stack dumps print their words.
pub fn printhex_padded(mut v: u64, digits: usize) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 18];
    let mut i = buf.len();
    let digits = digits.min(16);
    loop {
        i -= 1;
        buf[i] = DIGITS[(v % 16) as usize];
        v /= 16;
        if v == 0 && buf.len() - i >= digits {
            break;
        }
    }
    i -= 2;
    buf[i] = b'0';
    buf[i + 1] = b'x';
    gwrite(&buf[i..]);
}

pub fn printpointer(p: *mut u8) {
    printhex(p as u64);
}

pub fn printuintptr(p: usize) {
    printhex(p as u64);
}

/// Upstream's float format: sign, one digit, '.', six digits, 'e', sign and
/// three exponent digits, from a simple scale-and-round loop in float64
/// arithmetic (reproduced step by step, since its rounding is observable).
pub fn format_float(mut v: f64, buf: &mut [u8; 14]) -> &[u8] {
    if v.is_nan() {
        return b"NaN";
    }
    if v + v == v && v > 0.0 {
        return b"+Inf";
    }
    if v + v == v && v < 0.0 {
        return b"-Inf";
    }
    const N: usize = 7;
    buf[0] = b'+';
    let mut e: i32 = 0;
    if v == 0.0 {
        if (1.0 / v) < 0.0 {
            buf[0] = b'-';
        }
    } else {
        if v < 0.0 {
            v = -v;
            buf[0] = b'-';
        }
        while v >= 10.0 {
            e += 1;
            v /= 10.0;
        }
        while v < 1.0 {
            e -= 1;
            v *= 10.0;
        }
        let mut h = 5.0;
        for _ in 0..N {
            h /= 10.0;
        }
        v += h;
        if v >= 10.0 {
            e += 1;
            v /= 10.0;
        }
    }
    for i in 0..N {
        let s = v as i64;
        buf[i + 2] = (s as u8).wrapping_add(b'0');
        v -= s as f64;
        v *= 10.0;
    }
    buf[1] = buf[2];
    buf[2] = b'.';
    buf[N + 2] = b'e';
    buf[N + 3] = b'+';
    if e < 0 {
        e = -e;
        buf[N + 3] = b'-';
    }
    buf[N + 4] = (e / 100) as u8 + b'0';
    buf[N + 5] = ((e / 10) % 10) as u8 + b'0';
    buf[N + 6] = (e % 10) as u8 + b'0';
    &buf[..]
}

pub fn printfloat(v: f64) {
    let mut buf = [0u8; 14];
    gwrite(format_float(v, &mut buf));
}

pub fn printcomplex(c: [f64; 2]) {
    gwrite(b"(");
    printfloat(c[0]);
    printfloat(c[1]);
    gwrite(b"i)");
}

pub fn printslice(s: GoSlice<u8>) {
    gwrite(b"[");
    printint(s.len as i64);
    gwrite(b"/");
    printint(s.cap as i64);
    gwrite(b"]");
    printpointer(s.ptr);
}

pub fn printeface(e: eface) {
    gwrite(b"(");
    printpointer(e._type as *mut u8);
    gwrite(b",");
    printpointer(e.data);
    gwrite(b")");
}

pub fn printiface(i: iface) {
    gwrite(b"(");
    printpointer(i.tab as *mut u8);
    gwrite(b",");
    printpointer(i.data);
    gwrite(b")");
}

#[cfg(test)]
mod tests {
    use super::format_float;

    fn f(v: f64) -> String {
        let mut b = [0u8; 14];
        String::from_utf8(format_float(v, &mut b).to_vec()).unwrap()
    }

    #[test]
    fn floats_match_upstream_format() {
        assert_eq!(f(1.5), "+1.500000e+000");
        assert_eq!(f(0.0), "+0.000000e+000");
        assert_eq!(f(-0.0), "-0.000000e+000");
        assert_eq!(f(-2.25), "-2.250000e+000");
        assert_eq!(f(1e100), "+1.000000e+100");
        assert_eq!(f(1e-7), "+1.000000e-007");
        assert_eq!(f(f64::NAN), "NaN");
        assert_eq!(f(f64::INFINITY), "+Inf");
        assert_eq!(f(f64::NEG_INFINITY), "-Inf");
        assert_eq!(f(123456789.0), "+1.234568e+008");
        assert_eq!(f(9.9999999), "+1.000000e+001");
    }
}

/// Values the runtime's own messages print (upstream's print builtin
/// applied to runtime values): see the `gprint!` macro.
pub trait Print {
    fn gprint(&self);
}

impl Print for [u8] {
    fn gprint(&self) {
        gwrite(self)
    }
}

impl<const N: usize> Print for [u8; N] {
    fn gprint(&self) {
        gwrite(self)
    }
}

impl Print for str {
    fn gprint(&self) {
        gwrite(self.as_bytes())
    }
}

impl<T: Print + ?Sized> Print for &T {
    fn gprint(&self) {
        (**self).gprint()
    }
}

impl Print for bool {
    fn gprint(&self) {
        printbool(*self)
    }
}

macro_rules! print_signed {
    ($($t:ty),*) => {$(
        impl Print for $t {
            fn gprint(&self) {
                printint(*self as i64)
            }
        }
    )*};
}
macro_rules! print_unsigned {
    ($($t:ty),*) => {$(
        impl Print for $t {
            fn gprint(&self) {
                printuint(*self as u64)
            }
        }
    )*};
}
print_signed!(i8, i16, i32, i64, isize);
print_unsigned!(u8, u16, u32, u64, usize);

/// Print each argument as the print builtin would, without separators:
/// `gprint!(b"P", id, b": status=", st, b"\n")`.
#[macro_export]
macro_rules! gprint {
    ($($e:expr),* $(,)?) => {{
        $( $crate::print::Print::gprint(&$e); )*
    }};
}

/// A value the print builtin shows in hexadecimal (upstream's `hex`).
pub struct Hex(pub u64);

impl Print for Hex {
    fn gprint(&self) {
        printhex(self.0)
    }
}
