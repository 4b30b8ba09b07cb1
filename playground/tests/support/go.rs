//! Building and running generated Go programs, and comparing their traces with the simulator's:
//! shared by the proof test (tests/go_proof.rs) and the differential fuzzer (examples/go_fuzz.rs).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// How far apart a Go time and the simulator's may be, in scenario seconds.
pub const TOLERANCE: f64 = 0.05;

/// The Go toolchain to use: `$CTXGROUP_GO`, Debian's Go 1.23, or `go` on the PATH, if it is
/// Go 1.21 or newer (context.AfterFunc, WithoutCancel and the Cause functions).
pub fn find_go() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("CTXGROUP_GO").map(PathBuf::from),
        Some(PathBuf::from("/usr/lib/go-1.23/bin/go")),
        Some(PathBuf::from("go")),
    ];
    candidates.into_iter().flatten().find(|go| {
        let Ok(out) = Command::new(go).arg("version").output() else {
            return false;
        };
        let text = String::from_utf8_lossy(&out.stdout);
        // "go version go1.23.5 linux/amd64"
        let minor = text
            .split_whitespace()
            .nth(2)
            .and_then(|v| v.strip_prefix("go1."))
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse::<u32>().ok());
        out.status.success() && minor.is_some_and(|m| m >= 21)
    })
}

/// `gofmt` next to `go`.
pub fn gofmt(go: &Path) -> PathBuf {
    match go.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join("gofmt"),
        _ => PathBuf::from("gofmt"),
    }
}

/// A `go` command in GOPATH mode over `gopath` and Debian's gocode: it works offline.
pub fn go_command(go: &Path, gopath: &Path, cache: &Path) -> Command {
    let mut cmd = Command::new(go);
    let gopath = std::env::join_paths([gopath, Path::new("/usr/share/gocode")]).unwrap();
    cmd.env("GO111MODULE", "off")
        .env("GOPATH", gopath)
        .env("GOFLAGS", "")
        .env("GOCACHE", cache)
        .env("GOTOOLCHAIN", "local");
    cmd
}

