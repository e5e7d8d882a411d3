//! `gort leafstack [-v] BINARY`: check that the fast paths of leaf entry points
//! (src/base/leaf.rs) fit in the stack room their trampolines guarantee
//! (leafHeadroom, asm/runtime/layout.go), in a program built with gort.
//!
//! The check reads the program's machine code (`objdump -d`) and computes,
//! from each `gort_leaf_*` function, the deepest chain of direct calls:
//! each function's frame is its pushes and its `sub $N, %rsp`, each call
//! adds its return address, a call through a register or memory (the C
//! library's, through the GOT) counts as `INDIRECT_BUDGET` bytes.
//! Functions a fast path only reaches on paths it declines beforehand are
//! left out (`DECLINED`, with the reason); what they would do is checked
//! at run time where it matters (base/leaf.rs `forbidden`).

use crate::{Fail, Result};
use std::collections::{HashMap, HashSet};
use std::process::Command;

/// The stack room the trampolines check for (asm/runtime/layout.go).
const LEAF_HEADROOM: u64 = 1024;
/// Stack charged for a call the disassembly cannot follow (memcmp and
/// memmove of the C library: a few words).
const INDIRECT_BUDGET: u64 = 128;

/// Name fragments of functions a fast path reaches only on paths it
/// declines, or that stop the program: not counted.
const DECLINED: &[(&str, &str)] = &[
    ("fatal", "fatal errors: the map code's \"concurrent map writes\", declined when the map is being written"),
    ("throw", "fatal errors"),
    ("print", "fatal errors' printing"),
    ("leaf_violation", "the fast path's own fatal error, which switches to the system stack"),
    ("malloc::refill", "mallocgc beyond the P's cache: fast paths allocate with try_mallocgc, which stops first (leaf::forbidden throws)"),
    ("alloc_span", "mallocgc of a large object: as above"),
    ("mprof::sample", "a memory profile sample: as above"),
    ("init_trace_note", "GODEBUG=inittrace: as above"),
    ("gcprog::run_prog", "heap bits of a type with a GC program: as above"),
    ("write_object_prog", "heap bits of a type with a GC program: as above"),
    ("unhashable", "an unhashable key raises a panic: such keys are declined"),
    ("raise", "forbidden in a fast path; keys whose hashing may raise are declined"),
    ("racepc", "race builds: declined"),
    ("tsan", "race builds: declined"),
    ("wb::store", "write barriers: declined while they are on"),
    ("wb::bulk", "write barriers: declined while they are on"),
    ("wb::Shader", "write barriers: declined while they are on"),
    ("_nested", "composite and interface keys (recursive hashing and equality): declined"),
    ("new_overflow", "a new overflow bucket: assignments decline when they would chain one, growth work when an old bucket has an overflow chain"),
    ("rust_panic", "a Rust panic is a fatal error"),
    ("panic_fmt", "a Rust panic is a fatal error"),
    ("panic_bounds", "a Rust panic is a fatal error"),
];

struct Func {
    frame: u64,
    calls: HashSet<(String, bool)>,
    indirect: bool,
}

fn parse(dis: &str) -> HashMap<String, Func> {
    let mut funcs: HashMap<String, Func> = HashMap::new();
    let mut cur: Option<String> = None;
    for line in dis.lines() {
        if let Some(rest) = line.strip_suffix(">:") {
            if let Some((_, name)) = rest.split_once(" <") {
                cur = Some(name.to_string());
                funcs.insert(name.to_string(), Func { frame: 0, calls: HashSet::new(), indirect: false });
            }
            continue;
        }
        let (Some(name), Some((_, insn))) = (&cur, line.split_once(":\t")) else { continue };
        let f = funcs.get_mut(name).unwrap();
        let mut it = insn.split_whitespace();
        let (Some(op), args) = (it.next(), it.collect::<Vec<_>>().join(" ")) else { continue };
        if op == "push" {
            f.frame += 8;
        } else if op == "sub" && args.ends_with(",%rsp") {
            if let Some(n) = args.strip_prefix("$0x").and_then(|a| a.strip_suffix(",%rsp")) {
                f.frame += u64::from_str_radix(n, 16).unwrap_or(0);
            }
        } else if op == "call" || op.starts_with('j') {
            // `call 4501c0 <name>` or `jne 4501d5 <name+0x45>`.
            match args.split_once(" <").and_then(|(_, t)| t.strip_suffix('>')) {
                Some(t) => {
                    let target = t.split('+').next().unwrap_or(t);
                    if target != name {
                        f.calls.insert((target.to_string(), op == "call"));
                    }
                }
                None if op == "call" || op == "jmp" => f.indirect = true,
                None => {}
            }
        }
    }
    funcs
}

