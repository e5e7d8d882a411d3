//! Upstream's runner's diagnostics check (cmd/internal/testdir's
//! errorCheck), for the `errorcheckandrundir` recipe: every `// ERROR
//! "regexp"` comment of the source files wants a compiler diagnostic at
//! its line matching the regexp, and every diagnostic must be wanted.
//! With a small backtracking engine for the regexps (Go's RE2 syntax:
//! literals, escapes, `.`, classes, groups, alternation, `* + ? {n,m}`,
//! anchors), enough for the runner's patterns.

use std::path::Path;

// ---- regular expressions ----

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
    Start,
    End,
    Group(Vec<Vec<Node>>),
    Repeat(Box<Node>, usize, usize),
}

pub(super) struct Regex {
    alts: Vec<Vec<Node>>,
}

struct Parser<'a> {
    s: &'a [char],
    i: usize,
}

impl Parser<'_> {
    fn alts(&mut self) -> Result<Vec<Vec<Node>>, String> {
        let mut alts = vec![self.seq()?];
        while self.i < self.s.len() && self.s[self.i] == '|' {
            self.i += 1;
            alts.push(self.seq()?);
        }
        Ok(alts)
    }

    fn seq(&mut self) -> Result<Vec<Node>, String> {
        let mut seq = Vec::new();
        while self.i < self.s.len() && self.s[self.i] != '|' && self.s[self.i] != ')' {
            let atom = self.atom()?;
            seq.push(self.quantified(atom)?);
        }
        Ok(seq)
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, String> {
        let Some(&c) = self.s.get(self.i) else { return Ok(atom) };
        let (lo, hi) = match c {
            '*' => (0, usize::MAX),
            '+' => (1, usize::MAX),
            '?' => (0, 1),
            '{' => {
                let close = self.s[self.i..].iter().position(|&c| c == '}').ok_or("unclosed {")? + self.i;
                let body: String = self.s[self.i + 1..close].iter().collect();
                let (a, b) = match body.split_once(',') {
                    None => (body.clone(), body.clone()),
                    Some((a, "")) => (a.to_string(), usize::MAX.to_string()),
                    Some((a, b)) => (a.to_string(), b.to_string()),
                };
                let (Ok(lo), Ok(hi)) = (a.parse::<usize>(), b.parse::<usize>()) else { return Ok(atom) };
                self.i = close;
                (lo, hi)
            }
            _ => return Ok(atom),
        };
        self.i += 1;
        if self.s.get(self.i) == Some(&'?') {
            return Err("lazy quantifiers are not supported".into());
        }
        Ok(Node::Repeat(Box::new(atom), lo, hi))
    }

    fn escape(c: char) -> Option<Node> {
        let class = |r: &[(char, char)], neg: bool| Some(Node::Class(r.to_vec(), neg));
        match c {
            'd' => class(&[('0', '9')], false),
            'D' => class(&[('0', '9')], true),
            'w' => class(&[('0', '9'), ('a', 'z'), ('A', 'Z'), ('_', '_')], false),
            'W' => class(&[('0', '9'), ('a', 'z'), ('A', 'Z'), ('_', '_')], true),
            's' => class(&[(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r'), ('\x0c', '\x0c')], false),
            'S' => class(&[(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r'), ('\x0c', '\x0c')], true),
            'n' => Some(Node::Char('\n')),
            't' => Some(Node::Char('\t')),
            c if c.is_ascii_alphanumeric() => None,
            c => Some(Node::Char(c)),
        }
    }

    fn atom(&mut self) -> Result<Node, String> {
        let c = self.s[self.i];
        self.i += 1;
        Ok(match c {
            '.' => Node::Any,
            '^' => Node::Start,
            '$' => Node::End,
            '(' => {
                if self.s[self.i..].starts_with(&['?', ':']) {
                    self.i += 2;
                } else if self.s.get(self.i) == Some(&'?') {
                    return Err("unsupported group flags".into());
                }
                let alts = self.alts()?;
                if self.s.get(self.i) != Some(&')') {
                    return Err("missing )".into());
                }
                self.i += 1;
                Node::Group(alts)
            }
            '\\' => {
                let e = *self.s.get(self.i).ok_or("trailing backslash")?;
                self.i += 1;
                Parser::escape(e).ok_or(format!("unsupported escape \\{e}"))?
            }
            '[' => {
                let neg = self.s.get(self.i) == Some(&'^');
                if neg {
                    self.i += 1;
                }
                let mut ranges = Vec::new();
                let mut first = true;
                loop {
                    let Some(&c) = self.s.get(self.i) else { return Err("missing ]".into()) };
                    self.i += 1;
                    if c == ']' && !first {
                        break;
                    }
                    first = false;
                    let lo = if c == '\\' {
                        let e = *self.s.get(self.i).ok_or("trailing backslash")?;
                        self.i += 1;
                        match Parser::escape(e) {
                            Some(Node::Char(x)) => x,
                            Some(Node::Class(r, false)) => {
                                ranges.extend(r);
                                continue;
                            }
                            _ => return Err(format!("unsupported escape \\{e} in a class")),
                        }
                    } else {
                        c
                    };
                    if self.s.get(self.i) == Some(&'-') && self.s.get(self.i + 1).is_some_and(|&x| x != ']') {
                        ranges.push((lo, self.s[self.i + 1]));
                        self.i += 2;
                    } else {
                        ranges.push((lo, lo));
                    }
                }
                Node::Class(ranges, neg)
            }
            c => Node::Char(c),
        })
    }
}

impl Regex {
    pub(super) fn new(src: &str) -> Result<Regex, String> {
        let s: Vec<char> = src.chars().collect();
        let mut p = Parser { s: &s, i: 0 };
        let alts = p.alts()?;
        if p.i != s.len() {
            return Err("unbalanced )".into());
        }
        Ok(Regex { alts })
    }

    /// Does the regexp match anywhere in `text`?
    pub(super) fn is_match(&self, text: &str) -> bool {
        let t: Vec<char> = text.chars().collect();
        (0..=t.len()).any(|start| alts_at(&self.alts, &t, start, &mut |_| true))
    }
}

fn alts_at(alts: &[Vec<Node>], t: &[char], i: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    alts.iter().any(|seq| seq_at(seq, t, i, k))
}

fn seq_at(seq: &[Node], t: &[char], i: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    match seq.split_first() {
        None => k(i),
        Some((n, rest)) => node_at(n, t, i, &mut |j| seq_at(rest, t, j, k)),
    }
}

fn node_at(n: &Node, t: &[char], i: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    let one = |pred: &dyn Fn(char) -> bool| i < t.len() && pred(t[i]);
    match n {
        Node::Char(c) => one(&|x| x == *c) && k(i + 1),
        Node::Any => one(&|x| x != '\n') && k(i + 1),
        Node::Class(r, neg) => one(&|x| r.iter().any(|&(a, b)| a <= x && x <= b) != *neg) && k(i + 1),
        Node::Start => i == 0 && k(i),
        Node::End => i == t.len() && k(i),
        Node::Group(alts) => alts_at(alts, t, i, k),
        Node::Repeat(inner, lo, hi) => repeat_at(inner, *lo, *hi, t, i, k),
    }
}

/// Greedy repetition: as many as possible first, then fewer.
fn repeat_at(inner: &Node, lo: usize, hi: usize, t: &[char], i: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    if hi > 0 && node_at(inner, t, i, &mut |j| j != i && repeat_at(inner, lo.saturating_sub(1), hi - 1, t, j, k)) {
        return true;
    }
    lo == 0 && k(i)
}

// ---- the check ----

struct Wanted {
    re: Regex,
    re_src: String,
    prefix: String,
    line: usize,
    file: String,
}

/// The compiler's output split into diagnostics (continuation lines start
/// with a tab; `#` and `go tool` lines dropped; `<autogenerated>` lines
/// dropped, the recipes run here never want them).
fn split_output(out: &str) -> Vec<String> {
    let mut res: Vec<String> = Vec::new();
    for line in out.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with('\t') {
            if let Some(last) = res.last_mut() {
                last.push('\n');
                last.push_str(line);
            }
        } else if line.starts_with("go tool") || line.starts_with('#') || line.starts_with("<autogenerated>") {
            continue;
        } else if !line.trim().is_empty() {
            res.push(line.to_string());
        }
    }
    res
}

/// `// ERROR "re" "re"...` comments of a source file (`short` is the name
/// diagnostics use for it); LINE, LINE+n and LINE-n stand for positions.
fn wanted_errors(full: &Path, short: &str) -> Result<Vec<Wanted>, String> {
    let src = std::fs::read_to_string(full).map_err(|e| format!("reading {}: {e}", full.display()))?;
    let mut out = Vec::new();
    for (i, line) in src.split('\n').enumerate() {
        let n = i + 1;
        if line.contains("////") {
            continue;
        }
        let all = match (line.find("// ERROR "), line.find("// GC_ERROR ")) {
            (Some(a), Some(b)) if b < a => &line[b + 12..],
            (Some(a), _) => &line[a + 9..],
            (None, Some(b)) => &line[b + 12..],
            (None, None) => continue,
        };
        let mut rest = all;
        let mut found = false;
        while let Some(open) = rest.find('"') {
            let Some(close) = rest[open + 1..].find('"') else { break };
            let raw = &rest[open + 1..open + 1 + close];
            rest = &rest[open + close + 2..];
            found = true;
            let re_src = expand_line_refs(raw, short, n);
            let re = Regex::new(&re_src).map_err(|e| format!("{short}:{n}: invalid regexp {re_src:?} in ERROR line: {e}"))?;
            out.push(Wanted { re, re_src, prefix: format!("{short}:{n}"), line: n, file: short.to_string() });
        }
        if !found {
            return Err(format!("{short}:{n}: invalid errchk line: {line}"));
        }
    }
    Ok(out)
}

fn expand_line_refs(re: &str, short: &str, line: usize) -> String {
    let mut out = String::new();
    let mut rest = re;
    while let Some(i) = rest.find("LINE") {
        out.push_str(&rest[..i]);
        rest = &rest[i + 4..];
        let sign = rest.chars().next();
        let digits: String = rest.chars().skip(1).take_while(|c| c.is_ascii_digit()).collect();
        let n = match sign {
            Some('+') if !digits.is_empty() => {
                rest = &rest[1 + digits.len()..];
                line + digits.parse::<usize>().unwrap_or(0)
            }
            Some('-') if !digits.is_empty() => {
                rest = &rest[1 + digits.len()..];
                line.saturating_sub(digits.parse::<usize>().unwrap_or(0))
            }
            _ => line,
        };
        out.push_str(&format!("{short}:{n}"));
    }
    out.push_str(rest);
    out
}

/// `s` has the form (dir/)prefix followed by `:` or `[`.
fn match_prefix(s: &str, prefix: &str) -> bool {
    let Some(i) = s.find(':') else { return false };
    let j = s[..i].rfind('/').map(|j| j + 1).unwrap_or(0);
    let s = &s[j..];
    s.len() > prefix.len() && s.starts_with(prefix) && matches!(s.as_bytes()[prefix.len()], b'[' | b':')
}

/// Check the compiler's output against the ERROR comments of the files
/// (full path, short name). Ok, or the runner's complaint.
pub(super) fn error_check(output: &str, files: &[(std::path::PathBuf, String)]) -> Result<(), String> {
    let mut out = split_output(output);
    for o in out.iter_mut() {
        for (full, short) in files {
            *o = o.replace(&full.display().to_string(), short);
        }
    }
    let mut errs: Vec<String> = Vec::new();
    for (full, short) in files {
        for we in wanted_errors(full, short)? {
            let (msgs, rest): (Vec<String>, Vec<String>) = out.into_iter().partition(|s| match_prefix(s, &we.prefix));
            out = rest;
            if msgs.is_empty() {
                errs.push(format!("{}:{}: missing error {:?}", we.file, we.line, we.re_src));
                continue;
            }
            let mut matched = false;
            let n = out.len();
            for m in msgs {
                let text = m.split_once(' ').map(|x| x.1).unwrap_or(&m);
                if we.re.is_match(text) {
                    matched = true;
                } else {
                    out.push(m);
                }
            }
            if !matched {
                errs.push(format!("{}:{}: no match for `{}` in:\n\t{}", we.file, we.line, we.re_src, out[n..].join("\n\t")));
            }
        }
    }
    if !out.is_empty() {
        errs.push("Unmatched Errors:".into());
        errs.extend(out);
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexps() {
        let m = |re: &str, s: &str| Regex::new(re).unwrap().is_match(s);
        assert!(m("can inline main.func1", "x can inline main_func1 y"));
        assert!(m("cannot use|incompatible", "type incompatible here"));
        assert!(!m("^abc$", "xabc"));
        assert!(m("a[0-9]+b", "a123b") && !m("a[0-9]+b", "ab"));
        assert!(m("x(?:ab|cd)*y", "xababcdy") && m("x\\.y", "x.y") && !m("x\\.y", "xzy"));
        assert!(m("moved to heap: i$", "moved to heap: i") && m("a{2,3}", "aa") && !m("^a{2,3}$", "a"));
        assert!(m("[^a-c]", "d") && !m("^[^a-c]$", "b"));
    }

    #[test]
    fn checks() {
        let dir = std::env::temp_dir().join(format!("gort-errcheck-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("a.go");
        std::fs::write(&f, "package a\nfunc F() {} // ERROR \"can inline F\"\nvar x = 1 // ERROR \"x escapes|moved\"\n").unwrap();
        let files = vec![(f.clone(), "a.go".to_string())];
        let full = f.display().to_string();
        assert!(error_check(&format!("# a\n{full}:2:6: can inline F\n{full}:3:5: moved to heap: x\n"), &files).is_ok());
        let e = error_check(&format!("{full}:2:6: can inline F\n"), &files).unwrap_err();
        assert!(e.contains("a.go:3: missing error"), "{e}");
        let e = error_check(&format!("{full}:2:6: can inline F\n{full}:3:5: moved to heap: x\n{full}:1:1: surprise\n"), &files).unwrap_err();
        assert!(e.contains("Unmatched Errors") && e.contains("a.go:1:1: surprise"), "{e}");
        let e = error_check(&format!("{full}:2:6: cannot inline F\n{full}:3:5: moved to heap: x\n"), &files).unwrap_err();
        assert!(e.contains("no match for `can inline F`"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn prefixes_and_lines() {
        assert!(match_prefix("dir/a.go:12: x", "a.go:12") && match_prefix("a.go:12[x]", "a.go:12"));
        assert!(!match_prefix("a.go:123: x", "a.go:12"));
        assert_eq!(expand_line_refs("at LINE and LINE+2 or LINE-1", "f.go", 10), "at f.go:10 and f.go:12 or f.go:9");
        assert_eq!(split_output("# p\na.go:1: x\n\tmore\n\nb.go:2: y\n"), vec!["a.go:1: x\n\tmore", "b.go:2: y"]);
    }
}