/// Writes each program as a package of its own under `work/src/ctxgroup_proof/` and builds
/// them all with one `go build` (it builds in parallel). Returns the binaries, in order.
pub fn build_all(
    go: &Path,
    work: &Path,
    cache: &Path,
    programs: &[(String, String)],
) -> Result<Vec<PathBuf>, String> {
    let src = work.join("src/ctxgroup_proof");
    let bin = work.join("bin");
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&bin).map_err(|e| e.to_string())?;
    for (name, text) in programs {
        let dir = src.join(name);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("main.go"), text).map_err(|e| e.to_string())?;
    }
    let out = go_command(go, work, cache)
        .current_dir(work)
        .args(["build", "-o"])
        .arg(&bin)
        .arg("ctxgroup_proof/...")
        .output()
        .map_err(|e| format!("{}: {e}", go.display()))?;
    if !out.status.success() {
        return Err(format!(
            "go build failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(programs.iter().map(|(name, _)| bin.join(name)).collect())
}

/// Runs a built program in trace mode at `scale` real seconds per scenario second.
pub fn run_trace(bin: &Path, scale: f64) -> Result<Value, String> {
    let out = Command::new(bin)
        .env("CTXGROUP_TRACE", "1")
        .env("CTXGROUP_SCALE", scale.to_string())
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} failed: {}",
            bin.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "{}: bad JSON ({e}): {}",
            bin.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// Real seconds per scenario second for a scenario's run. Go's timers wake up to 1 ms late (the
/// poller sleeps in whole milliseconds), a task's lateness adds up over its chain of sleeps, and
/// a busy machine adds a few ms of scheduling: the scale keeps that worst case at half the
/// tolerance.
pub fn scale_for(sim: &serde_json::Value) -> f64 {
    let late = 0.0025 + chain_of_sleeps(sim) as f64 * 0.001;
    (late / (TOLERANCE / 2.0)).clamp(0.05, 1.0)
}

/// The longest chain of sleeps behind any time of the trace: a task's own steps (its checks,
/// plus one), after the sleeps behind its start.
fn chain_of_sleeps(sim: &serde_json::Value) -> usize {
    let empty = Vec::new();
    let tasks = sim["tasks"].as_array().unwrap_or(&empty);
    let events = sim["events"].as_array().unwrap_or(&empty);
    let checks = |path: &str| {
        events
            .iter()
            .filter(|e| e["task"] == path && e["kind"] == "check")
            .count()
    };
    // Tasks in order of start: the chain behind a start is the longest chain of a task that
    // ended at that instant (its slot freed), or one sleep for the caller's after=.
    let mut chain: Vec<(f64, usize)> = Vec::new(); // (end, chain length at its end)
    let mut longest = 1;
    let mut order: Vec<&serde_json::Value> = tasks.iter().collect();
    order.sort_by(|a, b| {
        let s = |t: &serde_json::Value| t["start"].as_f64().unwrap_or(f64::MAX);
        s(a).total_cmp(&s(b))
    });
    for t in order {
        let Some(start) = t["start"].as_f64() else {
            continue;
        };
        let before = chain
            .iter()
            .filter(|(end, _)| (end - start).abs() < 1e-9)
            .map(|(_, n)| *n)
            .max()
            .unwrap_or(1);
        let here = before + checks(t["path"].as_str().unwrap_or("")) + 1;
        longest = longest.max(here);
        if let Some(end) = t["end"].as_f64() {
            chain.push((end, here));
        }
    }
    longest
}

/// The differences between the simulator's trace and Go's: outcomes, errors, leaks and the
/// returned error must be equal, times within `tolerance`. `timing_only` tells whether every
/// difference is a time.
#[derive(Debug, Default)]
pub struct Differences {
    pub lines: Vec<String>,
    pub timing_only: bool,
}

impl Differences {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

pub fn compare(sim: &Value, go: &Value, tolerance: f64) -> Differences {
    let mut d = Differences {
        lines: Vec::new(),
        timing_only: true,
    };
    let other = |d: &mut Differences, line: String| {
        d.lines.push(line);
        d.timing_only = false;
    };
    let time =
        |d: &mut Differences, what: &str, s: &Value, g: &Value| match (s.as_f64(), g.as_f64()) {
            (Some(a), Some(b)) if (a - b).abs() <= tolerance => {}
            (None, None) => {}
            (Some(a), Some(b)) => d.lines.push(format!("{what}: simulator {a}, Go {b}")),
            _ => {
                d.lines.push(format!("{what}: simulator {s}, Go {g}"));
                d.timing_only = false;
            }
        };
    match (&sim["returned"], &go["returned"]) {
        (Value::Null, Value::Null) => {}
        (s, g) if s.is_null() || g.is_null() => {
            other(&mut d, format!("returned: simulator {s}, Go {g}"));
        }
        (s, g) => {
            if s["error"] != g["error"] {
                other(
                    &mut d,
                    format!(
                        "returned error: simulator {}, Go {}",
                        s["error"], g["error"]
                    ),
                );
            }
            time(&mut d, "returned at", &s["at"], &g["at"]);
        }
    }
    let empty = Vec::new();
    let sim_tasks = sim["tasks"].as_array().unwrap_or(&empty);
    let go_tasks = go["tasks"].as_array().unwrap_or(&empty);
    let paths = |tasks: &[Value]| -> Vec<String> {
        tasks
            .iter()
            .map(|t| t["path"].as_str().unwrap_or("?").to_string())
            .collect()
    };
    if paths(sim_tasks) != paths(go_tasks) {
        other(
            &mut d,
            format!(
                "spawned tasks: simulator {:?}, Go {:?}",
                paths(sim_tasks),
                paths(go_tasks)
            ),
        );
    }
    for s in sim_tasks {
        let path = s["path"].as_str().unwrap_or("?");
        let Some(g) = go_tasks.iter().find(|g| g["path"] == s["path"]) else {
            continue;
        };
        for key in ["outcome", "error", "go_cause"] {
            if s[key] != g[key] {
                other(
                    &mut d,
                    format!("{path} {key}: simulator {}, Go {}", s[key], g[key]),
                );
            }
        }
        if s["leaked"] != g["leaked"] {
            let line = format!(
                "{path} leaked: simulator {}, Go {}",
                s["leaked"], g["leaked"]
            );
            // Leaked means it ended after its group returned: an order of two times, which
            // the tolerance does not decide when they are that close.
            let group_end = match path.rsplit_once('/') {
                Some((group, _)) => sim_tasks
                    .iter()
                    .find(|t| t["path"] == group)
                    .and_then(|t| t["end"].as_f64()),
                None => sim["returned"]["at"].as_f64(),
            };
            match (s["end"].as_f64(), group_end) {
                (Some(end), Some(group)) if (end - group).abs() <= tolerance => {
                    d.lines.push(format!(
                        "{line} (it ends within the tolerance of its group)"
                    ));
                }
                _ => other(&mut d, line),
            }
        }
        for key in ["spawned", "start", "end"] {
            time(&mut d, &format!("{path} {key}"), &s[key], &g[key]);
        }
    }
    if d.lines.is_empty() {
        d.timing_only = false;
    }
    d
}
