//! Throw-away directory trees made of symlinks: the module copy of a
//! `runindir` test, the GOROOT-shaped tree with a zoneinfo.zip for packages
//! whose tests read one (Debian's toolchain ships none), and the GOROOT
//! whose src/runtime takes the runtime's external tests.

use super::context::Ctx;
use crate::overlay;
use crate::{Fail, Result};
use std::path::{Path, PathBuf};

/// Copy a directory tree: real directories, files as symlinks.
pub(super) fn mirror_dir(src: &Path, dst: &Path) -> Result<()> {
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

/// The directory a package's test binary runs in, and the GOROOT it gets
/// (None: the runtime's own): the package's source directory, or, for tests
/// that read `GOROOT/lib/time/zoneinfo.zip` (which Debian's toolchain does
/// not ship), the package in a GOROOT-shaped tree (symlinks, the package's
/// top directory mirrored) whose lib/time/zoneinfo.zip is made from the
/// system's /usr/share/zoneinfo.
pub(super) fn pkg_dir(ctx: &Ctx, pkg: &str) -> Result<(PathBuf, Option<PathBuf>)> {
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
fn zoneinfo_zip(dir: &Path) -> Result<Vec<u8>> {
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
fn stored_zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
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

/// A throw-away GOROOT: `base` entry by entry (symlinks), with src/ and
/// src/runtime real directories. The runtime's own test files are left
/// out, so that the selected external tests can be put there: they are then
/// package runtime_test of import path runtime (function names in
/// tracebacks and examples as upstream's), and the runtime's internal
/// packages stay importable. testdata is mirrored (real directories), so
/// that programs built from it are found inside this GOROOT.
pub(super) fn make_tree(base: &Path, dest: &Path) -> Result<PathBuf> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_archives() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        let z = stored_zip(&[("a/b".into(), b"TZif".to_vec())]);
        assert!(z.starts_with(b"PK\x03\x04") && z.windows(4).any(|w| w == b"PK\x05\x06"));
        assert_eq!(z.len(), 30 + 3 + 4 + 46 + 3 + 22);
    }
}
