//! `gort surface`: the status table of runtime entry points (docs/SURFACE.md).
//!
//! Upstream's surface is read from the installed toolchain:
//! - compiler builtins: cmd/compile's _builtin/runtime.go, plus the
//!   runtime functions and variables cmd/compile looks up by name;
//! - linker requirements: "runtime.X" names in cmd/link;
//! - pushes: //go:linkname definitions in upstream's runtime (its
//!   linux/amd64 files) that give functions to other packages;
//! - pulls: //go:linkname references from std packages to runtime.X,
//!   and runtime·X references in std assembly;
//! - the exported API: $GOROOT/api/go1*.txt.
//!
//! Each is looked up in gort: the surface table (Rust, implemented or
//! "not implemented"), the Go face's Go and assembly definitions.

use crate::overlay::{RUNTIME_FILES, SURFACE_DEF};
use crate::toolchain::Toolchain;
use crate::{Fail, Result};
use gort_gen::surface::{self as table, Table};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn load_table() -> Result<Table> {
    table::parse_table(SURFACE_DEF).map_err(Fail::new)
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// How gort provides an entry point.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Status {
    Rust,
    Go,
    Asm,
    Declared,
    NotImplemented,
    Elsewhere,
    Unsupported,
    Missing,
}

impl Status {
    fn text(self) -> &'static str {
        match self {
            Status::Rust => "Rust",
            Status::Go => "Go face",
            Status::Asm => "assembly",
            Status::Declared => "declared (intrinsic, variable, type or constant)",
            Status::NotImplemented => "**not implemented** (fails loudly)",
            Status::Elsewhere => "provided by another upstream package",
            Status::Unsupported => "instrumentation or experiment gort does not support yet",
            Status::Missing => "**missing**",
        }
    }
}

/// gort's definitions, by symbol name (pkg.name).
struct Gort {
    status: BTreeMap<String, Status>,
}

fn go_files() -> impl Iterator<Item = (&'static str, &'static str)> {
    RUNTIME_FILES.iter().filter_map(|(n, d)| std::str::from_utf8(d).ok().map(|s| (*n, s)))
}

impl Gort {
    fn load() -> Result<Gort> {
        let mut status = BTreeMap::new();
        let t = load_table()?;
        // The runtime tests' hooks (`!test`) are no part of the runtime.
        for e in t.entries.iter().filter(|e| !e.test) {
            let sym = match &e.kind {
                table::Kind::Func => format!("runtime.{}", e.name),
                table::Kind::Push(p, n) => format!("{p}.{n}"),
            };
            status.insert(sym, if e.todo { Status::NotImplemented } else { Status::Rust });
        }
        for (name, text) in go_files() {
            if name.ends_with(".s") {
                for line in text.lines() {
                    let Some(rest) = line.strip_prefix("TEXT ") else { continue };
                    let sym = rest.split(['(', '<']).next().unwrap_or("").trim();
                    let sym = sym.replace('·', ".").replace('∕', "/");
                    let sym = if sym.starts_with('.') { format!("runtime{sym}") } else { sym };
                    status.entry(sym).or_insert(Status::Asm);
                }
                continue;
            }
            if !name.ends_with(".go") {
                continue;
            }
            let lines: Vec<&str> = text.lines().collect();
            let mut links: BTreeMap<String, String> = BTreeMap::new();
            for l in &lines {
                if let Some(rest) = l.strip_prefix("//go:linkname ") {
                    let mut it = rest.split_whitespace();
                    if let (Some(local), Some(target)) = (it.next(), it.next()) {
                        links.insert(local.to_string(), target.to_string());
                    }
                }
            }
            for l in &lines {
                let decl = if let Some(r) = l.strip_prefix("func ") {
                    // Methods: func (r T) Name(
                    let r = if r.starts_with('(') { r.split_once(") ").map(|x| x.1).unwrap_or(r) } else { r };
                    let n: String = r.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    let body = l.trim_end().ends_with('{');
                    Some((n, if body { Status::Go } else { Status::Declared }))
                } else if let Some(r) = l.strip_prefix("var ").or_else(|| l.strip_prefix("type ")).or_else(|| l.strip_prefix("const ")) {
                    let n: String = r.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    Some((n, Status::Declared))
                } else if l.starts_with('\t') && !l.trim_start().starts_with("//") {
                    // Members of var/const/type groups.
                    let t = l.trim_start();
                    let n: String = t.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if !n.is_empty() && (t[n.len()..].starts_with(' ') || t[n.len()..].starts_with(',')) {
                        Some((n, Status::Declared))
                    } else {
                        None
                    }
                } else {
                    None
                };
                if let Some((n, st)) = decl {
                    if n.is_empty() {
                        continue;
                    }
                    let sym = links.get(&n).cloned().unwrap_or_else(|| format!("runtime.{n}"));
                    let cur = status.entry(sym).or_insert(st);
                    if *cur == Status::Declared && st == Status::Go {
                        *cur = st;
                    }
                }
            }
        }
        Ok(Gort { status })
    }

