//! Moving and zeroing memory of a size known only at run time, inline for
//! the small sizes the runtime's hot paths meet (a channel's element, a map
//! key, a slice's element, a small object) and through the C library's
//! memmove/memset beyond.
//!
//! Why: for a run-time size the compiler emits a call to memmove or
//! memset, and the C library's may be slow for a few bytes (musl's, which
//! static links use, moves even 8 bytes with `rep movsq`; its backward
//! memmove sets the direction flag). Small sizes are done here with at most
//! four loads and four stores, overlapping at the end: every load happens
//! before any store (so overlapping regions move correctly), and an aligned
//! word is always moved whole, as Go's memmove promises for pointers.

/// Largest size done inline.
const INLINE_MAX: usize = 64;

/// Move `n` bytes from `src` to `dst` (the regions may overlap).
///
/// # Safety
/// [src, src+n) is readable and [dst, dst+n) writable.
#[inline(always)]
pub unsafe fn move_bytes(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the function's contract; every access below is inside the
    // two regions (the second of each pair ends exactly at n).
    unsafe {
        if n > INLINE_MAX {
            core::ptr::copy(src, dst, n);
            return;
        }
        macro_rules! pair {
            ($t:ty) => {{
                let k = core::mem::size_of::<$t>();
                let a = core::ptr::read_unaligned(src as *const $t);
                let b = core::ptr::read_unaligned(src.add(n - k) as *const $t);
                core::ptr::write_unaligned(dst as *mut $t, a);
                core::ptr::write_unaligned(dst.add(n - k) as *mut $t, b);
            }};
        }
        macro_rules! one {
            ($t:ty) => {
                core::ptr::write_unaligned(dst as *mut $t, core::ptr::read_unaligned(src as *const $t))
            };
        }
        match n {
            0 => {}
            1 => *dst = *src,
            2..=3 => pair!(u16),
            // The commonest sizes (words, strings, interfaces) in one move.
            4 => one!(u32),
            5..=7 => pair!(u32),
            8 => one!(u64),
            9..=15 => pair!(u64),
            16 => one!(u128),
            17..=32 => pair!(u128),
            _ => {
                // 33..=64: the first 32 bytes and the last 32.
                let a = core::ptr::read_unaligned(src as *const u128);
                let b = core::ptr::read_unaligned(src.add(16) as *const u128);
                let c = core::ptr::read_unaligned(src.add(n - 32) as *const u128);
                let d = core::ptr::read_unaligned(src.add(n - 16) as *const u128);
                core::ptr::write_unaligned(dst as *mut u128, a);
                core::ptr::write_unaligned(dst.add(16) as *mut u128, b);
                core::ptr::write_unaligned(dst.add(n - 32) as *mut u128, c);
                core::ptr::write_unaligned(dst.add(n - 16) as *mut u128, d);
            }
        }
    }
}

/// Zero `n` bytes at `dst`.
///
/// # Safety
/// [dst, dst+n) is writable.
#[inline(always)]
pub unsafe fn zero_bytes(dst: *mut u8, n: usize) {
    // SAFETY: as in move_bytes.
    unsafe {
        if n > INLINE_MAX {
            core::ptr::write_bytes(dst, 0, n);
            return;
        }
        macro_rules! pair {
            ($t:ty) => {{
                let k = core::mem::size_of::<$t>();
                core::ptr::write_unaligned(dst as *mut $t, 0);
                core::ptr::write_unaligned(dst.add(n - k) as *mut $t, 0);
            }};
        }
        match n {
            0 => {}
            1 => *dst = 0,
            2..=3 => pair!(u16),
            4..=7 => pair!(u32),
            8 => core::ptr::write_unaligned(dst as *mut u64, 0),
            9..=15 => pair!(u64),
            16 => core::ptr::write_unaligned(dst as *mut u128, 0),
            17..=32 => pair!(u128),
            _ => {
                core::ptr::write_unaligned(dst as *mut u128, 0);
                core::ptr::write_unaligned(dst.add(16) as *mut u128, 0);
                core::ptr::write_unaligned(dst.add(n - 32) as *mut u128, 0);
                core::ptr::write_unaligned(dst.add(n - 16) as *mut u128, 0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every size up to past the inline limit, every offset of a small
    /// window, forward and backward overlaps: the same bytes as a plain
    /// memmove, and nothing outside the destination touched.
    #[test]
    fn moves_and_zeroes_like_memmove_and_memset() {
        for n in 0..=INLINE_MAX + 8 {
            for (s, d) in [(0, 100), (3, 101), (10, 5), (5, 10), (8, 8), (0, 1), (1, 0)] {
                let mut want: Vec<u8> = (0..200).map(|i| i as u8 ^ 0x5a).collect();
                let mut got = want.clone();
                // SAFETY: s+n and d+n are within the 200-byte buffers.
                unsafe {
                    core::ptr::copy(want.as_ptr().add(s), want.as_mut_ptr().add(d), n);
                    move_bytes(got.as_mut_ptr().add(d), got.as_ptr().add(s), n);
                }
                assert_eq!(got, want, "move n={n} s={s} d={d}");
                // SAFETY: as above.
                unsafe {
                    core::ptr::write_bytes(want.as_mut_ptr().add(d), 0, n);
                    zero_bytes(got.as_mut_ptr().add(d), n);
                }
                assert_eq!(got, want, "zero n={n} d={d}");
            }
        }
    }
}
