//! `gort conform`: the conformance harness. Three suites, each run under
//! upstream's runtime (the installed toolchain as it is) and under gort's
//! (overlay GOROOT, external linking, gort's build tags):
//!
//! - `test`: the programs of GOROOT/test whose recipe (the header comment)
//!   is `run`, `buildrun`, `runoutput`, `rundir`, `runindir`, `buildrundir`
//!   or `errorcheckandrundir`, built and run the way upstream's own runner
//!   (cmd/internal/testdir) does on linux/amd64, with its pass rule: the
//!   build succeeds (and, for errorcheckandrundir, the compiler's
//!   diagnostics match the ERROR comments), the program exits 0 and its
//!   output (stdout and stderr together) equals the `.out` file, or is
//!   empty when there is none.
//! - `std`: the tests of every standard-library package with tests: the
//!   test binary (`go test -c`) is run by this harness in the package
//!   directory with `-test.short` and test2json framing (what `go test
//!   -json` reads), one process for all tests, resumed after the test that
//!   crashed or hung; counted by test and by package (go test's rule).
//! - `runtime`: the external tests (package runtime_test) of upstream's
//!   runtime package, built against gort's own test hooks
//!   (asm/runtime_test) in a throw-away GOROOT, less those
//!   conform/runtime_tests.list leaves out (with why), run like a std
//!   package.
//!
//! Every process runs in its own process group under a time limit (the
//! group is killed), gort's test processes also under a memory limit
//! (RLIMIT_AS). Results go to a JSON file, a Markdown summary and, against
//! the committed baseline (conform/baseline.txt), to the exit status.
//!
//! The command (this file) selects what to run, runs the jobs on a worker
//! pool (longest first) and writes the outputs. Every other file of this
//! folder owns one part and says which in its opening comment; the table in
//! ARCHITECTURE.md lists them.

mod baseline;
mod constraint;
mod context;
mod errcheck;
mod gosrc;
mod options;
mod process;
mod recipe;
mod report;
mod results;
mod suite_runtime;
mod suite_std;
mod suite_testdir;
mod testbin;
mod trees;

