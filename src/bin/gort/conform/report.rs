//! Reporting a run: target/conform/results.json, docs/CONFORMANCE.md, the
//! summary on stderr, the diffs of `--only` failures, and the grouping of
//! failures by their first error line with addresses, numbers and machine
//! paths normalised.

use super::context::Rt;
use super::results::{cut, Entry, Res, Results, Skip, Suite, Verdict};
use super::suite_runtime::{NOT_APPLICABLE, NOT_YET};
use super::suite_testdir::TEST_DIRS;
use crate::diff::line_diff;
use std::collections::{BTreeMap, BTreeSet};

/// Normalise a failure line so that failures with the same cause group
/// together: addresses, numbers, temporary paths.
pub(super) fn normalise_line(s: &str, tmp_prefixes: &[&str]) -> String {
    let mut s = s.trim().to_string();
    for p in tmp_prefixes {
        if !p.is_empty() {
            s = s.replace(p, "");
        }
    }
    let b: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let prev_word = i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_');
        if c == '0' && b.get(i + 1) == Some(&'x') && !prev_word {
            let mut j = i + 2;
            while j < b.len() && b[j].is_ascii_hexdigit() {
                j += 1;
            }
            if j > i + 2 {
                out.push_str("0x?");
                i = j;
                continue;
            }
        }
        if c.is_ascii_digit() && !prev_word {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if !(j < b.len() && (b[j].is_alphabetic() || b[j] == '_')) {
                out.push('N');
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    // A log package timestamp ("2006/01/02 15:04:05 ") says nothing.
    for pre in ["N/N/N N:N:N ", "exit status N: N/N/N N:N:N "] {
        if let Some(i) = out.find(pre) {
            if i == 0 || pre.starts_with("exit") {
                out.replace_range(i + pre.len() - "N/N/N N:N:N ".len()..i + pre.len(), "");
                break;
            }
        }
    }
    if out.chars().count() > 160 {
        out = out.chars().take(160).collect::<String>() + "...";
    }
    out
}

pub(super) fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(|s| s.as_str()).collect()
}

pub(super) struct Meta {
    pub(super) toolchain: String,
    pub(super) lib_id: String,
    pub(super) jobs: usize,
    pub(super) timeout: u64,
    pub(super) mem_mb: u64,
    pub(super) elapsed_secs: u64,
    pub(super) date: String,
    pub(super) mode: String,
    pub(super) strip: Vec<String>,
}

pub(super) fn utc_date() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let days = (secs / 86400) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", (secs % 86400) / 3600, (secs % 3600) / 60)
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn res_json(r: &Option<Res>) -> String {
    match r {
        None => "null".into(),
        Some(r) => {
            let v = match r.verdict {
                Verdict::Pass => "pass",
                Verdict::Fail => "fail",
                Verdict::Skip => "skip",
            };
            let mut s = format!("{{\"result\":\"{v}\",\"secs\":{:.3}", r.secs);
            if r.verdict == Verdict::Fail {
                s += &format!(",\"first\":{},\"output\":{}", json_str(&r.first), json_str(&cut(r.output.clone(), 2000)));
            }
            s + "}"
        }
    }
}

pub(super) fn results_json(m: &Meta, r: &Results) -> String {
    let mut s = String::from("{\n");
    s += &format!(
        "\"toolchain\":{},\"gort_lib_id\":{},\"date\":{},\"mode\":{},\"jobs\":{},\"timeout_secs\":{},\"gort_mem_mib\":{},\"elapsed_secs\":{},\n",
        json_str(&m.toolchain),
        json_str(&m.lib_id),
        json_str(&m.date),
        json_str(&m.mode),
        m.jobs,
        m.timeout,
        m.mem_mb,
        m.elapsed_secs
    );
    s += "\"summary\":{";
    let sums: Vec<String> = [Suite::Test, Suite::Std, Suite::Runtime]
        .iter()
        .map(|&su| {
            let es: Vec<&Entry> = r.entries.iter().filter(|e| e.suite == su).collect();
            let c = |f: &dyn Fn(&Entry) -> bool| es.iter().filter(|e| f(e)).count();
            format!(
                "{}:{{\"tests\":{},\"upstream_pass\":{},\"gort_pass\":{},\"skipped\":{}}}",
                json_str(su.key()),
                es.len(),
                c(&|e| e.up.as_ref().is_some_and(|x| x.is_pass())),
                c(&|e| e.gort.as_ref().is_some_and(|x| x.is_pass())),
                r.skips.iter().filter(|k| k.suite == su).count()
            )
        })
        .collect();
    s += &sums.join(",");
    let pv = |v: &Option<super::testbin::PkgVerdict>| match v {
        None => "null".to_string(),
        Some(v) => format!("{{\"ok\":{},\"why\":{}}}", v.ok, json_str(&v.why)),
    };
    s += "},\n\"packages\":[\n";
    s += &r.packages.iter().map(|p| format!("{{\"group\":{},\"upstream\":{},\"gort\":{}}}", json_str(&p.group), pv(&p.up), pv(&p.gort))).collect::<Vec<_>>().join(",\n");
    s += "\n],\n\"notes\":[";
    s += &r.notes.iter().map(|n| json_str(n)).collect::<Vec<_>>().join(",");
    s += "],\n\"out_of_scope\":{";
    s += &r.out_of_scope.iter().map(|(k, v)| format!("{}:{v}", json_str(k))).collect::<Vec<_>>().join(",");
    s += "},\n\"skipped\":[\n";
    s += &r
        .skips
        .iter()
        .map(|k| format!("{{\"suite\":\"{}\",\"group\":{},\"name\":{},\"category\":{},\"detail\":{}}}", k.suite.key(), json_str(&k.group), json_str(&k.name), json_str(&k.category), json_str(&k.detail)))
        .collect::<Vec<_>>()
        .join(",\n");
    s += "\n],\n\"tests\":[\n";
    s += &r
        .entries
        .iter()
        .map(|e| format!("{{\"suite\":\"{}\",\"group\":{},\"name\":{},\"upstream\":{},\"gort\":{}}}", e.suite.key(), json_str(&e.group), json_str(&e.name), res_json(&e.up), res_json(&e.gort)))
        .collect::<Vec<_>>()
        .join(",\n");
    s += "\n]\n}\n";
    s
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * a as f64 / b as f64)
    }
}

