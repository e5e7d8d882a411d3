//! Assembly templates (`asm/templates/*.s`): assembly text with `{{name}}`
//! placeholders, in named sections that a generator emits in its own order
//! and number (a section per entry point, a block repeated N times).
//!
//! A line `#section NAME` starts a section; the section is every line after
//! it, newline included, up to the next `#section` line or the end of the
//! file (so a blank line at a section's end is emitted too). The lines
//! before the first section are notes for readers and are not emitted.
//! Templates are compiled in (include_str!): a missing section or a
//! placeholder without a value is a bug in the generator, and panics.

use std::fmt::Display;

/// The template `asm/templates/NAME`, compiled in.
macro_rules! template {
    ($name:literal) => {
        $crate::template::Template::new(concat!("asm/templates/", $name), include_str!(concat!("../../asm/templates/", $name)))
    };
}
pub(crate) use template;

pub struct Template {
    file: &'static str,
    sections: Vec<(&'static str, &'static str)>,
}

impl Template {
    /// `file` names the template in messages.
    pub fn new(file: &'static str, src: &'static str) -> Template {
        let mut sections = Vec::new();
        let mut cur: Option<(&'static str, usize)> = None;
        let mut pos = 0;
        for line in src.split_inclusive('\n') {
            if let Some(name) = line.strip_prefix("#section ") {
                if let Some((n, start)) = cur {
                    sections.push((n, &src[start..pos]));
                }
                cur = Some((name.trim(), pos + line.len()));
            }
            pos += line.len();
        }
        if let Some((n, start)) = cur {
            sections.push((n, &src[start..]));
        }
        Template { file, sections }
    }

    /// The section `name` with each `{{key}}` replaced by its value; every
    /// value must be used.
    pub fn expand(&self, name: &str, vars: &[(&str, &dyn Display)]) -> String {
        let text = match self.sections.iter().find(|(n, _)| *n == name) {
            Some((_, t)) => *t,
            None => panic!("{}: no section {name:?}", self.file),
        };
        let mut out = String::with_capacity(text.len() + 16);
        let mut used = vec![false; vars.len()];
        let mut rest = text;
        while let Some(i) = rest.find("{{") {
            out.push_str(&rest[..i]);
            let Some(j) = rest[i..].find("}}") else { panic!("{}: section {name}: unclosed {{{{", self.file) };
            let key = &rest[i + 2..i + j];
            match vars.iter().position(|(k, _)| *k == key) {
                Some(v) => {
                    used[v] = true;
                    out.push_str(&vars[v].1.to_string());
                }
                None => panic!("{}: section {name}: no value for {{{{{key}}}}}", self.file),
            }
            rest = &rest[i + j + 2..];
        }
        out.push_str(rest);
        if let Some(v) = used.iter().position(|u| !u) {
            panic!("{}: section {name} has no {{{{{}}}}}", self.file, vars[v].0);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_placeholders() {
        let t = Template::new("t.s", "notes\n#section a\nTEXT ·f{{n}}(SB), ${{n}}-{{m}}\n\n#section b\n\tRET\n");
        assert_eq!(t.expand("a", &[("n", &16), ("m", &"48")]), "TEXT ·f16(SB), $16-48\n\n");
        assert_eq!(t.expand("b", &[]), "\tRET\n");
    }

    #[test]
    #[should_panic(expected = "no value for {{m}}")]
    fn a_missing_value_panics() {
        Template::new("t.s", "#section a\n{{m}}\n").expand("a", &[]);
    }

    #[test]
    #[should_panic(expected = "section a has no {{x}}")]
    fn an_unused_value_panics() {
        Template::new("t.s", "#section a\nRET\n").expand("a", &[("x", &1)]);
    }
}