use baseline::check_baseline;
use constraint::build_ctx;
use context::{Ctx, Rt};
use options::{ci_list_path, group_selected, parse_ci_list, parse_opts, pattern_match};
use report::{markdown, normalise_line, print_failures, print_summary, results_json, strs, utc_date, Meta};
use results::{Entry, PkgEntry, Res, Results, Suite};
use suite_runtime::runtime_suite;
use suite_std::{run_std_pkg, std_packages};
use suite_testdir::{discover, expected_output, run_gotest};
use crate::overlay;
use crate::toolchain::Toolchain;
use crate::{Fail, Result};
use std::collections::{BTreeSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

pub(crate) fn cmd_conform(args: &[String]) -> Result<u8> {
    let opts = parse_opts(args)?;
    let started = Instant::now();
    let tc = Toolchain::find()?;
    let ov = overlay::ensure(&tc)?;
    let lib_id = overlay::lib_id(&ov.lib)?;
    let test_dir = tc.goroot.join("test");

    let mut results = Results::default();
    let bctx = build_ctx(&tc);
    let ci = if opts.ci {
        let p = ci_list_path();
        let text = std::fs::read_to_string(&p).map_err(|e| Fail::new(format!("reading {}: {e}", p.display())))?;
        Some(parse_ci_list(&text))
    } else {
        None
    };

    // What to run.
    let mut tests = Vec::new();
    if opts.suites.contains(&Suite::Test) {
        tests = discover(&test_dir, &bctx, &mut results)?;
        tests.retain(|t| {
            let n = t.name();
            ci.as_ref().is_none_or(|c| c.tests.contains(&n)) && (opts.only.is_empty() || opts.only.iter().any(|p| pattern_match(p, &n)))
        });
        let names: BTreeSet<String> = tests.iter().map(|t| t.name()).collect();
        results.skips.retain(|s| {
            ci.as_ref().is_none_or(|c| c.tests.contains(&s.name)) && (opts.only.is_empty() || opts.only.iter().any(|p| pattern_match(p, &s.name)))
        });
        if let Some(c) = &ci {
            for t in &c.tests {
                if !names.contains(t) && !results.skips.iter().any(|s| s.name == *t) {
                    return Err(Fail::new(format!("{}: {t} is not a runnable GOROOT/test program", ci_list_path().display())));
                }
            }
        }
        if ci.is_some() || !opts.only.is_empty() {
            results.out_of_scope.clear();
        }
    }
    let do_runtime = opts.suites.contains(&Suite::Runtime) && ci.as_ref().is_none_or(|c| c.runtime) && group_selected(&opts, "runtime");
    let rt_files: Option<BTreeSet<String>> = ci.as_ref().map(|c| c.runtime_files.clone()).filter(|f| !f.is_empty());

    // The standard library's export data for both runtimes (upstream's
    // runner compiles and links `run` programs against it directly).
    let ctx = Ctx::new(&tc, &ov, &opts, &test_dir, &tests, ci.is_none() && opts.only.is_empty())?;

    let mut pkgs: Vec<String> = Vec::new();
    if opts.suites.contains(&Suite::Std) {
        pkgs = match (&ci, &opts.pkgs) {
            (Some(c), _) => c.pkgs.clone(),
            (None, Some(p)) => p.clone(),
            (None, None) => std_packages(&ctx)?,
        };
        pkgs.retain(|p| group_selected(&opts, &format!("std/{p}")));
    }
    eprintln!(
        "gort conform: {} GOROOT/test programs, {} std packages{}, {} jobs, time limit {}s per test, gort memory limit {} MiB",
        tests.len(),
        pkgs.len(),
        if do_runtime { ", runtime tests" } else { "" },
        opts.jobs,
        opts.timeout.as_secs(),
        opts.mem_mb
    );

    // The jobs: the long ones first.
    enum Job {
        Runtime,
        Std(String),
        Test(usize),
    }
    let mut queue: VecDeque<Job> = VecDeque::new();
    if do_runtime {
        queue.push_back(Job::Runtime);
    }
    for p in &pkgs {
        queue.push_back(Job::Std(p.clone()));
    }
    for i in 0..tests.len() {
        queue.push_back(Job::Test(i));
    }
    let total = queue.len();
    let queue = Mutex::new(queue);
    let entries: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
    let packages: Mutex<Vec<PkgEntry>> = Mutex::new(Vec::new());
    let notes = Mutex::new(Vec::new());
    let skips = Mutex::new(Vec::new());
    let finished = AtomicUsize::new(0);
    let print_lock = Mutex::new(());
    let report = |label: &str, es: &[Entry], secs: f64| {
        let n = finished.fetch_add(1, Ordering::SeqCst) + 1;
        let count = |f: &dyn Fn(&Entry) -> Option<&Res>| es.iter().filter(|e| f(e).is_some_and(|r| r.is_pass())).count();
        let (up, go) = (count(&|e| e.up.as_ref()), count(&|e| e.gort.as_ref()));
        let _l = print_lock.lock().unwrap();
        if es.len() == 1 && es[0].suite == Suite::Test {
            let e = &es[0];
            let v = |r: &Option<Res>| match r {
                None => "-".to_string(),
                Some(r) if r.is_pass() => "ok".into(),
                Some(r) => format!("FAIL ({})", normalise_line(&r.first, &strs(&ctx.strip))),
            };
            if opts.verbose || !e.gort.as_ref().is_some_and(|r| r.is_pass()) || !e.up.as_ref().is_none_or(|r| r.is_pass()) {
                eprintln!("[{n:4}/{total}] {label}: upstream {}, gort {}", v(&e.up), v(&e.gort));
            } else if n.is_multiple_of(50) {
                eprintln!("[{n:4}/{total}] ... ({:.0}s)", started.elapsed().as_secs_f64());
            }
        } else {
            eprintln!("[{n:4}/{total}] {label}: {} tests, upstream {up} pass, gort {go} pass ({secs:.0}s)", es.len());
        }
    };
    std::thread::scope(|s| {
        for _ in 0..opts.jobs {
            s.spawn(|| loop {
                let job = queue.lock().unwrap().pop_front();
                let Some(job) = job else { break };
                let t0 = Instant::now();
                let (label, es) = match job {
                    Job::Runtime => ("runtime".to_string(), runtime_suite(&ctx, &notes, &skips, rt_files.as_ref())),
                    Job::Std(p) => {
                        let (es, pe) = run_std_pkg(&ctx, &p);
                        packages.lock().unwrap().extend(pe);
                        (format!("std/{p}"), es)
                    }
                    Job::Test(i) => {
                        let t = &tests[i];
                        let up = if opts.gort_only { None } else { Some(run_gotest(&ctx, t, Rt::Up)) };
                        let gort = Some(run_gotest(&ctx, t, Rt::Gort));
                        let want = Some(expected_output(&ctx, t));
                        (t.name(), vec![Entry { suite: Suite::Test, group: t.dir.clone(), name: t.name(), up, gort, want }])
                    }
                };
                report(&label, &es, t0.elapsed().as_secs_f64());
                entries.lock().unwrap().extend(es);
            });
        }
    });
    results.entries = entries.into_inner().unwrap();
    results.packages = packages.into_inner().unwrap();
    results.packages.sort_by(|a, b| a.group.cmp(&b.group));
    results.entries.sort_by(|a, b| (a.suite, &a.name).cmp(&(b.suite, &b.name)));
    results.notes.extend(notes.into_inner().unwrap());
    results.skips.extend(skips.into_inner().unwrap());
    let elapsed = started.elapsed();

    // Outputs.
    let meta = Meta {
        toolchain: tc.version.clone(),
        lib_id,
        jobs: opts.jobs,
        timeout: opts.timeout.as_secs(),
        mem_mb: opts.mem_mb,
        elapsed_secs: elapsed.as_secs(),
        date: utc_date(),
        mode: if ci.is_some() { "ci".into() } else if !opts.only.is_empty() { format!("only {}", opts.only.join(",")) } else { "full".into() },
        strip: ctx.strip.clone(),
    };
    if let Some(dir) = opts.json.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&opts.json, results_json(&meta, &results))?;
    if let Some(md) = &opts.md {
        std::fs::write(md, markdown(&meta, &results))?;
        eprintln!("gort conform: wrote {}", md.display());
    }
    if !opts.only.is_empty() {
        print_failures(&results);
    }
    print_summary(&results, &meta.strip);
    eprintln!("gort conform: results in {} ({:.0}s)", opts.json.display(), elapsed.as_secs_f64());
    check_baseline(&results, &opts)
}
