//! The runtime crate's architecture, checked: its modules are layered in
//! folders (src/base, src/os, ... in the order lib.rs declares them:
//! `mod <layer>;` lines, lowest first), and
//!   1. a module names only modules of its own layer or of lower ones;
//!   2. no circle of modules that name each other spans more than
//!      MAX_CIRCLE files;
//!   3. nothing is re-exported wholesale (`pub use m::*` hides where a name
//!      lives).
//!
//! "Names" is read from the source: every path (`crate::heap::malloc`,
//! `super::runq`, `use crate::{sched, lock}`, a crate-level macro) is resolved to the deepest module file it
//! reaches. Comments, strings and `#[cfg(test)]` modules are ignored. A
//! call upward is possible only through a hook the higher layer registers
//! at startup (base/hook.rs), which names nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const MAX_CIRCLE: usize = 8;

/// A module file: its module path ("" for lib.rs, "sched::runq") and source
/// with comments, strings and test modules removed.
struct Module {
    file: PathBuf,
    path: String,
    code: String,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every module file of the runtime library (not the CLI or build script).
fn modules() -> Vec<Module> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                let name = p.file_name().unwrap().to_str().unwrap();
                if name != "bin" && name != "build" {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = src_dir();
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let rel = f.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|c| c.to_str().unwrap().to_string()).collect();
            if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
                parts.pop();
            }
            let code = strip(&fs::read_to_string(&f).unwrap());
            Module { file: f, path: parts.join("::"), code }
        })
        .collect()
}

/// The source without comments, string and character literals, and
/// `#[cfg(test)]` items (tests may name anything).
fn strip(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == b'r' && (b.get(i + 1) == Some(&b'"') || (b.get(i + 1) == Some(&b'#') && b.get(i + 2) == Some(&b'"')))
            && (i == 0 || !is_ident(b[i - 1]))
        {
            // Raw string: r"..." or r#"..."#.
            let hashes = if b[i + 1] == b'#' { 1 } else { 0 };
            i += 2 + hashes;
            loop {
                if i >= b.len() {
                    break;
                }
                if b[i] == b'"' && (hashes == 0 || b.get(i + 1) == Some(&b'#')) {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
            out.push_str("\"\"");
        } else if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == b'\'' {
            // A character literal ('x', '\n', '\u{..}') or a lifetime ('a).
            let close = if b.get(i + 1) == Some(&b'\\') {
                b[i + 2..].iter().position(|&x| x == b'\'').map(|p| i + 2 + p)
            } else if b.get(i + 2) == Some(&b'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(e) => {
                    i = e + 1;
                    out.push_str("' '");
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            out.push(c as char);
            i += 1;
        }
    }
    // Test modules run on the host with std; they are not part of the
    // runtime's structure.
    while let Some(p) = out.find("#[cfg(test)]") {
        let rest = &out[p..];
        let Some(open) = rest.find('{') else { break };
        let semi = rest.find(';').unwrap_or(usize::MAX);
        let end = if semi < open {
            p + semi + 1
        } else {
            let mut depth = 0;
            let mut e = p + open;
            for (k, ch) in out[p + open..].char_indices() {
                if ch == '{' {
                    depth += 1;
                } else if ch == '}' {
                    depth -= 1;
                    if depth == 0 {
                        e = p + open + k + 1;
                        break;
                    }
                }
            }
            e
        };
        out.replace_range(p..end, "");
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The paths of a `use` tree (`a::{b, c::{d as e}}` -> a::b, a::c::d), each
/// with the name it binds.
fn use_tree(t: &str) -> Vec<(Vec<String>, String)> {
    // " as " marks a renaming; then whitespace means nothing.
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ").replace(" as ", "@");
    let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    fn expand(prefix: &[String], t: &str, out: &mut Vec<(Vec<String>, String)>) {
        if t.is_empty() {
            return;
        }
        if let Some(open) = t.find('{') {
            let head: Vec<String> = t[..open].split("::").filter(|s| !s.is_empty()).map(String::from).collect();
            let mut p = prefix.to_vec();
            p.extend(head);
            let inner = &t[open + 1..t.rfind('}').unwrap()];
            let mut depth = 0;
            let mut start = 0;
            for (k, ch) in inner.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&p, &inner[start..k], out);
                        start = k + 1;
                    }
                    _ => {}
                }
            }
            expand(&p, &inner[start..], out);
            return;
        }
        let (path, alias) = match t.split_once('@') {
            Some((p, a)) => (p, Some(a.to_string())),
            None => (t, None),
        };
        let mut p = prefix.to_vec();
        p.extend(path.split("::").filter(|s| !s.is_empty()).map(String::from));
        if p.last().is_some_and(|l| l == "self") {
            p.pop();
        }
        let name = alias.unwrap_or_else(|| p.last().cloned().unwrap_or_default());
        out.push((p, name));
    }
    let mut out = Vec::new();
    expand(&[], &t, &mut out);
    out
}