fn passes(es: &[&Entry], rt: Rt) -> usize {
    es.iter().filter(|e| if rt == Rt::Up { &e.up } else { &e.gort }.as_ref().is_some_and(|r| r.is_pass())).count()
}

fn self_skips(es: &[&Entry], rt: Rt) -> usize {
    es.iter().filter(|e| if rt == Rt::Up { &e.up } else { &e.gort }.as_ref().is_some_and(|r| r.verdict == Verdict::Skip)).count()
}

/// Failures grouped by their normalised first line, most common first.
fn groups<'a>(r: &'a Results, rt: Rt, strip: &[String]) -> Vec<(String, Vec<&'a Entry>)> {
    let mut m: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
    for e in &r.entries {
        if let Some(res) = if rt == Rt::Up { &e.up } else { &e.gort } {
            if res.verdict == Verdict::Fail {
                m.entry(normalise_line(&res.first, &strs(strip))).or_default().push(e);
            }
        }
    }
    let mut v: Vec<_> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    v
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('<', "&lt;").replace('>', "&gt;").replace('`', "'")
}

pub(super) fn markdown(m: &Meta, r: &Results) -> String {
    let mut s = String::new();
    s += "# Conformance: gort against upstream\n\n";
    s += &format!(
        "Generated by `gort conform` ({}) on {}: {}, gort library `{}`, {} parallel jobs, \
         time limit {}s per test (without progress), gort's test processes limited to {} MiB of address space; \
         the run took {} min. Regenerate with `scripts/conform` (the full run); the machine-readable results are in \
         `target/conform/results.json`.\n\n",
        m.mode,
        m.date,
        m.toolchain,
        m.lib_id,
        m.jobs,
        m.timeout,
        m.mem_mb,
        m.elapsed_secs.div_ceil(60)
    );
    s += "Pass rules. GOROOT/test (upstream's runner's): the build succeeds, the program exits 0, and its output \
          (stdout and stderr together) equals the `.out` file, or is empty when there is none; for `errorcheckandrundir`, \
          the compiler's diagnostics must also match the `// ERROR` comments. Tests of a test binary: the test reports \
          PASS (a test that skips itself is counted apart). Packages (go test's rule): the test binary, run once for all \
          of the package's tests, exits 0 having printed PASS; a crash after the last PASS line fails the package.\n\n";
    let pkg_ok = |rt: Rt| r.packages.iter().filter(|p| if rt == Rt::Up { &p.up } else { &p.gort }.as_ref().is_some_and(|v| v.ok)).count();
    s += "## Summary\n\n| suite | tests | upstream passes | gort passes | left out |\n|---|---:|---:|---:|---:|\n";
    for su in [Suite::Test, Suite::Std, Suite::Runtime] {
        let es: Vec<&Entry> = r.entries.iter().filter(|e| e.suite == su).collect();
        let (u, g) = (passes(&es, Rt::Up), passes(&es, Rt::Gort));
        let sk = match su {
            Suite::Test => format!("{} programs skipped (as upstream's runner)", r.skips.iter().filter(|k| k.suite == su).count()),
            Suite::Runtime => {
                let c = |cat: &str| r.skips.iter().filter(|k| k.suite == su && k.category == cat).count();
                format!("{} not applicable, {} not run yet", c(NOT_APPLICABLE), c(NOT_YET))
            }
            Suite::Std => format!("{} / {} self-skipped", self_skips(&es, Rt::Up), self_skips(&es, Rt::Gort)),
        };
        s += &format!("| {} | {} | {} ({}) | {} ({}) | {} |\n", su.title(), es.len(), u, pct(u, es.len()), g, pct(g, es.len()), sk);
        if su == Suite::Std && !r.packages.is_empty() {
            let n = r.packages.len();
            let (u, g) = (pkg_ok(Rt::Up), pkg_ok(Rt::Gort));
            s += &format!("| standard-library packages (go test's rule: `ok`) | {n} | {u} ({}) | {g} ({}) | |\n", pct(u, n), pct(g, n));
        }
    }
    s += "\n";
    for n in &r.notes {
        s += &format!("- {n}\n");
    }

    // The largest causes of failure.
    let gs = groups(r, Rt::Gort, &m.strip);
    if !gs.is_empty() {
        s += "\n## The largest causes of failure on gort\n\nFailing tests grouped by their first error line (normalised); \
              the full list is at the end.\n\n| # | tests | first error line | suites |\n|---:|---:|---|---|\n";
        for (i, (line, es)) in gs.iter().take(10).enumerate() {
            let mut by: BTreeMap<&str, usize> = BTreeMap::new();
            for e in es {
                *by.entry(e.suite.key()).or_default() += 1;
            }
            let suites: Vec<String> = by.iter().map(|(k, v)| format!("{k} {v}")).collect();
            s += &format!("| {} | {} | `{}` | {} |\n", i + 1, es.len(), line.replace('`', "'").replace('|', "\\|"), suites.join(", "));
        }
    }

    // The causes known behind them (written by hand: conform/known-causes.md).
    if let Ok(known) = std::fs::read_to_string(super::options::repo_dir().join("conform/known-causes.md")) {
        s += "\n## Known causes\n\nWhy gort fails tests upstream passes, as far as they are understood \
              (from `conform/known-causes.md`; a failure not named there is not understood yet).\n\n";
        s += known.trim_end();
        s += "\n";
    }

    // GOROOT/test per directory.
    let tests: Vec<&Entry> = r.entries.iter().filter(|e| e.suite == Suite::Test).collect();
    s += "\n## GOROOT/test by directory\n\n| directory | programs | upstream | gort |\n|---|---:|---:|---:|\n";
    let mut dirs: Vec<&str> = tests.iter().map(|e| e.group.as_str()).collect::<BTreeSet<_>>().into_iter().collect();
    dirs.sort_by_key(|d| TEST_DIRS.iter().position(|x| x == d).unwrap_or(99));
    for d in dirs {
        let es: Vec<&Entry> = tests.iter().copied().filter(|e| e.group == d).collect();
        s += &format!("| {d} | {} | {} | {} |\n", es.len(), passes(&es, Rt::Up), passes(&es, Rt::Gort));
    }
    s += "\n### Skipped programs (upstream's runner skips them too on linux/amd64)\n\n| category | programs | why |\n|---|---:|---|\n";
    let mut cats: BTreeMap<&str, Vec<&Skip>> = BTreeMap::new();
    for k in r.skips.iter().filter(|k| k.suite == Suite::Test) {
        cats.entry(&k.category).or_default().push(k);
    }
    for (c, ks) in &cats {
        let why = match *c {
            "build constraint excludes linux/amd64" => "a `//go:build` or `// +build` line before the package clause is false for linux/amd64 (tags: linux, amd64, gc, cgo, go1.1-go1.22, the default goexperiments, test_run; `unix` is not among them, as in upstream's runner)",
            "recipe is `skip`" => "the header says `// skip`: helper files or programs that other tests run",
            "needs the race detector, which this toolchain lacks" => "the recipe builds with `-race`; Debian's golang-1.22-go has no race runtime for linux/amd64 (`src/runtime/race/internal/amd64v1/race_linux.syso`), so the build fails for upstream as for gort: an environment limit, not a runtime difference",
            _ => "",
        };
        let names: Vec<String> = ks.iter().map(|k| format!("{}{}", k.name.trim_start_matches("test/"), if k.detail.is_empty() { String::new() } else { format!(" (`{}`)", md_escape(&k.detail)) })).collect();
        s += &format!("| {c} | {} | {why}: {} |\n", ks.len(), names.join(", "));
    }
    if !r.out_of_scope.is_empty() {
        s += "\nNot run (compiler tests: they check diagnostics, generated code or builds, not run-time behaviour): ";
        s += &r.out_of_scope.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        s += ".\n";
    }

    // std per package.
    let std: Vec<&Entry> = r.entries.iter().filter(|e| e.suite == Suite::Std).collect();
    s += "\n## Standard library by package\n\nEvery standard-library package with tests but the runtime (its own suite below): \
          `go test -c` per package; the test binary runs in the package's directory with `-test.short`. \
          Tests are the top-level tests and examples that `-test.list` reports (benchmarks are not run). \
          `go test` says whether the package passes by go test's rule, for upstream / gort; the cause is given \
          where gort fails a package upstream passes.\n\n";
    if std.iter().any(|e| e.group == "std/time") && !m.toolchain.is_empty() {
        // See pkg_dir.
        s += "Packages whose tests read `GOROOT/lib/time/zoneinfo.zip` (which Debian's toolchain does not ship) \
              run in a GOROOT-shaped copy whose zoneinfo.zip the harness makes from the system's /usr/share/zoneinfo \
              (tzdata), so time-zone data may differ from upstream's bundled copy.\n\n";
    }
    s += "| package | tests | upstream | gort | go test | gort: first failure (or why the package fails) |\n|---|---:|---:|---:|---|---|\n";
    let mut pk: BTreeSet<&str> = std.iter().map(|e| e.group.as_str()).collect();
    pk.extend(r.packages.iter().map(|p| p.group.as_str()));
    let verdict = |v: &Option<super::testbin::PkgVerdict>| match v {
        None => "-",
        Some(v) if v.ok => "ok",
        Some(_) => "FAIL",
    };
    for p in pk {
        let es: Vec<&Entry> = std.iter().copied().filter(|e| e.group == p).collect();
        let pe = r.packages.iter().find(|x| x.group == p);
        let (vu, vg) = (pe.map(|x| &x.up), pe.map(|x| &x.gort));
        let mut first = es.iter().find_map(|e| e.gort.as_ref().filter(|r| r.verdict == Verdict::Fail).map(|r| normalise_line(&r.first, &strs(&m.strip)))).unwrap_or_default();
        if first.is_empty() {
            if let Some(Some(v)) = vg.filter(|v| v.as_ref().is_some_and(|v| !v.ok)) {
                first = normalise_line(&v.why, &strs(&m.strip));
            }
        }
        s += &format!(
            "| {} | {} | {} | {} | {} / {} | {} |\n",
            p.trim_start_matches("std/"),
            es.len(),
            passes(&es, Rt::Up),
            passes(&es, Rt::Gort),
            vu.map_or("-", verdict),
            vg.map_or("-", verdict),
            md_escape(&first)
        );
    }

    // runtime.
    let rt: Vec<&Entry> = r.entries.iter().filter(|e| e.suite == Suite::Runtime).collect();
    let rskips: Vec<&Skip> = r.skips.iter().filter(|k| k.suite == Suite::Runtime).collect();
    let (run_up, run_gort) = (passes(&rt, Rt::Up), rt.iter().filter(|e| e.gort.as_ref().is_some_and(|x| x.is_pass()) && e.up.as_ref().is_some_and(|x| x.is_pass())).count());
    s += &format!(
        "\n## runtime: upstream's external tests, through gort's test hooks\n\nThe files of package runtime_test in upstream's `src/runtime`. \
         Upstream's run: `go test -c runtime` in the installed GOROOT. gort's run: a throw-away GOROOT whose `src/runtime` holds gort's \
         Go face, gort's own `export_test.go` (asm/runtime_test: the hooks the tests call, implemented over gort's internals) and the \
         test files; the programs the tests build (testdata/testprog and others) are built with gort. `conform/runtime_tests.list` \
         leaves out tests of data structures of upstream's runtime that gort does not have (not applicable) and tests that cannot run \
         without a feature gort lacks (not run yet), with why. Both runtimes run the same selection: {} tests, upstream passes {}, \
         gort passes {} of those ({}).\n\n",
        rt.len(),
        run_up,
        run_gort,
        pct(run_gort, run_up)
    );
    let mut files: BTreeSet<&str> = rt.iter().map(|e| e.group.as_str()).collect();
    files.extend(rskips.iter().map(|k| k.group.as_str()));
    s += "| file | tests | run | upstream | gort | not applicable | not run yet | why left out |\n|---|---:|---:|---:|---:|---:|---:|---|\n";
    for f in files {
        let es: Vec<&Entry> = rt.iter().copied().filter(|e| e.group == f).collect();
        let ks: Vec<&&Skip> = rskips.iter().filter(|k| k.group == f).collect();
        let na = ks.iter().filter(|k| k.category == NOT_APPLICABLE).count();
        let ny = ks.iter().filter(|k| k.category == NOT_YET).count();
        let mut why: Vec<String> = Vec::new();
        let all_same = !ks.is_empty() && es.is_empty() && ks.iter().all(|k| k.detail == ks[0].detail && k.category == ks[0].category);
        if all_same {
            why.push(format!("{}: {}", ks[0].category, ks[0].detail));
        } else {
            for k in &ks {
                why.push(format!("{} ({}): {}", k.name.trim_start_matches("runtime:"), k.category, k.detail));
            }
        }
        s += &format!(
            "| {f} | {} | {} | {} | {} | {na} | {ny} | {} |\n",
            es.len() + ks.len(),
            es.len(),
            passes(&es, Rt::Up),
            passes(&es, Rt::Gort),
            md_escape(&why.join("; "))
        );
    }

    // Failures.
    for (rt, title) in [(Rt::Gort, "gort"), (Rt::Up, "upstream")] {
        let gs = groups(r, rt, &m.strip);
        let n: usize = gs.iter().map(|g| g.1.len()).sum();
        s += &format!("\n## Failures on {title}, grouped by first error line\n\n{n} failing tests in {} groups.\n\n", gs.len());
        if gs.is_empty() {
            continue;
        }
        s += "| # | tests | first error line (normalised) | tests |\n|---:|---:|---|---|\n";
        for (i, (line, es)) in gs.iter().enumerate() {
            let names: Vec<String> = es.iter().map(|e| e.name.trim_start_matches("test/").to_string()).collect();
            s += &format!("| {} | {} | `{}` | {} |\n", i + 1, es.len(), line.replace('`', "'").replace('|', "\\|"), md_escape(&names.join(", ")));
        }
    }
    s
}

