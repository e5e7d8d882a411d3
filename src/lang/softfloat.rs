//! Floating point for code compiled with `-gcflags=-d=softfloat`: the
//! compiler turns every float operation into a call taking and returning
//! bit patterns (float32 as uint32, float64 as uint64).
//!
//! The results are upstream's, which are IEEE 754's with round-to-nearest-
//! even, except where upstream's choices show:
//!   - a NaN result is always the quiet NaN with a zero payload (operand
//!     payloads are not propagated);
//!   - float32 arithmetic is float64 arithmetic rounded to float32 (which
//!     is the correctly rounded float32 result for +, -, *, /: double
//!     rounding is harmless when the wider format has more than twice the
//!     precision plus two bits), so the hardware's float32 operations give
//!     the same values;
//!   - float-to-integer conversion truncates the magnitude bits into 64
//!     bits (values of 2^63 and beyond, up to 2^64, wrap), and gives 0 for
//!     NaN, infinities and magnitudes of 2^64 or more.
//! gort computes on the machine's IEEE arithmetic (Rust runs with the
//! default rounding mode and no flush-to-zero) and applies those rules.

const NAN64: u64 = 0x7ff8_0000_0000_0000;
const NAN32: u32 = 0x7fc0_0000;

fn f64(b: u64) -> f64 {
    f64::from_bits(b)
}

fn f32(b: u32) -> f32 {
    f32::from_bits(b)
}

/// A float64 result, NaN made canonical.
fn out64(x: f64) -> u64 {
    if x.is_nan() {
        NAN64
    } else {
        x.to_bits()
    }
}

/// A float32 result, NaN made canonical.
fn out32(x: f32) -> u32 {
    if x.is_nan() {
        NAN32
    } else {
        x.to_bits()
    }
}

pub fn fadd64(f: u64, g: u64) -> u64 {
    out64(f64(f) + f64(g))
}
pub fn fmul64(f: u64, g: u64) -> u64 {
    out64(f64(f) * f64(g))
}
pub fn fdiv64(f: u64, g: u64) -> u64 {
    out64(f64(f) / f64(g))
}
pub fn fadd32(x: u32, y: u32) -> u32 {
    out32(f32(x) + f32(y))
}
pub fn fmul32(x: u32, y: u32) -> u32 {
    out32(f32(x) * f32(y))
}
pub fn fdiv32(x: u32, y: u32) -> u32 {
    out32(f32(x) / f32(y))
}

// Comparisons: false whenever an operand is NaN; -0 equals +0.
pub fn feq64(x: u64, y: u64) -> bool {
    f64(x) == f64(y)
}
pub fn fgt64(x: u64, y: u64) -> bool {
    f64(x) > f64(y)
}
pub fn fge64(x: u64, y: u64) -> bool {
    f64(x) >= f64(y)
}
pub fn feq32(x: u32, y: u32) -> bool {
    f32(x) == f32(y)
}
pub fn fgt32(x: u32, y: u32) -> bool {
    f32(x) > f32(y)
}
pub fn fge32(x: u32, y: u32) -> bool {
    f32(x) >= f32(y)
}

// Widening and narrowing.
pub fn f32to64(x: u32) -> u64 {
    out64(f32(x) as f64)
}
pub fn f64to32(x: u64) -> u32 {
    out32(f64(x) as f32)
}

// Integer to float: correctly rounded (the hardware conversions are).
pub fn fint32to32(x: i32) -> u32 {
    (x as f32).to_bits()
}
pub fn fint32to64(x: i32) -> u64 {
    (x as f64).to_bits()
}
pub fn fint64to32(x: i64) -> u32 {
    (x as f32).to_bits()
}
pub fn fint64to64(x: i64) -> u64 {
    (x as f64).to_bits()
}
pub fn fuint64to32(x: u64) -> u32 {
    (x as f32).to_bits()
}
pub fn fuint64to64(x: u64) -> u64 {
    (x as f64).to_bits()
}

