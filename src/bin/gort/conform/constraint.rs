//! Build constraints (`//go:build` and `// +build` lines before the package
//! clause) and their evaluation against the build context upstream's
//! runner uses on linux/amd64 (linux, amd64, gc, cgo, release tags, the
//! default goexperiments, test_run).

use crate::gobuild;
use crate::toolchain::Toolchain;

/// A build-constraint expression.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Tag(String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    fn eval(&self, ok: &dyn Fn(&str) -> bool) -> bool {
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

pub(super) fn is_go_build(line: &str) -> bool {
    line.starts_with("//go:build") && constraint_text(line, "//go:build").is_some()
}

pub(super) fn is_plus_build(line: &str) -> bool {
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
fn parse_constraint(line: &str) -> Option<Expr> {
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
pub(super) struct BuildCtx {
    goos: String,
    goarch: String,
    cgo: bool,
    release_tags: Vec<String>,
    tool_tags: Vec<String>,
    /// GO_GCFLAGS has -N or -l.
    noopt: bool,
}

impl BuildCtx {
    /// go1.22.12 linux/amd64 with cgo, default experiments.
    fn linux_amd64() -> BuildCtx {
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

    pub(super) fn matches(&self, name: &str) -> bool {
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
    pub(super) fn should_test(&self, src: &str) -> std::result::Result<(), String> {
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

pub(super) fn build_ctx(tc: &Toolchain) -> BuildCtx {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> BuildCtx {
        BuildCtx::linux_amd64()
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
}
