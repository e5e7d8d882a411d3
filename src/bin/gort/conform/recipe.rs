//! Recipes: the header comment of a GOROOT/test file (`// run -gcflags=-l
//! arg1`), found and split into action, flags and arguments the way
//! upstream's runner (cmd/internal/testdir) does, and which actions this
//! harness runs.

use super::constraint::{is_go_build, is_plus_build};

/// The recipes this harness runs: the ones that execute a program.
pub(super) const RUN_ACTIONS: &[&str] = &["run", "buildrun", "runoutput", "rundir", "runindir", "buildrundir", "errorcheckandrundir"];

/// Every recipe upstream's runner knows (the others are compiler tests).
pub(super) const KNOWN_ACTIONS: &[&str] = &[
    "compile", "compiledir", "build", "builddir", "buildrundir", "run", "buildrun", "runoutput", "rundir",
    "runindir", "asmcheck", "errorcheckandrundir", "errorcheckwithauto", "errorcheck", "errorcheckdir",
    "errorcheckoutput", "skip",
];

/// The recipe line of a GOROOT/test file: the first non-empty line that is
/// not a build constraint, without its `//`.
pub(super) fn action_line(src: &str) -> Option<String> {
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
fn split_quoted(s: &str) -> std::result::Result<Vec<String>, String> {
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
pub(super) struct Recipe {
    pub(super) action: String,
    /// Flags for the go command (or the compiler, for rundir).
    pub(super) flags: Vec<String>,
    /// What follows the flags: program arguments, or extra .go files.
    pub(super) args: Vec<String>,
    /// `-goexperiment X`: GOEXPERIMENT for every command.
    pub(super) goexp: Option<String>,
    /// `-t N`: time limit in seconds.
    pub(super) timeout: Option<u64>,
    /// `-s`: every file of a rundir directory is its own package.
    pub(super) single: bool,
    /// `-1` (true) or `-0` (false): whether a compilation must fail
    /// (errorcheck recipes).
    pub(super) want_error: Option<bool>,
}

pub(super) fn parse_recipe(line: &str) -> std::result::Result<Recipe, String> {
    let words = split_quoted(line).map_err(|e| format!("invalid recipe: {e}"))?;
    let mut r = Recipe::default();
    let mut it = words.into_iter();
    r.action = it.next().unwrap_or_default();
    let mut rest: Vec<String> = it.collect();
    let mut i = 0;
    while i < rest.len() && rest[i].starts_with('-') {
        match rest[i].as_str() {
            "-0" => r.want_error = Some(false),
            "-1" => r.want_error = Some(true),
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let r = parse_recipe("errorcheckandrundir -1").unwrap();
        assert_eq!(r.want_error, Some(true));
        let r = parse_recipe("runoutput ./rotate.go").unwrap();
        assert_eq!(r.args, vec!["./rotate.go"]);
        assert!(parse_recipe("run -t x").is_err());
    }
}
