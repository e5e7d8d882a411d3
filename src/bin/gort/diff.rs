//! `gort diff`: the differential test. Build one program with upstream's
//! runtime and with gort's, run both with the same arguments, stdin and
//! environment under a time limit, and compare exit status, stdout and
//! stderr. Only run-to-run noise is normalised: hex addresses (0x and five
//! or more hex digits), `+0x` pc offsets, traceback argument values marked
//! as possibly stale (a hex value followed by `?`), and goroutine ids.

use crate::gobuild::{self, TempDir};
use crate::overlay;
use crate::toolchain::Toolchain;
use crate::{Fail, Result};
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Outcome {
    pub status: String,
    /// Killed at the time limit.
    pub timed_out: bool,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Run `exe` with args and stdin, killing it after `limit`.
pub fn run_limited(exe: &Path, args: &[String], stdin: &[u8], limit: Duration, envs: &[(String, String)]) -> Result<Outcome> {
    let mut child = Command::new(exe)
        .args(args)
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Fail::new(format!("running {}: {e}", exe.display())))?;
    let mut sin = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = sin.write_all(&input);
    });
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let ro = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let re = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b);
        b
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(st) = child.try_wait()? {
            break describe(st);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            timed_out = true;
            break format!("killed after time limit of {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let _ = feeder.join();
    Ok(Outcome { status, timed_out, stdout: ro.join().unwrap_or_default(), stderr: re.join().unwrap_or_default() })
}

fn describe(st: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (st.code(), st.signal()) {
        (Some(c), _) => format!("exit status {c}"),
        (None, Some(s)) => format!("signal {s}"),
        _ => "unknown status".into(),
    }
}

/// Normalise run-to-run noise (see the module comment).
pub fn normalise(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'0' && i + 1 < b.len() && b[i + 1] == b'x' && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let mut j = i + 2;
            while j < b.len() && b[j].is_ascii_hexdigit() {
                j += 1;
            }
            let digits = j - (i + 2);
            let offset = i > 0 && b[i - 1] == b'+';
            // A traceback argument printed with a trailing '?' is a value
            // the frame may not hold any more (an unspilled register
            // argument's slot): whatever it is, it is noise.
            let stale = b.get(j) == Some(&b'?');
            if digits > 0 && (offset || digits >= 5 || stale) {
                out.push_str("0x?");
                i = j;
                continue;
            }
        }
        // (The race detector's reports say "Goroutine N" too.)
        if (s[i..].starts_with("goroutine ") || s[i..].starts_with("Goroutine ")) && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let mut j = i + 10;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if j > i + 10 {
                out.push_str(&s[i..i + 10]);
                out.push('?');
                i = j;
                continue;
            }
        }
        let ch = s[i..].chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// A line diff (longest common subsequence), `-` for upstream, `+` for gort.
