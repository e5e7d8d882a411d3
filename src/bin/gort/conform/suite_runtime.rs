//! The `runtime` suite: upstream's external runtime tests (package
//! runtime_test), run against gort through gort's own test hooks
//! (asm/runtime_test: export_test.go and the test-only surface entries)
//! and against upstream's runtime with upstream's.
//!
//! Upstream: `go test -c runtime` in the installed GOROOT as it is. gort:
//! a throw-away GOROOT (symlinks to the overlay) whose src/runtime holds
//! gort's Go face, gort's test hooks and upstream's external test files,
//! so that the tests are package runtime_test of import path runtime as
//! upstream's, and the programs they build from testdata (testprog ...)
//! are built with gort. conform/runtime_tests.list names the files and
//! tests gort's run leaves out, with why: those that test a data structure
//! of upstream's runtime gort does not have (not applicable) and those
//! that need a feature gort lacks and cannot even start without it (not
//! run yet). A test file that does not build against gort's hooks is left
//! out of gort's binary and its tests fail with the build's error. Both
//! runtimes run the same selection of tests.

use super::context::{Ctx, Rt};
use super::gosrc::package_name;
use super::options::{repo_dir, test_name_matches};
use super::results::{build_line, Entry, Res, Skip, Suite};
use super::testbin::{build_test_binary, list_tests, merge_entries, run_test_binary, PerRt};
use super::trees::make_tree;
use crate::gobuild::TempDir;
use crate::overlay;
use crate::{Fail, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Why a file or test is left out of gort's run.
pub(super) const NOT_APPLICABLE: &str = "not applicable";
pub(super) const NOT_YET: &str = "not run yet";

/// conform/runtime_tests.list: file or test -> (category, reason).
pub(super) struct Exclusions {
    pub(super) files: BTreeMap<String, (String, String)>,
    pub(super) tests: BTreeMap<String, (String, String)>,
}

pub(super) fn exclusions_path() -> PathBuf {
    repo_dir().join("conform/runtime_tests.list")
}

/// Lines `NAME CATEGORY REASON...`: NAME a test file (ends in _test.go) or
/// a test; CATEGORY `n/a` or `notyet`.
pub(super) fn parse_exclusions(text: &str) -> std::result::Result<Exclusions, String> {
    let mut x = Exclusions { files: BTreeMap::new(), tests: BTreeMap::new() };
    for (i, line) in text.lines().enumerate() {
        let line = line.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut it = line.split_whitespace();
        let (Some(name), Some(cat)) = (it.next(), it.next()) else {
            return Err(format!("line {}: want NAME CATEGORY REASON", i + 1));
        };
        let reason = it.collect::<Vec<_>>().join(" ");
        if reason.is_empty() {
            return Err(format!("line {}: {name}: no reason given", i + 1));
        }
        let cat = match cat {
            "n/a" => NOT_APPLICABLE,
            "notyet" => NOT_YET,
            c => return Err(format!("line {}: unknown category {c:?} (want n/a or notyet)", i + 1)),
        };
        let v = (cat.to_string(), reason);
        if name.ends_with("_test.go") {
            x.files.insert(name.to_string(), v);
        } else {
            x.tests.insert(name.to_string(), v);
        }
    }
    Ok(x)
}

/// Top-level tests, examples and fuzz tests declared in a test file.
fn declared_tests(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in src.lines() {
        if let Some(rest) = line.strip_prefix("func ") {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if ["Test", "Example", "Fuzz"].iter().any(|p| name.starts_with(p)) && rest[name.len()..].starts_with('(') {
                out.push(name);
            }
        }
    }
    out
}

/// Test files named in a failed link's output together with a runtime
/// symbol gort lacks: file -> symbol.
fn files_missing_symbols(out: &str) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for line in out.lines() {
        let Some(i) = line.find("undefined reference to ") else { continue };
        let sym = line[i + 23..].trim_matches(|c: char| c == '`' || c == '\'' || c == '"').to_string();
        for part in line[..i].split([' ', ':']) {
            let base = part.rsplit('/').next().unwrap_or(part);
            if base.ends_with("_test.go") {
                m.entry(base.to_string()).or_insert_with(|| sym.clone());
            }
        }
    }
    m
}

