//! `gort conform`: the conformance harness. Three suites, each run under
//! upstream's runtime (the installed toolchain as it is) and under gort's
//! (overlay GOROOT, external linking, gort's build tags):
//!
//! - `test`: the programs of GOROOT/test whose recipe (the header comment)
//!   is `run`, `buildrun`, `runoutput`, `rundir` or `runindir`, built and run
//!   the way upstream's own runner (cmd/internal/testdir) does on
//!   linux/amd64, with its pass rule: the build succeeds, the program exits
//!   0 and its output (stdout and stderr together) equals the `.out` file,
//!   or is empty when there is none.
//! - `std`: the tests of a list of standard-library packages: the test
//!   binary (`go test -c`) is run by this harness in the package directory
//!   with `-test.short` and test2json framing (what `go test -json` reads),
//!   one process for all tests, resumed after the test that crashed or hung.
//! - `runtime`: the external tests (package runtime_test) of upstream's
//!   runtime package that compile against the public runtime API, selected
//!   mechanically, copied into a package next to the runtime in a
//!   throw-away GOROOT tree, and run like a std package.
//!
//! Every process runs in its own process group under a time limit (the
//! group is killed), gort's test processes also under a memory limit
//! (RLIMIT_AS). Results go to a JSON file, a Markdown summary and, against
//! the committed baseline (conform/baseline.txt), to the exit status.

use crate::diff::line_diff;
use crate::gobuild::{self, TempDir};
use crate::overlay::{self, Overlay};
use crate::toolchain::Toolchain;
use crate::{Fail, Result};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// The directories of GOROOT/test that upstream's runner visits.
pub const TEST_DIRS: &[&str] = &[
    ".", "ken", "chan", "interface", "syntax", "dwarf", "fixedbugs", "codegen", "runtime", "abi", "typeparam",
    "typeparam/mdempsky", "arenas",
];

/// The recipes this harness runs: the ones that execute a program.
const RUN_ACTIONS: &[&str] = &["run", "buildrun", "runoutput", "rundir", "runindir"];

/// Every recipe upstream's runner knows (the others are compiler tests).
const KNOWN_ACTIONS: &[&str] = &[
    "compile", "compiledir", "build", "builddir", "buildrundir", "run", "buildrun", "runoutput", "rundir",
    "runindir", "asmcheck", "errorcheckandrundir", "errorcheckwithauto", "errorcheck", "errorcheckdir",
    "errorcheckoutput", "skip",
];

pub const DEFAULT_STD: &[&str] = &[
    "strings", "strconv", "bytes", "sort", "unicode/utf8", "container/list", "container/heap", "math", "math/big",
    "errors", "fmt", "bufio", "io", "path", "regexp", "encoding/json", "encoding/base64", "hash/crc32",
    "crypto/sha256", "compress/gzip", "text/template", "sync", "sync/atomic", "context", "time", "os",
];

/// Where test output is kept per test (more is cut).
const KEEP_OUTPUT: usize = 64 << 10;
/// Output kept from one process (a runoutput generator writes megabytes).
const KEEP_PROC_OUTPUT: usize = 64 << 20;

// ---------------------------------------------------------------------------
// Recipes (header comments) and build constraints

/// The recipe line of a GOROOT/test file: the first non-empty line that is
/// not a build constraint, without its `//`.
pub fn action_line(src: &str) -> Option<String> {
    for line in src.split('\n') {
        if is_go_build(line) || is_plus_build(line) {
            continue;
        }
        let a = line.strip_prefix("//").unwrap_or(line).trim();
        if !a.is_empty() {
            return Some(a.to_string());
        }
    }
    None
}

/// Split a recipe into words: blanks separate words, single or double
/// quotes group (and are dropped), a backslash takes the next character
/// literally.
pub fn split_quoted(s: &str) -> std::result::Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut started = false; // a quote opened the current word (it may be empty)
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            escaped = false;
            cur.push(c);
            continue;
        }
        if c == '\\' {
            escaped = true;
            continue;
        }
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else {
                cur.push(c);
            }
            continue;
        }
        if c == '"' || c == '\'' {
            quote = Some(c);
            started = true;
            continue;
        }
        if c.is_whitespace() {
            if started || !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
                started = false;
            }
            continue;
        }
        cur.push(c);
    }
    if started || !cur.is_empty() {
        words.push(cur);
    }
    if quote.is_some() {
        return Err("unclosed quote".into());
    }
    if escaped {
        return Err("unfinished escaping".into());
    }
    Ok(words)
}

/// A parsed recipe.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recipe {
    pub action: String,
    /// Flags for the go command (or the compiler, for rundir).
    pub flags: Vec<String>,
    /// What follows the flags: program arguments, or extra .go files.
    pub args: Vec<String>,
    /// `-goexperiment X`: GOEXPERIMENT for every command.
    pub goexp: Option<String>,
    /// `-t N`: time limit in seconds.
    pub timeout: Option<u64>,
    /// `-s`: every file of a rundir directory is its own package.
    pub single: bool,
}

pub fn parse_recipe(line: &str) -> std::result::Result<Recipe, String> {
    let words = split_quoted(line).map_err(|e| format!("invalid recipe: {e}"))?;
    let mut r = Recipe::default();
    let mut it = words.into_iter();
    r.action = it.next().unwrap_or_default();
    let mut rest: Vec<String> = it.collect();
    let mut i = 0;
    while i < rest.len() && rest[i].starts_with('-') {
        match rest[i].as_str() {
            "-0" | "-1" => {}
            "-s" => r.single = true,
            "-t" => {
                i += 1;
                let v = rest.get(i).ok_or("-t needs a number of seconds")?;
                r.timeout = Some(v.parse().map_err(|_| format!("-t needs a number of seconds, got {v}"))?);
            }
            "-goexperiment" => {
                i += 1;
                let v = rest.get(i).ok_or("-goexperiment needs a value")?;
                r.goexp = Some(match r.goexp.take() {
                    Some(old) => format!("{old},{v}"),
                    None => v.clone(),
                });
            }
            f => r.flags.push(f.to_string()),
        }
        i += 1;
    }
    r.args = rest.split_off(i);
    Ok(r)
}

/// A build-constraint expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Tag(String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    pub fn eval(&self, ok: &dyn Fn(&str) -> bool) -> bool {
        match self {
            Expr::Tag(t) => ok(t),
            Expr::Not(x) => !x.eval(ok),
            Expr::And(a, b) => a.eval(ok) && b.eval(ok),
            Expr::Or(a, b) => a.eval(ok) || b.eval(ok),
        }
    }
}

fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

/// The text after `prefix` if `line` is such a constraint line: the prefix
/// must be followed by a blank or end the line.
fn constraint_text<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    if line.contains('\n') {
        return None;
    }
    let rest = line.trim().strip_prefix(prefix)?;
    let trimmed = rest.trim();
    if !rest.is_empty() && rest.len() == trimmed.len() {
        return None; // e.g. //go:buildx
    }
    Some(trimmed)
}

pub fn is_go_build(line: &str) -> bool {
    line.starts_with("//go:build") && constraint_text(line, "//go:build").is_some()
}

pub fn is_plus_build(line: &str) -> bool {
    plus_build_text(line).is_some()
}

fn plus_build_text(line: &str) -> Option<&str> {
    let l = line.strip_suffix('\n').unwrap_or(line);
    if l.contains('\n') {
        return None;
    }
    let rest = l.strip_prefix("//")?.trim();
    let after = rest.strip_prefix("+build")?;
    let trimmed = after.trim();
    if !after.is_empty() && after.len() == trimmed.len() {
        return None;
    }
    Some(trimmed)
}

/// Parse one line as a build constraint: None when it is not one (or does
/// not parse, which upstream's runner treats the same way).
pub fn parse_constraint(line: &str) -> Option<Expr> {
    if line.starts_with("//go:build") {
        if let Some(t) = constraint_text(line, "//go:build") {
            return parse_go_build(t);
        }
    }
    let t = plus_build_text(line)?;
    let mut or: Option<Expr> = None;
    for clause in t.split_whitespace() {
        let mut and: Option<Expr> = None;
        for lit in clause.split(',') {
            let z = if lit.starts_with("!!") || lit == "!" {
                Expr::Tag("ignore".into())
            } else {
                let (neg, name) = match lit.strip_prefix('!') {
                    Some(n) => (true, n),
                    None => (false, lit),
                };
                let tag = if !name.is_empty() && name.chars().all(is_tag_char) { name } else { "ignore" };
                let t = Expr::Tag(tag.into());
                if neg {
                    Expr::Not(Box::new(t))
                } else {
                    t
                }
            };
            and = Some(match and {
                None => z,
                Some(a) => Expr::And(Box::new(a), Box::new(z)),
            });
        }
        let and = and?;
        or = Some(match or {
            None => and,
            Some(o) => Expr::Or(Box::new(o), Box::new(and)),
        });
    }
    Some(or.unwrap_or_else(|| Expr::Tag("ignore".into())))
}

fn parse_go_build(text: &str) -> Option<Expr> {
    // Tokens: tags, '!', '(', ')', "&&", "||".
    let mut toks = Vec::new();
    let cs: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c == ' ' || c == '\t' {
            i += 1;
        } else if c == '!' || c == '(' || c == ')' {
            toks.push(c.to_string());
            i += 1;
        } else if (c == '&' || c == '|') && i + 1 < cs.len() && cs[i + 1] == c {
            toks.push(format!("{c}{c}"));
            i += 2;
        } else if is_tag_char(c) {
            let s = i;
            while i < cs.len() && is_tag_char(cs[i]) {
                i += 1;
            }
            toks.push(cs[s..i].iter().collect());
        } else {
            return None;
        }
    }
    let mut p = 0;
    let e = parse_or(&toks, &mut p)?;
    if p != toks.len() {
        return None;
    }
    Some(e)
}

fn parse_or(t: &[String], p: &mut usize) -> Option<Expr> {
    let mut x = parse_and(t, p)?;
    while t.get(*p).map(|s| s.as_str()) == Some("||") {
        *p += 1;
        x = Expr::Or(Box::new(x), Box::new(parse_and(t, p)?));
    }
    Some(x)
}

fn parse_and(t: &[String], p: &mut usize) -> Option<Expr> {
    let mut x = parse_not(t, p)?;
    while t.get(*p).map(|s| s.as_str()) == Some("&&") {
        *p += 1;
        x = Expr::And(Box::new(x), Box::new(parse_not(t, p)?));
    }
    Some(x)
}

fn parse_not(t: &[String], p: &mut usize) -> Option<Expr> {
    let tok = t.get(*p)?.clone();
    *p += 1;
    match tok.as_str() {
        "!" => Some(Expr::Not(Box::new(parse_not(t, p)?))),
        "(" => {
            let x = parse_or(t, p)?;
            if t.get(*p).map(|s| s.as_str()) != Some(")") {
                return None;
            }
            *p += 1;
            Some(x)
        }
        ")" | "&&" | "||" => None,
        _ => Some(Expr::Tag(tok)),
    }
}

/// What upstream's runner matches build tags against.
#[derive(Debug, Clone)]
pub struct BuildCtx {
    pub goos: String,
    pub goarch: String,
    pub cgo: bool,
    pub release_tags: Vec<String>,
    pub tool_tags: Vec<String>,
    /// GO_GCFLAGS has -N or -l.
    pub noopt: bool,
}

