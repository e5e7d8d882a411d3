//! A parser for the subset of Go that gort's layout files use (type and
//! const declarations; function bodies are skipped), and Go's struct layout
//! rules for linux/amd64, and the Rust structs generated from the layout
//! files (with compile-time size and offset assertions).

use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Ident(String),
    Int(u64),
    Str,
    Punct(&'static str),
    Semi,
}

const PUNCTS: &[&str] = &[
    "<<=", ">>=", "...", "&^=", "<-", "<<", ">>", "&^", "==", "!=", "<=", ">=", "&&", "||", "++", "--",
    ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "(", ")", "[", "]", "{", "}", ",", ";", ".",
    "*", "+", "-", "/", "%", "&", "|", "^", "<", ">", "=", "!", ":", "~",
];

/// Tokenise Go source, inserting semicolons as the Go spec does.
pub fn tokenize(src: &str) -> Result<Vec<Tok>, String> {
    let b = src.as_bytes();
    let mut i = 0;
    let mut out: Vec<Tok> = Vec::new();
    let ends_stmt = |t: Option<&Tok>| match t {
        Some(Tok::Ident(s)) => !matches!(
            s.as_str(),
            "package" | "import" | "type" | "const" | "var" | "func" | "struct" | "interface" | "map" | "chan"
                | "if" | "else" | "for" | "switch" | "case" | "default" | "go" | "defer" | "select" | "range"
        ),
        Some(Tok::Int(_)) | Some(Tok::Str) => true,
        Some(Tok::Punct(p)) => matches!(*p, ")" | "]" | "}" | "++" | "--"),
        _ => false,
    };
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            if ends_stmt(out.last()) {
                out.push(Tok::Semi);
            }
            i += 1;
        } else if c.is_ascii_whitespace() {
            i += 1;
        } else if src[i..].starts_with("//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if src[i..].starts_with("/*") {
            let end = src[i + 2..].find("*/").ok_or("unterminated comment")?;
            if src[i..i + 2 + end].contains('\n') && ends_stmt(out.last()) {
                out.push(Tok::Semi);
            }
            i += end + 4;
        } else if c == b'"' || c == b'\'' {
            i += 1;
            while i < b.len() && b[i] != c {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push(Tok::Str);
        } else if c == b'`' {
            let end = src[i + 1..].find('`').ok_or("unterminated raw string")?;
            i += end + 2;
            out.push(Tok::Str);
        } else if c.is_ascii_digit() {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                i += 1;
            }
            let lit: String = src[s..i].chars().filter(|&c| c != '_').collect();
            let v = if let Some(h) = lit.strip_prefix("0x").or_else(|| lit.strip_prefix("0X")) {
                u64::from_str_radix(h, 16)
            } else if lit.len() > 1 && lit.starts_with('0') && lit.bytes().all(|c| c.is_ascii_digit()) {
                u64::from_str_radix(&lit[1..], 8)
            } else {
                lit.parse::<u64>()
            };
            out.push(Tok::Int(v.map_err(|_| format!("unsupported number literal {lit}"))?));
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
            out.push(Tok::Ident(src[s..i].to_string()));
        } else {
            let p = PUNCTS
                .iter()
                .find(|p| src[i..].starts_with(**p))
                .ok_or_else(|| format!("unexpected character {:?}", c as char))?;
            i += p.len();
            out.push(if *p == ";" { Tok::Semi } else { Tok::Punct(p) });
        }
    }
    if ends_stmt(out.last()) {
        out.push(Tok::Semi);
    }
    Ok(out)
}

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    /// A predeclared or qualified/unqualified named type, with type arguments.
    Named { pkg: Option<String>, name: String, args: Vec<Ty> },
    Ptr(Box<Ty>),
    Slice(Box<Ty>),
    Array(Box<Expr>, Box<Ty>),
    Map,
    Chan,
    Func,
    Iface { empty: bool },
    Struct(Vec<Field>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// None for embedded fields.
    pub name: Option<String>,
    pub ty: Ty,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Int(u64),
    Name(Option<String>, String),
    Bin(Box<Expr>, &'static str, Box<Expr>),
    Neg(Box<Expr>),
}

#[derive(Clone, Debug)]
pub struct TypeDecl {
    pub name: String,
    pub ty: Ty,
}

#[derive(Default, Debug)]
pub struct GoFile {
    pub package: String,
    pub types: Vec<TypeDecl>,
    pub consts: Vec<(String, Expr)>,
}

pub struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    pub fn new(src: &str) -> Result<Parser, String> {
        Ok(Parser { toks: tokenize(src)?, pos: 0 })
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.pos + n)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }
    fn is_ident(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(q)) if q == s)
    }
    fn expect_punct(&mut self, p: &str) -> Result<(), String> {
        if self.is_punct(p) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected {p:?}, found {:?} (token {})", self.peek(), self.pos))
        }
    }
    fn ident(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Tok::Ident(s)) => Ok(s),
            t => Err(format!("expected identifier, found {t:?} (token {})", self.pos - 1)),
        }
    }
    fn skip_semis(&mut self) {
        while matches!(self.peek(), Some(Tok::Semi)) {
            self.pos += 1;
        }
    }
    /// Skip a balanced group starting at the current opening token.
    fn skip_balanced(&mut self) -> Result<(), String> {
        let mut depth = 0i32;
        loop {
            match self.next() {
                Some(Tok::Punct("(")) | Some(Tok::Punct("[")) | Some(Tok::Punct("{")) => depth += 1,
                Some(Tok::Punct(")")) | Some(Tok::Punct("]")) | Some(Tok::Punct("}")) => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                None => return Err("unbalanced brackets".into()),
                _ => {}
            }
        }
    }

    pub fn parse_file(src: &str) -> Result<GoFile, String> {
        let mut p = Parser::new(src)?;
        let mut f = GoFile::default();
        p.skip_semis();
        if p.is_ident("package") {
            p.pos += 1;
            f.package = p.ident()?;
        }
        loop {
            p.skip_semis();
            let Some(t) = p.next() else { break };
            match t {
                Tok::Ident(k) if k == "import" || k == "var" => p.skip_decl()?,
                Tok::Ident(k) if k == "func" => p.skip_func()?,
                Tok::Ident(k) if k == "type" => {
                    if p.is_punct("(") {
                        p.pos += 1;
                        loop {
                            p.skip_semis();
                            if p.is_punct(")") {
                                p.pos += 1;
                                break;
                            }
                            f.types.push(p.type_spec()?);
                        }
                    } else {
                        f.types.push(p.type_spec()?);
                    }
                }
                Tok::Ident(k) if k == "const" => {
                    let mut last: Option<Expr> = None;
                    if p.is_punct("(") {
                        p.pos += 1;
                        let mut iota = 0;
                        loop {
                            p.skip_semis();
                            if p.is_punct(")") {
                                p.pos += 1;
                                break;
                            }
                            f.consts.push(p.const_spec(&mut last, iota)?);
                            iota += 1;
                        }
                    } else {
                        f.consts.push(p.const_spec(&mut last, 0)?);
                    }
                }
                t => return Err(format!("unexpected top-level token {t:?}")),
            }
        }
        Ok(f)
    }

    fn skip_decl(&mut self) -> Result<(), String> {
        // Skip to the end of the declaration: a semicolon at bracket depth 0.
        loop {
            match self.peek() {
                None => return Ok(()),
                Some(Tok::Semi) => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(Tok::Punct("(")) | Some(Tok::Punct("[")) | Some(Tok::Punct("{")) => self.skip_balanced()?,
                _ => self.pos += 1,
            }
        }
    }

    fn skip_func(&mut self) -> Result<(), String> {
        // Receiver, name, signature, optional body. Braces inside parentheses
        // or after struct/interface are types; a brace at depth 0 otherwise
        // opens the body.
        loop {
            match self.peek() {
                None => return Ok(()),
                Some(Tok::Semi) => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(Tok::Punct("(")) | Some(Tok::Punct("[")) => self.skip_balanced()?,
                Some(Tok::Ident(k)) if k == "struct" || k == "interface" => {
                    self.pos += 1;
                    self.skip_balanced()?;
                }
                Some(Tok::Punct("{")) => {
                    self.skip_balanced()?;
                    return Ok(());
                }
                _ => self.pos += 1,
            }
        }
    }

    fn type_spec(&mut self) -> Result<TypeDecl, String> {
        let name = self.ident()?;
        // An alias (`type A = B`) has B's layout, as a definition has.
        if self.is_punct("=") {
            self.pos += 1;
        }
        let ty = self.ty()?;
        Ok(TypeDecl { name, ty })
    }

    /// One constant spec; a spec without `= expr` repeats the previous
    /// expression of its group (with the next iota).
    fn const_spec(&mut self, last: &mut Option<Expr>, iota: u64) -> Result<(String, Expr), String> {
        let name = self.ident()?;
        if matches!(self.peek(), Some(Tok::Semi)) || self.is_punct(")") {
            let e = last.clone().ok_or_else(|| format!("constant {name} has no value"))?;
            return Ok((name, subst_iota(&e, iota)));
        }
        if !self.is_punct("=") {
            // Optional type.
            self.ty()?;
        }
        if matches!(self.peek(), Some(Tok::Semi)) || self.is_punct(")") {
            let e = last.clone().ok_or_else(|| format!("constant {name} has no value"))?;
            return Ok((name, subst_iota(&e, iota)));
        }
        self.expect_punct("=")?;
        let e = self.expr(0)?;
        *last = Some(e.clone());
        Ok((name, subst_iota(&e, iota)))
    }

    fn expr(&mut self, min_prec: u8) -> Result<Expr, String> {
        let mut lhs = self.unary()?;
        while let Some(Tok::Punct(p)) = self.peek() {
            let (op, prec) = match *p {
                "*" | "/" | "<<" | ">>" | "&" | "%" => (*p, 5),
                "+" | "-" | "|" | "^" => (*p, 4),
                _ => break,
            };
            if prec < min_prec {
                break;
            }
            self.pos += 1;
            let rhs = self.expr(prec + 1)?;
            lhs = Expr::Bin(Box::new(lhs), op, Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::Int(v)) => Ok(Expr::Int(v)),
            // String constants are recorded but never evaluated.
            Some(Tok::Str) => Ok(Expr::Name(None, "<string constant>".into())),
            Some(Tok::Punct("-")) => Ok(Expr::Neg(Box::new(self.unary()?))),
            Some(Tok::Punct("(")) => {
                let e = self.expr(0)?;
                self.expect_punct(")")?;
                Ok(e)
            }
            Some(Tok::Ident(a)) => {
                if self.is_punct(".") {
                    self.pos += 1;
                    let b = self.ident()?;
                    Ok(Expr::Name(Some(a), b))
                } else {
                    Ok(Expr::Name(None, a))
                }
            }
            t => Err(format!("unsupported constant expression at {t:?}")),
        }
    }

    pub fn ty(&mut self) -> Result<Ty, String> {
        match self.next() {
            Some(Tok::Punct("*")) => Ok(Ty::Ptr(Box::new(self.ty()?))),
            Some(Tok::Punct("(")) => {
                let t = self.ty()?;
                self.expect_punct(")")?;
                Ok(t)
            }
            Some(Tok::Punct("[")) => {
                if self.is_punct("]") {
                    self.pos += 1;
                    Ok(Ty::Slice(Box::new(self.ty()?)))
                } else {
                    let n = self.expr(0)?;
                    self.expect_punct("]")?;
                    Ok(Ty::Array(Box::new(n), Box::new(self.ty()?)))
                }
            }
            Some(Tok::Punct("<-")) => {
                // <-chan T
                self.ident()?;
                self.ty()?;
                Ok(Ty::Chan)
            }
            Some(Tok::Ident(k)) => match k.as_str() {
                "map" => {
                    self.expect_punct("[")?;
                    self.ty()?;
                    self.expect_punct("]")?;
                    self.ty()?;
                    Ok(Ty::Map)
                }
                "chan" => {
                    if self.is_punct("<-") {
                        self.pos += 1;
                    }
                    self.ty()?;
                    Ok(Ty::Chan)
                }
                "func" => {
                    self.skip_balanced()?; // parameters
                    // Result: a parenthesised list or a single type, if any.
                    if self.is_punct("(") {
                        self.skip_balanced()?;
                    } else if matches!(self.peek(), Some(Tok::Ident(_)) | Some(Tok::Punct("*")) | Some(Tok::Punct("[")))
                    {
                        self.ty()?;
                    }
                    Ok(Ty::Func)
                }
                "interface" => {
                    self.expect_punct("{")?;
                    let mut empty = true;
                    let mut depth = 1;
                    while depth > 0 {
                        match self.next() {
                            Some(Tok::Punct("{")) => depth += 1,
                            Some(Tok::Punct("}")) => depth -= 1,
                            Some(Tok::Semi) => {}
                            None => return Err("unterminated interface".into()),
                            _ => empty = false,
                        }
                    }
                    Ok(Ty::Iface { empty })
                }
                "struct" => {
                    self.expect_punct("{")?;
                    let mut fields = Vec::new();
                    loop {
                        self.skip_semis();
                        if self.is_punct("}") {
                            self.pos += 1;
                            break;
                        }
                        self.field_decl(&mut fields)?;
                    }
                    Ok(Ty::Struct(fields))
                }
                _ => {
                    let (pkg, name) = if self.is_punct(".") {
                        self.pos += 1;
                        (Some(k), self.ident()?)
                    } else {
                        (None, k)
                    };
                    let mut args = Vec::new();
                    if self.is_punct("[") && !matches!(self.peek_at(1), Some(Tok::Punct("]"))) && pkg.is_some() {
                        // Type arguments (only qualified generic types occur).
                        self.pos += 1;
                        loop {
                            args.push(self.ty()?);
                            if self.is_punct(",") {
                                self.pos += 1;
                                continue;
                            }
                            self.expect_punct("]")?;
                            break;
                        }
                    }
                    Ok(Ty::Named { pkg, name, args })
                }
            },
            t => Err(format!("expected a type, found {t:?} (token {})", self.pos - 1)),
        }
    }

    fn field_decl(&mut self, fields: &mut Vec<Field>) -> Result<(), String> {
        // Embedded: T ; or *T ; or pkg.T ; (optionally followed by a tag).
        let embedded = matches!(
            (self.peek(), self.peek_at(1)),
            (Some(Tok::Punct("*")), _) | (Some(Tok::Ident(_)), Some(Tok::Semi | Tok::Str | Tok::Punct(".") | Tok::Punct("}")))
        );
        if embedded {
            let ty = self.ty()?;
            fields.push(Field { name: None, ty });
        } else {
            let mut names = vec![self.ident()?];
            while self.is_punct(",") {
                self.pos += 1;
                names.push(self.ident()?);
            }
            let ty = self.ty()?;
            for n in names {
                fields.push(Field { name: Some(n), ty: ty.clone() });
            }
        }
        if matches!(self.peek(), Some(Tok::Str)) {
            self.pos += 1;
        }
        if !self.is_punct("}") {
            match self.next() {
                Some(Tok::Semi) => {}
                t => return Err(format!("expected end of field, found {t:?}")),
            }
        }
        Ok(())
    }
}