/// Test files a failed compile names in its errors: file -> first error.
fn files_with_errors(out: &str, candidates: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for line in out.lines() {
        let l = line.trim_start_matches("./");
        let Some((file, rest)) = l.split_once(':') else { continue };
        let base = file.rsplit('/').next().unwrap_or(file);
        if candidates.contains(base) {
            let msg = rest.splitn(3, ':').nth(2).unwrap_or(rest).trim().to_string();
            m.entry(base.to_string()).or_insert(msg);
        }
    }
    m
}

/// The external test files of upstream's runtime, with their tests.
fn external_files(rtdir: &Path) -> Result<BTreeMap<String, Vec<String>>> {
    let mut files = BTreeMap::new();
    for e in std::fs::read_dir(rtdir)? {
        let n = e?.file_name().to_string_lossy().into_owned();
        if !n.ends_with("_test.go") {
            continue;
        }
        let src = std::fs::read_to_string(rtdir.join(&n))?;
        if package_name(&src).as_deref() == Some("runtime_test") {
            files.insert(n, declared_tests(&src));
        }
    }
    Ok(files)
}

/// Which tests of the runtime suite run: all, or (CI subset) those of the
/// given files.
pub(super) fn runtime_suite(ctx: &Ctx, notes: &Mutex<Vec<String>>, skips: &Mutex<Vec<Skip>>, only_files: Option<&BTreeSet<String>>) -> Vec<Entry> {
    let fail_all = |why: String| {
        vec![Entry { suite: Suite::Runtime, group: "runtime".into(), name: "runtime".into(), up: Some(Res::fail(why.clone(), String::new(), 0.0)), gort: Some(Res::fail(why, String::new(), 0.0)), want: None }]
    };
    match run_suite(ctx, notes, skips, only_files) {
        Ok(es) => es,
        Err(e) => fail_all(format!("harness: {}", e.msg)),
    }
}

