//! The runtime's settings from the environment: the collector's GC
//! percent (GOGC) and memory limit (GOMEMLIMIT), the goroutine stack limit,
//! and the GODEBUG settings the runtime re-reads while the program runs
//! (panicnil). runtime/debug's setters (proc/debug.rs) change them.

use crate::layout::GoString;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicIsize, Ordering};

static GC_PERCENT: AtomicI32 = AtomicI32::new(100);
static MEMORY_LIMIT: AtomicI64 = AtomicI64::new(i64::MAX);
static MAX_STACK: AtomicIsize = AtomicIsize::new(1_000_000_000);

/// Read GOGC ("off" disables collection: -1), GOMEMLIMIT and GODEBUG at
/// startup.
pub fn init() {
    match crate::env::getenv(b"GORT_LOCKRANK") {
        Some(b"1") => crate::lockrank::enable(),
        Some(b"selftest") => crate::lockrank::selftest(),
        _ => {}
    }
    let godebug = crate::env::getenv(b"GODEBUG").unwrap_or(b"");
    PANICNIL.store(godebug_initial(godebug, b"panicnil"), Ordering::Relaxed);
    SHRINK_OFF.store(godebug_initial(godebug, b"gcshrinkstackoff") != 0, Ordering::Relaxed);
    // Upstream's diagnostic settings that print or change what a program
    // does, which gort does not have: asking for one is an error naming
    // it. (Its tuning knobs gort lacks — disablethp, madvdontneed,
    // harddecommit, adaptivestackstart, dontfreezetheworld,
    // runtimecontentionstacks — change no output and are accepted; so is
    // invalidptr: it governs pointers into unused heap spans, which gort
    // never reports, while a pointer to a freed object in a span in use is
    // reported either way, as upstream's sweep reports it.)
    for key in [&b"gcpacertrace"[..], b"scavtrace", b"allocfreetrace", b"efence", b"sbrk"] {
        if godebug_initial(godebug, key) != 0 {
            let mut name = [0u8; 40];
            let text = b"GODEBUG=";
            name[..text.len()].copy_from_slice(text);
            name[text.len()..text.len() + key.len()].copy_from_slice(key);
            let n = text.len() + key.len();
            crate::fatal::not_implemented(core::str::from_utf8(&name[..n]).unwrap_or("GODEBUG"));
        }
    }
    TRACEBACK_ANCESTORS.store(godebug_initial(godebug, b"tracebackancestors"), Ordering::Relaxed);
    if let Some(v) = crate::env::getenv(b"GOGC") {
        if v == b"off" {
            GC_PERCENT.store(-1, Ordering::Relaxed);
        } else if let Some(n) = parse_int(v) {
            GC_PERCENT.store(n as i32, Ordering::Relaxed);
        }
    }
    if let Some(v) = crate::env::getenv(b"GOMEMLIMIT") {
        if !v.is_empty() && v != b"off" {
            match parse_byte_count(v) {
                Some(n) => MEMORY_LIMIT.store(n, Ordering::Relaxed),
                None => {
                    crate::gprint!(b"GOMEMLIMIT=", v, b"\n");
                    crate::fatal::throw("malformed GOMEMLIMIT; see `go doc runtime/debug.SetMemoryLimit`");
                }
            }
        }
    }
}

/// A byte count with an optional unit suffix (B, KiB, MiB, GiB, TiB), as
/// GOMEMLIMIT takes it.
fn parse_byte_count(v: &[u8]) -> Option<i64> {
    let digits = v.iter().take_while(|c| c.is_ascii_digit()).count();
    let n = parse_int(&v[..digits])?;
    let shift = match &v[digits..] {
        b"" | b"B" => 0,
        b"KiB" => 10,
        b"MiB" => 20,
        b"GiB" => 30,
        b"TiB" => 40,
        _ => return None,
    };
    n.checked_mul(1 << shift)
}

fn parse_int(v: &[u8]) -> Option<i64> {
    if v.is_empty() || v.len() > 18 {
        return None;
    }
    let mut n = 0i64;
    for &c in v {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (c - b'0') as i64;
    }
    Some(n)
}

/// Set GOGC's value (negative: off); returns the old one.
pub fn swap_gc_percent(v: i32) -> i32 {
    GC_PERCENT.swap(v, Ordering::Relaxed)
}

pub fn gc_percent() -> i32 {
    GC_PERCENT.load(Ordering::Relaxed)
}

pub fn memory_limit() -> i64 {
    MEMORY_LIMIT.load(Ordering::Relaxed)
}

/// Set the memory limit; returns the old one.
pub fn swap_memory_limit(v: i64) -> i64 {
    MEMORY_LIMIT.swap(v, Ordering::Relaxed)
}

/// The goroutine stack limit (bytes).
pub fn max_stack() -> isize {
    MAX_STACK.load(Ordering::Relaxed)
}