pub(super) fn print_summary(r: &Results, strip: &[String]) {
    for su in [Suite::Test, Suite::Std, Suite::Runtime] {
        let es: Vec<&Entry> = r.entries.iter().filter(|e| e.suite == su).collect();
        if es.is_empty() {
            continue;
        }
        eprintln!(
            "gort conform: {:8} {:5} tests: upstream {} pass ({}), gort {} pass ({})",
            su.key(),
            es.len(),
            passes(&es, Rt::Up),
            pct(passes(&es, Rt::Up), es.len()),
            passes(&es, Rt::Gort),
            pct(passes(&es, Rt::Gort), es.len())
        );
    }
    if !r.packages.is_empty() {
        let ok = |rt: Rt| r.packages.iter().filter(|p| if rt == Rt::Up { &p.up } else { &p.gort }.as_ref().is_some_and(|v| v.ok)).count();
        eprintln!("gort conform: packages {:5}      : upstream {} ok, gort {} ok (go test's rule)", r.packages.len(), ok(Rt::Up), ok(Rt::Gort));
        for p in &r.packages {
            if let (Some(u), Some(g)) = (&p.up, &p.gort) {
                if u.ok && !g.ok {
                    eprintln!("  package {} fails on gort only: {}", p.group, normalise_line(&g.why, &strs(strip)));
                }
            }
        }
    }
    let gs = groups(r, Rt::Gort, strip);
    if !gs.is_empty() {
        eprintln!("gort conform: most common failures on gort:");
        for (line, es) in gs.iter().take(10) {
            eprintln!("  {:4}  {line}", es.len());
        }
    }
}

