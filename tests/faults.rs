//! The fault matrix: pidone as PID 1 under a full process table, fork and signal storms, a
//! child that stops itself, closed or broken stdio, no /proc, a read-only root, an
//! unprivileged user namespace, and recycled pids. Each test checks the exit code, that no
//! zombie is left, and pidone's log line where one is due. (SIGTERM at every phase of
//! pidone's life is in `shutdown_phases.rs`.)
//!
//! Longer than about 450 lines because it is RELIABILITY.md's table of faults in one place,
//! one test per fault, sharing the harness above the tests (`pid1_after`, the stubborn
//! application and its checks).

mod common;

use std::ffi::OsString;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{
    PIDONE, Pidone, app, eventually, flood, kill, namespace_members, rss_kb, scratch_path, state,
    warnings, zombies_in_namespace_of,
};

/// pidone as PID 1 of a new PID namespace, after `setup` has run as that namespace's PID 1
/// in a shell, which then execs pidone. `unshare_flags` say which namespaces.
fn pid1_after(setup: &str, unshare_flags: &[&str], args: Vec<OsString>) -> Command {
    let mut command = Command::new(common::unshare());
    command
        .args(unshare_flags)
        .args(["--fork", "--kill-child", "/bin/sh", "-c"])
        .arg(format!("{setup} && exec \"$0\" \"$@\""))
        .arg(PIDONE)
        .args(args);
    common::plain(&mut command);
    command
}

/// A process's pid as the PID namespace of `member` numbers it, mapped to this machine's.
fn host_pid(member: i32, namespace_pid: i32) -> i32 {
    let found = namespace_members(member).into_iter().find_map(|(pid, _)| {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let inner = status
            .lines()
            .find_map(|l| l.strip_prefix("NSpid:"))?
            .split_whitespace()
            .last()?
            .parse::<i32>()
            .ok()?;
        (inner == namespace_pid).then_some(pid)
    });
    found.unwrap_or_else(|| panic!("no pid {namespace_pid} in the namespace of {member}"))
}

/// The last (innermost) value of a `/proc/PID/status` field such as `NSpgid`.
fn innermost(pid: i32, field: &str) -> i32 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().last()?.parse().ok())
        .unwrap()
}

/// A pipe whose reading end is already closed: writing to it fails with EPIPE and raises
/// SIGPIPE against the writer.
fn broken_pipe() -> OwnedFd {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills both descriptors, each owned once here.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    write
}

// --- The process table -------------------------------------------------------------------

#[test]
fn the_apps_forks_fail_on_a_full_process_table_and_pidone_keeps_reaping() {
    require_namespaces!();
    // RLIMIT_NPROC binds only unprivileged users: the app drops root first and may then
    // have four processes. While pidone is stopped, the orphans' zombies stay and fill
    // the app's table; its forks fail with EAGAIN and it retries until pidone, continued,
    // reaps them and makes room.
    let mut pidone = Pidone::new()
        .args(app(
            "become 65533 limit-procs 4 on TERM exit 0 on USR2 record ready await USR2 orphans 300 as done ready wait",
        ))
        .start();
    pidone.expect_line("app: ready");
    pidone.await_idle();
    let pid = pidone.pid();
    let child = pidone.child_pid();
    common::freeze(pid);
    kill(child, libc::SIGUSR2);
    pidone.expect_line("app: fork refused");
    assert!(
        zombies_in_namespace_of(pid) > 0,
        "the app's orphans wait as zombies"
    );
    kill(pid, libc::SIGCONT);
    pidone.expect_line_within("app: orphans 300", Duration::from_secs(120));
    pidone.expect_line("done: ready");
    eventually("every orphan is reaped", || {
        namespace_members(pid).len() == 2
    });
    assert_eq!(zombies_in_namespace_of(pid), 0);
    pidone.signal(libc::SIGTERM);
    let outcome = pidone.finish();
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert_eq!(outcome.stderr, "", "nothing to warn about");
}

#[test]
fn pidone_that_cannot_fork_exits_1_naming_fork() {
    // Unprivileged, with a process limit it already reaches by itself.
    let pidone = Pidone::new().not_pid1().args(app("exit 0"));
    let mut command = pidone.command();
    command.uid(65532).gid(65532);
    // SAFETY: setrlimit is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::setrlimit(libc::RLIMIT_NPROC, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let outcome = pidone.start_command(command).finish();
    assert_eq!(outcome.code, 1, "{outcome:?}");
    assert_eq!(
        outcome.stderr_lines(),
        ["pidone: error: cannot fork: Resource temporarily unavailable (os error 11)"]
    );
}

