//! Pause mode (`--pause`, `-P`): pidone runs no command; it sleeps as PID 1 of its PID
//! namespace (a pod's sandbox), reaping the orphans other processes leave in it, until
//! SIGTERM or SIGINT ends it with 0. A command given with it is refused.

mod common;

use std::process::{Command, Stdio};

use common::{Pidone, helper};

/// A process entering the PID namespace of `pid` leaves `count` orphans behind, as a pod's
/// containers do in a pod whose sandbox pidone is.
fn leave_orphans_in_namespace_of(pid: i32, count: usize) {
    let status = Command::new("nsenter")
        .args(["--target", &pid.to_string(), "--pid", "--"])
        .arg(helper())
        .args(["orphans", &count.to_string(), "exit", "0"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn pause_mode_sleeps_until_sigterm() {
    require_namespaces!();
    for stop in [libc::SIGTERM, libc::SIGINT] {
        let pidone = Pidone::new().args(["--pause"]).start();
        pidone.await_idle();
        pidone.signal(libc::SIGUSR1);
        pidone.signal(stop);
        let outcome = pidone.finish();
        assert_eq!(outcome.code, 0, "{outcome:?}");
    }
    let refused = Pidone::new().not_pid1().args(["-P", "true"]).run();
    assert!(refused.stderr.contains("--pause"), "{}", refused.stderr);
    assert_eq!(refused.code, 2, "{refused:?}");
}

#[test]
fn pause_mode_reaps_orphans_left_in_its_namespace() {
    require_namespaces!();
    let pidone = Pidone::new().args(["-P"]).start();
    let pid = pidone.pid_when_running();
    leave_orphans_in_namespace_of(pid, 100);
    common::eventually("pidone reaps them all", || {
        common::namespace_members(pid).len() == 1
    });
    pidone.signal(libc::SIGTERM);
    assert_eq!(pidone.finish().code, 0);
}

/// `--warn-on-reap` in pause mode names each process it reaps, as it does with a command.
#[test]
fn pause_mode_warns_on_reap_when_asked() {
    require_namespaces!();
    let mut pidone = Pidone::new().args(["-P", "-w"]).start();
    let pid = pidone.pid_when_running();
    leave_orphans_in_namespace_of(pid, 3);
    for _ in 0..3 {
        pidone.expect_stderr_line("pidone: warning: reaped process ");
    }
    pidone.signal(libc::SIGTERM);
    assert_eq!(pidone.finish().code, 0);
}