    fn status(&self, sym: &str) -> Status {
        // Defined by upstream packages other than runtime.
        const ELSEWHERE: &[&str] = &[
            "runtime.memequal", "runtime.memequal_varlen", "runtime.cmpstring", "sync/atomic.CompareAndSwapUintptr",
            "sync/atomic.StoreUintptr", "sync/atomic.SwapUintptr",
        ];
        if ELSEWHERE.contains(&sym) {
            return Status::Elsewhere;
        }
        let n = sym.strip_prefix("runtime.").unwrap_or(sym);
        let unsupported = ["race", "msan", "asan", "libfuzzer", "cgoCheck"].iter().any(|p| n.starts_with(p));
        if let Some(s) = self.status.get(sym) {
            // A body-less declaration implemented by a Rust trampoline or
            // assembly of the same name shows the implementation.
            return *s;
        }
        // Methods in the API appear as "runtime.(*T).M" or "runtime.T.M":
        // look up the method name.
        if let Some(m) = sym.rsplit('.').next() {
            if sym.contains(".(") || sym.matches('.').count() > 1 && sym.starts_with("runtime.") {
                if let Some(s) = self.status.get(&format!("runtime.{m}")) {
                    return *s;
                }
            }
        }
        if unsupported {
            return Status::Unsupported;
        }
        Status::Missing
    }
}

/// One upstream entry point.
struct Entry {
    sym: String,
    /// How upstream provides or uses it.
    what: String,
}

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_default()
}

/// Go and assembly files under dir (testdata and cmd excluded).
fn walk_go_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.is_dir() {
            if name == "testdata" || name == "cmd" {
                continue;
            }
            walk_go_files(&p, out);
        } else if (name.ends_with(".go") && !name.ends_with("_test.go")) || name.ends_with(".s") {
            out.push(p);
        }
    }
}