// --- Storms ------------------------------------------------------------------------------

#[test]
fn a_fork_storm_under_a_signal_storm_leaves_no_zombie_and_pidones_memory_flat() {
    require_namespaces!();
    let mut pidone = Pidone::new()
        .args(app(
            "on USR1 record on WINCH record on TERM exit 0 on USR2 record ready await USR2 orphans 50000 wait",
        ))
        .start();
    pidone.expect_line("app: ready");
    pidone.await_idle();
    let pid = pidone.pid();
    let rss_at_start = rss_kb(pid);

    let stop = Arc::new(AtomicBool::new(false));
    let usr1 = flood(pid, libc::SIGUSR1, Duration::from_micros(200), stop.clone());
    let winch = flood(
        pid,
        libc::SIGWINCH,
        Duration::from_micros(200),
        stop.clone(),
    );
    pidone.signal(libc::SIGUSR2);
    pidone.expect_line_within("app: orphans 50000", Duration::from_secs(600));
    stop.store(true, Ordering::Relaxed);
    let sent = usr1.join().unwrap() + winch.join().unwrap();
    assert!(
        sent > 100,
        "the signal storm hardly happened: {sent} signals"
    );

    eventually("every orphan is reaped", || {
        namespace_members(pid).len() == 2
    });
    assert_eq!(zombies_in_namespace_of(pid), 0);
    pidone.await_idle();
    let rss_after = rss_kb(pid);
    assert!(
        rss_after * 10 <= rss_at_start * 11,
        "pidone's RSS grew from {rss_at_start} kB to {rss_after} kB over 50,000 orphans and {sent} signals"
    );
    eprintln!(
        "RSS {rss_at_start} kB at start, {rss_after} kB after 50,000 orphans and {sent} signals"
    );
    pidone.signal(libc::SIGTERM);
    let outcome = pidone.finish();
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert_eq!(outcome.stderr, "");
}

#[test]
fn a_storm_of_100000_signals_forwards_every_burst_and_leaves_pidone_responsive() {
    require_namespaces!();
    let grace = Duration::from_secs(10);
    let mut pidone = Pidone::new()
        .args(["--grace", "10s"])
        .args(app(
            "on USR1 record on WINCH record on RTMIN record on TERM exit 0 ready wait",
        ))
        .start();
    pidone.expect_line("app: ready");
    pidone.await_idle();
    let pid = pidone.pid();
    // 100 bursts of 1,000. Standard signals coalesce, so a burst may arrive as a single
    // SIGUSR1 and a single SIGWINCH, but never as none. SIGRTMIN closes each burst: it is
    // numbered above both, and pidone and the app each take pending signals lowest first,
    // so when the app reports it, everything of the burst has been reported before it.
    for burst in 0..100 {
        for i in 0..1000 {
            let signal = if i % 2 == 0 {
                libc::SIGUSR1
            } else {
                libc::SIGWINCH
            };
            kill(pid, signal);
        }
        kill(pid, libc::SIGRTMIN());
        let lines = pidone.next_lines_until("app: got SIGRTMIN");
        for name in ["SIGUSR1", "SIGWINCH"] {
            assert!(
                lines.iter().any(|l| l == &format!("app: got {name}")),
                "burst {burst}: no {name} reached the app: {lines:?}"
            );
        }
    }
    let asked = Instant::now();
    pidone.signal(libc::SIGTERM);
    let (outcome, exited) = pidone.finish_within(grace);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert!(exited - asked < grace, "took {:?}", exited - asked);
    assert_eq!(outcome.stderr, "");
}

// --- A stopped child -----------------------------------------------------------------------

