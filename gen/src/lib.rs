//! gort's code generators, in one crate shared by the build script
//! (`src/build/main.rs`, which runs them on `asm/` and writes the outputs)
//! and the gort CLI (which reads the surface table for `gort surface` and
//! `gort doctor`, and parses the layouts for its layout test).
//!
//! - `gotypes`: a parser for the Go subset of the layout files, Go's struct
//!   layout rules, and the Rust structs generated from them;
//! - `surface`: the surface table (`asm/surface.def`) and what is generated
//!   from it: Go declarations, ABI0 trampolines, Rust glue;
//! - `duff`: duffzero and duffcopy;
//! - `reflectcall`: reflectcall and its callN helpers;
//! - `template`: the assembly templates (`asm/templates/*.s`) the
//!   generators of assembly fill in.

pub mod duff;
pub mod gotypes;
pub mod reflectcall;
pub mod surface;
mod template;