fn subst_iota(e: &Expr, iota: u64) -> Expr {
    match e {
        Expr::Name(None, n) if n == "iota" => Expr::Int(iota),
        Expr::Bin(a, op, b) => Expr::Bin(Box::new(subst_iota(a, iota)), op, Box::new(subst_iota(b, iota))),
        Expr::Neg(a) => Expr::Neg(Box::new(subst_iota(a, iota))),
        other => other.clone(),
    }
}

/// Size and alignment of a Go type on linux/amd64.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    pub size: u64,
    pub align: u64,
}

pub fn round_up(x: u64, a: u64) -> u64 {
    x.div_ceil(a) * a
}

/// The types known to the generator: every declaration of every parsed
/// package, keyed by (package, name), plus constants.
#[derive(Default)]
pub struct Universe {
    pub types: BTreeMap<(String, String), TypeDecl>,
    pub consts: BTreeMap<(String, String), Expr>,
    /// Declaration order of each package's types.
    pub order: Vec<(String, String)>,
    /// Types that get Rust definitions (from layout files).
    pub emitted: std::collections::BTreeSet<(String, String)>,
}

/// Types from packages gort does not parse, with their layouts and Rust names.
pub fn external_type(pkg: &str, name: &str) -> Option<(Layout, String)> {
    let l = |size, align| Layout { size, align };
    let r = |s: &str| s.to_string();
    Some(match (pkg, name) {
        ("atomic", "Uint32") => (l(4, 4), r("core::sync::atomic::AtomicU32")),
        ("atomic", "Int32") => (l(4, 4), r("core::sync::atomic::AtomicI32")),
        ("atomic", "Uint64") => (l(8, 8), r("core::sync::atomic::AtomicU64")),
        ("atomic", "Int64") => (l(8, 8), r("core::sync::atomic::AtomicI64")),
        ("atomic", "Float64") => (l(8, 8), r("core::sync::atomic::AtomicU64")),
        ("atomic", "Uint8") => (l(1, 1), r("core::sync::atomic::AtomicU8")),
        ("atomic", "Bool") => (l(1, 1), r("core::sync::atomic::AtomicBool")),
        ("atomic", "Uintptr") => (l(8, 8), r("core::sync::atomic::AtomicUsize")),
        ("atomic", "UnsafePointer") => (l(8, 8), r("core::sync::atomic::AtomicPtr<u8>")),
        ("atomic", "Pointer") => (l(8, 8), r("core::sync::atomic::AtomicPtr<u8>")),
        ("sys", "NotInHeap") => (l(0, 1), r("()")),
        _ => return None,
    })
}

