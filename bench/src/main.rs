//! Measures pidone side by side with tini, dumb-init and catatonit, in one run, candidates
//! interleaved, and reports medians and ratios to tini-static (Docker's `--init`).
//!
//! `pidone-bench [--quick] [--json FILE] [--pidone PATH]`; `pidone-bench probe MODE` is the
//! application the inits run. Each init runs as PID 1 of a new PID namespace
//! (`unshare --pid --fork --mount-proc`, as root) unless a metric says otherwise.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod probe;

/// An init to measure: its name in the report, its binary, and the flags it needs to
/// escalate after a grace (only pidone has one).
struct Candidate {
    name: &'static str,
    path: PathBuf,
    grace_flags: &'static [&'static str],
}

/// How much work a run does.
struct Plan {
    repetitions: usize,
    orphans: usize,
    burst: usize,
    storm: usize,
    idle: Duration,
    grace: Duration,
    /// Runs of each instruction and system-call count, which hardly vary.
    counts: usize,
}

impl Plan {
    fn full() -> Plan {
        Plan {
            repetitions: 31,
            orphans: 20_000,
            burst: 1_000,
            storm: 10_000,
            idle: Duration::from_secs(10),
            grace: Duration::from_secs(1),
            counts: 3,
        }
    }
    fn quick() -> Plan {
        Plan {
            repetitions: 5,
            orphans: 2_000,
            burst: 300,
            storm: 2_000,
            idle: Duration::from_secs(2),
            grace: Duration::from_millis(500),
            counts: 1,
        }
    }
}

/// One metric's samples per candidate.
#[derive(Default)]
struct Metric {
    unit: &'static str,
    /// Lower is better; ratios are to tini-static.
    samples: BTreeMap<&'static str, Vec<f64>>,
    /// Text shown instead of numbers (e.g. "never").
    notes: BTreeMap<&'static str, String>,
    /// Text shown after the numbers (e.g. how a peer was run).
    remarks: BTreeMap<&'static str, String>,
}

impl Metric {
    fn new(unit: &'static str) -> Metric {
        Metric {
            unit,
            ..Metric::default()
        }
    }

    fn record(&mut self, candidate: &'static str, value: f64) {
        self.samples.entry(candidate).or_default().push(value);
    }
}

fn die(message: &str) -> ! {
    eprintln!("pidone-bench: {message}");
    std::process::exit(2);
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

fn me() -> PathBuf {
    std::env::current_exe().unwrap_or_else(|e| die(&format!("cannot find this binary: {e}")))
}

/// unshare's flags for a new PID namespace with its own /proc, the init its PID 1.
const NAMESPACE: [&str; 4] = ["--pid", "--fork", "--mount-proc", "--kill-child"];

/// `unshare --pid --fork --mount-proc INIT [flags] -- ARGS`.
fn in_namespace(init: &Path, flags: &[&str], args: &[&str]) -> Command {
    let mut command = Command::new("unshare");
    command
        .args(NAMESPACE)
        .arg(init)
        .args(flags)
        .arg("--")
        .args(args);
    command
}

fn probe_args(mode: &str, extra: &[String]) -> Vec<String> {
    let mut args = vec![
        me().to_string_lossy().into_owned(),
        "probe".into(),
        mode.into(),
    ];
    args.extend(extra.iter().cloned());
    args
}

/// A running init with the probe as its child; the probe's stdout is read line by line.
struct Run {
    process: Child,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
}

impl Run {
    fn start(init: &Path, flags: &[&str], mode: &str, extra: &[String]) -> Run {
        let args = probe_args(mode, extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut process = in_namespace(init, flags, &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| die(&format!("cannot run unshare: {e}")));
        let lines = BufReader::new(process.stdout.take().unwrap()).lines();
        Run { process, lines }
    }

    fn line(&mut self) -> String {
        match self.lines.next() {
            Some(Ok(line)) => line,
            _ => die("the probe stopped talking"),
        }
    }

    /// The init's pid: unshare's only child.
    fn init_pid(&self) -> i32 {
        first_child(self.process.id() as i32).unwrap_or_else(|| die("the init is gone"))
    }

    /// The probe: the init's child.
    fn probe_pid(&self) -> i32 {
        first_child(self.init_pid()).unwrap_or_else(|| die("the probe is gone"))
    }

    fn signal(&self, signal: i32) {
        // SAFETY: kill has no memory effects.
        unsafe { libc::kill(self.init_pid(), signal) };
    }

    fn wait(mut self) -> i32 {
        use std::os::unix::process::ExitStatusExt;
        let status = self.process.wait().unwrap();
        status
            .code()
            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
    }
}

/// The first child of `pid`, from /proc.
fn first_child(pid: i32) -> Option<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn status_field(pid: i32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Nanoseconds the process has run on a CPU.
fn cpu_ns(pid: i32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/schedstat"))
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

fn monotonic_ns() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}

/// Docker's environment for a container whose image sets none: the start-up lines run every
/// init with it, so that their figures do not depend on the shell that ran the benchmark.
/// (Both sides grow with the environment: glibc's static start-up, tini-static's, looks at
/// every variable, and pidone reads it twice.)
const CONTAINER_ENVIRONMENT: [(&str, &str); 3] = [
    (
        "PATH",
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ),
    ("HOSTNAME", "0123456789ab"),
    ("HOME", "/root"),
];

/// An invocation the start-up lines measure: pidone's flags, and the peers' nearest
/// equivalents.
struct Invocation {
    /// pidone's flags; none for the plain `INIT -- /bin/true`.
    pidone: &'static [&'static str],
    /// A peer's flags for the same, empty where its default does it already; a peer not
    /// listed has no equivalent and runs without, which its cell says.
    peers: &'static [(&'static str, &'static [&'static str])],
}

