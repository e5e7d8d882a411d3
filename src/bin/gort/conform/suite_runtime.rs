//! The `runtime` suite: the external tests (package runtime_test) of
//! upstream's runtime that compile against the public runtime API, selected
//! mechanically, put into a package next to the runtime in a throw-away
//! GOROOT tree and run like a std package; under gort, files that need a
//! runtime symbol gort lacks are left out of the link.

use super::context::{Ctx, Rt};
use super::gosrc::{package_name, runtime_selectors};
use super::options::test_name_matches;
use super::process::run_proc;
use super::results::{cut, Entry, Res, Skip, Suite};
use super::testbin::{build_test_binary, list_tests, merge_entries, run_test_binary};
use super::trees::make_tree;
use crate::gobuild::TempDir;
use crate::overlay;
use crate::{Fail, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

/// The public API of package runtime: the names in GOROOT/api.
fn runtime_public_api(goroot: &Path) -> Result<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    for e in std::fs::read_dir(goroot.join("api"))? {
        let p = e?.path();
        let f = p.file_name().unwrap().to_string_lossy().into_owned();
        if !(f.starts_with("go1") && f.ends_with(".txt")) {
            continue;
        }
        for line in std::fs::read_to_string(&p)?.lines() {
            let Some(rest) = line.strip_prefix("pkg runtime") else { continue };
            let rest = if rest.starts_with(" (") { rest.split_once(')').map(|x| x.1).unwrap_or("") } else { rest };
            let Some(rest) = rest.strip_prefix(", ") else { continue };
            for kind in ["func ", "type ", "const ", "var "] {
                if let Some(r) = rest.strip_prefix(kind) {
                    let name: String = r.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    names.insert(name);
                }
            }
        }
    }
    if names.is_empty() {
        return Err(Fail::new(format!("no runtime API in {}/api", goroot.display())));
    }
    Ok(names)
}