fn basic(name: &str) -> Option<(Layout, &'static str)> {
    let l = |size, align| Layout { size, align };
    Some(match name {
        "bool" => (l(1, 1), "bool"),
        "int8" => (l(1, 1), "i8"),
        "uint8" | "byte" => (l(1, 1), "u8"),
        "int16" => (l(2, 2), "i16"),
        "uint16" => (l(2, 2), "u16"),
        "int32" | "rune" => (l(4, 4), "i32"),
        "uint32" => (l(4, 4), "u32"),
        "int64" => (l(8, 8), "i64"),
        "uint64" => (l(8, 8), "u64"),
        "int" => (l(8, 8), "isize"),
        "uint" | "uintptr" => (l(8, 8), "usize"),
        "float32" => (l(4, 4), "f32"),
        "float64" => (l(8, 8), "f64"),
        "complex64" => (l(8, 4), "[f32; 2]"),
        "complex128" => (l(16, 8), "[f64; 2]"),
        "string" => (l(16, 8), "crate::layout::GoString"),
        "any" => (l(16, 8), "crate::layout::Eface"),
        "error" => (l(16, 8), "crate::layout::Iface"),
        _ => return None,
    })
}

/// Rust module name for a Go package.
pub fn rust_mod(pkg: &str) -> &str {
    match pkg {
        "runtime" => "rt",
        other => other,
    }
}

