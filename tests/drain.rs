//! When the main child exits first, what it leaves behind is asked to stop (SIGTERM), given
//! the grace to flush, then killed; pidone exits with the main child's code only after.
//! `--on-child-exit wait` instead leaves them to finish on their own (until a SIGTERM from
//! outside), and `--on-child-exit exit` leaves them at once.

mod common;

use std::time::{Duration, Instant};

use common::{Pidone, app, pid_in, scenarios, signals_seen};

#[test]
fn workers_flush_on_sigterm_after_the_main_child_exits() {
    require_namespaces!();
    scenarios::the_drain_stops_what_is_left(Pidone::new());
}

#[test]
fn a_stubborn_worker_is_killed_after_the_grace() {
    require_namespaces!();
    let grace = Duration::from_millis(500);
    let steps = "spawn { as worker print-pid on USR1 record on TERM record ready wait } as app on USR1 exit 3 ready wait";
    let mut pidone = Pidone::new()
        .args(["--grace", "500ms"])
        .args(app(steps))
        .start();
    let worker_pid = pid_in(&pidone.expect_line("worker: pid"));
    pidone.expect_line("worker: ready");
    pidone.expect_line("app: ready");
    pidone.signal(libc::SIGUSR1);
    pidone.expect_line("worker: got SIGTERM");
    let drained = Instant::now();
    let (outcome, exited) = pidone.finish_within(common::PATIENCE);

    assert_eq!(
        outcome.code, 3,
        "the main child's code, not the worker's 137: {outcome:?}"
    );
    assert!(
        exited - drained < grace + Duration::from_millis(700),
        "took {:?}",
        exited - drained
    );
    let warning = outcome.kill_warning();
    assert!(
        warning.contains(&worker_pid.to_string()),
        "{warning} does not name {worker_pid}"
    );
}

#[test]
fn signals_still_reach_workers_during_the_drain() {
    require_namespaces!();
    // A worker that is draining still gets what is forwarded to the group.
    let flushed = common::scratch_path("late-flush");
    let steps = format!(
        "spawn {{ as worker on USR1 record on TERM record on USR2 flush {} ready wait }} as app on USR1 exit 0 ready wait",
        flushed.display()
    );
    let mut pidone = Pidone::new()
        .args(["--grace", "5s"])
        .args(app(&steps))
        .start();
    pidone.expect_line("worker: ready");
    pidone.expect_line("app: ready");
    pidone.signal(libc::SIGUSR1);
    pidone.expect_line("worker: got SIGTERM");
    // The worker finishes on SIGUSR2, forwarded to the group: well within the grace.
    pidone.signal(libc::SIGUSR2);
    let outcome = pidone.finish();
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert_eq!(std::fs::read_to_string(&flushed).unwrap(), "flushed\n");
    assert!(!outcome.stderr.contains("SIGKILL"), "{}", outcome.stderr);
}

/// Yelp/dumb-init#220, the `npm start` / `go run` wrapper: `docker stop`'s SIGTERM reaches
/// the wrapper and the application behind it, in one process group; the wrapper exits at
/// once. The drain that follows must not send the application a second SIGTERM (an
/// application whose first SIGTERM handler restores the default action dies of it) — only
/// a daemon in another session, which the forwarded SIGTERM did not reach, gets one. As
/// PID 1 and not.
#[test]
fn the_drain_sends_no_second_sigterm_to_what_the_forwarded_one_reached() {
    require_namespaces!();
    for pid1 in [true, false] {
        let steps = "spawn { as application on TERM record on USR1 exit 0 ready wait } \
                     daemon { as daemon on TERM record on TERM exit 0 ready wait } \
                     as wrapper on TERM exit 0 ready wait";
        let mut pidone = Pidone::new().args(["-v"]).args(app(steps));
        if !pid1 {
            pidone = pidone.not_pid1();
        }
        let mut pidone = pidone.start();
        for name in ["application", "daemon", "wrapper"] {
            pidone.expect_line(&format!("{name}: ready"));
        }
        pidone.signal(libc::SIGTERM);
        pidone.expect_stderr_line("exited; exit code 0");
        pidone.await_idle();
        // The drain is over; the application finishes its shutdown when it is told to.
        pidone.signal(libc::SIGUSR1);
        let outcome = pidone.finish();
        assert_eq!(outcome.code, 0, "pid1={pid1}: {outcome:?}");
        assert_eq!(
            signals_seen(&outcome.stdout, "application"),
            ["SIGTERM", "SIGUSR1"],
            "pid1={pid1}: one SIGTERM: {outcome:?}"
        );
        assert_eq!(
            signals_seen(&outcome.stdout, "daemon"),
            ["SIGTERM"],
            "pid1={pid1}: the daemon had none from the forward: {outcome:?}"
        );
    }
}

