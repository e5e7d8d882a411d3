//! The operating-system layer: the process's arguments, environment and
//! auxiliary vector, the vDSO, the clocks, the runtime's settings, and
//! the signal table.

pub mod env;
pub mod settings;
pub mod sigtab;
pub mod time;
pub mod vdso;
