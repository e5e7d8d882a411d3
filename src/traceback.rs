//! Tracebacks. The pclntab-driven frame walker is not written yet, so a
//! traceback currently prints nothing after the goroutine header.

use crate::layout::rt::g;

/// Print the frames of the goroutine that is panicking (`gp`, suspended in
/// a call into the runtime).
pub fn traceback_current(_gp: *mut g) {}