impl Universe {
    pub fn add(&mut self, f: &GoFile) {
        for t in &f.types {
            let key = (f.package.clone(), t.name.clone());
            if !self.types.contains_key(&key) {
                self.order.push(key.clone());
            }
            self.types.insert(key, t.clone());
        }
        for (n, e) in &f.consts {
            self.consts.insert((f.package.clone(), n.clone()), e.clone());
        }
    }

    pub fn eval(&self, pkg: &str, e: &Expr) -> Result<i64, String> {
        Ok(match e {
            Expr::Int(v) => *v as i64,
            Expr::Neg(x) => -self.eval(pkg, x)?,
            Expr::Name(q, n) => {
                let p = q.clone().unwrap_or_else(|| pkg.to_string());
                let ex = self.consts.get(&(p.clone(), n.clone())).ok_or_else(|| format!("unknown constant {p}.{n}"))?;
                self.eval(&p, ex)?
            }
            Expr::Bin(a, op, b) => {
                let (a, b) = (self.eval(pkg, a)?, self.eval(pkg, b)?);
                match *op {
                    "+" => a + b,
                    "-" => a - b,
                    "*" => a * b,
                    "/" => a / b,
                    "%" => a % b,
                    "<<" => a << b,
                    ">>" => a >> b,
                    "&" => a & b,
                    "|" => a | b,
                    "^" => a ^ b,
                    _ => unreachable!(),
                }
            }
        })
    }

