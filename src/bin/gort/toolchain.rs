//! The pinned Go toolchain: go1.22.12 linux/amd64, from Debian's
//! golang-1.22-go (bookworm-backports).

use crate::{Fail, Result};
use std::path::PathBuf;
use std::process::Command;

pub const WANT_VERSION: &str = "go1.22.12";
const DEFAULT_GOROOT: &str = "/usr/lib/go-1.22";

pub struct Toolchain {
    /// The go command.
    pub go: PathBuf,
    /// The installed (upstream) GOROOT.
    pub goroot: PathBuf,
    /// `go version` output, e.g. "go1.22.12 linux/amd64".
    pub version: String,
}

const INSTALL_HINT: &str = "gort needs go1.22.12 linux/amd64: run scripts/setup-go \
(it installs Debian's golang-1.22-go from bookworm-backports), or point GORT_GOROOT at a go1.22.12 GOROOT";

impl Toolchain {
    pub fn find() -> Result<Toolchain> {
        let goroot = PathBuf::from(std::env::var("GORT_GOROOT").unwrap_or_else(|_| DEFAULT_GOROOT.into()));
        let go = goroot.join("bin/go");
        if !go.exists() {
            return Err(Fail::new(format!("no Go toolchain at {}\n{INSTALL_HINT}", goroot.display())));
        }
        let out = Command::new(&go)
            .arg("version")
            .env("GOTOOLCHAIN", "local")
            .env("GOROOT", &goroot)
            .output()
            .map_err(|e| Fail::new(format!("running {}: {e}\n{INSTALL_HINT}", go.display())))?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let version = text.strip_prefix("go version ").unwrap_or(&text).to_string();
        if version != format!("{WANT_VERSION} linux/amd64") {
            return Err(Fail::new(format!(
                "{} reports {:?}, but gort is pinned to {WANT_VERSION} linux/amd64\n{INSTALL_HINT}",
                go.display(),
                version
            )));
        }
        if !goroot.join("src/runtime").is_dir() {
            return Err(Fail::new(format!("{} has no src/runtime\n{INSTALL_HINT}", goroot.display())));
        }
        Ok(Toolchain { go, goroot, version })
    }
}