#[test]
fn a_child_that_stops_itself_is_waited_for_and_sigterm_still_ends_it() {
    require_namespaces!();
    let grace = Duration::from_secs(30);
    let mut pidone = Pidone::new()
        .args(["--grace", "30s"])
        .args(app(
            "on TERM exit 7 ready stop-self as resumed ready stop-self wait",
        ))
        .start();
    pidone.expect_line("app: ready");
    let child = pidone.child_pid();
    eventually("the child has stopped", || state(child) == 'T');
    // pidone notices the stop, neither exits nor spins: it sleeps.
    pidone.await_idle();
    pidone.signal(libc::SIGCONT);
    pidone.expect_line("resumed: ready");
    eventually("the child has stopped again", || state(child) == 'T');
    pidone.await_idle();
    // A stopped process keeps SIGTERM pending until continued: pidone follows it with
    // SIGCONT, so the child exits now, not at the deadline.
    let asked = Instant::now();
    pidone.signal(libc::SIGTERM);
    let (outcome, exited) = pidone.finish_within(grace);
    assert_eq!(outcome.code, 7, "{outcome:?}");
    assert!(
        exited - asked < Duration::from_secs(5),
        "exited {:?} after SIGTERM",
        exited - asked
    );
    assert!(warnings(&outcome.stderr).is_empty(), "{}", outcome.stderr);
}

#[test]
fn a_child_that_stops_just_as_sigterm_arrives_is_continued() {
    require_namespaces!();
    // pidone is frozen while SIGTERM reaches it and the child stops itself: when it
    // resumes it takes SIGTERM first (the lowest pending signal) and only then learns of
    // the stop. Forwarded SIGCONTs are dropped (`CONT:0`), so that the one that resumes
    // pidone cannot continue the child: only pidone's own can.
    let grace = Duration::from_secs(30);
    let mut pidone = Pidone::new()
        .args(["--grace", "30s", "--rewrite", "CONT:0"])
        .args(app(
            "on TERM exit 7 on USR1 record ready await USR1 stop-self wait",
        ))
        .start();
    pidone.expect_line("app: ready");
    pidone.await_idle();
    let pid = pidone.pid();
    let child = pidone.child_pid();
    common::freeze(pid);
    kill(pid, libc::SIGTERM);
    kill(child, libc::SIGUSR1);
    eventually("the child has stopped", || state(child) == 'T');
    let resumed = Instant::now();
    kill(pid, libc::SIGCONT);
    let (outcome, exited) = pidone.finish_within(grace);
    assert_eq!(outcome.code, 7, "{outcome:?}");
    assert!(
        exited - resumed < Duration::from_secs(5),
        "exited {:?} after pidone resumed",
        exited - resumed
    );
}

// --- stdio ---------------------------------------------------------------------------------

#[test]
fn started_with_stdin_stdout_and_stderr_closed_pidone_runs_and_leaks_nothing_into_them() {
    require_namespaces!();
    let fds = scratch_path("fds");
    let pidone = Pidone::new()
        .args(["-vv", "--grace", "1s"])
        .args(app(&format!(
            "orphan {{ exit 0 }} list-fds {} close-stdio exit 3",
            fds.display()
        )));
    let mut command = pidone.command();
    // SAFETY: close is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            for fd in 0..3 {
                libc::close(fd);
            }
            Ok(())
        });
    }
    let outcome = pidone.start_command(command).finish();
    assert_eq!(outcome.code, 3, "{outcome:?}");
    let fds = std::fs::read_to_string(&fds).unwrap();
    let open: Vec<&str> = fds.trim_end().split(' ').skip(1).collect();
    for stdio in ["0", "1", "2"] {
        assert!(
            !open.contains(&stdio),
            "the child must start with 0, 1 and 2 closed, as pidone was, not with pidone's pipe there: {fds:?}"
        );
    }
}

#[test]
fn a_broken_stderr_costs_nothing_and_its_sigpipe_stays_pidones() {
    require_namespaces!();
    // With -vv pidone writes a debug line for every signal to a pipe nobody reads: each
    // write fails with EPIPE and raises SIGPIPE against pidone, which must not reach the app.
    let pidone = Pidone::new()
        .args(["-vv"])
        .args(app("record-all on USR2 finish 0 ready wait"));
    let mut command = pidone.command();
    command.stderr(Stdio::from(broken_pipe()));
    let mut running = pidone.start_command(command);
    running.expect_line("app: ready");
    for _ in 0..3 {
        running.signal(libc::SIGUSR1);
        running.expect_line("app: got SIGUSR1");
        running.await_idle();
    }
    running.signal(libc::SIGUSR2);
    let outcome = running.finish();
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert!(
        !outcome.stdout.iter().any(|l| l.contains("SIGPIPE")),
        "pidone's own SIGPIPE was forwarded: {:?}",
        outcome.stdout
    );
    assert_eq!(outcome.stdout.last().map(String::as_str), Some("app: done"));
}

// --- The environment -----------------------------------------------------------------------