struct Crate {
    modules: Vec<Module>,
    by_path: BTreeMap<String, usize>,
    /// Short names lib.rs gives modules (`use base::{fatal, ...}`).
    aliases: BTreeMap<String, String>,
    /// Crate-level macros and the module defining each.
    macros: BTreeMap<String, String>,
    /// Layers in lib.rs's order, lowest first.
    layers: Vec<String>,
}

impl Crate {
    fn load() -> Crate {
        let modules = modules();
        let by_path: BTreeMap<String, usize> = modules.iter().enumerate().map(|(i, m)| (m.path.clone(), i)).collect();
        let root = &modules[by_path[""]].code;
        let mut aliases = BTreeMap::new();
        let mut layers = Vec::new();
        for stmt in root.split(';') {
            let stmt = stmt.trim();
            let last = stmt.lines().last().unwrap_or("").trim();
            if let Some(name) = last.strip_prefix("pub mod ").or_else(|| last.strip_prefix("mod ")) {
                layers.push(name.trim().to_string());
            } else if let Some(tree) = stmt.strip_prefix("use ") {
                for (path, name) in use_tree(tree) {
                    if layers.contains(&path[0]) {
                        aliases.insert(name, path.join("::"));
                    }
                }
            }
        }
        let mut macros = BTreeMap::new();
        for m in &modules {
            for (k, _) in m.code.match_indices("macro_rules!") {
                let name: String = m.code[k + 12..].trim_start().chars().take_while(|&c| is_ident(c as u8)).collect();
                macros.insert(name, m.path.clone());
            }
        }
        Crate { modules, by_path, aliases, macros, layers }
    }

    fn layer(&self, path: &str) -> Option<usize> {
        let first = path.split("::").next().unwrap();
        self.layers.iter().position(|l| l == first)
    }

    /// The deepest module a path names, starting from module `from`.
    fn resolve(&self, from: &str, segs: &[String], locals: &BTreeMap<String, Vec<String>>) -> Option<String> {
        let mut cur: Vec<String> = if from.is_empty() { vec![] } else { from.split("::").map(String::from).collect() };
        let mut rest = segs;
        match segs.first()?.as_str() {
            "crate" => {
                cur.clear();
                rest = &segs[1..];
            }
            "self" => rest = &segs[1..],
            "super" => {
                while rest.first().is_some_and(|s| s == "super") {
                    cur.pop();
                    rest = &rest[1..];
                }
            }
            first => {
                if let Some(full) = locals.get(first) {
                    let mut p = full.clone();
                    p.extend(segs[1..].iter().cloned());
                    return self.resolve(from, &p, &BTreeMap::new());
                }
                let child = if from.is_empty() { first.to_string() } else { format!("{from}::{first}") };
                if !self.by_path.contains_key(&child) {
                    return None;
                }
            }
        }
        for s in rest {
            let here = cur.join("::");
            let next = if here.is_empty() { s.clone() } else { format!("{here}::{s}") };
            if self.by_path.contains_key(&next) {
                cur.push(s.clone());
            } else if here.is_empty() && self.aliases.contains_key(s) {
                cur = self.aliases[s].split("::").map(String::from).collect();
            } else {
                break;
            }
        }
        Some(cur.join("::"))
    }

    /// The modules module i names, with an example of each naming.
    fn deps(&self, i: usize) -> BTreeMap<String, String> {
        let m = &self.modules[i];
        let code = &m.code;
        let mut deps = BTreeMap::new();
        let mut locals: BTreeMap<String, Vec<String>> = BTreeMap::new();
        // `use` declarations first: they bind names for the paths below.
        let mut uses = Vec::new();
        for (k, _) in code.match_indices("use ") {
            if k > 0 && is_ident(code.as_bytes()[k - 1]) {
                continue;
            }
            let end = code[k..].find(';').map(|e| k + e).unwrap_or(code.len());
            let tree = &code[k + 4..end];
            if tree.contains('(') || tree.contains('=') {
                continue;
            }
            for (path, name) in use_tree(tree) {
                uses.push(path.clone());
                if name != "*" {
                    locals.insert(name, path);
                }
            }
        }
        for path in &uses {
            let p: Vec<String> = path.iter().filter(|s| *s != "*").cloned().collect();
            if let Some(d) = self.resolve(&m.path, &p, &BTreeMap::new()) {
                deps.entry(d).or_insert_with(|| format!("use {}", path.join("::")));
            }
        }
        // (A `mod x;` declaration is not a dependency: declaring a child
        // module uses none of its code.)
        // Every other path, and crate macros.
        let b = code.as_bytes();
        let mut k = 0;
        while k < b.len() {
            if !is_ident(b[k]) || (k > 0 && (is_ident(b[k - 1]) || b[k - 1] == b':')) {
                k += 1;
                continue;
            }
            let mut segs = Vec::new();
            let mut e = k;
            loop {
                let s = e;
                while e < b.len() && is_ident(b[e]) {
                    e += 1;
                }
                segs.push(code[s..e].to_string());
                if code[e..].starts_with("::") && b.get(e + 2).is_some_and(|&c| is_ident(c)) {
                    e += 2;
                } else {
                    break;
                }
            }
            if b.get(e) == Some(&b'!') && segs.len() <= 2 {
                if let Some(def) = self.macros.get(segs.last().unwrap()) {
                    deps.entry(def.clone()).or_insert_with(|| format!("{}!", segs.join("::")));
                }
            } else if segs.len() > 1 || locals.contains_key(&segs[0]) {
                if let Some(d) = self.resolve(&m.path, &segs, &locals) {
                    deps.entry(d).or_insert_with(|| segs.join("::"));
                }
            }
            k = e;
        }
        deps.remove(&m.path);
        deps
    }
}

