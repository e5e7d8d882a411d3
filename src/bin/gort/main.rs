//! `gort`: build and run Go programs on gort's runtime.
//!
//! The flags after a subcommand are go's own; gort adds only what it must
//! (its overlay GOROOT, external linking, the build tags it needs).

mod conform;
mod diff;
mod extld;
mod gobuild;
mod leafstack;
mod overlay;
mod surface;
#[cfg(test)]
mod layouttest;
mod toolchain;

use std::process::ExitCode;

const USAGE: &str = "\
gort: Go programs on a Rust runtime (gort replaces the runtime package of go1.22.12 linux/amd64)

Usage:
  gort env                      print shell exports so that plain `go` uses gort:
                                  eval \"$(gort env)\"
  gort go ARGS...               run the pinned go command with gort's environment
  gort build [build flags] PKG|FILE.go...
                                go build, linked with gort
  gort run [build flags] FILE.go|PKG [args...]
                                build with gort and run
  gort diff [build flags] [-timeout=D] [-count=N] FILE.go|PKG [args...]
                                build with upstream's runtime and with gort, run both
                                (same args and stdin), compare exit status, stdout
                                and stderr; exit 0 only when they agree (-count=N:
                                run gort's build N times, every run must agree)
  gort conform [flags]          conformance: GOROOT/test programs, std package tests and
                                runtime tests, each with upstream's runtime and with gort's;
                                writes target/conform/results.json (and, for the full run,
                                docs/CONFORMANCE.md); fails on regressions against
                                conform/baseline.txt. Flags:
                                  --ci                 only the CI subset (conform/ci.list)
                                  --only PAT[,PAT]     only matching tests (substring or glob:
                                                       test/fixedbugs/bug1*, std/strings,
                                                       std/fmt:TestSprintf, runtime:TestCaller);
                                                       shows the diff for each failure
                                  --suite test,std,runtime   --pkgs P1,P2   (std packages)
                                  -j N  --timeout 60s  --build-timeout 10m  --mem 4096 (MiB)
                                  --json FILE  --md FILE  --gort-only  --update-baseline  -v
  gort doctor                   what is installed, and whether the overlay is fresh
  gort surface [-check]         regenerate docs/SURFACE.md (the runtime entry points
                                and their status); -check fails if it is stale
  gort leafstack [-v] BINARY    check that the leaf entry points' fast paths in a program
                                built with gort fit their stack room (needs objdump);
                                -v shows each one's deepest call chain
";

/// An error for the user: printed as `gort: <msg>` (nothing when the
/// message is empty: the go command has reported it), exit status 1 (or
/// the given status).
pub struct Fail {
    pub msg: String,
    pub status: u8,
}

impl Fail {
    pub fn new(msg: impl Into<String>) -> Fail {
        Fail { msg: msg.into(), status: 1 }
    }
}

impl<E: std::fmt::Display> From<E> for Fail {
    fn from(e: E) -> Fail {
        Fail::new(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, Fail>;

fn main() -> ExitCode {
    let argv0 = std::env::args().next().unwrap_or_default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let res = if argv0.rsplit('/').next() == Some(extld::NAME) { extld::cmd_extld(&args) } else { subcommand(&args) };
    match res {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            if !f.msg.is_empty() {
                eprintln!("gort: {}", f.msg);
            }
            ExitCode::from(f.status)
        }
    }
}

fn subcommand(args: &[String]) -> Result<u8> {
    match args.first().map(|s| s.as_str()) {
        None | Some("help") | Some("-h") | Some("--help") | Some("-help") => {
            print!("{USAGE}");
            Ok(0)
        }
        Some("env") => cmd_env(&args[1..]),
        Some("go") => gobuild::cmd_go(&args[1..]),
        Some("build") => gobuild::cmd_build(&args[1..]),
        Some("run") => gobuild::cmd_run(&args[1..]),
        Some("diff") => diff::cmd_diff(&args[1..]),
        Some("conform") => conform::cmd_conform(&args[1..]),
        Some("doctor") => cmd_doctor(&args[1..]),
        Some("surface") => surface::cmd_surface(&args[1..]),
        Some("leafstack") => leafstack::cmd_leafstack(&args[1..]),
        Some(gobuild::KEEP_EXE) => gobuild::cmd_keep_exe(&args[1..]),
        Some(other) => Err(Fail::new(format!(
            "unknown subcommand {other:?}\nRun 'gort help' for usage."
        ))),
    }
}

fn no_args(cmd: &str, args: &[String]) -> Result<()> {
    if let Some(a) = args.first() {
        return Err(Fail::new(format!("{cmd}: unexpected argument {a:?}")));
    }
    Ok(())
}

fn cmd_env(args: &[String]) -> Result<u8> {
    no_args("env", args)?;
    let tc = toolchain::Toolchain::find()?;
    let ov = overlay::ensure(&tc)?;
    for (k, v) in gobuild::gort_env(&tc, &ov)? {
        println!("export {k}={}", shell_quote(&v));
    }
    Ok(0)
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn cmd_doctor(args: &[String]) -> Result<u8> {
    no_args("doctor", args)?;
    println!("gort {}", env!("CARGO_PKG_VERSION"));
    let tc = match toolchain::Toolchain::find() {
        Ok(tc) => tc,
        Err(f) => {
            println!("go:        NOT USABLE: {}", f.msg);
            return Ok(1);
        }
    };
    println!("go:        {} ({})", tc.version, tc.go.display());
    println!("GOROOT:    {}", tc.goroot.display());
    let lib = overlay::runtime_lib()?;
    println!("runtime:   {} ({} bytes, id {})", lib.display(), std::fs::metadata(&lib)?.len(), overlay::lib_id(&lib)?);
    let dir = overlay::overlay_dir();
    match overlay::status(&tc) {
        overlay::Status::Fresh => println!("overlay:   {} (fresh)", dir.display()),
        overlay::Status::Stale => println!("overlay:   {} (stale: will be rebuilt on next use)", dir.display()),
        overlay::Status::Missing => println!("overlay:   {} (not created yet)", dir.display()),
    }
    let t = surface::load_table()?;
    let todo = t.entries.iter().filter(|e| e.todo).count();
    println!("surface:   {} Rust entry points, {} not implemented yet", t.entries.len(), todo);
    // The C library of static links (programs without cgo packages).
    match extld::static_libc(false) {
        Ok(Some((driver, _))) => println!("static C:  musl ({driver})"),
        Ok(None) => println!("static C:  glibc (musl-gcc not found, or GORT_LIBC=glibc, or CC set: see ARCHITECTURE.md)"),
        Err(f) => println!("static C:  {}", f.msg),
    }
    Ok(0)
}