/// --only: the diff of output (or the error) for every failure.
pub(super) fn print_failures(r: &Results) {
    for e in &r.entries {
        let failed = |x: &Option<Res>| x.as_ref().is_some_and(|r| r.verdict == Verdict::Fail);
        if !failed(&e.gort) && !failed(&e.up) {
            continue;
        }
        println!("=== {}", e.name);
        for (rt, res) in [("upstream", &e.up), ("gort", &e.gort)] {
            let Some(res) = res else { continue };
            match res.verdict {
                Verdict::Pass => println!("--- {rt}: pass"),
                Verdict::Skip => println!("--- {rt}: skipped"),
                Verdict::Fail => {
                    println!("--- {rt}: FAIL: {}", res.first);
                    let (base, what) = match (&e.want, &e.up) {
                        (Some(w), _) => (w.clone(), "expected (.out)"),
                        (None, Some(u)) if rt == "gort" => (u.output.clone(), "upstream"),
                        _ => (String::new(), "nothing"),
                    };
                    let d = line_diff(&base, &res.output);
                    if d.is_empty() {
                        println!("(output equals {what})");
                    } else {
                        println!("diff (- {what}, + {rt}):\n{d}");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_lines() {
        assert_eq!(normalise_line("panic: index out of range [5] with length 3", &[]), "panic: index out of range [N] with length N");
        assert_eq!(normalise_line("fatal error: gort: runtime.memequal64 not implemented", &[]), "fatal error: gort: runtime.memequal64 not implemented");
        assert_eq!(normalise_line("unexpected fault address 0xc000012345", &[]), "unexpected fault address 0x?");
        assert_eq!(normalise_line("/tmp/gort-conform-1-2/x.go:3: bad", &["/tmp/"]), "gort-conform-N-N/x.go:N: bad");
        assert_eq!(normalise_line("exit status 1: 2026/11/23 16:37:04 wrong error", &[]), "exit status N: wrong error");
        assert_eq!(normalise_line("2026/11/23 16:37:04 x", &[]), "x");
    }
}
