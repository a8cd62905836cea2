//! The behavioural tests of tini's and dumb-init's own test suites, as our own tests: each
//! runs pidone under the peer's name and asserts what the original asserts — and, where
//! that is cheap, runs the same scenario against the real peer first, which checks that the
//! test asserts what the peer really does.
//!
//! tini: `test/run_inner_tests.py` (tini not PID 1, as in its test container) and
//! `test/run_outer_tests.py` (tini as a container's PID 1: here PID 1 of a new PID
//! namespace). dumb-init: `tests/*_test.py` (dumb-init not PID 1), whose fixtures set
//! `DUMB_INIT_SETSID` and `DUMB_INIT_DEBUG` (both empty unless a fixture sets them), and the
//! older `tests/test-zombies` (dumb-init as PID 1).
//!
//! Where the original asserts something pidone does differently on purpose (README,
//! "Differences that remain": the drain as PID 1, exit 127/126 for exec failures, the text
//! of version, help and licence, log wording), the test asserts pidone's documented
//! behaviour and its doc comment says so.
//!
//! Longer than about 450 lines because it is the port of two upstream suites, one section
//! per upstream file, sharing the fixtures at the top (the peers' paths, dumb-init's modes,
//! `KillPids`) and the pty of `Tty`, which tini's and dumb-init's terminal tests both use.

mod common;

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use common::{Outcome, Pidone, Running, app, helper, pid_in, pidone_named, signals_seen};

const REAL_TINI: &str = "/usr/bin/tini";
const REAL_TINI_STATIC: &str = "/usr/bin/tini-static";
const REAL_DUMB_INIT: &str = "/usr/bin/dumb-init";

/// How long a peer takes at most to exit where it exits at once: a failure, not a hang.
const PROMPTLY: Duration = Duration::from_secs(5);

/// The values dumb-init's fixtures give DUMB_INIT_SETSID and DUMB_INIT_DEBUG (pidone reads
/// both as dumb-init does: only `0` turns setsid off, only `1` turns debug output on).
const BOTH_MODES: [&str; 2] = ["1", "0"];

/// The real tini, then pidone under the name tini.
fn tinis() -> [PathBuf; 2] {
    [REAL_TINI.into(), pidone_named("tini")]
}

/// The real tini and tini-static, as a container's entrypoint, then pidone as tini.
fn tini_entrypoints() -> [PathBuf; 3] {
    [
        REAL_TINI.into(),
        REAL_TINI_STATIC.into(),
        pidone_named("tini"),
    ]
}

/// The real dumb-init, then pidone under the name dumb-init.
fn dumb_inits() -> [PathBuf; 2] {
    [REAL_DUMB_INIT.into(), pidone_named("dumb-init")]
}

/// Each dumb-init (the real one, then pidone under its name) in each of dumb-init's fixture
/// modes: `DUMB_INIT_SETSID` and `DUMB_INIT_DEBUG` each `1` and `0`.
fn every_mode() -> Vec<(PathBuf, &'static str, &'static str)> {
    let mut modes = Vec::new();
    for program in dumb_inits() {
        for setsid in BOTH_MODES {
            for debug in BOTH_MODES {
                modes.push((program.clone(), setsid, debug));
            }
        }
    }
    modes
}

fn is_peer(program: &Path) -> bool {
    program.starts_with("/usr/bin")
}

/// dumb-init not PID 1, with its fixtures' environment.
fn dumb_init(program: &Path, setsid: &str, debug: &str) -> Pidone {
    Pidone::new()
        .not_pid1()
        .invoked_as(program)
        .env("DUMB_INIT_SETSID", setsid)
        .env("DUMB_INIT_DEBUG", debug)
}

/// The name the helper prints for `signal`: pidone's own.
fn name(signal: i32) -> String {
    common::signal_name(signal)
}

fn kill(pid: i32, signal: i32) {
    // SAFETY: kill has no memory effects.
    unsafe { libc::kill(pid, signal) };
}

/// The next signal `process` reports; it may report nothing else first.
fn next_signal(running: &mut Running, process: &str) -> String {
    let prefix = format!("{process}: got ");
    let lines = running.next_lines_until(&prefix);
    let own: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with(&format!("{process}: ")))
        .collect();
    assert_eq!(own.len(), 1, "{lines:?}");
    own[0][prefix.len()..].to_string()
}

/// The direct children of `pid`, zombies included.
fn children_of(pid: i32) -> Vec<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .collect()
}

fn state(pid: i32) -> Option<char> {
    common::stat(pid).map(|(state, _, _)| state)
}

fn alive(pid: i32) -> bool {
    state(pid).is_some_and(|s| s != 'Z' && s != 'X')
}

