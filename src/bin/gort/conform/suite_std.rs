//! The `std` suite: the tests of every standard-library package that has
//! tests (`-test.short`), each package's test binary built and run under
//! both runtimes. Two numbers: tests, counted test by test (a crash or a
//! hang fails that test only, and the binary runs again for the rest), and
//! packages, by go test's own rule (the binary, run once for all its
//! tests, exits 0 having printed PASS: a crash after the last PASS line
//! fails the package).

use super::context::{Ctx, Rt};
use super::options::test_name_matches;
use super::process::run_proc;
use super::results::{cut, Entry, PkgEntry, Res, Suite};
use super::testbin::{build_test_binary, list_tests, merge_entries, run_test_binary, PerRt};
use super::trees::pkg_dir;
use crate::gobuild::TempDir;
use crate::{Fail, Result};

/// Every standard-library package with test files (`go list std`, as
/// upstream's toolchain sees it on linux/amd64), but the runtime itself
/// (the runtime suite runs its tests), and cgo's own test suite
/// (`cmd/cgo/internal/test`: calls between C and Go every which way),
/// longest test sources first (a guess at the longest runs, for the worker
/// pool).
pub(super) fn std_packages(ctx: &Ctx) -> Result<Vec<String>> {
    let mut c = ctx.go(Rt::Up);
    c.args(["list", "-e", "-f", "{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Dir}} {{join .TestGoFiles \" \"}} {{join .XTestGoFiles \" \"}}{{end}}", "std", "cmd/cgo/internal/test"]);
    let p = run_proc(&mut c, ctx.opts.build_timeout, None, None);
    if !p.status.ok() {
        return Err(Fail::new(format!("go list std failed ({}):\n{}", p.status.describe(), cut(p.text(), 4000))));
    }
    let mut pkgs: Vec<(u64, String)> = Vec::new();
    for line in p.text().lines() {
        let mut it = line.split_whitespace();
        let (Some(pkg), Some(dir)) = (it.next(), it.next()) else { continue };
        if pkg == "runtime" {
            continue;
        }
        let size: u64 = it.map(|f| std::fs::metadata(std::path::Path::new(dir).join(f)).map(|m| m.len()).unwrap_or(0)).sum();
        pkgs.push((size, pkg.to_string()));
    }
    pkgs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(pkgs.into_iter().map(|(_, p)| p).collect())
}

/// One std package under both runtimes: its tests, and its verdict by go
/// test's rule (when all its tests ran).
pub(super) fn run_std_pkg(ctx: &Ctx, pkg: &str) -> (Vec<Entry>, Option<PkgEntry>) {
    let group = format!("std/{pkg}");
    let harness_fail = |why: String, both: bool| {
        let r = Res::fail(format!("harness: {why}"), String::new(), 0.0);
        (vec![Entry { suite: Suite::Std, group: group.clone(), name: group.clone(), up: if both { Some(r.clone()) } else { None }, gort: Some(r), want: None }], None)
    };
    let (cwd, goroot) = match pkg_dir(ctx, pkg) {
        Ok(d) => d,
        Err(e) => return harness_fail(e.msg, true),
    };
    let mut up_env: Vec<(String, String)> = vec![("GOROOT".into(), ctx.tc.goroot.display().to_string())];
    let mut gort_env = ctx.env_gort.clone();
    if let Some(g) = &goroot {
        for (k, v) in up_env.iter_mut().chain(gort_env.iter_mut()) {
            if k == "GOROOT" {
                *v = g.display().to_string();
            }
        }
    }
    let mut per_rt: PerRt = Vec::new();
    let mut tests: Option<Vec<String>> = None;
    let mut whole = true;
    let tmp = match TempDir::new("conform-std") {
        Ok(t) => t,
        Err(e) => return harness_fail(e.msg, false),
    };
    let mut pe = PkgEntry { group: group.clone(), up: None, gort: None };
    // Upstream first: its list of tests is the package's (with --gort-only it
    // is built and listed, not run).
    for rt in [Rt::Up, Rt::Gort] {
        let exe = tmp.0.join(format!("{}.test", rt.name()));
        let mut c = ctx.go(rt);
        c.arg("test").arg("-c").arg("-vet=off").args(ctx.build_flags(rt, &[])).arg("-o").arg(&exe).arg(pkg).current_dir(&tmp.0);
        if let Err(r) = build_test_binary(ctx, c) {
            let v = super::testbin::PkgVerdict { ok: false, why: r.first.clone() };
            match rt {
                Rt::Up => pe.up = Some(v),
                Rt::Gort => pe.gort = Some(v),
            }
            per_rt.push((rt, Err(r)));
            continue;
        }
        if !exe.exists() {
            return (vec![], None); // no test files
        }
        let env = if rt == Rt::Up { &up_env } else { &gort_env };
        // Each binary runs in its package's directory inside the GOROOT it
        // sees (as go test runs it): gort's in the overlay's copy of the
        // sources (tests that relate the working directory to GOROOT, such
        // as go/build's, need that).
        let ov_dir = ctx.ov.root.join("src").join(pkg);
        let cwd = if rt == Rt::Gort && goroot.is_none() && ov_dir.is_dir() { ov_dir } else { cwd.clone() };
        if tests.is_none() {
            match list_tests(ctx, &exe, &cwd, env, rt) {
                Ok(l) => {
                    let n = l.len();
                    let sel: Vec<String> = l.into_iter().filter(|t| test_name_matches(ctx.opts, &group, t)).collect();
                    whole = sel.len() == n;
                    tests = Some(sel);
                }
                Err(e) => {
                    per_rt.push((rt, Err(Res::fail(format!("test binary cannot list its tests: {e}"), String::new(), 0.0))));
                    continue;
                }
            }
        }
        if rt == Rt::Up && ctx.opts.gort_only {
            continue;
        }
        let mut list = tests.clone().unwrap_or_default();
        // Tests upstream's binary has and gort's lacks (a build difference)
        // cannot run.
        let mut absent: Vec<String> = Vec::new();
        if rt == Rt::Gort {
            if let Ok(mine) = list_tests(ctx, &exe, &cwd, env, rt) {
                absent = list.iter().filter(|t| !mine.contains(t)).cloned().collect();
                list.retain(|t| mine.contains(t));
            }
        }
        let mut run = run_test_binary(ctx, &exe, &cwd, env, rt, &list);
        for t in absent {
            let why = "not in gort's test binary".to_string();
            run.results.insert(t, Res::fail(why, String::new(), 0.0));
        }
        if whole {
            match rt {
                Rt::Up => pe.up = run.pkg.clone(),
                Rt::Gort => pe.gort = run.pkg.clone(),
            }
        }
        per_rt.push((rt, Ok(run)));
    }
    if let Some(g) = &goroot {
        let _ = std::fs::remove_dir_all(g);
    }
    let tests = tests.unwrap_or_default();
    let entries = if tests.is_empty() && per_rt.iter().all(|(_, r)| r.is_ok()) {
        // Nothing but benchmarks (or nothing selected): the package's
        // verdict only.
        vec![]
    } else {
        merge_entries(Suite::Std, &group, tests, per_rt)
    };
    (entries, if whole { Some(pe) } else { None })
}