/// Set the goroutine stack limit; returns the old one.
pub fn swap_max_stack(v: isize) -> isize {
    MAX_STACK.swap(v, Ordering::Relaxed)
}

// ---- GODEBUG settings that follow os.Setenv ----
//
// At startup a setting's value is its last well-formed occurrence in
// $GODEBUG, else in the linker's default list (runtime.godebugDefault,
// which cmd/go derives from the main module's go.mod go version and
// //go:debug lines: a module declaring go 1.20 gets panicnil=1), else 0.
// When the program changes GODEBUG, the last occurrence decides, in the new
// value, else in the default list (else 0); if that occurrence is malformed
// the setting keeps its value (upstream's incremental rule).

/// GODEBUG=panicnil: 1 restores old Go's panic(nil), which recover sees as
/// nil; otherwise panic(nil) panics with a *runtime.PanicNilError.
static PANICNIL: AtomicI32 = AtomicI32::new(0);

/// `n` of one `key=n` item: a decimal int32, optionally negative.
fn godebug_number(v: &[u8]) -> Option<i32> {
    let (neg, digits) = match v.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, v),
    };
    let n = parse_int(digits)?;
    i32::try_from(if neg { -n } else { n }).ok()
}

/// The values of key's items in a comma-separated GODEBUG list, last first
/// (None for a malformed number).
fn godebug_items<'a>(list: &'a [u8], key: &'a [u8]) -> impl Iterator<Item = Option<i32>> + 'a {
    list.rsplit(|&c| c == b',').filter_map(move |item| Some(godebug_number(item.strip_prefix(key)?.strip_prefix(b"=")?)))
}

fn godebug_default() -> &'static [u8] {
    // SAFETY: runtime.godebugDefault is a Go string the linker sets (-X)
    // and nothing changes afterwards.
    unsafe { (*(crate::links::links().godebugDefault as *const GoString)).as_bytes() }
}

/// key's value at startup, given $GODEBUG.
fn godebug_initial(env: &[u8], key: &[u8]) -> i32 {
    let mut well_formed = godebug_items(env, key).chain(godebug_items(godebug_default(), key)).flatten();
    well_formed.next().unwrap_or(0)
}

/// A GODEBUG setting read once at startup (upstream's runtime settings:
/// the last `key=n` of $GODEBUG, else of the build's default; 0 if absent
/// or malformed).
pub fn godebug_at_start(key: &[u8]) -> i32 {
    godebug_at_start_or(key, 0)
}

/// godebug_at_start for a setting whose default is not 0.
pub fn godebug_at_start_or(key: &[u8], default: i32) -> i32 {
    let env = crate::env::getenv(b"GODEBUG").unwrap_or(b"");
    godebug_items(env, key).chain(godebug_items(godebug_default(), key)).flatten().next().unwrap_or(default)
}

/// key's value after GODEBUG changed to env, given its value before.
fn godebug_updated(env: &[u8], key: &[u8], old: i32) -> i32 {
    match godebug_items(env, key).next().or_else(|| godebug_items(godebug_default(), key).next()) {
        Some(v) => v.unwrap_or(old),
        None => 0,
    }
}


/// The program set GODEBUG to env (or unset it: env is empty).
pub fn godebug_changed(env: &[u8]) {
    PANICNIL.store(godebug_updated(env, b"panicnil", PANICNIL.load(Ordering::Relaxed)), Ordering::Relaxed);
}

/// Collections leave goroutine stacks their size: GODEBUG=gcshrinkstackoff=1
/// (read at startup, as upstream).
static SHRINK_OFF: AtomicBool = AtomicBool::new(false);

/// GODEBUG=tracebackancestors=N (read at startup, as upstream): a new
/// goroutine keeps its creator's stack and up to N-1 of the creator's
/// own ancestors, for tracebacks.
static TRACEBACK_ANCESTORS: AtomicI32 = AtomicI32::new(0);

pub fn traceback_ancestors() -> i32 {
    TRACEBACK_ANCESTORS.load(Ordering::Relaxed)
}

pub fn gcshrinkstackoff() -> bool {
    SHRINK_OFF.load(Ordering::Relaxed)
}

/// GODEBUG's panicnil (1: panic(nil) is plain old nil).
pub fn panicnil() -> i32 {
    PANICNIL.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::{godebug_items, godebug_number};

    #[test]
    fn godebug_items_last_first() {
        let v: Vec<_> = godebug_items(b"panicnil=1,x=2,panicnil=bad,xpanicnil=3,panicnil,panicnil=-4", b"panicnil").collect();
        assert_eq!(v, [Some(-4), None, Some(1)]);
        assert_eq!(godebug_items(b"", b"panicnil").count(), 0);
        assert_eq!(godebug_number(b"2147483648"), None);
        assert_eq!(godebug_number(b""), None);
    }
}
