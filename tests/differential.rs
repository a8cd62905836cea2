//! pidone against the real tini, dumb-init and catatonit: one table of invocations, each
//! run under the peer's own binary and under pidone invoked by the peer's name, and the
//! outcomes compared — the exit code, and what the application and its leftovers print
//! (signals received, process ids reduced to their relations: self, the init, the app).
//!
//! A row where pidone differs on purpose names the README sentence that says so, and states
//! what pidone does instead; the test checks pidone does exactly that and that the peer
//! still does something else. Every other row must match the peer.
//!
//! Each peer is one test: it runs all of that peer's rows, prints one line per row, and
//! fails at the end listing every row that did not hold. A peer that is not installed is
//! skipped (never under CI=true).
//!
//! Longer than about 450 lines because it is one table and the one harness that runs it:
//! every row, for every peer, goes through the same `run`, `normalise` and `check`.

mod common;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use common::{Pidone, app, eventually, pid_in, pidone_named, stat};

#[derive(Clone, Copy, PartialEq, Debug)]
enum Peer {
    Tini,
    DumbInit,
    Catatonit,
}

impl Peer {
    fn name(self) -> &'static str {
        match self {
            Peer::Tini => "tini",
            Peer::DumbInit => "dumb-init",
            Peer::Catatonit => "catatonit",
        }
    }

    fn binary(self) -> PathBuf {
        Path::new("/usr/bin").join(self.name())
    }
}

/// What the init is asked to run.
#[derive(Clone, Copy)]
enum Child {
    /// The test helper with these steps.
    App(&'static str),
    /// A path that does not exist.
    Missing,
    /// A file that exists but is not executable.
    NotExecutable,
    /// No command at all.
    Nothing,
}

/// What the test does while the init runs. Signals go out only after the lines that say
/// the processes are ready to take them.
#[derive(Clone, Copy)]
enum Script {
    /// Let it run to the end.
    Run,
    /// After "app: ready", send these signals to the init, in order.
    Signal(&'static [i32]),
    /// [`FAMILY`]: the signal to the init; once the app reports it, the grandchild is told
    /// (directly) to report what it got and exit; then SIGUSR2 to the init ends the app.
    Family(i32),
    /// [`LEFTOVERS`], not as PID 1: the app exits 3 while a worker in its group and a daemon
    /// in another session run; once the init has exited, every survivor is told (directly)
    /// to report what it got and exit.
    Leftovers,
    /// [`DAEMON_LEFT`], as PID 1: the app exits 3 while a daemon runs.
    LeftoverAsPid1,
    /// [`ADOPTION`], not as PID 1: whose child an orphan becomes.
    Adoption,
    /// The init's parent (unshare) is killed; `-p` decides what the init then receives.
    ParentDies,
    /// No application (or one pause mode does not run): once the init has SIGTERM blocked or
    /// waits for it, send it this signal.
    Pause(i32),
}

/// The outcome asserted for pidone.
#[derive(Clone, Copy)]
enum Expect {
    /// The peer's exit code and lines.
    Same,
    /// The peer's exit code; the text differs.
    SameExitCode,
    /// pidone's own, where it differs on purpose.
    Pidone {
        code: i32,
        lines: &'static [&'static str],
    },
}

#[derive(Clone, Copy)]
struct Row {
    peer: Peer,
    what: &'static str,
    pid1: bool,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    child: Child,
    script: Script,
    /// The init starts with SIGUSR1 blocked and SIGHUP ignored, as a careless parent might
    /// leave them.
    masked: bool,
    expect: Expect,
    /// The README sentence that documents why pidone does not match this row.
    expected_difference: Option<&'static str>,
}

fn row(peer: Peer, what: &'static str, child: Child, script: Script) -> Row {
    Row {
        peer,
        what,
        pid1: true,
        args: &[],
        env: &[],
        child,
        script,
        masked: false,
        expect: Expect::Same,
        expected_difference: None,
    }
}

impl Row {
    fn args(mut self, args: &'static [&'static str]) -> Self {
        self.args = args;
        self
    }

    fn env(mut self, env: &'static [(&'static str, &'static str)]) -> Self {
        self.env = env;
        self
    }

    fn not_pid1(mut self) -> Self {
        self.pid1 = false;
        self
    }

