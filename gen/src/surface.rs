//! The surface table (asm/surface.def): every runtime entry point that gort
//! implements in Rust, written once, from which the build generates
//!   - the Go declarations and linkname push wrappers (zsurface.go),
//!   - the ABI0 trampolines that switch to the system stack (zsurface_amd64.s),
//!   - the Rust glue that unpacks each argument frame (surface_glue.rs),
//!   - the table of Go symbols the Rust side needs (golinks).
//!
//! Table syntax, one entry per line (`#` starts a comment):
//!   @mod path                       Rust module (under crate::) of what follows
//!   func name(params) results       a runtime function
//!   push pkg.name(params) results   a function the runtime provides to
//!                                   package pkg by //go:linkname
//!   golink field symbol             a Go symbol whose address Rust reads
//! An entry may end in `= rustname` (the Rust function to call, in the
//! entry's module; default: the entry's own name) and/or `!todo`: declared
//! and linked, but calling it is a fatal error that names it ("gort:
//! runtime.X not implemented"). `!escapes` (before `!todo`, if both)
//! marks an entry that keeps its pointer arguments beyond the call (a
//! finalizer table, a new goroutine): its Go declaration then lacks
//! //go:noescape, so that callers' escape analysis moves those arguments
//! to the heap. Every other entry is //go:noescape. `!test` (last, after
//! any other mark) marks a hook for the runtime's own tests: its Go
//! declaration and trampoline go to separate files (ztesthooks_test.go,
//! ztesthooks_amd64.s) that only the runtime tests' GOROOT gets; its Rust
//! glue is generated like any other's. `!leaf` (first of the marks) marks
//! an entry with a Rust fast path run on the goroutine's stack
//! (src/base/leaf.rs): its trampoline is ABIInternal and calls
//! `leaf_<rustname>` of the entry's module first; at most six words of
//! pointer, integer, bool or string arguments (or none), at most two
//! pointer, integer or bool results, or one string, or one slice whose
//! length is the argument `newLen` (growslice's shape: the Rust side
//! returns the array and the capacity).

use crate::gotypes::{round_up, rust_ident, Parser, Ty, Universe};
use crate::template::template;
use std::fmt::Write as _;

#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    pub ty: Ty,
    /// The Go spelling, copied from the table.
    pub go: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Func,
    /// Pushed to another package: the target package path and name.
    Push(String, String),
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub kind: Kind,
    /// Name of the runtime-package function (for pushes, pkg_name).
    pub name: String,
    pub module: String,
    pub params: Vec<Param>,
    pub results: Vec<Param>,
    pub todo: bool,
    /// Keeps pointer arguments after returning (no //go:noescape).
    pub escapes: bool,
    /// A hook for the runtime's tests only (see the module comment).
    pub test: bool,
    /// A fast path on the goroutine's stack (see the module comment).
    pub leaf: bool,
    pub line: usize,
    /// The Rust function implementing the entry.
    pub rust: String,
}

#[derive(Clone, Debug)]
pub struct GoLink {
    pub field: String,
    pub symbol: String,
}

#[derive(Default, Debug)]
pub struct Table {
    pub entries: Vec<Entry>,
    pub golinks: Vec<GoLink>,
}

