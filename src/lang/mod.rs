//! The language layer: the entry points compiled code and the standard
//! library call for Go's built-in types and statements: maps, strings,
//! slices, interfaces, hashing and equality, panics and defers, reflect's
//! hooks, software floating point, checkptr, cgo's pointer check.

pub mod alg;
pub mod callers;
pub mod cgocheck;
pub mod checkptr;
pub mod errors;
pub mod iface;
pub mod keyplan;
pub mod maps;
pub mod panic;
pub mod reflectsupport;
pub mod slice;
pub mod softfloat;
pub mod string;