    fn masked(mut self) -> Self {
        self.masked = true;
        self
    }

    fn exit_code_only(mut self, readme: &'static str) -> Self {
        self.expect = Expect::SameExitCode;
        self.expected_difference = Some(readme);
        self
    }

    fn differs(mut self, readme: &'static str, code: i32, lines: &'static [&'static str]) -> Self {
        self.expect = Expect::Pidone { code, lines };
        self.expected_difference = Some(readme);
        self
    }
}

// The README sentences ("Differences that remain") that document each intended difference;
// each must be in README.md, word for word.
const DRAIN: &str = "when the child exits while other processes remain, pidone drains them \
                     (SIGTERM, then SIGKILL after the drain deadline) before exiting; tini, \
                     dumb-init and catatonit exit at once and the kernel SIGKILLs the rest.";
const CANNOT_EXECUTE: &str = "pidone exits 127 or 126 when the command cannot be executed \
                              (dumb-init exits 2, catatonit 1)";
const TEXT: &str = "Help, license and log lines are pidone's own; version lines follow the \
                    peer's format with pidone's version.";
const SUBREAPING: &str = "pidone registers as a child subreaper whenever it is not PID 1, \
                          under every name (tini does only with `-s`, dumb-init never)";
const CATATONIT_JOB_CONTROL: &str = "SIGTSTP, SIGTTIN and SIGTTOU are forwarded, then pidone \
                                     stops itself, where catatonit ignores them, and its \
                                     child starts with the mask pidone inherited, where \
                                     catatonit's child starts with those three blocked.";

/// A child and a grandchild in its process group, both recording SIGUSR1 and SIGTERM.
const FAMILY: &str = "spawn { as grandchild print-pid on USR1 record on TERM record \
                      on USR2 finish 0 ready wait } \
                      as app print-pid on USR1 record on TERM record on USR2 exit 0 ready wait";
/// A worker in the app's process group and a daemon in a session of its own, both
/// recording SIGTERM and reporting on SIGUSR1; the app exits 3 on SIGUSR2.
const LEFTOVERS: &str = "spawn { as worker print-own-pid on TERM record on USR1 finish 0 ready wait } \
                         daemon { as daemon print-own-pid on TERM record on USR1 finish 0 ready wait } \
                         as app on USR2 exit 3 ready wait";
/// A daemon that exits on SIGTERM; the app exits 3 on SIGUSR2.
const DAEMON_LEFT: &str = "daemon { as daemon print-own-pid on TERM exit 0 ready wait } \
                           as app on USR2 exit 3 ready wait";
/// An orphan that reports its parent once re-parented; the app exits 0 on SIGUSR2.
const ADOPTION: &str = "orphan { as orphan await-adoption print-pid } \
                        as app print-pid on USR2 exit 0 ready wait";

const TERM: i32 = libc::SIGTERM;
const USR1: i32 = libc::SIGUSR1;
const USR2: i32 = libc::SIGUSR2;

fn table() -> Vec<Row> {
    use Child::{App, Missing, NotExecutable, Nothing};
    use Peer::{Catatonit, DumbInit, Tini};
    use Script::{Adoption, Family, LeftoverAsPid1, Leftovers, ParentDies, Pause, Run, Signal};
    let mut rows = Vec::new();

    // What every peer's child does, and how it is laid out.
    for peer in [Tini, DumbInit, Catatonit] {
        rows.extend([
            row(peer, "child exits 0", App("exit 0"), Run),
            row(peer, "child exits 3", App("exit 3"), Run),
            row(
                peer,
                "child killed by a forwarded SIGTERM",
                App("ready wait"),
                Signal(&[TERM]),
            ),
            row(peer, "child's ids", App("print-pid"), Run),
            row(peer, "child's ids", App("print-pid"), Run).not_pid1(),
            row(peer, "unknown short option", App("exit 0"), Run)
                .args(&["-Z"])
                .not_pid1(),
            row(peer, "unknown long option", App("exit 0"), Run)
                .args(&["--bogus"])
                .not_pid1(),
            row(peer, "no command", Nothing, Run).not_pid1(),
            row(peer, "leftovers", App(LEFTOVERS), Leftovers).not_pid1(),
            row(peer, "leftover daemon", App(DAEMON_LEFT), LeftoverAsPid1).differs(
                DRAIN,
                3,
                &[
                    "app: ready",
                    "app: got SIGUSR2",
                    "daemon: pid SELF",
                    "daemon: ready",
                    "daemon: got SIGTERM",
                ],
            ),
        ]);
    }
    // tini's own rows below cover it with and without -s and TINI_SUBREAPER. catatonit
    // is a subreaper, as pidone; dumb-init is not.
    rows.push(
        row(
            Catatonit,
            "whose child an orphan becomes",
            App(ADOPTION),
            Adoption,
        )
        .not_pid1(),
    );
    rows.push(
        row(
            DumbInit,
            "whose child an orphan becomes",
            App(ADOPTION),
            Adoption,
        )
        .not_pid1()
        .differs(
            SUBREAPING,
            0,
            &[
                "app: got SIGUSR2",
                "app: pid SELF ppid INIT sid SELF pgid SELF",
                "app: ready",
                "orphan: pid SELF ppid INIT sid APP pgid APP",
            ],
        ),
    );

    // A command that cannot be executed.
    rows.extend([
        row(Tini, "command not found", Missing, Run),
        row(Tini, "command not executable", NotExecutable, Run),
        row(DumbInit, "command not found", Missing, Run).differs(CANNOT_EXECUTE, 127, &[]),
        row(DumbInit, "command not executable", NotExecutable, Run).differs(
            CANNOT_EXECUTE,
            126,
            &[],
        ),
        row(Catatonit, "command not found", Missing, Run).differs(CANNOT_EXECUTE, 127, &[]),
        row(Catatonit, "command not executable", NotExecutable, Run).differs(
            CANNOT_EXECUTE,
            126,
            &[],
        ),
    ]);

    // The signal state the child starts with.
    let clean = &["app: sigblk 0000000000000000 sigign 0000000000000000"];
    let inherited = &["app: sigblk 0000000000000200 sigign 0000000000000001"];
    rows.extend([
        row(Tini, "child's signal state", App("print-sigstate"), Run),
        row(
            Tini,
            "child's signal state, USR1 blocked and HUP ignored",
            App("print-sigstate"),
            Run,
        )
        .masked(),
        row(DumbInit, "child's signal state", App("print-sigstate"), Run),
        row(
            DumbInit,
            "child's signal state, USR1 blocked and HUP ignored",
            App("print-sigstate"),
            Run,
        )
        .masked(),
        row(
            Catatonit,
            "child's signal state",
            App("print-sigstate"),
            Run,
        )
        .differs(CATATONIT_JOB_CONTROL, 0, clean),
        row(
            Catatonit,
            "child's signal state, USR1 blocked and HUP ignored",
            App("print-sigstate"),
            Run,
        )
        .masked()
        .differs(CATATONIT_JOB_CONTROL, 0, inherited),
    ]);

    // tini's flags.
    rows.extend([
        row(
            Tini,
            "whose child an orphan becomes",
            App(ADOPTION),
            Adoption,
        )
        .args(&["-s"])
        .not_pid1(),
        row(Tini, "child exits 3", App("exit 3"), Run).args(&["-s"]),
        row(Tini, "SIGUSR1, the child alone", App(FAMILY), Family(USR1)),
        row(Tini, "SIGTERM, the child alone", App(FAMILY), Family(TERM)),
        row(Tini, "SIGUSR1 to the group", App(FAMILY), Family(USR1)).args(&["-g"]),
        row(Tini, "SIGTERM to the group", App(FAMILY), Family(TERM)).args(&["-g"]),
        row(
            Tini,
            "the parent dies",
            App("on USR1 exit 0 ready wait"),
            ParentDies,
        )
        .args(&["-p", "SIGUSR1"]),
        row(Tini, "orphans, child exits 3", App("orphans 3 exit 3"), Run).args(&["-w"]),
        row(Tini, "child exits 3", App("exit 3"), Run).args(&["-e", "3"]),
        row(Tini, "child exits 4", App("exit 4"), Run).args(&["-e", "3"]),
        row(
            Tini,
            "child killed by SIGTERM",
            App("ready wait"),
            Signal(&[TERM]),
        )
        .args(&["-e", "143"]),
        row(Tini, "an exit code out of range", App("exit 0"), Run)
            .args(&["-e", "256"])
            .not_pid1(),
        row(Tini, "an unknown signal", App("exit 0"), Run)
            .args(&["-p", "BOGUS"])
            .not_pid1(),
        row(Tini, "child exits 3", App("exit 3"), Run).args(&["-v"]),
        row(Tini, "child exits 3", App("exit 3"), Run).args(&["-vvv"]),
        row(Tini, "license", Nothing, Run)
            .args(&["-l"])
            .not_pid1()
            .exit_code_only(TEXT),
        row(Tini, "help", Nothing, Run)
            .args(&["-h"])
            .not_pid1()
            .exit_code_only(TEXT),
        row(Tini, "version", Nothing, Run)
            .args(&["--version"])
            .not_pid1()
            .exit_code_only(TEXT),
    ]);

    // tini's variables.
    rows.push(
        row(
            Tini,
            "TINI_SUBREAPER unset: whose child an orphan becomes",
            App(ADOPTION),
            Adoption,
        )
        .not_pid1()
        .differs(
            SUBREAPING,
            0,
            &[
                "app: pid SELF ppid INIT sid CALLER pgid SELF",
                "app: ready",
                "app: got SIGUSR2",
                "orphan: pid SELF ppid INIT sid CALLER pgid APP",
            ],
        ),
    );
    for env in [
        &[("TINI_SUBREAPER", "")],
        &[("TINI_SUBREAPER", "0")],
        &[("TINI_SUBREAPER", "1")],
        &[("TINI_SUBREAPER", "yes")],
    ] {
        rows.push(
            row(
                Tini,
                "whose child an orphan becomes",
                App(ADOPTION),
                Adoption,
            )
            .env(env)
            .not_pid1(),
        );
    }
    for env in [
        &[("TINI_KILL_PROCESS_GROUP", "")],
        &[("TINI_KILL_PROCESS_GROUP", "0")],
        &[("TINI_KILL_PROCESS_GROUP", "1")],
        &[("TINI_KILL_PROCESS_GROUP", "yes")],
    ] {
        rows.push(row(Tini, "SIGUSR1 to the child", App(FAMILY), Family(USR1)).env(env));
    }
    for env in [
        &[("TINI_VERBOSITY", "")],
        &[("TINI_VERBOSITY", "0")],
        &[("TINI_VERBOSITY", "1")],
        &[("TINI_VERBOSITY", "3")],
        &[("TINI_VERBOSITY", "abc")],
        &[("TINI_VERBOSITY", "2x")],
    ] {
        rows.push(row(Tini, "child exits 3", App("exit 3"), Run).env(env));
    }

    // dumb-init's flags.
    rows.extend([
        row(DumbInit, "SIGUSR1 to the group", App(FAMILY), Family(USR1)),
        row(DumbInit, "SIGTERM to the group", App(FAMILY), Family(TERM)),
        row(
            DumbInit,
            "SIGUSR1, the child alone",
            App(FAMILY),
            Family(USR1),
        )
        .args(&["-c"]),
        row(
            DumbInit,
            "SIGTERM, the child alone",
            App(FAMILY),
            Family(TERM),
        )
        .args(&["-c"]),
        row(DumbInit, "SIGTERM", App(FAMILY), Family(TERM)).args(&["--single-child"]),
        row(DumbInit, "leftovers", App(LEFTOVERS), Leftovers)
            .args(&["-c"])
            .not_pid1(),
        row(DumbInit, "child's ids", App("print-pid"), Run).args(&["-c"]),
        row(
            DumbInit,
            "child's signal state, USR1 blocked and HUP ignored",
            App("print-sigstate"),
            Run,
        )
        .args(&["-c"])
        .masked(),
        row(
            DumbInit,
            "SIGUSR1 rewritten to SIGUSR2",
            App("on USR1 exit 1 on USR2 exit 2 ready wait"),
            Signal(&[USR1]),
        )
        .args(&["-r", "10:12"]),
        row(
            DumbInit,
            "SIGUSR1 dropped",
            App("on USR1 exit 1 on USR2 exit 2 ready wait"),
            Signal(&[USR1, USR2]),
        )
        .args(&["--rewrite", "10:0"]),
        row(DumbInit, "a signal out of range", App("exit 0"), Run)
            .args(&["-r", "99:1"])
            .not_pid1(),
        row(DumbInit, "child exits 3", App("exit 3"), Run).args(&["-v"]),
        row(DumbInit, "version", Nothing, Run)
            .args(&["-V"])
            .not_pid1()
            .exit_code_only(TEXT),
        row(DumbInit, "version", Nothing, Run)
            .args(&["--version"])
            .not_pid1()
            .exit_code_only(TEXT),
        row(DumbInit, "help", Nothing, Run)
            .args(&["-h"])
            .not_pid1()
            .exit_code_only(TEXT),
        row(DumbInit, "help", Nothing, Run)
            .args(&["--help"])
            .not_pid1()
            .exit_code_only(TEXT),
    ]);

    // dumb-init's variables.
    for env in [
        &[("DUMB_INIT_SETSID", "")],
        &[("DUMB_INIT_SETSID", "0")],
        &[("DUMB_INIT_SETSID", "1")],
        &[("DUMB_INIT_SETSID", "yes")],
        &[("DUMB_INIT_SETSID", "abc")],
    ] {
        rows.extend([
            row(DumbInit, "SIGTERM to the child", App(FAMILY), Family(TERM)).env(env),
            row(DumbInit, "leftovers", App(LEFTOVERS), Leftovers)
                .env(env)
                .not_pid1(),
        ]);
    }
    for env in [
        &[("DUMB_INIT_DEBUG", "")],
        &[("DUMB_INIT_DEBUG", "0")],
        &[("DUMB_INIT_DEBUG", "1")],
        &[("DUMB_INIT_DEBUG", "abc")],
    ] {
        rows.push(row(DumbInit, "child exits 3", App("exit 3"), Run).env(env));
    }

    // catatonit's flags.
    rows.extend([
        row(
            Catatonit,
            "SIGUSR1, the child alone",
            App(FAMILY),
            Family(USR1),
        ),
        row(
            Catatonit,
            "SIGTERM, the child alone",
            App(FAMILY),
            Family(TERM),
        ),
        row(Catatonit, "SIGUSR1 to the group", App(FAMILY), Family(USR1)).args(&["-g"]),
        row(Catatonit, "SIGTERM to the group", App(FAMILY), Family(TERM)).args(&["-g"]),
        row(Catatonit, "leftovers", App(LEFTOVERS), Leftovers)
            .args(&["-g"])
            .not_pid1(),
        row(Catatonit, "pause, SIGTERM", Nothing, Pause(TERM)).args(&["-P"]),
        row(Catatonit, "pause, SIGTERM", Nothing, Pause(TERM))
            .args(&["-P"])
            .not_pid1(),
        row(
            Catatonit,
            "pause with a command, SIGTERM",
            App("exit 3"),
            Pause(TERM),
        )
        .args(&["-P"])
        .not_pid1(),
        row(Catatonit, "license", Nothing, Run)
            .args(&["-L"])
            .not_pid1()
            .exit_code_only(TEXT),
        row(Catatonit, "help", Nothing, Run)
            .args(&["-h"])
            .not_pid1()
            .exit_code_only(TEXT),
        row(Catatonit, "version", Nothing, Run)
            .args(&["-V"])
            .not_pid1()
            .exit_code_only(TEXT),
        row(Catatonit, "version", Nothing, Run)
            .args(&["--version"])
            .not_pid1()
            .exit_code_only(TEXT),
    ]);

    // catatonit's variable.
    for env in [
        &[("CATATONIT_DEBUG", "")],
        &[("CATATONIT_DEBUG", "0")],
        &[("CATATONIT_DEBUG", "1")],
        &[("CATATONIT_DEBUG", "abc")],
    ] {
        rows.push(row(Catatonit, "child exits 3", App("exit 3"), Run).env(env));
    }

    rows
}

/// An exit code and the lines printed, normalised and sorted: lines of different
/// processes interleave as the scheduler likes.
#[derive(Debug, PartialEq)]
struct Observed {
    code: i32,
    lines: Vec<String>,
}

fn run(row: &Row, program: &Path) -> Observed {
    let mut init = Pidone::new().invoked_as(program).args(row.args);
    init = match row.child {
        Child::App(steps) => init.args(app(steps)),
        Child::Missing => init.args(["/nonexistent/pidone-differential"]),
        Child::NotExecutable => init.args([concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")]),
        Child::Nothing => init,
    };
    for (key, value) in row.env {
        init = init.env(key, value);
    }
    if !row.pid1 {
        init = init.not_pid1();
    }
    let mut command = init.command();
    let careless = row.masked;
    // SAFETY: the closure makes only async-signal-safe system calls.
    unsafe { command.pre_exec(move || starting_signal_state(careless)) };
    let mut running = init.start_command(command);
    let init_pid = if row.pid1 { 1 } else { running.pid() };
    let outcome = match row.script {
        Script::Run => running.finish(),
        Script::Signal(signals) => {
            running.expect_line("app: ready");
            for &signal in signals {
                running.signal(signal);
            }
            running.finish()
        }
        Script::Family(signal) => {
            running.expect_line("grandchild: ready");
            running.expect_line("app: ready");
            running.signal(signal);
            running.expect_line(&format!("app: got {}", signal_name(signal)));
            // Delivered to a group, the signal reached the grandchild in the same kill(2).
            kill(first_child(running.child_pid()), USR2);
            running.expect_line("grandchild: done");
            running.signal(USR2);
            running.finish()
        }
        Script::Leftovers => {
            let worker = pid_in(&running.expect_line("worker: pid"));
            let daemon = pid_in(&running.expect_line("daemon: pid"));
            running.expect_line("worker: ready");
            running.expect_line("daemon: ready");
            running.expect_line("app: ready");
            // Pinned while they are known to live: a pid reused later is never signalled.
            let survivors = Pinned::new(&[worker, daemon]);
            kill(running.child_pid(), USR2);
            eventually("the init exits", || {
                stat(init_pid).is_none_or(|(state, _, _)| state == 'Z')
            });
            survivors.signal(USR1);
            running.finish()
        }
        Script::LeftoverAsPid1 => {
            running.expect_line("daemon: ready");
            running.expect_line("app: ready");
            kill(running.child_pid(), USR2);
            running.finish()
        }
        Script::Adoption => {
            running.expect_line("orphan: pid");
            let app = pid_in(&running.expect_line("app: pid"));
            running.expect_line("app: ready");
            kill(app, USR2);
            running.finish()
        }
        Script::ParentDies => {
            running.expect_line("app: ready");
            let (_, unshare, _) = stat(running.pid()).expect("the init runs");
            kill(unshare, libc::SIGKILL);
            running.finish()
        }
        Script::Pause(signal) => {
            let pid = running.pid_when_running();
            // The init itself, not unshare's child before its exec (which has SIGTERM
            // blocked for a moment, and would lose it as PID 1): blocked, or unblocked by
            // sigtimedwait while it waits for it.
            eventually("the init takes SIGTERM, or exits", || {
                (runs(pid, program) && (blocks(pid, TERM) || waits_for_signals(pid)))
                    || stat(pid).is_none_or(|(state, _, _)| state == 'Z')
            });
            if stat(pid).is_some_and(|(state, _, _)| state != 'Z') {
                kill(pid, signal);
            }
            running.finish()
        }
    };
    let mut lines = normalise(&outcome.stdout, init_pid);
    lines.sort();
    Observed {
        code: outcome.code,
        lines,
    }
}

/// Every init starts with the same signal state, whatever the test runner left it: nothing
/// blocked, every disposition the default — set through the system call, since the C
/// library refuses to touch the signals it keeps for itself (32 and 33). A `careless`
/// parent leaves SIGUSR1 blocked and SIGHUP ignored.
fn starting_signal_state(careless: bool) -> std::io::Result<()> {
    /// The kernel's `struct sigaction` (x86-64, arm64 and the generic layout).
    #[repr(C)]
    struct KernelSigaction {
        handler: libc::sighandler_t,
        flags: libc::c_ulong,
        restorer: usize,
        mask: u64,
    }
    for signal in 1..=64 {
        if signal == libc::SIGKILL || signal == libc::SIGSTOP {
            continue;
        }
        let action = KernelSigaction {
            handler: if careless && signal == libc::SIGHUP {
                libc::SIG_IGN
            } else {
                libc::SIG_DFL
            },
            flags: 0,
            restorer: 0,
            mask: 0,
        };
        // SAFETY: a valid action for a valid signal, and no old action asked for.
        unsafe {
            libc::syscall(
                libc::SYS_rt_sigaction,
                signal,
                &action,
                std::ptr::null_mut::<KernelSigaction>(),
                8,
            )
        };
    }
    let blocked: u64 = if careless {
        1 << (libc::SIGUSR1 - 1)
    } else {
        0
    };
    // SAFETY: a valid 8-byte kernel signal set, and no old mask asked for.
    unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_SETMASK,
            &blocked,
            std::ptr::null_mut::<u64>(),
            8,
        )
    };
    Ok(())
}

/// The processes of the helper; anything else on stdout is the init's own (tini logs at
/// info level and below to stdout), whose wording is not compared.
const NAMES: &[&str] = &["app", "grandchild", "worker", "daemon", "orphan"];

/// Process ids in the helper's "NAME: pid P[ ppid Q sid S pgid G]" lines become what they
/// are to the reader: SELF, INIT (the init's pid as the process sees it), APP (the app's,
/// when it printed it), CALLER (the test's own session, which an init that is not PID 1
/// inherits: a pid, or 0 where its leader is outside the test's PID namespace, as in a
/// container), 0 (outside the process's PID namespace) or OTHER.
fn normalise(lines: &[String], init: i32) -> Vec<String> {
    // SAFETY: getsid(0) only reads the calling process's session id.
    let caller = unsafe { libc::getsid(0) };
    let app = lines
        .iter()
        .find(|l| l.starts_with("app: pid "))
        .map(|l| pid_in(l));
    lines
        .iter()
        .filter(|line| {
            line.split_once(": ")
                .is_some_and(|(name, _)| NAMES.contains(&name))
        })
        .map(|line| {
            let Some((name, ids)) = line.split_once(": pid ") else {
                return line.clone();
            };
            let fields: Vec<&str> = ids.split(' ').collect();
            let own: i32 = fields[0].parse().unwrap();
            let role = |key: &str, value: &str| {
                let id: i32 = value.parse().unwrap();
                match id {
                    _ if key == "sid" && id == caller => "CALLER",
                    0 => "0",
                    _ if id == own => "SELF",
                    _ if id == init => "INIT",
                    _ if Some(id) == app => "APP",
                    _ => "OTHER",
                }
            };
            let mut normalised = format!("{name}: pid SELF");
            for pair in fields[1..].chunks(2) {
                normalised.push_str(&format!(" {} {}", pair[0], role(pair[0], pair[1])));
            }
            normalised
        })
        .collect()
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGTERM => "SIGTERM",
        libc::SIGUSR1 => "SIGUSR1",
        libc::SIGUSR2 => "SIGUSR2",
        _ => unreachable!("no row sends signal {signal}"),
    }
}