pub fn line_diff(a: &str, b: &str) -> String {
    let la: Vec<&str> = a.lines().collect();
    let lb: Vec<&str> = b.lines().collect();
    let mut out = String::new();
    if la.len() * lb.len() > 4_000_000 {
        let first = la.iter().zip(&lb).position(|(x, y)| x != y).unwrap_or(la.len().min(lb.len()));
        out += &format!("  (outputs too long for a full diff: {} vs {} lines; first difference at line {})\n", la.len(), lb.len(), first + 1);
        if let Some(x) = la.get(first) {
            out += &format!("- {x}\n");
        }
        if let Some(y) = lb.get(first) {
            out += &format!("+ {y}\n");
        }
        return out;
    }
    let (n, m) = (la.len(), lb.len());
    let mut dp = vec![0u32; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            dp[i * (m + 1) + j] = if la[i] == lb[j] {
                dp[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                dp[(i + 1) * (m + 1) + j].max(dp[i * (m + 1) + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut shown = 0;
    while (i < n || j < m) && shown < 200 {
        if i < n && j < m && la[i] == lb[j] {
            i += 1;
            j += 1;
        } else if j < m && (i == n || dp[i * (m + 1) + j + 1] >= dp[(i + 1) * (m + 1) + j]) {
            out += &format!("+ {}\n", lb[j]);
            j += 1;
            shown += 1;
        } else {
            out += &format!("- {}\n", la[i]);
            i += 1;
            shown += 1;
        }
    }
    if shown == 200 {
        out += "  (diff truncated)\n";
    }
    if a.ends_with('\n') != b.ends_with('\n') {
        out += "  (trailing newline differs)\n";
    }
    out
}

/// Compare two outcomes; None when they agree.
pub fn compare(up: &Outcome, gort: &Outcome) -> Option<String> {
    let mut report = String::new();
    if up.status != gort.status {
        report += &format!("exit: upstream {}, gort {}\n", up.status, gort.status);
    }
    for (name, a, b) in [("stdout", &up.stdout, &gort.stdout), ("stderr", &up.stderr, &gort.stderr)] {
        let (na, nb) = (normalise(&String::from_utf8_lossy(a)), normalise(&String::from_utf8_lossy(b)));
        if na != nb {
            report += &format!("{name} differs (- upstream, + gort):\n{}", line_diff(&na, &nb));
        }
    }
    if report.is_empty() {
        None
    } else {
        Some(report)
    }
}

pub fn cmd_diff(args: &[String]) -> Result<u8> {
    let mut limit = Duration::from_secs(60);
    let mut count = 1u32;
    let mut rest = Vec::new();
    for a in args {
        // diff's own flags come before the program (after it, they are the
        // program's arguments).
        let before_program = !rest.iter().any(|r: &String| !r.starts_with('-'));
        if let (true, Some(v)) = (before_program, a.strip_prefix("-timeout=").or_else(|| a.strip_prefix("--timeout="))) {
            limit = parse_duration(v).ok_or_else(|| Fail::new(format!("diff: bad -timeout value {v:?} (want e.g. 30s, 2m)")))?;
        } else if let (true, Some(v)) = (before_program, a.strip_prefix("-count=").or_else(|| a.strip_prefix("--count="))) {
            count = v
                .parse()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| Fail::new(format!("diff: bad -count value {v:?} (want a positive number of gort runs)")))?;
        } else {
            rest.push(a.clone());
        }
    }
    let tc = Toolchain::find()?;
    let ov = overlay::ensure(&tc)?;
    let s = gobuild::split_args(&rest, true)?;
    if s.targets.is_empty() {
        return Err(Fail::new("diff: no program given"));
    }
    let mut stdin = Vec::new();
    if !std::io::stdin().is_terminal() {
        std::io::stdin().read_to_end(&mut stdin)?;
    }
    let tmp = TempDir::new("diff")?;
    let flags = gobuild::strip_output(&s.flags);
    // Each build goes to a directory of its own (`-o DIR/`): the go command
    // names the executable (the same for both, so that os.Args[0] agrees)
    // and reports what it cannot build, such as a package that is not main.
    let (up_dir, gort_dir) = (tmp.0.join("upstream"), tmp.0.join("gort"));
    std::fs::create_dir(&up_dir)?;
    std::fs::create_dir(&gort_dir)?;
    let out_flag = |d: &Path| format!("-o={}/", d.display());

    let mut c = gobuild::upstream_go(&tc);
    c.arg("build").args(&flags).arg(out_flag(&up_dir)).args(&s.targets);
    let st = c.status()?;
    if !st.success() {
        return Err(Fail::new("diff: building with upstream's runtime failed"));
    }
    let mut gflags = flags.clone();
    gflags.push(out_flag(&gort_dir));
    gobuild::build(&tc, &ov, &gflags, &s.targets, None)?;
    let (up_exe, gort_exe) = (the_executable(&up_dir)?, the_executable(&gort_dir)?);

    let up = run_limited(&up_exe, &s.args, &stdin, limit, &[])?;
    if up.timed_out {
        // Both sides hanging alike would compare equal: a program that
        // does not finish on upstream's runtime tests nothing.
        return Err(Fail::new(format!(
            "diff: {} did not finish within {limit:?} on upstream's runtime (the program hangs, or needs a longer -timeout=)",
            s.targets.join(" ")
        )));
    }
    // With -count=N, gort's build runs N times: each run must agree (a
    // race in the runtime shows up as a flake, and a flake is a failure).
    for run in 1..=count {
        let gort = run_limited(&gort_exe, &s.args, &stdin, limit, &[])?;
        if let Some(r) = compare(&up, &gort) {
            let which = if count > 1 { format!(" (gort run {run} of {count})") } else { String::new() };
            eprint!("gort diff: {} differs from upstream{which}\n{r}", s.targets.join(" "));
            return Ok(1);
        }
    }
    let runs = if count > 1 { format!(", {count} gort runs") } else { String::new() };
    eprintln!(
        "gort diff: same ({}, {} bytes stdout, {} bytes stderr{runs})",
        up.status,
        up.stdout.len(),
        up.stderr.len()
    );
    Ok(0)
}

/// The one executable a build wrote into dir.
fn the_executable(dir: &Path) -> Result<std::path::PathBuf> {
    let files: Vec<_> = std::fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
    match files.as_slice() {
        [f] => Ok(f.path()),
        _ => Err(Fail::new(format!("diff: the build wrote {} executables, want one program", files.len()))),
    }
}

pub fn parse_duration(v: &str) -> Option<Duration> {
    let (num, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(v.len()));
    let n: f64 = num.parse().ok()?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" | "" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    Some(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_addresses_offsets_and_goroutine_ids() {
        assert_eq!(normalise("goroutine 17 [running]:"), "goroutine ? [running]:");
        assert_eq!(normalise("\tx.go:3 +0x1d\n"), "\tx.go:3 +0x?\n");
        assert_eq!(normalise("p=0xc000012345 v=0xff"), "p=0x? v=0xff");
        assert_eq!(normalise("sync.fatal({0x4b2e1c?, 0x0?})"), "sync.fatal({0x??, 0x??})");
        assert_eq!(normalise("created by main.main in goroutine 1"), "created by main.main in goroutine ?");
        assert_eq!(normalise("mygoroutine 5"), "mygoroutine 5");
    }

    #[test]
    fn diff_reports_changed_lines() {
        let d = line_diff("a\nb\nc\n", "a\nx\nc\n");
        assert!(d.contains("- b") && d.contains("+ x"), "{d}");
        assert_eq!(line_diff("a\n", "a\n"), "");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("x"), None);
    }
}