impl BuildCtx {
    /// go1.22.12 linux/amd64 with cgo, default experiments.
    pub fn linux_amd64() -> BuildCtx {
        BuildCtx {
            goos: "linux".into(),
            goarch: "amd64".into(),
            cgo: true,
            release_tags: (1..=22).map(|n| format!("go1.{n}")).collect(),
            tool_tags: ["regabiwrappers", "regabiargs", "coverageredesign", "allocheaders", "exectracer2"]
                .iter()
                .map(|e| format!("goexperiment.{e}"))
                .chain(["amd64.v1".to_string()])
                .collect(),
            noopt: false,
        }
    }

    pub fn matches(&self, name: &str) -> bool {
        if name.is_empty() || !name.chars().all(is_tag_char) {
            return false;
        }
        if self.release_tags.iter().any(|t| t == name) {
            return true;
        }
        if name.starts_with("goexperiment.") {
            return self.tool_tags.iter().any(|t| t == name);
        }
        (name == "cgo" && self.cgo)
            || name == self.goos
            || name == self.goarch
            || name == "gc"
            || (self.noopt && name == "gcflags_noopt")
            || name == "test_run"
    }

    /// Whether a file's header allows it here; Err(the line) when not.
    /// Only lines before the package clause count.
    pub fn should_test(&self, src: &str) -> std::result::Result<(), String> {
        let header = match src.find("\npackage") {
            Some(i) => &src[..i],
            None => return Ok(()), // no package clause: only the recipe line, which is no constraint
        };
        for line in header.split('\n') {
            if line.starts_with("package ") {
                break;
            }
            if let Some(e) = parse_constraint(line) {
                if !e.eval(&|t| self.matches(t)) {
                    return Err(line.to_string());
                }
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// A tiny Go lexer: enough to find imports and qualified identifiers outside
// comments and literals.

#[derive(Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Punct(char),
}

fn go_tokens(src: &str) -> Vec<Tok> {
    let b: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == '/' && b.get(i + 1) == Some(&'/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && b.get(i + 1) == Some(&'*') {
            i += 2;
            while i < b.len() && !(b[i] == '*' && b.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '"' || c == '\'' {
            let mut s = String::new();
            i += 1;
            while i < b.len() && b[i] != c && b[i] != '\n' {
                if b[i] == '\\' {
                    i += 1;
                }
                if i < b.len() {
                    s.push(b[i]);
                }
                i += 1;
            }
            i += 1;
            out.push(if c == '"' { Tok::Str(s) } else { Tok::Punct('\'') });
        } else if c == '`' {
            let mut s = String::new();
            i += 1;
            while i < b.len() && b[i] != '`' {
                s.push(b[i]);
                i += 1;
            }
            i += 1;
            out.push(Tok::Str(s));
        } else if c.is_alphabetic() || c == '_' {
            let s = i;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(b[s..i].iter().collect()));
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '.' || b[i] == '_') {
                i += 1;
            }
        } else {
            if !c.is_whitespace() {
                out.push(Tok::Punct(c));
            }
            i += 1;
        }
    }
    out
}

/// The import paths of a Go file.
pub fn go_imports(src: &str) -> Vec<String> {
    let toks = go_tokens(src);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Ident(k) if k == "func" || k == "var" || k == "const" || k == "type" => break,
            Tok::Ident(k) if k == "import" => {
                i += 1;
                if toks.get(i) == Some(&Tok::Punct('(')) {
                    i += 1;
                    while i < toks.len() && toks[i] != Tok::Punct(')') {
                        if let Tok::Str(s) = &toks[i] {
                            out.push(s.clone());
                        }
                        i += 1;
                    }
                } else {
                    while i < toks.len() {
                        if let Tok::Str(s) = &toks[i] {
                            out.push(s.clone());
                            break;
                        }
                        i += 1;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Exported identifiers X used as `runtime.X` (outside comments and
/// literals).
pub fn runtime_selectors(src: &str) -> BTreeSet<String> {
    let toks = go_tokens(src);
    let mut out = BTreeSet::new();
    for w in toks.windows(3) {
        if let (Tok::Ident(p), Tok::Punct('.'), Tok::Ident(x)) = (&w[0], &w[1], &w[2]) {
            if p == "runtime" && x.chars().next().is_some_and(|c| c.is_uppercase()) {
                out.insert(x.clone());
            }
        }
    }
    out
}

/// The package name of a Go file (first `package X` line).
pub fn package_name(src: &str) -> Option<String> {
    for line in src.lines() {
        if let Some(rest) = line.strip_prefix("package ") {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                return Some(name);
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Processes: own process group, time limit, memory limit, combined output.

#[derive(Debug, Clone, PartialEq)]
pub enum PStatus {
    Exit(i32),
    Signal(i32),
    TimedOut(Duration),
    Spawn(String),
}

impl PStatus {
    fn ok(&self) -> bool {
        *self == PStatus::Exit(0)
    }
    fn describe(&self) -> String {
        match self {
            PStatus::Exit(c) => format!("exit status {c}"),
            PStatus::Signal(s) => format!("killed by signal {s}"),
            PStatus::TimedOut(d) => format!("killed after the time limit ({}s)", d.as_secs()),
            PStatus::Spawn(e) => format!("could not start: {e}"),
        }
    }
}

pub struct Proc {
    pub status: PStatus,
    pub out: Vec<u8>,
    pub secs: f64,
}

impl Proc {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.out).into_owned()
    }
}

enum Msg {
    Data(Vec<u8>),
    Eof,
    Exited,
}

/// Run `cmd` with stdout and stderr into one pipe (in order), stdin from
/// /dev/null, in its own process group, killed (with its group) when
/// `limit` passes. With `on_line`, the limit counts from the last line for
/// which on_line returned true (progress), not from the start.
pub fn run_proc(cmd: &mut Command, limit: Duration, mem_mb: Option<u64>, mut on_line: Option<&mut dyn FnMut(&str) -> bool>) -> Proc {
    let start = Instant::now();
    let fail = |e: String| Proc { status: PStatus::Spawn(e), out: Vec::new(), secs: 0.0 };
    let (mut r, w) = match std::io::pipe() {
        Ok(p) => p,
        Err(e) => return fail(e.to_string()),
    };
    let w2 = match w.try_clone() {
        Ok(w) => w,
        Err(e) => return fail(e.to_string()),
    };
    cmd.stdin(Stdio::null()).stdout(w2).stderr(w).process_group(0);
    // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let core = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            libc::setrlimit(libc::RLIMIT_CORE, &core);
            if let Some(mb) = mem_mb {
                let lim = libc::rlimit { rlim_cur: mb << 20, rlim_max: mb << 20 };
                libc::setrlimit(libc::RLIMIT_AS, &lim);
            }
            Ok(())
        });
    }
    let spawned = cmd.spawn();
    // The Command holds the pipe's write ends: replace them so that the
    // reader sees EOF once the child's group is gone.
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return fail(format!("{:?}: {e}", cmd.get_program())),
    };
    let pid = child.id() as i32;
    let (tx, rx) = mpsc::channel::<Msg>();
    let txr = tx.clone();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 << 10];
        loop {
            match r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if txr.send(Msg::Data(buf[..n].to_vec())).is_err() {
                        return;
                    }
                }
            }
        }
        let _ = txr.send(Msg::Eof);
    });
    std::thread::spawn(move || {
        // Wait without reaping, so that the group id stays ours until we
        // have killed the group.
        // SAFETY: a zeroed siginfo_t is a valid out-parameter.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        loop {
            let r = unsafe { libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, libc::WEXITED | libc::WNOWAIT) };
            if r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                break;
            }
        }
        let _ = tx.send(Msg::Exited);
    });
    let mut out = Vec::new();
    let mut partial = Vec::new();
    let mut deadline = start + limit;
    let (mut exited, mut eof, mut timed_out) = (false, false, false);
    let mut drain_until: Option<Instant> = None;
    let kill_group = || unsafe {
        libc::kill(-pid, libc::SIGKILL);
    };
    loop {
        if exited && eof {
            break;
        }
        let now = Instant::now();
        if let Some(d) = drain_until {
            if now >= d {
                break; // something escaped the group and holds the pipe
            }
        }
        let wait_until = drain_until.unwrap_or(deadline);
        match rx.recv_timeout(wait_until.saturating_duration_since(now)) {
            Ok(Msg::Data(d)) => {
                if let Some(cb) = on_line.as_mut() {
                    partial.extend_from_slice(&d);
                    while let Some(i) = partial.iter().position(|&b| b == b'\n') {
                        let line: Vec<u8> = partial.drain(..=i).collect();
                        if cb(String::from_utf8_lossy(&line[..line.len() - 1]).as_ref()) {
                            deadline = Instant::now() + limit;
                        }
                    }
                }
                if out.len() < KEEP_PROC_OUTPUT {
                    let n = d.len().min(KEEP_PROC_OUTPUT - out.len());
                    out.extend_from_slice(&d[..n]);
                }
            }
            Ok(Msg::Eof) => eof = true,
            Ok(Msg::Exited) => {
                exited = true;
                kill_group();
                drain_until = Some(Instant::now() + Duration::from_secs(2));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if !exited && Instant::now() >= deadline && !timed_out {
                    timed_out = true;
                    kill_group();
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    if let Some(cb) = on_line.as_mut() {
        if !partial.is_empty() {
            cb(String::from_utf8_lossy(&partial).as_ref());
        }
    }
    let st = child.wait();
    let status = if timed_out {
        PStatus::TimedOut(limit)
    } else {
        match st {
            Ok(st) => {
                use std::os::unix::process::ExitStatusExt;
                match (st.code(), st.signal()) {
                    (Some(c), _) => PStatus::Exit(c),
                    (None, Some(s)) => PStatus::Signal(s),
                    _ => PStatus::Exit(-1),
                }
            }
            Err(e) => PStatus::Spawn(e.to_string()),
        }
    };
    Proc { status, out, secs: start.elapsed().as_secs_f64() }
}

// ---------------------------------------------------------------------------
// Results

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Suite {
    Test,
    Std,
    Runtime,
}

impl Suite {
    fn key(self) -> &'static str {
        match self {
            Suite::Test => "test",
            Suite::Std => "std",
            Suite::Runtime => "runtime",
        }
    }
    fn title(self) -> &'static str {
        match self {
            Suite::Test => "GOROOT/test programs (run, buildrun, runoutput, rundir, runindir)",
            Suite::Std => "standard-library package tests (go test -short)",
            Suite::Runtime => "runtime external tests (public API only, -short)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    /// The test skipped itself (t.Skip).
    Skip,
}

#[derive(Debug, Clone)]
pub struct Res {
    pub verdict: Verdict,
    /// Why it failed: the line failures are grouped by.
    pub first: String,
    /// Output (cut at KEEP_OUTPUT).
    pub output: String,
    pub secs: f64,
}

impl Res {
    fn pass(output: String, secs: f64) -> Res {
        Res { verdict: Verdict::Pass, first: String::new(), output, secs }
    }
    fn fail(first: impl Into<String>, output: String, secs: f64) -> Res {
        Res { verdict: Verdict::Fail, first: first.into(), output: cut(output, KEEP_OUTPUT), secs }
    }
    fn is_pass(&self) -> bool {
        self.verdict == Verdict::Pass
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub suite: Suite,
    /// Directory (test), package (std) or file (runtime).
    pub group: String,
    pub name: String,
    pub up: Option<Res>,
    pub gort: Option<Res>,
    /// For GOROOT/test: the expected output.
    pub want: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Skip {
    pub suite: Suite,
    pub name: String,
    pub category: String,
    pub detail: String,
}

#[derive(Default)]
pub struct Results {
    pub entries: Vec<Entry>,
    pub skips: Vec<Skip>,
    /// Recipes of GOROOT/test files out of scope (compiler tests), by action.
    pub out_of_scope: BTreeMap<String, usize>,
    pub notes: Vec<String>,
}

fn cut(mut s: String, n: usize) -> String {
    if s.len() > n {
        let mut i = n;
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        s.truncate(i);
        s.push_str("\n... (output cut)\n");
    }
    s
}

/// Normalise a failure line so that failures with the same cause group
/// together: addresses, numbers, temporary paths.
pub fn normalise_line(s: &str, tmp_prefixes: &[&str]) -> String {
    let mut s = s.trim().to_string();
    for p in tmp_prefixes {
        if !p.is_empty() {
            s = s.replace(p, "");
        }
    }
    let b: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let prev_word = i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_');
        if c == '0' && b.get(i + 1) == Some(&'x') && !prev_word {
            let mut j = i + 2;
            while j < b.len() && b[j].is_ascii_hexdigit() {
                j += 1;
            }
            if j > i + 2 {
                out.push_str("0x?");
                i = j;
                continue;
            }
        }
        if c.is_ascii_digit() && !prev_word {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if !(j < b.len() && (b[j].is_alphabetic() || b[j] == '_')) {
                out.push('N');
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    // A log package timestamp ("2006/01/02 15:04:05 ") says nothing.
    for pre in ["N/N/N N:N:N ", "exit status N: N/N/N N:N:N "] {
        if let Some(i) = out.find(pre) {
            if i == 0 || pre.starts_with("exit") {
                out.replace_range(i + pre.len() - "N/N/N N:N:N ".len()..i + pre.len(), "");
                break;
            }
        }
    }
    if out.chars().count() > 160 {
        out = out.chars().take(160).collect::<String>() + "...";
    }
    out
}

/// The line that says why a process failed: the first runtime report
/// (fatal error, panic, signal), else the status and first output line.
pub fn crash_line(status: &PStatus, out: &str) -> String {
    if let PStatus::TimedOut(_) | PStatus::Spawn(_) = status {
        return status.describe();
    }
    const MARKS: &[&str] = &[
        "fatal error:", "panic:", "runtime: ", "SIGSEGV", "SIGBUS", "SIGILL", "SIGABRT", "SIGFPE", "unexpected fault",
        "unexpected signal", "fatal: morestack", "runtime stack:",
    ];
    for line in out.lines() {
        let l = line.trim_start();
        if MARKS.iter().any(|m| l.starts_with(m)) {
            return l.to_string();
        }
    }
    match out.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(l) => format!("{}: {l}", status.describe()),
        None => format!("{}, no output", status.describe()),
    }
}

/// The line that says why a build failed.
pub fn build_line(out: &str) -> String {
    let missing = gobuild::missing_symbols(out);
    if let Some(first) = missing.iter().next() {
        return format!("link: runtime symbol not provided by gort: {first}");
    }
    for line in out.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') || l.starts_with("go: downloading") {
            continue;
        }
        return format!("build: {l}");
    }
    "build failed (no output)".into()
}

// ---------------------------------------------------------------------------
// Options

pub struct Opts {
    pub jobs: usize,
    pub suites: BTreeSet<Suite>,
    pub only: Vec<String>,
    pub ci: bool,
    pub update_baseline: bool,
    pub timeout: Duration,
    pub build_timeout: Duration,
    pub mem_mb: u64,
    pub pkgs: Vec<String>,
    pub json: PathBuf,
    pub md: Option<PathBuf>,
    pub verbose: bool,
    pub gort_only: bool,
}

fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn ci_list_path() -> PathBuf {
    repo_dir().join("conform/ci.list")
}

pub fn baseline_path() -> PathBuf {
    repo_dir().join("conform/baseline.txt")
}

fn parse_opts(args: &[String]) -> Result<Opts> {
    let mut o = Opts {
        jobs: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
        suites: [Suite::Test, Suite::Std, Suite::Runtime].into_iter().collect(),
        only: Vec::new(),
        ci: false,
        update_baseline: false,
        timeout: Duration::from_secs(60),
        build_timeout: Duration::from_secs(600),
        mem_mb: 4096,
        pkgs: DEFAULT_STD.iter().map(|s| s.to_string()).collect(),
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
            "-pkgs" => o.pkgs = value(&mut i)?.split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
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
    if !md_set && o.only.is_empty() && !o.ci && o.suites.len() == 3 && o.pkgs.len() == DEFAULT_STD.len() {
        o.md = Some(repo_dir().join("docs/CONFORMANCE.md"));
    }
    Ok(o)
}

/// Does `name` match the pattern (a glob with `*` if it has one, else a
/// substring)?
pub fn pattern_match(pat: &str, name: &str) -> bool {
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

/// The CI subset: GOROOT/test names and `std/PKG` entries.
pub struct CiList {
    pub tests: BTreeSet<String>,
    pub pkgs: Vec<String>,
    pub runtime: bool,
}

pub fn parse_ci_list(text: &str) -> CiList {
    let mut l = CiList { tests: BTreeSet::new(), pkgs: Vec::new(), runtime: false };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(p) = line.strip_prefix("std/") {
            l.pkgs.push(p.to_string());
        } else if line == "runtime" {
            l.runtime = true;
        } else {
            l.tests.insert(line.to_string());
        }
    }
    l
}

// ---------------------------------------------------------------------------
// The context shared by all jobs

struct Ctx<'a> {
    tc: &'a Toolchain,
    ov: &'a Overlay,
    opts: &'a Opts,
    test_dir: PathBuf,
    /// importcfg contents for the standard library, per runtime.
    cfg_up: String,
    cfg_gort: String,
    cfg_up_file: PathBuf,
    cfg_gort_file: PathBuf,
    gort_ldflags: Vec<String>,
    env_gort: Vec<(String, String)>,
    /// Path prefixes removed from failure lines before grouping.
    strip: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Rt {
    Up,
    Gort,
}

impl Rt {
    fn name(self) -> &'static str {
        match self {
            Rt::Up => "upstream",
            Rt::Gort => "gort",
        }
    }
}

impl<'a> Ctx<'a> {
    /// A go command for the runtime, with the runner's settings.
    fn go(&self, rt: Rt) -> Command {
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
    fn build_flags(&self, rt: Rt, flags: &[String]) -> Vec<String> {
        match rt {
            Rt::Up => flags.to_vec(),
            Rt::Gort => gobuild::merge_flags(flags, self.ov).unwrap_or_else(|_| flags.to_vec()),
        }
    }

    fn cfg(&self, rt: Rt) -> (&str, &Path) {
        match rt {
            Rt::Up => (&self.cfg_up, &self.cfg_up_file),
            Rt::Gort => (&self.cfg_gort, &self.cfg_gort_file),
        }
    }

    fn mem(&self, rt: Rt) -> Option<u64> {
        match rt {
            Rt::Up => None,
            Rt::Gort => Some(self.opts.mem_mb),
        }
    }

    /// The environment of a test program (as upstream's runner gives it).
    fn prog_cmd(&self, exe: &Path, args: &[String], cwd: &Path, goexp: &Option<String>) -> Command {
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

// ---------------------------------------------------------------------------
// GOROOT/test

#[derive(Debug, Clone)]
pub struct GoTest {
    pub dir: String,
    pub file: String,
    pub recipe: Recipe,
}

impl GoTest {
    pub fn name(&self) -> String {
        test_name(&self.dir, &self.file)
    }
    fn rel(&self) -> String {
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

pub fn test_name(dir: &str, file: &str) -> String {
    if dir == "." {
        format!("test/{file}")
    } else {
        format!("test/{dir}/{file}")
    }
}

/// Every GOROOT/test file upstream's runner would visit, sorted into the
/// ones this harness runs, the ones skipped on linux/amd64, and the compiler
/// tests (out of scope).
fn discover(test_dir: &Path, bctx: &BuildCtx, res: &mut Results) -> Result<Vec<GoTest>> {
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
                res.skips.push(Skip { suite: Suite::Test, name, category: "no recipe".into(), detail: String::new() });
                continue;
            };
            let recipe = match parse_recipe(&line) {
                Ok(r) => r,
                Err(e) => {
                    res.skips.push(Skip { suite: Suite::Test, name, category: "bad recipe".into(), detail: e });
                    continue;
                }
            };
            let in_scope = RUN_ACTIONS.contains(&recipe.action.as_str());
            if let Err(why) = bctx.should_test(&src) {
                if in_scope {
                    res.skips.push(Skip {
                        suite: Suite::Test,
                        name,
                        category: "build constraint excludes linux/amd64".into(),
                        detail: why,
                    });
                }
                continue;
            }
            if recipe.flags.iter().any(|f| f == "-race") && !race_supported(&test_dir.parent().unwrap_or(Path::new("/"))) {
                res.skips.push(Skip {
                    suite: Suite::Test,
                    name,
                    category: "needs the race detector, which this toolchain lacks".into(),
                    detail: String::new(),
                });
                continue;
            }
            if recipe.action == "skip" {
                res.skips.push(Skip {
                    suite: Suite::Test,
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

fn expected_output(ctx: &Ctx, t: &GoTest) -> String {
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

fn run_gotest(ctx: &Ctx, t: &GoTest, rt: Rt) -> Res {
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
            "rundir" => run_dir(ctx, &st, t, &tmp.0, &want),
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

/// rundir: compile the directory's packages in order (each package's files
/// named by the first file), link the last as main, run it.
fn run_dir(ctx: &Ctx, st: &Step, t: &GoTest, tmp: &Path, want: &str) -> std::result::Result<Res, Res> {
    let r = &t.recipe;
    let dir = ctx.test_dir.join(t.dir_name());
    let pkgs = dir_packages(&dir, r.single).map_err(|e| Res::fail(format!("harness: {}", e.msg), String::new(), 0.0))?;
    let (mut flags, mut ldflags) = (r.flags.clone(), vec![]);
    if let Some(i) = flags.iter().position(|f| f == "-ldflags") {
        ldflags = flags.split_off(i + 1);
        flags.pop();
    }
    let (std_cfg, _) = ctx.cfg(st.rt);
    let mut cfg = std_cfg.to_string();
    for (_, files) in &pkgs {
        let p = format!("test/{}", files[0].trim_end_matches(".go"));
        cfg += &format!("\npackagefile {p}={}", tmp.join(format!("{p}.a")).display());
    }
    let cfg_file = tmp.join("importcfg");
    std::fs::create_dir_all(tmp.join("test")).and_then(|_| std::fs::write(&cfg_file, cfg)).map_err(|e| Res::fail(format!("harness: {e}"), String::new(), 0.0))?;
    let cfg_arg = format!("-importcfg={}", cfg_file.display());
    let mut secs = 0.0;
    for (i, (name, files)) in pkgs.iter().enumerate() {
        let mut args: Vec<String> = vec!["compile".into(), "-e".into(), "-D".into(), "test".into(), cfg_arg.clone()];
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
        secs += st.build(c)?;
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

/// Copy a directory tree: real directories, files as symlinks.
fn mirror_dir(src: &Path, dst: &Path) -> Result<()> {
    std::fs::create_dir_all(dst)?;
    for e in std::fs::read_dir(src)? {
        let e = e?;
        let p = e.path();
        let d = dst.join(e.file_name());
        if std::fs::metadata(&p)?.is_dir() {
            mirror_dir(&p, &d)?;
        } else {
            std::os::unix::fs::symlink(&p, &d)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Test binaries (std packages, runtime tests)

/// Top-level tests of a test binary: what `-test.list` prints, less the
/// benchmarks (not run by go test without -bench).
fn list_tests(ctx: &Ctx, exe: &Path, cwd: &Path, env: &[(String, String)], rt: Rt) -> std::result::Result<Vec<String>, String> {
    let mut c = Command::new(exe);
    c.arg("-test.list=.*").current_dir(cwd).envs(env.iter().map(|(k, v)| (k, v)));
    let p = run_proc(&mut c, ctx.opts.timeout, ctx.mem(rt), None);
    let text = p.text();
    if !p.status.ok() {
        return Err(crash_line(&p.status, &text));
    }
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Benchmark") && l.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .map(String::from)
        .collect())
}

#[derive(Default)]
struct TestState {
    /// Top-level test -> output lines.
    out: BTreeMap<String, String>,
    /// First line of the first failing (sub)test's own output.
    first: BTreeMap<String, String>,
    sub_out: BTreeMap<String, Vec<String>>,
    results: BTreeMap<String, (Verdict, f64)>,
    running: BTreeSet<String>,
    cur: Option<String>,
    /// A test failed without output of its own so far: its first line
    /// comes after the FAIL line (examples print got/want there).
    pending_first: Option<String>,
    progressed: bool,
    final_line: bool,
}

fn top(name: &str) -> &str {
    name.split('/').next().unwrap_or(name)
}

fn parse_secs(rest: &str) -> f64 {
    rest.rsplit_once('(').and_then(|(_, s)| s.trim_end_matches(')').trim_end_matches('s').parse().ok()).unwrap_or(0.0)
}

impl TestState {
    /// One line of a test binary's output (-test.v=test2json); true when it
    /// is progress (a framing line).
    fn line(&mut self, l: &str) -> bool {
        if let Some(f) = l.strip_prefix('\u{16}') {
            self.pending_first = None;
            let f = f.trim_start();
            if let Some(n) = f.strip_prefix("=== RUN").or_else(|| f.strip_prefix("=== CONT")).or_else(|| f.strip_prefix("=== NAME")) {
                let n = n.trim();
                self.cur = if n.is_empty() { None } else { Some(n.to_string()) };
                if !n.is_empty() && !n.contains('/') {
                    self.running.insert(n.to_string());
                }
            } else if let Some(n) = f.strip_prefix("=== PAUSE") {
                self.running.remove(n.trim());
                self.cur = None;
            } else if let Some((v, rest)) = [("--- PASS:", Verdict::Pass), ("--- FAIL:", Verdict::Fail), ("--- SKIP:", Verdict::Skip)]
                .iter()
                .find_map(|(p, v)| f.strip_prefix(p).map(|r| (*v, r)))
            {
                let name = rest.trim().split(' ').next().unwrap_or("").to_string();
                self.cur = None;
                if v == Verdict::Fail {
                    let t = top(&name).to_string();
                    if !self.first.contains_key(&t) {
                        match self.sub_out.get(&name).and_then(|ls| ls.first()) {
                            Some(l) => {
                                self.first.insert(t.clone(), l.clone());
                            }
                            None => self.pending_first = Some(t.clone()),
                        }
                    }
                    self.cur = Some(name.clone());
                }
                if !name.contains('/') {
                    self.results.insert(name.clone(), (v, parse_secs(rest)));
                    self.running.remove(&name);
                    self.progressed = true;
                }
            } else if f == "PASS" || f == "FAIL" {
                self.final_line = true;
            }
            return true;
        }
        if let Some(t) = self.pending_first.take() {
            if !l.trim().is_empty() {
                self.first.insert(t, l.trim().to_string());
            } else {
                self.pending_first = Some(t);
            }
        }
        if let Some(c) = &self.cur {
            let t = top(c).to_string();
            let o = self.out.entry(t).or_default();
            if o.len() < KEEP_OUTPUT {
                o.push_str(l);
                o.push('\n');
            }
            let s = self.sub_out.entry(c.clone()).or_default();
            if s.len() < 8 && !l.trim().is_empty() {
                s.push(l.trim().to_string());
            }
        } else if let Some(r) = self.running.iter().next().cloned() {
            // Unattributed output (a crash report) while tests run.
            let o = self.out.entry(r).or_default();
            if o.len() < KEEP_OUTPUT {
                o.push_str(l);
                o.push('\n');
            }
        }
        false
    }
}

/// Run the given top-level tests of a test binary, one process for all of
/// them, starting again after a crash or a hang with the tests not yet run.
fn run_test_binary(ctx: &Ctx, exe: &Path, cwd: &Path, env: &[(String, String)], rt: Rt, tests: &[String]) -> BTreeMap<String, Res> {
    let mut done: BTreeMap<String, Res> = BTreeMap::new();
    loop {
        let remaining: Vec<&String> = tests.iter().filter(|t| !done.contains_key(*t)).collect();
        if remaining.is_empty() {
            break;
        }
        let re = format!("^({})$", remaining.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("|"));
        let mut c = Command::new(exe);
        c.args(["-test.v=test2json", "-test.short", "-test.paniconexit0", "-test.count=1"])
            .arg(format!("-test.run={re}"))
            .current_dir(cwd)
            .envs(env.iter().map(|(k, v)| (k, v)));
        let mut stt = TestState::default();
        let p = {
            let mut cb = |l: &str| stt.line(l);
            run_proc(&mut c, ctx.opts.timeout, ctx.mem(rt), Some(&mut cb))
        };
        let text = p.text();
        let cause = crash_line(&p.status, &text);
        for (name, (v, secs)) in &stt.results {
            if !remaining.iter().any(|r| *r == name) || done.contains_key(name) {
                continue;
            }
            let out = stt.out.get(name).cloned().unwrap_or_default();
            let res = match v {
                Verdict::Pass => Res::pass(out, *secs),
                Verdict::Skip => Res { verdict: Verdict::Skip, first: String::new(), output: String::new(), secs: *secs },
                Verdict::Fail => {
                    let first = if stt.running.is_empty() && !p.status.ok() && !matches!(p.status, PStatus::Exit(1)) {
                        // The test failed and the binary died right after
                        // (a test panic): the crash report says why.
                        crash_line(&p.status, &out)
                    } else {
                        stt.first.get(name).cloned().unwrap_or_else(|| crash_line(&PStatus::Exit(1), &out))
                    };
                    Res::fail(first, out, *secs)
                }
            };
            done.insert(name.clone(), res);
        }
        let normal_end = stt.final_line && matches!(p.status, PStatus::Exit(0) | PStatus::Exit(1));
        // Tests that were running when the binary died.
        let mut blamed = 0;
        for name in stt.running.iter() {
            if done.contains_key(name) || !remaining.iter().any(|r| *r == name) {
                continue;
            }
            let out = stt.out.get(name).cloned().unwrap_or_default();
            let first = match &p.status {
                PStatus::TimedOut(d) => format!("killed: no test finished within the time limit ({}s)", d.as_secs()),
                st => {
                    let l = crash_line(st, &out);
                    if l.starts_with("exit status") { cause.clone() } else { l }
                }
            };
            done.insert(name.clone(), Res::fail(first, out, 0.0));
            blamed += 1;
        }
        if normal_end || (!stt.progressed && blamed == 0) {
            // Nothing more will come of running it again.
            let why = if normal_end {
                "no result reported".to_string()
            } else {
                format!("test binary failed before running the test: {cause}")
            };
            for t in tests {
                done.entry(t.clone()).or_insert_with(|| Res::fail(why.clone(), cut(text.clone(), 4096), 0.0));
            }
            break;
        }
    }
    done
}

/// Build a test binary (`go test -c`; no binary when the package has no
/// tests).
fn build_test_binary(ctx: &Ctx, mut cmd: Command) -> std::result::Result<(), Res> {
    let p = run_proc(&mut cmd, ctx.opts.build_timeout, None, None);
    if p.status.ok() {
        return Ok(());
    }
    let text = p.text();
    let first = if let PStatus::TimedOut(_) = p.status { format!("build: {}", p.status.describe()) } else { build_line(&text) };
    Err(Res::fail(first, text, p.secs))
}

fn test_name_matches(opts: &Opts, group: &str, test: &str) -> bool {
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

fn group_selected(opts: &Opts, group: &str) -> bool {
    opts.only.is_empty()
        || opts.only.iter().any(|p| pattern_match(p, group) || p.split_once(':').is_some_and(|(g, _)| pattern_match(g, group)))
}

/// One std package under both runtimes.
fn run_std_pkg(ctx: &Ctx, pkg: &str) -> Vec<Entry> {
    let group = format!("std/{pkg}");
    let (cwd, goroot) = match pkg_dir(ctx, pkg) {
        Ok(d) => d,
        Err(e) => {
            let r = Res::fail(format!("harness: {}", e.msg), String::new(), 0.0);
            return vec![Entry { suite: Suite::Std, group: group.clone(), name: group, up: Some(r.clone()), gort: Some(r), want: None }];
        }
    };
    let mut up_env: Vec<(String, String)> = vec![("GOROOT".into(), ctx.tc.goroot.display().to_string())];
    let mut gort_env = ctx.env_gort.clone();
    if let Some(g) = &goroot {
        for (k, v) in up_env.iter_mut().chain(gort_env.iter_mut()) {
            if k == "GOROOT" {
                *v = g.display().to_string();
            }
        }
    }
    let mut per_rt: Vec<(Rt, std::result::Result<BTreeMap<String, Res>, Res>)> = Vec::new();
    let mut tests: Option<Vec<String>> = None;
    let tmp = match TempDir::new("conform-std") {
        Ok(t) => t,
        Err(e) => {
            return vec![Entry { suite: Suite::Std, group: group.clone(), name: group, up: None, gort: Some(Res::fail(format!("harness: {}", e.msg), String::new(), 0.0)), want: None }];
        }
    };
    // Upstream first: its list of tests is the package's (with --gort-only it
    // is built and listed, not run).
    for rt in [Rt::Up, Rt::Gort] {
        let exe = tmp.0.join(format!("{}.test", rt.name()));
        let mut c = ctx.go(rt);
        c.arg("test").arg("-c").arg("-vet=off").args(ctx.build_flags(rt, &[])).arg("-o").arg(&exe).arg(pkg).current_dir(&tmp.0);
        if let Err(r) = build_test_binary(ctx, c) {
            per_rt.push((rt, Err(r)));
            continue;
        }
        if !exe.exists() {
            return vec![]; // no test files
        }
        let env = if rt == Rt::Up { &up_env } else { &gort_env };
        if tests.is_none() {
            match list_tests(ctx, &exe, &cwd, env, rt) {
                Ok(l) => tests = Some(l.into_iter().filter(|t| test_name_matches(ctx.opts, &group, t)).collect()),
                Err(e) => {
                    per_rt.push((rt, Err(Res::fail(format!("test binary cannot list its tests: {e}"), String::new(), 0.0))));
                    continue;
                }
            }
        }
        if rt == Rt::Up && ctx.opts.gort_only {
            continue;
        }
        let list = tests.clone().unwrap_or_default();
        per_rt.push((rt, Ok(run_test_binary(ctx, &exe, &cwd, env, rt, &list))));
    }
    if let Some(g) = &goroot {
        let _ = std::fs::remove_dir_all(g);
    }
    merge_entries(Suite::Std, &group, tests.unwrap_or_default(), per_rt)
}

/// The directory a package's test binary runs in, and the GOROOT it gets
/// (None: the runtime's own): the package's source directory, or, for tests
/// that read `GOROOT/lib/time/zoneinfo.zip` (which Debian's toolchain does
/// not ship), the package in a GOROOT-shaped tree (symlinks, the package's
/// top directory mirrored) whose lib/time/zoneinfo.zip is made from the
/// system's /usr/share/zoneinfo.
fn pkg_dir(ctx: &Ctx, pkg: &str) -> Result<(PathBuf, Option<PathBuf>)> {
    let base = &ctx.tc.goroot;
    let src = base.join("src").join(pkg);
    if base.join("lib/time/zoneinfo.zip").exists() {
        return Ok((src, None));
    }
    let wants_zip = std::fs::read_dir(&src)?.filter_map(|e| e.ok()).any(|e| {
        let n = e.file_name().to_string_lossy().into_owned();
        n.ends_with("_test.go") && std::fs::read_to_string(e.path()).unwrap_or_default().contains("lib/time/zoneinfo.zip")
    });
    if !wants_zip {
        return Ok((src, None));
    }
    let root = overlay::state_dir().join(format!("conform-goroot-{}", pkg.replace('/', "-")));
    if root.exists() {
        std::fs::remove_dir_all(&root)?;
    }
    let top = pkg.split('/').next().unwrap_or(pkg);
    std::fs::create_dir_all(root.join("src"))?;
    std::fs::create_dir_all(root.join("lib/time"))?;
    for e in std::fs::read_dir(base)? {
        let e = e?;
        if e.file_name() != "src" && e.file_name() != "lib" {
            std::os::unix::fs::symlink(e.path(), root.join(e.file_name()))?;
        }
    }
    for e in std::fs::read_dir(base.join("src"))? {
        let e = e?;
        if e.file_name() != top {
            std::os::unix::fs::symlink(e.path(), root.join("src").join(e.file_name()))?;
        }
    }
    mirror_dir(&base.join("src").join(top), &root.join("src").join(top))?;
    std::fs::write(root.join("lib/time/zoneinfo.zip"), zoneinfo_zip(Path::new("/usr/share/zoneinfo"))?)?;
    Ok((root.join("src").join(pkg), Some(root)))
}

/// A zip archive (stored, uncompressed, as the time package reads it) of
/// the TZif files under `dir`, named by their path relative to it.
pub fn zoneinfo_zip(dir: &Path) -> Result<Vec<u8>> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
        for e in std::fs::read_dir(d)? {
            let p = e?.path();
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            if rel == "posix" || rel == "right" {
                continue;
            }
            if std::fs::metadata(&p)?.is_dir() {
                walk(base, &p, out)?;
            } else {
                let data = std::fs::read(&p)?;
                if data.starts_with(b"TZif") {
                    out.push((rel, data));
                }
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files).map_err(|e| Fail::new(format!("reading time zones from {}: {}", dir.display(), e.msg)))?;
    files.sort();
    Ok(stored_zip(&files))
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0xedb8_8320 } else { c >> 1 };
        }
    }
    !c
}

/// A zip archive with the given files, stored without compression.
pub fn stored_zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    let le16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    for (name, data) in files {
        let off = out.len() as u32;
        let crc = crc32(data);
        le32(&mut out, 0x0403_4b50);
        for x in [20u16, 0, 0, 0, 0x21] {
            le16(&mut out, x); // version, flags, method (stored), time, date (1980-01-01)
        }
        le32(&mut out, crc);
        le32(&mut out, data.len() as u32);
        le32(&mut out, data.len() as u32);
        le16(&mut out, name.len() as u16);
        le16(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        le32(&mut central, 0x0201_4b50);
        for x in [20u16, 20, 0, 0, 0, 0x21] {
            le16(&mut central, x); // made by, needed, flags, method, time, date
        }
        le32(&mut central, crc);
        le32(&mut central, data.len() as u32);
        le32(&mut central, data.len() as u32);
        for x in [name.len() as u16, 0, 0, 0, 0] {
            le16(&mut central, x); // name, extra, comment lengths, disk, internal attrs
        }
        le32(&mut central, 0);
        le32(&mut central, off);
        central.extend_from_slice(name.as_bytes());
    }
    let cd_off = out.len() as u32;
    out.extend_from_slice(&central);
    le32(&mut out, 0x0605_4b50);
    for x in [0u16, 0, files.len() as u16, files.len() as u16] {
        le16(&mut out, x);
    }
    le32(&mut out, central.len() as u32);
    le32(&mut out, cd_off);
    le16(&mut out, 0);
    out
}

fn merge_entries(suite: Suite, group: &str, tests: Vec<String>, per_rt: Vec<(Rt, std::result::Result<BTreeMap<String, Res>, Res>)>) -> Vec<Entry> {
    let sep = if suite == Suite::Runtime { "" } else { ":" };
    let prefix = if suite == Suite::Runtime { "runtime:".to_string() } else { format!("{group}{sep}") };
    if tests.is_empty() {
        // Neither runtime could say which tests there are: one entry for
        // the package.
        let mut e = Entry { suite, group: group.into(), name: group.into(), up: None, gort: None, want: None };
        for (rt, r) in per_rt {
            let r = r.err().unwrap_or_else(|| Res::fail("no tests listed", String::new(), 0.0));
            match rt {
                Rt::Up => e.up = Some(r),
                Rt::Gort => e.gort = Some(r),
            }
        }
        return vec![e];
    }
    let mut out: Vec<Entry> = tests
        .iter()
        .map(|t| Entry { suite, group: group.into(), name: format!("{prefix}{t}"), up: None, gort: None, want: None })
        .collect();
    for (rt, r) in per_rt {
        for (i, t) in tests.iter().enumerate() {
            let res = match &r {
                Ok(m) => m.get(t).cloned().unwrap_or_else(|| Res::fail("no result", String::new(), 0.0)),
                Err(b) => Res { output: String::new(), ..b.clone() },
            };
            match rt {
                Rt::Up => out[i].up = Some(res),
                Rt::Gort => out[i].gort = Some(res),
            }
        }
        if let Err(b) = &r {
            // Keep the build output once.
            match rt {
                Rt::Up => out[0].up = Some(b.clone()),
                Rt::Gort => out[0].gort = Some(b.clone()),
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// runtime external tests

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

/// A throw-away GOROOT: `base` entry by entry (symlinks), with src/ and
/// src/runtime real directories. The runtime's own test files are left
/// out, so that the selected external tests can be put there: they are then
/// package runtime_test of import path runtime (function names in
/// tracebacks and examples as upstream's), and the runtime's internal
/// packages stay importable. testdata is mirrored (real directories), so
/// that programs built from it are found inside this GOROOT.
fn make_tree(base: &Path, dest: &Path) -> Result<PathBuf> {
    if dest.exists() {
        std::fs::remove_dir_all(dest)?;
    }
    std::fs::create_dir_all(dest.join("src/runtime"))?;
    let link_all = |from: &Path, to: &Path, skip: &dyn Fn(&str) -> bool| -> Result<()> {
        for e in std::fs::read_dir(from)? {
            let e = e?;
            if skip(&e.file_name().to_string_lossy()) {
                continue;
            }
            std::os::unix::fs::symlink(e.path(), to.join(e.file_name()))?;
        }
        Ok(())
    };
    link_all(base, dest, &|n| n == "src")?;
    link_all(&base.join("src"), &dest.join("src"), &|n| n == "runtime")?;
    link_all(&base.join("src/runtime"), &dest.join("src/runtime"), &|n| n.ends_with("_test.go") || n == "testdata")?;
    let pkg = dest.join("src/runtime");
    let td = base.join("src/runtime/testdata");
    if td.exists() {
        mirror_dir(&td, &pkg.join("testdata"))?;
    }
    Ok(pkg)
}

pub struct RuntimeSelection {
    pub selected: Vec<String>,
    pub internal: usize,
    /// file -> (category, detail)
    pub skipped: BTreeMap<String, (String, String)>,
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
        for part in line[..i].split(|c: char| c == ' ' || c == ':') {
            let base = part.rsplit('/').next().unwrap_or(part);
            if base.ends_with("_test.go") {
                m.entry(base.to_string()).or_insert_with(|| sym.clone());
            }
        }
    }
    m
}

fn runtime_suite(ctx: &Ctx, notes: &Mutex<Vec<String>>, skips: &Mutex<Vec<Skip>>) -> Vec<Entry> {
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

// ---------------------------------------------------------------------------
// The command

pub fn cmd_conform(args: &[String]) -> Result<u8> {
    let opts = parse_opts(args)?;
    let started = Instant::now();
    let tc = Toolchain::find()?;
    let ov = overlay::ensure(&tc)?;
    let lib_id = overlay::lib_id(&ov.lib)?;
    let test_dir = tc.goroot.join("test");

    let mut results = Results::default();
    let bctx = build_ctx(&tc);
    let ci = if opts.ci {
        let p = ci_list_path();
        let text = std::fs::read_to_string(&p).map_err(|e| Fail::new(format!("reading {}: {e}", p.display())))?;
        Some(parse_ci_list(&text))
    } else {
        None
    };

    // What to run.
    let mut tests = Vec::new();
    if opts.suites.contains(&Suite::Test) {
        tests = discover(&test_dir, &bctx, &mut results)?;
        tests.retain(|t| {
            let n = t.name();
            ci.as_ref().is_none_or(|c| c.tests.contains(&n)) && (opts.only.is_empty() || opts.only.iter().any(|p| pattern_match(p, &n)))
        });
        let names: BTreeSet<String> = tests.iter().map(|t| t.name()).collect();
        results.skips.retain(|s| {
            ci.as_ref().is_none_or(|c| c.tests.contains(&s.name)) && (opts.only.is_empty() || opts.only.iter().any(|p| pattern_match(p, &s.name)))
        });
        if let Some(c) = &ci {
            for t in &c.tests {
                if !names.contains(t) && !results.skips.iter().any(|s| s.name == *t) {
                    return Err(Fail::new(format!("{}: {t} is not a runnable GOROOT/test program", ci_list_path().display())));
                }
            }
        }
        if ci.is_some() || !opts.only.is_empty() {
            results.out_of_scope.clear();
        }
    }
    let mut pkgs: Vec<String> = Vec::new();
    if opts.suites.contains(&Suite::Std) {
        pkgs = match &ci {
            Some(c) => c.pkgs.clone(),
            None => opts.pkgs.clone(),
        };
        pkgs.retain(|p| group_selected(&opts, &format!("std/{p}")));
    }
    let do_runtime = opts.suites.contains(&Suite::Runtime) && ci.as_ref().is_none_or(|c| c.runtime) && group_selected(&opts, "runtime");

    eprintln!(
        "gort conform: {} GOROOT/test programs, {} std packages{}, {} jobs, time limit {}s per test, gort memory limit {} MiB",
        tests.len(),
        pkgs.len(),
        if do_runtime { ", runtime tests" } else { "" },
        opts.jobs,
        opts.timeout.as_secs(),
        opts.mem_mb
    );

    // The standard library's export data for both runtimes (upstream's
    // runner compiles and links `run` programs against it directly).
    let env_gort = gobuild::gort_env(&tc, &ov)?;
    let cfg_dir = repo_dir().join("target/conform");
    std::fs::create_dir_all(&cfg_dir)?;
    let (mut cfg_up, mut cfg_gort) = (String::new(), String::new());
    if !tests.is_empty() {
        let full = ci.is_none() && opts.only.is_empty()
            || tests.iter().any(|t| std::fs::read_to_string(test_dir.join(t.rel())).unwrap_or_default().contains("STDLIB_IMPORTCFG"));
        let pkgs_arg: Vec<String> = if full { vec!["std".into()] } else { std_imports(&test_dir, &tests) };
        eprintln!("gort conform: export data for {} ...", if full { "the standard library".to_string() } else { format!("{} packages", pkgs_arg.len()) });
        cfg_up = importcfg(gobuild::upstream_go(&tc), &pkgs_arg, &opts)?;
        let mut c = Command::new(&tc.go);
        c.envs(env_gort.iter().map(|(k, v)| (k, v)));
        cfg_gort = importcfg(c, &pkgs_arg, &opts)?;
    }
    let cfg_up_file = cfg_dir.join("importcfg.upstream");
    let cfg_gort_file = cfg_dir.join("importcfg.gort");
    std::fs::write(&cfg_up_file, &cfg_up)?;
    std::fs::write(&cfg_gort_file, &cfg_gort)?;

    let ctx = Ctx {
        tc: &tc,
        ov: &ov,
        opts: &opts,
        test_dir: test_dir.clone(),
        cfg_up,
        cfg_gort,
        cfg_up_file,
        cfg_gort_file,
        gort_ldflags: gobuild::ldflags(&ov)?.split_whitespace().map(String::from).collect(),
        env_gort,
        strip: strip_prefixes(&tc, &ov),
    };

    // The jobs: the long ones first.
    enum Job {
        Runtime,
        Std(String),
        Test(usize),
    }
    let mut queue: VecDeque<Job> = VecDeque::new();
    if do_runtime {
        queue.push_back(Job::Runtime);
    }
    for p in &pkgs {
        queue.push_back(Job::Std(p.clone()));
    }
    for i in 0..tests.len() {
        queue.push_back(Job::Test(i));
    }
    let total = queue.len();
    let queue = Mutex::new(queue);
    let entries: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
    let notes = Mutex::new(Vec::new());
    let skips = Mutex::new(Vec::new());
    let finished = AtomicUsize::new(0);
    let print_lock = Mutex::new(());
    let report = |label: &str, es: &[Entry], secs: f64| {
        let n = finished.fetch_add(1, Ordering::SeqCst) + 1;
        let count = |f: &dyn Fn(&Entry) -> Option<&Res>| es.iter().filter(|e| f(e).is_some_and(|r| r.is_pass())).count();
        let (up, go) = (count(&|e| e.up.as_ref()), count(&|e| e.gort.as_ref()));
        let _l = print_lock.lock().unwrap();
        if es.len() == 1 && es[0].suite == Suite::Test {
            let e = &es[0];
            let v = |r: &Option<Res>| match r {
                None => "-".to_string(),
                Some(r) if r.is_pass() => "ok".into(),
                Some(r) => format!("FAIL ({})", normalise_line(&r.first, &strs(&ctx.strip))),
            };
            if opts.verbose || !e.gort.as_ref().is_some_and(|r| r.is_pass()) || !e.up.as_ref().is_none_or(|r| r.is_pass()) {
                eprintln!("[{n:4}/{total}] {label}: upstream {}, gort {}", v(&e.up), v(&e.gort));
            } else if n % 50 == 0 {
                eprintln!("[{n:4}/{total}] ... ({:.0}s)", started.elapsed().as_secs_f64());
            }
        } else {
            eprintln!("[{n:4}/{total}] {label}: {} tests, upstream {up} pass, gort {go} pass ({secs:.0}s)", es.len());
        }
    };
    std::thread::scope(|s| {
        for _ in 0..opts.jobs {
            s.spawn(|| loop {
                let job = queue.lock().unwrap().pop_front();
                let Some(job) = job else { break };
                let t0 = Instant::now();
                let (label, es) = match job {
                    Job::Runtime => ("runtime".to_string(), runtime_suite(&ctx, &notes, &skips)),
                    Job::Std(p) => (format!("std/{p}"), run_std_pkg(&ctx, &p)),
                    Job::Test(i) => {
                        let t = &tests[i];
                        let up = if opts.gort_only { None } else { Some(run_gotest(&ctx, t, Rt::Up)) };
                        let gort = Some(run_gotest(&ctx, t, Rt::Gort));
                        let want = Some(expected_output(&ctx, t));
                        (t.name(), vec![Entry { suite: Suite::Test, group: t.dir.clone(), name: t.name(), up, gort, want }])
                    }
                };
                report(&label, &es, t0.elapsed().as_secs_f64());
                entries.lock().unwrap().extend(es);
            });
        }
    });
    results.entries = entries.into_inner().unwrap();
    results.entries.sort_by(|a, b| (a.suite, &a.name).cmp(&(b.suite, &b.name)));
    results.notes.extend(notes.into_inner().unwrap());
    results.skips.extend(skips.into_inner().unwrap());
    let elapsed = started.elapsed();

    // Outputs.
    let meta = Meta {
        toolchain: tc.version.clone(),
        lib_id,
        jobs: opts.jobs,
        timeout: opts.timeout.as_secs(),
        mem_mb: opts.mem_mb,
        elapsed_secs: elapsed.as_secs(),
        date: utc_date(),
        mode: if ci.is_some() { "ci".into() } else if !opts.only.is_empty() { format!("only {}", opts.only.join(",")) } else { "full".into() },
        strip: ctx.strip.clone(),
    };
    if let Some(dir) = opts.json.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&opts.json, results_json(&meta, &results))?;
    if let Some(md) = &opts.md {
        std::fs::write(md, markdown(&meta, &results, &opts))?;
        eprintln!("gort conform: wrote {}", md.display());
    }
    if !opts.only.is_empty() {
        print_failures(&results);
    }
    print_summary(&results, &meta.strip);
    eprintln!("gort conform: results in {} ({:.0}s)", opts.json.display(), elapsed.as_secs_f64());
    check_baseline(&results, &opts)
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(|s| s.as_str()).collect()
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

fn build_ctx(tc: &Toolchain) -> BuildCtx {
    let mut b = BuildCtx::linux_amd64();
    let mut c = gobuild::upstream_go(tc);
    c.args(["list", "-f", "{{join context.ReleaseTags \" \"}}|{{join context.ToolTags \" \"}}|{{context.CgoEnabled}}", "runtime"]);
    if let Ok(o) = c.output() {
        let s = String::from_utf8_lossy(&o.stdout).trim().to_string();
        let parts: Vec<&str> = s.split('|').collect();
        if o.status.success() && parts.len() == 3 {
            b.release_tags = parts[0].split_whitespace().map(String::from).collect();
            b.tool_tags = parts[1].split_whitespace().map(String::from).collect();
            b.cgo = parts[2] == "true";
        }
    }
    let gcflags = std::env::var("GO_GCFLAGS").unwrap_or_default();
    b.noopt = gcflags.contains("-N") || gcflags.contains("-l");
    b
}

/// The standard-library packages that the directly compiled programs
/// (`run` without flags, rundir) import, plus what every link needs.
fn std_imports(test_dir: &Path, tests: &[GoTest]) -> Vec<String> {
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
        if t.recipe.action == "rundir" {
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

// ---------------------------------------------------------------------------
// Reports

pub struct Meta {
    pub toolchain: String,
    pub lib_id: String,
    pub jobs: usize,
    pub timeout: u64,
    pub mem_mb: u64,
    pub elapsed_secs: u64,
    pub date: String,
    pub mode: String,
    pub strip: Vec<String>,
}

fn utc_date() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let days = (secs / 86400) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", (secs % 86400) / 3600, (secs % 3600) / 60)
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn res_json(r: &Option<Res>) -> String {
    match r {
        None => "null".into(),
        Some(r) => {
            let v = match r.verdict {
                Verdict::Pass => "pass",
                Verdict::Fail => "fail",
                Verdict::Skip => "skip",
            };
            let mut s = format!("{{\"result\":\"{v}\",\"secs\":{:.3}", r.secs);
            if r.verdict == Verdict::Fail {
                s += &format!(",\"first\":{},\"output\":{}", json_str(&r.first), json_str(&cut(r.output.clone(), 2000)));
            }
            s + "}"
        }
    }
}

fn results_json(m: &Meta, r: &Results) -> String {
    let mut s = String::from("{\n");
    s += &format!(
        "\"toolchain\":{},\"gort_lib_id\":{},\"date\":{},\"mode\":{},\"jobs\":{},\"timeout_secs\":{},\"gort_mem_mib\":{},\"elapsed_secs\":{},\n",
        json_str(&m.toolchain),
        json_str(&m.lib_id),
        json_str(&m.date),
        json_str(&m.mode),
        m.jobs,
        m.timeout,
        m.mem_mb,
        m.elapsed_secs
    );
    s += "\"summary\":{";
    let sums: Vec<String> = [Suite::Test, Suite::Std, Suite::Runtime]
        .iter()
        .map(|&su| {
            let es: Vec<&Entry> = r.entries.iter().filter(|e| e.suite == su).collect();
            let c = |f: &dyn Fn(&Entry) -> bool| es.iter().filter(|e| f(e)).count();
            format!(
                "{}:{{\"tests\":{},\"upstream_pass\":{},\"gort_pass\":{},\"skipped\":{}}}",
                json_str(su.key()),
                es.len(),
                c(&|e| e.up.as_ref().is_some_and(|x| x.is_pass())),
                c(&|e| e.gort.as_ref().is_some_and(|x| x.is_pass())),
                r.skips.iter().filter(|k| k.suite == su).count()
            )
        })
        .collect();
    s += &sums.join(",");
    s += "},\n\"notes\":[";
    s += &r.notes.iter().map(|n| json_str(n)).collect::<Vec<_>>().join(",");
    s += "],\n\"out_of_scope\":{";
    s += &r.out_of_scope.iter().map(|(k, v)| format!("{}:{v}", json_str(k))).collect::<Vec<_>>().join(",");
    s += "},\n\"skipped\":[\n";
    s += &r
        .skips
        .iter()
        .map(|k| format!("{{\"suite\":\"{}\",\"name\":{},\"category\":{},\"detail\":{}}}", k.suite.key(), json_str(&k.name), json_str(&k.category), json_str(&k.detail)))
        .collect::<Vec<_>>()
        .join(",\n");
    s += "\n],\n\"tests\":[\n";
    s += &r
        .entries
        .iter()
        .map(|e| format!("{{\"suite\":\"{}\",\"group\":{},\"name\":{},\"upstream\":{},\"gort\":{}}}", e.suite.key(), json_str(&e.group), json_str(&e.name), res_json(&e.up), res_json(&e.gort)))
        .collect::<Vec<_>>()
        .join(",\n");
    s += "\n]\n}\n";
    s
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * a as f64 / b as f64)
    }
}

fn passes(es: &[&Entry], rt: Rt) -> usize {
    es.iter().filter(|e| if rt == Rt::Up { &e.up } else { &e.gort }.as_ref().is_some_and(|r| r.is_pass())).count()
}

fn self_skips(es: &[&Entry], rt: Rt) -> usize {
    es.iter().filter(|e| if rt == Rt::Up { &e.up } else { &e.gort }.as_ref().is_some_and(|r| r.verdict == Verdict::Skip)).count()
}

/// Failures grouped by their normalised first line, most common first.
fn groups<'a>(r: &'a Results, rt: Rt, strip: &[String]) -> Vec<(String, Vec<&'a Entry>)> {
    let mut m: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
    for e in &r.entries {
        if let Some(res) = if rt == Rt::Up { &e.up } else { &e.gort } {
            if res.verdict == Verdict::Fail {
                m.entry(normalise_line(&res.first, &strs(strip))).or_default().push(e);
            }
        }
    }
    let mut v: Vec<_> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    v
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('<', "&lt;").replace('>', "&gt;").replace('`', "'")
}

fn markdown(m: &Meta, r: &Results, opts: &Opts) -> String {
    let mut s = String::new();
    s += "# Conformance: gort against upstream\n\n";
    s += &format!(
        "Generated by `gort conform` ({}) on {}: {}, gort library `{}`, {} parallel jobs, \
         time limit {}s per test (without progress), gort's test processes limited to {} MiB of address space; \
         the run took {} min. Regenerate with `scripts/conform` (the full run); the machine-readable results are in \
         `target/conform/results.json`.\n\n",
        m.mode,
        m.date,
        m.toolchain,
        m.lib_id,
        m.jobs,
        m.timeout,
        m.mem_mb,
        m.elapsed_secs.div_ceil(60)
    );
    s += "Pass rule for GOROOT/test (upstream's runner's): the build succeeds, the program exits 0, and its output \
          (stdout and stderr together) equals the `.out` file, or is empty when there is none. For test binaries: \
          the test reports PASS (a test that skips itself is counted apart).\n\n";
    s += "## Summary\n\n| suite | tests | upstream passes | gort passes | skipped |\n|---|---:|---:|---:|---:|\n";
    for su in [Suite::Test, Suite::Std, Suite::Runtime] {
        let es: Vec<&Entry> = r.entries.iter().filter(|e| e.suite == su).collect();
        let (u, g) = (passes(&es, Rt::Up), passes(&es, Rt::Gort));
        let sk = match su {
            Suite::Test => format!("{} programs", r.skips.iter().filter(|k| k.suite == su).count()),
            Suite::Runtime => format!("{} files", r.skips.iter().filter(|k| k.suite == su).count()),
            Suite::Std => format!("{} / {} self-skipped", self_skips(&es, Rt::Up), self_skips(&es, Rt::Gort)),
        };
        s += &format!("| {} | {} | {} ({}) | {} ({}) | {} |\n", su.title(), es.len(), u, pct(u, es.len()), g, pct(g, es.len()), sk);
    }
    s += "\n";
    for n in &r.notes {
        s += &format!("- {n}\n");
    }

    // GOROOT/test per directory.
    let tests: Vec<&Entry> = r.entries.iter().filter(|e| e.suite == Suite::Test).collect();
    s += "\n## GOROOT/test by directory\n\n| directory | programs | upstream | gort |\n|---|---:|---:|---:|\n";
    let mut dirs: Vec<&str> = tests.iter().map(|e| e.group.as_str()).collect::<BTreeSet<_>>().into_iter().collect();
    dirs.sort_by_key(|d| TEST_DIRS.iter().position(|x| x == d).unwrap_or(99));
    for d in dirs {
        let es: Vec<&Entry> = tests.iter().copied().filter(|e| e.group == d).collect();
        s += &format!("| {d} | {} | {} | {} |\n", es.len(), passes(&es, Rt::Up), passes(&es, Rt::Gort));
    }
    s += "\n### Skipped programs (upstream's runner skips them too on linux/amd64)\n\n| category | programs | why |\n|---|---:|---|\n";
    let mut cats: BTreeMap<&str, Vec<&Skip>> = BTreeMap::new();
    for k in r.skips.iter().filter(|k| k.suite == Suite::Test) {
        cats.entry(&k.category).or_default().push(k);
    }
    for (c, ks) in &cats {
        let why = match *c {
            "build constraint excludes linux/amd64" => "a `//go:build` or `// +build` line before the package clause is false for linux/amd64 (tags: linux, amd64, gc, cgo, go1.1-go1.22, the default goexperiments, test_run; `unix` is not among them, as in upstream's runner)",
            "recipe is `skip`" => "the header says `// skip`: helper files or programs that other tests run",
            "needs the race detector, which this toolchain lacks" => "the recipe builds with `-race`; Debian's golang-1.22-go has no race runtime for linux/amd64 (`src/runtime/race/internal/amd64v1/race_linux.syso`), so the build fails for upstream as for gort: an environment limit, not a runtime difference",
            _ => "",
        };
        let names: Vec<String> = ks.iter().map(|k| format!("{}{}", k.name.trim_start_matches("test/"), if k.detail.is_empty() { String::new() } else { format!(" (`{}`)", md_escape(&k.detail)) })).collect();
        s += &format!("| {c} | {} | {why}: {} |\n", ks.len(), names.join(", "));
    }
    if !r.out_of_scope.is_empty() {
        s += "\nNot run (compiler tests: they check diagnostics, generated code or builds, not run-time behaviour): ";
        s += &r.out_of_scope.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        s += ".\n";
    }

    // std per package.
    let std: Vec<&Entry> = r.entries.iter().filter(|e| e.suite == Suite::Std).collect();
    s += "\n## Standard library by package\n\n`go test -c` per package; the test binary runs in the package's directory with `-test.short`. \
          Tests are the top-level tests and examples that `-test.list` reports (benchmarks are not run).\n\n\
          | package | tests | upstream | gort | gort: first failure |\n|---|---:|---:|---:|---|\n";
    if std.iter().any(|e| e.group == "std/time") && !m.toolchain.is_empty() {
        // See pkg_dir.
        s.insert_str(
            s.rfind("| package |").unwrap_or(s.len()),
            "Package time's tests read `GOROOT/lib/time/zoneinfo.zip`, which Debian's toolchain does not ship: \
             they run in a GOROOT-shaped copy whose zoneinfo.zip the harness makes from the system's /usr/share/zoneinfo \
             (tzdata), so time-zone data may differ from upstream's bundled copy.\n\n",
        );
    }
    let mut pk: Vec<&str> = std.iter().map(|e| e.group.as_str()).collect::<BTreeSet<_>>().into_iter().collect();
    let order: Vec<String> = opts.pkgs.iter().map(|p| format!("std/{p}")).collect();
    pk.sort_by_key(|p| order.iter().position(|x| x == p).unwrap_or(999));
    for p in pk {
        let es: Vec<&Entry> = std.iter().copied().filter(|e| e.group == p).collect();
        let first = es.iter().find_map(|e| e.gort.as_ref().filter(|r| r.verdict == Verdict::Fail).map(|r| normalise_line(&r.first, &strs(&m.strip)))).unwrap_or_default();
        s += &format!("| {} | {} | {} | {} | {} |\n", p.trim_start_matches("std/"), es.len(), passes(&es, Rt::Up), passes(&es, Rt::Gort), md_escape(&first));
    }

    // runtime.
    let rt: Vec<&Entry> = r.entries.iter().filter(|e| e.suite == Suite::Runtime).collect();
    s += &format!(
        "\n## runtime external tests\n\nThe files of package runtime_test in upstream's `src/runtime`, copied at run time into a package next to the \
         runtime in a throw-away GOROOT (so that its internal packages stay importable). A file that names a runtime identifier \
         outside the public API (GOROOT/api) needs the runtime's test-only exports (`export_test.go`) and is skipped; so is a file \
         that then no longer compiles (it uses what a skipped file declares). Tests: {}, upstream passes {}, gort passes {}.\n\n",
        rt.len(),
        passes(&rt, Rt::Up),
        passes(&rt, Rt::Gort)
    );
    let rskips: Vec<&Skip> = r.skips.iter().filter(|k| k.suite == Suite::Runtime).collect();
    if !rskips.is_empty() {
        s += "| skipped file | why |\n|---|---|\n";
        for k in rskips {
            s += &format!("| {} | {}: {} |\n", k.name.trim_start_matches("runtime/"), k.category, md_escape(&k.detail));
        }
    }

    // Failures.
    for (rt, title) in [(Rt::Gort, "gort"), (Rt::Up, "upstream")] {
        let gs = groups(r, rt, &m.strip);
        let n: usize = gs.iter().map(|g| g.1.len()).sum();
        s += &format!("\n## Failures on {title}, grouped by first error line\n\n{n} failing tests in {} groups.\n\n", gs.len());
        if gs.is_empty() {
            continue;
        }
        s += "| # | tests | first error line (normalised) | tests |\n|---:|---:|---|---|\n";
        for (i, (line, es)) in gs.iter().enumerate() {
            let names: Vec<String> = es.iter().map(|e| e.name.trim_start_matches("test/").to_string()).collect();
            s += &format!("| {} | {} | `{}` | {} |\n", i + 1, es.len(), line.replace('`', "'").replace('|', "\\|"), md_escape(&names.join(", ")));
        }
    }
    s
}

fn print_summary(r: &Results, strip: &[String]) {
    for su in [Suite::Test, Suite::Std, Suite::Runtime] {
        let es: Vec<&Entry> = r.entries.iter().filter(|e| e.suite == su).collect();
        if es.is_empty() {
            continue;
        }
        eprintln!(
            "gort conform: {:8} {:5} tests: upstream {} pass ({}), gort {} pass ({})",
            su.key(),
            es.len(),
            passes(&es, Rt::Up),
            pct(passes(&es, Rt::Up), es.len()),
            passes(&es, Rt::Gort),
            pct(passes(&es, Rt::Gort), es.len())
        );
    }
    let gs = groups(r, Rt::Gort, strip);
    if !gs.is_empty() {
        eprintln!("gort conform: most common failures on gort:");
        for (line, es) in gs.iter().take(10) {
            eprintln!("  {:4}  {line}", es.len());
        }
    }
}

/// --only: the diff of output (or the error) for every failure.
fn print_failures(r: &Results) {
    for e in &r.entries {
        let failed = |x: &Option<Res>| x.as_ref().is_some_and(|r| r.verdict == Verdict::Fail);
        if !failed(&e.gort) && !failed(&e.up) {
            continue;
        }
        println!("=== {}", e.name);
        for (rt, res) in [("upstream", &e.up), ("gort", &e.gort)] {
            let Some(res) = res else { continue };
            match res.verdict {
                Verdict::Pass => println!("--- {rt}: pass"),
                Verdict::Skip => println!("--- {rt}: skipped"),
                Verdict::Fail => {
                    println!("--- {rt}: FAIL: {}", res.first);
                    let (base, what) = match (&e.want, &e.up) {
                        (Some(w), _) => (w.clone(), "expected (.out)"),
                        (None, Some(u)) if rt == "gort" => (u.output.clone(), "upstream"),
                        _ => (String::new(), "nothing"),
                    };
                    let d = line_diff(&base, &res.output);
                    if d.is_empty() {
                        println!("(output equals {what})");
                    } else {
                        println!("diff (- {what}, + {rt}):\n{d}");
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Baseline

pub fn parse_baseline(text: &str) -> BTreeSet<String> {
    text.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty()).map(String::from).collect()
}

/// Compare with the committed baseline (tests that pass on gort): a
/// baseline test that ran and failed is a regression (exit status 1).
fn check_baseline(r: &Results, opts: &Opts) -> Result<u8> {
    let path = baseline_path();
    let old = parse_baseline(&std::fs::read_to_string(&path).unwrap_or_default());
    let ran: BTreeMap<&str, bool> = r.entries.iter().filter_map(|e| e.gort.as_ref().map(|g| (e.name.as_str(), g.is_pass()))).collect();
    let regressions: Vec<&str> = old.iter().filter(|n| ran.get(n.as_str()) == Some(&false)).map(|s| s.as_str()).collect();
    let new: Vec<&str> = ran.iter().filter(|(n, p)| **p && !old.contains(**n)).map(|(n, _)| *n).collect();
    if !new.is_empty() {
        eprintln!("gort conform: {} tests pass on gort that are not in the baseline ({}):", new.len(), path.display());
        for n in new.iter().take(50) {
            eprintln!("  new pass  {n}");
        }
        if new.len() > 50 {
            eprintln!("  ... and {} more", new.len() - 50);
        }
    }
    if opts.update_baseline {
        let mut set = old.clone();
        for (n, p) in &ran {
            if *p {
                set.insert(n.to_string());
            } else {
                set.remove(*n);
            }
        }
        let mut text = String::from(
            "# Tests that pass on gort: `gort conform` fails when one of them runs and fails.\n\
             # Regenerate with `gort conform --update-baseline` (with --ci: only the CI subset's entries change).\n",
        );
        for n in &set {
            text += n;
            text.push('\n');
        }
        std::fs::create_dir_all(path.parent().unwrap())?;
        std::fs::write(&path, text)?;
        eprintln!("gort conform: baseline updated: {} entries ({})", set.len(), path.display());
        return Ok(0);
    }
    if !regressions.is_empty() {
        eprintln!("gort conform: {} REGRESSIONS: baseline tests that now fail on gort:", regressions.len());
        for n in &regressions {
            let first = r.entries.iter().find(|e| e.name == *n).and_then(|e| e.gort.as_ref()).map(|g| g.first.clone()).unwrap_or_default();
            eprintln!("  FAIL  {n}: {first}");
        }
        eprintln!("(re-run one with `gort conform --only NAME` to see the difference)");
    }
    let checked = old.iter().filter(|n| ran.contains_key(n.as_str())).count();
    if regressions.is_empty() {
        eprintln!("gort conform: baseline: {checked} tests checked, no regressions");
    }
    // The closing line: baseline tests that still pass, and regressions.
    println!("conform: {} passed, {} failed", checked - regressions.len(), regressions.len());
    Ok(if regressions.is_empty() { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> BuildCtx {
        BuildCtx::linux_amd64()
    }

    #[test]
    fn recipe_line_skips_constraints_and_blank_lines() {
        let src = "//go:build linux\n// +build linux\n\n// run -gcflags=-l arg1\n\n// Copyright\npackage main\n";
        assert_eq!(action_line(src).as_deref(), Some("run -gcflags=-l arg1"));
        assert_eq!(action_line("// errorcheck\n\npackage p\n").as_deref(), Some("errorcheck"));
        assert_eq!(action_line("package main\n").as_deref(), Some("package main"));
        assert_eq!(action_line("\n\n"), None);
    }

    #[test]
    fn split_quoted_like_the_runner() {
        assert_eq!(split_quoted("run -gcflags=\"-d=checkptr\" x").unwrap(), vec!["run", "-gcflags=-d=checkptr", "x"]);
        assert_eq!(split_quoted("a 'b c' \"\" d\\ e").unwrap(), vec!["a", "b c", "", "d e"]);
        assert_eq!(split_quoted("  a   b  ").unwrap(), vec!["a", "b"]);
        assert!(split_quoted("a \"b").is_err());
        assert!(split_quoted("a \\").is_err());
    }

    #[test]
    fn recipe_flags_and_args() {
        let r = parse_recipe("run -gcflags -l=4").unwrap();
        assert_eq!((r.action.as_str(), r.flags.clone(), r.args.clone()), ("run", vec!["-gcflags".to_string(), "-l=4".into()], vec![]));
        let r = parse_recipe("run arg1 arg2").unwrap();
        assert!(r.flags.is_empty());
        assert_eq!(r.args, vec!["arg1", "arg2"]);
        let r = parse_recipe("runindir -goexperiment fieldtrack -ldflags -k=main.fieldTrackInfo").unwrap();
        assert_eq!(r.goexp.as_deref(), Some("fieldtrack"));
        assert_eq!(r.flags, vec!["-ldflags", "-k=main.fieldTrackInfo"]);
        let r = parse_recipe("rundir -s -t 10 -l=4 x").unwrap();
        assert!(r.single);
        assert_eq!(r.timeout, Some(10));
        assert_eq!(r.flags, vec!["-l=4"]);
        assert_eq!(r.args, vec!["x"]);
        let r = parse_recipe("runoutput ./rotate.go").unwrap();
        assert_eq!(r.args, vec!["./rotate.go"]);
        assert_eq!(split_go_files(&r.args), (vec!["./rotate.go".to_string()], vec![]));
        assert!(parse_recipe("run -t x").is_err());
    }

    #[test]
    fn go_build_constraints() {
        let c = ctx();
        let ev = |l: &str| parse_constraint(l).map(|e| e.eval(&|t| c.matches(t)));
        assert_eq!(ev("//go:build linux && amd64"), Some(true));
        assert_eq!(ev("//go:build !amd64"), Some(false));
        assert_eq!(ev("//go:build (darwin || linux) && !386"), Some(true));
        assert_eq!(ev("//go:build cgo"), Some(true));
        assert_eq!(ev("//go:build unix"), Some(false)); // as in upstream's runner
        assert_eq!(ev("//go:build go1.22 && !go1.23"), Some(true));
        assert_eq!(ev("//go:build goexperiment.regabiargs"), Some(true));
        assert_eq!(ev("//go:build goexperiment.rangefunc"), Some(false));
        assert_eq!(ev("//go:build gc && test_run"), Some(true));
        assert_eq!(ev("//go:build gccgo"), Some(false));
        assert_eq!(ev("//go:build linux &&"), None); // does not parse: ignored
        assert_eq!(ev("//go:buildlinux"), None);
        assert_eq!(ev("// go:build linux"), None);
    }

    #[test]
    fn plus_build_constraints() {
        let c = ctx();
        let ev = |l: &str| parse_constraint(l).map(|e| e.eval(&|t| c.matches(t)));
        assert_eq!(ev("// +build arm 386"), Some(false));
        assert_eq!(ev("// +build linux,amd64"), Some(true));
        assert_eq!(ev("// +build !windows"), Some(true));
        assert_eq!(ev("// +build linux,!amd64 darwin"), Some(false));
        assert_eq!(ev("//+build amd64"), Some(true));
        assert_eq!(ev("// +build"), Some(false));
        assert_eq!(ev("// +build !!linux"), Some(false));
        assert_eq!(ev("// +buildx"), None);
        assert!(c.should_test("// +build !windows\n// +build amd64\n\npackage main\n").is_ok());
        assert_eq!(c.should_test("// run\n\n//go:build !linux\n\npackage main\n"), Err("//go:build !linux".to_string()));
        // Constraints after the package clause do not count.
        assert!(c.should_test("// run\n\npackage main\n\n//go:build !linux\n").is_ok());
    }

    #[test]
    fn imports_and_selectors() {
        let src = "// run\n\npackage main\n\nimport \"fmt\"\nimport (\n\tx \"os\" // c\n\t_ \"unsafe\"\n/* \"no\" */)\nfunc main() { runtime.GC(); _ = \"runtime.Foo\"; runtime.Bar() }\nimport \"late\"\n";
        assert_eq!(go_imports(src), vec!["fmt", "os", "unsafe"]);
        let sel: Vec<String> = runtime_selectors(src).into_iter().collect();
        assert_eq!(sel, vec!["Bar", "GC"]);
        assert_eq!(package_name("// x\npackage   foo\n").as_deref(), None);
        assert_eq!(package_name("// x\npackage foo_test // c\n").as_deref(), Some("foo_test"));
    }

    #[test]
    fn grouping_lines() {
        assert_eq!(normalise_line("panic: index out of range [5] with length 3", &[]), "panic: index out of range [N] with length N");
        assert_eq!(normalise_line("fatal error: gort: runtime.memequal64 not implemented", &[]), "fatal error: gort: runtime.memequal64 not implemented");
        assert_eq!(normalise_line("unexpected fault address 0xc000012345", &[]), "unexpected fault address 0x?");
        assert_eq!(normalise_line("/tmp/gort-conform-1-2/x.go:3: bad", &["/tmp/"]), "gort-conform-N-N/x.go:N: bad");
        assert_eq!(normalise_line("exit status 1: 2026/11/23 16:37:04 wrong error", &[]), "exit status N: wrong error");
        assert_eq!(normalise_line("2026/11/23 16:37:04 x", &[]), "x");
        assert_eq!(crash_line(&PStatus::Exit(2), "hello\npanic: boom\n"), "panic: boom");
        assert_eq!(crash_line(&PStatus::Exit(1), "BUG: x\n"), "exit status 1: BUG: x");
        assert!(build_line("# command-line-arguments\n/usr/bin/ld: x.o: undefined reference to `runtime.foo'\n").contains("runtime.foo"));
    }

    #[test]
    fn test_binary_framing() {
        let mut s = TestState::default();
        for l in [
            "\u{16}=== RUN   TestA",
            "\u{16}=== RUN   TestA/s1",
            "    x_test.go:3: bad",
            "\u{16}--- FAIL: TestA/s1 (0.00s)",
            "\u{16}=== NAME  TestA",
            "\u{16}--- FAIL: TestA (0.01s)",
            "\u{16}=== NAME  ",
            "\u{16}=== RUN   TestP",
            "\u{16}=== PAUSE TestP",
            "\u{16}=== RUN   TestC",
            "panic: boom",
        ] {
            s.line(l);
        }
        assert_eq!(s.results.get("TestA").map(|r| r.0), Some(Verdict::Fail));
        assert_eq!(s.first.get("TestA").map(|s| s.as_str()), Some("x_test.go:3: bad"));
        assert_eq!(s.running.iter().cloned().collect::<Vec<_>>(), vec!["TestC".to_string()]);
        assert!(s.out.get("TestC").unwrap().contains("panic: boom"));
    }

    #[test]
    fn zip_archives() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        let z = stored_zip(&[("a/b".into(), b"TZif".to_vec())]);
        assert!(z.starts_with(b"PK\x03\x04") && z.windows(4).any(|w| w == b"PK\x05\x06"));
        assert_eq!(z.len(), 30 + 3 + 4 + 46 + 3 + 22);
    }

    #[test]
    fn patterns_and_lists() {
        assert!(pattern_match("fixedbugs/issue1", "test/fixedbugs/issue123.go"));
        assert!(pattern_match("test/*/bug0*.go", "test/fixedbugs/bug001.go"));
        assert!(!pattern_match("test/chan/*", "test/fixedbugs/bug001.go"));
        let l = parse_ci_list("# c\ntest/235.go\nstd/sort # x\n\nruntime\n");
        assert!(l.tests.contains("test/235.go") && l.runtime);
        assert_eq!(l.pkgs, vec!["sort"]);
        assert_eq!(parse_baseline("# x\na\n b \n"), ["a", "b"].iter().map(|s| s.to_string()).collect());
    }

    #[test]
    fn processes_are_limited() {
        let mut c = Command::new("sh");
        c.args(["-c", "echo out; echo err >&2; exit 3"]);
        let p = run_proc(&mut c, Duration::from_secs(30), None, None);
        assert_eq!(p.status, PStatus::Exit(3));
        assert_eq!(p.text(), "out\nerr\n");
        // A grandchild that keeps the pipe open does not keep us waiting.
        let mut c = Command::new("sh");
        c.args(["-c", "sleep 1000 & sleep 1000"]);
        let p = run_proc(&mut c, Duration::from_millis(300), None, None);
        assert!(matches!(p.status, PStatus::TimedOut(_)));
    }
}