fn kill(pid: i32, signal: i32) {
    // SAFETY: kill has no memory effects.
    let result = unsafe { libc::kill(pid, signal) };
    assert_eq!(result, 0, "kill {pid}: {}", std::io::Error::last_os_error());
}

fn first_child(pid: i32) -> i32 {
    let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap();
    children
        .split_whitespace()
        .next()
        .expect("a child")
        .parse()
        .unwrap()
}

/// Whether `pid` has `signal` blocked, from /proc/PID/status.
fn blocks(pid: i32, signal: i32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigBlk:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (signal - 1)) != 0)
}

/// Whether `pid` has executed `program` (as its name says).
fn runs(pid: i32, program: &Path) -> bool {
    let name = program.file_name().unwrap().as_encoded_bytes();
    let comm = std::fs::read(format!("/proc/{pid}/comm")).unwrap_or_default();
    comm.strip_suffix(b"\n") == Some(&name[..name.len().min(15)])
}

/// Whether `pid` sleeps in sigtimedwait, which unblocks the signals it waits for.
fn waits_for_signals(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/wchan")).is_ok_and(|w| w.contains("sigtimedwait"))
}

/// Processes held by pidfds, so that signalling them later never hits a reused pid; those
/// still alive are killed when the test ends, however it ends.
struct Pinned(Vec<i32>);

