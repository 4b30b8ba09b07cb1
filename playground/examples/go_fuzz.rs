//! Differential fuzzing of the simulator against real Go: random scenarios over every construct
//! of the language (goroutines, after-cancel, try, without-cancel, causes, collect and shutdown
//! included), each run by the simulator and, as its generated Go program, three times
//! under Go. Not part of the test command (it takes minutes); FIDELITY.md records its results.
//!
//! ```text
//! cargo run -p ctxgroup-playground --release --example go_fuzz -- [N] [--seed S] [--grain MS] [--jobs J]
//! ```
//!
//! A scenario is *racy* when Go's three runs disagree among themselves (beyond times): it is
//! left out. Otherwise Go's runs are compared with the simulator's trace (outcomes, errors,
//! leaks and the returned error equal, times within 0.05 scenario seconds; a difference in
//! times alone is run again at twice the scale, since a busy machine makes Go's timers late).
//! A disagreement is a *tie* when the scenario has one (`golang::ties`: two timers at the same
//! instant whose order decides, a race in Go), else *times only* when only times differ, and a
//! *mismatch* otherwise. Every case but an agreement is written to go-fuzz/ in the target
//! directory (`CARGO_TARGET_DIR`, else target/), named by kind, seed and index, with the
//! traces. `--jobs` defaults to the machine's cores.

#[path = "../tests/support/go.rs"]
mod go;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use ctxgroup_playground::golang::{go_program, ties};
use ctxgroup_playground::scenario::parse;
use ctxgroup_playground::simulate::simulate;
use serde_json::Value;

