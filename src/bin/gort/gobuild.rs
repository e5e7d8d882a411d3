//! Running the go command with gort's environment, and explaining link
//! failures caused by runtime entry points gort does not provide yet.

use crate::overlay::{self, Overlay};
use crate::toolchain::Toolchain;
use crate::{Fail, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The linker flags gort needs (in front of any the user gives, so that a
/// user's own -extld wins): external linking, the library's identity, and
/// gort's host-linker driver (extld.rs: static links for programs without
/// cgo packages).
/// GORT_DYNAMIC=1 leaves the driver out (the go command then names $CC,
/// which links dynamically); being in the flags, the choice is part of the
/// go command's cache keys.
pub fn ldflags(ov: &Overlay) -> Result<String> {
    let id = overlay::lib_id(&ov.lib)?;
    if std::env::var_os("GORT_DYNAMIC").is_some_and(|v| v == "1") {
        return Ok(format!("-linkmode=external -X=runtime.gortLibID={id}"));
    }
    Ok(format!("-linkmode=external -X=runtime.gortLibID={id} -extld={}", ov.root.join(crate::extld::NAME).display()))
}

/// The environment under which plain `go` builds with gort.
///
/// GOROOT_FINAL makes the linker write the installed toolchain's GOROOT
/// into binaries (source paths of std and runtime frames in tracebacks, and
/// runtime.GOROOT()'s default), exactly as an upstream build would, instead
/// of the overlay's path.
pub fn gort_env(tc: &Toolchain, ov: &Overlay) -> Result<Vec<(String, String)>> {
    let path = std::env::var("PATH").unwrap_or_default();
    Ok(vec![
        ("GOROOT".into(), ov.root.display().to_string()),
        ("GOROOT_FINAL".into(), tc.goroot.display().to_string()),
        ("GOFLAGS".into(), format!("\"-ldflags={}\"", ldflags(ov)?)),
        ("CGO_ENABLED".into(), "1".into()),
        ("GOTOOLCHAIN".into(), "local".into()),
        ("PATH".into(), format!("{}:{path}", ov.root.join("bin").display())),
    ])
}

/// A go command under gort's environment.
pub fn gort_go(tc: &Toolchain, ov: &Overlay) -> Result<Command> {
    let mut c = Command::new(&tc.go);
    for (k, v) in gort_env(tc, ov)? {
        c.env(k, v);
    }
    Ok(c)
}

/// A go command for upstream's runtime (for comparisons).
pub fn upstream_go(tc: &Toolchain) -> Command {
    let mut c = Command::new(&tc.go);
    c.env("GOROOT", &tc.goroot).env("GOTOOLCHAIN", "local").env_remove("GOFLAGS");
    c
}

pub fn cmd_go(args: &[String]) -> Result<u8> {
    let tc = Toolchain::find()?;
    let ov = overlay::ensure(&tc)?;
    let st = gort_go(&tc, &ov)?.args(args).status()?;
    Ok(st.code().unwrap_or(1) as u8)
}

/// go build flags that take a value as the next argument.
const VALUE_FLAGS: &[&str] = &[
    "-o", "-p", "-asmflags", "-buildmode", "-compiler", "-gccgoflags", "-gcflags", "-installsuffix", "-ldflags",
    "-mod", "-modfile", "-overlay", "-pgo", "-pkgdir", "-tags", "-toolexec", "-C", "-covermode", "-coverpkg",
    "-exec", "-buildvcs",
];

/// A go command line split into build flags, the build target(s) and the
/// program's arguments (as `go run` splits them).
pub struct Split {
    pub flags: Vec<String>,
    pub targets: Vec<String>,
    pub args: Vec<String>,
}

pub fn split_args(args: &[String], take_prog_args: bool) -> Result<Split> {
    let mut flags = Vec::new();
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') && args[i] != "-" {
        let a = &args[i];
        if a == "--" {
            i += 1;
            break;
        }
        let name = a.split('=').next().unwrap().replacen("--", "-", 1);
        flags.push(a.clone());
        if !a.contains('=') && VALUE_FLAGS.contains(&name.as_str()) {
            i += 1;
            let v = args.get(i).ok_or_else(|| Fail::new(format!("flag {a} needs a value")))?;
            flags.push(v.clone());
        }
        i += 1;
    }
    let mut targets = Vec::new();
    if take_prog_args {
        // Either a run of .go files or one package.
        while i < args.len() && args[i].ends_with(".go") {
            targets.push(args[i].clone());
            i += 1;
        }
        if targets.is_empty() && i < args.len() {
            targets.push(args[i].clone());
            i += 1;
        }
        Ok(Split { flags, targets, args: args[i..].to_vec() })
    } else {
        targets.extend(args[i..].iter().cloned());
        Ok(Split { flags, targets, args: vec![] })
    }
}

/// Merge gort's -ldflags into the user's build flags (a command-line flag
/// would otherwise replace the GOFLAGS one).
pub fn merge_flags(flags: &[String], ov: &Overlay) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut saw_ld = false;
    while i < flags.len() {
        let f = &flags[i];
        let (name, val) = match f.split_once('=') {
            Some((n, v)) => (n.replacen("--", "-", 1), Some(v.to_string())),
            None => (f.replacen("--", "-", 1), None),
        };
        let takes = VALUE_FLAGS.contains(&name.as_str());
        let (val, step) = match (&val, takes) {
            (Some(v), _) => (Some(v.clone()), 1),
            (None, true) => (flags.get(i + 1).cloned(), 2),
            (None, false) => (None, 1),
        };
        match name.as_str() {
            "-ldflags" => {
                saw_ld = true;
                out.push(format!("-ldflags={} {}", ldflags(ov)?, val.unwrap_or_default()));
            }
            _ => out.extend(flags[i..i + step].iter().cloned()),
        }
        i += step;
    }
    if !saw_ld {
        out.insert(0, format!("-ldflags={}", ldflags(ov)?));
    }
    Ok(out)
}

