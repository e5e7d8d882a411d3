//! The operating-system layer: the process's arguments, environment and
//! auxiliary vector, the vDSO, and the clocks.

pub mod env;
pub mod time;
pub mod vdso;
