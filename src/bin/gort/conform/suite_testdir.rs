//! The `test` suite: the programs of GOROOT/test that upstream's runner
//! (cmd/internal/testdir) executes (`run`, `buildrun`, `runoutput`,
//! `rundir`, `runindir`, `buildrundir`, `errorcheckandrundir`), discovered,
//! built and run the way it does on linux/amd64, with its pass rule: the
//! build succeeds, the program exits 0 and its output (stdout and stderr
//! together) equals the `.out` file, or is empty when there is none; for
//! errorcheckandrundir, the compiler's diagnostics also match the files'
//! ERROR comments first (errcheck.rs).

use super::constraint::BuildCtx;
use super::context::{Ctx, Rt};
use super::gosrc::{go_imports, package_name};
use super::process::{run_proc, PStatus, Proc};
use super::recipe::{action_line, parse_recipe, Recipe, KNOWN_ACTIONS, RUN_ACTIONS};
use super::errcheck::error_check;
use super::results::{build_line, crash_line, Res, Results, Skip, Suite};
use super::trees::mirror_dir;
use crate::gobuild::TempDir;
use crate::{Fail, Result};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The directories of GOROOT/test that upstream's runner visits.
pub(super) const TEST_DIRS: &[&str] = &[
    ".", "ken", "chan", "interface", "syntax", "dwarf", "fixedbugs", "codegen", "runtime", "abi", "typeparam",
    "typeparam/mdempsky", "arenas",
];

#[derive(Debug, Clone)]
pub(super) struct GoTest {
    pub(super) dir: String,
    pub(super) file: String,
    pub(super) recipe: Recipe,
}

impl GoTest {
    pub(super) fn name(&self) -> String {
        test_name(&self.dir, &self.file)
    }
    pub(super) fn rel(&self) -> String {
        if self.dir == "." {
            self.file.clone()
        } else {
            format!("{}/{}", self.dir, self.file)
        }
    }
    fn dir_name(&self) -> String {
        self.rel().trim_end_matches(".go").to_string() + ".dir"
    }
}

fn test_name(dir: &str, file: &str) -> String {
    if dir == "." {
        format!("test/{file}")
    } else {
        format!("test/{dir}/{file}")
    }
}

/// Every GOROOT/test file upstream's runner would visit, sorted into the
/// ones this harness runs, the ones skipped on linux/amd64, and the compiler
/// tests (out of scope).
pub(super) fn discover(test_dir: &Path, bctx: &BuildCtx, res: &mut Results) -> Result<Vec<GoTest>> {
    let mut tests = Vec::new();
    for dir in TEST_DIRS {
        let d = test_dir.join(dir);
        let mut names: Vec<String> = std::fs::read_dir(&d)
            .map_err(|e| Fail::new(format!("reading {}: {e}", d.display())))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.') && n.ends_with(".go"))
            .collect();
        names.sort();
        for file in names {
            let name = test_name(dir, &file);
            let src = std::fs::read_to_string(d.join(&file)).unwrap_or_default();
            let Some(line) = action_line(&src) else {
                res.skips.push(Skip { suite: Suite::Test, group: String::new(), name, category: "no recipe".into(), detail: String::new() });
                continue;
            };
            let recipe = match parse_recipe(&line) {
                Ok(r) => r,
                Err(e) => {
                    res.skips.push(Skip { suite: Suite::Test, group: String::new(), name, category: "bad recipe".into(), detail: e });
                    continue;
                }
            };
            let in_scope = RUN_ACTIONS.contains(&recipe.action.as_str());
            if let Err(why) = bctx.should_test(&src) {
                if in_scope {
                    res.skips.push(Skip {
                        suite: Suite::Test,
                        group: String::new(),
                        name,
                        category: "build constraint excludes linux/amd64".into(),
                        detail: why,
                    });
                }
                continue;
            }
            if recipe.flags.iter().any(|f| f == "-race") && !race_supported(test_dir.parent().unwrap_or(Path::new("/"))) {
                res.skips.push(Skip {
                    suite: Suite::Test,
                    group: String::new(),
                    name,
                    category: "needs the race detector, which this toolchain lacks".into(),
                    detail: String::new(),
                });
                continue;
            }
            if recipe.action == "skip" {
                res.skips.push(Skip {
                    suite: Suite::Test,
                    group: String::new(),
                    name,
                    category: "recipe is `skip`".into(),
                    detail: String::new(),
                });
                continue;
            }
            if !in_scope {
                let key = if KNOWN_ACTIONS.contains(&recipe.action.as_str()) {
                    recipe.action.clone()
                } else {
                    format!("unknown ({})", recipe.action)
                };
                *res.out_of_scope.entry(key).or_default() += 1;
                continue;
            }
            tests.push(GoTest { dir: dir.to_string(), file, recipe });
        }
    }
    Ok(tests)
}

