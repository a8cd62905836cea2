//! The job-control signals — SIGTSTP, SIGTTIN, SIGTTOU — sent to pidone: forwarded to the
//! application, after which pidone, unless it is PID 1, stops itself until continued, as a
//! shell's job must, and the SIGCONT that continues it reaches the application too. As
//! dumb-init they reach the application as SIGSTOP. (Ctrl-Z and `fg` under a real terminal
//! are in `terminal.rs`.)

mod common;

use common::recorder::{RECORDER, finish};
use common::{Pidone, app, pidone_named, signals_seen};

/// Names as the helper prints them.
use common::signal_name as name;

#[test]
fn a_sigtstp_for_pidone_is_forwarded_then_pidone_stops_until_continued() {
    // As dumb-init does, so a shell that suspends its job suspends the application too.
    let mut pidone = Pidone::new()
        .not_pid1()
        .args(app(
            "on TSTP record on CONT record on USR1 exit 0 ready wait",
        ))
        .start();
    pidone.expect_line("app: ready");
    let pid = pidone.pid();
    pidone.signal(libc::SIGTSTP);
    pidone.expect_line("app: got SIGTSTP");
    common::eventually("pidone is stopped", || {
        common::stat(pid).is_some_and(|(state, _, _)| state == 'T')
    });
    pidone.signal(libc::SIGCONT);
    pidone.expect_line("app: got SIGCONT");
    pidone.signal(libc::SIGUSR1);
    assert_eq!(pidone.finish().code, 0);
}

#[test]
fn as_dumb_init_a_sigtstp_is_forwarded_as_sigstop() {
    require_namespaces!();
    let mut pidone = Pidone::new()
        .invoked_as(pidone_named("dumb-init"))
        .args(app(
            "on TSTP record on CONT record on USR1 exit 0 ready wait",
        ))
        .start();
    pidone.expect_line("app: ready");
    pidone.signal(libc::SIGTSTP);
    // SIGSTOP cannot be caught: the application is stopped, and only SIGCONT tells.
    let child = pidone.child_pid();
    common::eventually("the application is stopped", || {
        common::stat(child).is_some_and(|(state, _, _)| state == 'T')
    });
    pidone.signal(libc::SIGCONT);
    pidone.expect_line("app: got SIGCONT");
    pidone.signal(libc::SIGUSR1);
    let outcome = pidone.finish();
    assert_eq!(
        signals_seen(&outcome.stdout, "app"),
        ["SIGCONT", "SIGUSR1"],
        "no SIGTSTP arrived"
    );
}

fn stopped(pid: i32) -> bool {
    common::stat(pid).is_some_and(|(state, _, _)| state == 'T')
}

/// SIGTSTP is `a_sigtstp_for_pidone_is_forwarded_then_pidone_stops_until_continued`
/// above; these are the other two.
#[test]
fn as_a_job_sigttin_and_sigttou_are_forwarded_then_pidone_stops_until_continued() {
    let mut pidone = Pidone::new().not_pid1().args(app(RECORDER)).start();
    assert_eq!(pidone.next_lines_until("app: "), ["app: ready"]);
    let pid = pidone.pid();
    let mut swept = Vec::new();
    for signal in [libc::SIGTTIN, libc::SIGTTOU] {
        eprintln!("sending {}", name(signal));
        pidone.signal(signal);
        let got = format!("app: got {}", name(signal));
        assert_eq!(pidone.next_lines_until("app: "), [got.as_str()]);
        common::eventually("pidone stops itself", || stopped(pid));
        // The SIGCONT that continues pidone is one it received, and forwards.
        pidone.signal(libc::SIGCONT);
        assert_eq!(pidone.next_lines_until("app: "), ["app: got SIGCONT"]);
        assert!(!stopped(pid), "continued");
        swept.extend([got, "app: got SIGCONT".to_string()]);
    }
    finish(pidone, swept);
}

/// As dumb-init (with a session for the child, its default), a job-control signal is
/// forwarded as SIGSTOP, which the application cannot catch or block: it is stopped, and
/// records nothing. The SIGCONT that pidone receives next is forwarded and continues it.
/// Not as PID 1, pidone then stops itself too, and that SIGCONT continues it first.
fn assert_forwarded_as_sigstop(pidone: Pidone, signals: &[i32], pid1: bool) {
    let mut pidone = pidone
        .invoked_as(pidone_named("dumb-init"))
        .args(app(RECORDER))
        .start();
    assert_eq!(pidone.next_lines_until("app: "), ["app: ready"]);
    let (pid, child) = (pidone.pid_when_running(), pidone.child_pid());
    let mut swept = Vec::new();
    for &signal in signals {
        eprintln!("sending {}", name(signal));
        pidone.signal(signal);
        common::eventually("the application is stopped", || stopped(child));
        if pid1 {
            // Asleep in its loop, not stopped: the kernel does not stop an init.
            pidone.await_idle();
        } else {
            common::eventually("pidone stops itself", || stopped(pid));
        }
        pidone.signal(libc::SIGCONT);
        assert_eq!(
            pidone.next_lines_until("app: "),
            ["app: got SIGCONT"],
            "after {}, no signal the application could record arrived",
            name(signal)
        );
        assert!(!stopped(child) && !stopped(pid), "continued");
        swept.push("app: got SIGCONT".to_string());
    }
    finish(pidone, swept);
}

/// SIGTSTP as PID 1 is `as_dumb_init_a_sigtstp_is_forwarded_as_sigstop` above; these are
/// the other two.
#[test]
fn as_dumb_init_and_pid1_sigttin_and_sigttou_reach_the_application_as_sigstop() {
    require_namespaces!();
    assert_forwarded_as_sigstop(Pidone::new(), &[libc::SIGTTIN, libc::SIGTTOU], true);
}

#[test]
fn as_dumb_init_and_a_job_every_job_control_signal_stops_the_application_then_pidone() {
    assert_forwarded_as_sigstop(
        Pidone::new().not_pid1(),
        &[libc::SIGTSTP, libc::SIGTTIN, libc::SIGTTOU],
        false,
    );
}
