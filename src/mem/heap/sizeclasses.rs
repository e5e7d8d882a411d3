//! Go's size classes (go1.22): the object sizes the allocator rounds small
//! requests up to, and how many pages each class's spans take. Programs
//! observe them through `cap` after `append`, so they are upstream's numbers.
//! The request-size -> class lookup tables are derived from them at compile
//! time.

pub const NUM_SIZE_CLASSES: usize = 68;
pub const MAX_SMALL_SIZE: usize = 32768;
pub const SMALL_SIZE_DIV: usize = 8;
pub const SMALL_SIZE_MAX: usize = 1024;
pub const LARGE_SIZE_DIV: usize = 128;
pub const PAGE_SHIFT: usize = 13;
pub const PAGE_SIZE: usize = 1 << PAGE_SHIFT;

pub const CLASS_TO_SIZE: [u16; NUM_SIZE_CLASSES] = [
    0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448,
    480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096,
    4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072,
    20480, 21760, 24576, 27264, 28672, 32768,
];

pub const CLASS_TO_NPAGES: [u8; NUM_SIZE_CLASSES] = [
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2,
    1, 2, 1, 3, 2, 3, 1, 3, 2, 3, 4, 5, 6, 1, 7, 6, 5, 4, 3, 5, 7, 2, 9, 7, 5, 8, 3, 10, 7, 4,
];

/// The smallest class whose size is at least `size`.
const fn class_for(size: usize) -> u8 {
    let mut c = 1;
    while c < NUM_SIZE_CLASSES {
        if CLASS_TO_SIZE[c] as usize >= size {
            return c as u8;
        }
        c += 1;
    }
    0
}

pub const SIZE_TO_CLASS8: [u8; SMALL_SIZE_MAX / SMALL_SIZE_DIV + 1] = {
    let mut t = [0u8; SMALL_SIZE_MAX / SMALL_SIZE_DIV + 1];
    let mut i = 1;
    while i < t.len() {
        t[i] = class_for(i * SMALL_SIZE_DIV);
        i += 1;
    }
    t
};

pub const SIZE_TO_CLASS128: [u8; (MAX_SMALL_SIZE - SMALL_SIZE_MAX) / LARGE_SIZE_DIV + 1] = {
    let mut t = [0u8; (MAX_SMALL_SIZE - SMALL_SIZE_MAX) / LARGE_SIZE_DIV + 1];
    let mut i = 0;
    while i < t.len() {
        t[i] = class_for(SMALL_SIZE_MAX + i * LARGE_SIZE_DIV);
        i += 1;
    }
    t
};

/// (n + a - 1) / a in wrapping arithmetic, as Go computes it: for sizes in
/// (SMALL_SIZE_MAX-8, SMALL_SIZE_MAX] the subtraction below wraps and the
/// quotient comes out 0, selecting the 1024-byte class.
#[inline]
fn div_round_up(n: usize, a: usize) -> usize {
    n.wrapping_add(a - 1) / a
}

/// Size class for a small request (0 < size <= MAX_SMALL_SIZE).
#[inline]
pub fn size_to_class(size: usize) -> usize {
    if size <= SMALL_SIZE_MAX - 8 {
        SIZE_TO_CLASS8[div_round_up(size, SMALL_SIZE_DIV)] as usize
    } else {
        SIZE_TO_CLASS128[div_round_up(size.wrapping_sub(SMALL_SIZE_MAX), LARGE_SIZE_DIV)] as usize
    }
}

/// Objects with pointers larger than this carry an 8-byte type header in
/// upstream's allocator (go1.22 "allocheaders"); it shows in rounding.
pub const MIN_SIZE_FOR_MALLOC_HEADER: usize = 512;
pub const MALLOC_HEADER_SIZE: usize = 8;

/// The size mallocgc really provides for a request, as upstream's
/// roundupsize computes it (append's capacity growth depends on it).
pub fn roundupsize(size: usize, noscan: bool) -> usize {
    let mut req = size;
    if req <= MAX_SMALL_SIZE - MALLOC_HEADER_SIZE {
        if !noscan && req > MIN_SIZE_FOR_MALLOC_HEADER {
            req += MALLOC_HEADER_SIZE;
        }
        let c = size_to_class(req);
        return CLASS_TO_SIZE[c] as usize - (req - size);
    }
    req = req.wrapping_add(PAGE_SIZE - 1);
    if req < size {
        return size;
    }
    req & !(PAGE_SIZE - 1)
}

/// The multiplier that turns a byte offset in a span of class `class`
/// into an object index without a division: index = offset * m >> 32
/// (exact for every offset inside such a span: checked below).
pub const fn div_multiplier(size: usize) -> u64 {
    (u32::MAX as u64 / size as u64) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_by_multiplication_is_exact_in_spans() {
        for class in 1..NUM_SIZE_CLASSES {
            let size = CLASS_TO_SIZE[class] as usize;
            let span = CLASS_TO_NPAGES[class] as usize * PAGE_SIZE;
            let m = div_multiplier(size);
            for off in 0..span {
                assert_eq!(((off as u64 * m) >> 32) as usize, off / size, "class {class} offset {off}");
            }
        }
    }

    #[test]
    fn lookup_tables_match_upstream_samples() {
        // Spot checks against go1.22's generated tables.
        assert_eq!(&SIZE_TO_CLASS8[..12], &[0, 1, 2, 3, 4, 5, 5, 6, 6, 7, 7, 8]);
        assert_eq!(SIZE_TO_CLASS8[128], 32);
        assert_eq!(&SIZE_TO_CLASS128[..8], &[32, 33, 34, 35, 36, 37, 37, 38]);
        assert_eq!(SIZE_TO_CLASS128[248], 67);
        assert_eq!(size_to_class(1), 1);
        assert_eq!(size_to_class(33), 5);
        assert_eq!(size_to_class(32768), 67);
        for size in 1017..=1024 {
            assert_eq!(CLASS_TO_SIZE[size_to_class(size)], 1024, "size {size}");
        }
        assert_eq!(roundupsize(1020, true), 1024);
    }

    #[test]
    fn roundupsize_with_headers() {
        assert_eq!(roundupsize(5, true), 8);
        assert_eq!(roundupsize(600, true), 640);
        assert_eq!(roundupsize(600, false), 632); // 608 -> 640 class, minus header
        assert_eq!(roundupsize(40000, true), 40960);
    }
}