/// Whether the toolchain can build with -race on linux/amd64 (Debian's
/// golang-1.22 does not ship the race runtime for amd64).
fn race_supported(goroot: &Path) -> bool {
    goroot.join("src/runtime/race/race_linux_amd64.syso").exists()
        || goroot.join("src/runtime/race/internal/amd64v1/race_linux.syso").exists()
}

pub(super) fn expected_output(ctx: &Ctx, t: &GoTest) -> String {
    let p = ctx.test_dir.join(t.rel().trim_end_matches(".go").to_string() + ".out");
    std::fs::read_to_string(p).unwrap_or_default()
}

/// Split go run's arguments: leading .go files join the package, the rest
/// go to the program.
fn split_go_files(args: &[String]) -> (Vec<String>, Vec<String>) {
    let n = args.iter().take_while(|a| a.ends_with(".go")).count();
    (args[..n].to_vec(), args[n..].to_vec())
}

struct Step<'a> {
    ctx: &'a Ctx<'a>,
    rt: Rt,
    goexp: &'a Option<String>,
    run_limit: Duration,
}

impl Step<'_> {
    /// A build command: Err(Res) on failure.
    fn build(&self, mut c: Command) -> std::result::Result<f64, Res> {
        if let Some(g) = self.goexp {
            c.env("GOEXPERIMENT", g);
        }
        let p = run_proc(&mut c, self.ctx.opts.build_timeout, None, None);
        if p.status.ok() {
            return Ok(p.secs);
        }
        let text = p.text();
        let first = if let PStatus::TimedOut(_) = p.status { format!("build: {}", p.status.describe()) } else { build_line(&text) };
        Err(Res::fail(first, text, p.secs))
    }

    fn run(&self, exe: &Path, args: &[String], cwd: &Path) -> Proc {
        let mut c = self.ctx.prog_cmd(exe, args, cwd, self.goexp);
        run_proc(&mut c, self.run_limit, self.ctx.mem(self.rt), None)
    }

    /// `go build` of files or a package, as go run would build them.
    fn go_build(&self, flags: &[String], targets: &[String], exe: &Path, cwd: &Path, gopath: Option<&Path>) -> std::result::Result<f64, Res> {
        let mut c = self.ctx.go(self.rt);
        let mut all = vec!["-gcflags=all=".to_string()];
        all.extend(flags.iter().cloned());
        c.arg("build").args(self.ctx.build_flags(self.rt, &all)).arg("-o").arg(exe).args(targets).current_dir(cwd);
        c.env("GOFLAGS", match self.rt {
            Rt::Up => String::new(),
            Rt::Gort => self.ctx.env_gort.iter().find(|(k, _)| k == "GOFLAGS").map(|(_, v)| v.clone()).unwrap_or_default(),
        });
        if let Some(g) = gopath {
            c.env("GOPATH", g);
        }
        self.build(c)
    }

    fn tool(&self, cwd: &Path, args: &[&str]) -> Command {
        let mut c = self.ctx.go(self.rt);
        c.arg("tool").args(args).current_dir(cwd);
        c
    }

    fn link_flags(&self) -> Vec<String> {
        match self.rt {
            Rt::Up => vec![],
            Rt::Gort => self.ctx.gort_ldflags.clone(),
        }
    }
}

