//! The runtime's error messages (for the Go side's error types) and the
//! fatal report of an unrecovered panic. Raising a panic from Rust is
//! base/raise.rs.

use crate::layout::abi::Type;
use crate::layout::rt::_panic;
use crate::layout::{Eface, GoString};
use crate::print::{gwrite, printfloat, printint, printpointer, printuint};
use crate::gm::getm;
use crate::string::gostring_concat;
use crate::types::{self, *};

/// The type string as a Go string (for the Go side's messages).
///
/// # Safety
/// The type descriptors (and the panic record) are live ones from the Go
/// side.
pub unsafe fn rt_typestring(t: *mut Type) -> GoString {
    // SAFETY: t is a type descriptor passed by Go code.
    let s = unsafe { types::type_string(t) };
    GoString { ptr: s.as_ptr(), len: s.len() as isize }
}

/// # Safety
/// The type descriptors (and the panic record) are live ones from the Go
/// side.
pub unsafe fn rt_typeAssertionErrorString(iface: *mut Type, concrete: *mut Type, asserted: *mut Type, missing: GoString) -> GoString {
    // SAFETY: descriptors come from the error value; names are linker data.
    unsafe {
        let inter: &[u8] = if iface.is_null() { b"interface" } else { type_string(iface) };
        let as_ = type_string(asserted);
        if concrete.is_null() {
            return gostring_concat(&[b"interface conversion: ", inter, b" is nil, not ", as_]);
        }
        let cs = type_string(concrete);
        if missing.len == 0 {
            let tail: &[u8] = if cs == as_ {
                if pkg_path(concrete) != pkg_path(asserted) {
                    b" (types from different packages)"
                } else {
                    b" (types from different scopes)"
                }
            } else {
                b""
            };
            return gostring_concat(&[b"interface conversion: ", inter, b" is ", cs, b", not ", as_, tail]);
        }
        gostring_concat(&[b"interface conversion: ", cs, b" is not ", as_, b": missing method ", missing.as_bytes()])
    }
}

const BOUNDS_FMTS: [&[u8]; 9] = [
    b"index out of range [%x] with length %y",
    b"slice bounds out of range [:%x] with length %y",
    b"slice bounds out of range [:%x] with capacity %y",
    b"slice bounds out of range [%x:%y]",
    b"slice bounds out of range [::%x] with length %y",
    b"slice bounds out of range [::%x] with capacity %y",
    b"slice bounds out of range [:%x:%y]",
    b"slice bounds out of range [%x:%y:]",
    b"cannot convert slice with length %y to array or pointer to array with length %x",
];

const BOUNDS_NEG_FMTS: [&[u8]; 8] = [
    b"index out of range [%x]",
    b"slice bounds out of range [:%x]",
    b"slice bounds out of range [:%x]",
    b"slice bounds out of range [%x:]",
    b"slice bounds out of range [::%x]",
    b"slice bounds out of range [::%x]",
    b"slice bounds out of range [:%x:]",
    b"slice bounds out of range [%x::]",
];