/// Split a parameter list source like `x, y *any, n uintptr` into params.
fn parse_params(src: &str, result: bool) -> Result<Vec<Param>, String> {
    let src = src.trim();
    if src.is_empty() {
        return Ok(vec![]);
    }
    // Split at top-level commas.
    let mut items = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in src.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(src[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(src[start..].trim().to_string());
    // Each item is `name Type` or `Type` (or a bare name grouped with the next).
    let mut parsed: Vec<(Option<String>, Option<String>)> = Vec::new();
    for it in &items {
        let first_end = it.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(it.len());
        let (first, rest) = it.split_at(first_end);
        let rest = rest.trim();
        let type_keyword = matches!(first, "map" | "chan" | "func" | "struct" | "interface");
        if !first.is_empty() && !rest.is_empty() && !type_keyword && (!rest.starts_with('.') || rest.starts_with("...")) {
            parsed.push((Some(first.to_string()), Some(rest.to_string())));
        } else if rest.is_empty() && !first.is_empty() {
            parsed.push((Some(first.to_string()), None));
        } else {
            parsed.push((None, Some(it.clone())));
        }
    }
    let any_named = parsed.iter().any(|(n, t)| n.is_some() && t.is_some());
    let mut out = Vec::new();
    if any_named {
        let mut pending: Vec<String> = Vec::new();
        for (n, t) in parsed {
            match (n, t) {
                (Some(n), None) => pending.push(n),
                (Some(n), Some(t)) => {
                    pending.push(n);
                    let ty = match t.strip_prefix("...") {
                        Some(el) => Ty::Slice(Box::new(Parser::new(el)?.ty()?)),
                        None => Parser::new(&t)?.ty()?,
                    };
                    for n in pending.drain(..) {
                        out.push(Param { name: n, ty: ty.clone(), go: t.clone() });
                    }
                }
                (None, Some(t)) => return Err(format!("mixed named and unnamed parameters near {t:?}")),
                (None, None) => unreachable!(),
            }
        }
        if !pending.is_empty() {
            return Err(format!("parameters without a type: {pending:?}"));
        }
    } else {
        for (i, (n, t)) in parsed.into_iter().enumerate() {
            let t = t.or(n).unwrap();
            let ty = Parser::new(&t)?.ty()?;
            let name = if result { format!("r{i}") } else { format!("a{i}") };
            out.push(Param { name, ty, go: t });
        }
    }
    Ok(out)
}

/// Find the index of the parenthesis closing the one at `open`.
fn close_paren(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in s[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

pub fn parse_table(src: &str) -> Result<Table, String> {
    let mut t = Table::default();
    let mut module = String::new();
    for (ln, raw) in src.lines().enumerate() {
        let line_no = ln + 1;
        let line = match raw.find('#') {
            Some(i) => &raw[..i],
            None => raw,
        }
        .trim();
        if line.is_empty() {
            continue;
        }
        let err = |m: String| format!("asm/surface.def:{line_no}: {m}");
        if let Some(m) = line.strip_prefix("@mod ") {
            module = m.trim().to_string();
            continue;
        }
        if let Some(g) = line.strip_prefix("golink ") {
            let mut it = g.split_whitespace();
            let (Some(f), Some(s), None) = (it.next(), it.next(), it.next()) else {
                return Err(err("golink wants: golink field symbol".into()));
            };
            t.golinks.push(GoLink { field: f.into(), symbol: s.into() });
            continue;
        }
        let (test, line) = match line.strip_suffix("!test") {
            Some(l) => (true, l.trim()),
            None => (false, line),
        };
        let (todo, line) = match line.strip_suffix("!todo") {
            Some(l) => (true, l.trim()),
            None => (false, line),
        };
        let (escapes, line) = match line.strip_suffix("!escapes") {
            Some(l) => (true, l.trim()),
            None => (false, line),
        };
        let (leaf, line) = match line.strip_suffix("!leaf") {
            Some(l) => (true, l.trim()),
            None => (false, line),
        };
        let (line, rust_target) = match line.rsplit_once(" = ") {
            Some((l, r)) if !r.contains(' ') && !r.contains(')') => (l.trim(), Some(r.trim().to_string())),
            _ => (line, None),
        };
        let (kw, rest) = line.split_once(' ').ok_or_else(|| err("expected func or push".into()))?;
        let open = rest.find('(').ok_or_else(|| err("missing parameter list".into()))?;
        let close = close_paren(rest, open).ok_or_else(|| err("unbalanced parentheses".into()))?;
        let fname = rest[..open].trim();
        let params = parse_params(&rest[open + 1..close], false).map_err(err)?;
        let res_src = rest[close + 1..].trim();
        let results = if res_src.starts_with('(') {
            let c = close_paren(res_src, 0).ok_or_else(|| err("unbalanced result list".into()))?;
            parse_params(&res_src[1..c], true).map_err(err)?
        } else if res_src.is_empty() {
            vec![]
        } else {
            // An unparenthesised result is a single type.
            let ty = Parser::new(res_src).and_then(|mut p| p.ty()).map_err(err)?;
            vec![Param { name: "r0".into(), ty, go: res_src.to_string() }]
        };
        if module.is_empty() {
            return Err(err("entry before any @mod line".into()));
        }
        let (kind, name) = match kw {
            "func" => (Kind::Func, fname.to_string()),
            "push" => {
                let (pkg, n) = fname.rsplit_once('.').ok_or_else(|| err("push wants pkg.name".into()))?;
                let local = format!("{}_{}", pkg.replace(['/', '.'], "_"), n);
                (Kind::Push(pkg.to_string(), n.to_string()), local)
            }
            _ => return Err(err(format!("unknown entry kind {kw:?}"))),
        };
        if t.entries.iter().any(|e| e.name == name) {
            return Err(err(format!("duplicate entry {name}")));
        }
        let rust = rust_target.unwrap_or_else(|| name.clone());
        if test && !matches!(kind, Kind::Func) {
            return Err(err("!test is for func entries".into()));
        }
        if leaf && (todo || test) {
            return Err(err("!leaf is for implemented entries".into()));
        }
        let e = Entry { kind, name, module: module.clone(), params, results, todo, escapes, test, leaf, line: line_no, rust };
        if leaf {
            leaf_words(&e).map_err(err)?;
        }
        t.entries.push(e);
    }
    Ok(t)
}

/// ABI0 frame: offsets of each parameter and result, and the total size.
pub struct Frame {
    pub param_offs: Vec<u64>,
    pub result_offs: Vec<u64>,
    pub size: u64,
}

pub fn frame(u: &Universe, e: &Entry) -> Result<Frame, String> {
    let mut off = 0;
    let mut param_offs = Vec::new();
    for p in &e.params {
        let l = u.layout("runtime", &p.ty)?;
        off = round_up(off, l.align);
        param_offs.push(off);
        off += l.size;
    }
    off = round_up(off, 8);
    let mut result_offs = Vec::new();
    for p in &e.results {
        let l = u.layout("runtime", &p.ty)?;
        off = round_up(off, l.align);
        result_offs.push(off);
        off += l.size;
    }
    Ok(Frame { param_offs, result_offs, size: round_up(off, 8) })
}

fn go_sig(e: &Entry) -> String {
    let ps: Vec<String> = e.params.iter().map(|p| format!("{} {}", p.name, p.go)).collect();
    let rs: Vec<String> = e.results.iter().map(|p| format!("{} {}", p.name, p.go)).collect();
    if rs.is_empty() {
        format!("({})", ps.join(", "))
    } else {
        format!("({}) ({})", ps.join(", "), rs.join(", "))
    }
}

/// How a leaf entry's argument or result travels in registers.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum LeafWord {
    /// A pointer or 8-byte integer: one register, MOVQ.
    Quad,
    /// A 4-byte integer: one register, MOVL.
    Long,
    /// A bool result.
    Bool,
    /// A bool or uint8 argument: one register, MOVB (zero-extended for the
    /// C ABI).
    Byte,
    /// A string: two registers (pointer, length).
    Str,
    /// A slice result: three registers (array, length, capacity), the
    /// length being the entry's `newLen` argument (growslice's shape): the
    /// Rust side returns the array and the capacity.
    Slice,
}

fn leaf_word(p: &Param, result: bool) -> Result<LeafWord, String> {
    let go = p.go.trim();
    Ok(match go {
        _ if go.starts_with('*') => LeafWord::Quad,
        "unsafe.Pointer" | "uintptr" | "int" | "uint" | "int64" | "uint64" => LeafWord::Quad,
        "int32" | "uint32" => LeafWord::Long,
        "bool" if result => LeafWord::Bool,
        "bool" | "uint8" if !result => LeafWord::Byte,
        "string" => LeafWord::Str,
        "slice" if result => LeafWord::Slice,
        _ => return Err(format!("!leaf: {} {go} does not travel in one integer register", p.name)),
    })
}

/// A leaf entry's argument kinds, checked against the limits of its
/// trampoline (six argument words: the C ABI's argument registers; two
/// results: RAX and RDX).
pub fn leaf_words(e: &Entry) -> Result<Vec<LeafWord>, String> {
    let words: Vec<LeafWord> = e.params.iter().map(|p| leaf_word(p, false)).collect::<Result<_, _>>()?;
    let n: usize = words.iter().map(|w| if *w == LeafWord::Str { 2 } else { 1 }).sum();
    if n > 6 {
        return Err(format!("!leaf: {} argument words (at most 6)", n));
    }
    let rwords: Vec<LeafWord> = e.results.iter().map(|r| leaf_word(r, true)).collect::<Result<_, _>>()?;
    if rwords.contains(&LeafWord::Slice) {
        if rwords.len() > 1 || !e.params.iter().any(|p| p.name == "newLen") {
            return Err("!leaf: a slice result must be the only one, its length the argument newLen".into());
        }
    } else if leaf_result_words(e) > 2 || (rwords.contains(&LeafWord::Str) && rwords.len() > 1) {
        return Err("!leaf: more than two result words (or a string and another result)".into());
    }
    Ok(words)
}

/// The size of a leaf entry's ABIInternal argument area: the spill slots
/// of its arguments, laid out as ABI0 lays the arguments out (in order,
/// each aligned), rounded to a word.
pub fn leaf_spill_size(u: &Universe, e: &Entry) -> Result<u64, String> {
    let f = frame(u, e)?;
    let end = match e.params.last() {
        Some(p) => f.param_offs[e.params.len() - 1] + u.layout("runtime", &p.ty)?.size,
        None => 0,
    };
    Ok(round_up(end, 8))
}

/// The registers a leaf entry's results take (AX, then BX): a string
/// result takes both.
pub fn leaf_result_words(e: &Entry) -> usize {
    e.results
        .iter()
        .map(|r| match r.go.trim() {
            "string" => 2,
            "slice" => 3,
            _ => 1,
        })
        .sum()
}

/// Go's ABIInternal integer argument registers, in order.
const GO_INT_REGS: [&str; 9] = ["AX", "BX", "CX", "DI", "SI", "R8", "R9", "R10", "R11"];
/// The System V C ABI's integer argument registers, in order.
const C_INT_REGS: [&str; 6] = ["DI", "SI", "DX", "CX", "R8", "R9"];

/// The leaf trampoline's pieces: the spill of the register arguments to
/// the caller's spill area, the moves from Go's argument registers to C's
/// (ordered so that no register is overwritten before it is read), the
/// spill area's first slot name.
fn leaf_asm(u: &Universe, e: &Entry) -> Result<(String, String, String), String> {
    let words = leaf_words(e)?;
    let f = frame(u, e)?;
    let mut spill = String::new();
    let mut first = String::new();
    let mut reg = 0;
    // C registers holding a bool: Go leaves the bits above its byte
    // undefined, the C ABI wants it zero-extended.
    let mut bytes = Vec::new();
    for ((p, w), off) in e.params.iter().zip(&words).zip(&f.param_offs) {
        let slots: Vec<(String, u64, &str)> = match w {
            LeafWord::Str => vec![(format!("{}_base", p.name), *off, "MOVQ"), (format!("{}_len", p.name), off + 8, "MOVQ")],
            LeafWord::Long => vec![(p.name.clone(), *off, "MOVL")],
            LeafWord::Byte => {
                bytes.push(C_INT_REGS[reg]);
                vec![(p.name.clone(), *off, "MOVB")]
            }
            _ => vec![(p.name.clone(), *off, "MOVQ")],
        };
        for (name, off, mov) in slots {
            if first.is_empty() {
                first = name.clone();
            }
            writeln!(spill, "\t{mov}\t{}, {name}+{off}(FP)", GO_INT_REGS[reg]).unwrap();
            reg += 1;
        }
    }
    // Parallel move: C_INT_REGS[i] <- GO_INT_REGS[i] for i < reg.
    let mut pending: Vec<(&str, &str)> = (0..reg).map(|i| (GO_INT_REGS[i], C_INT_REGS[i])).filter(|(s, d)| s != d).collect();
    let mut shuffle = String::new();
    while !pending.is_empty() {
        let Some(i) = pending.iter().position(|(_, d)| !pending.iter().any(|(s, _)| s == d)) else {
            return Err(format!("!leaf {}: cyclic register moves", e.name));
        };
        let (src, dst) = pending.remove(i);
        writeln!(shuffle, "\tMOVQ\t{src}, {dst}").unwrap();
    }
    for r in bytes {
        writeln!(shuffle, "\tMOVBLZX\t{r}, {r}").unwrap();
    }
    Ok((spill, shuffle, first))
}

/// A `!leaf` push whose arguments and results hold no pointers: its
/// trampoline is the pushed function itself (see the template's notes).
pub fn direct_push(e: &Entry) -> bool {
    let scalar = |p: &Param| {
        matches!(
            p.go.trim(),
            "bool" | "int" | "int8" | "int16" | "int32" | "int64" | "uint" | "uint8" | "uint16" | "uint32" | "uint64" | "uintptr"
        )
    };
    matches!(&e.kind, Kind::Push(pkg, _) if !pkg.contains(['/', '.']))
        && e.leaf
        && !e.test
        && e.params.iter().chain(&e.results).all(scalar)
}

/// The assembler's name of a leaf trampoline: the runtime's own
/// (`·name`), or for a direct push the target's (`pkg·name`).
fn leaf_text_name(e: &Entry) -> String {
    match &e.kind {
        Kind::Push(pkg, n) if direct_push(e) => format!("{pkg}·{n}"),
        _ => format!("·{}", tramp_name(e)),
    }
}

/// The Go-side name of the ABI0 trampoline for an entry.
pub fn tramp_name(e: &Entry) -> String {
    match e.kind {
        Kind::Func => e.name.clone(),
        Kind::Push(..) => format!("rt_{}", e.name),
    }
}

/// The Go declarations of the runtime package's entries (`test`: those of
/// the test hooks instead, for ztesthooks_test.go).
pub fn gen_go(t: &Table, test: bool) -> String {
    let mut s = String::new();
    s.push_str("// Code generated by gort's build script from asm/surface.def. DO NOT EDIT.\n\n");
    let entries: Vec<&Entry> = t.entries.iter().filter(|e| e.test == test).collect();
    // Packages the table's signatures mention, by their import name.
    let known: &[(&str, &str, &str)] = &[
        ("abi.", "internal/abi", "abi.Type"),
        ("unsafe.", "unsafe", "unsafe.Pointer"),
        ("rtcov.", "internal/coverage/rtcov", "rtcov.CovMetaBlob"),
    ];
    let used = |prefix: &str| entries.iter().any(|e| e.params.iter().chain(&e.results).any(|p| p.go.contains(prefix)));
    s.push_str("package runtime\n\nimport (\n");
    for (prefix, path, _) in known {
        if used(prefix) {
            writeln!(s, "\t{path:?}").unwrap();
        }
    }
    s.push_str(")\n\n");
    for e in entries {
        if direct_push(e) {
            // Defined in assembly under the target package's name.
            continue;
        }
        if let Kind::Push(pkg, n) = &e.kind {
            let args: Vec<String> = e
                .params
                .iter()
                .map(|p| if p.go.starts_with("...") { format!("{}...", p.name) } else { p.name.clone() })
                .collect();
            let ret = if e.results.is_empty() { "" } else { "return " };
            writeln!(s, "//go:linkname {} {}.{}\n//go:nosplit", e.name, pkg, n).unwrap();
            writeln!(s, "func {}{} {{ {}{}({}) }}\n", e.name, go_sig(e), ret, tramp_name(e), args.join(", ")).unwrap();
        }
        let pragma = if e.escapes { "" } else { "//go:noescape\n" };
        writeln!(s, "{pragma}func {}{}\n", tramp_name(e), go_sig(e)).unwrap();
    }
    s
}

/// The ABI0 trampolines and the gortlinks table, from the template
/// asm/templates/surface_amd64.s.
/// (`test`: the test hooks' trampolines instead, for ztesthooks_amd64.s.)
pub fn gen_asm(u: &Universe, t: &Table, test: bool) -> Result<String, String> {
    let tpl = template!("surface_amd64.s");
    let mut s = tpl.expand("head", &[]);
    for e in t.entries.iter().filter(|e| e.test == test) {
        let f = frame(u, e)?;
        let tramp = tramp_name(e);
        if e.leaf {
            let (spill, shuffle, first) = leaf_asm(u, e)?;
            let (fastres, slowres) = match leaf_result_words(e) {
                2 => ("\tLEAQ\t-1(DX), BX\n".to_string(), "\tMOVQ\tDX, BX\n".to_string()),
                3 => {
                    // A slice: the array in AX, the capacity in DX, the
                    // length the newLen argument (leaf_words checked it).
                    let i = e.params.iter().position(|p| p.name == "newLen").unwrap();
                    let len = format!("\tMOVQ\tnewLen+{}(FP), BX\n", f.param_offs[i]);
                    (format!("\tLEAQ\t-1(DX), CX\n{len}"), format!("\tMOVQ\tDX, CX\n{len}"))
                }
                _ => (String::new(), String::new()),
            };
            // Results kept in the first words of the spill area while
            // rtcallHook runs.
            let (mut save, mut restore) = (String::new(), String::new());
            for (i, reg) in ["AX", "BX", "CX"].iter().enumerate().take(leaf_result_words(e)) {
                if (i as u64 + 1) * 8 > leaf_spill_size(u, e)? {
                    return Err(format!("!leaf {}: no spill slot to keep result {i} in", e.name));
                }
                writeln!(save, "\tMOVQ\t{reg}, {}+{}(FP)", first, i * 8).unwrap();
                writeln!(restore, "\tMOVQ\t{}+{}(FP), {reg}", first, i * 8).unwrap();
            }
            let direct = direct_push(e);
            // A direct push declares no argument area (no map for it).
            let spill_size = if direct { 0 } else { leaf_spill_size(u, e)? };
            let goargs = if direct { "" } else { "\tGO_ARGS\n" };
            // The slow path's frame pointer: the spill area, or (no
            // arguments) any valid address, the caller's SP.
            let argp = if first.is_empty() { "\tLEAQ\t0(SP), DI\n".to_string() } else { format!("\tLEAQ\t{first}+0(FP), DI\n") };
            s += &tpl.expand(
                "leaf",
                &[
                    ("tramp", &leaf_text_name(e)),
                    ("goargs", &goargs),
                    ("frame", &spill_size),
                    ("spill", &spill),
                    ("shuffle", &shuffle),
                    ("name", &e.name),
                    ("fastres", &fastres),
                    ("argp", &argp),
                    ("slowres", &slowres),
                    ("save", &save),
                    ("restore", &restore),
                ],
            );
            continue;
        }
        s += &match e.params.first().or(e.results.first()) {
            Some(p) => tpl.expand("trampoline", &[("tramp", &tramp), ("frame", &f.size), ("first", &p.name), ("name", &e.name)]),
            None => tpl.expand("trampoline_noargs", &[("tramp", &tramp), ("frame", &f.size), ("name", &e.name)]),
        };
    }
    if test {
        return Ok(s);
    }
    for (i, g) in t.golinks.iter().enumerate() {
        s += &tpl.expand("golink", &[("off", &(i * 8)), ("symbol", &g.symbol)]);
    }
    s += &tpl.expand("golinks_end", &[("size", &(t.golinks.len().max(1) * 8))]);
    Ok(s)
}

/// A leaf entry's two Rust entry points: the ordinary one (on the system
/// stack, arguments from the spill area, results in registers) and the
/// fast path's (on the goroutine's stack, arguments in registers).
fn gen_rust_leaf(s: &mut String, u: &Universe, e: &Entry, fname: &str) -> Result<(), String> {
    let args: Vec<String> =
        e.params.iter().map(|p| format!("core::ptr::read(core::ptr::addr_of!(f.{}))", rust_ident(&p.name))).collect();
    let call = format!("crate::{}::{}({})", e.module, e.rust, args.join(", "));
    let results = match e.results.len() {
        0 => format!("{call};\n        crate::leaf::Leaf::results(0, 0)"),
        1 if leaf_result_words(e) == 2 => format!("let r = {call};\n        crate::leaf::Leaf::results(r.ptr as usize, r.len as usize)"),
        1 if leaf_result_words(e) == 3 => format!("let r = {call};\n        crate::leaf::Leaf::results(r.array as usize, r.cap as usize)"),
        1 => format!("crate::leaf::Leaf::results({call} as usize, 0)"),
        _ => format!("let (r0, r1) = {call};\n        crate::leaf::Leaf::results(r0 as usize, r1 as usize)"),
    };
    writeln!(s, "#[no_mangle]\npub unsafe extern \"C\" fn gort_{}(f: *mut {fname}) -> crate::leaf::Leaf {{", e.name).unwrap();
    writeln!(s, "    // SAFETY: the leaf trampoline's slow path passes the address of the").unwrap();
    writeln!(s, "    // spill area it stored its register arguments in, laid out as {fname};").unwrap();
    writeln!(s, "    // the arguments meet the entry point's contract (its # Safety section).").unwrap();
    writeln!(s, "    unsafe {{\n        let f = &*f;\n        {results}\n    }}\n}}").unwrap();
    let mut params = Vec::new();
    for p in &e.params {
        params.push(format!("{}: {}", rust_ident(&p.name), u.rust_type("runtime", &p.ty).map_err(|m| format!("{}: {m}", e.name))?));
    }
    let names: Vec<String> = e.params.iter().map(|p| rust_ident(&p.name)).collect();
    // (Some fast paths are safe functions: the unsafe block may be unused.)
    writeln!(s, "#[no_mangle]\n#[allow(unused_unsafe)]\npub unsafe extern \"C\" fn gort_leaf_{}({}) -> crate::leaf::Leaf {{", e.name, params.join(", ")).unwrap();
    writeln!(s, "    // SAFETY: the leaf trampoline passes its Go caller's arguments, which").unwrap();
    writeln!(s, "    // meet the entry point's contract, on a stack with leafHeadroom to spare.").unwrap();
    writeln!(s, "    unsafe {{ crate::{}::leaf_{}({}) }}\n}}", e.module, e.rust, names.join(", ")).unwrap();
    Ok(())
}

pub fn gen_rust(u: &Universe, t: &Table) -> Result<String, String> {
    let mut s = String::new();
    s.push_str("// Generated by gort's build script from asm/surface.def.\n");
    s.push_str("#[allow(non_snake_case, non_camel_case_types, dead_code, unused_variables)]\npub mod glue {\n");
    for e in &t.entries {
        let f = frame(u, e)?;
        let fname = format!("{}_frame", e.name);
        writeln!(s, "/// Argument frame of `{}` (asm/surface.def:{}).", e.name, e.line).unwrap();
        writeln!(s, "#[repr(C)]\npub struct {fname} {{").unwrap();
        let mut cur = 0;
        let mut npad = 0;
        // A leaf entry's frame is its spill area: no result slots.
        let nres = if e.leaf { 0 } else { e.results.len() };
        let size = if e.leaf { leaf_spill_size(u, e)? } else { f.size };
        let all = e.params.iter().zip(&f.param_offs).chain(e.results.iter().zip(&f.result_offs).take(nres));
        for (p, off) in all {
            if *off > cur {
                writeln!(s, "    _pad{npad}: [u8; {}],", off - cur).unwrap();
                npad += 1;
            }
            let rt = u.rust_type("runtime", &p.ty).map_err(|m| format!("{}: {m}", e.name))?;
            writeln!(s, "    pub {}: {rt},", rust_ident(&p.name)).unwrap();
            cur = off + u.layout("runtime", &p.ty)?.size;
        }
        if size > cur {
            writeln!(s, "    _pad{npad}: [u8; {}],", size - cur).unwrap();
        }
        writeln!(s, "}}").unwrap();
        writeln!(s, "const _: () = assert!(core::mem::size_of::<{fname}>() == {size});").unwrap();
        if e.leaf {
            gen_rust_leaf(&mut s, u, e, &fname)?;
            continue;
        }
        writeln!(s, "#[no_mangle]\npub unsafe extern \"C\" fn gort_{}(f: *mut {fname}) {{", e.name).unwrap();
        let goname = match &e.kind {
            Kind::Func => format!("runtime.{}", e.name),
            Kind::Push(p, n) => format!("{p}.{n}"),
        };
        if e.todo {
            writeln!(s, "    crate::fatal::not_implemented(\"{goname}\");\n}}").unwrap();
            continue;
        }
        writeln!(s, "    // SAFETY: the trampoline passes the address of its ABI0 argument frame,").unwrap();
        writeln!(s, "    // laid out as {fname} (sizes checked at build time); the arguments are").unwrap();
        writeln!(s, "    // the Go caller's, which meet the entry point's contract (the # Safety").unwrap();
        writeln!(s, "    // section of an unsafe fn).").unwrap();
        writeln!(s, "    unsafe {{").unwrap();
        writeln!(s, "        let f = &mut *f;").unwrap();
        // Arguments are plain bits in the frame: copy them out as such.
        let args: Vec<String> =
            e.params.iter().map(|p| format!("core::ptr::read(core::ptr::addr_of!(f.{}))", rust_ident(&p.name))).collect();
        let call = format!("crate::{}::{}({})", e.module, e.rust, args.join(", "));
        match e.results.len() {
            0 => writeln!(s, "        {call};").unwrap(),
            1 => writeln!(s, "        f.{} = {call};", rust_ident(&e.results[0].name)).unwrap(),
            _ => {
                let names: Vec<String> = e.results.iter().map(|p| format!("r_{}", p.name)).collect();
                writeln!(s, "        let ({}) = {call};", names.join(", ")).unwrap();
                for p in &e.results {
                    writeln!(s, "        f.{} = r_{};", rust_ident(&p.name), p.name).unwrap();
                }
            }
        }
        writeln!(s, "    }}\n}}").unwrap();
    }
    writeln!(s, "/// Addresses of Go symbols, filled in by the linker (runtime·gortlinks).").unwrap();
    writeln!(s, "#[repr(C)]\npub struct GoLinks {{").unwrap();
    for g in &t.golinks {
        writeln!(s, "    pub {}: usize,", rust_ident(&g.field)).unwrap();
    }
    writeln!(s, "}}\n}}").unwrap();
    Ok(s)
}