    fn lookup(&self, pkg: &str, q: &Option<String>, name: &str) -> Option<(String, &TypeDecl)> {
        let p = q.clone().unwrap_or_else(|| pkg.to_string());
        self.types.get(&(p.clone(), name.to_string())).map(|d| (p, d))
    }

    /// Layout of a type appearing in package `pkg`.
    pub fn layout(&self, pkg: &str, t: &Ty) -> Result<Layout, String> {
        let w = Layout { size: 8, align: 8 };
        Ok(match t {
            Ty::Ptr(_) | Ty::Map | Ty::Chan | Ty::Func => w,
            Ty::Slice(_) => Layout { size: 24, align: 8 },
            Ty::Iface { .. } => Layout { size: 16, align: 8 },
            Ty::Array(n, e) => {
                let el = self.layout(pkg, e)?;
                Layout { size: el.size * self.eval(pkg, n)? as u64, align: el.align }
            }
            Ty::Struct(fields) => self.struct_layout(pkg, fields)?.0,
            Ty::Named { pkg: q, name, .. } => {
                if q.is_none() {
                    if let Some((l, _)) = basic(name) {
                        return Ok(l);
                    }
                }
                if let Some(q) = q {
                    if q == "unsafe" && name == "Pointer" {
                        return Ok(w);
                    }
                    if let Some((l, _)) = external_type(q, name) {
                        return Ok(l);
                    }
                }
                let (p, d) = self.lookup(pkg, q, name).ok_or_else(|| format!("unknown type {q:?}.{name}"))?;
                self.layout(&p, &d.ty)?
            }
        })
    }

