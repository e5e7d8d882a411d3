//! What every job shares: the toolchain, gort's overlay and environment,
//! the options, the standard library's export data per runtime, and the
//! go commands and program environments for each runtime.

use super::options::{repo_dir, Opts};
use super::process::run_proc;
use super::results::cut;
use super::suite_testdir::{std_imports, GoTest};
use crate::gobuild;
use crate::overlay::{self, Overlay};
use crate::toolchain::Toolchain;
use crate::{Fail, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Rt {
    Up,
    Gort,
}

impl Rt {
    pub(super) fn name(self) -> &'static str {
        match self {
            Rt::Up => "upstream",
            Rt::Gort => "gort",
        }
    }
}

/// The context shared by all jobs of a run.
pub(super) struct Ctx<'a> {
    pub(super) tc: &'a Toolchain,
    pub(super) ov: &'a Overlay,
    pub(super) opts: &'a Opts,
    pub(super) test_dir: PathBuf,
    /// importcfg contents for the standard library, per runtime.
    cfg_up: String,
    cfg_gort: String,
    cfg_up_file: PathBuf,
    cfg_gort_file: PathBuf,
    pub(super) gort_ldflags: Vec<String>,
    pub(super) env_gort: Vec<(String, String)>,
    /// Path prefixes removed from failure lines before grouping.
    pub(super) strip: Vec<String>,
}

impl<'a> Ctx<'a> {
    /// The context of a run: `tests` are the GOROOT/test programs it runs
    /// (their imports decide which export data is made); `whole` says it
    /// runs every program (export data for all of std).
    pub(super) fn new(tc: &'a Toolchain, ov: &'a Overlay, opts: &'a Opts, test_dir: &Path, tests: &[GoTest], whole: bool) -> Result<Ctx<'a>> {
        let env_gort = gobuild::gort_env(tc, ov)?;
        let cfg_dir = repo_dir().join("target/conform");
        std::fs::create_dir_all(&cfg_dir)?;
        let (mut cfg_up, mut cfg_gort) = (String::new(), String::new());
        if !tests.is_empty() {
            let full = whole
                || tests.iter().any(|t| std::fs::read_to_string(test_dir.join(t.rel())).unwrap_or_default().contains("STDLIB_IMPORTCFG"));
            let pkgs_arg: Vec<String> = if full { vec!["std".into()] } else { std_imports(test_dir, tests) };
            eprintln!("gort conform: export data for {} ...", if full { "the standard library".to_string() } else { format!("{} packages", pkgs_arg.len()) });
            cfg_up = importcfg(gobuild::upstream_go(tc), &pkgs_arg, opts)?;
            let mut c = Command::new(&tc.go);
            c.envs(env_gort.iter().map(|(k, v)| (k, v)));
            cfg_gort = importcfg(c, &pkgs_arg, opts)?;
        }
        let cfg_up_file = cfg_dir.join("importcfg.upstream");
        let cfg_gort_file = cfg_dir.join("importcfg.gort");
        std::fs::write(&cfg_up_file, &cfg_up)?;
        std::fs::write(&cfg_gort_file, &cfg_gort)?;
        Ok(Ctx {
            tc,
            ov,
            opts,
            test_dir: test_dir.to_path_buf(),
            cfg_up,
            cfg_gort,
            cfg_up_file,
            cfg_gort_file,
            gort_ldflags: gobuild::ldflags(ov)?.split_whitespace().map(String::from).collect(),
            env_gort,
            strip: strip_prefixes(tc, ov),
        })
    }

    /// A go command for the runtime, with the runner's settings.
    pub(super) fn go(&self, rt: Rt) -> Command {
        let mut c = match rt {
            Rt::Up => gobuild::upstream_go(self.tc),
            Rt::Gort => {
                let mut c = Command::new(&self.tc.go);
                for (k, v) in &self.env_gort {
                    c.env(k, v);
                }
                c
            }
        };
        c.env("GOENV", "off");
        c
    }

    /// Build flags for `go build`/`go test -c`: gort's merged in.
    pub(super) fn build_flags(&self, rt: Rt, flags: &[String]) -> Vec<String> {
        match rt {
            Rt::Up => flags.to_vec(),
            Rt::Gort => gobuild::merge_flags(flags, self.ov).unwrap_or_else(|_| flags.to_vec()),
        }
    }

    pub(super) fn cfg(&self, rt: Rt) -> (&str, &Path) {
        match rt {
            Rt::Up => (&self.cfg_up, &self.cfg_up_file),
            Rt::Gort => (&self.cfg_gort, &self.cfg_gort_file),
        }
    }

    pub(super) fn mem(&self, rt: Rt) -> Option<u64> {
        match rt {
            Rt::Up => None,
            Rt::Gort => Some(self.opts.mem_mb),
        }
    }

    /// The environment of a test program (as upstream's runner gives it).
    pub(super) fn prog_cmd(&self, exe: &Path, args: &[String], cwd: &Path, goexp: &Option<String>) -> Command {
        let mut c = Command::new(exe);
        c.args(args).current_dir(cwd);
        c.env_remove("GOROOT").env("GOENV", "off").env("GOFLAGS", "").env("PWD", cwd);
        c.env("STDLIB_IMPORTCFG", &self.cfg_up_file);
        // Programs that run the go command find upstream's, as under the
        // runner (which runs inside `go test`).
        let path = std::env::var("PATH").unwrap_or_default();
        c.env("PATH", format!("{}:{path}", self.tc.goroot.join("bin").display()));
        if let Some(g) = goexp {
            c.env("GOEXPERIMENT", g);
        }
        c
    }
}

/// Paths that make failure lines differ between machines and runs: the
/// temporary directory, gort's state (overlay GOROOT), the toolchain.
fn strip_prefixes(tc: &Toolchain, ov: &Overlay) -> Vec<String> {
    let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| "/tmp".into());
    let mut v = vec![
        format!("{}/", ov.root.display()),
        format!("{}/", overlay::state_dir().display()),
        format!("{}/", tc.goroot.display()),
        format!("{}/", tmp.trim_end_matches('/')),
    ];
    if let Ok(real) = std::fs::canonicalize(&tc.goroot) {
        v.push(format!("{}/", real.display()));
    }
    v
}

fn importcfg(mut c: Command, pkgs: &[String], opts: &Opts) -> Result<String> {
    c.env("GOTOOLCHAIN", "local").env("GOENV", "off");
    c.args(["list", "-e", "-export", "-deps", "-f", "{{if .Export}}packagefile {{.ImportPath}}={{.Export}}{{end}}"]).args(pkgs);
    let p = run_proc(&mut c, opts.build_timeout * 2, None, None);
    let text = p.text();
    if !p.status.ok() {
        return Err(Fail::new(format!("go list -export failed ({}):\n{}", p.status.describe(), cut(text, 4000))));
    }
    Ok(text.lines().filter(|l| l.starts_with("packagefile ")).collect::<Vec<_>>().join("\n") + "\n")
}
