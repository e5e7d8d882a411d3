//! The process's arguments, environment and auxiliary vector, as the kernel
//! laid them out on the initial stack: argv[0..argc], NULL, envp..., NULL,
//! auxv pairs..., AT_NULL.
//!
//! The environment is read from a copy taken at startup: with cgo, C's
//! setenv/unsetenv (which os.Setenv/Unsetenv call) edit the initial envp
//! array in place (unsetenv shifts the entries after the removed one down),
//! so the stack's array is not the startup environment any more. The
//! runtime's view stays the startup environment, as upstream's (its envs
//! slice is taken at startup too).

use crate::layout::GoString;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

// Written once at startup, before any other thread exists.
static ARGC: AtomicUsize = AtomicUsize::new(0);
static ARGV: AtomicPtr<*const u8> = AtomicPtr::new(null_mut());
static ENVC: AtomicUsize = AtomicUsize::new(0);
/// The startup environment's copy: ENVC pointers to NUL-terminated strings.
static ENVP: AtomicPtr<*const u8> = AtomicPtr::new(null_mut());
static AUXV: AtomicPtr<usize> = AtomicPtr::new(null_mut());

pub const AT_NULL: usize = 0;
pub const AT_RANDOM: usize = 25;
pub const AT_SYSINFO_EHDR: usize = 33;

/// Record argc/argv and find the environment and auxv after them.
///
/// # Safety
/// argv must be the argument vector the kernel passed to the process.
pub unsafe fn init(argc: usize, argv: *const *const u8) {
    // SAFETY: the kernel's layout described in the module comment.
    unsafe {
        let envp = argv.add(argc + 1);
        let mut n = 0;
        while !(*envp.add(n)).is_null() {
            n += 1;
        }
        ARGC.store(argc, Ordering::Relaxed);
        ARGV.store(argv as *mut *const u8, Ordering::Relaxed);
        AUXV.store(envp.add(n + 1) as *mut usize, Ordering::Relaxed);
        ENVP.store(copy_strings(envp, n), Ordering::Relaxed);
        ENVC.store(n, Ordering::Relaxed);
    }
}

/// A copy of n NUL-terminated strings, and of the array pointing at them, in
/// one fresh mapping (nothing else in the process knows its address).
///
/// # Safety
/// list must hold n pointers to NUL-terminated strings.
unsafe fn copy_strings(list: *const *const u8, n: usize) -> *mut *const u8 {
    // SAFETY: per the function contract.
    let item = |i: usize| unsafe { *list.add(i) };
    // SAFETY: as above.
    let bytes: usize = (0..n).map(|i| unsafe { cstrlen(item(i)) } + 1).sum();
    let table = n * core::mem::size_of::<*const u8>();
    let Some(block) = crate::sys::mmap_anon((table + bytes).max(1)) else {
        crate::fatal::throw("runtime: cannot allocate memory for the environment");
    };
    let ptrs = block as *mut *const u8;
    // SAFETY: the mapping has room for the table and every string with its
    // NUL (counted above); the sources are valid per the contract.
    unsafe {
        let mut at = block.add(table);
        for i in 0..n {
            let len = cstrlen(item(i)) + 1;
            core::ptr::copy_nonoverlapping(item(i), at, len);
            *ptrs.add(i) = at;
            at = at.add(len);
        }
    }
    ptrs
}

/// Length of a NUL-terminated C string.
///
/// # Safety
/// p must point at a NUL-terminated string.
pub unsafe fn cstrlen(p: *const u8) -> usize {
    let mut n = 0;
    // SAFETY: per the function contract.
    while unsafe { *p.add(n) } != 0 {
        n += 1;
    }
    n
}

fn cstr(p: *const u8) -> &'static [u8] {
    // SAFETY: argv/envp entries are NUL-terminated and live for the process.
    unsafe { core::slice::from_raw_parts(p, cstrlen(p)) }
}

pub fn argc() -> usize {
    ARGC.load(Ordering::Relaxed)
}

/// The i'th argument (i < argc()).
pub fn arg(i: usize) -> &'static [u8] {
    assert!(i < argc());
    // SAFETY: argv has argc entries (see init).
    unsafe { cstr(*ARGV.load(Ordering::Relaxed).add(i)) }
}

pub fn envc() -> usize {
    ENVC.load(Ordering::Relaxed)
}

/// The i'th "KEY=value" entry of the initial environment (i < envc()).
pub fn env(i: usize) -> &'static [u8] {
    assert!(i < envc());
    // SAFETY: ENVP holds envc() string pointers (see init), never changed.
    unsafe { cstr(*ENVP.load(Ordering::Relaxed).add(i)) }
}

/// The value of an environment variable in the initial environment.
pub fn getenv(name: &[u8]) -> Option<&'static [u8]> {
    if name == b"GOTRACEBACK" && secure() {
        return Some(b"none");
    }
    (0..envc()).map(env).find_map(|e| {
        if e.len() > name.len() && e[name.len()] == b'=' && &e[..name.len()] == name {
            Some(&e[name.len() + 1..])
        } else {
            None
        }
    })
}

// ---- secure mode ----

/// auxv's AT_SECURE: the kernel says the program runs with privileges its
/// invoker lacks (setuid, setgid, file capabilities).
pub const AT_SECURE: usize = 23;