/// An application with an orphan, a worker and itself all ignoring SIGTERM: pidone must
/// kill them at the deadline, reap them, and exit 137 with its warning.
const STUBBORN: &str =
    "orphans 20 spawn { as worker on TERM record ready wait } on TERM record ready wait";

fn stop_stubborn(mut pidone: common::Running) -> common::Outcome {
    pidone.expect_line("worker: ready");
    pidone.expect_line("app: ready");
    pidone.await_idle();
    pidone.signal(libc::SIGTERM);
    pidone.expect_line("app: got SIGTERM");
    pidone.expect_line("worker: got SIGTERM");
    let outcome = pidone.finish();
    assert_eq!(outcome.code, 137, "{outcome:?}");
    outcome
}

/// pidone's arguments for the stubborn application, with a short grace.
fn stubborn() -> Vec<OsString> {
    ["--grace", "500ms"]
        .map(OsString::from)
        .into_iter()
        .chain(app(STUBBORN))
        .collect()
}

/// The one warning of a stubborn run: the kill, whose pids pidone names only where it has
/// a /proc of its own.
fn assert_only_the_kill_warning(outcome: &common::Outcome, names_pids: bool) {
    let warnings = warnings(&outcome.stderr);
    let expected = if names_pids {
        "pidone: warning: grace period of 500ms expired: sending SIGKILL to pids "
    } else {
        "pidone: warning: grace period of 500ms expired: sending SIGKILL to every process left (without a /proc of this PID namespace, pidone cannot name them)"
    };
    assert!(
        warnings.len() == 1 && warnings[0].starts_with(expected),
        "{}",
        outcome.stderr
    );
}

#[test]
fn without_proc_as_pid_1_everything_still_works() {
    require_namespaces!();
    let command = pid1_after(
        "mount -t tmpfs none /proc",
        &["--pid", "--mount", "--propagation", "private"],
        stubborn(),
    );
    let outcome = stop_stubborn(Pidone::new().start_command(command));
    assert_only_the_kill_warning(&outcome, false);
}

#[test]
fn a_proc_of_another_pid_namespace_is_not_read() {
    require_namespaces!();
    // Without --mount-proc the new namespace sees this machine's /proc, whose pids are
    // other processes there: pidone must neither name nor signal them.
    let mut command = Command::new(common::unshare());
    command
        .args(["--pid", "--fork", "--kill-child", PIDONE])
        .args(stubborn());
    common::plain(&mut command);
    let outcome = stop_stubborn(Pidone::new().start_command(command));
    assert_only_the_kill_warning(&outcome, false);
}

