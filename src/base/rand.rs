//! Cheap random numbers for the runtime's own decisions (which run queue
//! to steal from, select's poll order, map iteration starts and seeds,
//! inline-cache updates): wyrand over a per-m state, seeded when the m is
//! created. runtime.rand and rand32 (math/rand's default source, the seeds
//! of maps the compiler makes on the stack) draw from the same state in Go
//! (asm/runtime/rand.go). Not for cryptography.

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

