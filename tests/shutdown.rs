//! SIGTERM/SIGINT start the grace clock; whatever is alive when it runs out gets SIGKILL,
//! with a warning naming the pids; later shutdown signals do not restart the clock. Without
//! a grace there is no deadline of pidone's. `--timeout` stops the child as a SIGTERM would;
//! the stop delay holds a SIGTERM back before it is forwarded, counted against the grace,
//! while other signals, and a SIGINT, pass at once. (SIGTERM at each phase of pidone's life
//! is in `shutdown_phases.rs`.)

mod common;

use std::time::{Duration, Instant};

use common::scenarios::{self, TOLERANCE};
use common::{Pidone, app, signals_seen};

#[test]
fn a_child_ignoring_sigterm_is_killed_when_the_grace_runs_out() {
    require_namespaces!();
    scenarios::grace_ends_in_sigkill(Pidone::new());
}

#[test]
fn sigint_starts_the_clock_too() {
    require_namespaces!();
    let mut pidone = Pidone::new()
        .args(["-t", "300ms"])
        .args(app("on INT record ready wait"))
        .start();
    pidone.expect_line("app: ready");
    pidone.signal(libc::SIGINT);
    let outcome = pidone.finish();
    assert_eq!(outcome.code, 137);
    assert_eq!(signals_seen(&outcome.stdout, "app"), ["SIGINT"]);
}

#[test]
fn a_second_sigterm_is_forwarded_but_does_not_restart_the_clock() {
    require_namespaces!();
    let grace = Duration::from_secs(2);
    let mut pidone = Pidone::new()
        .env("PIDONE_GRACE", "2s")
        .args(app("on TERM record ready wait"))
        .start();
    pidone.expect_line("app: ready");
    let first = Instant::now();
    pidone.signal(libc::SIGTERM);
    pidone.expect_line("app: got SIGTERM");
    // Part of the scenario, not synchronisation: the second SIGTERM comes late in the grace.
    std::thread::sleep(Duration::from_millis(1200));
    pidone.signal(libc::SIGTERM);
    let (outcome, exited) = pidone.finish_within(common::PATIENCE);
    assert_eq!(outcome.code, 137);
    assert_eq!(signals_seen(&outcome.stdout, "app"), ["SIGTERM", "SIGTERM"]);
    let took = exited - first;
    assert!(
        took >= grace && took < grace + TOLERANCE,
        "killed {took:?} after the first SIGTERM"
    );
}

#[test]
fn a_child_that_stops_on_sigterm_ends_pidone_at_once_with_its_code() {
    require_namespaces!();
    let mut pidone = Pidone::new().args(app("on TERM exit 0 ready wait")).start();
    pidone.expect_line("app: ready");
    let sent = Instant::now();
    pidone.signal(libc::SIGTERM);
    let (outcome, exited) = pidone.finish_within(common::PATIENCE);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert!(
        exited - sent < TOLERANCE,
        "took {:?} with no grace set",
        exited - sent
    );
    assert_eq!(outcome.stderr, "");
}

#[test]
fn a_child_killed_by_the_forwarded_sigterm_gives_143() {
    require_namespaces!();
    scenarios::forwarded_sigterm_gives_143(Pidone::new());
}

/// kubernetes#119884: an application that needs longer to shut down than pidone's old
/// 30 s default, in a pod that allows it. Without a grace of the user's, pidone sets no
/// deadline of its own after SIGTERM: it sleeps without a timeout, and the application
/// finishes when it is done. With a grace set, the deadline is there.
#[test]
fn without_a_grace_a_sigterm_from_outside_starts_no_deadline_of_pidones() {
    require_namespaces!();
    for grace in [None, Some("1h")] {
        let mut pidone = Pidone::new();
        if let Some(grace) = grace {
            pidone = pidone.args(["--grace", grace]);
        }
        let mut pidone = pidone
            .args(["-v"])
            .args(app("as app on TERM record on USR1 exit 0 ready wait"))
            .start();
        pidone.expect_line("app: ready");
        pidone.signal(libc::SIGTERM);
        pidone.expect_line("app: got SIGTERM");
        let timeout = common::sleeping_in_sigtimedwait(pidone.pid())[2].clone();
        match grace {
            None => assert_eq!(timeout, "0x0", "a timeout after SIGTERM without a grace"),
            Some(_) => assert_ne!(timeout, "0x0", "no timeout though a grace is set"),
        }
        // The application's shutdown takes as long as it takes, then ends well.
        pidone.signal(libc::SIGUSR1);
        let outcome = pidone.finish();
        assert_eq!(outcome.code, 0, "{grace:?}: {outcome:?}");
        assert!(
            !outcome.stderr.contains("sending SIGKILL"),
            "{grace:?}: {outcome:?}"
        );
        if grace.is_none() {
            assert!(
                outcome
                    .stderr
                    .contains("received SIGTERM: forwarding it; no deadline"),
                "{outcome:?}"
            );
        }
    }
}