    /// Layout of a struct and the offset of each field.
    pub fn struct_layout(&self, pkg: &str, fields: &[Field]) -> Result<(Layout, Vec<u64>), String> {
        let mut off = 0u64;
        let mut align = 1u64;
        let mut offs = Vec::new();
        let mut last_zero = false;
        for f in fields {
            let l = self.layout(pkg, &f.ty)?;
            off = round_up(off, l.align);
            offs.push(off);
            off += l.size;
            align = align.max(l.align);
            last_zero = l.size == 0;
        }
        // Go pads a struct that ends in a zero-sized field so that a pointer
        // to that field cannot point past the object.
        if last_zero && off > 0 {
            off += 1;
        }
        Ok((Layout { size: round_up(off, align), align }, offs))
    }

    /// The Rust spelling of a Go type appearing in package `pkg`.
    pub fn rust_type(&self, pkg: &str, t: &Ty) -> Result<String, String> {
        Ok(match t {
            Ty::Ptr(e) => format!("*mut {}", self.rust_pointee(pkg, e)?),
            Ty::Map => "*mut crate::layout::rt::hmap".into(),
            Ty::Chan => "*mut crate::layout::rt::hchan".into(),
            Ty::Func => "*mut crate::layout::rt::funcval".into(),
            Ty::Slice(e) => {
                // Element values; elements of types without a Rust
                // definition are opaque bytes.
                let el = match &**e {
                    Ty::Named { .. } | Ty::Struct(_) => match self.rust_pointee(pkg, e)?.as_str() {
                        "u8" => match self.rust_type(pkg, e) {
                            Ok(t) if t == "*mut u8" || t == "u8" => t,
                            _ => "u8".to_string(),
                        },
                        other => other.to_string(),
                    },
                    _ => self.rust_type(pkg, e)?,
                };
                format!("crate::layout::GoSlice<{el}>")
            }
            Ty::Iface { empty: true } => "crate::layout::Eface".into(),
            Ty::Iface { empty: false } => "crate::layout::Iface".into(),
            Ty::Array(n, e) => format!("[{}; {}]", self.rust_type(pkg, e)?, self.eval(pkg, n)?),
            Ty::Struct(_) => return Err("anonymous struct types are not supported in layouts".into()),
            Ty::Named { pkg: q, name, .. } => {
                if q.is_none() {
                    if let Some((_, r)) = basic(name) {
                        return Ok(r.into());
                    }
                }
                if let Some(q) = q {
                    if q == "unsafe" && name == "Pointer" {
                        return Ok("*mut u8".into());
                    }
                    if let Some((_, r)) = external_type(q, name) {
                        return Ok(r);
                    }
                }
                let (p, _) = self.lookup(pkg, q, name).ok_or_else(|| format!("unknown type {q:?}.{name}"))?;
                format!("crate::layout::{}::{}", rust_mod(&p), name)
            }
        })
    }

