//! Cheap random numbers for the runtime's own decisions (which run queue
//! to steal from, select's poll order, map iteration starts and seeds,
//! inline-cache updates) and for runtime.rand (math/rand's default
//! source): wyrand over a per-m state, seeded when the m is created. Not
//! for cryptography.

/// A random 32-bit number from the current m's state (wyrand).
pub fn cheaprand() -> u32 {
    let mp = crate::gm::getm();
    // SAFETY: the current m is live; only its own thread uses cheaprand.
    unsafe {
        (*mp).cheaprand = (*mp).cheaprand.wrapping_add(0xa076_1d64_78bd_642f);
        let r = ((*mp).cheaprand as u128) * (((*mp).cheaprand ^ 0xe703_7ed1_a0b4_28db) as u128);
        ((r >> 64) ^ r) as u32
    }
}

/// A random 64-bit number: two cheaprand draws.
pub fn cheaprand64() -> u64 {
    cheaprand() as u64 | (cheaprand() as u64) << 32
}

/// runtime.rand32.
pub fn rand32() -> u32 {
    cheaprand()
}

/// runtime.rand.
pub fn rand() -> u64 {
    cheaprand64()
}
