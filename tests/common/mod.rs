//! Runs the real pidone binary — as PID 1 of a new PID namespace, or directly — with the
//! test helper as its application, and observes it through the helper's stdout lines,
//! pidone's stderr, its exit code and /proc.

#![allow(dead_code)]

pub mod recorder;
pub mod scenarios;

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

pub const PIDONE: &str = env!("CARGO_BIN_EXE_pidone");

/// Long enough for a loaded 2-core machine; tests end far sooner when all is well.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// `cargo build --quiet --locked ARGS` into `CARGO_TARGET_TMPDIR/DIR`, a target directory
/// of its own, so the build never waits on the lock of the build that runs the tests;
/// that directory. Panics, naming `what`, when the build fails.
pub fn cargo_build(what: &str, dir: &str, args: &[&str]) -> PathBuf {
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(dir);
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--locked"])
        .args(args)
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap_or_else(|e| panic!("run cargo to build {what}: {e}"));
    assert!(status.success(), "building {what} failed");
    target_dir
}

/// The helper binary, built once per test binary.
pub fn helper() -> &'static Path {
    static HELPER: OnceLock<PathBuf> = OnceLock::new();
    HELPER.get_or_init(|| {
        cargo_build("the test helper", "helper", &["-p", "pidone-test-helper"])
            .join("debug/pidone-test-helper")
    })
}

/// util-linux's unshare, by absolute path: tests give pidone PATHs of their own.
pub fn unshare() -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join("unshare"))
        .find(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from("/usr/bin/unshare"))
}

/// What every test's pidone starts with, however it is wrapped: none of the variables
/// pidone reads from the machine running the tests, no stdin, stdout and stderr read by
/// the test.
pub fn plain(command: &mut Command) {
    // Every variable pidone reads, from pidone's own table of settings.
    for variable in pidone::settings::variables() {
        command.env_remove(variable);
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
}

/// Whether this machine can give pidone a PID namespace. Under CI=true it must.
pub fn namespaces_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let works = Command::new(unshare())
            .args(["--pid", "--fork", "--mount-proc", "true"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !works {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI=true but `unshare --pid --fork --mount-proc` fails: PID-1 tests cannot run"
            );
            eprintln!(
                "skipping PID-1 tests: `unshare --pid --fork --mount-proc` fails (needs root)"
            );
        }
        works
    })
}

/// Skips the calling test when PID namespaces are unavailable (never under CI=true).
#[macro_export]
macro_rules! require_namespaces {
    () => {
        if !common::namespaces_available() {
            return;
        }
    };
}

/// The helper's command line as pidone's COMMAND.
pub fn app(steps: &str) -> Vec<OsString> {
    std::iter::once(helper().as_os_str().to_owned())
        .chain(steps.split_whitespace().map(OsString::from))
        .collect()
}

pub struct Pidone {
    program: PathBuf,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    pid1: bool,
}

impl Pidone {
    pub fn new() -> Self {
        Pidone {
            program: PIDONE.into(),
            args: Vec::new(),
            env: Vec::new(),
            pid1: true,
        }
    }

    /// Runs pidone under another name — a link to it named tini, say.
    pub fn invoked_as(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = program.into();
        self
    }

