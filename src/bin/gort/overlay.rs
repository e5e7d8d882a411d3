//! The overlay GOROOT: the installed toolchain's GOROOT, entry by entry
//! (top-level entries are symlinks; src/ is a tree of real directories and
//! regular files, hard links into gort's store of the toolchain's sources,
//! see `src_store`), except `src/runtime`, which is gort's runtime
//! package (the Go face embedded in this binary, plus a file naming gort's
//! static library for the host link). Upstream's sub-packages under
//! src/runtime (cgo, debug, internal/..., pprof, ...) are linked in as they
//! are. The overlay lives outside the installed toolchain (under gort's
//! target directory, or $GORT_CACHE) and is rebuilt whenever its inputs
//! change: the embedded files, the toolchain, or the library's location.

use crate::toolchain::Toolchain;
use crate::{Fail, Result};
use std::fs;
use std::hash::Hasher;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}
pub use embedded::{RUNTIME_FILES, RUNTIME_TEST_FILES, SURFACE_DEF};

/// Where gort keeps its generated state.
pub fn state_dir() -> PathBuf {
    match std::env::var_os("GORT_CACHE") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/gort"),
    }
}

pub fn overlay_dir() -> PathBuf {
    state_dir().join("goroot")
}

/// gort's Rust runtime library: next to this executable (cargo puts both in
/// target/<profile>/), or $GORT_LIB.
pub fn runtime_lib() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("GORT_LIB") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe()?;
    let lib = exe.parent().unwrap_or(Path::new(".")).join("libgort_rt.a");
    if !lib.exists() {
        return Err(Fail::new(format!(
            "gort's runtime library {} is missing: build it with `cargo build --release`",
            lib.display()
        )));
    }
    Ok(lib)
}

/// A 64-bit FNV-1a hasher: stable across runs and Rust versions.
pub struct Fnv(u64);

impl Fnv {
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x100_0000_01b3);
        }
    }
}

/// Content hash of the runtime library: passed to the linker (-X) so that
/// the go command relinks (and re-runs cached tests) when it changes.
pub fn lib_id(lib: &Path) -> Result<String> {
    let mut h = Fnv::new();
    h.write(&fs::read(lib).map_err(|e| Fail::new(format!("reading {}: {e}", lib.display())))?);
    Ok(format!("{:016x}", h.finish()))
}

/// Bump when the overlay's structure changes (forces a rebuild).
const OVERLAY_FORMAT: u32 = 5;

fn fingerprint(tc: &Toolchain, lib: &Path) -> String {
    let mut h = Fnv::new();
    h.write(&OVERLAY_FORMAT.to_le_bytes());
    h.write(env!("CARGO_PKG_VERSION").as_bytes());
    h.write(tc.goroot.as_os_str().as_encoded_bytes());
    h.write(tc.version.as_bytes());
    h.write(lib.as_os_str().as_encoded_bytes());
    for (name, data) in RUNTIME_FILES {
        h.write(name.as_bytes());
        h.write(&(data.len() as u64).to_le_bytes());
        h.write(data);
    }
    format!("{:016x}", h.finish())
}

const STAMP: &str = ".gort-stamp";

pub enum Status {
    Fresh,
    Stale,
    Missing,
}

pub fn status(tc: &Toolchain) -> Status {
    let dir = overlay_dir();
    let Ok(lib) = runtime_lib() else { return Status::Stale };
    match fs::read_to_string(dir.join(STAMP)) {
        Ok(s) if s.trim() == fingerprint(tc, &lib) => Status::Fresh,
        Ok(_) => Status::Stale,
        Err(_) => Status::Missing,
    }
}

pub struct Overlay {
    pub root: PathBuf,
    pub lib: PathBuf,
}