fn check_output(p: &Proc, want: &str) -> Res {
    let got = p.text().replace("\r\n", "\n");
    if !p.status.ok() {
        return Res::fail(crash_line(&p.status, &got), got, p.secs);
    }
    if got != want {
        let first = if want.is_empty() { "output should be empty (no .out file)" } else { "output differs from the .out file" };
        return Res::fail(first, got, p.secs);
    }
    Res::pass(got, p.secs)
}

pub(super) fn run_gotest(ctx: &Ctx, t: &GoTest, rt: Rt) -> Res {
    let tmp = match TempDir::new("conform") {
        Ok(t) => t,
        Err(e) => return Res::fail(format!("harness: {}", e.msg), String::new(), 0.0),
    };
    let r = &t.recipe;
    let run_limit = r.timeout.map(Duration::from_secs).unwrap_or(ctx.opts.timeout).max(ctx.opts.timeout);
    let st = Step { ctx, rt, goexp: &r.goexp, run_limit };
    let want = expected_output(ctx, t);
    let td = &ctx.test_dir;
    let res = (|| -> std::result::Result<Res, Res> {
        let mut secs = 0.0;
        match r.action.as_str() {
            "run" if r.flags.is_empty() && r.args.is_empty() && r.goexp.is_none() => {
                // Upstream's runner skips the go command here: compile and
                // link directly against the standard library's export data.
                let pkg = tmp.0.join("pkg.a");
                let exe = tmp.0.join("test.exe");
                let (_, cfg) = ctx.cfg(rt);
                let cfg_arg = format!("-importcfg={}", cfg.display());
                let pkg_s = pkg.display().to_string();
                secs += st.build(st.tool(td, &["compile", "-p=main", &cfg_arg, "-o", &pkg_s, &t.rel()]))?;
                let exe_s = exe.display().to_string();
                let mut link: Vec<String> = vec!["link".into()];
                if rt == Rt::Up {
                    link.extend(["-s".into(), "-w".into()]);
                }
                link.push(cfg_arg.clone());
                link.extend(st.link_flags());
                link.extend(["-o".into(), exe_s, pkg_s]);
                let mut c = ctx.go(rt);
                c.arg("tool").args(&link).current_dir(td);
                secs += st.build(c)?;
                let p = st.run(&exe, &[], td);
                let mut res = check_output(&p, &want);
                res.secs += secs;
                Ok(res)
            }
            "run" | "buildrun" => {
                let exe = tmp.0.join("a.exe");
                let (mut files, prog_args) = if r.action == "run" { split_go_files(&r.args) } else { (vec![], r.args.clone()) };
                files.insert(0, t.rel());
                secs += st.go_build(&r.flags, &files, &exe, td, None)?;
                let p = st.run(&exe, &prog_args, if r.action == "run" { td } else { &tmp.0 });
                let mut res = check_output(&p, &want);
                res.secs += secs;
                Ok(res)
            }
            "runoutput" => {
                let gen = tmp.0.join("gen.exe");
                let (mut files, prog_args) = split_go_files(&r.args);
                files.insert(0, t.rel());
                secs += st.go_build(&[], &files, &gen, td, None)?;
                let p = st.run(&gen, &prog_args, td);
                if !p.status.ok() {
                    let text = p.text();
                    return Err(Res::fail(format!("generator: {}", crash_line(&p.status, &text)), text, p.secs + secs));
                }
                secs += p.secs;
                let src = tmp.0.join("tmp__.go");
                std::fs::write(&src, &p.out).map_err(|e| Res::fail(format!("harness: {e}"), String::new(), secs))?;
                let exe = tmp.0.join("a.exe");
                secs += st.go_build(&[], &[src.display().to_string()], &exe, td, None)?;
                let p = st.run(&exe, &[], td);
                let mut res = check_output(&p, &want);
                res.secs += secs;
                Ok(res)
            }
            "rundir" => run_dir(ctx, &st, t, &tmp.0, &want, &t.recipe.flags, None),
            "errorcheckandrundir" => {
                // The runner's errorcheckdir step (diagnostics against the
                // ERROR comments; with -1 the package before the last must
                // fail to compile), then its rundir step with the same flags.
                let mut flags = t.recipe.flags.clone();
                flags.push("-d=panic".into());
                let allow_fail = error_check_dir(ctx, &st, t, &tmp.0, &flags)?;
                run_dir(ctx, &st, t, &tmp.0.join("run"), &want, &flags, allow_fail)
            }
            "buildrundir" => build_run_dir(ctx, &st, t, &tmp.0, &want),
            "runindir" => {
                let src = td.join(t.dir_name());
                let modname = src.file_name().unwrap().to_string_lossy().into_owned();
                let dst = tmp.0.join("src").join(&modname);
                mirror_dir(&src, &dst).map_err(|e| Res::fail(format!("harness: {}", e.msg), String::new(), 0.0))?;
                std::fs::write(dst.join("go.mod"), format!("module {modname}\ngo 1.14\n"))
                    .map_err(|e| Res::fail(format!("harness: {e}"), String::new(), 0.0))?;
                let exe = tmp.0.join("a.exe");
                secs += st.go_build(&r.flags, &[".".into()], &exe, &dst, Some(&tmp.0))?;
                let p = st.run(&exe, &r.args, &dst);
                let mut res = check_output(&p, &want);
                res.secs += secs;
                Ok(res)
            }
            a => Err(Res::fail(format!("harness: unsupported recipe {a}"), String::new(), 0.0)),
        }
    })();
    res.unwrap_or_else(|e| e)
}

