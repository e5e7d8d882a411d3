//! Names of the runtime's own (Rust) functions, for the frames of a system
//! stack in fatal-error reports. Go functions are named by the pclntab;
//! Rust code is not in it, so at crash time the executable's ELF symbol
//! table is read from /proc/self/exe (mapped read-only, never unmapped:
//! the process is dying) and Rust's legacy symbol mangling is undone.
//! Nothing here runs outside fatal-error reporting.

use core::sync::atomic::{AtomicUsize, Ordering};

/// The mapped executable (0: not tried; 1: unavailable) and its length.
static IMAGE: AtomicUsize = AtomicUsize::new(0);
static IMAGE_LEN: AtomicUsize = AtomicUsize::new(0);

const SHT_SYMTAB: u32 = 2;
const STT_FUNC: u8 = 2;

fn image() -> Option<&'static [u8]> {
    let p = IMAGE.load(Ordering::Acquire);
    if p == 1 {
        return None;
    }
    if p != 0 {
        // SAFETY: a read-only mapping of IMAGE_LEN bytes, kept for the
        // life of the process.
        return Some(unsafe { core::slice::from_raw_parts(p as *const u8, IMAGE_LEN.load(Ordering::Acquire)) });
    }
    // SAFETY: plain system calls on a path we own; the mapping is private
    // and read-only.
    let mapped = unsafe {
        let fd = libc::open(c"/proc/self/exe".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
        if fd < 0 {
            None
        } else {
            let mut st: libc::stat = core::mem::zeroed();
            let r = if libc::fstat(fd, &mut st) == 0 && st.st_size > 64 {
                let m = libc::mmap(core::ptr::null_mut(), st.st_size as usize, libc::PROT_READ, libc::MAP_PRIVATE, fd, 0);
                if m == libc::MAP_FAILED {
                    None
                } else {
                    Some((m as usize, st.st_size as usize))
                }
            } else {
                None
            };
            libc::close(fd);
            r
        }
    };
    match mapped {
        Some((p, n)) => {
            IMAGE_LEN.store(n, Ordering::Release);
            IMAGE.store(p, Ordering::Release);
            image()
        }
        None => {
            IMAGE.store(1, Ordering::Release);
            None
        }
    }
}

fn u16_at(b: &[u8], off: usize) -> Option<usize> {
    Some(u16::from_le_bytes(b.get(off..off + 2)?.try_into().ok()?) as usize)
}
fn u32_at(b: &[u8], off: usize) -> Option<usize> {
    Some(u32::from_le_bytes(b.get(off..off + 4)?.try_into().ok()?) as usize)
}
fn u64_at(b: &[u8], off: usize) -> Option<usize> {
    Some(u64::from_le_bytes(b.get(off..off + 8)?.try_into().ok()?) as usize)
}

/// The function symbol containing `pc`: its (mangled) name and start.
pub fn lookup(pc: usize) -> Option<(&'static [u8], usize)> {
    let b = image()?;
    if b.get(0..4)? != b"\x7fELF" || b[4] != 2 {
        return None;
    }
    // Load bias (zero unless the executable is position-independent).
    let bias = crate::env::auxv(libc::AT_ENTRY as usize).unwrap_or(0).wrapping_sub(u64_at(b, 24)?);
    let pc = pc.wrapping_sub(bias);
    let (shoff, shentsize, shnum) = (u64_at(b, 40)?, u16_at(b, 58)?, u16_at(b, 60)?);
    for i in 0..shnum {
        let sh = shoff + i * shentsize;
        if u32_at(b, sh + 4)? as u32 != SHT_SYMTAB {
            continue;
        }
        let (off, size, link, entsize) = (u64_at(b, sh + 24)?, u64_at(b, sh + 32)?, u32_at(b, sh + 40)?, u64_at(b, sh + 56)?);
        let strsh = shoff + link * shentsize;
        let stroff = u64_at(b, strsh + 24)?;
        if entsize == 0 {
            return None;
        }
        for k in 0..size / entsize {
            let s = off + k * entsize;
            let (info, value, ssize) = (*b.get(s + 4)?, u64_at(b, s + 8)?, u64_at(b, s + 16)?);
            if info & 0xf == STT_FUNC && value <= pc && pc < value + ssize.max(1) {
                let name_off = stroff + u32_at(b, s)?;
                let len = b.get(name_off..)?.iter().position(|&c| c == 0)?;
                return Some((&b[name_off..name_off + len], value + bias));
            }
        }
    }
    None
}

/// Write a Rust legacy-mangled name (`_ZN7gort_rt5fatal5throw17h…E`) as a
/// path (`gort_rt::fatal::throw`); other names as they are.
pub fn write_demangled(name: &[u8], out: &mut impl FnMut(&[u8])) {
    let Some(mut rest) = name.strip_prefix(b"_ZN") else {
        out(name);
        return;
    };
    let mut first = true;
    while let Some(&c) = rest.first() {
        if !c.is_ascii_digit() {
            break;
        }
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        let n = rest[..digits].iter().fold(0usize, |n, &d| n * 10 + (d - b'0') as usize);
        rest = &rest[digits..];
        if n > rest.len() {
            break;
        }
        let ident = &rest[..n];
        rest = &rest[n..];
        // The trailing hash component.
        if ident.len() == 17 && ident[0] == b'h' && ident[1..].iter().all(|c| c.is_ascii_hexdigit()) {
            break;
        }
        if !first {
            out(b"::");
        }
        first = false;
        write_ident(ident, out);
    }
}

fn write_ident(mut id: &[u8], out: &mut impl FnMut(&[u8])) {
    if id.starts_with(b"_$") {
        id = &id[1..];
    }
    const ESCAPES: [(&[u8], &[u8]); 16] = [
        (b"$LT$", b"<"),
        (b"$GT$", b">"),
        (b"$RF$", b"&"),
        (b"$BP$", b"*"),
        (b"$C$", b","),
        (b"$SP$", b"@"),
        (b"$u20$", b" "),
        (b"$u22$", b"\""),
        (b"$u27$", b"'"),
        (b"$u2b$", b"+"),
        (b"$u3b$", b";"),
        (b"$u5b$", b"["),
        (b"$u5d$", b"]"),
        (b"$u7b$", b"{"),
        (b"$u7d$", b"}"),
        (b"$u7e$", b"~"),
    ];
    'outer: while !id.is_empty() {
        if id.starts_with(b"..") {
            out(b"::");
            id = &id[2..];
            continue;
        }
        for (from, to) in ESCAPES {
            if id.starts_with(from) {
                out(to);
                id = &id[from.len()..];
                continue 'outer;
            }
        }
        out(&id[..1]);
        id = &id[1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demangle(s: &str) -> String {
        let mut v = Vec::new();
        write_demangled(s.as_bytes(), &mut |b| v.extend_from_slice(b));
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn legacy_names() {
        assert_eq!(demangle("_ZN7gort_rt5fatal5throw17h66681f988082cd7bE"), "gort_rt::fatal::throw");
        assert_eq!(demangle("_ZN10_$LT$T$GT$4drop17h0123456789abcdefE"), "<T>::drop");
        assert_eq!(demangle("_ZN4core3ptr13drop_in_place17h0123456789abcdefE"), "core::ptr::drop_in_place");
        assert_eq!(demangle("gort_newstack"), "gort_newstack");
    }
}