    /// Rust spelling of a pointer's target: zero-sized and opaque targets
    /// become u8.
    fn rust_pointee(&self, pkg: &str, t: &Ty) -> Result<String, String> {
        if let Ty::Named { pkg: q, name, .. } = t {
            if q.as_deref() == Some("unsafe") {
                return Ok("u8".into());
            }
            if q.as_deref() == Some("sys") && name == "NotInHeap" {
                return Ok("u8".into());
            }
            // Types without a Rust definition are opaque bytes.
            if basic(name).is_none() || q.is_some() {
                match self.lookup(pkg, q, name) {
                    Some((p, _)) if !self.emitted.contains(&(p.clone(), name.clone())) => return Ok("u8".into()),
                    None if q.as_deref() != Some("atomic") => return Ok("u8".into()),
                    _ => {}
                }
            }
        }
        // A pointer to an array points at its first element.
        if let Ty::Array(_, e) = t {
            return self.rust_pointee(pkg, e);
        }
        if let Ty::Iface { .. } = t {
            return self.rust_type(pkg, t);
        }
        if self.layout(pkg, t)?.size == 0 {
            return Ok("u8".into());
        }
        self.rust_type(pkg, t)
    }
}

const RUST_KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl",
    "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static",
    "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual",
    "yield", "try",
];

pub fn rust_ident(s: &str) -> String {
    if RUST_KEYWORDS.contains(&s) {
        format!("r#{s}")
    } else {
        s.to_string()
    }
}

/// Emit Rust definitions for every type declared in `pkg`.
pub fn emit_rust_package(u: &Universe, pkg: &str, out: &mut String) -> Result<(), String> {
    writeln!(out, "pub mod {} {{", rust_mod(pkg)).unwrap();
    writeln!(out, "#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code, clippy::all)]").unwrap();
    for key in u.order.iter().filter(|k| k.0 == pkg && u.emitted.contains(*k)) {
        let d = &u.types[key];
        let name = &d.name;
        match &d.ty {
            Ty::Struct(fields) => {
                let (lay, offs) = u.struct_layout(pkg, fields).map_err(|e| format!("{pkg}.{name}: {e}"))?;
                writeln!(out, "/// Go type `{pkg}.{name}`: {} bytes, align {}.", lay.size, lay.align).unwrap();
                writeln!(out, "#[repr(C)]\npub struct {name} {{").unwrap();
                let mut cur = 0u64;
                let mut npad = 0;
                let mut checks = Vec::new();
                for (i, f) in fields.iter().enumerate() {
                    let fl = u.layout(pkg, &f.ty)?;
                    if fl.size == 0 {
                        continue;
                    }
                    if offs[i] > cur {
                        writeln!(out, "    pub _pad{npad}: [u8; {}],", offs[i] - cur).unwrap();
                        npad += 1;
                    }
                    let fname = match &f.name {
                        Some(n) if n == "_" => {
                            npad += 1;
                            format!("_blank{npad}")
                        }
                        Some(n) => rust_ident(n),
                        None => match &f.ty {
                            Ty::Named { name, .. } => rust_ident(name),
                            Ty::Ptr(inner) => match &**inner {
                                Ty::Named { name, .. } => rust_ident(name),
                                _ => return Err(format!("{pkg}.{name}: odd embedded field")),
                            },
                            _ => return Err(format!("{pkg}.{name}: odd embedded field")),
                        },
                    };
                    let rt = u.rust_type(pkg, &f.ty).map_err(|e| format!("{pkg}.{name}.{fname}: {e}"))?;
                    writeln!(out, "    pub {fname}: {rt},").unwrap();
                    if !fname.starts_with("_blank") {
                        checks.push((fname.clone(), offs[i]));
                    }
                    cur = offs[i] + fl.size;
                }
                if lay.size > cur {
                    writeln!(out, "    pub _pad{npad}: [u8; {}],", lay.size - cur).unwrap();
                }
                writeln!(out, "}}").unwrap();
                writeln!(out, "const _: () = assert!(core::mem::size_of::<{name}>() == {});", lay.size).unwrap();
                for (f, o) in checks {
                    writeln!(out, "const _: () = assert!(core::mem::offset_of!({name}, {f}) == {o});").unwrap();
                }
                writeln!(out, "impl {name} {{ pub const GO_SIZE: usize = {}; }}", lay.size).unwrap();
            }
            other => {
                let rt = u.rust_type(pkg, other).map_err(|e| format!("{pkg}.{name}: {e}"))?;
                writeln!(out, "/// Go type `{pkg}.{name}`.\npub type {name} = {rt};").unwrap();
            }
        }
    }
    for ((p, n), e) in &u.consts {
        if p == pkg && n != "_" {
            if let Ok(v) = u.eval(pkg, e) {
                writeln!(out, "pub const {n}: i64 = {v};").unwrap();
            }
        }
    }
    writeln!(out, "}}").unwrap();
    Ok(())
}
