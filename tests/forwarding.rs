//! Signals reach the application: to its whole process group by default, to the child alone
//! with --single-child; a signal sent before the child exists is delivered once it does.
//! (Every signal, one by one, is in `signal_path.rs`.)

mod common;

use common::{Pidone, app, helper, scenarios, signals_seen};

#[test]
fn sigterm_reaches_the_whole_process_group() {
    require_namespaces!();
    scenarios::sigterm_reaches_the_group(Pidone::new());
}

/// A child that records SIGTERM and exits on SIGUSR1, with a grandchild in its process
/// group that records SIGUSR1 and exits on SIGTERM (the drain's, when signals go to the
/// child alone).
const FAMILY_THAT_DRAINS: &str = "spawn { as grandchild on TERM exit 0 on USR1 record ready wait } \
                                  as child on TERM record on USR1 exit 0 ready wait";

/// With forwarding to the child alone, the grandchild hears only the drain's SIGTERM, after
/// the child has exited.
fn assert_forwards_to_the_child_alone(pidone: Pidone) {
    let mut pidone = pidone.args(app(FAMILY_THAT_DRAINS)).start();
    pidone.expect_line("grandchild: ready");
    pidone.expect_line("child: ready");
    pidone.signal(libc::SIGTERM);
    pidone.expect_line("child: got SIGTERM");
    pidone.signal(libc::SIGUSR1);
    let outcome = pidone.finish();
    assert_eq!(outcome.code, 0, "{outcome:?}");
    let lines = &outcome.stdout;
    assert_eq!(signals_seen(lines, "grandchild"), ["SIGTERM"], "{lines:?}");
    let position = |line: &str| lines.iter().position(|l| l == line).unwrap();
    assert!(
        position("grandchild: got SIGTERM") > position("child: got SIGUSR1"),
        "{lines:?}"
    );
}

#[test]
fn single_child_forwards_to_the_child_alone() {
    require_namespaces!();
    assert_forwards_to_the_child_alone(Pidone::new().args(["--single-child"]));
}

#[test]
fn single_child_from_the_environment() {
    require_namespaces!();
    assert_forwards_to_the_child_alone(Pidone::new().env("PIDONE_SINGLE_CHILD", "1"));
}

#[test]
fn a_signal_before_the_child_exists_is_delivered_once_it_does() {
    require_namespaces!();
    // The helper, as PID 1 of the namespace, makes SIGUSR1 pending and execs pidone:
    // pidone starts with the signal already waiting, before it has forked anything.
    let mut command = Pidone::new().command();
    let pidone_path = command.get_args().nth(4).unwrap().to_owned();
    let mut args: Vec<std::ffi::OsString> =
        command.get_args().take(4).map(|a| a.to_owned()).collect();
    args.push(helper().into());
    args.extend(["pend", "USR1", "exec"].map(Into::into));
    args.push(pidone_path);
    args.extend(app("on USR1 exit 9 wait"));
    command = std::process::Command::new(command.get_program());
    command
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let outcome = Pidone::new().start_command(command).finish();
    assert_eq!(outcome.stdout, ["app: got SIGUSR1"]);
    assert_eq!(outcome.code, 9);
}