#[test]
fn layers_depend_downward() {
    let c = Crate::load();
    assert!(c.layers.len() >= 6, "lib.rs declares the layers: {:?}", c.layers);
    let mut errors = Vec::new();
    for (i, m) in c.modules.iter().enumerate() {
        let Some(mine) = c.layer(&m.path) else { continue };
        for (dep, example) in c.deps(i) {
            let Some(theirs) = c.layer(&dep) else { continue };
            if theirs > mine {
                errors.push(format!(
                    "{}: layer {} names {} (layer {}): {example}",
                    m.file.strip_prefix(src_dir()).unwrap().display(),
                    c.layers[mine],
                    dep,
                    c.layers[theirs]
                ));
            }
        }
    }
    assert!(errors.is_empty(), "upward dependencies (layers, lowest first: {}):\n{}", c.layers.join(" < "), errors.join("\n"));
}

#[test]
fn no_big_circles() {
    let c = Crate::load();
    let n = c.modules.len();
    let edges: Vec<Vec<usize>> = (0..n)
        .map(|i| if c.modules[i].path.is_empty() { vec![] } else { c.deps(i).keys().filter_map(|d| c.by_path.get(d).copied()).filter(|&j| !c.modules[j].path.is_empty()).collect() })
        .collect();
    // Tarjan's strongly connected components.
    struct St<'a> {
        edges: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        sccs: Vec<Vec<usize>>,
    }
    fn visit(s: &mut St, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on[v] = true;
        for k in 0..s.edges[v].len() {
            let w = s.edges[v][k];
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on[w] => s.low[v] = s.low[v].min(iw),
                _ => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut scc = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on[w] = false;
                scc.push(w);
                if w == v {
                    break;
                }
            }
            s.sccs.push(scc);
        }
    }
    let mut s = St { edges: &edges, index: vec![None; n], low: vec![0; n], on: vec![false; n], stack: vec![], next: 0, sccs: vec![] };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    // LAYERS_VERBOSE=1 cargo test --test layers -- --nocapture: list them.
    if std::env::var_os("LAYERS_VERBOSE").is_some() {
        for scc in s.sccs.iter().filter(|c| c.len() > 1) {
            let names: BTreeSet<&str> = scc.iter().map(|&i| c.modules[i].path.as_str()).collect();
            println!("circle of {}: {}", scc.len(), names.into_iter().collect::<Vec<_>>().join(", "));
        }
    }
    let mut big = Vec::new();
    for scc in &s.sccs {
        if scc.len() > MAX_CIRCLE {
            let names: BTreeSet<&str> = scc.iter().map(|&i| c.modules[i].path.as_str()).collect();
            big.push(format!("{} modules: {}", scc.len(), names.into_iter().collect::<Vec<_>>().join(", ")));
        }
    }
    assert!(big.is_empty(), "circles of modules naming each other, larger than {MAX_CIRCLE}:\n{}", big.join("\n"));
}

#[test]
fn no_glob_reexports() {
    let c = Crate::load();
    let mut found = Vec::new();
    for m in &c.modules {
        for (k, _) in m.code.match_indices("pub use ") {
            let end = m.code[k..].find(';').map(|e| k + e).unwrap_or(m.code.len());
            if m.code[k..end].contains('*') {
                found.push(format!("{}: {}", m.file.strip_prefix(src_dir()).unwrap().display(), &m.code[k..end]));
            }
        }
    }
    assert!(found.is_empty(), "glob re-exports:\n{}", found.join("\n"));
}

#[test]
fn resolver_sees_paths() {
    // The checker itself: a file with known references.
    let c = Crate::load();
    let i = c.by_path["mem::heap::malloc"];
    let deps = c.deps(i);
    assert!(deps.contains_key("mem::heap"), "{deps:?}");
    assert!(deps.contains_key("base::fatal"), "{deps:?}");
}