/// Float64 to int64 by upstream's rule (module comment): the magnitude
/// truncated to an integer, taken modulo 2^64, then negated for negative
/// values; 0 for NaN, infinities and magnitudes of 2^64 or more.
fn to_int(b: u64) -> i64 {
    let exp = ((b >> 52) & 0x7ff) as i32;
    if exp == 0x7ff {
        return 0;
    }
    // value = mant * 2^(e - 52), with the implicit bit for normal numbers.
    let (mant, e) = if exp == 0 { (b & ((1 << 52) - 1), -1022) } else { (b & ((1 << 52) - 1) | 1 << 52, exp - 1023) };
    if !(-1..=63).contains(&e) {
        return 0;
    }
    let mag = if e >= 52 { mant << (e - 52) } else { mant >> (52 - e) };
    if b >> 63 != 0 {
        (mag as i64).wrapping_neg()
    } else {
        mag as i64
    }
}

pub fn f64toint64(x: u64) -> i64 {
    to_int(x)
}
pub fn f64toint32(x: u64) -> i32 {
    to_int(x) as i32
}
pub fn f32toint64(x: u32) -> i64 {
    to_int(f32to64(x))
}
pub fn f32toint32(x: u32) -> i32 {
    to_int(f32to64(x)) as i32
}

/// Float64 to uint64: values below 2^63 convert as signed; the others (NaN
/// included) as 2^63 plus the signed conversion of what is left.
pub fn f64touint64(x: u64) -> u64 {
    const TWO63: f64 = 9223372036854775808.0;
    if TWO63 > f64(x) {
        return to_int(x) as u64;
    }
    to_int(fadd64(x, (-TWO63).to_bits())) as u64 | 1 << 63
}

pub fn f32touint64(x: u32) -> u64 {
    const TWO63: f32 = 9223372036854775808.0;
    if TWO63 > f32(x) {
        return to_int(f32to64(x)) as u64;
    }
    to_int(f32to64(fadd32(x, (-TWO63).to_bits()))) as u64 | 1 << 63
}

// The builtins min and max on floats (compiled as calls where the
// architecture has no suitable instruction, e.g. with softfloat): a NaN
// operand wins (with its payload), and min(-0, +0) is -0, max(-0, +0) +0.

fn min_bits(x: f64, y: f64) -> f64 {
    if y.is_nan() || y < x {
        return y;
    }
    if x.is_nan() || x < y || x != 0.0 {
        return x;
    }
    // Both zero: -0 if either is.
    f64::from_bits(x.to_bits() | y.to_bits())
}

fn max_bits(x: f64, y: f64) -> f64 {
    if y.is_nan() || y > x {
        return y;
    }
    if x.is_nan() || x > y || x != 0.0 {
        return x;
    }
    // Both zero: +0 unless both are -0.
    f64::from_bits(x.to_bits() & y.to_bits())
}

pub fn fmin64(x: f64, y: f64) -> f64 {
    min_bits(x, y)
}
pub fn fmax64(x: f64, y: f64) -> f64 {
    max_bits(x, y)
}
pub fn fmin32(x: f32, y: f32) -> f32 {
    if y.is_nan() || y < x {
        return y;
    }
    if x.is_nan() || x < y || x != 0.0 {
        return x;
    }
    f32::from_bits(x.to_bits() | y.to_bits())
}
pub fn fmax32(x: f32, y: f32) -> f32 {
    if y.is_nan() || y > x {
        return y;
    }
    if x.is_nan() || x > y || x != 0.0 {
        return x;
    }
    f32::from_bits(x.to_bits() & y.to_bits())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_and_conversions() {
        let inf = f64::INFINITY.to_bits();
        assert_eq!(fadd64(inf, (-f64::INFINITY).to_bits()), NAN64);
        assert_eq!(fmul64(inf, 0), NAN64);
        assert_eq!(f64to32(f64::NAN.to_bits() | 5), NAN32);
        assert_eq!(fadd64(0, (-0.0f64).to_bits()), 0);
        assert_eq!(f64toint64(2.5f64.to_bits()), 2);
        assert_eq!(f64toint64((-2.5f64).to_bits()), -2);
        assert_eq!(f64toint64(f64::NAN.to_bits()), 0);
        assert_eq!(f64toint64(1e30f64.to_bits()), 0);
        assert_eq!(f64toint64(9223372036854775808.0f64.to_bits()), i64::MIN);
        assert_eq!(f64touint64(1e19f64.to_bits()), 10_000_000_000_000_000_000);
        assert_eq!(f64touint64(f64::NAN.to_bits()), 1 << 63);
        assert_eq!(fuint64to64(u64::MAX), 18446744073709551615.0f64.to_bits());
        assert_eq!(fmin64(-0.0, 0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(fmax64(-0.0, 0.0).to_bits(), 0);
    }
}
