//! Bits of 64-bit bitmap words: the heap's pointer bitmap and the
//! collector's pointer masks read runs of bits with these.

/// A mask of the low n bits (n <= 64).
#[inline]
pub fn low_bits(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// The bits of `word` from bit `shift` (moved down to bit 0) to the word's
/// end, at most `max` of them, and how many that is.
#[inline]
pub fn bits_from(word: u64, shift: usize, max: usize) -> (u64, usize) {
    let n = (64 - shift).min(max);
    ((word >> shift) & low_bits(n), n)
}