/// Whether `pid` — a child of this test not waited for yet, or a process of this machine —
/// exits within `patience`.
fn exits_within(pid: i32, patience: Duration) -> bool {
    let deadline = Instant::now() + patience;
    while alive(pid) {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

/// Helper processes that may outlive pidone (left to its parent when it exits), SIGKILLed
/// when the test ends however it ends.
struct KillPids(Vec<i32>);

impl Drop for KillPids {
    /// Only pids that still run the helper: one that has exited may be another process's
    /// by now.
    fn drop(&mut self) {
        let helper = std::fs::canonicalize(helper()).unwrap_or_default();
        for &pid in &self.0 {
            if std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == helper) {
                kill(pid, libc::SIGKILL);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// tini: test/run_inner_tests.py (tini is not PID 1)
// ---------------------------------------------------------------------------------------

/// The three ways run_inner_tests.py makes tini a child subreaper.
#[derive(Clone, Copy, Debug)]
enum Subreaper {
    /// `test/subreaper-proxy.py`: the process that execs tini registers first.
    Proxy,
    /// `tini -s`.
    Flag,
    /// `TINI_SUBREAPER=""`.
    Variable,
}

const SUBREAPERS: [Subreaper; 3] = [Subreaper::Proxy, Subreaper::Flag, Subreaper::Variable];

fn start_tini(program: &Path, subreaper: Subreaper, args: &[&str], steps: &str) -> Running {
    let mut tini = Pidone::new().not_pid1().invoked_as(program);
    match subreaper {
        Subreaper::Flag => tini = tini.args(["-s"]),
        Subreaper::Variable => tini = tini.env("TINI_SUBREAPER", ""),
        Subreaper::Proxy => {}
    }
    let tini = tini.args(args.iter().copied()).args(app(steps));
    let mut command = tini.command();
    if let Subreaper::Proxy = subreaper {
        // SAFETY: prctl is async-signal-safe; the attribute survives exec.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1);
                Ok(())
            });
        }
    }
    tini.start_command(command)
}

/// test/reaping/stage_1.py's scenario: the application leaves 100 orphans behind and exits
/// 0 once none of them is left among init's children (the test watches, then says so with
/// SIGUSR1).
const REAPING: &str = "print-pid orphans 100 on USR1 exit 0 ready wait";

/// Waits until init has reaped every orphan of REAPING, then lets the application exit.
fn reaping_outcome(mut running: Running) -> Outcome {
    let app = pid_in(&running.expect_line("app: pid"));
    running.expect_line("app: ready");
    let init = running.pid();
    common::eventually("init has reaped every orphan", || {
        children_of(init) == [app]
    });
    kill(app, libc::SIGUSR1);
    running.finish()
}

/// test/run_inner_tests.py::main, "exit code test": `-e CODE` remaps CODE to 0, and `-e`
/// for every other code leaves CODE as it is.
#[test]
fn tini_exit_code_test() {
    for program in tinis() {
        std::thread::scope(|scope| {
            for first in 0..8 {
                let program = &program;
                scope.spawn(move || {
                    for code in (first..256).step_by(8) {
                        let inclusive = Pidone::new()
                            .not_pid1()
                            .invoked_as(program)
                            .args(["-e", &code.to_string(), "--"])
                            .args(app(&format!("exit {code}")))
                            .run();
                        assert_eq!(inclusive.code, 0, "{program:?} -e {code}: {inclusive:?}");
                        let others = (0..256)
                            .filter(|&other| other != code)
                            .flat_map(|other| ["-e".to_string(), other.to_string()]);
                        let exclusive = Pidone::new()
                            .not_pid1()
                            .invoked_as(program)
                            .env("POSIXLY_CORRECT", "1")
                            .args(others)
                            .args(app(&format!("exit {code}")))
                            .run();
                        assert_eq!(
                            exclusive.code, code,
                            "{program:?} exit {code}: {exclusive:?}"
                        );
                    }
                });
            }
        });
    }
}

/// test/run_inner_tests.py::main, "reaping test": as a subreaper (proxy, -s,
/// TINI_SUBREAPER), tini reaps the orphans, exits 0, and neither warns that reaping will not
/// work nor reports reaping them.
#[test]
fn tini_reaping_test() {
    for program in tinis() {
        for subreaper in SUBREAPERS {
            let outcome = reaping_outcome(start_tini(&program, subreaper, &[], REAPING));
            assert_eq!(outcome.code, 0, "{program:?} {subreaper:?}: {outcome:?}");
            for warning in [
                "zombie reaping won't work",
                "Reaped zombie process with pid=",
                "reaped process",
            ] {
                assert!(
                    !outcome.stderr.contains(warning),
                    "{program:?} {subreaper:?}: {}",
                    outcome.stderr
                );
            }
        }
    }
}

/// test/run_inner_tests.py::main, "reaping display test": with -w, tini reports the orphans
/// it reaps and exits 0. pidone's report has its own wording (README: "-w and every log
/// line have pidone's wording").
#[test]
fn tini_reaping_display_test() {
    for program in tinis() {
        for subreaper in SUBREAPERS {
            let outcome = reaping_outcome(start_tini(&program, subreaper, &["-w"], REAPING));
            assert_eq!(outcome.code, 0, "{program:?} {subreaper:?}: {outcome:?}");
            let report = if is_peer(&program) {
                "Reaped zombie process with pid="
            } else {
                "pidone: warning: reaped process"
            };
            assert!(
                outcome.stderr.contains(report),
                "{program:?} {subreaper:?}: {}",
                outcome.stderr
            );
        }
    }
}

/// test/run_inner_tests.py::main, "signals test": SIGTERM, SIGUSR1 or SIGUSR2 sent to tini
/// kills a child that does not handle it, and tini exits 128 + N.
#[test]
fn tini_signals_test() {
    for program in tinis() {
        for subreaper in SUBREAPERS {
            for signal in [libc::SIGTERM, libc::SIGUSR1, libc::SIGUSR2] {
                let mut running = start_tini(&program, subreaper, &[], "ready wait");
                running.expect_line("app: ready");
                running.signal(signal);
                let outcome = running.finish();
                assert_eq!(
                    outcome.code,
                    128 + signal,
                    "{program:?} {subreaper:?} {}: {outcome:?}",
                    name(signal)
                );
            }
        }
    }
}

/// test/pgroup/stage_1.py's scenario: a child that ignores SIGUSR1 waits for its own child,
/// which does not. tini sends SIGUSR1 to the whole group: the grandchild dies, the child
/// returns, tini exits.
fn process_group_test(tini: Pidone) {
    let mut running = tini
        .args(app(
            "spawn { as grandchild ready wait } as child on USR1 record ready wait-children exit 0",
        ))
        .start();
    running.expect_line("grandchild: ready");
    running.expect_line("child: ready");
    running.signal(libc::SIGUSR1);
    let outcome = running.finish();
    assert_eq!(outcome.code, 0, "{outcome:?}");
}

/// test/run_inner_tests.py::main, "process group test (arguments)": `tini -g` signals the
/// child's whole process group.
#[test]
fn tini_process_group_test_arguments() {
    for program in tinis() {
        process_group_test(Pidone::new().not_pid1().invoked_as(&program).args(["-g"]));
    }
}

/// test/run_inner_tests.py::main, "process group test (environment variable)":
/// `TINI_KILL_PROCESS_GROUP=1` does what -g does.
#[test]
fn tini_process_group_test_environment_variable() {
    for program in tinis() {
        process_group_test(
            Pidone::new()
                .not_pid1()
                .invoked_as(&program)
                .env("TINI_KILL_PROCESS_GROUP", "1"),
        );
    }
}

/// test/run_inner_tests.py::main, "zombie reaping failure test": tini neither PID 1 nor a
/// subreaper (environment: only TINI_VERBOSITY=1) warns "zombie reaping won't work", and
/// the reaping test fails. pidone differs on purpose (README: "subreaping is always on when
/// not PID 1, without tini's warning"): it reaps the orphans, does not warn, and exits 0.
#[test]
fn tini_zombie_reaping_failure_test() {
    for program in tinis() {
        let tini = Pidone::new()
            .not_pid1()
            .invoked_as(&program)
            .args(app(REAPING));
        let mut command = tini.command();
        command.env_clear().env("TINI_VERBOSITY", "1");
        let running = tini.start_command(command);
        if is_peer(&program) {
            let mut running = running;
            let app = pid_in(&running.expect_line("app: pid"));
            running.expect_line("app: ready");
            kill(app, libc::SIGUSR1);
            let outcome = running.finish();
            assert!(
                outcome.stderr.contains("zombie reaping won't work"),
                "{}",
                outcome.stderr
            );
        } else {
            let outcome = reaping_outcome(running);
            assert_eq!(outcome.code, 0, "{outcome:?}");
            assert!(
                !outcome.stderr.contains("zombie reaping"),
                "{}",
                outcome.stderr
            );
        }
    }
}

/// Whether bit `signal` is set in a /proc/PID/status mask.
fn in_mask(mask: &str, signal: i32) -> bool {
    u64::from_str_radix(mask, 16).unwrap() & (1 << (signal - 1)) != 0
}

/// test/run_inner_tests.py::main, "signal configuration test" (test/sigconf/sigconf-test.c):
/// tini started with SIGTTOU, SIGSEGV and SIGINT ignored and SIGTTIN, SIGILL and SIGTERM
/// blocked hands its child the same ignored and blocked signals.
#[test]
fn tini_signal_configuration_test() {
    for program in tinis() {
        let tini = Pidone::new()
            .not_pid1()
            .invoked_as(&program)
            .args(app("print-sigstate"));
        let mut command = tini.command();
        // SAFETY: signal and sigprocmask are async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                for ignored in [libc::SIGTTOU, libc::SIGSEGV, libc::SIGINT] {
                    libc::signal(ignored, libc::SIG_IGN);
                }
                let mut set = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                for blocked in [libc::SIGTTIN, libc::SIGILL, libc::SIGTERM] {
                    libc::sigaddset(&mut set, blocked);
                }
                libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
                Ok(())
            });
        }
        let outcome = tini.start_command(command).finish();
        assert_eq!(outcome.code, 0, "{outcome:?}");
        let fields: Vec<&str> = outcome.stdout[0].split_whitespace().collect();
        let (blocked, ignored) = (fields[2], fields[4]);
        for signal in [libc::SIGTTOU, libc::SIGSEGV, libc::SIGINT] {
            assert!(
                in_mask(ignored, signal),
                "{program:?}: {} not ignored: {outcome:?}",
                name(signal)
            );
        }
        for signal in [libc::SIGTTIN, libc::SIGILL, libc::SIGTERM] {
            assert!(
                in_mask(blocked, signal),
                "{program:?}: {} not blocked: {outcome:?}",
                name(signal)
            );
        }
    }
}

