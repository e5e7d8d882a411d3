//! The host linker gort's builds use (`-extld`): the C compiler driver,
//! with one decision added. A program in which no package but runtime/cgo
//! uses cgo is linked statically, as upstream's internal linker links it;
//! any other program (cgo packages such as net and os/user, C libraries,
//! .syso objects, the race runtime, shared or PIE build modes) is linked
//! exactly as the go command asked.
//!
//! Why: gort's runtime reaches the host linker as a C-ABI static library,
//! so every gort program is an external link, and a dynamic one loads
//! ld.so and libc.so, whose touched pages (about 1.3 MiB) dominated a small
//! program's resident set (hello world: 2.9 MiB against upstream's 1.8).
//!
//! The go command names the C compiler with `-extld` unless the build
//! flags already do; gort's flags do (so that this runs), which means the
//! choice the go command would have made is made again here: $CC (default
//! gcc), or $CXX (default g++) when a host object is C++, as the go command
//! picks CXX when a package has C++ files.
//!
//! Reached through the symlink `gort-extld` in the overlay (see
//! overlay::ensure), so the dispatch is on argv[0].

use crate::{Fail, Result};
use object::{Object, ObjectSymbol, SymbolKind};
use std::os::unix::process::CommandExt;
use std::process::Command;

/// The name of the overlay's symlink to gort; main dispatches on it.
pub const NAME: &str = "gort-extld";

/// Host objects runtime/cgo contributes to every external link (the link
/// tool adds runtime/cgo to a program that does not import it): their
/// source files' names, as their STT_FILE symbols give them. Every cgo
/// package has its own `_cgo_export.c`, so a second cgo package always
/// shows as a repeated name.
fn is_runtime_cgo_source(name: &str) -> bool {
    name == "_cgo_export.c"
        || name == "cgo.cgo2.c"
        || name == "linux_syscall.c"
        || (name.starts_with("gcc_") && (name.ends_with(".c") || name.ends_with(".S")))
}

/// What the host objects of a final link say about the program.
#[derive(Default, Debug, PartialEq)]
struct Hosts {
    /// Some host object is not runtime/cgo's (another cgo package, a .syso).
    foreign: bool,
    /// Some host object is C++ (mangled names, the C++ personality routine).
    cxx: bool,
}

fn scan_hosts(objs: &[&str]) -> Result<Hosts> {
    let mut h = Hosts::default();
    let mut seen = std::collections::BTreeSet::new();
    for path in objs {
        let data = std::fs::read(path).map_err(|e| Fail::new(format!("{NAME}: reading {path}: {e}")))?;
        let file = object::File::parse(&*data).map_err(|e| Fail::new(format!("{NAME}: {path}: {e}")))?;
        let mut sources = 0;
        for sym in file.symbols() {
            let Ok(name) = sym.name() else { continue };
            if sym.kind() == SymbolKind::File {
                sources += 1;
                if !is_runtime_cgo_source(name) || !seen.insert(name.to_string()) {
                    h.foreign = true;
                }
            } else if name.starts_with("_Z") || name.starts_with("__gxx_personality") || name.starts_with("__cxa_") {
                h.cxx = true;
            }
        }
        if sources == 0 {
            h.foreign = true;
        }
    }
    Ok(h)
}

/// Whether the arguments are a final Go link: the link tool's go.o among
/// them (its probes of the compiler's flags have none).
fn final_link(args: &[String]) -> bool {
    args.iter().any(|a| a.rsplit('/').next() == Some("go.o"))
}

/// Whether nothing in the arguments asks for a dynamic link: a shared
/// object, PIE, a library other than libpthread and gort's own.
fn static_ok(args: &[String]) -> bool {
    !args.iter().any(|a| {
        let base = a.rsplit('/').next().unwrap_or(a);
        matches!(a.as_str(), "-shared" | "-pie" | "-static-pie" | "-r")
            || (a.starts_with("-l") && a != "-lpthread")
            || a.starts_with("-L")
            || a.ends_with(".so")
            || a.contains(".so.")
            || (a.ends_with(".a") && base != "libgort_rt.a")
            || a.starts_with("-Wl,-Bdynamic")
    })
}

/// The host objects of a link: `.o` arguments other than go.o.
fn host_objects(args: &[String]) -> Vec<&str> {
    args.iter()
        .map(String::as_str)
        .filter(|a| a.ends_with(".o") && !a.starts_with('-') && a.rsplit('/').next() != Some("go.o"))
        .collect()
}

/// The compiler driver named by an environment variable (a command with
/// arguments, split at spaces as the go command's defaults are), or `dflt`.
fn driver(var: &str, dflt: &str) -> Vec<String> {
    let v = std::env::var(var).unwrap_or_default();
    let words: Vec<String> = v.split_whitespace().map(String::from).collect();
    if words.is_empty() {
        vec![dflt.to_string()]
    } else {
        words
    }
}

