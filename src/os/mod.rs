//! The operating-system layer: the process's arguments, environment and
//! auxiliary vector, the vDSO, the clocks, the runtime's settings, the
//! signal table, and the CPU profiler's timers.

pub mod env;
pub mod proftimer;
pub mod settings;
pub mod sigtab;
pub mod time;
pub mod vdso;