/// test/run_inner_tests.py::main, "parent death signal test" (test/pdeathsignal/): with
/// `-p SIGUSR1`, tini receives SIGUSR1 when its parent is SIGKILLed and forwards it to its
/// child.
#[test]
fn tini_parent_death_signal_test() {
    for program in tinis() {
        let steps = format!(
            "spawn {{ exec {} -vvv -p SIGUSR1 -- {} as app print-pid on USR1 exit 0 ready wait }} as parent ready wait",
            program.display(),
            helper().display()
        );
        let mut command = Command::new(helper());
        command.args(steps.split_whitespace());
        common::plain(&mut command);
        command.stderr(Stdio::null());
        let mut parent = command.spawn().unwrap();
        let stdout = parent.stdout.take().unwrap();
        let parent = common::KillOnDrop(parent);
        let mut lines =
            std::io::BufRead::lines(std::io::BufReader::new(stdout)).map_while(Result::ok);
        let mut await_line = |prefix: &str| {
            lines
                .find(|l| l.starts_with(prefix))
                .unwrap_or_else(|| panic!("{program:?}: no line {prefix:?}"))
        };
        let app = pid_in(&await_line("app: pid"));
        let _app = KillPids(vec![app]);
        await_line("app: ready");
        kill(parent.0.id() as i32, libc::SIGKILL);
        await_line("app: got SIGUSR1");
    }
}

// ---------------------------------------------------------------------------------------
// tini: test/run_outer_tests.py (tini is a container's PID 1, with TINI_VERBOSITY=3)
// ---------------------------------------------------------------------------------------

fn tini_pid1(program: &Path) -> Pidone {
    Pidone::new().invoked_as(program).env("TINI_VERBOSITY", "3")
}

/// test/run_outer_tests.py::main, "reaping test": tini as PID 1 reaps every orphan of
/// test/reaping/stage_1.py and exits 0.
#[test]
fn tini_outer_reaping_test() {
    require_namespaces!();
    for program in tini_entrypoints() {
        let mut running = tini_pid1(&program).args(app(REAPING)).start();
        running.expect_line("app: ready");
        let init = running.pid();
        let app = running.child_pid();
        common::eventually("init has reaped every orphan", || {
            children_of(init) == [app] && common::zombies_in_namespace_of(init) == 0
        });
        kill(app, libc::SIGUSR1);
        let outcome = running.finish();
        assert_eq!(outcome.code, 0, "{program:?}: {outcome:?}");
    }
}

/// test/run_outer_tests.py::main, "signals test": `docker kill -s TERM`, `USR1`, `USR2` end
/// a child that does not handle them; tini exits 143, 138, 140.
#[test]
fn tini_outer_signals_test() {
    require_namespaces!();
    for program in tini_entrypoints() {
        for (signal, code) in [
            (libc::SIGTERM, 143),
            (libc::SIGUSR1, 138),
            (libc::SIGUSR2, 140),
        ] {
            let mut running = tini_pid1(&program).args(app("ready wait")).start();
            running.expect_line("app: ready");
            running.signal(signal);
            let outcome = running.finish();
            assert_eq!(
                outcome.code,
                code,
                "{program:?} {}: {outcome:?}",
                name(signal)
            );
        }
    }
}

/// test/run_outer_tests.py::main, "exit code test": an unknown flag (`-z`) exits 1, `-h`
/// exits 0, a command not found (`zzzz`) exits 127, no command (`-w` alone) exits 1.
#[test]
fn tini_outer_exit_code_test() {
    require_namespaces!();
    for program in tini_entrypoints() {
        for (args, code) in [(["-z"], 1), (["-h"], 0), (["zzzz"], 127), (["-w"], 1)] {
            let outcome = tini_pid1(&program).args(args).run();
            assert_eq!(outcome.code, code, "{program:?} {args:?}: {outcome:?}");
        }
    }
}

/// A process on a new pty, which is its controlling terminal: what the test types, what
/// the terminal shows.
struct Tty {
    master: std::fs::File,
    output: Receiver<Vec<u8>>,
    screen: Vec<u8>,
    process: Option<Child>,
}

impl Tty {
    /// Starts `command` (made `common::plain` by the caller) as the session leader of a new
    /// pty, with stdin, stdout and stderr on it, the pty neither echoing input nor
    /// translating output (dumb-init's `ttyflags`).
    fn start(command: Command) -> Tty {
        let pty = common::start_on_pty(command, true);
        Tty {
            master: pty.master,
            output: pty.output,
            screen: Vec::new(),
            process: Some(pty.process),
        }
    }

    fn pid(&self) -> i32 {
        self.process.as_ref().unwrap().id() as i32
    }

    fn type_keys(&mut self, keys: &[u8]) {
        self.master.write_all(keys).unwrap();
    }

