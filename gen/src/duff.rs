//! duffzero and duffcopy (zduff_amd64.s), the compiler's block zeroing and
//! copying routines, from the template asm/templates/duff_amd64.s.

use crate::template::template;

/// duffzero and duffcopy: 16 zeroing blocks, 64 copying blocks (the
/// template says why the blocks are fixed).
pub fn gen_asm() -> String {
    let t = template!("duff_amd64.s");
    let mut s = t.expand("head", &[]);
    for _ in 0..16 {
        s += &t.expand("zero_block", &[]);
    }
    s += &t.expand("copy_head", &[]);
    for _ in 0..64 {
        s += &t.expand("copy_block", &[]);
    }
    s += &t.expand("tail", &[]);
    s
}