const INVOCATIONS: [Invocation; 4] = [
    Invocation {
        pidone: &[],
        peers: &[],
    },
    Invocation {
        pidone: &["-g"],
        peers: &[
            ("tini-static", &["-g"]),
            ("tini", &["-g"]),
            // dumb-init forwards to the child's process group unless told -c.
            ("dumb-init", &[]),
            ("catatonit", &["-g"]),
        ],
    },
    Invocation {
        pidone: &["--grace=1s"],
        peers: &[],
    },
    Invocation {
        pidone: &["--rewrite", "15:3"],
        peers: &[("dumb-init", &["--rewrite", "15:3"])],
    },
];

impl Invocation {
    /// `pidone --grace=1s -- /bin/true`, as the metric names it.
    fn label(&self) -> String {
        let flags: String = self.pidone.iter().map(|f| format!("{f} ")).collect();
        format!("INIT {flags}-- /bin/true")
    }

    /// The flags `candidate` runs with, and what its cell should say about them.
    fn flags_of(&self, candidate: &str) -> (&'static [&'static str], Option<&'static str>) {
        if candidate == "pidone" {
            return (self.pidone, None);
        }
        if self.pidone.is_empty() {
            return (&[], None);
        }
        match self.peers.iter().find(|(peer, _)| *peer == candidate) {
            Some((_, [])) => (&[], Some("its default")),
            Some((_, flags)) => (flags, None),
            None => (&[], Some("no such option: run without")),
        }
    }
}

/// `COMMAND --pid ... [WRAPPER...] INIT FLAGS -- /bin/true`, COMMAND being `unshare` or a
/// tracer running it: the init as PID 1 of a new PID namespace, in the container
/// environment, run by `wrapper` if any.
fn start_up(mut command: Command, wrapper: &[&str], init: &Path, flags: &[&str]) -> Command {
    command
        .args(NAMESPACE)
        .args(wrapper)
        .arg(init)
        .args(flags)
        .args(["--", "/bin/true"])
        .env_clear()
        .envs(CONTAINER_ENVIRONMENT)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    command
}

/// Instructions the init runs, counted by callgrind. Valgrind runs its guest in its own
/// process, so under `unshare` the init is PID 1 as in a container.
fn callgrind_instructions(init: &Path, flags: &[&str]) -> Option<f64> {
    let valgrind = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
    ];
    let unshare = Command::new("unshare");
    let output = start_up(unshare, &valgrind, init, flags).output().ok()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr.lines().find(|l| l.contains("Collected :"))?;
    line.rsplit(':').next()?.trim().parse().ok()
}