    /// Waits until the terminal has shown `text`.
    fn expect(&mut self, text: &str) {
        let deadline = Instant::now() + common::PATIENCE;
        while !String::from_utf8_lossy(&self.screen).contains(text) {
            match self
                .output
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(bytes) => self.screen.extend(bytes),
                Err(_) => panic!(
                    "the terminal never showed {text:?}; it shows {:?}",
                    String::from_utf8_lossy(&self.screen)
                ),
            }
        }
    }

    /// Everything the terminal showed until no process held it any more, and the exit code.
    fn finish(mut self) -> (String, i32) {
        let deadline = Instant::now() + common::PATIENCE;
        loop {
            match self
                .output
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(bytes) => self.screen.extend(bytes),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                Err(error) => panic!(
                    "the terminal stayed open ({error}); it shows {:?}",
                    String::from_utf8_lossy(&self.screen)
                ),
            }
        }
        let status = self.process.take().unwrap().wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        let code = status
            .code()
            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
        (String::from_utf8_lossy(&self.screen).into_owned(), code)
    }
}

impl Drop for Tty {
    /// A failed test leaves nothing behind: everything in the session the process leads.
    fn drop(&mut self) {
        let Some(mut process) = self.process.take() else {
            return;
        };
        let leader = process.id() as i32;
        for pid in std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        {
            // SAFETY: getsid has no memory effects.
            if pid != leader && unsafe { libc::getsid(pid) } == leader {
                kill(pid, libc::SIGKILL);
            }
        }
        let _ = process.kill();
        let _ = process.wait();
    }
}

/// `program ARGS` as PID 1 of a new PID namespace, on a new terminal, as `docker run -it`
/// starts it: the leader of a session of its own whose controlling terminal the terminal
/// is (`setsid --ctty`), so its process group is one it can name.
fn tty_pid1(program: &Path, args: &[&str]) -> Tty {
    let mut command = Command::new(common::unshare());
    common::plain(&mut command);
    command
        .args(["--pid", "--fork", "--mount-proc", "--kill-child"])
        .args(["setsid", "--ctty"])
        .arg(program)
        .args(args)
        .env("PS1", "# ");
    Tty::start(command)
}

/// test/run_outer_tests.py::test_tty_handling with attach_and_type_exit_0: `tini -- dash`
/// on a terminal gives the shell the terminal; typing `exit 0` ends it and tini exits 0.
#[test]
fn tini_outer_tty_handling_type_exit_0() {
    require_namespaces!();
    for program in tini_entrypoints() {
        let mut tty = tty_pid1(&program, &["--", "dash"]);
        tty.expect("# ");
        tty.type_keys(b"\nexit 0\n");
        let (screen, code) = tty.finish();
        assert_eq!(code, 0, "{program:?}: {screen:?}");
    }
}

/// test/run_outer_tests.py::test_tty_handling with attach_and_issue_ctrl_c: Ctrl-C on the
/// terminal reaches the foreground program under tini, which dies of it; tini exits 130.
#[test]
fn tini_outer_tty_handling_ctrl_c() {
    require_namespaces!();
    for program in tini_entrypoints() {
        let helper = helper().to_str().unwrap().to_owned();
        let mut tty = tty_pid1(&program, &["--", &helper, "ready", "wait"]);
        tty.expect("app: ready");
        tty.type_keys(b"\x03");
        let (screen, code) = tty.finish();
        assert_eq!(code, 128 + libc::SIGINT, "{program:?}: {screen:?}");
    }
}

// ---------------------------------------------------------------------------------------
// dumb-init: tests/child_processes_test.py
// ---------------------------------------------------------------------------------------

/// spawn_and_kill_pipeline's `sh -c "yes 'oh, hi' | tail & yes error | tail >&2"`: four
/// workers in the child's process group that handle no signal but SIGUSR1.
const PIPELINE: &str = "spawn { as w1 print-pid on USR1 exit 0 ready wait } \
                        spawn { as w2 print-pid on USR1 exit 0 ready wait } \
                        spawn { as w3 print-pid on USR1 exit 0 ready wait } \
                        spawn { as w4 print-pid on USR1 exit 0 ready wait } \
                        as app print-pid ready wait";

const WORKERS: [&str; 4] = ["w1", "w2", "w3", "w4"];

/// Starts PIPELINE under `init` and sends the init SIGTERM once every worker is ready;
/// returns the running init and the workers' pids.
fn spawn_and_kill_pipeline(init: Pidone) -> (Running, KillPids) {
    let mut running = init.args(app(PIPELINE)).start();
    let workers: Vec<i32> = WORKERS
        .iter()
        .map(|w| pid_in(&running.expect_line(&format!("{w}: pid"))))
        .collect();
    let guard = KillPids(workers);
    for worker in WORKERS {
        running.expect_line(&format!("{worker}: ready"));
    }
    running.expect_line("app: ready");
    running.signal(libc::SIGTERM);
    (running, guard)
}

/// tests/child_processes_test.py::test_setsid_signals_entire_group: in setsid mode a
/// SIGTERM for dumb-init reaches the child's whole process group: nothing is left.
#[test]
fn dumb_init_test_setsid_signals_entire_group() {
    for program in dumb_inits() {
        for debug in BOTH_MODES {
            let (running, workers) = spawn_and_kill_pipeline(dumb_init(&program, "1", debug));
            for &worker in &workers.0 {
                assert!(
                    exits_within(worker, PROMPTLY),
                    "{program:?}: worker {worker} lives"
                );
            }
            running.finish();
        }
    }
}

/// tests/child_processes_test.py::test_no_setsid_doesnt_signal_entire_group: with
/// DUMB_INIT_SETSID=0 a SIGTERM for dumb-init reaches its child alone; dumb-init exits with
/// it and the four others live on.
#[test]
fn dumb_init_test_no_setsid_doesnt_signal_entire_group() {
    for program in dumb_inits() {
        for debug in BOTH_MODES {
            let (mut running, workers) = spawn_and_kill_pipeline(dumb_init(&program, "0", debug));
            assert!(
                exits_within(running.pid(), PROMPTLY),
                "{program:?} waits for the workers"
            );
            // A SIGTERM sent before dumb-init exited would have killed them by now.
            for (&pid, worker) in workers.0.iter().zip(WORKERS) {
                assert!(alive(pid), "{program:?}: {worker} was killed");
                kill(pid, libc::SIGUSR1);
                running.expect_line(&format!("{worker}: got SIGUSR1"));
            }
            running.finish();
        }
    }
}

/// spawn_process_which_dies_with_children's `sh -c 'print_signals & sleep 1'`: a worker
/// recording signals, in the group of a child that exits 0 when the test says so. Returns
/// the running init, once the child has exited, and the worker's pid.
fn process_which_dies_with_children(init: Pidone) -> (Running, KillPids) {
    let mut running = init
        .args(app(
            "spawn { as worker print-pid on HUP record on INT record on QUIT record \
             on TERM record on USR2 finish 0 ready wait } \
             as app print-pid on USR1 exit 0 ready wait",
        ))
        .start();
    let worker = KillPids(vec![pid_in(&running.expect_line("worker: pid"))]);
    let child = pid_in(&running.expect_line("app: pid"));
    running.expect_line("worker: ready");
    running.expect_line("app: ready");
    kill(child, libc::SIGUSR1);
    (running, worker)
}

