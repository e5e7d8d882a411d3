//! Signals. Handlers (SIGSEGV/SIGBUS/SIGFPE as Go panics, SIGPIPE, SIGQUIT
//! dumps) come with the signal work; for now: signal names for reports.

use crate::print::{gwrite, printint};

const NAMES: [&[u8]; 32] = [
    b"SIGNONE: no trap", b"SIGHUP: terminal line hangup", b"SIGINT: interrupt", b"SIGQUIT: quit",
    b"SIGILL: illegal instruction", b"SIGTRAP: trace trap", b"SIGABRT: abort", b"SIGBUS: bus error",
    b"SIGFPE: floating-point exception", b"SIGKILL: kill", b"SIGUSR1: user-defined signal 1",
    b"SIGSEGV: segmentation violation", b"SIGUSR2: user-defined signal 2", b"SIGPIPE: write to broken pipe",
    b"SIGALRM: alarm clock", b"SIGTERM: termination", b"SIGSTKFLT: stack fault", b"SIGCHLD: child status has changed",
    b"SIGCONT: continue", b"SIGSTOP: stop, unblockable", b"SIGTSTP: keyboard stop", b"SIGTTIN: background read from tty",
    b"SIGTTOU: background write to tty", b"SIGURG: urgent condition on socket", b"SIGXCPU: cpu limit exceeded",
    b"SIGXFSZ: file size limit exceeded", b"SIGVTALRM: virtual alarm clock", b"SIGPROF: profiling alarm clock",
    b"SIGWINCH: window size change", b"SIGIO: i/o now possible", b"SIGPWR: power failure restart", b"SIGSYS: bad system call",
];

/// Print "SIGSEGV: segmentation violation" for signal number sig.
pub fn print_signame(sig: u32) {
    match NAMES.get(sig as usize) {
        Some(n) => gwrite(n),
        None => {
            gwrite(b"signal ");
            printint(sig as i64);
        }
    }
}