/// Without a grace of the user's, the drain after the main child's own exit still ends:
/// at its default of 10 s (Docker's default stop timeout), with the warning naming the pids.
#[test]
fn without_a_grace_the_drain_kills_what_is_left_after_ten_seconds() {
    require_namespaces!();
    // The app exits only once the worker is ready: a SIGTERM before the worker's handler
    // is in place would kill it at once.
    let steps = "spawn { as worker print-pid on USR1 record on TERM record ready wait } \
                 as app on USR1 exit 3 ready wait";
    let mut pidone = Pidone::new().args(app(steps)).start();
    let worker = pid_in(&pidone.expect_line("worker: pid"));
    pidone.expect_line("worker: ready");
    pidone.expect_line("app: ready");
    let started = Instant::now();
    pidone.signal(libc::SIGUSR1);
    let outcome = pidone.finish();
    let took = started.elapsed();
    assert_eq!(outcome.code, 3, "the child's code: {outcome:?}");
    assert!(took >= Duration::from_secs(10), "killed after {took:?}");
    assert_eq!(
        signals_seen(&outcome.stdout, "worker"),
        ["SIGUSR1", "SIGTERM"]
    );
    let warning = outcome.kill_warning();
    assert!(
        warning.contains("drain deadline of 10s expired") && warning.contains(&worker.to_string()),
        "{warning}"
    );
}

/// `--on-child-exit wait` (tini#139, dumb-init#80): the processes the child leaves are
/// neither signalled nor killed; pidone reaps until they have all exited on their own.
#[test]
fn wait_leaves_the_others_to_finish_on_their_own() {
    require_namespaces!();
    let steps = "spawn { as agent on USR2 record on TERM record on USR1 exit 0 ready wait } \
                 as app on USR2 record ready await USR2 exit 3";
    let mut pidone = Pidone::new()
        .args(["-v", "--on-child-exit", "wait", "--grace", "100ms"])
        .args(app(steps))
        .start();
    pidone.expect_line("agent: ready");
    pidone.expect_line("app: ready");
    pidone.signal(libc::SIGUSR2);
    pidone.expect_stderr_line("exit code 3");
    // pidone sleeps with no deadline at all: the agent is not asked to stop, nor killed
    // at the grace; it ends when it is done.
    let timeout = common::sleeping_in_sigtimedwait(pidone.pid())[2].clone();
    assert_eq!(timeout, "0x0", "a deadline while waiting");
    pidone.signal(libc::SIGUSR1);
    let outcome = pidone.finish();
    assert_eq!(outcome.code, 3, "the child's code: {outcome:?}");
    assert_eq!(
        signals_seen(&outcome.stdout, "agent"),
        ["SIGUSR2", "SIGUSR1"]
    );
    assert!(!outcome.stderr.contains("SIGKILL"), "{outcome:?}");
}

/// In `wait`, a SIGTERM from outside then starts a normal shutdown: forwarded to the
/// child's group, SIGTERM to those it did not reach, SIGKILL at the grace.
#[test]
fn wait_ends_in_a_normal_shutdown_on_sigterm() {
    require_namespaces!();
    let steps = "spawn { as agent on USR2 record on TERM record ready wait } \
                 daemon { as daemon on TERM record ready wait } \
                 as app on USR2 record ready await USR2 exit 3";
    let mut pidone = Pidone::new()
        .args(["-v", "--on-child-exit", "wait", "--grace", "300ms"])
        .args(app(steps))
        .start();
    pidone.expect_line("agent: ready");
    pidone.expect_line("daemon: ready");
    pidone.expect_line("app: ready");
    pidone.signal(libc::SIGUSR2);
    pidone.expect_stderr_line("exit code 3");
    pidone.signal(libc::SIGTERM);
    let outcome = pidone.finish();
    assert_eq!(outcome.code, 3, "{outcome:?}");
    assert_eq!(
        signals_seen(&outcome.stdout, "agent"),
        ["SIGUSR2", "SIGTERM"]
    );
    assert_eq!(signals_seen(&outcome.stdout, "daemon"), ["SIGTERM"]);
    assert!(
        outcome
            .stderr
            .contains("pidone: warning: grace period of 300ms expired: sending SIGKILL"),
        "{outcome:?}"
    );
}

/// `--on-child-exit exit`, as tini does: pidone exits with the child at once. Not PID 1,
/// the worker it leaves keeps running, re-parented.
#[test]
fn exit_leaves_at_once() {
    // The worker closes its stdout, which the test reads to its end once pidone is gone.
    let steps = "spawn { as worker print-pid on USR2 record on TERM record ready close-stdio wait } \
                 as app on USR2 record ready await USR2 exit 3";
    let mut pidone = Pidone::new()
        .not_pid1()
        .args(["--on-child-exit", "exit"])
        .args(app(steps))
        .start();
    let worker = pid_in(&pidone.expect_line("worker: pid"));
    pidone.expect_line("worker: ready");
    pidone.expect_line("app: ready");
    pidone.signal(libc::SIGUSR2);
    let outcome = pidone.finish();
    let alive = std::fs::read_to_string(format!("/proc/{worker}/stat")).is_ok();
    // SAFETY: the worker is this test's own descendant.
    unsafe { libc::kill(worker, libc::SIGKILL) };
    assert_eq!(outcome.code, 3, "{outcome:?}");
    assert!(alive, "the worker was not left running");
}
