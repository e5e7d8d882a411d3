//! Channels. Sending, receiving and select come with the scheduler
//! (issue 4); until then they are declared and fail loudly.

use crate::layout::rt::hchan;

pub fn chanlen(c: *mut hchan) -> isize {
    if c.is_null() {
        return 0;
    }
    // SAFETY: c is a live channel.
    unsafe { (*c).qcount as isize }
}

pub fn chancap(c: *mut hchan) -> isize {
    if c.is_null() {
        return 0;
    }
    // SAFETY: c is a live channel.
    unsafe { (*c).dataqsiz as isize }
}
