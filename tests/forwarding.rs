//! Signals reach the application: to its whole process group by default, to the child alone
//! with --single-child; a signal sent before the child exists is delivered once it does;
//! `--rewrite` changes or drops what is forwarded, but not what starts the grace clock; and
//! the parent death signal (`-p`) reaches the child when pidone's parent dies.
//! (Every signal, one by one, is in `signal_path.rs`.)

mod common;

use std::process::{Command, Stdio};

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

#[test]
fn rewriting_changes_what_is_forwarded_but_not_the_grace_clock() {
    require_namespaces!();
    let mut pidone = Pidone::new()
        .args(["--rewrite", "TERM:QUIT", "-t", "300ms"])
        .args(app("on QUIT record on TERM record ready wait"))
        .start();
    pidone.expect_line("app: ready");
    pidone.signal(libc::SIGTERM);
    let outcome = pidone.finish();
    assert_eq!(signals_seen(&outcome.stdout, "app"), ["SIGQUIT"]);
    assert_eq!(
        outcome.code, 137,
        "the SIGTERM pidone received started the grace"
    );
}

#[test]
fn rewriting_to_zero_drops_a_signal() {
    require_namespaces!();
    let mut pidone = Pidone::new()
        .env("PIDONE_REWRITE", "WINCH:0")
        .args(app("on WINCH record on USR1 exit 0 ready wait"))
        .start();
    pidone.expect_line("app: ready");
    pidone.signal(libc::SIGWINCH);
    pidone.signal(libc::SIGUSR1);
    let outcome = pidone.finish();
    assert_eq!(signals_seen(&outcome.stdout, "app"), ["SIGUSR1"]);
}

#[test]
fn the_parent_death_signal_reaches_the_child() {
    // A parent that starts pidone and exits on SIGUSR1.
    let steps = format!(
        "spawn {{ exec {} -p TERM {} as app on TERM exit 5 ready wait }} as parent print-pid on USR1 exit 0 ready wait",
        common::PIDONE,
        helper().display()
    );
    let mut parent = Command::new(helper())
        .args(steps.split_whitespace())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = parent.stdout.take().unwrap();
    let mut parent = common::KillOnDrop(parent);
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout)).map_while(Result::ok);
    let mut await_line = |prefix: &str| lines.find(|l| l.starts_with(prefix)).expect(prefix);
    await_line("app: ready");
    // SAFETY: kill has no memory effects.
    unsafe { libc::kill(parent.0.id() as i32, libc::SIGUSR1) };
    await_line("app: got SIGTERM");
    parent.0.wait().unwrap();
}