/// tests/child_processes_test.py::test_all_processes_receive_term_on_exit_if_setsid: in
/// setsid mode, when the child exits, dumb-init sends SIGTERM to its process group and
/// exits 0 at once.
#[test]
fn dumb_init_test_all_processes_receive_term_on_exit_if_setsid() {
    for program in dumb_inits() {
        for debug in BOTH_MODES {
            let (mut running, worker) =
                process_which_dies_with_children(dumb_init(&program, "1", debug));
            running.expect_line("worker: got SIGTERM");
            assert!(
                exits_within(running.pid(), PROMPTLY),
                "{program:?} waits for the worker"
            );
            drop(worker);
            let outcome = running.finish();
            assert_eq!(outcome.code, 0, "{program:?}: {outcome:?}");
        }
    }
}

/// tests/child_processes_test.py::test_processes_dont_receive_term_on_exit_if_no_setsid:
/// with DUMB_INIT_SETSID=0, when the child exits, dumb-init exits 0 at once and signals no
/// one: the worker then receives SIGHUP, SIGINT and SIGQUIT, and no SIGTERM.
#[test]
fn dumb_init_test_processes_dont_receive_term_on_exit_if_no_setsid() {
    for program in dumb_inits() {
        for debug in BOTH_MODES {
            let (mut running, worker) =
                process_which_dies_with_children(dumb_init(&program, "0", debug));
            assert!(
                exits_within(running.pid(), PROMPTLY),
                "{program:?} waits for the worker"
            );
            for signal in [libc::SIGHUP, libc::SIGINT, libc::SIGQUIT] {
                kill(worker.0[0], signal);
                assert_eq!(next_signal(&mut running, "worker"), name(signal));
            }
            // USR2 reports whatever else is pending, a SIGTERM included.
            kill(worker.0[0], libc::SIGUSR2);
            let lines = running.next_lines_until("worker: done");
            assert_eq!(
                lines,
                ["worker: got SIGUSR2", "worker: done"],
                "{program:?}"
            );
            let outcome = running.finish();
            assert_eq!(outcome.code, 0, "{program:?}: {outcome:?}");
        }
    }
}