/// Upstream's surface, by category.
fn upstream(tc: &Toolchain) -> Result<BTreeMap<&'static str, Vec<Entry>>> {
    let src = tc.goroot.join("src");
    let mut cats: BTreeMap<&'static str, Vec<Entry>> = BTreeMap::new();

    // Compiler builtins.
    let mut builtins = BTreeSet::new();
    for l in read(&src.join("cmd/compile/internal/typecheck/_builtin/runtime.go")).lines() {
        for kw in ["func ", "var "] {
            if let Some(r) = l.strip_prefix(kw) {
                let n: String = r.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                builtins.insert(n);
            }
        }
    }
    let mut files = Vec::new();
    walk_go_files(&src.join("cmd/compile/internal"), &mut files);
    for f in &files {
        let t = read(f);
        for pat in ["LookupRuntimeFunc(\"", "LookupRuntime(\"", "LookupRuntimeVar(\"", "LookupRuntimeABI(\""] {
            for (i, _) in t.match_indices(pat) {
                let n: String = t[i + pat.len()..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                builtins.insert(n);
            }
        }
    }
    // Only what amd64 code can use (the rest is for other ports or
    // instrumentation modes, listed for completeness below).
    // Builtins only other ports use: 32-bit integer helpers, soft float,
    // 386's extended bounds checks, wasm and arm feature flags.
    let other_port = |n: &str| {
        [
            "wasmDiv", "wasmTruncS", "wasmTruncU", "armHasVFPv4", "arm64HasATOMICS", "udiv", "int64div", "uint64div",
            "int64mod", "uint64mod", "float64toint64", "float64touint64", "float64touint32", "int64tofloat64",
            "int64tofloat32", "uint64tofloat64", "uint64tofloat32", "uint32tofloat64",
        ]
        .contains(&n)
            || n.starts_with("panicExtend")
            || (n.len() > 3 && (n.starts_with("fadd") || n.starts_with("fmul") || n.starts_with("fdiv") || n.starts_with("feq")
                || n.starts_with("fge") || n.starts_with("fgt") || n.starts_with("fint") || n.starts_with("fuint")
                || n.starts_with("f32to") || n.starts_with("f64to")))
    };
    cats.entry("compiler builtins").or_default().extend(
        builtins
            .iter()
            .filter(|n| !n.is_empty() && !other_port(n))
            .map(|n| Entry { sym: format!("runtime.{n}"), what: "called by compiled code".into() }),
    );

    // Linker requirements.
    let mut linker = BTreeSet::new();
    let mut lf = Vec::new();
    walk_go_files(&src.join("cmd/link/internal/ld"), &mut lf);
    for f in &lf {
        let t = read(f);
        for (i, _) in t.match_indices("\"runtime.") {
            let n: String = t[i + 9..].chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.').collect();
            if !n.is_empty() && !n.ends_with('.') {
                linker.insert(n);
            }
        }
    }
    // Symbols the linker itself creates.
    let created = [
        "text", "etext", "types", "etypes", "data", "edata", "rodata", "erodata", "bss", "ebss", "noptrdata",
        "enoptrdata", "noptrbss", "enoptrbss", "pclntab", "epclntab", "symtab", "esymtab", "typelink", "itablink",
        "gcdata", "egcdata", "gcbss", "egcbss", "covctrs", "ecovctrs", "end", "pctab", "pcheader", "functab",
        "funcnametab", "filetab", "cutab", "findfunctab", "firstmoduledata", "lastmoduledatap", "islibrary",
        "isarchive", "goarm", "goarmsoftfp", "tlsg", "disableMemoryProfiling", "text.1", "elf_",
        "__start___sancov_cntrs", "__stop___sancov_cntrs", "itab", "rt0_go", "racefuncenter", "wasmDiv",
        "wasmTruncS", "wasmTruncU", "MemProfile", ".inittask", "textsectionmap",
    ];
    cats.entry("linker requirements").or_default().extend(
        linker
            .iter()
            .filter(|n| !created.contains(&n.as_str()) && !n.starts_with("gcbits"))
            .map(|n| Entry { sym: format!("runtime.{n}"), what: "required by cmd/link".into() }),
    );

    // Pushes: upstream runtime's linkname definitions for other packages.
    let out = Command::new(&tc.go)
        .args(["list", "-f", "{{join .GoFiles \"\\n\"}}", "runtime"])
        .env("GOROOT", &tc.goroot)
        .env("GOTOOLCHAIN", "local")
        .env_remove("GOFLAGS")
        .output()?;
    let mut pushes = BTreeMap::new();
    for f in String::from_utf8_lossy(&out.stdout).lines() {
        let text = read(&src.join("runtime").join(f));
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let Some(rest) = l.strip_prefix("//go:linkname ") else { continue };
            let mut it = rest.split_whitespace();
            let (Some(local), Some(target)) = (it.next(), it.next()) else { continue };
            if target.starts_with("runtime.") || !target.contains('.') || target.starts_with("main.") || target.contains("_test.") {
                continue;
            }
            // A push defines the function (a body); a body-less
            // declaration refers to another package's definition.
            let decl = lines[i + 1..].iter().take(20).find(|d| d.starts_with(&format!("func {local}(")));
            if decl.is_some_and(|d| !d.trim_end().ends_with('{')) {
                continue;
            }
            pushes.insert(target.to_string(), format!("pushed by runtime/{f}"));
        }
    }
    cats.entry("linkname pushes").or_default().extend(pushes.into_iter().map(|(sym, what)| Entry { sym, what }));

    // Pulls: std packages (their linux/amd64 files) referencing runtime.X.
    let out = Command::new(&tc.go)
        .args(["list", "-f", "{{.Dir}}|{{.ImportPath}}|{{join .GoFiles \",\"}}|{{join .SFiles \",\"}}", "std"])
        .env("GOROOT", &tc.goroot)
        .env("GOTOOLCHAIN", "local")
        .env_remove("GOFLAGS")
        .output()?;
    let mut pulls = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let parts: Vec<&str> = line.split('|').collect();
        if parts.len() != 4 || parts[1] == "runtime" || parts[1].starts_with("cmd/") {
            continue;
        }
        let (dir, pkg) = (Path::new(parts[0]), parts[1]);
        for f in parts[3].split(',').filter(|f| !f.is_empty()) {
            let t = read(&dir.join(f));
            for (i, _) in t.match_indices("runtime·") {
                let n: String = t[i + "runtime·".len()..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                pulls.entry(format!("runtime.{n}")).or_insert_with(|| format!("assembly of {pkg}"));
            }
        }
        for f in parts[2].split(',').filter(|f| !f.is_empty()) {
            for l in read(&dir.join(f)).lines() {
                if let Some(rest) = l.strip_prefix("//go:linkname ") {
                    let mut it = rest.split_whitespace();
                    if let (Some(_), Some(target)) = (it.next(), it.next()) {
                        if let Some(n) = target.strip_prefix("runtime.") {
                            if !n.contains('.') {
                                pulls.entry(target.to_string()).or_insert_with(|| format!("pulled by {pkg}"));
                            }
                        }
                    }
                }
            }
        }
    }
    cats.entry("linkname pulls and assembly references")
        .or_default()
        .extend(pulls.into_iter().map(|(sym, what)| Entry { sym, what }));

    // Exported API.
    let mut api = BTreeSet::new();
    for e in fs::read_dir(tc.goroot.join("api"))?.flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        if !n.starts_with("go1") {
            continue;
        }
        for l in read(&e.path()).lines() {
            let l = l.split(" //").next().unwrap_or(l).split(" #").next().unwrap_or(l);
            let Some(rest) = l.strip_prefix("pkg runtime, ").or_else(|| {
                l.strip_prefix("pkg runtime (").and_then(|r| r.split_once("), ").map(|x| x.1))
            }) else {
                continue;
            };
            let item = if let Some(r) = rest.strip_prefix("func ") {
                r.split('(').next().unwrap().to_string()
            } else if let Some(r) = rest.strip_prefix("method (") {
                let (rcv, m) = r.split_once(") ").unwrap_or(("", ""));
                format!("({rcv}).{}", m.split('(').next().unwrap_or(""))
            } else if let Some(r) = rest.strip_prefix("type ").or_else(|| rest.strip_prefix("var ")).or_else(|| rest.strip_prefix("const ")) {
                if rest.starts_with("type ") && r.contains(", ") {
                    continue; // struct fields
                }
                r.split_whitespace().next().unwrap_or("").to_string()
            } else {
                continue;
            };
            api.insert(item);
        }
    }
    cats.entry("exported API").or_default().extend(api.into_iter().map(|n| Entry { sym: format!("runtime.{n}"), what: "package runtime's API".into() }));
    Ok(cats)
}