    /// Runs pidone as an ordinary process of this machine instead of PID 1.
    pub fn not_pid1(mut self) -> Self {
        self.pid1 = false;
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The command, before it starts, for tests that adjust it.
    pub fn command(&self) -> Command {
        let mut command = if self.pid1 {
            let mut c = Command::new(unshare());
            // --kill-child: if the test dies, pidone's namespace dies with it.
            c.args(["--pid", "--fork", "--mount-proc", "--kill-child"])
                .arg(&self.program);
            c
        } else {
            Command::new(&self.program)
        };
        command.args(&self.args);
        plain(&mut command);
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    pub fn start(self) -> Running {
        self.start_command(self.command())
    }

    /// Starts `command`. Its stdout and stderr are read line by line where they are pipes;
    /// a test that hands pidone other descriptors (closed, broken) sees no lines.
    pub fn start_command(&self, mut command: Command) -> Running {
        let mut process = command.spawn().expect("start pidone");
        let stdout = process.stdout.take();
        let stderr = process.stderr.take();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            let Some(stdout) = stdout else { return };
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (err_tx, stderr_lines) = channel();
        let stderr = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let Some(mut stderr) = stderr else {
                return String::new();
            };
            let mut reader = BufReader::new(&mut stderr);
            loop {
                let mut line = Vec::new();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let _ = err_tx.send(String::from_utf8_lossy(&line).trim_end().to_string());
                        bytes.extend(line);
                    }
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        });
        Running {
            process: Some(process),
            pid1: self.pid1,
            lines,
            seen: Vec::new(),
            stderr_lines,
            stderr: Some(stderr),
        }
    }

    /// Runs to completion.
    pub fn run(self) -> Outcome {
        self.start().finish()
    }
}

pub struct Running {
    process: Option<std::process::Child>,
    pid1: bool,
    lines: Receiver<String>,
    seen: Vec<String>,
    /// pidone's stderr, line by line as it is written.
    stderr_lines: Receiver<String>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: Vec<String>,
    pub stderr: String,
}

impl Outcome {
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }

    /// pidone's warning that it is sending SIGKILL, which must be there.
    pub fn kill_warning(&self) -> &str {
        let warning = self.stderr.lines().find(|l| l.contains("SIGKILL"));
        let warning = warning.unwrap_or_else(|| panic!("no SIGKILL warning in {:?}", self.stderr));
        assert!(warning.starts_with("pidone: warning: "), "{warning}");
        warning
    }
}

/// The pid in a helper's "NAME: pid P ppid Q sid S pgid G" line.
pub fn pid_in(line: &str) -> i32 {
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}

/// A fresh path under the test target directory, unique to the calling test.
pub fn scratch_path(name: &str) -> std::path::PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_dir_all(&path);
    path
}

impl Running {
    /// Waits for the application to print a line starting with `needle`; returns it.
    pub fn expect_line(&mut self, needle: &str) -> String {
        self.expect_line_within(needle, PATIENCE)
    }