fn run_suite(ctx: &Ctx, notes: &Mutex<Vec<String>>, skips: &Mutex<Vec<Skip>>, only_files: Option<&BTreeSet<String>>) -> Result<Vec<Entry>> {
    let rtdir = ctx.tc.goroot.join("src/runtime");
    let files = external_files(&rtdir)?;
    let test_file: BTreeMap<&str, &str> = files.iter().flat_map(|(f, ts)| ts.iter().map(move |t| (t.as_str(), f.as_str()))).collect();
    let xp = exclusions_path();
    let excl = parse_exclusions(&std::fs::read_to_string(&xp).map_err(|e| Fail::new(format!("reading {}: {e}", xp.display())))?)
        .map_err(|e| Fail::new(format!("{}: {e}", xp.display())))?;
    for f in excl.files.keys() {
        if !files.contains_key(f) {
            return Err(Fail::new(format!("{}: {f} is not an external runtime test file", xp.display())));
        }
    }
    for t in excl.tests.keys() {
        if !test_file.contains_key(t.as_str()) {
            return Err(Fail::new(format!("{}: {t} is not a test of the runtime's external test files", xp.display())));
        }
    }
    for f in only_files.into_iter().flatten() {
        if !files.contains_key(f) {
            return Err(Fail::new(format!("conform/ci.list: runtime/{f} is not an external runtime test file")));
        }
    }
    let tmp = TempDir::new("conform-rt")?;

    // Upstream's binary, from the installed GOROOT: its list of tests is
    // the suite's (what builds on linux/amd64).
    let up_exe = tmp.0.join("upstream.test");
    let mut per_rt: PerRt = Vec::new();
    let mut c = ctx.go(Rt::Up);
    c.arg("test").arg("-c").arg("-vet=off").arg("-o").arg(&up_exe).arg("runtime").current_dir(&tmp.0);
    let up_env: Vec<(String, String)> = vec![("GOROOT".into(), ctx.tc.goroot.display().to_string())];
    let listed: Vec<String> = match build_test_binary(ctx, c) {
        Err(r) => return Err(Fail::new(format!("upstream's runtime tests do not build: {}", r.first))),
        Ok(()) => list_tests(ctx, &up_exe, &rtdir, &up_env, Rt::Up).map_err(|e| Fail::new(format!("upstream's runtime test binary cannot list its tests: {e}")))?,
    };

    // gort's tree and binary.
    let gort_tree = overlay::state_dir().join("conform-goroot-gort");
    let gort_pkg = make_tree(&ctx.ov.root, &gort_tree)?;
    for (name, data) in overlay::RUNTIME_TEST_FILES {
        std::fs::write(gort_pkg.join(name), data)?;
    }
    let mut in_tree: BTreeSet<String> = BTreeSet::new();
    for f in files.keys() {
        if !excl.files.contains_key(f) {
            std::fs::copy(rtdir.join(f), gort_pkg.join(f))?;
            in_tree.insert(f.clone());
        }
    }
    // The debugger tests load the runtime's gdb script from GOROOT (a copy:
    // gdb resolves links, and trusts the script only in GOROOT).
    let gdb = rtdir.join("runtime-gdb.py");
    if gdb.exists() {
        std::fs::copy(&gdb, gort_pkg.join("runtime-gdb.py"))?;
    }
    // gort's environment, with the tree as GOROOT, and without the
    // GOROOT_FINAL gort sets elsewhere (the paths binaries record for the
    // standard library): the tests and the programs they build see the
    // tree as go test shows an installed GOROOT (the debugger tests skip
    // themselves when GOROOT_FINAL is set).
    let mut gort_env: Vec<(String, String)> = ctx.env_gort.iter().filter(|(k, _)| k != "GOROOT_FINAL").cloned().collect();
    for (k, v) in gort_env.iter_mut() {
        if k == "GOROOT" {
            *v = gort_tree.display().to_string();
        }
    }
    // Files that do not build against gort are left out (their tests fail
    // with the first error), until the rest builds.
    let gort_exe = tmp.0.join("gort.test");
    let mut dropped: BTreeMap<String, String> = BTreeMap::new();
    let gort_build = loop {
        let mut c = ctx.go(Rt::Gort);
        c.env_remove("GOROOT_FINAL").envs(gort_env.iter().map(|(k, v)| (k, v)));
        c.arg("test").arg("-c").arg("-vet=off").arg("-gcflags=runtime_test=-e").args(ctx.build_flags(Rt::Gort, &[])).arg("-o").arg(&gort_exe).arg("runtime").current_dir(&tmp.0);
        match build_test_binary(ctx, c) {
            Ok(()) => break Ok(()),
            Err(r) => {
                let mut bad: BTreeMap<String, String> = files_missing_symbols(&r.output)
                    .into_iter()
                    .map(|(f, sym)| (f, format!("link: runtime symbol not provided by gort: {sym}")))
                    .collect();
                if bad.is_empty() {
                    bad = files_with_errors(&r.output, &in_tree).into_iter().map(|(f, e)| (f, format!("build: {e}"))).collect();
                }
                bad.retain(|f, _| in_tree.contains(f));
                if bad.is_empty() {
                    break Err(r);
                }
                for (f, why) in bad {
                    let _ = std::fs::remove_file(gort_pkg.join(&f));
                    in_tree.remove(&f);
                    dropped.insert(f, why);
                }
            }
        }
    };

    // The selection: upstream's tests less those left out, restricted to
    // --only patterns and the CI subset's files.
    let mut skipped: Vec<Skip> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    for t in &listed {
        let file = test_file.get(t.as_str()).copied().unwrap_or("?");
        if only_files.is_some_and(|o| !o.contains(file)) || !test_name_matches(ctx.opts, "runtime", t) {
            continue;
        }
        let why = excl.files.get(file).or_else(|| excl.tests.get(t));
        match why {
            Some((cat, reason)) => skipped.push(Skip { suite: Suite::Runtime, group: file.to_string(), name: format!("runtime:{t}"), category: cat.clone(), detail: reason.clone() }),
            None => run.push(t.clone()),
        }
    }
    if !ctx.opts.gort_only {
        per_rt.push((Rt::Up, Ok(run_test_binary(ctx, &up_exe, &rtdir, &up_env, Rt::Up, &run))));
    }
    match gort_build {
        Err(r) => per_rt.push((Rt::Gort, Err(Res { first: build_line(&r.output), ..r }))),
        Ok(()) => {
            if let Some(dir) = std::env::var_os("GORT_CONFORM_KEEP") {
                keep_for_debugging(std::path::Path::new(&dir), &gort_exe, &gort_pkg, &gort_env, &run)?;
            }
            let mut lost: BTreeMap<String, Res> = BTreeMap::new();
            for t in &run {
                let file = test_file.get(t.as_str()).copied().unwrap_or("?");
                if let Some(why) = dropped.get(file) {
                    lost.insert(t.clone(), Res::fail(why.clone(), format!("{file} left out of gort's test binary: {why}\n"), 0.0));
                }
            }
            let run_gort: Vec<String> = run.iter().filter(|t| !lost.contains_key(*t)).cloned().collect();
            let mut m = run_test_binary(ctx, &gort_exe, &gort_pkg, &gort_env, Rt::Gort, &run_gort).results;
            m.extend(lost);
            per_rt.push((Rt::Gort, Ok(crate::conform::testbin::BinRun { results: m, pkg: None })));
        }
    }
    notes.lock().unwrap().push(format!(
        "runtime: {} external test files; on linux/amd64 upstream's binary lists {} tests; {} run on both runtimes, {} not applicable, {} not run yet{}",
        files.len(),
        listed.len(),
        run.len(),
        skipped.iter().filter(|s| s.category == NOT_APPLICABLE).count(),
        skipped.iter().filter(|s| s.category == NOT_YET).count(),
        if dropped.is_empty() {
            String::new()
        } else {
            format!("; left out of gort's binary because they do not build against gort: {}", dropped.iter().map(|(f, s)| format!("{f} ({s})")).collect::<Vec<_>>().join(", "))
        }
    ));
    skips.lock().unwrap().extend(skipped);
    let mut entries = merge_entries(Suite::Runtime, "runtime", run, per_rt);
    for e in entries.iter_mut() {
        let t = e.name.trim_start_matches("runtime:");
        if let Some(f) = test_file.get(t) {
            e.group = f.to_string();
        }
    }
    if std::env::var_os("GORT_CONFORM_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&gort_tree);
    }
    Ok(entries)
}

