//! A tiny Go lexer: enough to find a file's imports and package name
//! outside comments and literals.


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
pub(super) fn go_imports(src: &str) -> Vec<String> {
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

/// The package name of a Go file (first `package X` line).
pub(super) fn package_name(src: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_and_package_names() {
        let src = "// run\n\npackage main\n\nimport \"fmt\"\nimport (\n\tx \"os\" // c\n\t_ \"unsafe\"\n/* \"no\" */)\nfunc main() { runtime.GC(); _ = \"runtime.Foo\"; runtime.Bar() }\nimport \"late\"\n";
        assert_eq!(go_imports(src), vec!["fmt", "os", "unsafe"]);
        assert_eq!(package_name("// x\npackage   foo\n").as_deref(), None);
        assert_eq!(package_name("// x\npackage foo_test // c\n").as_deref(), Some("foo_test"));
    }
}