struct RuntimeSelection {
    selected: Vec<String>,
    internal: usize,
    /// file -> (category, detail)
    skipped: BTreeMap<String, (String, String)>,
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

pub(super) fn runtime_suite(ctx: &Ctx, notes: &Mutex<Vec<String>>, skips: &Mutex<Vec<Skip>>) -> Vec<Entry> {
    let group = "runtime".to_string();
    let fail_all = |why: String| vec![Entry { suite: Suite::Runtime, group: group.clone(), name: "runtime".into(), up: Some(Res::fail(why.clone(), String::new(), 0.0)), gort: Some(Res::fail(why, String::new(), 0.0)), want: None }];
    let state = overlay::state_dir();
    let up_tree = state.join("conform-goroot-upstream");
    let gort_tree = state.join("conform-goroot-gort");
    let up_pkg = match make_tree(&ctx.tc.goroot, &up_tree) {
        Ok(p) => p,
        Err(e) => return fail_all(format!("harness: {}", e.msg)),
    };
    let gort_pkg = match make_tree(&ctx.ov.root, &gort_tree) {
        Ok(p) => p,
        Err(e) => return fail_all(format!("harness: {}", e.msg)),
    };
    let tmp = match TempDir::new("conform-rt") {
        Ok(t) => t,
        Err(e) => return fail_all(format!("harness: {}", e.msg)),
    };
    let up_env: Vec<(String, String)> = vec![("GOROOT".into(), up_tree.display().to_string())];
    let mut gort_env = ctx.env_gort.clone();
    for (k, v) in gort_env.iter_mut() {
        if k == "GOROOT" {
            *v = gort_tree.display().to_string();
        }
    }
    let up_exe = tmp.0.join("upstream.test");
    let sel = match select_runtime_tests(ctx, &up_pkg, &up_env, &up_exe) {
        Ok(s) => s,
        Err(e) => return fail_all(format!("harness: runtime test selection: {}", e.msg)),
    };
    {
        let mut s = skips.lock().unwrap();
        for (f, (cat, detail)) in &sel.skipped {
            s.push(Skip { suite: Suite::Runtime, name: format!("runtime/{f}"), category: cat.clone(), detail: detail.clone() });
        }
    }
    let rtdir = ctx.tc.goroot.join("src/runtime");
    let mut file_tests: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &sel.selected {
        if let Err(e) = std::fs::copy(rtdir.join(f), gort_pkg.join(f)) {
            return fail_all(format!("harness: copying {f}: {e}"));
        }
        file_tests.insert(f.clone(), declared_tests(&std::fs::read_to_string(rtdir.join(f)).unwrap_or_default()));
    }
    let mut per_rt = Vec::new();
    let mut tests: Vec<String> = Vec::new();
    match list_tests(ctx, &up_exe, &up_pkg, &up_env, Rt::Up) {
        Ok(l) => tests = l.into_iter().filter(|t| test_name_matches(ctx.opts, "runtime", t)).collect(),
        Err(e) => per_rt.push((Rt::Up, Err(Res::fail(format!("test binary cannot list its tests: {e}"), String::new(), 0.0)))),
    }
    if per_rt.is_empty() && !ctx.opts.gort_only {
        per_rt.push((Rt::Up, Ok(run_test_binary(ctx, &up_exe, &up_pkg, &up_env, Rt::Up, &tests))));
    }
    // gort: a file whose code needs a runtime symbol gort lacks would keep
    // the whole binary from linking; such files are left out (their tests
    // fail, saying which symbol) and the rest run.
    let gort_exe = tmp.0.join("gort.test");
    let mut dropped: BTreeMap<String, String> = BTreeMap::new();
    let gort_res = loop {
        let mut c = Command::new(&ctx.tc.go);
        c.envs(gort_env.iter().map(|(k, v)| (k, v))).env("GOENV", "off");
        c.arg("test").arg("-c").arg("-vet=off").args(ctx.build_flags(Rt::Gort, &[])).arg("-o").arg(&gort_exe).arg("runtime").current_dir(&tmp.0);
        match build_test_binary(ctx, c) {
            Ok(()) => break Ok(()),
            Err(r) => {
                let files = files_missing_symbols(&r.output);
                let new: Vec<(String, String)> = files.into_iter().filter(|(f, _)| !dropped.contains_key(f) && gort_pkg.join(f).exists()).collect();
                if new.is_empty() {
                    break Err(r);
                }
                for (f, sym) in new {
                    let _ = std::fs::remove_file(gort_pkg.join(&f));
                    dropped.insert(f, sym);
                }
            }
        }
    };
    match gort_res {
        Err(r) => per_rt.push((Rt::Gort, Err(r))),
        Ok(()) => {
            let mut lost: BTreeMap<String, Res> = BTreeMap::new();
            for (f, sym) in &dropped {
                for t in file_tests.get(f).into_iter().flatten() {
                    lost.insert(t.clone(), Res::fail(format!("link: runtime symbol not provided by gort: {sym}"), format!("{f} left out of gort's test binary: it needs {sym}\n"), 0.0));
                }
            }
            let run: Vec<String> = tests.iter().filter(|t| !lost.contains_key(*t)).cloned().collect();
            let mut m = run_test_binary(ctx, &gort_exe, &gort_pkg, &gort_env, Rt::Gort, &run);
            m.extend(lost);
            per_rt.push((Rt::Gort, Ok(m)));
        }
    }
    notes.lock().unwrap().push(format!(
        "runtime: {} test files are internal (package runtime) and not run; of the {} external test files, {} compile against the public API and run, {} are skipped{}",
        sel.internal,
        sel.selected.len() + sel.skipped.len(),
        sel.selected.len(),
        sel.skipped.len(),
        if dropped.is_empty() {
            String::new()
        } else {
            format!(
                "; under gort, {} of them are left out of the test binary because they need runtime symbols gort lacks ({})",
                dropped.len(),
                dropped.iter().map(|(f, s)| format!("{f}: {s}")).collect::<Vec<_>>().join(", ")
            )
        }
    ));
    let entries = merge_entries(Suite::Runtime, &group, tests, per_rt);
    let _ = std::fs::remove_dir_all(&up_tree);
    let _ = std::fs::remove_dir_all(&gort_tree);
    entries
}

/// Select the external runtime tests that compile against the public API:
/// drop files naming runtime identifiers that are not public (test-only
/// exports), then compile and drop the files that still do not compile
/// (dot-imports of test-only exports, or helpers declared in dropped
/// files), until the package builds.
fn select_runtime_tests(ctx: &Ctx, pkg_dir: &Path, env: &[(String, String)], exe: &Path) -> Result<RuntimeSelection> {
    let rtdir = ctx.tc.goroot.join("src/runtime");
    let public = runtime_public_api(&ctx.tc.goroot)?;
    let mut files: Vec<String> = std::fs::read_dir(&rtdir)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("_test.go"))
        .collect();
    files.sort();
    let mut sel = RuntimeSelection { selected: Vec::new(), internal: 0, skipped: BTreeMap::new() };
    const TEST_ONLY: &str = "uses test-only exports of package runtime";
    for f in files {
        let src = std::fs::read_to_string(rtdir.join(&f))?;
        if package_name(&src).as_deref() != Some("runtime_test") {
            sel.internal += 1;
            continue;
        }
        let private: Vec<String> = runtime_selectors(&src).into_iter().filter(|x| !public.contains(x)).collect();
        if !private.is_empty() {
            sel.skipped.insert(f, (TEST_ONLY.into(), format!("runtime.{}", private.join(", runtime."))));
            continue;
        }
        sel.selected.push(f);
    }
    for f in &sel.selected {
        std::fs::copy(rtdir.join(f), pkg_dir.join(f))?;
    }
    for _round in 0..30 {
        let mut c = Command::new(&ctx.tc.go);
        c.env("GOTOOLCHAIN", "local").env_remove("GOFLAGS").env("GOENV", "off");
        c.envs(env.iter().map(|(k, v)| (k, v)));
        c.args(["test", "-c", "-vet=off", "-gcflags=runtime_test=-e", "-o"]).arg(exe).arg("runtime").current_dir(pkg_dir);
        let p = run_proc(&mut c, ctx.opts.build_timeout, None, None);
        if p.status.ok() {
            return Ok(sel);
        }
        let text = p.text();
        // file -> undefined names
        let mut bad: BTreeMap<String, (BTreeSet<String>, String)> = BTreeMap::new();
        for line in text.lines() {
            let l = line.trim_start_matches("./");
            let Some((file, rest)) = l.split_once(':') else { continue };
            let base = file.rsplit('/').next().unwrap_or(file);
            if !(base.ends_with("_test.go") && sel.selected.iter().any(|s| s == base)) {
                continue;
            }
            let msg = rest.splitn(3, ':').nth(2).unwrap_or(rest).trim().to_string();
            let e = bad.entry(base.to_string()).or_insert_with(|| (BTreeSet::new(), msg.clone()));
            if let Some(name) = msg.strip_prefix("undefined: ") {
                e.0.insert(name.trim_start_matches("runtime.").to_string());
            }
        }
        if bad.is_empty() {
            return Err(Fail::new(format!("the selected runtime tests do not build:\n{}", cut(text, 4000))));
        }
        for (f, (undefined, first)) in bad {
            let _ = std::fs::remove_file(pkg_dir.join(&f));
            sel.selected.retain(|s| *s != f);
            let exported: Vec<&String> = undefined.iter().filter(|n| n.starts_with(|c: char| c.is_uppercase()) && !public.contains(*n)).collect();
            let why = if !exported.is_empty() {
                (format!("{TEST_ONLY} (dot-import)"), exported.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))
            } else if !undefined.is_empty() {
                ("uses helpers declared in a skipped file".into(), undefined.iter().cloned().collect::<Vec<_>>().join(", "))
            } else {
                ("does not compile without the skipped files".into(), first)
            };
            sel.skipped.insert(f, why);
        }
    }
    Err(Fail::new("runtime test selection did not settle"))
}