/// Debugging aid: GORT_CONFORM_KEEP=DIR keeps gort's runtime test binary as
/// DIR/runtime.gort.test and writes DIR/run.sh, which runs it as this harness
/// does (the package directory, the environment, the selection; extra
/// arguments are passed on, e.g. `-test.run=TestX -test.count=100`), to
/// rerun a failure in a loop or under gdb (GORT_DEBUGGER='gdb --args').
/// The package directory (in gort's conformance GOROOT) is kept too, until
/// the next conformance run.
fn keep_for_debugging(dir: &Path, exe: &Path, pkg: &Path, env: &[(String, String)], run: &[String]) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let kept = dir.join("runtime.gort.test");
    std::fs::copy(exe, &kept)?;
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let mut sh = String::from("#!/bin/sh\n# gort conform's runtime-suite run, kept by GORT_CONFORM_KEEP\n");
    sh.push_str(&format!("cd {} || exit 2\nexec env", quote(&pkg.display().to_string())));
    for (k, v) in crate::conform::testbin::test_env(env) {
        sh.push_str(&format!(" \\\n  {}={}", k, quote(&v)));
    }
    let re = format!("^({})$", run.join("|"));
    sh.push_str(&format!(
        " \\\n  ${{GORT_DEBUGGER:-}} {} -test.v -test.short -test.paniconexit0 -test.count=1 -test.run={} \"$@\"\n",
        quote(&kept.display().to_string()),
        quote(&re)
    ));
    let script = dir.join("run.sh");
    std::fs::write(&script, sh)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    eprintln!("gort conform: kept {} and {}", kept.display(), script.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusion_lists() {
        let x = parse_exclusions("# c\nfoo_test.go n/a upstream's X\nTestBar  notyet  needs cgo # why\n").unwrap();
        assert_eq!(x.files.get("foo_test.go").unwrap().0, NOT_APPLICABLE);
        assert_eq!(x.tests.get("TestBar").unwrap(), &(NOT_YET.to_string(), "needs cgo".to_string()));
        assert!(parse_exclusions("TestX maybe why\n").is_err());
    }
}