/// A small deterministic generator (xorshift64*): the same seed gives the same scenarios.
/// Durations are whole multiples of `grain` ms: 1 makes ties rare, 250 makes them common.
struct Rng(u64, u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// Milliseconds in `lo..=hi`, rounded to the grain (at least one grain).
    fn ms(&mut self, lo: u64, hi: u64) -> u64 {
        let ms = lo + self.below(hi - lo + 1);
        (ms / self.1 * self.1).max(self.1)
    }

    /// A count in `lo..=hi` (not rounded).
    fn count(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
}

fn dur(ms: u64) -> String {
    format!("{ms}ms")
}

/// The work of a task or goroutine: its length (or `forever`) and how it checks its context.
fn work(rng: &mut Rng, forever: bool) -> String {
    let length = rng.ms(50, 2000);
    let mut line = if forever {
        "forever".into()
    } else {
        dur(length)
    };
    match rng.below(4) {
        0 => line += " check=never",
        1 => line += " check=start",
        2 => {
            let step = if forever {
                rng.ms(100, 700)
            } else {
                rng.ms((length / 6).max(20), length).min(length)
            };
            line += &format!(" check=every:{}", dur(step));
        }
        _ => {}
    }
    line
}

/// `after-cancel NAME D` (context.AfterFunc), with `pad` before it.
fn after_cancel_line(rng: &mut Rng, pad: &str, name: &str) -> String {
    let length = if rng.chance(10) {
        "forever".to_string()
    } else {
        dur(rng.ms(50, 1500))
    };
    format!("{pad}after-cancel a{name} {length}\n")
}

/// A task's block: its goroutines (`go` lines, one of them with a block of its own now and
/// then) and its after-cancel functions.
fn task_block(rng: &mut Rng, name: &str, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    for i in 0..rng.count(1, 2) {
        let g = format!("{name}g{i}");
        let forever = rng.chance(10);
        let mut line = format!("{pad}go {g} {}", work(rng, forever));
        if !forever && rng.chance(20) {
            line += &format!(" fail=\"E{g}\"");
        }
        if depth < 3 && rng.chance(15) {
            let _ = writeln!(out, "{line} {{");
            task_block(rng, &g, depth + 1, out);
            let _ = writeln!(out, "{pad}}}");
        } else {
            let _ = writeln!(out, "{line}");
        }
    }
    if rng.chance(20) {
        *out += &after_cancel_line(rng, &pad, name);
    }
}

/// One random task line (without indentation).
fn task_line(rng: &mut Rng, name: &str) -> String {
    let forever = rng.chance(10);
    let mut line = format!("task {name} {}", work(rng, forever));
    if !forever && rng.chance(25) {
        line += &format!(" fail=\"E{name}\"");
    }
    let timeout = rng.chance(20);
    if timeout {
        line += &format!(" timeout={}", dur(rng.ms(50, 1500)));
        if rng.chance(40) {
            line += &format!(" cause=\"C{name}\"");
        }
    }
    if rng.chance(30) {
        line += &format!(" after={}", dur(rng.ms(1, 1000)));
    }
    if rng.chance(10) {
        line += " try";
    }
    if !timeout && rng.chance(8) {
        line += " without-cancel";
    }
    line
}

fn group_options(rng: &mut Rng) -> String {
    let mut o = String::new();
    if rng.chance(50) {
        o += &format!(" timeout={}", dur(rng.ms(100, 2500)));
        if rng.chance(30) {
            o += " cause=\"Cgroup\"";
        }
    }
    if rng.chance(30) {
        o += &format!(" limit={}", rng.count(1, 3));
    }
    match rng.below(10) {
        0..=1 => o += " on-error=continue",
        2 => o += " on-error=collect",
        _ => {}
    }
    if rng.chance(25) {
        o += " wait=cancel";
    }
    if rng.chance(30) {
        o += &format!(" after={}", dur(rng.ms(1, 800)));
    }
    o
}

fn items(rng: &mut Rng, prefix: &str, depth: usize, out: &mut String) {
    let n = rng.count(1, 4);
    let pad = "  ".repeat(depth);
    for i in 0..n {
        let name = format!("{prefix}{i}");
        if depth < 2 && rng.chance(20) {
            let _ = writeln!(out, "{pad}group g{name}{} {{", group_options(rng));
            items(rng, &format!("{name}_"), depth + 1, out);
            if rng.chance(15) {
                *out += &after_cancel_line(rng, &"  ".repeat(depth + 1), &format!("g{name}"));
            }
            let _ = writeln!(out, "{pad}}}");
        } else if rng.chance(15) {
            let task = format!("t{name}");
            let _ = writeln!(out, "{pad}{} {{", task_line(rng, &task));
            task_block(rng, &task, depth + 1, out);
            let _ = writeln!(out, "{pad}}}");
        } else {
            let _ = writeln!(out, "{pad}{}", task_line(rng, &format!("t{name}")));
        }
    }
}

/// A random scenario over every construct of the language.
fn scenario(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.chance(50) {
        let _ = write!(s, "timeout {}", dur(rng.ms(100, 3000)));
        if rng.chance(25) {
            s += " cause=\"Cmain\"";
        }
        s += "\n";
    }
    if rng.chance(30) {
        let _ = writeln!(s, "limit {}", rng.count(1, 3));
    }
    match rng.below(10) {
        0..=1 => s += "on-error continue\n",
        2 => s += "on-error collect\n",
        _ => {}
    }
    let wait_cancel = rng.chance(25);
    if wait_cancel {
        s += "wait cancel\n";
    }
    if rng.chance(30) {
        let _ = write!(s, "cancel {}", dur(rng.ms(1, 3000)));
        if rng.chance(25) {
            s += " cause=\"Ccancel\"";
        }
        s += "\n";
    }
    if !wait_cancel && rng.chance(12) {
        let _ = writeln!(
            s,
            "shutdown {} grace={}",
            dur(rng.ms(100, 2500)),
            dur(rng.ms(50, 1000))
        );
    }
    if rng.chance(20) {
        s += "value k=v\n";
    }
    items(rng, "", 0, &mut s);
    if rng.chance(15) {
        s += &after_cancel_line(rng, "", "main");
    }
    s
}

struct Case {
    text: String,
    sim: Value,
    ties: Vec<String>,
}

#[derive(Default)]
struct Tally {
    agree: AtomicUsize,
    racy: AtomicUsize,
    ties: AtomicUsize,
    timing: AtomicUsize,
    mismatches: AtomicUsize,
    failed: AtomicUsize,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut n = 100usize;
    let mut seed = 0x5eed_u64;
    // One Go run per core: more only adds lateness to every run's timers.
    let mut jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut grain = 1u64;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--seed" => {
                seed = args
                    .get(i + 1)
                    .and_then(|s| s.parse().ok())
                    .expect("--seed N");
                i += 1;
            }
            "--grain" => {
                grain = args
                    .get(i + 1)
                    .and_then(|s| s.parse().ok())
                    .expect("--grain MS");
                i += 1;
            }
            "--jobs" => {
                jobs = args
                    .get(i + 1)
                    .and_then(|s| s.parse().ok())
                    .expect("--jobs N");
                i += 1;
            }
            a => {
                n = a
                    .parse()
                    .expect("usage: go_fuzz [N] [--seed S] [--grain MS] [--jobs J]")
            }
        }
        i += 1;
    }
    let Some(go_bin) = go::find_go() else {
        eprintln!("go_fuzz: no Go 1.21+ found; install it with scripts/setup.sh");
        std::process::exit(2);
    };
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let work = target.join(format!("go-fuzz/work-{}", std::process::id()));
    let cache = target.join("tmp/go-cache");
    let report = target.join("go-fuzz");
    std::fs::create_dir_all(&report).unwrap();
    let started = Instant::now();
    let mut rng = Rng(seed.max(1), grain.max(1));
    let tally = Tally::default();
    let mut done = 0;
    let batch = 40;
    while done < n {
        let count = batch.min(n - done);
        let mut cases = Vec::new();
        let mut programs = Vec::new();
        for k in 0..count {
            let text = scenario(&mut rng);
            let parsed = match parse(&text) {
                Ok(s) => s,
                Err(e) => panic!("the fuzzer wrote a scenario that does not parse: {e}\n{text}"),
            };
            let sim = match simulate(&parsed) {
                Ok(t) => serde_json::from_str::<Value>(&t.to_json()).unwrap(),
                Err(e) => panic!("the simulator refused a fuzz scenario: {e}\n{text}"),
            };
            programs.push((format!("s{k}"), go_program(&parsed)));
            cases.push(Case {
                ties: ties(&parsed),
                text,
                sim,
            });
        }
        let bins = match go::build_all(&go_bin, &work, &cache, &programs) {
            Ok(b) => b,
            Err(e) => panic!("a generated program does not build: {e}"),
        };
        let next = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..jobs.min(count) {
                s.spawn(|| loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= count {
                        break;
                    }
                    judge(&cases[k], &bins[k], (seed, done + k), &tally, &report);
                });
            }
        });
        done += count;
        eprintln!(
            "go_fuzz: {done}/{n} in {:.0}s: {} agree, {} racy, {} ties, {} timing, {} mismatches, {} failed",
            started.elapsed().as_secs_f64(),
            tally.agree.load(Ordering::Relaxed),
            tally.racy.load(Ordering::Relaxed),
            tally.ties.load(Ordering::Relaxed),
            tally.timing.load(Ordering::Relaxed),
            tally.mismatches.load(Ordering::Relaxed),
            tally.failed.load(Ordering::Relaxed),
        );
    }
    println!(
        "go_fuzz: {n} scenarios (seed {seed}, grain {grain} ms) in {:.0}s: {} agree with Go, {} racy in Go (left out), {} disagree on a tie, {} differ in times only, {} mismatches, {} runs failed",
        started.elapsed().as_secs_f64(),
        tally.agree.load(Ordering::Relaxed),
        tally.racy.load(Ordering::Relaxed),
        tally.ties.load(Ordering::Relaxed),
        tally.timing.load(Ordering::Relaxed),
        tally.mismatches.load(Ordering::Relaxed),
        tally.failed.load(Ordering::Relaxed),
    );
    if tally.mismatches.load(Ordering::Relaxed) > 0 {
        std::process::exit(1);
    }
}

