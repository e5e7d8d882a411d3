//! Running one process: its own process group (killed as a whole on the
//! time limit or when the leader exits), a time limit that may count from
//! the last sign of progress, RLIMIT_AS for gort's test processes, no core
//! dumps, stdout and stderr in order through one pipe.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Output kept from one process (a runoutput generator writes megabytes).
const KEEP_PROC_OUTPUT: usize = 64 << 20;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum PStatus {
    Exit(i32),
    Signal(i32),
    TimedOut(Duration),
    Spawn(String),
}

impl PStatus {
    pub(super) fn ok(&self) -> bool {
        *self == PStatus::Exit(0)
    }
    pub(super) fn describe(&self) -> String {
        match self {
            PStatus::Exit(c) => format!("exit status {c}"),
            PStatus::Signal(s) => format!("killed by signal {s}"),
            PStatus::TimedOut(d) => format!("killed after the time limit ({}s)", d.as_secs()),
            PStatus::Spawn(e) => format!("could not start: {e}"),
        }
    }
}

pub(super) struct Proc {
    pub(super) status: PStatus,
    pub(super) out: Vec<u8>,
    pub(super) secs: f64,
}

impl Proc {
    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.out).into_owned()
    }
}

enum Msg {
    Data(Vec<u8>),
    Eof,
    Exited,
}

/// Run `cmd` with stdout and stderr into one pipe (in order), stdin from
/// /dev/null, in its own process group, killed (with its group) when
/// `limit` passes. With `on_line`, the limit counts from the last line for
/// which on_line returned true (progress), not from the start.
pub(super) fn run_proc(cmd: &mut Command, limit: Duration, mem_mb: Option<u64>, mut on_line: Option<&mut dyn FnMut(&str) -> bool>) -> Proc {
    let start = Instant::now();
    let fail = |e: String| Proc { status: PStatus::Spawn(e), out: Vec::new(), secs: 0.0 };
    let (mut r, w) = match std::io::pipe() {
        Ok(p) => p,
        Err(e) => return fail(e.to_string()),
    };
    let w2 = match w.try_clone() {
        Ok(w) => w,
        Err(e) => return fail(e.to_string()),
    };
    cmd.stdin(Stdio::null()).stdout(w2).stderr(w).process_group(0);
    // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let core = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            libc::setrlimit(libc::RLIMIT_CORE, &core);
            if let Some(mb) = mem_mb {
                let lim = libc::rlimit { rlim_cur: mb << 20, rlim_max: mb << 20 };
                libc::setrlimit(libc::RLIMIT_AS, &lim);
            }
            Ok(())
        });
    }
    let spawned = cmd.spawn();
    // The Command holds the pipe's write ends: replace them so that the
    // reader sees EOF once the child's group is gone.
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return fail(format!("{:?}: {e}", cmd.get_program())),
    };
    let pid = child.id() as i32;
    let (tx, rx) = mpsc::channel::<Msg>();
    let txr = tx.clone();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 << 10];
        loop {
            match r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if txr.send(Msg::Data(buf[..n].to_vec())).is_err() {
                        return;
                    }
                }
            }
        }
        let _ = txr.send(Msg::Eof);
    });
    std::thread::spawn(move || {
        // Wait without reaping, so that the group id stays ours until we
        // have killed the group.
        // SAFETY: a zeroed siginfo_t is a valid out-parameter.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        loop {
            let r = unsafe { libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, libc::WEXITED | libc::WNOWAIT) };
            if r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                break;
            }
        }
        let _ = tx.send(Msg::Exited);
    });
    let mut out = Vec::new();
    let mut partial = Vec::new();
    let mut deadline = start + limit;
    let (mut exited, mut eof, mut timed_out) = (false, false, false);
    let mut drain_until: Option<Instant> = None;
    let kill_group = || unsafe {
        libc::kill(-pid, libc::SIGKILL);
    };
    loop {
        if exited && eof {
            break;
        }
        let now = Instant::now();
        if let Some(d) = drain_until {
            if now >= d {
                break; // something escaped the group and holds the pipe
            }
        }
        let wait_until = drain_until.unwrap_or(deadline);
        match rx.recv_timeout(wait_until.saturating_duration_since(now)) {
            Ok(Msg::Data(d)) => {
                if let Some(cb) = on_line.as_mut() {
                    partial.extend_from_slice(&d);
                    while let Some(i) = partial.iter().position(|&b| b == b'\n') {
                        let line: Vec<u8> = partial.drain(..=i).collect();
                        if cb(String::from_utf8_lossy(&line[..line.len() - 1]).as_ref()) {
                            deadline = Instant::now() + limit;
                        }
                    }
                }
                if out.len() < KEEP_PROC_OUTPUT {
                    let n = d.len().min(KEEP_PROC_OUTPUT - out.len());
                    out.extend_from_slice(&d[..n]);
                }
            }
            Ok(Msg::Eof) => eof = true,
            Ok(Msg::Exited) => {
                exited = true;
                kill_group();
                drain_until = Some(Instant::now() + Duration::from_secs(2));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if !exited && Instant::now() >= deadline && !timed_out {
                    // First SIGQUIT, as go test's own timeout does: a Go
                    // process prints every goroutine's stack and exits,
                    // which says where it hung; the group is killed 3 s
                    // later if it has not.
                    timed_out = true;
                    // SAFETY: signalling the child we started.
                    unsafe { libc::kill(pid, libc::SIGQUIT) };
                    deadline = Instant::now() + Duration::from_secs(3);
                } else if !exited && timed_out && Instant::now() >= deadline {
                    kill_group();
                    deadline = Instant::now() + Duration::from_secs(3600);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    if let Some(cb) = on_line.as_mut() {
        if !partial.is_empty() {
            cb(String::from_utf8_lossy(&partial).as_ref());
        }
    }
    let st = child.wait();
    let status = if timed_out {
        PStatus::TimedOut(limit)
    } else {
        match st {
            Ok(st) => {
                use std::os::unix::process::ExitStatusExt;
                match (st.code(), st.signal()) {
                    (Some(c), _) => PStatus::Exit(c),
                    (None, Some(s)) => PStatus::Signal(s),
                    _ => PStatus::Exit(-1),
                }
            }
            Err(e) => PStatus::Spawn(e.to_string()),
        }
    };
    Proc { status, out, secs: start.elapsed().as_secs_f64() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_are_limited() {
        let mut c = Command::new("sh");
        c.args(["-c", "echo out; echo err >&2; exit 3"]);
        let p = run_proc(&mut c, Duration::from_secs(30), None, None);
        assert_eq!(p.status, PStatus::Exit(3));
        assert_eq!(p.text(), "out\nerr\n");
        // A grandchild that keeps the pipe open does not keep us waiting.
        let mut c = Command::new("sh");
        c.args(["-c", "sleep 1000 & sleep 1000"]);
        let p = run_proc(&mut c, Duration::from_millis(300), None, None);
        assert!(matches!(p.status, PStatus::TimedOut(_)));
    }
}
