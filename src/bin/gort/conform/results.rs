//! What a run produces: per test and runtime a verdict, the line that says
//! why it failed (from a crash report or a build's output), and the output;
//! the skipped tests and notes of the whole run.

use super::process::PStatus;
use crate::gobuild;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Suite {
    Test,
    Std,
    Runtime,
}

impl Suite {
    pub(super) fn key(self) -> &'static str {
        match self {
            Suite::Test => "test",
            Suite::Std => "std",
            Suite::Runtime => "runtime",
        }
    }
    pub(super) fn title(self) -> &'static str {
        match self {
            Suite::Test => "GOROOT/test programs (run, buildrun, runoutput, rundir, runindir, buildrundir, errorcheckandrundir)",
            Suite::Std => "standard-library tests (go test -short)",
            Suite::Runtime => "runtime: upstream's external tests through gort's test hooks (-short)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    Pass,
    Fail,
    /// The test skipped itself (t.Skip).
    Skip,
}

/// Where test output is kept per test (more is cut).
pub(super) const KEEP_OUTPUT: usize = 64 << 10;

#[derive(Debug, Clone)]
pub(super) struct Res {
    pub(super) verdict: Verdict,
    /// Why it failed: the line failures are grouped by.
    pub(super) first: String,
    /// Output (cut at KEEP_OUTPUT).
    pub(super) output: String,
    pub(super) secs: f64,
}

impl Res {
    pub(super) fn pass(output: String, secs: f64) -> Res {
        Res { verdict: Verdict::Pass, first: String::new(), output, secs }
    }
    pub(super) fn fail(first: impl Into<String>, output: String, secs: f64) -> Res {
        Res { verdict: Verdict::Fail, first: first.into(), output: cut(output, KEEP_OUTPUT), secs }
    }
    pub(super) fn is_pass(&self) -> bool {
        self.verdict == Verdict::Pass
    }
}

#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) suite: Suite,
    /// Directory (test), package (std) or file (runtime).
    pub(super) group: String,
    pub(super) name: String,
    pub(super) up: Option<Res>,
    pub(super) gort: Option<Res>,
    /// For GOROOT/test: the expected output.
    pub(super) want: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Skip {
    pub(super) suite: Suite,
    /// The runtime suite's test file (empty elsewhere).
    pub(super) group: String,
    pub(super) name: String,
    pub(super) category: String,
    pub(super) detail: String,
}

#[derive(Default)]
pub(super) struct Results {
    pub(super) entries: Vec<Entry>,
    pub(super) skips: Vec<Skip>,
    /// Recipes of GOROOT/test files out of scope (compiler tests), by action.
    pub(super) out_of_scope: BTreeMap<String, usize>,
    pub(super) notes: Vec<String>,
    /// Test-binary packages (std) by go test's own rule, per runtime.
    pub(super) packages: Vec<PkgEntry>,
}

/// A package's verdict under both runtimes (None: not run, or run on a
/// subset of its tests, where go test's rule says nothing).
#[derive(Debug, Clone)]
pub(super) struct PkgEntry {
    pub(super) group: String,
    pub(super) up: Option<super::testbin::PkgVerdict>,
    pub(super) gort: Option<super::testbin::PkgVerdict>,
}

pub(super) fn cut(mut s: String, n: usize) -> String {
    if s.len() > n {
        let mut i = n;
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        s.truncate(i);
        s.push_str("\n... (output cut)\n");
    }
    s
}

/// The line that says why a process failed: the first runtime report
/// (fatal error, panic, signal), else the status and first output line.
pub(super) fn crash_line(status: &PStatus, out: &str) -> String {
    if let PStatus::TimedOut(_) | PStatus::Spawn(_) = status {
        return status.describe();
    }
    const MARKS: &[&str] = &[
        "fatal error:", "panic:", "runtime: ", "SIGSEGV", "SIGBUS", "SIGILL", "SIGABRT", "SIGFPE", "unexpected fault",
        "unexpected signal", "fatal: morestack", "runtime stack:",
    ];
    for line in out.lines() {
        let l = line.trim_start();
        if MARKS.iter().any(|m| l.starts_with(m)) {
            return l.to_string();
        }
    }
    match out.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(l) => format!("{}: {l}", status.describe()),
        None => format!("{}, no output", status.describe()),
    }
}

/// The line that says why a build failed.
pub(super) fn build_line(out: &str) -> String {
    let missing = gobuild::missing_symbols(out);
    if let Some(first) = missing.iter().next() {
        return format!("link: runtime symbol not provided by gort: {first}");
    }
    for line in out.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') || l.starts_with("go: downloading") {
            continue;
        }
        return format!("build: {l}");
    }
    "build failed (no output)".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_lines() {
        assert_eq!(crash_line(&PStatus::Exit(2), "hello\npanic: boom\n"), "panic: boom");
        assert_eq!(crash_line(&PStatus::Exit(1), "BUG: x\n"), "exit status 1: BUG: x");
        assert!(build_line("# command-line-arguments\n/usr/bin/ld: x.o: undefined reference to `runtime.foo'\n").contains("runtime.foo"));
    }
}
