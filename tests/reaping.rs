//! Every zombie is reaped: the child, orphans re-parented to pidone as PID 1, bursts of
//! thousands at once, and — when pidone is not PID 1 — orphans it adopts as a subreaper,
//! without ever signalling a process that is not its descendant. With `-w`, pidone warns
//! of each orphan it reaps.

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use common::{
    Pidone, app, eventually, helper, namespace_members, scenarios, signals_seen, stat,
    zombies_in_namespace_of,
};

#[test]
fn hundreds_of_orphans_leave_no_zombie() {
    require_namespaces!();
    scenarios::orphans_are_adopted_and_reaped(Pidone::new(), 500);
}

#[test]
fn a_burst_of_thousands_exiting_at_once_is_reaped() {
    require_namespaces!();
    let mut pidone = Pidone::new()
        .args(app("orphan-burst 3000 on TERM exit 0 ready wait"))
        .start();
    pidone.expect_line("app: burst 3000");
    pidone.expect_line("app: ready");
    let pid = pidone.pid();
    eventually("the burst is reaped", || namespace_members(pid).len() == 2);
    assert_eq!(zombies_in_namespace_of(pid), 0);
    pidone.signal(libc::SIGTERM);
    assert_eq!(pidone.finish().code, 0);
}

#[test]
fn orphans_exiting_with_the_child_are_reaped_before_pidone_exits() {
    require_namespaces!();
    let outcome = Pidone::new().args(app("orphan-burst 1000 exit 6")).run();
    assert_eq!(outcome.code, 6, "{outcome:?}");
}

/// A process outside pidone's family that records every signal it gets.
fn bystander() -> (common::KillOnDrop, impl Iterator<Item = String>) {
    let mut bystander = Command::new(helper())
        .args(["as", "bystander", "record-all", "ready", "wait"])
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(bystander.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok);
    assert_eq!(lines.next().as_deref(), Some("bystander: ready"));
    (common::KillOnDrop(bystander), lines)
}

#[test]
fn not_pid_1_it_adopts_orphans_as_a_subreaper_and_signals_only_its_own() {
    let (mut bystander, mut bystander_lines) = bystander();
    // The daemon leaves the child's session and its parent exits: it is re-parented to
    // pidone. It ignores SIGTERM, so the deadline has to kill it.
    let steps = "daemon { as daemon await-adoption print-pid on TERM record ready wait } \
                 spawn { as worker on TERM record ready wait } \
                 as app on TERM record ready wait";
    let mut pidone = Pidone::new()
        .not_pid1()
        .args(["-v", "--grace", "300ms"])
        .args(app(steps))
        .start();
    let pidone_pid = pidone.pid();
    let daemon = pidone.expect_line("daemon: pid");
    let fields: Vec<&str> = daemon.split_whitespace().collect();
    let (daemon_pid, daemon_parent): (i32, i32) =
        (fields[2].parse().unwrap(), fields[4].parse().unwrap());
    assert_eq!(
        daemon_parent, pidone_pid,
        "the orphan was re-parented to pidone"
    );
    pidone.expect_line("daemon: ready");
    pidone.expect_line("worker: ready");
    pidone.expect_line("app: ready");
    pidone.signal(libc::SIGTERM);
    let outcome = pidone.finish();

    assert_eq!(outcome.code, 137, "{outcome:?}");
    assert!(outcome.stderr.contains("subreaper"), "{}", outcome.stderr);
    assert_eq!(signals_seen(&outcome.stdout, "app"), ["SIGTERM"]);
    assert_eq!(signals_seen(&outcome.stdout, "worker"), ["SIGTERM"]);
    assert!(
        outcome.stderr.contains(&daemon_pid.to_string()),
        "the kill names the daemon: {}",
        outcome.stderr
    );
    assert_eq!(stat(daemon_pid), None, "the daemon was killed and reaped");

    // The bystander heard nothing: the sentinel, sent last and delivered after any
    // standard signal still pending, is the first thing it reports.
    let sentinel = libc::SIGRTMAX();
    // SAFETY: kill has no memory effects.
    assert_eq!(unsafe { libc::kill(bystander.0.id() as i32, sentinel) }, 0);
    assert_eq!(
        bystander_lines.next().as_deref(),
        Some(format!("bystander: got {}", common::signal_name(sentinel)).as_str())
    );
    assert!(
        bystander.0.try_wait().unwrap().is_none(),
        "the bystander is alive"
    );
}

#[test]
fn not_pid_1_orphans_are_reaped_as_they_exit() {
    let mut pidone = Pidone::new()
        .not_pid1()
        .args(app("orphans 200 on TERM exit 0 ready wait"))
        .start();
    pidone.expect_line("app: orphans 200");
    pidone.expect_line("app: ready");
    let pid = pidone.pid();
    let zombie_children = || {
        std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
            .filter_map(stat)
            .filter(|&(state, ppid, _)| ppid == pid && state == 'Z')
            .count()
    };
    eventually("pidone reaps its adopted orphans", || {
        zombie_children() == 0
    });
    pidone.signal(libc::SIGTERM);
    assert_eq!(pidone.finish().code, 0);
}

#[test]
fn warn_on_reap_names_orphans() {
    require_namespaces!();
    let quiet = Pidone::new().args(app("orphans 3 exit 0")).run();
    assert!(!quiet.stderr.contains("not the child"), "{}", quiet.stderr);
    let outcome = Pidone::new()
        .args(["-w"])
        .args(app("orphans 3 exit 0"))
        .run();
    assert!(
        outcome.stderr.contains("pidone: warning: reaped process"),
        "{}",
        outcome.stderr
    );
}