/// Deepest stack use from `name` (bytes below its return address), the
/// chain that reaches it, or an error (recursion).
fn depth(
    funcs: &HashMap<String, Func>,
    name: &str,
    path: &mut Vec<String>,
    memo: &mut HashMap<String, (u64, Vec<String>)>,
) -> std::result::Result<(u64, Vec<String>), String> {
    if DECLINED.iter().any(|(frag, _)| name.contains(frag)) {
        return Ok((0, vec![]));
    }
    if let Some(m) = memo.get(name) {
        return Ok(m.clone());
    }
    if let Some(i) = path.iter().position(|p| p == name) {
        return Err(format!("recursion through {name}, reached by {}", path[..i].join(" -> ")));
    }
    let Some(f) = funcs.get(name) else { return Ok((0, vec![])) };
    path.push(name.to_string());
    let mut best = (if f.indirect { INDIRECT_BUDGET + 8 } else { 0 }, vec![]);
    for (callee, is_call) in &f.calls {
        let (d, chain) = depth(funcs, callee, path, memo)?;
        let d = d + if *is_call { 8 } else { 0 };
        if d > best.0 {
            best = (d, chain);
        }
    }
    path.pop();
    let mut chain = vec![format!("{name} ({} bytes)", f.frame)];
    chain.extend(best.1);
    let r = (f.frame + best.0, chain);
    memo.insert(name.to_string(), r.clone());
    Ok(r)
}

pub fn cmd_leafstack(args: &[String]) -> Result<u8> {
    let (verbose, args) = match args.first().map(|s| s.as_str()) {
        Some("-v") => (true, &args[1..]),
        _ => (false, args),
    };
    let [bin] = args else { return Err(Fail::new("usage: gort leafstack [-v] BINARY")) };
    let out = Command::new("objdump")
        .args(["-d", "--no-show-raw-insn", "-C", bin])
        .output()
        .map_err(|e| Fail::new(format!("leafstack: running objdump (binutils): {e}")))?;
    if !out.status.success() {
        return Err(Fail::new(format!("leafstack: objdump -d {bin}: {}", String::from_utf8_lossy(&out.stderr).trim())));
    }
    let funcs = parse(&String::from_utf8_lossy(&out.stdout));
    let mut roots: Vec<&String> = funcs.keys().filter(|n| n.starts_with("gort_leaf_")).collect();
    roots.sort();
    if roots.is_empty() {
        return Err(Fail::new(format!("leafstack: {bin} has no gort_leaf_* functions (not built with gort?)")));
    }
    let mut memo = HashMap::new();
    let mut bad = 0;
    for r in roots {
        match depth(&funcs, r, &mut Vec::new(), &mut memo) {
            // The trampoline's call (its return address) and the 8 bytes
            // it may push to align it come on top of the function's.
            Ok((d, chain)) => {
                let total = d + 8 + 8;
                let ok = total <= LEAF_HEADROOM;
                println!("{} {r}: {total} bytes (of {LEAF_HEADROOM})", if ok { "ok  " } else { "FAIL" });
                if !ok {
                    bad += 1;
                }
                if !ok || verbose {
                    println!("      deepest: {}", chain.join(" -> "));
                }
            }
            Err(e) => {
                bad += 1;
                println!("FAIL {r}: {e}");
            }
        }
    }
    Ok(if bad == 0 { 0 } else { 1 })
}
