//! The `std` suite: the tests of standard-library packages (`-test.short`),
//! counted test by test, each package's test binary built and run under
//! both runtimes.

use super::context::{Ctx, Rt};
use super::options::test_name_matches;
use super::results::{Entry, Res, Suite};
use super::testbin::{build_test_binary, list_tests, merge_entries, run_test_binary, PerRt};
use super::trees::pkg_dir;
use crate::gobuild::TempDir;

pub(super) const DEFAULT_STD: &[&str] = &[
    "strings", "strconv", "bytes", "sort", "unicode/utf8", "container/list", "container/heap", "math", "math/big",
    "errors", "fmt", "bufio", "io", "path", "regexp", "encoding/json", "encoding/base64", "hash/crc32",
    "crypto/sha256", "compress/gzip", "text/template", "sync", "sync/atomic", "context", "time", "os",
];

/// One std package under both runtimes.
pub(super) fn run_std_pkg(ctx: &Ctx, pkg: &str) -> Vec<Entry> {
    let group = format!("std/{pkg}");
    let (cwd, goroot) = match pkg_dir(ctx, pkg) {
        Ok(d) => d,
        Err(e) => {
            let r = Res::fail(format!("harness: {}", e.msg), String::new(), 0.0);
            return vec![Entry { suite: Suite::Std, group: group.clone(), name: group, up: Some(r.clone()), gort: Some(r), want: None }];
        }
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
    let tmp = match TempDir::new("conform-std") {
        Ok(t) => t,
        Err(e) => {
            return vec![Entry { suite: Suite::Std, group: group.clone(), name: group, up: None, gort: Some(Res::fail(format!("harness: {}", e.msg), String::new(), 0.0)), want: None }];
        }
    };
    // Upstream first: its list of tests is the package's (with --gort-only it
    // is built and listed, not run).
    for rt in [Rt::Up, Rt::Gort] {
        let exe = tmp.0.join(format!("{}.test", rt.name()));
        let mut c = ctx.go(rt);
        c.arg("test").arg("-c").arg("-vet=off").args(ctx.build_flags(rt, &[])).arg("-o").arg(&exe).arg(pkg).current_dir(&tmp.0);
        if let Err(r) = build_test_binary(ctx, c) {
            per_rt.push((rt, Err(r)));
            continue;
        }
        if !exe.exists() {
            return vec![]; // no test files
        }
        let env = if rt == Rt::Up { &up_env } else { &gort_env };
        if tests.is_none() {
            match list_tests(ctx, &exe, &cwd, env, rt) {
                Ok(l) => tests = Some(l.into_iter().filter(|t| test_name_matches(ctx.opts, &group, t)).collect()),
                Err(e) => {
                    per_rt.push((rt, Err(Res::fail(format!("test binary cannot list its tests: {e}"), String::new(), 0.0))));
                    continue;
                }
            }
        }
        if rt == Rt::Up && ctx.opts.gort_only {
            continue;
        }
        let list = tests.clone().unwrap_or_default();
        per_rt.push((rt, Ok(run_test_binary(ctx, &exe, &cwd, env, rt, &list))));
    }
    if let Some(g) = &goroot {
        let _ = std::fs::remove_dir_all(g);
    }
    merge_entries(Suite::Std, &group, tests.unwrap_or_default(), per_rt)
}
