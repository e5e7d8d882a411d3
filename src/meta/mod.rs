//! The metadata layer: reading what the compiler and linker emitted (type
//! descriptors, module data, the pclntab and its tables) and walking and
//! printing goroutine stacks with it.

pub mod elfsym;
pub mod gcprog;
pub mod globals;
pub mod racepc;
pub mod stackmap;
pub mod symtab;
pub mod traceback;
pub mod types;
