//! The Go face's //line directives (asm/runtime/*.go): a directive that
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
        if path.extension().is_none_or(|e| e != "go") {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let own = format!("//line $GOROOT/src/runtime/{name}:");
        let mut remapped = false;
        for (i, line) in text.lines().enumerate() {
            if let Some(n) = line.strip_prefix(&own) {
                assert_eq!(n.parse::<usize>().unwrap(), i + 2, "{name}:{}: the directive must give the next line's number", i + 1);
                remapped = false;
                checked += 1;
            } else if line.starts_with("//line ") {
                assert!(!remapped, "{name}:{}: a remapped stretch must end before the next one", i + 1);
                remapped = true;
            } else if remapped && line.starts_with("func ") {
                panic!("{name}:{}: function declared under another file's positions", i + 1);
            }
        }
        assert!(!remapped, "{name}: ends under another file's positions");
    }
    assert!(checked > 0, "no restoring directives found");
}