/// The importcfg of a directory's packages: the standard library's (for
/// the runtime) and the directory's own, compiled into tmp/test/.
fn dir_importcfg(st: &Step, pkgs: &[(String, Vec<String>)], tmp: &Path) -> std::result::Result<String, Res> {
    let (std_cfg, _) = st.ctx.cfg(st.rt);
    let mut cfg = std_cfg.to_string();
    for (_, files) in pkgs {
        let p = format!("test/{}", files[0].trim_end_matches(".go"));
        cfg += &format!("\npackagefile {p}={}", tmp.join(format!("{p}.a")).display());
    }
    let cfg_file = tmp.join("importcfg");
    std::fs::create_dir_all(tmp.join("test")).and_then(|_| std::fs::write(&cfg_file, cfg)).map_err(|e| Res::fail(format!("harness: {e}"), String::new(), 0.0))?;
    Ok(format!("-importcfg={}", cfg_file.display()))
}

/// The runner's compileInDir: one package of a directory, in tmp.
fn compile_in_dir(st: &Step, dir: &Path, tmp: &Path, cfg_arg: &str, name: &str, files: &[String], flags: &[String]) -> Command {
    let mut args: Vec<String> = vec!["compile".into(), "-e".into(), "-D".into(), "test".into(), cfg_arg.to_string()];
    if name == "main" {
        args.push("-p=main".into());
    } else {
        let p = format!("test/{}", files[0].trim_end_matches(".go"));
        args.extend(["-o".into(), format!("{p}.a"), "-p".into(), p]);
    }
    args.extend(flags.iter().cloned());
    args.extend(files.iter().map(|f| dir.join(f).display().to_string()));
    let mut c = st.ctx.go(st.rt);
    c.arg("tool").args(&args).current_dir(tmp);
    c
}

/// errorcheckdir's step of errorcheckandrundir: compile the packages in
/// order and check each one's diagnostics against its files' ERROR
/// comments. With -1 the package before the last must fail to compile;
/// returns its index (the run step then lets it fail).
fn error_check_dir(ctx: &Ctx, st: &Step, t: &GoTest, tmp: &Path, flags: &[String]) -> std::result::Result<Option<usize>, Res> {
    let harness = |e: String| Res::fail(format!("harness: {e}"), String::new(), 0.0);
    let dir = ctx.test_dir.join(t.dir_name());
    let pkgs = dir_packages(&dir, t.recipe.single).map_err(|e| harness(e.msg))?;
    let want_error = t.recipe.want_error.unwrap_or(false);
    let err_pkg = if want_error { pkgs.len().checked_sub(2) } else { pkgs.len().checked_sub(1) };
    let cfg_arg = dir_importcfg(st, &pkgs, tmp)?;
    for (i, (name, files)) in pkgs.iter().enumerate() {
        let mut c = compile_in_dir(st, &dir, tmp, &cfg_arg, name, files, flags);
        let p = run_proc(&mut c, ctx.opts.build_timeout, None, None);
        let out = p.text();
        if Some(i) == err_pkg && want_error {
            if p.status.ok() {
                return Err(Res::fail("errorcheck: compilation succeeded unexpectedly", out, p.secs));
            }
        } else if !p.status.ok() {
            return Err(Res::fail(build_line(&out), out, p.secs));
        }
        let fullshort: Vec<(std::path::PathBuf, String)> = files.iter().map(|f| (dir.join(f), f.clone())).collect();
        if let Err(e) = error_check(&out, &fullshort) {
            let first = format!("errorcheck: {}", e.lines().next().unwrap_or(""));
            return Err(Res::fail(first, format!("{e}\n\ncompiler output:\n{out}"), p.secs));
        }
    }
    Ok(if want_error { err_pkg } else { None })
}

