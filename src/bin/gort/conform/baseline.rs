//! The baseline (conform/baseline.txt): the tests that pass on gort. A run
//! fails when a baseline test it ran fails on gort, lists the tests that
//! newly pass, and with `--update-baseline` records what passes now.

use super::options::{baseline_path, Opts};
use super::results::Results;
use crate::Result;
use std::collections::{BTreeMap, BTreeSet};

fn parse_baseline(text: &str) -> BTreeSet<String> {
    text.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty()).map(String::from).collect()
}

/// Compare with the committed baseline (tests that pass on gort): a
/// baseline test that ran and failed is a regression (exit status 1).
pub(super) fn check_baseline(r: &Results, opts: &Opts) -> Result<u8> {
    let path = baseline_path();
    let old = parse_baseline(&std::fs::read_to_string(&path).unwrap_or_default());
    let ran: BTreeMap<&str, bool> = r.entries.iter().filter_map(|e| e.gort.as_ref().map(|g| (e.name.as_str(), g.is_pass()))).collect();
    let regressions: Vec<&str> = old.iter().filter(|n| ran.get(n.as_str()) == Some(&false)).map(|s| s.as_str()).collect();
    let new: Vec<&str> = ran.iter().filter(|(n, p)| **p && !old.contains(**n)).map(|(n, _)| *n).collect();
    if !new.is_empty() {
        eprintln!("gort conform: {} tests pass on gort that are not in the baseline ({}):", new.len(), path.display());
        for n in new.iter().take(50) {
            eprintln!("  new pass  {n}");
        }
        if new.len() > 50 {
            eprintln!("  ... and {} more", new.len() - 50);
        }
    }
    if opts.update_baseline {
        let mut set = old.clone();
        for (n, p) in &ran {
            if *p {
                set.insert(n.to_string());
            } else {
                set.remove(*n);
            }
        }
        let mut text = String::from(
            "# Tests that pass on gort: `gort conform` fails when one of them runs and fails.\n\
             # Regenerate with `gort conform --update-baseline` (with --ci: only the CI subset's entries change).\n",
        );
        for n in &set {
            text += n;
            text.push('\n');
        }
        std::fs::create_dir_all(path.parent().unwrap())?;
        std::fs::write(&path, text)?;
        eprintln!("gort conform: baseline updated: {} entries ({})", set.len(), path.display());
        return Ok(0);
    }
    if !regressions.is_empty() {
        eprintln!("gort conform: {} REGRESSIONS: baseline tests that now fail on gort:", regressions.len());
        for n in &regressions {
            let first = r.entries.iter().find(|e| e.name == *n).and_then(|e| e.gort.as_ref()).map(|g| g.first.clone()).unwrap_or_default();
            eprintln!("  FAIL  {n}: {first}");
        }
        eprintln!("(re-run one with `gort conform --only NAME` to see the difference)");
    }
    let checked = old.iter().filter(|n| ran.contains_key(n.as_str())).count();
    if regressions.is_empty() {
        eprintln!("gort conform: baseline: {checked} tests checked, no regressions");
    }
    // The closing line: baseline tests that still pass, and regressions.
    println!("conform: {} passed, {} failed", checked - regressions.len(), regressions.len());
    Ok(if regressions.is_empty() { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_lists() {
        assert_eq!(parse_baseline("# x\na\n b \n"), ["a", "b"].iter().map(|s| s.to_string()).collect());
    }
}