/// The argument list with the link made static: the dynamic-export and
/// interpreter flags go (as the link tool drops them for a user's
/// -extldflags=-static), `-static` is added.
fn make_static(args: &[String]) -> Vec<String> {
    let mut out: Vec<String> = args
        .iter()
        .filter(|a| *a != "-rdynamic" && !a.starts_with("-Wl,--dynamic-linker,"))
        .cloned()
        .collect();
    out.push("-static".to_string());
    out
}

/// Which C library goes into a static link: `GORT_LIBC=musl` or `glibc`
/// chooses; unset, musl when its compiler driver is installed (Debian's
/// musl-tools) and the C compiler is the default one. Some((driver,
/// forced)) for musl, `forced` when GORT_LIBC named it; None for glibc.
///
/// Why musl: the only C in such a program is runtime/cgo's, which needs a
/// few pthread, signal and stdio calls; static glibc brings 600 KiB of
/// code besides (its startup alone pulls in dlopen, locale and gettext
/// support), every page of which a small program ends up mapping: hello
/// world's peak resident set was 1.9 MiB against upstream's 1.5; with musl,
/// 1.0. runtime/cgo's objects are compiled against glibc's headers (the
/// go command compiled them before the link chose); what they use has the
/// same layout in both libraries on linux/amd64 (pthread_attr_t, sigset_t,
/// struct sigaction), and any symbol musl lacks fails the link, which then
/// falls back to glibc.
pub fn static_libc(cxx: bool) -> Result<Option<(&'static str, bool)>> {
    const MUSL: &str = "musl-gcc";
    let asked = std::env::var("GORT_LIBC").unwrap_or_default();
    match asked.as_str() {
        "glibc" => return Ok(None),
        "musl" => return Ok(Some((MUSL, true))),
        "" => {}
        other => return Err(Fail::new(format!("{NAME}: GORT_LIBC={other}: want musl or glibc"))),
    }
    let default_cc = std::env::var("CC").map(|c| c.trim().is_empty() || c.trim() == "gcc").unwrap_or(true);
    let installed = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join(MUSL).is_file()));
    Ok((!cxx && default_cc && installed).then_some((MUSL, false)))
}

pub fn cmd_extld(args: &[String]) -> Result<u8> {
    let go_link = final_link(args);
    let hosts = if go_link { scan_hosts(&host_objects(args))? } else { Hosts::default() };
    let cc = if hosts.cxx { driver("CXX", "g++") } else { driver("CC", "gcc") };
    let make_it_static = go_link && static_ok(args) && !hosts.foreign;
    let args = if make_it_static { make_static(args) } else { args.to_vec() };
    if make_it_static {
        if let Some((musl, forced)) = static_libc(hosts.cxx)? {
            let mut cmd = Command::new(musl);
            cmd.args(&args);
            if forced {
                let err = cmd.exec();
                return Err(Fail::new(format!("{NAME}: running {musl}: {err}")));
            }
            // Not asked for by name: if musl cannot link this program,
            // glibc does, quietly.
            let ok = cmd.stderr(std::process::Stdio::null()).status().is_ok_and(|st| st.success());
            if ok {
                return Ok(0);
            }
        }
    }
    let err = Command::new(&cc[0]).args(&cc[1..]).args(&args).exec();
    Err(Fail::new(format!("{NAME}: running {}: {err}", cc[0])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn static_only_for_plain_go_links() {
        let base = "-m64 -o a.out -Wl,--export-dynamic-symbol=crosscall2 /t/go.o /t/000000.o /x/libgort_rt.a -O2 -g -lpthread -no-pie";
        assert!(final_link(&v(base)) && static_ok(&v(base)));
        assert!(!static_ok(&v(&format!("{base} -lresolv"))));
        assert!(!static_ok(&v(&format!("{base} -L/opt/lib"))));
        assert!(!static_ok(&v(&format!("{base} /usr/lib/libfoo.so.1"))));
        assert!(!static_ok(&v(&format!("{base} /usr/lib/libfoo.a"))));
        assert!(!static_ok(&v(&format!("{base} -shared"))));
        assert!(!static_ok(&v(&format!("{base} -pie"))));
        // The link tool's probes (no go.o) pass through untouched.
        assert!(!final_link(&v("-Wl,--export-dynamic-symbol=main -o /t/a.out /t/trivial.c")));
    }

    #[test]
    fn static_args_drop_dynamic_exports() {
        let a = make_static(&v("-m64 -rdynamic -Wl,--dynamic-linker,/lib/ld.so /t/go.o -no-pie"));
        assert_eq!(a, v("-m64 /t/go.o -no-pie -static"));
    }

    #[test]
    fn runtime_cgo_sources() {
        for n in ["_cgo_export.c", "cgo.cgo2.c", "gcc_libinit.c", "gcc_amd64.S", "linux_syscall.c"] {
            assert!(is_runtime_cgo_source(n), "{n}");
        }
        for n in ["main.cgo2.c", "foo.c", "race_linux_amd64.syso", "gcc_x.cc"] {
            assert!(!is_runtime_cgo_source(n), "{n}");
        }
    }
}
