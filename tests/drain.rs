//! When the main child exits first, what it leaves behind is asked to stop (SIGTERM), given
//! the grace to flush, then killed; pidone exits with the main child's code only after.

mod common;

use std::time::{Duration, Instant};

use common::{Pidone, app, pid_in, signals_seen};

#[test]
fn workers_flush_on_sigterm_after_the_main_child_exits() {
    require_namespaces!();
    let (in_group, daemonised) = (
        common::scratch_path("group-worker"),
        common::scratch_path("daemon"),
    );
    // One worker stays in the child's process group; the other left it with setsid, as a
    // daemon does: only kill(-1) as PID 1 reaches it.
    let steps = format!(
        "spawn {{ as worker on USR1 record on TERM flush {} ready wait }} \
         daemon {{ as daemon on TERM flush {} ready wait }} \
         as app on USR1 exit 4 ready wait",
        in_group.display(),
        daemonised.display()
    );
    let mut pidone = Pidone::new().args(["-v"]).args(app(&steps)).start();
    pidone.expect_line("worker: ready");
    pidone.expect_line("daemon: ready");
    pidone.expect_line("app: ready");
    pidone.signal(libc::SIGUSR1);
    let outcome = pidone.finish();

    assert_eq!(outcome.code, 4, "the main child's code: {outcome:?}");
    assert_eq!(std::fs::read_to_string(&in_group).unwrap(), "flushed\n");
    assert_eq!(std::fs::read_to_string(&daemonised).unwrap(), "flushed\n");
    assert_eq!(
        signals_seen(&outcome.stdout, "worker"),
        ["SIGUSR1", "SIGTERM"]
    );
    assert_eq!(signals_seen(&outcome.stdout, "daemon"), ["SIGTERM"]);
    assert!(outcome.stdout.contains(&"worker: flushed".to_string()));
    assert!(
        outcome.stderr.contains("sending SIGTERM"),
        "{}",
        outcome.stderr
    );
    assert!(!outcome.stderr.contains("SIGKILL"), "{}", outcome.stderr);
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