#[test]
fn without_proc_and_not_pid_1_pidone_warns_once_and_never_hangs() {
    require_namespaces!();
    // No PID namespace: pidone is an ordinary process and subreaper. Without /proc it
    // cannot find a daemon that left the child's session; once the child is reaped and
    // the deadline has passed it exits instead of waiting for it forever.
    let mut command = Command::new(common::unshare());
    command
        .args(["--mount", "--propagation", "private", "/bin/sh", "-c"])
        .arg("mount -t tmpfs none /proc && exec \"$0\" \"$@\"")
        .args([PIDONE, "--grace", "500ms"])
        .args(app(
            // The daemon lets go of the test's pipes: it outlives pidone.
            "daemon { as daemon print-pid close-stdio wait } exit 5",
        ));
    common::plain(&mut command);
    let mut running = Pidone::new().not_pid1().start_command(command);
    let daemon = common::pid_in(&running.expect_line("daemon: pid"));
    eventually("the daemon has closed its stdio", || {
        std::fs::read_link(format!("/proc/{daemon}/fd/1")).is_err()
    });
    struct KillDaemon(i32);
    impl Drop for KillDaemon {
        fn drop(&mut self) {
            // SAFETY: kill has no memory effects; the daemon outlives pidone by design.
            unsafe { libc::kill(self.0, libc::SIGKILL) };
        }
    }
    let _daemon = KillDaemon(daemon);
    let outcome = running.finish();
    assert_eq!(outcome.code, 5, "{outcome:?}");
    let warnings = warnings(&outcome.stderr);
    assert_eq!(warnings.len(), 2, "{}", outcome.stderr);
    assert!(
        warnings[0].contains("/proc is not mounted"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[1].contains("sending SIGKILL to the child's process group"),
        "{}",
        warnings[1]
    );
    assert_eq!(state(daemon), 'S', "the daemon was left alone, as warned");
}

#[test]
fn on_a_read_only_root_everything_still_works() {
    require_namespaces!();
    let command = pid1_after(
        "mount -o remount,bind,ro / && ! touch /.pidone-write-check 2>/dev/null",
        &["--pid", "--mount-proc"],
        stubborn(),
    );
    let outcome = stop_stubborn(Pidone::new().start_command(command));
    assert_only_the_kill_warning(&outcome, true);
}

#[test]
fn as_an_unprivileged_user_in_a_user_namespace_everything_still_works() {
    require_namespaces!();
    let mut command = Command::new(common::unshare());
    command
        .args([
            "--user",
            "--map-root-user",
            "--pid",
            "--fork",
            "--mount-proc",
            "--kill-child",
            PIDONE,
        ])
        .args(stubborn());
    common::plain(&mut command);
    command.uid(65534).gid(65534);
    let outcome = stop_stubborn(Pidone::new().start_command(command));
    assert_only_the_kill_warning(&outcome, true);
}

#[test]
fn a_process_whose_name_is_not_utf8_cannot_hide_from_the_drain() {
    // Not PID 1, pidone finds processes outside the child's group in /proc/PID/stat, where
    // a process's name is any bytes it chose. A daemon named "bad\xff" must still get the
    // drain's SIGTERM, or pidone would wait for it, unable to signal it, forever.
    let mut pidone = Pidone::new()
        .not_pid1()
        .args(["--grace", "20s"])
        .args(app(
            "on TERM record on USR1 exit 3 daemon { rename-hex 626164ff as daemon on TERM exit 0 ready wait } ready wait",
        ))
        .start();
    pidone.expect_line("daemon: ready");
    pidone.expect_line("app: ready");
    pidone.signal(libc::SIGUSR1);
    let (outcome, _) = pidone.finish_within(Duration::from_secs(10));
    assert_eq!(outcome.code, 3, "{outcome:?}");
}

// --- Recycled pids ---------------------------------------------------------------------------

#[test]
fn a_recycled_pid_of_the_child_is_never_signalled() {
    require_namespaces!();
    // In a namespace whose pids cycle through 300..399, the child gets pid 351. It exits,
    // leaving a worker in a session of its own, which forks until a new process gets pid
    // 351 and leads a process group numbered like the child's old one: the impostor. A
    // signal pidone forwards from then on must not reach it.
    for mode in [&[][..], &["--single-child"][..]] {
        let args: Vec<OsString> = ["--grace", "120s"]
            .iter()
            .chain(mode)
            .map(OsString::from)
            .chain(app(
                // TERM is blocked before the worker exists, so the drain's SIGTERM waits
                // for it instead of killing it before it has blocked TERM itself.
                "print-pid on TERM exit 0 daemon { as worker on TERM exit 0 fork-until-pid 351 { setsid as impostor record-all on USR2 finish 0 ready wait } wait } exit 0",
            ))
            .collect();
        let command = pid1_after(
            "echo 400 > /proc/sys/kernel/pid_max && echo 350 > /proc/sys/kernel/ns_last_pid",
            &["--pid", "--mount-proc"],
            args,
        );
        let mut pidone = Pidone::new().start_command(command);
        assert_eq!(common::pid_in(&pidone.expect_line("app: pid")), 351);
        pidone.expect_line("worker: took pid 351");
        pidone.expect_line("impostor: ready");
        let pid = pidone.pid();
        let impostor = host_pid(pid, 351);
        assert_eq!(
            innermost(impostor, "NSpgid:"),
            351,
            "the impostor leads group 351"
        );
        pidone.await_idle();
        pidone.signal(libc::SIGUSR1);
        pidone.await_idle();
        kill(impostor, libc::SIGUSR2);
        let outcome = pidone.finish();
        assert_eq!(
            outcome.code, 0,
            "{mode:?}: the child's code, not that of a later process with its pid: {outcome:?}"
        );
        let impostor_got = common::signals_seen(&outcome.stdout, "impostor");
        assert!(
            !impostor_got.contains(&"SIGUSR1"),
            "{mode:?}: a signal for the reaped child reached pid 351's new owner: {impostor_got:?}"
        );
        assert!(impostor_got.contains(&"SIGUSR2"), "{outcome:?}");
        assert!(
            outcome.stdout.iter().any(|l| l == "impostor: done"),
            "{outcome:?}"
        );
    }
}