    /// The lines the application prints from now on, up to and including the first that
    /// starts with `needle`; lines seen before the call are not looked at.
    pub fn next_lines_until(&mut self, needle: &str) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        let mut lines = Vec::new();
        loop {
            match self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => {
                    self.seen.push(line.clone());
                    let found = line.starts_with(needle);
                    lines.push(line);
                    if found {
                        return lines;
                    }
                }
                Err(error) => panic!("no new line with {needle:?} ({error}); got {lines:?}"),
            }
        }
    }

    /// As `expect_line`, for events that take longer than usual.
    pub fn expect_line_within(&mut self, needle: &str, patience: Duration) -> String {
        if let Some(line) = self.seen.iter().find(|l| l.starts_with(needle)) {
            return line.clone();
        }
        let deadline = Instant::now() + patience;
        loop {
            match self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.starts_with(needle) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no line with {needle:?}; saw {:?}", self.seen)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "stdout closed before a line with {needle:?}; saw {:?}",
                        self.seen
                    )
                }
            }
        }
    }

    /// Waits for pidone to write a line to stderr that contains `needle`; returns it.
    pub fn expect_stderr_line(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self
                .stderr_lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(error) => panic!("no stderr line with {needle:?}: {error}"),
            }
        }
    }

    /// pidone's pid on this machine.
    pub fn pid(&self) -> i32 {
        self.try_pid().expect("pidone is running")
    }

    fn try_pid(&self) -> Option<i32> {
        let outer = self.process.as_ref().expect("still running").id() as i32;
        if !self.pid1 {
            return Some(outer);
        }
        // unshare --fork runs pidone as its only child.
        let children =
            std::fs::read_to_string(format!("/proc/{outer}/task/{outer}/children")).ok()?;
        children.split_whitespace().next()?.parse().ok()
    }

    /// Waits until pidone sleeps in its supervision loop: everything it does after
    /// spawning is done, and only a signal wakes it.
    pub fn await_idle(&self) {
        let pid = self.pid_when_running();
        let wchan = || std::fs::read_to_string(format!("/proc/{pid}/wchan")).unwrap_or_default();
        eventually("pidone sleeps in sigtimedwait", || {
            wchan().contains("sigtimedwait")
        });
    }

    /// pidone's child's pid on this machine.
    pub fn child_pid(&self) -> i32 {
        let pid = self.pid();
        let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap();
        children
            .split_whitespace()
            .next()
            .expect("pidone has a child")
            .parse()
            .unwrap()
    }

    /// pidone's pid on this machine, once unshare has started it.
    pub fn pid_when_running(&self) -> i32 {
        let mut pid = None;
        eventually("pidone has started", || {
            pid = self.try_pid();
            pid.is_some()
        });
        pid.unwrap()
    }

    pub fn signal(&self, signal: i32) {
        // SAFETY: kill has no memory effects.
        let result = unsafe { libc::kill(self.pid(), signal) };
        assert_eq!(
            result,
            0,
            "kill pidone: {}",
            std::io::Error::last_os_error()
        );
    }

    /// Waits for pidone to exit; kills it and fails the test if it does not in time.
    pub fn finish(self) -> Outcome {
        self.finish_within(PATIENCE).0
    }

    /// Waits for pidone to exit, and says when it did.
    pub fn finish_within(mut self, patience: Duration) -> (Outcome, Instant) {
        let mut process = self.process.take().expect("not finished yet");
        let pid = process.id() as i32;
        let (tx, exited) = channel();
        std::thread::spawn(move || {
            let status = process.wait();
            let _ = tx.send((status, Instant::now()));
        });
        let (status, at) = match exited.recv_timeout(patience) {
            Ok((status, at)) => (status.expect("wait for pidone"), at),
            Err(_) => {
                // SAFETY: kill has no memory effects; the process is not reaped yet.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                panic!(
                    "pidone did not exit in {patience:?}; stdout so far {:?}",
                    self.seen
                );
            }
        };
        self.seen.extend(self.lines.iter());
        let stderr = self.stderr.take().unwrap().join().unwrap();
        use std::os::unix::process::ExitStatusExt;
        let code = status
            .code()
            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
        (
            Outcome {
                code,
                stdout: std::mem::take(&mut self.seen),
                stderr,
            },
            at,
        )
    }
}

