//! The base layer: what every other layer builds on, and which names none
//! of them. Go's data layouts, raw system calls, runtime locks, the builtin
//! print functions, fatal errors, memory for the runtime's own structures
//! and the accounting of memory obtained from the OS.

pub mod bitword;
pub mod bytes;
pub mod faketime;
pub mod fatal;
pub mod global;
pub mod gm;
pub mod hook;
pub mod layout;
pub mod leaf;
pub mod links;
pub mod lock;
pub mod lockrank;
pub mod persistent;
pub mod print;
pub mod pvec;
pub mod raise;
pub mod rand;
pub mod sys;
pub mod sysstat;
pub mod tracehook;
pub mod tsan;