/// Three Go runs of one scenario, judged against the simulator.
fn judge(
    case: &Case,
    bin: &std::path::Path,
    index: (u64, usize),
    tally: &Tally,
    report: &std::path::Path,
) {
    let mut scale = go::scale_for(&case.sim);
    let mut attempt = 0;
    loop {
        let runs: Result<Vec<Value>, String> = (0..3).map(|_| go::run_trace(bin, scale)).collect();
        let runs = match runs {
            Ok(r) => r,
            Err(e) => {
                tally.failed.fetch_add(1, Ordering::Relaxed);
                write_case(report, "failed", index, case, &[], &e);
                return;
            }
        };
        // Go against itself: a race shows as runs that differ beyond times.
        let racy = runs[1..].iter().enumerate().find_map(|(k, r)| {
            let d = go::compare(&runs[0], r, go::TOLERANCE * 2.0);
            (!d.is_empty() && !d.timing_only).then_some((k + 1, d))
        });
        if let Some((k, d)) = racy {
            tally.racy.fetch_add(1, Ordering::Relaxed);
            // The pair that differed: `compare` calls its first side the simulator.
            let what = format!(
                "Go run 1 (as \"simulator\" below) against Go run {}:\n{}",
                k + 1,
                d.lines.join("\n")
            );
            write_case(report, "racy", index, case, &runs, &what);
            return;
        }
        let diffs: Vec<_> = runs
            .iter()
            .map(|r| go::compare(&case.sim, r, go::TOLERANCE))
            .collect();
        if diffs.iter().all(|d| d.is_empty()) {
            tally.agree.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let timing_only = diffs.iter().all(|d| d.is_empty() || d.timing_only);
        if timing_only && attempt == 0 && scale < 1.0 {
            attempt += 1;
            scale = (scale * 2.0).min(1.0);
            continue;
        }
        let worst = diffs.iter().find(|d| !d.is_empty()).unwrap();
        // With a tie, Go may settle it the other way every time (its run then differs in times
        // alone when a step more ends at the same outcome).
        let (kind, counter) = if !case.ties.is_empty() {
            ("tie", &tally.ties)
        } else if timing_only {
            ("timing", &tally.timing)
        } else {
            ("mismatch", &tally.mismatches)
        };
        counter.fetch_add(1, Ordering::Relaxed);
        write_case(
            report,
            kind,
            index,
            case,
            &runs,
            &format!("scale {scale}\n{}", worst.lines.join("\n")),
        );
        return;
    }
}

fn write_case(
    report: &std::path::Path,
    kind: &str,
    (seed, index): (u64, usize),
    case: &Case,
    runs: &[Value],
    what: &str,
) {
    let mut text = format!(
        "# {kind} (fuzz case {index} of seed {seed})\n# {}\n",
        what.replace('\n', "\n# ")
    );
    if !case.ties.is_empty() {
        let _ = writeln!(text, "# ties: {}", case.ties.join("; "));
    }
    text += &case.text;
    text += "\n# simulator:\n# ";
    text += &case.sim["tasks"].to_string();
    for r in runs.iter() {
        text += "\n# Go:\n# ";
        text += &r.to_string();
    }
    text += "\n";
    let path = report.join(format!("{kind}-s{seed}-{index}.txt"));
    let _ = std::fs::write(&path, text);
    if kind == "mismatch" {
        eprintln!("go_fuzz: MISMATCH, see {}", path.display());
    }
}