impl Drop for Running {
    /// A failed test leaves nothing running: as PID 1, killing unshare (--kill-child)
    /// empties the namespace; otherwise every descendant of pidone is killed too.
    fn drop(&mut self) {
        let Some(process) = self.process.as_mut() else {
            return;
        };
        let family = if self.pid1 {
            Vec::new()
        } else {
            descendants(process.id() as i32)
        };
        let _ = process.kill();
        for pid in family {
            // SAFETY: kill has no memory effects.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        let _ = process.wait();
    }
}

/// The pids below `pid` in the process tree.
fn descendants(pid: i32) -> Vec<i32> {
    let children =
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    children
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .flat_map(|c| std::iter::once(c).chain(descendants(c)))
        .collect()
}

/// Whether README.md says `sentence`, word for word (line breaks and runs of blanks aside):
/// each intended difference from a peer must be written there.
pub fn readme_says(sentence: &str) -> bool {
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    words(include_str!("../../README.md")).contains(&words(sentence))
}

/// A link to pidone named `name` (tini, dumb-init, ...), in a directory of its own.
pub fn pidone_named(name: &str) -> PathBuf {
    let dir = scratch_path(&format!("as-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join(name);
    std::os::unix::fs::symlink(PIDONE, &link).unwrap();
    link
}

/// A process the test started itself, killed when the test ends however it ends.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A process's resident set size in kB, from /proc/PID/status.
pub fn rss_kb(pid: i32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

/// Fields of /proc/PID/stat: state, ppid, pgrp.
pub fn stat(pid: i32) -> Option<(char, i32, i32)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(") ")? + 2..];
    let mut fields = rest.split(' ');
    let state = fields.next()?.chars().next()?;
    Some((
        state,
        fields.next()?.parse().ok()?,
        fields.next()?.parse().ok()?,
    ))
}

/// Pids of this machine in the same PID namespace as `pid`, and their states.
pub fn namespace_members(pid: i32) -> Vec<(i32, char)> {
    let Ok(ns) = std::fs::read_link(format!("/proc/{pid}/ns/pid")) else {
        return Vec::new();
    };
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|p| std::fs::read_link(format!("/proc/{p}/ns/pid")).is_ok_and(|n| n == ns))
        .filter_map(|p| Some((p, stat(p)?.0)))
        .collect()
}

/// Signals 32 to 34 — kept by glibc (32, 33) or musl (32 to 34) for their threads, and
/// left out by their sigaddset and sigprocmask — reach pidone, not as PID 1 (where an
/// unhandled one would kill it), and are forwarded; 34 is SIGRTMIN to the (glibc) app.
pub fn assert_forwards_the_c_librarys_own_signals(pidone: Pidone) {
    let mut running = pidone
        .not_pid1()
        .args(["-vv"])
        .args(app("on RTMIN record on USR2 exit 0 ready wait"))
        .start();
    running.expect_line("app: ready");
    running.await_idle();
    for (signal, name) in [(32, "SIGRTMIN-2"), (33, "SIGRTMIN-1"), (34, "SIGRTMIN")] {
        running.signal(signal);
        running.expect_stderr_line(&format!("forwarded {name} to"));
    }
    running.expect_line("app: got SIGRTMIN");
    running.signal(libc::SIGUSR2);
    let outcome = running.finish();
    assert_eq!(outcome.code, 0, "{outcome:?}");
}

/// Zombies left in the PID namespace of `pid`.
pub fn zombies_in_namespace_of(pid: i32) -> usize {
    namespace_members(pid)
        .into_iter()
        .filter(|&(_, state)| state == 'Z')
        .count()
}

/// Polls a condition that no pipe or file can announce (the state of the process table).
pub fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// pidone's name for signal number `number` (`SIGUSR1`, `SIGRTMIN+3`), which the helper
/// prints too. Panics on a number that is not a signal.
pub fn signal_name(number: i32) -> String {
    pidone::signals::Signal::new(number)
        .unwrap_or_else(|| panic!("{number} is not a signal"))
        .to_string()
}

/// The "name: got SIGxxx" lines of one process, in order.
pub fn signals_seen<'a>(lines: &'a [String], name: &str) -> Vec<&'a str> {
    let prefix = format!("{name}: got ");
    lines
        .iter()
        .filter_map(|l| l.strip_prefix(prefix.as_str()))
        .collect()
}

/// A process started as the session leader of a new pty, which is its controlling
/// terminal, with stdin, stdout and stderr on it: the pty's master side, and what the
/// terminal shows, chunk by chunk, until no process holds the pty any more.
pub struct OnPty {
    pub master: std::fs::File,
    pub output: Receiver<Vec<u8>>,
    pub process: std::process::Child,
}