/// Runtime symbols named in a failed link's output.
pub fn missing_symbols(out: &str) -> BTreeSet<String> {
    let mut syms = BTreeSet::new();
    let mut grab = |s: &str| {
        let s = s.trim_matches(|c: char| c == '`' || c == '\'' || c == '"' || c == ':');
        if !s.is_empty() {
            syms.insert(s.to_string());
        }
    };
    for line in out.lines() {
        if let Some(i) = line.find("undefined reference to ") {
            grab(&line[i + 23..]);
        } else if let Some(i) = line.find("reference to undefined builtin ") {
            let rest = &line[i + 31..];
            grab(rest.split_whitespace().next().unwrap_or(""));
        } else if let Some(i) = line.find("relocation target ") {
            let rest = &line[i + 18..];
            if rest.contains("not defined") {
                grab(rest.split_whitespace().next().unwrap_or(""));
            }
        } else if let Some(i) = line.find("could not look up ") {
            grab(&line[i + 18..]);
        }
    }
    syms
}

/// Run `go build` with gort; on a link failure caused by missing runtime
/// symbols, say which ones instead of the linker's output.
pub fn build(tc: &Toolchain, ov: &Overlay, flags: &[String], targets: &[String], dir: Option<&Path>) -> Result<()> {
    let mut c = gort_go(tc, ov)?;
    c.arg("build").args(merge_flags(flags, ov)?).args(targets);
    if let Some(d) = dir {
        c.current_dir(d);
    }
    explain_failure(c)
}

/// Run a go command that builds (its diagnostics go to stderr as they
/// are); on a link failure caused by missing runtime symbols, say which
/// ones instead of the linker's output.
pub fn explain_failure(mut c: Command) -> Result<()> {
    let out = c.stdout(Stdio::inherit()).stderr(Stdio::piped()).output()?;
    let text = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        eprint!("{text}");
        return Ok(());
    }
    let missing = missing_symbols(&text);
    if missing.is_empty() {
        eprint!("{text}");
        if text.contains("panic: ") && text.contains("cmd/link/") {
            return Err(Fail::new(
                "the Go linker crashed while linking against gort's runtime: this is a gort bug \
                 (its runtime package is missing something the linker expects); the linker's report is above",
            ));
        }
        // The go command said why: nothing to add.
        return Err(Fail { msg: String::new(), status: out.status.code().unwrap_or(1) as u8 });
    }
    let mut msg = String::from("this program needs runtime symbols that gort does not provide yet:\n");
    for s in &missing {
        msg += &format!("\t{s}\n");
    }
    msg += "(see docs/SURFACE.md for what gort implements)";
    Err(Fail::new(msg))
}