/// tests/child_processes_test.py::test_fails_nonzero_with_bad_exec: a command that does not
/// exist makes dumb-init exit non-zero with a line naming it and the error. dumb-init exits
/// 2 and prints "[dumb-init] /doesnotexist: No such file or directory"; pidone exits 127
/// with its own wording (README, "Differences that remain").
#[test]
fn dumb_init_test_fails_nonzero_with_bad_exec() {
    for program in dumb_inits() {
        for args in [
            &["/doesnotexist"][..],
            &["--", "/doesnotexist"],
            &["-c", "/doesnotexist"],
            &["--single-child", "--", "/doesnotexist"],
        ] {
            for setsid in BOTH_MODES {
                for debug in BOTH_MODES {
                    let outcome = dumb_init(&program, setsid, debug).args(args).run();
                    assert_ne!(outcome.code, 0);
                    if is_peer(&program) {
                        assert!(
                            outcome
                                .stderr
                                .contains("[dumb-init] /doesnotexist: No such file or directory\n"),
                            "{outcome:?}"
                        );
                    } else {
                        assert_eq!(outcome.code, 127, "{args:?}: {outcome:?}");
                        assert!(
                            outcome.stderr.contains("/doesnotexist")
                                && outcome.stderr.contains("No such file or directory"),
                            "{outcome:?}"
                        );
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// dumb-init: tests/cli_test.py
// ---------------------------------------------------------------------------------------

/// tests/cli_test.py::test_no_arguments_prints_usage: no arguments exits 1 with a usage on
/// stderr; the usage's text is pidone's own.
#[test]
fn dumb_init_test_no_arguments_prints_usage() {
    for (program, setsid, debug) in every_mode() {
        let outcome = dumb_init(&program, setsid, debug).run();
        assert_eq!(outcome.code, 1, "{program:?}: {outcome:?}");
        assert!(outcome.stderr.contains("Usage: "), "{outcome:?}");
        if is_peer(&program) {
            assert!(
                outcome.stderr.contains("[option] program [args]\n")
                    && outcome.stderr.contains("--help for full usage.\n"),
                "{outcome:?}"
            );
        }
    }
}

/// tests/cli_test.py::test_exits_invalid_with_invalid_args: an unknown option exits 1 with
/// a line naming it on stderr (pidone's wording).
#[test]
fn dumb_init_test_exits_invalid_with_invalid_args() {
    for (program, setsid, debug) in every_mode() {
        let outcome = dumb_init(&program, setsid, debug)
            .args(["--yolo", "/bin/true"])
            .run();
        assert_eq!(outcome.code, 1, "{program:?}: {outcome:?}");
        assert!(outcome.stderr.contains("--yolo"), "{outcome:?}");
        assert_eq!(outcome.stderr.lines().count(), 1, "{outcome:?}");
    }
}

/// tests/cli_test.py::test_help_message: `-h` and `--help` exit 0 with a help describing
/// -c/--single-child, -r/--rewrite, -v/--verbose, -h/--help and -V/--version. dumb-init
/// writes it to stderr; pidone writes its own text to stdout (README: "Print help to
/// stdout").
#[test]
fn dumb_init_test_help_message() {
    for (program, setsid, debug) in every_mode() {
        for flag in ["-h", "--help"] {
            let outcome = dumb_init(&program, setsid, debug).args([flag]).run();
            assert_eq!(outcome.code, 0, "{program:?} {flag}: {outcome:?}");
            let help = if is_peer(&program) {
                assert!(outcome.stderr.starts_with("dumb-init v"), "{outcome:?}");
                outcome.stderr.clone()
            } else {
                assert_eq!(outcome.stderr, "", "{flag}");
                outcome.stdout.join("\n")
            };
            for option in [
                "-c, --single-child",
                "-r, --rewrite",
                "-v, --verbose",
                "-h, --help",
                "-V, --version",
            ] {
                assert!(help.contains(option), "{program:?} {flag}: {help}");
            }
        }
    }
}

/// tests/cli_test.py::test_version_message: `-V` and `--version` exit 0 and print the
/// version, one line "dumb-init vVERSION" on stderr; pidone prints its own version there,
/// followed by "(pidone)".
#[test]
fn dumb_init_test_version_message() {
    for (program, setsid, debug) in every_mode() {
        for flag in ["-V", "--version"] {
            let outcome = dumb_init(&program, setsid, debug).args([flag]).run();
            assert_eq!(outcome.code, 0, "{program:?} {flag}: {outcome:?}");
            assert!(outcome.stderr.starts_with("dumb-init v"), "{outcome:?}");
            assert_eq!(outcome.stderr.lines().count(), 1, "{outcome:?}");
            assert!(outcome.stdout.is_empty(), "{outcome:?}");
            if !is_peer(&program) {
                assert!(outcome.stderr.ends_with(" (pidone)\n"), "{outcome:?}");
            }
        }
    }
}

/// `-v` (or `--verbose`) plus `extra` on `echo oh, hi`, dumb-init's fixtures' clean
/// environment: the command's output is intact, the exit code 0, and the log on stderr.
fn verbose_run(program: &Path, flags: &[&str]) -> Outcome {
    let outcome = dumb_init(program, "", "")
        .args(flags.iter().copied())
        .args(["echo", "oh,", "hi"])
        .run();
    assert_eq!(outcome.code, 0, "{program:?} {flags:?}: {outcome:?}");
    assert_eq!(outcome.stdout, ["oh, hi"], "{program:?} {flags:?}");
    outcome
}

/// tests/cli_test.py::test_verbose: `-v` and `--verbose` print debug output on stderr while
/// the child's output and exit code are untouched. The log's wording is pidone's: an info
/// line for the child's exit.
#[test]
fn dumb_init_test_verbose() {
    for program in dumb_inits() {
        for flag in ["-v", "--verbose"] {
            let outcome = verbose_run(&program, &[flag]);
            if is_peer(&program) {
                for line in [
                    "[dumb-init] setsid complete.\n",
                    "[dumb-init] Child spawned with PID ",
                    "[dumb-init] Forwarded signal 15 to children.\n",
                    "[dumb-init] Child exited with status 0. Goodbye.\n",
                ] {
                    assert!(outcome.stderr.contains(line), "{line:?}: {outcome:?}");
                }
            } else {
                assert!(
                    outcome
                        .stderr_lines()
                        .iter()
                        .any(|l| l.starts_with("pidone: info: child") && l.ends_with("exit code 0")),
                    "{outcome:?}"
                );
            }
        }
    }
}

/// tests/cli_test.py::test_verbose_and_single_child: the same with `-c` or
/// `--single-child`, which starts no session (dumb-init logs no "setsid complete").
#[test]
fn dumb_init_test_verbose_and_single_child() {
    for program in dumb_inits() {
        for verbose in ["-v", "--verbose"] {
            for single in ["-c", "--single-child"] {
                let outcome = verbose_run(&program, &[verbose, single]);
                if is_peer(&program) {
                    assert!(!outcome.stderr.contains("setsid complete"), "{outcome:?}");
                    assert!(
                        outcome
                            .stderr
                            .contains("[dumb-init] Child exited with status 0. Goodbye.\n"),
                        "{outcome:?}"
                    );
                } else {
                    assert!(
                        outcome
                            .stderr_lines()
                            .iter()
                            .any(|l| l.starts_with("pidone: info: child")
                                && l.ends_with("exit code 0")),
                        "{outcome:?}"
                    );
                }
            }
        }
    }
}

/// tests/cli_test.py::test_rewrite_errors: a malformed `-r` exits 1 with a usage line
/// (pidone's wording names --rewrite). One case differs on purpose: `-r 1:32` names
/// real-time signal 32, which dumb-init refuses and pidone forwards (README: "real-time
/// signals too"), so pidone runs the command.
#[test]
fn dumb_init_test_rewrite_errors() {
    for program in dumb_inits() {
        for extra in [
            &["-r"][..],
            &["-r", ""],
            &["-r", "herp"],
            &["-r", "herp:derp"],
            &["-r", "15"],
            &["-r", "15::12"],
            &["-r", "15:derp"],
            &["-r", "15:12", "-r"],
            &["-r", "15:12", "-r", "0"],
            &["-r", "15:12", "-r", "1:32"],
        ] {
            for setsid in BOTH_MODES {
                for debug in BOTH_MODES {
                    let outcome = dumb_init(&program, setsid, debug)
                        .args(extra)
                        .args(["echo", "oh,", "hi"])
                        .run();
                    if is_peer(&program) {
                        assert_eq!(outcome.code, 1, "{extra:?}: {outcome:?}");
                        assert_eq!(
                            outcome.stderr,
                            "Usage: -r option takes <signum>:<signum>, where <signum> is between 1 and 31.\n\
                             This option can be specified multiple times.\n\
                             Use --help for full usage.\n",
                            "{extra:?}"
                        );
                    } else if extra.last() == Some(&"1:32") {
                        assert_eq!(outcome.code, 0, "{extra:?}: {outcome:?}");
                        assert_eq!(outcome.stdout, ["oh, hi"], "{extra:?}");
                    } else {
                        assert_eq!(outcome.code, 1, "{extra:?}: {outcome:?}");
                        assert!(outcome.stdout.is_empty(), "{extra:?}: {outcome:?}");
                        assert!(outcome.stderr.contains("rewrite"), "{extra:?}: {outcome:?}");
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// dumb-init: tests/cwd_test.py
// ---------------------------------------------------------------------------------------

/// tests/cwd_test.py::test_working_directories: the child starts in the directory dumb-init
/// was started in (/tmp), while dumb-init itself lets go of it for `/`.
#[test]
fn dumb_init_test_working_directories() {
    let cwd = |pid: i32| std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap_or_default();
    for (program, setsid, debug) in every_mode() {
        let init =
            dumb_init(&program, setsid, debug).args(app("print-pid on USR1 exit 0 ready wait"));
        let mut command = init.command();
        command.current_dir("/tmp");
        let mut running = init.start_command(command);
        let child = pid_in(&running.expect_line("app: pid"));
        running.expect_line("app: ready");
        let pid = running.pid();
        common::eventually("dumb-init's directory is /", || cwd(pid) == Path::new("/"));
        assert_eq!(cwd(child), Path::new("/tmp"), "{program:?}");
        kill(child, libc::SIGUSR1);
        assert_eq!(running.finish().code, 0);
    }
}

// ---------------------------------------------------------------------------------------
// dumb-init: tests/exit_status_test.py
// ---------------------------------------------------------------------------------------

/// tests/exit_status_test.py::test_exit_status_regular_exit: dumb-init exits with the
/// child's exit code.
#[test]
fn dumb_init_test_exit_status_regular_exit() {
    for program in dumb_inits() {
        for code in [0, 1, 2, 32, 64, 127, 254, 255] {
            for setsid in BOTH_MODES {
                for debug in BOTH_MODES {
                    let outcome = dumb_init(&program, setsid, debug)
                        .args(app(&format!("exit {code}")))
                        .run();
                    assert_eq!(outcome.code, code, "{program:?} {setsid}: {outcome:?}");
                }
            }
        }
    }
}

/// tests/exit_status_test.py::test_exit_status_terminated_by_signal: a child killed by
/// SIGTERM, SIGHUP, SIGQUIT or SIGKILL makes dumb-init exit 128 + N.
#[test]
fn dumb_init_test_exit_status_terminated_by_signal() {
    for program in dumb_inits() {
        for signal in [libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT, libc::SIGKILL] {
            for setsid in BOTH_MODES {
                for debug in BOTH_MODES {
                    let outcome = dumb_init(&program, setsid, debug)
                        .args(app(&format!("raise {signal}")))
                        .run();
                    assert_eq!(
                        outcome.code,
                        128 + signal,
                        "{program:?} {setsid}: {outcome:?}"
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// dumb-init: tests/proxies_signals_test.py
// ---------------------------------------------------------------------------------------

/// testing.print_signals under dumb-init with `args`: a child recording every signal.
/// Returns the running init, the child ready, and the child's pid.
fn print_signals(init: Pidone, args: &[String]) -> (Running, KillPids) {
    let mut running = init
        .args(args.iter())
        .args(app("print-pid record-all ready wait"))
        .start();
    let child = pid_in(&running.expect_line("app: pid"));
    running.expect_line("app: ready");
    (running, KillPids(vec![child]))
}

/// Ends print_signals' child, and with it the init.
fn end(running: Running, child: KillPids) {
    drop(child);
    running.finish();
}

/// testing.NORMAL_SIGNALS: 1 to 31 but SIGKILL, SIGSTOP, SIGCHLD and the suspend signals.
fn normal_signals() -> impl Iterator<Item = i32> {
    (1..32).filter(|&s| {
        ![
            libc::SIGKILL,
            libc::SIGSTOP,
            libc::SIGCHLD,
            libc::SIGTSTP,
            libc::SIGTTOU,
            libc::SIGTTIN,
        ]
        .contains(&s)
    })
}

/// tests/proxies_signals_test.py::test_proxies_signals: every normal signal sent to
/// dumb-init reaches its child.
#[test]
fn dumb_init_test_proxies_signals() {
    for (program, setsid, debug) in every_mode() {
        let (mut running, child) = print_signals(dumb_init(&program, setsid, debug), &[]);
        for signal in normal_signals() {
            running.signal(signal);
            assert_eq!(
                next_signal(&mut running, "app"),
                name(signal),
                "{program:?} {setsid}"
            );
        }
        end(running, child);
    }
}

/// A rewrite map, the signals sent, the signals the child receives.
type RewriteCase = (&'static [(i32, i32)], &'static [i32], &'static [i32]);

fn rewrite_args(map: &[(i32, i32)]) -> Vec<String> {
    map.iter()
        .flat_map(|(from, to)| ["-r".to_string(), format!("{from}:{to}")])
        .collect()
}

/// tests/proxies_signals_test.py::test_proxies_signals_with_rewrite: `-r s:r` forwards s as
/// r, from the lowest signal (1) to the highest (31).
#[test]
fn dumb_init_test_proxies_signals_with_rewrite() {
    use libc::{SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGSYS, SIGTERM};
    let cases: [RewriteCase; 4] = [
        (
            &[],
            &[SIGTERM, SIGQUIT, SIGCONT, SIGINT],
            &[SIGTERM, SIGQUIT, SIGCONT, SIGINT],
        ),
        (
            &[(SIGTERM, SIGINT)],
            &[SIGTERM, SIGQUIT, SIGCONT, SIGINT],
            &[SIGINT, SIGQUIT, SIGCONT, SIGINT],
        ),
        (
            &[(SIGTERM, SIGINT), (SIGINT, SIGTERM), (SIGQUIT, SIGQUIT)],
            &[SIGTERM, SIGQUIT, SIGCONT, SIGINT],
            &[SIGINT, SIGQUIT, SIGCONT, SIGTERM],
        ),
        (&[(SIGHUP, SIGSYS), (SIGSYS, SIGHUP)], &[1, 31], &[31, 1]),
    ];
    for program in dumb_inits() {
        for (map, sequence, expected) in cases {
            for setsid in BOTH_MODES {
                for debug in BOTH_MODES {
                    let (mut running, child) =
                        print_signals(dumb_init(&program, setsid, debug), &rewrite_args(map));
                    for (&send, &receive) in sequence.iter().zip(expected) {
                        running.signal(send);
                        assert_eq!(
                            next_signal(&mut running, "app"),
                            name(receive),
                            "{program:?} {map:?} {setsid}"
                        );
                    }
                    end(running, child);
                }
            }
        }
    }
}

/// tests/proxies_signals_test.py::test_default_rewrites_can_be_overriden_with_setsid_enabled:
/// in setsid mode `-r` replaces the default rewrites of SIGTTIN, SIGTTOU and SIGTSTP (to
/// SIGSTOP): the child gets the rewritten signal, dumb-init still stops itself, and SIGCONT
/// resumes it and reaches the child.
#[test]
fn dumb_init_test_default_rewrites_can_be_overriden_with_setsid_enabled() {
    let map = [
        (libc::SIGTTIN, libc::SIGTERM),
        (libc::SIGTTOU, libc::SIGINT),
        (libc::SIGTSTP, libc::SIGHUP),
    ];
    for program in dumb_inits() {
        for debug in BOTH_MODES {
            let (mut running, child) =
                print_signals(dumb_init(&program, "1", debug), &rewrite_args(&map));
            let pid = running.pid();
            for (send, receive) in map {
                assert_ne!(state(pid), Some('T'));
                running.signal(send);
                assert_eq!(
                    next_signal(&mut running, "app"),
                    name(receive),
                    "{program:?}"
                );
                common::eventually("dumb-init is stopped", || state(pid) == Some('T'));
                running.signal(libc::SIGCONT);
                assert_eq!(next_signal(&mut running, "app"), "SIGCONT", "{program:?}");
                assert_ne!(state(pid), Some('T'));
            }
            end(running, child);
        }
    }
}

/// tests/proxies_signals_test.py::test_ignored_signals_are_not_proxied: a signal rewritten
/// to 0 is dropped.
#[test]
fn dumb_init_test_ignored_signals_are_not_proxied() {
    let map = [
        (libc::SIGTERM, libc::SIGQUIT),
        (libc::SIGINT, 0),
        (libc::SIGWINCH, 0),
    ];
    for (program, setsid, debug) in every_mode() {
        let (mut running, child) =
            print_signals(dumb_init(&program, setsid, debug), &rewrite_args(&map));
        running.signal(libc::SIGTERM);
        running.signal(libc::SIGINT);
        assert_eq!(next_signal(&mut running, "app"), "SIGQUIT", "{program:?}");
        running.signal(libc::SIGWINCH);
        running.signal(libc::SIGHUP);
        assert_eq!(next_signal(&mut running, "app"), "SIGHUP", "{program:?}");
        end(running, child);
    }
}

// ---------------------------------------------------------------------------------------
// dumb-init: tests/shell_background_test.py
// ---------------------------------------------------------------------------------------

const SUSPEND_SIGNALS: [i32; 3] = [libc::SIGTSTP, libc::SIGTTOU, libc::SIGTTIN];

/// tests/shell_background_test.py::test_shell_background_support_setsid: in setsid mode
/// SIGTSTP, SIGTTOU or SIGTTIN suspends dumb-init and its child, and SIGCONT resumes both.
#[test]
fn dumb_init_test_shell_background_support_setsid() {
    for program in dumb_inits() {
        for debug in BOTH_MODES {
            let (mut running, child) = print_signals(dumb_init(&program, "1", debug), &[]);
            let (pid, app) = (running.pid(), child.0[0]);
            for signal in SUSPEND_SIGNALS {
                assert_ne!(state(pid), Some('T'));
                assert_ne!(state(app), Some('T'));
                running.signal(signal);
                common::eventually("both are stopped", || {
                    state(pid) == Some('T') && state(app) == Some('T')
                });
                running.signal(libc::SIGCONT);
                assert_eq!(next_signal(&mut running, "app"), "SIGCONT", "{program:?}");
                assert_ne!(state(pid), Some('T'));
                assert_ne!(state(app), Some('T'));
            }
            end(running, child);
        }
    }
}

/// tests/shell_background_test.py::test_shell_background_support_without_setsid: with
/// DUMB_INIT_SETSID=0, SIGTSTP, SIGTTOU and SIGTTIN are forwarded as they are, then
/// dumb-init suspends itself; SIGCONT resumes it and reaches the child.
#[test]
fn dumb_init_test_shell_background_support_without_setsid() {
    for program in dumb_inits() {
        for debug in BOTH_MODES {
            let (mut running, child) = print_signals(dumb_init(&program, "0", debug), &[]);
            let pid = running.pid();
            for signal in SUSPEND_SIGNALS {
                assert_ne!(state(pid), Some('T'));
                running.signal(signal);
                assert_eq!(
                    next_signal(&mut running, "app"),
                    name(signal),
                    "{program:?}"
                );
                common::eventually("dumb-init is stopped", || state(pid) == Some('T'));
                running.signal(libc::SIGCONT);
                assert_eq!(next_signal(&mut running, "app"), "SIGCONT", "{program:?}");
                assert_ne!(state(pid), Some('T'));
            }
            end(running, child);
        }
    }
}

// ---------------------------------------------------------------------------------------
// dumb-init: tests/tty_test.py (dumb-init leads the session of a new terminal, as after
// pty.fork)
// ---------------------------------------------------------------------------------------

fn tty_dumb_init(program: &Path, setsid: &str, debug: &str, args: &[&str]) -> Tty {
    let mut command = Command::new(program);
    common::plain(&mut command);
    command
        .args(args)
        .env("DUMB_INIT_SETSID", setsid)
        .env("DUMB_INIT_DEBUG", debug);
    Tty::start(command)
}

/// tests/tty_test.py::test_tty: `dumb-init tac` on a terminal reads what is typed up to
/// end-of-file and writes it back reversed, and dumb-init exits 0.
#[test]
fn dumb_init_test_tty() {
    for program in dumb_inits() {
        let mut tty = tty_dumb_init(&program, "", "0", &["tac"]);
        tty.type_keys(b"1\n2\n3\n");
        tty.type_keys(b"\x04\x04");
        let (screen, code) = tty.finish();
        assert_eq!(code, 0, "{program:?}: {screen:?}");
        assert_eq!(screen, "3\n2\n1\n", "{program:?}");
    }
}

/// tests/tty_test.py::test_child_gets_controlling_tty_if_we_had_one: `dumb-init bash -m`
/// on dumb-init's controlling terminal has working job control (`m` in `$-`), and both
/// exit 0.
#[test]
fn dumb_init_test_child_gets_controlling_tty_if_we_had_one() {
    for (program, setsid, debug) in every_mode() {
        let mut tty = tty_dumb_init(&program, setsid, debug, &["bash", "-m"]);
        tty.type_keys(b"echo \"flags are: [[$-]]\"\n");
        tty.type_keys(b"exit 0\n");
        let (screen, code) = tty.finish();
        assert_eq!(code, 0, "{program:?} {setsid}: {screen:?}");
        let flags = screen
            .split("flags are: [[")
            .skip(1)
            .filter_map(|rest| rest.split_once("]]\n").map(|(flags, _)| flags))
            .find(|flags| !flags.is_empty() && flags.chars().all(|c| c.is_ascii_alphabetic()))
            .unwrap_or_else(|| panic!("{program:?} {setsid}: no flags in {screen:?}"));
        assert!(flags.contains('m'), "{program:?} {setsid}: {flags}");
    }
}

/// tests/tty_test.py::test_sighup_sigcont_ignored_if_was_session_leader: dumb-init leading
/// the terminal's session gets SIGHUP and SIGCONT when its child takes the terminal over,
/// ignores them, and forwards the next SIGHUP. What it protects is asserted for both: the
/// child gets no SIGHUP or SIGCONT but the one sent later. The log lines ("Ignoring tty
/// hand-off signal") are dumb-init's alone: pidone's child takes the terminal's foreground
/// in pidone's session (README, "Differences that remain"), so there is no hand-off to
/// ignore.
#[test]
fn dumb_init_test_sighup_sigcont_ignored_if_was_session_leader() {
    for program in dumb_inits() {
        let helper = helper().to_str().unwrap().to_owned();
        let mut tty = tty_dumb_init(
            &program,
            "",
            "",
            &[
                "-v",
                &helper,
                "record-all",
                "on",
                "HUP",
                "finish",
                "0",
                "ready",
                "wait",
            ],
        );
        tty.expect("app: ready");
        kill(tty.pid(), libc::SIGHUP);
        let (screen, code) = tty.finish();
        assert_eq!(code, 0, "{program:?}: {screen:?}");
        let lines: Vec<String> = screen.lines().map(str::to_owned).collect();
        assert_eq!(
            signals_seen(&lines, "app"),
            ["SIGHUP"],
            "{program:?}: {screen:?}"
        );
        if is_peer(&program) {
            assert!(
                screen.contains("Ignoring tty hand-off signal"),
                "{screen:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// dumb-init: tests/test-zombies (the older shell suite; dumb-init as PID 1)
// ---------------------------------------------------------------------------------------

/// tests/test-zombies: under dumb-init as PID 1, a process orphaned by a background shell is
/// reaped: no zombie is left.
#[test]
fn dumb_init_test_zombies() {
    require_namespaces!();
    for program in dumb_inits() {
        let mut running = Pidone::new()
            .invoked_as(&program)
            .args(app(REAPING))
            .start();
        running.expect_line("app: ready");
        let init = running.pid();
        let app = running.child_pid();
        common::eventually("no zombie is left", || {
            common::zombies_in_namespace_of(init) == 0 && children_of(init) == [app]
        });
        kill(app, libc::SIGUSR1);
        let outcome = running.finish();
        assert_eq!(outcome.code, 0, "{program:?}: {outcome:?}");
    }
}
