//! Test binaries (`go test -c`; std packages and the runtime's tests): the
//! list of top-level tests, one process for all of them with test2json
//! framing (what `go test -json` reads), the test that was running blamed
//! when the binary crashes or hangs and the binary started again with the
//! tests not yet run, and the per-runtime results merged into entries.

use super::context::{Ctx, Rt};
use super::process::{run_proc, PStatus};
use super::results::{build_line, crash_line, cut, Entry, Res, Suite, Verdict, KEEP_OUTPUT};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// Top-level tests of a test binary: what `-test.list` prints, less the
/// benchmarks (not run by go test without -bench).
pub(super) fn list_tests(ctx: &Ctx, exe: &Path, cwd: &Path, env: &[(String, String)], rt: Rt) -> std::result::Result<Vec<String>, String> {
    let mut c = Command::new(exe);
    c.arg("-test.list=.*").current_dir(cwd).envs(test_env(env));
    let p = run_proc(&mut c, ctx.opts.timeout, ctx.mem(rt), None);
    let text = p.text();
    if !p.status.ok() {
        return Err(crash_line(&p.status, &text));
    }
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Benchmark") && l.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .map(String::from)
        .collect())
}

/// A test binary's environment: the runtime's (GOROOT and, for gort, its
/// settings), with GOROOT/bin first in PATH, as go test gives it (tests
/// that run the go command find that GOROOT's).
pub(super) fn test_env(env: &[(String, String)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = env.iter().filter(|(k, _)| k != "PATH").cloned().collect();
    let path = env.iter().find(|(k, _)| k == "PATH").map(|(_, p)| p.clone()).unwrap_or_else(|| std::env::var("PATH").unwrap_or_default());
    match env.iter().find(|(k, _)| k == "GOROOT") {
        Some((_, g)) => v.push(("PATH".into(), format!("{g}/bin:{path}"))),
        None => v.push(("PATH".into(), path)),
    }
    v
}

#[derive(Default)]
struct TestState {
    /// Top-level test -> output lines.
    out: BTreeMap<String, String>,
    /// First line of the first failing (sub)test's own output.
    first: BTreeMap<String, String>,
    sub_out: BTreeMap<String, Vec<String>>,
    results: BTreeMap<String, (Verdict, f64)>,
    running: BTreeSet<String>,
    cur: Option<String>,
    /// A test failed without output of its own so far: its first line
    /// comes after the FAIL line (examples print got/want there).
    pending_first: Option<String>,
    progressed: bool,
    final_line: bool,
}

fn top(name: &str) -> &str {
    name.split('/').next().unwrap_or(name)
}

fn parse_secs(rest: &str) -> f64 {
    rest.rsplit_once('(').and_then(|(_, s)| s.trim_end_matches(')').trim_end_matches('s').parse().ok()).unwrap_or(0.0)
}

impl TestState {
    /// One line of a test binary's output (-test.v=test2json); true when it
    /// is progress (a framing line).
    fn line(&mut self, l: &str) -> bool {
        if let Some(f) = l.strip_prefix('\u{16}') {
            self.pending_first = None;
            let f = f.trim_start();
            if let Some(n) = f.strip_prefix("=== RUN").or_else(|| f.strip_prefix("=== CONT")).or_else(|| f.strip_prefix("=== NAME")) {
                let n = n.trim();
                self.cur = if n.is_empty() { None } else { Some(n.to_string()) };
                if !n.is_empty() && !n.contains('/') {
                    self.running.insert(n.to_string());
                }
            } else if let Some(n) = f.strip_prefix("=== PAUSE") {
                self.running.remove(n.trim());
                self.cur = None;
            } else if let Some((v, rest)) = [("--- PASS:", Verdict::Pass), ("--- FAIL:", Verdict::Fail), ("--- SKIP:", Verdict::Skip)]
                .iter()
                .find_map(|(p, v)| f.strip_prefix(p).map(|r| (*v, r)))
            {
                let name = rest.trim().split(' ').next().unwrap_or("").to_string();
                self.cur = None;
                if v == Verdict::Fail {
                    let t = top(&name).to_string();
                    if !self.first.contains_key(&t) {
                        match self.sub_out.get(&name).and_then(|ls| ls.first()) {
                            Some(l) => {
                                self.first.insert(t.clone(), l.clone());
                            }
                            None => self.pending_first = Some(t.clone()),
                        }
                    }
                    self.cur = Some(name.clone());
                }
                if !name.contains('/') {
                    self.results.insert(name.clone(), (v, parse_secs(rest)));
                    self.running.remove(&name);
                    self.progressed = true;
                }
            } else if f == "PASS" || f == "FAIL" {
                self.final_line = true;
            }
            return true;
        }
        if let Some(t) = self.pending_first.take() {
            if !l.trim().is_empty() {
                self.first.insert(t, l.trim().to_string());
            } else {
                self.pending_first = Some(t);
            }
        }
        if let Some(c) = &self.cur {
            let t = top(c).to_string();
            let o = self.out.entry(t).or_default();
            if o.len() < KEEP_OUTPUT {
                o.push_str(l);
                o.push('\n');
            }
            let s = self.sub_out.entry(c.clone()).or_default();
            if s.len() < 8 && !l.trim().is_empty() {
                s.push(l.trim().to_string());
            }
        } else if let Some(r) = self.running.iter().next().cloned() {
            // Unattributed output (a crash report) while tests run.
            let o = self.out.entry(r).or_default();
            if o.len() < KEEP_OUTPUT {
                o.push_str(l);
                o.push('\n');
            }
        }
        false
    }
}

/// The package's verdict by go test's own rule: its binary, run once for
/// all its tests, exits 0 having printed PASS (go test then prints `ok`).
#[derive(Debug, Clone)]
pub(super) struct PkgVerdict {
    pub(super) ok: bool,
    /// Why not: the crash, the time limit, or the first failing test.
    pub(super) why: String,
}

/// What running a test binary gives: per test a result, and the package's
/// verdict when the first process was asked to run every test (`pkg`).
pub(super) struct BinRun {
    pub(super) results: BTreeMap<String, Res>,
    pub(super) pkg: Option<PkgVerdict>,
}

/// Run the given top-level tests of a test binary, one process for all of
/// them, starting again after a crash or a hang with the tests not yet run.
/// The first process's end gives the package's verdict.
pub(super) fn run_test_binary(ctx: &Ctx, exe: &Path, cwd: &Path, env: &[(String, String)], rt: Rt, tests: &[String]) -> BinRun {
    let mut done: BTreeMap<String, Res> = BTreeMap::new();
    let mut pkg: Option<PkgVerdict> = None;
    loop {
        let remaining: Vec<&String> = tests.iter().filter(|t| !done.contains_key(*t)).collect();
        if remaining.is_empty() && (pkg.is_some() || !tests.is_empty()) {
            break;
        }
        // No tests at all: one run for the package's verdict (TestMain and
        // init still run, as under go test).
        let re = if remaining.is_empty() { "^$".to_string() } else { format!("^({})$", remaining.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("|")) };
        let mut c = Command::new(exe);
        c.args(["-test.v=test2json", "-test.short", "-test.paniconexit0", "-test.count=1"])
            .arg(format!("-test.run={re}"))
            .current_dir(cwd)
            .envs(test_env(env));
        let mut stt = TestState::default();
        let p = {
            let mut cb = |l: &str| stt.line(l);
            run_proc(&mut c, ctx.opts.timeout, ctx.mem(rt), Some(&mut cb))
        };
        let text = p.text();
        let cause = crash_line(&p.status, &text);
        for (name, (v, secs)) in &stt.results {
            if !remaining.contains(&name) || done.contains_key(name) {
                continue;
            }
            let out = stt.out.get(name).cloned().unwrap_or_default();
            let res = match v {
                Verdict::Pass => Res::pass(out, *secs),
                Verdict::Skip => Res { verdict: Verdict::Skip, first: String::new(), output: String::new(), secs: *secs },
                Verdict::Fail => {
                    let first = if stt.running.is_empty() && !p.status.ok() && !matches!(p.status, PStatus::Exit(1)) {
                        // The test failed and the binary died right after
                        // (a test panic): the crash report says why.
                        crash_line(&p.status, &out)
                    } else {
                        stt.first.get(name).cloned().unwrap_or_else(|| crash_line(&PStatus::Exit(1), &out))
                    };
                    Res::fail(first, out, *secs)
                }
            };
            done.insert(name.clone(), res);
        }
        let normal_end = stt.final_line && matches!(p.status, PStatus::Exit(0) | PStatus::Exit(1));
        if pkg.is_none() {
            let ok = p.status.ok() && stt.final_line && stt.results.values().all(|(v, _)| *v != Verdict::Fail);
            let why = if ok {
                String::new()
            } else if let Some((n, _)) = stt.results.iter().find(|(_, (v, _))| *v == Verdict::Fail) {
                if normal_end {
                    format!("--- FAIL: {n}")
                } else {
                    format!("--- FAIL: {n}; then {cause}")
                }
            } else if stt.final_line && !p.status.ok() {
                // Every test passed, then the binary failed (in TestMain,
                // or crashing on its way out).
                format!("after PASS: {cause}")
            } else {
                cause.clone()
            };
            pkg = Some(PkgVerdict { ok, why });
        }
        // Tests that were running when the binary died.
        let mut blamed = 0;
        for name in stt.running.iter() {
            if done.contains_key(name) || !remaining.contains(&name) {
                continue;
            }
            let out = stt.out.get(name).cloned().unwrap_or_default();
            let first = match &p.status {
                PStatus::TimedOut(d) => format!("killed: no test finished within the time limit ({}s)", d.as_secs()),
                st => {
                    let l = crash_line(st, &out);
                    if l.starts_with("exit status") { cause.clone() } else { l }
                }
            };
            done.insert(name.clone(), Res::fail(first, out, 0.0));
            blamed += 1;
        }
        if normal_end || (!stt.progressed && blamed == 0) {
            // Nothing more will come of running it again.
            let why = if normal_end {
                "no result reported".to_string()
            } else {
                format!("test binary failed before running the test: {cause}")
            };
            for t in tests {
                done.entry(t.clone()).or_insert_with(|| Res::fail(why.clone(), cut(text.clone(), 4096), 0.0));
            }
            break;
        }
    }
    BinRun { results: done, pkg }
}

/// Build a test binary (`go test -c`; no binary when the package has no
/// tests).
pub(super) fn build_test_binary(ctx: &Ctx, mut cmd: Command) -> std::result::Result<(), Res> {
    let p = run_proc(&mut cmd, ctx.opts.build_timeout, None, None);
    if p.status.ok() {
        return Ok(());
    }
    let text = p.text();
    let first = if let PStatus::TimedOut(_) = p.status { format!("build: {}", p.status.describe()) } else { build_line(&text) };
    Err(Res::fail(first, text, p.secs))
}

/// Per runtime, the results of a test binary's tests, or why it could not
/// run them (the build failed, it could not list its tests).
pub(super) type PerRt = Vec<(Rt, std::result::Result<BinRun, Res>)>;

pub(super) fn merge_entries(suite: Suite, group: &str, tests: Vec<String>, per_rt: PerRt) -> Vec<Entry> {
    let sep = if suite == Suite::Runtime { "" } else { ":" };
    let prefix = if suite == Suite::Runtime { "runtime:".to_string() } else { format!("{group}{sep}") };
    if tests.is_empty() {
        // Neither runtime could say which tests there are: one entry for
        // the package.
        let mut e = Entry { suite, group: group.into(), name: group.into(), up: None, gort: None, want: None };
        for (rt, r) in per_rt {
            let r = r.err().unwrap_or_else(|| Res::fail("no tests listed", String::new(), 0.0));
            match rt {
                Rt::Up => e.up = Some(r),
                Rt::Gort => e.gort = Some(r),
            }
        }
        return vec![e];
    }
    let mut out: Vec<Entry> = tests
        .iter()
        .map(|t| Entry { suite, group: group.into(), name: format!("{prefix}{t}"), up: None, gort: None, want: None })
        .collect();
    for (rt, r) in per_rt {
        for (i, t) in tests.iter().enumerate() {
            let res = match &r {
                Ok(m) => m.results.get(t).cloned().unwrap_or_else(|| Res::fail("no result", String::new(), 0.0)),
                Err(b) => Res { output: String::new(), ..b.clone() },
            };
            match rt {
                Rt::Up => out[i].up = Some(res),
                Rt::Gort => out[i].gort = Some(res),
            }
        }
        if let Err(b) = &r {
            // Keep the build output once.
            match rt {
                Rt::Up => out[0].up = Some(b.clone()),
                Rt::Gort => out[0].gort = Some(b.clone()),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_binary_framing() {
        let mut s = TestState::default();
        for l in [
            "\u{16}=== RUN   TestA",
            "\u{16}=== RUN   TestA/s1",
            "    x_test.go:3: bad",
            "\u{16}--- FAIL: TestA/s1 (0.00s)",
            "\u{16}=== NAME  TestA",
            "\u{16}--- FAIL: TestA (0.01s)",
            "\u{16}=== NAME  ",
            "\u{16}=== RUN   TestP",
            "\u{16}=== PAUSE TestP",
            "\u{16}=== RUN   TestC",
            "panic: boom",
        ] {
            s.line(l);
        }
        assert_eq!(s.results.get("TestA").map(|r| r.0), Some(Verdict::Fail));
        assert_eq!(s.first.get("TestA").map(|s| s.as_str()), Some("x_test.go:3: bad"));
        assert_eq!(s.running.iter().cloned().collect::<Vec<_>>(), vec!["TestC".to_string()]);
        assert!(s.out.get("TestC").unwrap().contains("panic: boom"));
    }
}