/// buildrundir: assemble and compile every .go and .s file of the
/// directory as package main, pack, link, run.
fn build_run_dir(ctx: &Ctx, st: &Step, t: &GoTest, tmp: &Path, want: &str) -> std::result::Result<Res, Res> {
    let harness = |e: String| Res::fail(format!("harness: {e}"), String::new(), 0.0);
    let dir = ctx.test_dir.join(t.dir_name());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| harness(format!("reading {}: {e}", dir.display())))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let full = |ext: &str| -> Vec<String> { names.iter().filter(|n| n.ends_with(ext)).map(|n| dir.join(n).display().to_string()).collect() };
    let (gos, asms) = (full(".go"), full(".s"));
    let (_, cfg) = ctx.cfg(st.rt);
    let cfg_arg = format!("-importcfg={}", cfg.display());
    let tool = |args: Vec<String>| {
        let mut c = st.ctx.go(st.rt);
        c.arg("tool").args(args).current_dir(tmp);
        c
    };
    let mut secs = 0.0;
    if !asms.is_empty() {
        std::fs::write(tmp.join("go_asm.h"), "").map_err(|e| harness(e.to_string()))?;
        let mut a: Vec<String> = ["asm", "-p=main", "-gensymabis", "-o", "symabis"].iter().map(|s| s.to_string()).collect();
        a.extend(asms.iter().cloned());
        secs += st.build(tool(a))?;
    }
    let mut a: Vec<String> = ["compile", "-p=main", "-e", "-D", "."].iter().map(|s| s.to_string()).collect();
    a.extend([cfg_arg.clone(), "-o".into(), "go.o".into()]);
    if !asms.is_empty() {
        a.extend(["-asmhdr", "go_asm.h", "-symabis", "symabis"].iter().map(|s| s.to_string()));
    }
    a.extend(gos.iter().cloned());
    secs += st.build(tool(a))?;
    let mut objs = vec!["go.o".to_string()];
    if !asms.is_empty() {
        let mut a: Vec<String> = ["asm", "-p=main", "-e", "-I", ".", "-o", "asm.o"].iter().map(|s| s.to_string()).collect();
        a.extend(asms.iter().cloned());
        secs += st.build(tool(a))?;
        objs.push("asm.o".into());
    }
    let mut a: Vec<String> = vec!["pack".into(), "c".into(), "all.a".into()];
    a.extend(objs);
    secs += st.build(tool(a))?;
    let mut a: Vec<String> = vec!["link".into(), cfg_arg];
    a.extend(st.link_flags());
    a.extend(["-o".into(), "a.exe".into(), "all.a".into()]);
    secs += st.build(tool(a))?;
    let p = st.run(&tmp.join("a.exe"), &[], tmp);
    let mut res = check_output(&p, want);
    res.secs += secs;
    Ok(res)
}