/// System calls the init makes as PID 1, from its execve to its exit: strace follows
/// `unshare` into the namespace with a file per process, and only the init's is counted —
/// neither unshare's nor its child's, nor those its forked child makes before exec.
fn strace_calls(init: &Path, flags: &[&str]) -> Option<f64> {
    let dir = std::env::temp_dir().join(format!("pidone-bench-strace-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir(&dir).ok()?;
    let mut strace = Command::new("strace");
    strace
        .args(["-ff", "-o"])
        .arg(dir.join("trace"))
        .arg("unshare");
    start_up(strace, &[], init, flags).output().ok()?;
    let exec = format!("execve({:?}, ", init.to_str()?);
    let count = std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .filter_map(|file| std::fs::read_to_string(file.path()).ok())
        .find_map(|trace| {
            let from = trace
                .lines()
                .position(|l| l.starts_with(&exec) && l.ends_with("= 0"))?;
            Some(
                trace
                    .lines()
                    .skip(from)
                    // Signals delivered and the exit are not calls.
                    .filter(|l| !l.starts_with("---") && !l.starts_with("+++"))
                    .count(),
            )
        });
    let _ = std::fs::remove_dir_all(&dir);
    count.map(|n| n as f64)
}

fn file_says(path: &Path) -> String {
    Command::new("file")
        .arg("-L")
        .arg(path)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

fn require(tool: &str, package: &str) {
    let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|d| d.join(tool).is_file());
    if !found {
        die(&format!("{tool} is missing: apt-get install {package}"));
    }
}

struct Report {
    candidates: Vec<&'static str>,
    metrics: Vec<(String, Metric)>,
}

impl Report {
    fn metric(&mut self, name: &str, unit: &'static str) -> &mut Metric {
        self.metrics.push((name.to_string(), Metric::new(unit)));
        &mut self.metrics.last_mut().unwrap().1
    }

    fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = write!(out, "| metric |");
        for c in &self.candidates {
            let _ = write!(out, " {c} |");
        }
        out.push('\n');
        out.push_str(&"|---".repeat(self.candidates.len() + 1));
        out.push_str("|\n");
        for (name, metric) in &self.metrics {
            if metric.unit.is_empty() {
                let _ = write!(out, "| {name} |");
            } else {
                let _ = write!(out, "| {name} ({}) |", metric.unit);
            }
            let base = metric
                .samples
                .get("tini-static")
                .filter(|s| !s.is_empty())
                .map(|s| median(s));
            for c in &self.candidates {
                let cell = if let Some(note) = metric.notes.get(c) {
                    note.clone()
                } else if let Some(samples) = metric.samples.get(c).filter(|s| !s.is_empty()) {
                    let m = median(samples);
                    let (lo, hi) = samples
                        .iter()
                        .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
                    let mut cell = if samples.len() > 1 {
                        format!("{} ({}–{})", fmt(m), fmt(lo), fmt(hi))
                    } else {
                        fmt(m)
                    };
                    if let Some(base) = base.filter(|b| *b > 0.0 && m.is_finite()) {
                        let _ = write!(cell, " ×{:.2}", m / base);
                    }
                    if let Some(remark) = metric.remarks.get(c) {
                        let _ = write!(cell, " ({remark})");
                    }
                    cell
                } else {
                    "–".to_string()
                };
                let _ = write!(out, " {cell} |");
            }
            out.push('\n');
        }
        out
    }

    fn json(&self) -> String {
        let mut out = String::from("{\n");
        for (i, (name, metric)) in self.metrics.iter().enumerate() {
            let _ = write!(out, "  {:?}: {{\"unit\": {:?}", name, metric.unit);
            for c in &self.candidates {
                if let Some(note) = metric.notes.get(c) {
                    let _ = write!(out, ", {:?}: {{\"note\": {:?}}}", c, note);
                } else if let Some(samples) = metric.samples.get(c).filter(|s| !s.is_empty()) {
                    let (lo, hi) = samples
                        .iter()
                        .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
                    let _ = write!(
                        out,
                        ", {:?}: {{\"median\": {}, \"min\": {}, \"max\": {}, \"n\": {}",
                        c,
                        median(samples),
                        lo,
                        hi,
                        samples.len()
                    );
                    if let Some(remark) = metric.remarks.get(c) {
                        let _ = write!(out, ", \"remark\": {remark:?}");
                    }
                    out.push('}');
                }
            }
            out.push('}');
            out.push_str(if i + 1 < self.metrics.len() {
                ",\n"
            } else {
                "\n"
            });
        }
        out.push('}');
        out
    }
}

fn fmt(value: f64) -> String {
    if !value.is_finite() {
        "n/a".to_string()
    } else if value.abs() >= 100.0 || value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("probe") {
        probe::run(&args[1..]);
    }
    let quick = args.iter().any(|a| a == "--quick");
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    // A full run's figures are the ones the README quotes; a quick run's are a smoke check.
    let json_path = value_of("--json").unwrap_or_else(|| {
        if quick {
            "target/bench-quick.json"
        } else {
            "bench/results.json"
        }
        .to_string()
    });
    let top = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let pidone = value_of("--pidone")
        .map(PathBuf::from)
        .unwrap_or_else(|| top.join("target/x86_64-unknown-linux-musl/release/pidone"));
    if !pidone.is_file() {
        die(&format!(
            "{} is missing: cargo build --release --target x86_64-unknown-linux-musl",
            pidone.display()
        ));
    }
    // Run by its full path, as the peers are and as containers name their init.
    let pidone = std::fs::canonicalize(&pidone).unwrap_or(pidone);
    for (tool, package) in [
        ("tini", "tini"),
        ("tini-static", "tini"),
        ("dumb-init", "dumb-init"),
        ("catatonit", "catatonit"),
        ("unshare", "util-linux"),
        ("valgrind", "valgrind"),
        ("strace", "strace"),
        ("file", "file"),
    ] {
        require(tool, package);
    }
    // SAFETY: geteuid has no effects.
    if unsafe { libc::geteuid() } != 0 {
        die("PID namespaces need root");
    }
    let plan = if quick { Plan::quick() } else { Plan::full() };
    let candidates = vec![
        Candidate {
            name: "pidone",
            path: pidone,
            grace_flags: &["--grace"],
        },
        Candidate {
            name: "tini-static",
            path: "/usr/bin/tini-static".into(),
            grace_flags: &[],
        },
        Candidate {
            name: "tini",
            path: "/usr/bin/tini".into(),
            grace_flags: &[],
        },
        Candidate {
            name: "dumb-init",
            path: "/usr/bin/dumb-init".into(),
            grace_flags: &[],
        },
        Candidate {
            name: "catatonit",
            path: "/usr/bin/catatonit".into(),
            grace_flags: &[],
        },
    ];
    let mut report = Report {
        candidates: candidates.iter().map(|c| c.name).collect(),
        metrics: Vec::new(),
    };
    eprintln!(
        "pidone-bench: {} repetitions, candidates interleaved",
        plan.repetitions
    );

    // 1. Binary.
    let size = report.metric("binary size", "bytes");
    for c in &candidates {
        let bytes = std::fs::metadata(&c.path)
            .map(|m| m.len() as f64)
            .unwrap_or(f64::NAN);
        size.samples.insert(c.name, vec![bytes]);
    }
    let linking = report.metric("statically linked", "");
    for c in &candidates {
        let says = file_says(&c.path);
        let is_static = says.contains("statically linked") || says.contains("static-pie");
        linking
            .notes
            .insert(c.name, if is_static { "yes" } else { "no" }.to_string());
    }

    // 2. Memory while the child sleeps.
    let mut hwm = Metric::new("kB");
    let mut rss = Metric::new("kB");
    for _ in 0..plan.repetitions.min(5) {
        for c in &candidates {
            let mut run = Run::start(&c.path, &[], "sleep", &[]);
            run.line();
            let pid = run.init_pid();
            hwm.record(c.name, status_field(pid, "VmHWM:"));
            rss.record(c.name, status_field(pid, "VmRSS:"));
            run.signal(libc::SIGKILL);
            run.wait();
        }
    }
    report.metrics.push(("memory VmHWM".into(), hwm));
    report.metrics.push(("memory VmRSS".into(), rss));

    // 3. Start-up: INIT -- /bin/true against /bin/true alone, both in a new namespace.
    eprintln!("pidone-bench: start-up");
    let mut startup = Metric::new("µs over /bin/true");
    let time = |command: &mut Command| {
        let start = Instant::now();
        command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        start.elapsed().as_secs_f64() * 1e6
    };
    let mut baseline = Vec::new();
    let mut raw: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for _ in 0..plan.repetitions * 2 {
        let mut bare = Command::new("unshare");
        bare.args(["--pid", "--fork", "--mount-proc", "/bin/true"]);
        baseline.push(time(&mut bare));
        for c in &candidates {
            raw.entry(c.name).or_default().push(time(&mut in_namespace(
                &c.path,
                &[],
                &["/bin/true"],
            )));
        }
    }
    let base = median(&baseline);
    for (name, samples) in raw {
        startup
            .samples
            .insert(name, samples.iter().map(|s| s - base).collect());
    }
    report.metrics.push(("start-up overhead".into(), startup));

    // 4. What start-up costs, counted: instructions and system calls, with and without an
    // option.
    eprintln!("pidone-bench: instructions and system calls");
    let mut counted: Vec<(Metric, Metric)> = INVOCATIONS
        .iter()
        .map(|_| (Metric::new("instructions"), Metric::new("calls")))
        .collect();
    for _ in 0..plan.counts {
        for (invocation, (instructions, syscalls)) in INVOCATIONS.iter().zip(&mut counted) {
            for c in &candidates {
                let (flags, remark) = invocation.flags_of(c.name);
                if let Some(remark) = remark {
                    instructions.remarks.insert(c.name, remark.to_string());
                    syscalls.remarks.insert(c.name, remark.to_string());
                }
                if let Some(n) = callgrind_instructions(&c.path, flags) {
                    instructions.record(c.name, n);
                }
                if let Some(n) = strace_calls(&c.path, flags) {
                    syscalls.record(c.name, n);
                }
            }
        }
    }
    let (instructions, syscalls): (Vec<_>, Vec<_>) = counted.into_iter().unzip();
    for (invocation, metric) in INVOCATIONS.iter().zip(instructions) {
        let name = format!(
            "instructions: {} (callgrind; as PID 1, Docker's default environment)",
            invocation.label()
        );
        report.metrics.push((name, metric));
    }
    for (invocation, metric) in INVOCATIONS.iter().zip(syscalls) {
        let name = format!(
            "system calls of the init alone: {} (strace -ff; as PID 1, Docker's default environment)",
            invocation.label()
        );
        report.metrics.push((name, metric));
    }

    // 5. Forwarding latency, and 6. shutdown.
    eprintln!("pidone-bench: forwarding and shutdown");
    let mut latency = Metric::new("µs");
    let mut shutdown = Metric::new("ms");
    let mut direct = Vec::new();
    for _ in 0..plan.repetitions {
        // The baseline: SIGTERM straight to the probe, no init in between.
        let mut probe = Command::new(me())
            .args(["probe", "latency"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(probe.stdout.take().unwrap()).lines();
        lines.next();
        let sent = monotonic_ns();
        // SAFETY: kill has no memory effects.
        unsafe { libc::kill(probe.id() as i32, libc::SIGTERM) };
        let handled: u64 = lines.next().and_then(|l| l.ok()?.parse().ok()).unwrap_or(0);
        direct.push(handled.saturating_sub(sent) as f64 / 1000.0);
        probe.wait().unwrap();
        for c in &candidates {
            let mut run = Run::start(&c.path, &[], "latency", &[]);
            run.line();
            let init = run.init_pid();
            let sent = monotonic_ns();
            let start = Instant::now();
            // SAFETY: kill has no memory effects.
            unsafe { libc::kill(init, libc::SIGTERM) };
            let handled: u64 = run.line().parse().unwrap_or(0);
            latency.record(c.name, handled.saturating_sub(sent) as f64 / 1000.0);
            let code = run.wait();
            shutdown.record(c.name, start.elapsed().as_secs_f64() * 1000.0);
            if code != 0 {
                shutdown.notes.insert(c.name, format!("exit code {code}"));
            }
        }
    }
    latency.samples.insert("direct", direct);
    report
        .metrics
        .push(("forwarding latency SIGTERM to handler".into(), latency));
    report
        .metrics
        .push(("shutdown SIGTERM to exit".into(), shutdown));

    // 7. Reaping.
    eprintln!("pidone-bench: reaping");
    // A burst takes milliseconds and varies widely on a shared VM: it gets every
    // repetition; 20,000 orphans take seconds, and five.
    for (label, mode, count, repetitions) in [
        (
            "reap orphans",
            "orphans",
            plan.orphans,
            plan.repetitions.min(5),
        ),
        ("reap a burst", "burst", plan.burst, plan.repetitions),
    ] {
        let mut wall = Metric::new("ms");
        let mut cpu = Metric::new("ms init CPU");
        let mut left = Metric::new("zombies left");
        for _ in 0..repetitions {
            for c in &candidates {
                let mut run = Run::start(&c.path, &[], mode, &[count.to_string()]);
                run.line();
                let pid = run.init_pid();
                let probe = run.probe_pid();
                let cpu_before = cpu_ns(pid);
                let start = Instant::now();
                // To the probe itself, not through the init: the line measures reaping,
                // not forwarding one signal to a process group of a thousand (pidone's
                // default, tini-static's only with -g).
                // SAFETY: kill has no memory effects.
                unsafe { libc::kill(probe, libc::SIGUSR1) };
                let zombies: f64 = run
                    .line()
                    .trim_start_matches("zombies ")
                    .parse()
                    .unwrap_or(f64::NAN);
                wall.record(c.name, start.elapsed().as_secs_f64() * 1000.0);
                cpu.record(c.name, (cpu_ns(pid) - cpu_before) / 1e6);
                left.record(c.name, zombies);
                run.signal(libc::SIGKILL);
                run.wait();
            }
        }
        report.metrics.push((format!("{label} ({count})"), wall));
        report.metrics.push((format!("{label} ({count})"), cpu));
        report.metrics.push((format!("{label} ({count})"), left));
    }

    // 8. Idle wake-ups.
    eprintln!("pidone-bench: idle wake-ups over {:?}", plan.idle);
    let idle = report.metric("idle wake-ups", "per second");
    let mut runs: Vec<(&str, Run, f64)> = candidates
        .iter()
        .map(|c| {
            let mut run = Run::start(&c.path, &[], "sleep", &[]);
            run.line();
            (c.name, run, 0.0)
        })
        .collect();
    let switches = |pid| {
        status_field(pid, "voluntary_ctxt_switches:")
            + status_field(pid, "nonvoluntary_ctxt_switches:")
    };
    std::thread::sleep(Duration::from_millis(200));
    for (_, run, before) in runs.iter_mut() {
        *before = switches(run.init_pid());
    }
    std::thread::sleep(plan.idle);
    for (name, run, before) in runs {
        let per_second = (switches(run.init_pid()) - before) / plan.idle.as_secs_f64();
        idle.samples.insert(name, vec![per_second]);
        run.signal(libc::SIGKILL);
        run.wait();
    }

    // 9. Signal storm.
    eprintln!("pidone-bench: signal storm");
    let mut seen = Metric::new("SIGUSR1 seen by the child");
    for c in &candidates {
        let mut run = Run::start(&c.path, &[], "count", &[]);
        run.line();
        let pid = run.init_pid();
        for _ in 0..plan.storm {
            // SAFETY: kill has no memory effects.
            unsafe { libc::kill(pid, libc::SIGUSR1) };
        }
        let survived = std::fs::metadata(format!("/proc/{pid}")).is_ok();
        run.signal(libc::SIGTERM);
        let count: f64 = run
            .line()
            .trim_start_matches("usr1 ")
            .parse()
            .unwrap_or(f64::NAN);
        let code = run.wait();
        seen.samples.insert(c.name, vec![count]);
        if !survived || code != 0 {
            seen.notes.insert(
                c.name,
                format!("{} seen, survived {survived}, exit {code}", fmt(count)),
            );
        }
    }
    report
        .metrics
        .push((format!("signal storm ({} SIGUSR1)", plan.storm), seen));

    // 10. Grace escalation.
    eprintln!("pidone-bench: grace escalation");
    let mut escalation = Metric::new("ms after SIGTERM");
    let grace = format!("{}ms", plan.grace.as_millis());
    for c in &candidates {
        for _ in 0..plan.repetitions.min(3) {
            let flags: Vec<&str> = c
                .grace_flags
                .iter()
                .copied()
                .chain((!c.grace_flags.is_empty()).then_some(grace.as_str()))
                .collect();
            let mut run = Run::start(&c.path, &flags, "ignore-term", &[]);
            run.line();
            let start = Instant::now();
            run.signal(libc::SIGTERM);
            let limit = plan.grace * 3;
            let mut process = run.process;
            let ended = loop {
                if process.try_wait().unwrap().is_some() {
                    break Some(start.elapsed());
                }
                if start.elapsed() > limit {
                    break None;
                }
                std::thread::sleep(Duration::from_millis(1));
            };
            match ended {
                Some(after) => escalation.record(c.name, after.as_secs_f64() * 1000.0),
                None => {
                    escalation.notes.insert(
                        c.name,
                        format!("never (still running after {} ms)", limit.as_millis()),
                    );
                    let _ = process.kill();
                    let _ = process.wait();
                    break;
                }
            }
        }
    }
    report
        .metrics
        .push((format!("grace escalation (--grace {grace})"), escalation));

    report.candidates.push("direct");
    let table = report.markdown();
    println!("{table}");
    if let Some(dir) = Path::new(&json_path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(error) = std::fs::write(&json_path, report.json()) {
        die(&format!("cannot write {json_path}: {error}"));
    }
    eprintln!("pidone-bench: wrote {json_path}");
}