/// Starts `command` on a new pty (see [`OnPty`]). `raw` turns echo and output processing
/// off, as dumb-init's tests set their terminal.
pub fn start_on_pty(mut command: Command, raw: bool) -> OnPty {
    use std::io::Read;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty fills in two new descriptors.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened and are owned here.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    if raw {
        // SAFETY: termios is plain data, filled in by tcgetattr.
        unsafe {
            let mut attrs: libc::termios = std::mem::zeroed();
            libc::tcgetattr(slave.as_raw_fd(), &mut attrs);
            attrs.c_oflag &= !libc::OPOST;
            attrs.c_lflag &= !libc::ECHO;
            libc::tcsetattr(slave.as_raw_fd(), libc::TCSANOW, &attrs);
        }
    }
    command
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    // SAFETY: setsid and ioctl are async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            libc::ioctl(0, libc::TIOCSCTTY, 0);
            Ok(())
        });
    }
    let process = command.spawn().unwrap();
    // The slave's last copies outside the child go with the command.
    drop(command);
    let master = std::fs::File::from(master);
    let mut reader = master.try_clone().unwrap();
    let (tx, output) = channel();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        // Ends with EIO once every process holding the slave is gone.
        while let Ok(n) = reader.read(&mut buffer) {
            if n == 0 || tx.send(buffer[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    OnPty {
        master,
        output,
        process,
    }
}

/// The arguments of the system call pidone sleeps in, once it sleeps in rt_sigtimedwait:
/// `(set, info, timeout, size)` as /proc/PID/syscall shows them.
pub fn sleeping_in_sigtimedwait(pid: i32) -> Vec<String> {
    let mut arguments = Vec::new();
    eventually("pidone sleeps in rt_sigtimedwait", || {
        let line = std::fs::read_to_string(format!("/proc/{pid}/syscall")).unwrap_or_default();
        let mut fields = line.split_whitespace().map(str::to_string);
        if fields.next() != Some(libc::SYS_rt_sigtimedwait.to_string()) {
            return false;
        }
        arguments = fields.take(4).collect();
        true
    });
    arguments
}

// --- Shared by faults.rs and shutdown_phases.rs --------------------------------------------

/// pidone's warning lines.
pub fn warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("pidone: warning: "))
        .collect()
}

/// Sends `signal` to `pid`; the kill must succeed.
pub fn kill(pid: i32, signal: i32) {
    // SAFETY: kill has no memory effects.
    assert_eq!(
        unsafe { libc::kill(pid, signal) },
        0,
        "kill({pid}, {signal}): {}",
        std::io::Error::last_os_error()
    );
}

/// Stops `pid` with SIGSTOP and waits until /proc shows it stopped. Only SIGSTOP and
/// SIGKILL from outside its namespace reach a PID 1 whatever it blocks.
pub fn freeze(pid: i32) {
    kill(pid, libc::SIGSTOP);
    eventually("the process is stopped", || state(pid) == 'T');
}

/// The state letter of /proc/PID/stat (`R`, `S`, `T`, `Z`, ...), `?` once `pid` is gone.
pub fn state(pid: i32) -> char {
    stat(pid).map_or('?', |(state, _, _)| state)
}

/// Sends `signal` to a process through a pidfd, so a recycled pid can never be hit: the
/// sender stops when the process is gone or `stop` is set.
pub fn flood(
    pid: i32,
    signal: i32,
    every: Duration,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<u64> {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::sync::atomic::Ordering;
    // SAFETY: pidfd_open returns a new descriptor or -1.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) } as i32;
    assert!(
        pidfd >= 0,
        "pidfd_open: {}",
        std::io::Error::last_os_error()
    );
    let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd) };
    std::thread::spawn(move || {
        use std::os::fd::AsRawFd;
        let mut sent = 0;
        while !stop.load(Ordering::Relaxed) {
            // SAFETY: signals the process the pidfd refers to, and nothing else.
            let result = unsafe {
                libc::syscall(
                    libc::SYS_pidfd_send_signal,
                    pidfd.as_raw_fd(),
                    signal,
                    std::ptr::null::<libc::siginfo_t>(),
                    0,
                )
            };
            if result != 0 {
                break;
            }
            sent += 1;
            std::thread::sleep(every);
        }
        sent
    })
}