/// Decimal text of v into buf; returns the used tail.
pub fn itoa(buf: &mut [u8; 21], v: i64, signed: bool) -> &[u8] {
    let neg = signed && v < 0;
    let mut u = if neg { v.unsigned_abs() } else { v as u64 };
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// The message of a boundsError.
pub fn bounds_message(out: &mut [u8; 160], x: i64, y: isize, signed: bool, code: u8) -> usize {
    let fmt = if signed && x < 0 && (code as usize) < BOUNDS_NEG_FMTS.len() {
        BOUNDS_NEG_FMTS[code as usize]
    } else {
        BOUNDS_FMTS[(code as usize).min(8)]
    };
    let prefix = b"runtime error: ";
    out[..prefix.len()].copy_from_slice(prefix);
    let mut n = prefix.len();
    let mut i = 0;
    while i < fmt.len() {
        if fmt[i] == b'%' {
            let mut b = [0u8; 21];
            let s = if fmt[i + 1] == b'x' { itoa(&mut b, x, signed) } else { itoa(&mut b, y as i64, true) };
            out[n..n + s.len()].copy_from_slice(s);
            n += s.len();
            i += 2;
        } else {
            out[n] = fmt[i];
            n += 1;
            i += 1;
        }
    }
    n
}

pub fn rt_boundsErrorString(x: i64, y: isize, signed: bool, code: u8) -> GoString {
    let mut out = [0u8; 160];
    let n = bounds_message(&mut out, x, y, signed, code);
    crate::string::gostring(&out[..n])
}

/// Print an interface value the way a panic report shows it.
///
/// # Safety
/// e must be a live interface value.
pub unsafe fn printpanicval(e: Eface) {
    // SAFETY: per the function contract.
    unsafe {
        let t = e.typ;
        if t.is_null() {
            gwrite(b"nil");
            return;
        }
        let ts = type_string(t);
        let k = kind(t);
        let plain_name: &[u8] = match k {
            KIND_BOOL => b"bool",
            KIND_INT => b"int",
            KIND_INT8 => b"int8",
            KIND_INT16 => b"int16",
            KIND_INT32 => b"int32",
            KIND_INT64 => b"int64",
            KIND_UINT => b"uint",
            KIND_UINT8 => b"uint8",
            KIND_UINT16 => b"uint16",
            KIND_UINT32 => b"uint32",
            KIND_UINT64 => b"uint64",
            KIND_UINTPTR => b"uintptr",
            KIND_FLOAT32 => b"float32",
            KIND_FLOAT64 => b"float64",
            KIND_COMPLEX64 => b"complex64",
            KIND_COMPLEX128 => b"complex128",
            KIND_STRING => b"string",
            _ => b"",
        };
        let custom = plain_name.is_empty() || ts != plain_name;
        // A value stored directly in the interface word (pointer-shaped).
        let p: *const u8 = if is_direct_iface(t) { &e.data as *const *mut u8 as *const u8 } else { e.data };
        if plain_name.is_empty() {
            gwrite(b"(");
            gwrite(ts);
            gwrite(b") ");
            printpointer(e.data);
            return;
        }
        if custom {
            gwrite(ts);
            if k == KIND_STRING {
                gwrite(b"(\"");
            } else if k != KIND_COMPLEX64 && k != KIND_COMPLEX128 {
                gwrite(b"(");
            }
        }
        match k {
            KIND_BOOL => gwrite(if *p != 0 { b"true" } else { b"false" }),
            KIND_INT | KIND_INT64 => printint(*(p as *const i64)),
            KIND_INT8 => printint(*(p as *const i8) as i64),
            KIND_INT16 => printint(*(p as *const i16) as i64),
            KIND_INT32 => printint(*(p as *const i32) as i64),
            KIND_UINT | KIND_UINT64 | KIND_UINTPTR => printuint(*(p as *const u64)),
            KIND_UINT8 => printuint(*p as u64),
            KIND_UINT16 => printuint(*(p as *const u16) as u64),
            KIND_UINT32 => printuint(*(p as *const u32) as u64),
            KIND_FLOAT32 => printfloat(*(p as *const f32) as f64),
            KIND_FLOAT64 => printfloat(*(p as *const f64)),
            KIND_COMPLEX64 => {
                let c = *(p as *const [f32; 2]);
                crate::print::printcomplex([c[0] as f64, c[1] as f64]);
            }
            KIND_COMPLEX128 => crate::print::printcomplex(*(p as *const [f64; 2])),
            KIND_STRING => gwrite((*(p as *const GoString)).as_bytes()),
            _ => {}
        }
        if custom {
            if k == KIND_STRING {
                gwrite(b"\")");
            } else if k != KIND_COMPLEX64 && k != KIND_COMPLEX128 {
                gwrite(b")");
            }
        }
    }
}

/// The Go side's printpanicval.
pub fn rt_printpanicval(v: Eface) {
    // SAFETY: v is a live interface value.
    unsafe { printpanicval(v) }
}

/// Print the chain of panics, oldest first, as upstream's printpanics.
///
/// # Safety
/// p is a live _panic chain.
unsafe fn printpanics(p: *mut _panic) {
    // SAFETY: per the function contract.
    unsafe {
        let link = (*p).link;
        if !link.is_null() {
            printpanics(link);
            if !(*link).goexit {
                gwrite(b"\t");
            }
        }
        if (*p).goexit {
            return;
        }
        gwrite(b"panic: ");
        printpanicval(core::ptr::read(core::ptr::addr_of!((*p).arg)));
        if (*p).recovered {
            gwrite(b" [recovered]");
        }
        gwrite(b"\n");
    }
}

/// An unrecovered panic (its deferred calls have run): print upstream's
/// report and exit with status 2. Error and Stringer values were turned
/// into text by the Go side (preprintpanics).
///
/// # Safety
/// The type descriptors (and the panic record) are live ones from the Go
/// side.
pub unsafe fn rt_fatalpanic(p: *mut _panic) -> ! {
    let mp = getm();
    crate::fatal::start_dying();
    // SAFETY: the current m and its goroutine are live; p is its panic.
    unsafe {
        let gp = (*mp).curg;
        printpanics(p);
        if !gp.is_null() && (*gp).sig != 0 {
            crate::fatal::print_signal_line(gp);
        }
        crate::fatal::dopanic(gp);
    }
    crate::fatal::exit_or_crash()
}