impl Pinned {
    fn new(pids: &[i32]) -> Self {
        Pinned(
            pids.iter()
                .map(|&pid| {
                    // SAFETY: pidfd_open has no memory effects.
                    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
                    assert!(
                        fd >= 0,
                        "pidfd_open {pid}: {}",
                        std::io::Error::last_os_error()
                    );
                    fd as i32
                })
                .collect(),
        )
    }

    /// Sends `signal` to those still alive.
    fn signal(&self, signal: i32) {
        for &fd in &self.0 {
            // SAFETY: pidfd_send_signal with no siginfo has no memory effects.
            unsafe {
                libc::syscall(
                    libc::SYS_pidfd_send_signal,
                    fd,
                    signal,
                    std::ptr::null::<u8>(),
                    0,
                )
            };
        }
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        self.signal(libc::SIGKILL);
        for &fd in &self.0 {
            // SAFETY: closing a descriptor this struct owns.
            unsafe { libc::close(fd) };
        }
    }
}

/// Runs the row. When the init ends before the script could do its part — pidone refusing
/// a variable the peer accepts, say — the row is run again without the script, to see
/// how it ended.
fn observe(row: &Row, program: &Path) -> Observed {
    let attempt = std::panic::catch_unwind(|| run(row, program));
    match attempt {
        Ok(observed) => observed,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            if !message.contains("stdout closed before") {
                std::panic::resume_unwind(panic);
            }
            eprintln!("      (the init ended before the script was done; run again without it)");
            let unscripted = Row {
                script: Script::Run,
                ..*row
            };
            run(&unscripted, program)
        }
    }
}