/// Create or refresh the overlay; return where it is.
pub fn ensure(tc: &Toolchain) -> Result<Overlay> {
    let lib = runtime_lib()?;
    let dir = overlay_dir();
    let fp = fingerprint(tc, &lib);
    let parent = dir.parent().unwrap().to_path_buf();
    fs::create_dir_all(&parent)?;
    // Serialise concurrent gort processes (parallel tests).
    let lock = fs::File::create(parent.join("goroot.lock"))?;
    lock.lock()?;
    if fs::read_to_string(dir.join(STAMP)).map(|s| s.trim() == fp).unwrap_or(false) {
        link_extld(&dir)?;
        return Ok(Overlay { root: dir, lib });
    }
    let tmp = parent.join(format!("goroot.tmp{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    build(tc, &lib, &tmp).map_err(|e| Fail::new(format!("creating overlay GOROOT in {}: {}", tmp.display(), e.msg)))?;
    fs::write(tmp.join(STAMP), format!("{fp}\n"))?;
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::rename(&tmp, &dir)?;
    link_extld(&dir)?;
    Ok(Overlay { root: dir, lib })
}

/// The overlay's `gort-extld`, the host linker gort's builds name
/// (extld.rs): a symlink to this executable, refreshed on every use since
/// the executable may have moved while the overlay stayed fresh.
fn link_extld(dir: &Path) -> Result<()> {
    let exe = std::env::current_exe()?;
    let link = dir.join(crate::extld::NAME);
    if fs::read_link(&link).ok().as_deref() != Some(exe.as_path()) {
        let tmp = dir.join(format!("{}.tmp{}", crate::extld::NAME, std::process::id()));
        let _ = fs::remove_file(&tmp);
        symlink(&exe, &tmp)?;
        fs::rename(&tmp, &link)?;
    }
    Ok(())
}

fn link_entries(from: &Path, to: &Path, skip: &[&str]) -> Result<()> {
    let mut entries: Vec<_> = fs::read_dir(from)?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        symlink(e.path(), to.join(&name))?;
    }
    Ok(())
}

// ---- the source store ----
//
// The overlay's src/ must look like a real GOROOT's to every tool: real
// directories and regular files (the go command refuses to embed anything
// else, and tests look at their testdata). Regular files cost nothing when
// they are hard links, but a hard link to the installed toolchain is not
// always possible (another file system; a user who does not own the files,
// under fs.protected_hardlinks). So gort keeps a store: one private copy of
// the toolchain's src tree per toolchain (made of hard links to it where the
// system allows, of copies otherwise; made once, about 130 MB when copied),
// and every overlay (re)build hard-links the store's files, which gort owns
// and which live next to the overlay.

/// Bump when the store's layout changes.
const STORE_FORMAT: u32 = 1;

/// The store for this toolchain: created on first use; stores of other
/// toolchains are removed. The caller holds the overlay lock.
fn src_store(tc: &Toolchain) -> Result<PathBuf> {
    let mut h = Fnv::new();
    h.write(&STORE_FORMAT.to_le_bytes());
    h.write(tc.goroot.as_os_str().as_encoded_bytes());
    h.write(tc.version.as_bytes());
    let name = format!("src-{:016x}", h.finish());
    let parent = state_dir();
    let store = parent.join(&name);
    if !store.join(STAMP).exists() {
        let tmp = parent.join(format!("{name}.tmp{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        let mut can_link = true;
        fill_store(&tc.goroot.join("src"), &tmp, &mut can_link)
            .map_err(|e| Fail::new(format!("creating gort's copy of the Go sources in {}: {}", tmp.display(), e.msg)))?;
        fs::write(tmp.join(STAMP), if can_link { "hard links\n" } else { "copies\n" })?;
        let _ = fs::remove_dir_all(&store);
        fs::rename(&tmp, &store)?;
    }
    for e in fs::read_dir(&parent)? {
        let e = e?;
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with("src-") && n != name && !n.contains(".tmp") {
            let _ = fs::remove_dir_all(e.path());
        }
    }
    Ok(store)
}

/// Copy the tree `from` to `to`: real directories; files hard-linked while
/// that works (`can_link`), copied once it does not.
fn fill_store(from: &Path, to: &Path, can_link: &mut bool) -> Result<()> {
    fs::create_dir_all(to)?;
    for e in fs::read_dir(from)? {
        let e = e?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let ft = e.file_type()?;
        if ft.is_dir() {
            fill_store(&src, &dst, can_link)?;
        } else if ft.is_symlink() {
            symlink(fs::read_link(&src)?, &dst)?;
        } else {
            if *can_link && fs::hard_link(&src, &dst).is_ok() {
                continue;
            }
            *can_link = false;
            fs::copy(&src, &dst).map_err(|err| Fail::new(format!("copying {}: {err}", src.display())))?;
        }
    }
    Ok(())
}

/// Mirror a tree of the store: real directories, hard-linked files
/// (symbolic links, if the toolchain has any, stay links).
fn mirror(from: &Path, to: &Path, skip: &[&str]) -> Result<()> {
    fs::create_dir_all(to)?;
    for e in fs::read_dir(from)? {
        let e = e?;
        let name = e.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let (src, dst) = (e.path(), to.join(&name));
        let ft = e.file_type()?;
        if ft.is_dir() {
            mirror(&src, &dst, &[])?;
        } else if ft.is_symlink() {
            symlink(fs::read_link(&src)?, &dst)?;
        } else {
            fs::hard_link(&src, &dst).map_err(|err| Fail::new(format!("linking {}: {err}", src.display())))?;
        }
    }
    Ok(())
}

fn build(tc: &Toolchain, lib: &Path, root: &Path) -> Result<()> {
    let up = &tc.goroot;
    let store = src_store(tc)?;
    fs::create_dir_all(root)?;
    link_entries(up, root, &["src"])?;
    mirror(&store, &root.join("src"), &["runtime", STAMP])?;
    // Upstream's sub-packages of runtime stay upstream's.
    for e in fs::read_dir(store.join("runtime"))? {
        let e = e?;
        if e.file_type()?.is_dir() {
            mirror(&e.path(), &root.join("src/runtime").join(e.file_name()), &[])?;
        }
    }
    let rt = root.join("src/runtime");
    for (name, data) in RUNTIME_FILES {
        fs::write(rt.join(name), data)?;
    }
    let lib = lib.to_str().ok_or_else(|| Fail::new("library path is not UTF-8"))?;
    if lib.contains('"') || lib.contains(' ') {
        return Err(Fail::new(format!("library path {lib:?} must not contain quotes or spaces")));
    }
    fs::write(
        rt.join("zlink.go"),
        format!(
            "// Code generated by gort. DO NOT EDIT.\n\n\
             package runtime\n\n\
             // gort's Rust runtime, for the host linker.\n\
             //\n\
             //go:cgo_ldflag \"{lib}\"\n\
             //\n\
             // Sections nothing refers to are left out (most of the library\n\
             // serves features a given program does not use).\n\
             //\n\
             //go:cgo_ldflag \"-Wl,--gc-sections\"\n\
             var _ byte\n\n\
             // Content hash of that library, set with -X by gort's build flags.\n\
             var gortLibID string\n"
        ),
    )?;
    Ok(())
}
