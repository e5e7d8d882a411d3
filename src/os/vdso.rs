//! Symbol lookup in the vDSO image (a small ELF64 shared object the kernel
//! maps into every process): program headers -> PT_DYNAMIC -> symbol and
//! string tables; the symbol count comes from DT_HASH or DT_GNU_HASH.

#[repr(C)]
struct Ehdr {
    ident: [u8; 16],
    typ: u16,
    machine: u16,
    version: u32,
    entry: u64,
    phoff: u64,
    shoff: u64,
    flags: u32,
    ehsize: u16,
    phentsize: u16,
    phnum: u16,
    shentsize: u16,
    shnum: u16,
    shstrndx: u16,
}

#[repr(C)]
struct Phdr {
    typ: u32,
    flags: u32,
    offset: u64,
    vaddr: u64,
    paddr: u64,
    filesz: u64,
    memsz: u64,
    align: u64,
}

#[repr(C)]
struct Sym {
    name: u32,
    info: u8,
    other: u8,
    shndx: u16,
    value: u64,
    size: u64,
}

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const DT_NULL: i64 = 0;
const DT_HASH: i64 = 4;
const DT_STRTAB: i64 = 5;
const DT_SYMTAB: i64 = 6;
const DT_GNU_HASH: i64 = 0x6fff_fef5;

/// The program headers of the vDSO mapped at `base` and its load bias
/// (its addresses are relative to the first PT_LOAD); None if the image
/// is not the ELF64 it should be.
///
/// # Safety
/// base must be the address the kernel gave in AT_SYSINFO_EHDR.
unsafe fn segments(base: usize) -> Option<(&'static [Phdr], i64)> {
    // SAFETY: per the function contract, the header and program headers
    // are inside the image.
    unsafe {
        let eh = &*(base as *const Ehdr);
        if &eh.ident[..4] != b"\x7fELF" || eh.ident[4] != 2 || eh.phentsize as usize != core::mem::size_of::<Phdr>() {
            return None;
        }
        let phdrs = core::slice::from_raw_parts((base + eh.phoff as usize) as *const Phdr, eh.phnum as usize);
        let load = phdrs.iter().find(|p| p.typ == PT_LOAD)?;
        Some((phdrs, base as i64 + load.offset as i64 - load.vaddr as i64))
    }
}

/// Address of the function `name` in the vDSO mapped at `base`.
///
/// # Safety
/// base must be the address the kernel gave in AT_SYSINFO_EHDR.
pub unsafe fn lookup(base: usize, name: &[u8]) -> Option<usize> {
    // SAFETY: per the function contract, every offset below stays inside
    // the image; malformed images make us give up (None), never read wild.
    unsafe {
        let (phdrs, bias) = segments(base)?;
        let dynp = phdrs.iter().find(|p| p.typ == PT_DYNAMIC)?;
        let mut d = (base + dynp.offset as usize) as *const [i64; 2];
        let (mut symtab, mut strtab, mut hash, mut gnuhash) = (0usize, 0usize, 0usize, 0usize);
        loop {
            let [tag, val] = *d;
            let addr = (val + bias) as usize;
            match tag {
                DT_NULL => break,
                DT_SYMTAB => symtab = addr,
                DT_STRTAB => strtab = addr,
                DT_HASH => hash = addr,
                DT_GNU_HASH => gnuhash = addr,
                _ => {}
            }
            d = d.add(1);
        }
        if symtab == 0 || strtab == 0 {
            return None;
        }
        let nsyms = if hash != 0 {
            *((hash + 4) as *const u32) as usize
        } else if gnuhash != 0 {
            gnu_hash_nsyms(gnuhash)
        } else {
            return None;
        };
        for i in 0..nsyms {
            let s = &*((symtab + i * core::mem::size_of::<Sym>()) as *const Sym);
            if s.value == 0 || (s.info & 0xf) != 2 {
                continue; // not a defined function
            }
            let n = (strtab + s.name as usize) as *const u8;
            let len = crate::env::cstrlen(n);
            if core::slice::from_raw_parts(n, len) == name {
                return Some((s.value as i64 + bias) as usize);
            }
        }
        None
    }
}

/// The address range [start, end) the loadable segments of the vDSO
/// mapped at `base` cover.
///
/// # Safety
/// base must be the address the kernel gave in AT_SYSINFO_EHDR.
pub unsafe fn extent(base: usize) -> Option<(usize, usize)> {
    // SAFETY: per the function contract.
    unsafe {
        let (phdrs, bias) = segments(base)?;
        let loads = phdrs.iter().filter(|p| p.typ == PT_LOAD);
        let lo = loads.clone().map(|p| (p.vaddr as i64 + bias) as usize).min()?;
        let hi = loads.map(|p| (p.vaddr as i64 + bias) as usize + p.memsz as usize).max()?;
        Some((lo, hi))
    }
}

/// Number of symbols described by a DT_GNU_HASH table.
///
/// # Safety
/// p points at a GNU hash table.
unsafe fn gnu_hash_nsyms(p: usize) -> usize {
    // SAFETY: per the function contract (layout of the GNU hash section).
    unsafe {
        let nbuckets = *(p as *const u32) as usize;
        let symoffset = *((p + 4) as *const u32) as usize;
        let bloom_size = *((p + 8) as *const u32) as usize;
        let buckets = (p + 16 + bloom_size * 8) as *const u32;
        let chains = buckets.add(nbuckets);
        let mut max = 0usize;
        for i in 0..nbuckets {
            max = max.max(*buckets.add(i) as usize);
        }
        if max < symoffset {
            return symoffset;
        }
        let mut i = max;
        while *chains.add(i - symoffset) & 1 == 0 {
            i += 1;
        }
        i + 1
    }
}