/// rundir: compile the directory's packages in order (each package's files
/// named by the first file), link the last as main, run it. `allow_fail`:
/// the package whose compilation may fail (errorcheckandrundir -1).
fn run_dir(ctx: &Ctx, st: &Step, t: &GoTest, tmp: &Path, want: &str, flags: &[String], allow_fail: Option<usize>) -> std::result::Result<Res, Res> {
    let r = &t.recipe;
    let dir = ctx.test_dir.join(t.dir_name());
    let pkgs = dir_packages(&dir, r.single).map_err(|e| Res::fail(format!("harness: {}", e.msg), String::new(), 0.0))?;
    let (mut flags, mut ldflags) = (flags.to_vec(), vec![]);
    if let Some(i) = flags.iter().position(|f| f == "-ldflags") {
        ldflags = flags.split_off(i + 1);
        flags.pop();
    }
    std::fs::create_dir_all(tmp).map_err(|e| Res::fail(format!("harness: {e}"), String::new(), 0.0))?;
    let cfg_arg = dir_importcfg(st, &pkgs, tmp)?;
    let mut secs = 0.0;
    for (i, (name, files)) in pkgs.iter().enumerate() {
        let c = compile_in_dir(st, &dir, tmp, &cfg_arg, name, files, &flags);
        match st.build(c) {
            Ok(s) => secs += s,
            Err(_) if allow_fail == Some(i) => {}
            Err(e) => return Err(e),
        }
        if i == pkgs.len() - 1 {
            let obj = files[0].replace(".go", ".o");
            let mut link: Vec<String> = vec!["link".into(), "-w".into(), "-o".into(), "a.exe".into(), cfg_arg.clone()];
            link.extend(st.link_flags());
            link.extend(ldflags.iter().cloned());
            link.push(obj);
            let mut c = st.ctx.go(st.rt);
            c.arg("tool").args(&link).current_dir(tmp);
            secs += st.build(c)?;
            let p = st.run(&tmp.join("a.exe"), &r.args, tmp);
            let mut res = check_output(&p, want);
            res.secs += secs;
            return Ok(res);
        }
    }
    Err(Res::fail("harness: rundir without packages", String::new(), secs))
}

/// The packages of a rundir directory in order: (package name, files).
fn dir_packages(dir: &Path, single: bool) -> Result<Vec<(String, Vec<String>)>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| Fail::new(format!("reading {}: {e}", dir.display())))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".go"))
        .collect();
    names.sort();
    let mut pkgs: Vec<(String, Vec<String>)> = Vec::new();
    for n in names {
        let src = std::fs::read_to_string(dir.join(&n))?;
        let pkg = package_name(&src).ok_or_else(|| Fail::new(format!("no package clause in {n}")))?;
        match pkgs.iter_mut().find(|(p, _)| *p == pkg) {
            Some((_, files)) if !single => files.push(n),
            _ => pkgs.push((pkg, vec![n])),
        }
    }
    Ok(pkgs)
}

/// The standard-library packages that the directly compiled programs
/// (`run` without flags, rundir) import, plus what every link needs.
pub(super) fn std_imports(test_dir: &Path, tests: &[GoTest]) -> Vec<String> {
    let mut set: BTreeSet<String> = ["runtime", "runtime/cgo"].iter().map(|s| s.to_string()).collect();
    let mut add = |src: &str| {
        for i in go_imports(src) {
            let first = i.split('/').next().unwrap_or("");
            if !i.starts_with('.') && !first.contains('.') && !i.starts_with("test/") && i != "C" {
                set.insert(i);
            }
        }
    };
    for t in tests {
        add(&std::fs::read_to_string(test_dir.join(t.rel())).unwrap_or_default());
        if ["rundir", "errorcheckandrundir", "buildrundir"].contains(&t.recipe.action.as_str()) {
            if let Ok(rd) = std::fs::read_dir(test_dir.join(t.dir_name())) {
                for e in rd.flatten() {
                    if e.file_name().to_string_lossy().ends_with(".go") {
                        add(&std::fs::read_to_string(e.path()).unwrap_or_default());
                    }
                }
            }
        }
    }
    // Local packages of rundir directories look like std paths ("a", "b"):
    // go list -e drops what it cannot find.
    set.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_go_files_join_the_package() {
        let r = parse_recipe("runoutput ./rotate.go").unwrap();
        assert_eq!(split_go_files(&r.args), (vec!["./rotate.go".to_string()], vec![]));
    }
}