static SECURE: AtomicUsize = AtomicUsize::new(0);

/// Is the program in secure mode? Then, as upstream, GOTRACEBACK is
/// "none" whatever the environment says (a crash must not show the
/// privileged program's memory), and descriptors 0-2 are open.
pub fn secure() -> bool {
    SECURE.load(Ordering::Relaxed) != 0
}

/// At startup: detect secure mode and, in it, open /dev/null on whichever
/// of descriptors 0, 1 and 2 is closed (so that a file the program opens
/// does not become its stderr).
pub fn secure_init() {
    if auxv(AT_SECURE).unwrap_or(0) == 0 {
        return;
    }
    SECURE.store(1, Ordering::Relaxed);
    for fd in 0..3 {
        // SAFETY: plain system calls on constants.
        unsafe {
            if libc::fcntl(fd, libc::F_GETFD) >= 0 {
                continue;
            }
            if *libc::__errno_location() != libc::EBADF || libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) < 0 {
                crate::fatal::throw("cannot secure fds");
            }
        }
    }
}

/// The environment entry at index i as the program sees it: in secure
/// mode, GOTRACEBACK is "none".
pub fn env_for_program(i: usize) -> &'static [u8] {
    let e = env(i);
    if secure() && e.starts_with(b"GOTRACEBACK=") {
        return b"GOTRACEBACK=none";
    }
    e
}

/// The value of an auxv entry.
pub fn auxv(tag: usize) -> Option<usize> {
    // SAFETY: AUXV points at AT_NULL-terminated pairs (see init).
    unsafe {
        let mut p = AUXV.load(Ordering::Relaxed) as *const usize;
        if p.is_null() {
            return None;
        }
        while *p != AT_NULL {
            if *p == tag {
                return Some(*p.add(1));
            }
            p = p.add(2);
        }
    }
    None
}

/// GODEBUG's value, for the Go side (internal/cpu options).
pub fn rt_godebug() -> GoString {
    match getenv(b"GODEBUG") {
        Some(v) => GoString { ptr: v.as_ptr(), len: v.len() as isize },
        None => GoString { ptr: core::ptr::null(), len: 0 },
    }
}

/// An environment variable of the initial environment ("" if unset), or
/// of the runtime tests' replacement for it (set_envs).
pub fn rt_getenv(key: GoString) -> GoString {
    // SAFETY: key is a live Go string.
    let key = unsafe { key.as_bytes() };
    let o = ENV_OVERRIDE.load(Ordering::Acquire);
    if !o.is_null() {
        // SAFETY: the override is a live Go slice of live strings (set_envs'
        // contract).
        let list = unsafe { core::slice::from_raw_parts(o, ENV_OVERRIDE_LEN.load(Ordering::Relaxed)) };
        for e in list {
            // SAFETY: as above.
            let b = unsafe { e.as_bytes() };
            if b.len() > key.len() && b[key.len()] == b'=' && &b[..key.len()] == key {
                return GoString { ptr: b[key.len() + 1..].as_ptr(), len: (b.len() - key.len() - 1) as isize };
            }
        }
        return GoString { ptr: core::ptr::null(), len: 0 };
    }
    match getenv(key) {
        Some(v) => GoString { ptr: v.as_ptr(), len: v.len() as isize },
        None => GoString { ptr: core::ptr::null(), len: 0 },
    }
}

/// The auxiliary vector as (tag, value) words, without the AT_NULL pair
/// (for golang.org/x/sys/cpu, vendored in std).
pub fn getAuxv() -> crate::layout::GoSlice<usize> {
    let auxv = AUXV.load(Ordering::Relaxed);
    // SAFETY: AUXV points at AT_NULL-terminated pairs (see init).
    unsafe {
        let mut n = 0;
        while !auxv.is_null() && *auxv.add(n) != AT_NULL {
            n += 2;
        }
        crate::layout::GoSlice { ptr: auxv, len: n as isize, cap: n as isize }
    }
}

/// An environment that replaces the initial one for rt_getenv (runtime
/// tests only, through their SetEnvs hook).
static ENV_OVERRIDE: AtomicPtr<GoString> = AtomicPtr::new(null_mut());
static ENV_OVERRIDE_LEN: AtomicUsize = AtomicUsize::new(0);

/// Replace the environment rt_getenv reads.
///
/// # Safety
/// e is a Go slice of Go strings that stays alive, unchanged, until the
/// next call (the runtime tests' Go side keeps it in a variable).
pub unsafe fn set_envs(e: crate::layout::GoSlice<GoString>) {
    ENV_OVERRIDE_LEN.store(e.len as usize, Ordering::Relaxed);
    ENV_OVERRIDE.store(if e.ptr.is_null() { core::ptr::NonNull::dangling().as_ptr() } else { e.ptr }, Ordering::Release);
}

/// The replacement environment set_envs installed, if any.
pub fn env_override() -> Option<crate::layout::GoSlice<GoString>> {
    let o = ENV_OVERRIDE.load(Ordering::Acquire);
    if o.is_null() {
        return None;
    }
    let n = ENV_OVERRIDE_LEN.load(Ordering::Relaxed) as isize;
    Some(crate::layout::GoSlice { ptr: o, len: n, cap: n })
}
