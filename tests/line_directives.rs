//! The Go face's //line and #line directives (asm/runtime/*.go, *.s): a directive that
//! gives a file back its own positions after a remapped line must name that
//! file and the number of the line that follows it, or positions after it
//! (tracebacks of gort's own frames, coverage of the runtime package) would
//! point at the wrong lines.

use std::path::Path;

#[test]
fn line_directives_restore_true_positions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("asm/runtime");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let asm = match path.extension().and_then(|e| e.to_str()) {
            Some("go") => false,
            Some("s") => true,
            _ => continue,
        };
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        // Go: //line $GOROOT/src/runtime/NAME:N gives the next line the
        // number N. Assembly: #line N "NAME" (a name relative to the
        // package's directory, as the assembler does not expand $GOROOT)
        // gives the next line N-1 (so the goexit frame's position and the
        // lines after the restoring directive read as they should in
        // `go tool objdump`).
        let own_line = |line: &str| -> Option<usize> {
            if asm {
                let rest = line.strip_prefix("#line ")?;
                let (n, file) = rest.split_once(' ')?;
                (file == format!("\"{name}\"")).then(|| n.parse::<usize>().unwrap() - 1)
            } else {
                line.strip_prefix(&format!("//line $GOROOT/src/runtime/{name}:")).map(|n| n.parse().unwrap())
            }
        };
        let directive = if asm { "#line " } else { "//line " };
        let mut remapped = false;
        for (i, line) in text.lines().enumerate() {
            if let Some(n) = own_line(line) {
                // A Go file's directives to itself only restore; an
                // assembly file's may also remap (goexit's position).
                if !asm {
                    assert_eq!(n, i + 2, "{name}:{}: the directive must give the next line's number", i + 1);
                }
                if n == i + 2 {
                    remapped = false;
                    checked += 1;
                    continue;
                }
            }
            if line.starts_with(directive) {
                assert!(!remapped, "{name}:{}: a remapped stretch must end (with a directive giving the next line's own number) before the next one", i + 1);
                remapped = true;
            } else if remapped && (line.starts_with("func ") || line.starts_with("TEXT ")) {
                panic!("{name}:{}: function declared under another file's positions", i + 1);
            }
        }
        assert!(!remapped, "{name}: ends under another file's positions");
    }
    assert!(checked > 0, "no restoring directives found");
}