/// `--timeout` (tini#29): once the child has run that long, pidone stops it exactly as if
/// it had received SIGTERM, says so, and exits with the child's code.
#[test]
fn the_timeout_stops_the_child_as_a_sigterm_would() {
    require_namespaces!();
    let started = Instant::now();
    let outcome = Pidone::new()
        .args(["--timeout", "300ms"])
        .args(app(
            "spawn { as worker on TERM record on TERM exit 0 ready wait } as app on TERM exit 7 ready wait",
        ))
        .run();
    let took = started.elapsed();
    assert_eq!(outcome.code, 7, "the child's code: {outcome:?}");
    assert!(took >= Duration::from_millis(300), "stopped after {took:?}");
    let warning = outcome
        .stderr
        .lines()
        .find(|line| line.contains("timeout of 300ms"))
        .unwrap_or_else(|| panic!("no warning about the timeout: {outcome:?}"));
    assert!(warning.starts_with("pidone: warning: "), "{warning}");
    assert!(
        outcome.stdout.contains(&"worker: got SIGTERM".to_string()),
        "{outcome:?}"
    );
}

/// The timeout holds a SIGTERM back for the stop delay, as a received SIGTERM is.
#[test]
fn the_timeout_honours_the_stop_delay() {
    require_namespaces!();
    let started = Instant::now();
    let outcome = Pidone::new()
        .args(["--timeout", "200ms", "--stop-delay", "400ms"])
        .args(app("as app on TERM exit 0 ready wait"))
        .run();
    let took = started.elapsed();
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert!(took >= Duration::from_millis(600), "stopped after {took:?}");
}

#[test]
fn the_stop_delay_holds_sigterm_and_counts_against_the_grace() {
    require_namespaces!();
    let mut pidone = Pidone::new()
        .args(["--stop-delay", "600ms", "--grace", "10s"])
        .args(app("on TERM exit 0 on HUP record ready wait"))
        .start();
    pidone.expect_line("app: ready");
    let sent = Instant::now();
    pidone.signal(libc::SIGTERM);
    // Other signals still pass during the delay.
    pidone.signal(libc::SIGHUP);
    pidone.expect_line("app: got SIGHUP");
    let (outcome, exited) = pidone.finish_within(common::PATIENCE);
    let took = exited - sent;
    assert_eq!(outcome.code, 0);
    assert_eq!(signals_seen(&outcome.stdout, "app"), ["SIGHUP", "SIGTERM"]);
    assert!(
        took >= Duration::from_millis(600),
        "forwarded after {took:?}"
    );
    assert!(
        took < Duration::from_millis(1300),
        "forwarded after {took:?}"
    );
}

#[test]
fn a_sigint_during_the_stop_delay_forwards_at_once() {
    require_namespaces!();
    let mut pidone = Pidone::new()
        .env("PIDONE_STOP_DELAY", "20s")
        .args(app("on TERM record on INT exit 0 ready wait"))
        .start();
    pidone.expect_line("app: ready");
    let sent = Instant::now();
    pidone.signal(libc::SIGTERM);
    pidone.signal(libc::SIGINT);
    let (outcome, exited) = pidone.finish_within(common::PATIENCE);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert!(signals_seen(&outcome.stdout, "app").contains(&"SIGINT"));
    assert!(
        exited - sent < Duration::from_secs(5),
        "waited for the delay: {:?}",
        exited - sent
    );
}