pub fn render() -> Result<String> {
    let tc = Toolchain::find()?;
    let g = Gort::load()?;
    let cats = upstream(&tc)?;
    let mut s = String::new();
    s += "# Runtime surface\n\n";
    s += "Generated by `gort surface` from the installed go1.22.12 toolchain and gort's sources\n";
    s += "(`asm/surface.def`, `asm/runtime`); CI checks it is current. Every entry point upstream's\n";
    s += "runtime offers (to the compiler, the linker, the standard library, or programs) and how\n";
    s += "gort provides it. \"Not implemented\" entry points link, and calling one is\n";
    s += "`fatal error: gort: <name> not implemented` (exit status 2).\n\n";
    let mut totals: BTreeMap<Status, usize> = BTreeMap::new();
    let mut body = String::new();
    s += "| category | entry points | Rust | Go face | assembly | declared | elsewhere | unsupported mode | not implemented | missing |\n";
    s += "|---|---|---|---|---|---|---|---|---|---|\n";
    for (cat, entries) in &cats {
        let mut counts: BTreeMap<Status, usize> = BTreeMap::new();
        body += &format!("\n## {cat}\n\n| entry point | upstream | gort |\n|---|---|---|\n");
        let mut seen = BTreeSet::new();
        for e in entries {
            if !seen.insert(&e.sym) {
                continue;
            }
            let st = g.status(&e.sym);
            *counts.entry(st).or_default() += 1;
            *totals.entry(st).or_default() += 1;
            body += &format!("| `{}` | {} | {} |\n", e.sym, e.what, st.text());
        }
        let c = |st| counts.get(&st).copied().unwrap_or(0);
        s += &format!(
            "| {cat} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            seen.len(),
            c(Status::Rust),
            c(Status::Go),
            c(Status::Asm),
            c(Status::Declared),
            c(Status::Elsewhere),
            c(Status::Unsupported),
            c(Status::NotImplemented),
            c(Status::Missing)
        );
    }
    let t = |st| totals.get(&st).copied().unwrap_or(0);
    s += &format!(
        "\nIn all: {} implemented (Rust {}, Go face {}, assembly {}, declared {}), {} provided by other upstream \
         packages, {} for instrumentation modes or experiments gort does not support yet (-race, -msan, -asan, \
         libfuzzer, cgocheck2), {} not implemented, {} missing.\n",
        t(Status::Rust) + t(Status::Go) + t(Status::Asm) + t(Status::Declared),
        t(Status::Rust),
        t(Status::Go),
        t(Status::Asm),
        t(Status::Declared),
        t(Status::Elsewhere),
        t(Status::Unsupported),
        t(Status::NotImplemented),
        t(Status::Missing)
    );
    s += "\nA program that needs a missing or unsupported entry point fails to link, and `gort build` names\n";
    s += "the missing symbols. Builtins that only other ports use (32-bit helpers, soft float) are not listed.\n";
    s += &body;
    Ok(s)
}

pub fn cmd_surface(args: &[String]) -> Result<u8> {
    let check = match args.first().map(|s| s.as_str()) {
        None => false,
        Some("-check") | Some("--check") => true,
        Some(a) => return Err(Fail::new(format!("surface: unknown flag {a:?}"))),
    };
    let path = repo_root().join("docs/SURFACE.md");
    let text = render()?;
    if check {
        let cur = fs::read_to_string(&path).unwrap_or_default();
        if cur != text {
            return Err(Fail::new(format!("{} is stale: run `gort surface` and commit the result", path.display())));
        }
        println!("{} is current", path.display());
        return Ok(0);
    }
    fs::write(&path, text)?;
    println!("wrote {}", path.display());
    Ok(0)
}