/// Runs one row against the peer and against pidone; `Err` says how it failed.
fn check(row: &Row, as_peer: &Path) -> Result<(), String> {
    let peer = observe(row, &row.peer.binary());
    let pidone = observe(row, as_peer);
    match row.expect {
        Expect::Same if pidone == peer => Ok(()),
        Expect::Same => Err(format!(
            "{} does {peer:?}\n      pidone does {pidone:?}",
            row.peer.name()
        )),
        Expect::SameExitCode if pidone.code == peer.code => Ok(()),
        Expect::SameExitCode => Err(format!(
            "{} exits {}, pidone {}",
            row.peer.name(),
            peer.code,
            pidone.code
        )),
        Expect::Pidone { code, lines } => {
            let mut lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            lines.sort();
            let documented = Observed { code, lines };
            if pidone != documented {
                Err(format!(
                    "pidone should do {documented:?} ({})\n      pidone does {pidone:?}",
                    row.expected_difference.unwrap_or_default()
                ))
            } else if peer == documented {
                Err(format!(
                    "{} does the same as pidone now: the difference is gone",
                    row.peer.name()
                ))
            } else {
                Ok(())
            }
        }
    }
}

fn describe(row: &Row) -> String {
    let env: Vec<String> = row.env.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    let command_line: Vec<&str> = std::iter::once(row.peer.name())
        .chain(env.iter().map(String::as_str))
        .chain(row.args.iter().copied())
        .collect();
    format!(
        "{:<40} {}{}",
        command_line.join(" "),
        row.what,
        if row.pid1 { "" } else { " (not PID 1)" }
    )
}

fn differential(peer: Peer) {
    require_namespaces!();
    if !peer.binary().is_file() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI=true but {:?} is missing",
            peer.binary()
        );
        eprintln!("skipping: {:?} is not installed", peer.binary());
        return;
    }
    let as_peer = pidone_named(peer.name());
    let mut failures = Vec::new();
    for row in table().iter().filter(|r| r.peer == peer) {
        assert_eq!(
            row.expected_difference.is_some(),
            !matches!(row.expect, Expect::Same),
            "{}: a difference needs its README sentence, and the other way round",
            describe(row)
        );
        if let Some(sentence) = row.expected_difference {
            assert!(
                common::readme_says(sentence),
                "README.md does not say: {sentence}"
            );
        }
        match check(row, &as_peer) {
            Ok(()) => eprintln!("ok    {}", describe(row)),
            Err(why) => {
                eprintln!("FAIL  {}\n      {why}", describe(row));
                failures.push(describe(row));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} rows differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn pidone_as_tini_matches_tini() {
    differential(Peer::Tini);
}

#[test]
fn pidone_as_dumb_init_matches_dumb_init() {
    differential(Peer::DumbInit);
}

#[test]
fn pidone_as_catatonit_matches_catatonit() {
    differential(Peer::Catatonit);
}
