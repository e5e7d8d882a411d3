//! The command line of `gort conform`, the files it reads and writes by
//! default, and test selection: `--only` patterns and the CI subset
//! (conform/ci.list).

use super::results::Suite;
use crate::{Fail, Result};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

pub(super) struct Opts {
    pub(super) jobs: usize,
    pub(super) suites: BTreeSet<Suite>,
    pub(super) only: Vec<String>,
    pub(super) ci: bool,
    pub(super) update_baseline: bool,
    pub(super) timeout: Duration,
    pub(super) build_timeout: Duration,
    pub(super) mem_mb: u64,
    /// std packages to run (None: every one with tests).
    pub(super) pkgs: Option<Vec<String>>,
    pub(super) json: PathBuf,
    pub(super) md: Option<PathBuf>,
    pub(super) verbose: bool,
    pub(super) gort_only: bool,
}

pub(super) fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(super) fn ci_list_path() -> PathBuf {
    repo_dir().join("conform/ci.list")
}

pub(super) fn baseline_path() -> PathBuf {
    repo_dir().join("conform/baseline.txt")
}

pub(super) fn parse_opts(args: &[String]) -> Result<Opts> {
    let mut o = Opts {
        jobs: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
        suites: [Suite::Test, Suite::Std, Suite::Runtime].into_iter().collect(),
        only: Vec::new(),
        ci: false,
        update_baseline: false,
        timeout: Duration::from_secs(60),
        build_timeout: Duration::from_secs(600),
        mem_mb: 4096,
        pkgs: None,
        json: repo_dir().join("target/conform/results.json"),
        md: None,
        verbose: false,
        gort_only: false,
    };
    let mut md_set = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].replacen("--", "-", 1);
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        let value = |i: &mut usize| -> Result<String> {
            if let Some(v) = &inline {
                return Ok(v.clone());
            }
            *i += 1;
            args.get(*i).cloned().ok_or_else(|| Fail::new(format!("conform: flag {name} needs a value")))
        };
        match name.as_str() {
            "-j" | "-jobs" => {
                let v = value(&mut i)?;
                o.jobs = v.parse().ok().filter(|&n| n > 0).ok_or_else(|| Fail::new(format!("conform: bad -j value {v:?}")))?;
            }
            "-suite" | "-suites" => {
                let v = value(&mut i)?;
                o.suites.clear();
                for s in v.split(',') {
                    o.suites.insert(match s {
                        "test" => Suite::Test,
                        "std" => Suite::Std,
                        "runtime" => Suite::Runtime,
                        _ => return Err(Fail::new(format!("conform: unknown suite {s:?} (want test, std, runtime)"))),
                    });
                }
            }
            "-only" => o.only.extend(value(&mut i)?.split(',').filter(|s| !s.is_empty()).map(String::from)),
            "-ci" => o.ci = true,
            "-update-baseline" => o.update_baseline = true,
            "-timeout" => {
                let v = value(&mut i)?;
                o.timeout = crate::diff::parse_duration(&v).ok_or_else(|| Fail::new(format!("conform: bad -timeout value {v:?}")))?;
            }
            "-build-timeout" => {
                let v = value(&mut i)?;
                o.build_timeout =
                    crate::diff::parse_duration(&v).ok_or_else(|| Fail::new(format!("conform: bad -build-timeout value {v:?}")))?;
            }
            "-mem" => {
                let v = value(&mut i)?;
                o.mem_mb = v.parse().map_err(|_| Fail::new(format!("conform: bad -mem value {v:?} (MiB)")))?;
            }
            "-pkgs" => o.pkgs = Some(value(&mut i)?.split(',').filter(|s| !s.is_empty()).map(String::from).collect()),
            "-json" => o.json = PathBuf::from(value(&mut i)?),
            "-md" => {
                let v = value(&mut i)?;
                md_set = true;
                o.md = if v.is_empty() { None } else { Some(PathBuf::from(v)) };
            }
            "-v" => o.verbose = true,
            "-gort-only" => o.gort_only = true,
            _ => return Err(Fail::new(format!("conform: unknown flag {:?}\nRun 'gort help' for usage.", args[i]))),
        }
        i += 1;
    }
    if !md_set && o.only.is_empty() && !o.ci && o.suites.len() == 3 && o.pkgs.is_none() {
        o.md = Some(repo_dir().join("docs/CONFORMANCE.md"));
    }
    Ok(o)
}

/// Does `name` match the pattern (a glob with `*` if it has one, else a
/// substring)?
pub(super) fn pattern_match(pat: &str, name: &str) -> bool {
    if !pat.contains('*') {
        return name.contains(pat);
    }
    fn glob(p: &[u8], s: &[u8]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((b'*', rest)) => (0..=s.len()).any(|i| glob(rest, &s[i..])),
            Some((c, rest)) => s.first() == Some(c) && glob(rest, &s[1..]),
        }
    }
    glob(pat.as_bytes(), name.as_bytes())
}

pub(super) fn test_name_matches(opts: &Opts, group: &str, test: &str) -> bool {
    if opts.only.is_empty() {
        return true;
    }
    opts.only.iter().any(|p| {
        if pattern_match(p, group) {
            return true;
        }
        match p.split_once(':') {
            Some((g, t)) => pattern_match(g, group) && pattern_match(t, test),
            None => false,
        }
    })
}

pub(super) fn group_selected(opts: &Opts, group: &str) -> bool {
    opts.only.is_empty()
        || opts.only.iter().any(|p| pattern_match(p, group) || p.split_once(':').is_some_and(|(g, _)| pattern_match(g, group)))
}

/// The CI subset: GOROOT/test names, `std/PKG` entries, and the runtime
/// suite (`runtime`: all of it; `runtime/FILE_test.go`: that file's tests).
pub(super) struct CiList {
    pub(super) tests: BTreeSet<String>,
    pub(super) pkgs: Vec<String>,
    pub(super) runtime: bool,
    /// The runtime test files to run (empty: all, when `runtime` is set).
    pub(super) runtime_files: BTreeSet<String>,
}

pub(super) fn parse_ci_list(text: &str) -> CiList {
    let mut l = CiList { tests: BTreeSet::new(), pkgs: Vec::new(), runtime: false, runtime_files: BTreeSet::new() };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(p) = line.strip_prefix("std/") {
            l.pkgs.push(p.to_string());
        } else if line == "runtime" {
            l.runtime = true;
        } else if let Some(f) = line.strip_prefix("runtime/") {
            l.runtime = true;
            l.runtime_files.insert(f.to_string());
        } else {
            l.tests.insert(line.to_string());
        }
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_and_lists() {
        assert!(pattern_match("fixedbugs/issue1", "test/fixedbugs/issue123.go"));
        assert!(pattern_match("test/*/bug0*.go", "test/fixedbugs/bug001.go"));
        assert!(!pattern_match("test/chan/*", "test/fixedbugs/bug001.go"));
        let l = parse_ci_list("# c\ntest/235.go\nstd/sort # x\n\nruntime/chan_test.go\n");
        assert!(l.tests.contains("test/235.go") && l.runtime && l.runtime_files.contains("chan_test.go"));
        assert_eq!(l.pkgs, vec!["sort"]);
    }
}
