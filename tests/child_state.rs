//! The application starts as it would without pidone: the signal mask and dispositions
//! pidone inherited (but not the SIGPIPE that Rust ignores), and its own session and
//! process group.

mod common;

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use common::{Pidone, app, helper};

/// Blocks SIGUSR2 and a real-time signal, ignores SIGHUP, and optionally SIGCHLD, in the
/// process about to exec — as a parent process might leave them.
fn unusual_signal_state(command: &mut Command, ignore_sigchld: bool) {
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGUSR2);
            libc::sigaddset(&mut set, libc::SIGRTMIN() + 1);
            libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            libc::signal(libc::SIGHUP, libc::SIG_IGN);
            if ignore_sigchld {
                libc::signal(libc::SIGCHLD, libc::SIG_IGN);
            }
            Ok(())
        });
    }
}

/// What the helper reports about its signal state when started the same way, without
/// pidone in between.
fn baseline(pid1: bool, ignore_sigchld: bool) -> String {
    let mut command = Pidone::new().command();
    let mut args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
    if pid1 {
        args.pop(); // unshare's arguments stay, pidone goes
    } else {
        args.clear();
    }
    let program = if pid1 {
        command.get_program().to_owned()
    } else {
        helper().into()
    };
    command = Command::new(program);
    command.args(args);
    if pid1 {
        command.arg(helper());
    }
    command.arg("print-sigstate").stderr(Stdio::inherit());
    unusual_signal_state(&mut command, ignore_sigchld);
    let output = command.output().unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .trim_end()
        .to_string()
}

fn under_pidone(pid1: bool, ignore_sigchld: bool, steps: &str) -> common::Outcome {
    let pidone = Pidone::new().args(app(steps));
    let pidone = if pid1 { pidone } else { pidone.not_pid1() };
    let mut command = pidone.command();
    unusual_signal_state(&mut command, ignore_sigchld);
    pidone.start_command(command).finish()
}

#[test]
fn the_child_gets_the_signal_mask_and_dispositions_pidone_was_given() {
    require_namespaces!();
    let expected = baseline(true, false);
    assert!(
        !expected.contains("sigblk 0000000000000000"),
        "the baseline is unusual: {expected}"
    );
    let outcome = under_pidone(true, false, "print-sigstate");
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert_eq!(outcome.stdout, [expected]);
}

#[test]
fn an_ignored_sigchld_is_handed_on_but_does_not_cost_the_exit_code() {
    require_namespaces!();
    // Not as PID 1: unshare resets SIGCHLD before it forks pidone's namespace.
    let expected = baseline(false, true);
    let sigign = u64::from_str_radix(expected.rsplit(' ').next().unwrap(), 16).unwrap();
    assert_ne!(
        sigign & (1 << (libc::SIGCHLD - 1)),
        0,
        "SIGCHLD is ignored in the baseline: {expected}"
    );
    let outcome = under_pidone(false, true, "print-sigstate orphans 20 exit 3");
    assert_eq!(outcome.code, 3, "{outcome:?}");
    assert_eq!(outcome.stdout[0], expected);
}

#[test]
fn sigpipe_is_not_ignored_in_the_child() {
    require_namespaces!();
    // Rust programs ignore SIGPIPE by default, and an ignored disposition survives exec:
    // pidone must not pass that on.
    let outcome = Pidone::new().args(app("print-sigstate")).run();
    let sigign = outcome.stdout[0].rsplit(' ').next().unwrap();
    let sigign = u64::from_str_radix(sigign, 16).unwrap();
    assert_eq!(
        sigign & (1 << (libc::SIGPIPE - 1)),
        0,
        "{:?}",
        outcome.stdout
    );
}

#[test]
fn the_child_leads_its_own_session_and_process_group() {
    require_namespaces!();
    let outcome = Pidone::new().args(app("print-pid")).run();
    let fields: Vec<&str> = outcome.stdout[0].split_whitespace().collect();
    // "app: pid P ppid Q sid S pgid G"
    assert_eq!(fields[4], "1", "the child's parent is pidone, PID 1");
    assert_eq!(fields[2], fields[6], "session id is its pid");
    assert_eq!(fields[2], fields[8], "process group id is its pid");
}