pub fn cmd_build(args: &[String]) -> Result<u8> {
    let tc = Toolchain::find()?;
    let ov = overlay::ensure(&tc)?;
    let s = split_args(args, false)?;
    build(&tc, &ov, &s.flags, &s.targets, None)?;
    Ok(0)
}

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Result<TempDir> {
        let base = std::env::var_os("TMPDIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/tmp"));
        for n in 0..1000u32 {
            let p = base.join(format!("gort-{tag}-{}-{n}", std::process::id()));
            if std::fs::create_dir(&p).is_ok() {
                return Ok(TempDir(p));
            }
        }
        Err(Fail::new("cannot create a temporary directory"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Drop any -o the user gave: run and diff choose where the executable goes.
pub fn strip_output(flags: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < flags.len() {
        if flags[i] == "-o" {
            i += 2;
            continue;
        }
        if flags[i].starts_with("-o=") {
            i += 1;
            continue;
        }
        out.push(flags[i].clone());
        i += 1;
    }
    out
}

/// `gort run`: `go run` under gort's environment (so that every check and
/// diagnostic is go's own: not a main package, no files, test files...),
/// except that the program runs as gort's child, so that its exit status
/// passes through: go run hands the executable it built to `gort
/// __keep-exe DIR`, which moves it out of go's work directory.
pub fn cmd_run(args: &[String]) -> Result<u8> {
    let tc = Toolchain::find()?;
    let ov = overlay::ensure(&tc)?;
    let s = split_args(args, true)?;
    let user_exec = s.flags.iter().any(|f| {
        let n = f.split('=').next().unwrap_or("").replacen("--", "-", 1);
        n == "-exec"
    });
    if user_exec {
        // The user's -exec program runs it: go run as it is.
        let mut c = gort_go(&tc, &ov)?;
        c.arg("run").args(merge_flags(&s.flags, &ov)?).args(&s.targets).args(&s.args);
        return Ok(c.status()?.code().unwrap_or(1) as u8);
    }
    let tmp = TempDir::new("run")?;
    let me = std::env::current_exe()?;
    let quoted = |p: &Path| -> Result<String> {
        let t = p.display().to_string();
        if t.contains('\'') {
            return Err(Fail::new(format!("run: path {t:?} must not contain a quote")));
        }
        Ok(format!("'{t}'"))
    };
    let mut c = gort_go(&tc, &ov)?;
    c.arg("run")
        .args(merge_flags(&s.flags, &ov)?)
        .arg(format!("-exec={} {KEEP_EXE} {}", quoted(&me)?, quoted(&tmp.0)?))
        .args(&s.targets);
    explain_failure(c)?;
    let exe = std::fs::read_dir(&tmp.0)?
        .next()
        .ok_or_else(|| Fail::new("run: go run did not hand over the program it built"))??
        .path();
    let st = Command::new(&exe).args(&s.args).status()?;
    use std::os::unix::process::ExitStatusExt;
    Ok(match (st.code(), st.signal()) {
        (Some(c), _) => c as u8,
        (None, Some(sig)) => 128 + sig as u8,
        _ => 1,
    })
}

/// The hidden subcommand go run's -exec calls: `gort __keep-exe DIR EXE
/// [ARGS...]` moves EXE into DIR (the arguments are gort run's business).
pub const KEEP_EXE: &str = "__keep-exe";

pub fn cmd_keep_exe(args: &[String]) -> Result<u8> {
    let [dir, exe, ..] = args else {
        return Err(Fail::new(format!("{KEEP_EXE}: want a directory and an executable")));
    };
    let (dir, exe) = (Path::new(dir), Path::new(exe));
    let dest = dir.join(exe.file_name().ok_or_else(|| Fail::new(format!("{KEEP_EXE}: bad executable {exe:?}")))?);
    if std::fs::rename(exe, &dest).is_err() {
        std::fs::copy(exe, &dest)?;
    }
    Ok(0)
}
