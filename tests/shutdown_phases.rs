//! SIGTERM at every phase of pidone's life, as PID 1: before the child is spawned, between
//! fork and exec, while the child is exiting (a zombie not yet reaped), during the drain,
//! and after the deadline has fired. Each test checks what the SIGTERM reached, the exit
//! code, and pidone's warnings.

mod common;

use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{PIDONE, Pidone, app, eventually, flood, helper, kill, scratch_path, state, warnings};

#[test]
fn sigterm_before_the_child_is_spawned_reaches_it_once_it_is() {
    require_namespaces!();
    // The helper, as PID 1 of the namespace, makes SIGTERM pending and execs pidone:
    // pidone starts with it waiting, before it has forked anything.
    let mut command = Command::new(common::unshare());
    command
        .args(["--pid", "--fork", "--mount-proc", "--kill-child"])
        .arg(helper())
        .args(["pend", "TERM", "exec", PIDONE, "--"])
        .args(app("on TERM exit 7 wait"));
    common::plain(&mut command);
    let outcome = Pidone::new().start_command(command).finish();
    assert_eq!(outcome.stdout, ["app: got SIGTERM"], "{outcome:?}");
    assert_eq!(outcome.code, 7);
}

#[test]
fn sigterm_between_fork_and_exec_reaches_the_child_after_exec() {
    require_namespaces!();
    // A PATH of 60,000 entries that each resolve 39 symbolic links before failing keeps the
    // forked child busy trying candidates for a while before it execs the helper; the test
    // signals pidone while the child still runs pidone's code.
    let dir = scratch_path("chain");
    std::fs::create_dir_all(&dir).unwrap();
    let mut previous = "/nonexistent".to_string();
    for i in 1..=39 {
        let link = dir.join(format!("l{i}"));
        std::os::unix::fs::symlink(&previous, &link).unwrap();
        previous = format!("l{i}");
    }
    std::os::unix::fs::symlink("l39", dir.join("a")).unwrap();
    let helper_dir = helper().parent().unwrap().to_str().unwrap();
    let path = format!("{}{helper_dir}", "a:".repeat(60_000));
    let program = helper().file_name().unwrap().to_owned();

    for attempt in 1..=5 {
        let pidone = Pidone::new().env("PATH", &path);
        let mut command = pidone.command();
        command.current_dir(&dir);
        command
            .arg(&program)
            .args(["on", "TERM", "exit", "7", "wait"]);
        // SIGTERM arrives blocked in the child, as pidone hands on the mask it was given,
        // so the helper takes it in `wait` however soon after exec it is forwarded.
        block_in_child(&mut command, libc::SIGTERM);
        let running = pidone.start_command(command);
        let pid = running.pid_when_running();
        let pidone_exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap();
        let child_exe = |child: i32| std::fs::read_link(format!("/proc/{child}/exe")).ok();
        let mut child = None;
        eventually("pidone has forked", || {
            child = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
                .ok()
                .and_then(|c| c.split_whitespace().next()?.parse::<i32>().ok());
            child.is_some()
        });
        let child = child.unwrap();
        let before = child_exe(child);
        kill(pid, libc::SIGTERM);
        let after = child_exe(child);
        let in_window = before.as_ref() == Some(&pidone_exe) && after.as_ref() == Some(&pidone_exe);
        let outcome = running.finish();
        assert_eq!(outcome.stdout, ["app: got SIGTERM"], "{outcome:?}");
        assert_eq!(outcome.code, 7, "{outcome:?}");
        if in_window {
            return;
        }
        eprintln!("attempt {attempt}: the child had exec'd before SIGTERM was sent; again");
    }
    panic!("never caught the child between fork and exec in 5 attempts");
}

fn block_in_child(command: &mut Command, signal: i32) {
    // SAFETY: sigprocmask is async-signal-safe; the set is built in the closure's frame.
    unsafe {
        command.pre_exec(move || {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, signal);
            libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            Ok(())
        });
    }
}

#[test]
fn sigterm_while_the_child_is_exiting_keeps_the_childs_code() {
    require_namespaces!();
    let mut pidone = Pidone::new()
        .args(["--grace", "20s"])
        .args(app("on USR1 exit 4 ready wait"))
        .start();
    pidone.expect_line("app: ready");
    pidone.await_idle();
    let pid = pidone.pid();
    let child = pidone.child_pid();
    // Freeze pidone (only SIGSTOP and SIGKILL from outside its namespace reach it
    // regardless), let the child die, and send SIGTERM while its exit is unreaped.
    common::freeze(pid);
    kill(child, libc::SIGUSR1);
    eventually("the child is a zombie", || state(child) == 'Z');
    kill(pid, libc::SIGTERM);
    let resumed = Instant::now();
    kill(pid, libc::SIGCONT);
    let (outcome, exited) = pidone.finish_within(common::PATIENCE);
    assert_eq!(
        outcome.code, 4,
        "the child's own code, not 143: {outcome:?}"
    );
    assert!(
        exited - resumed < Duration::from_secs(5),
        "{:?}",
        exited - resumed
    );
    assert!(warnings(&outcome.stderr).is_empty(), "{}", outcome.stderr);
}

#[test]
fn sigterm_during_the_drain_reaches_the_workers_and_keeps_the_deadline() {
    require_namespaces!();
    let mut pidone = Pidone::new()
        .args(["--grace", "2s"])
        .args(app(
            "spawn { as worker on USR1 record on TERM record ready wait } on USR1 exit 3 ready wait",
        ))
        .start();
    pidone.expect_line("worker: ready");
    pidone.expect_line("app: ready");
    pidone.signal(libc::SIGUSR1);
    // The drain's own SIGTERM, then the one sent to pidone during the drain.
    pidone.expect_line("worker: got SIGTERM");
    let drained = Instant::now();
    // Time must pass for a restarted clock to show: nothing announces it.
    std::thread::sleep(Duration::from_secs(1));
    pidone.signal(libc::SIGTERM);
    let lines = pidone.next_lines_until("worker: got SIGTERM");
    assert_eq!(lines, ["worker: got SIGTERM"]);
    let (outcome, exited) = pidone.finish_within(common::PATIENCE);
    assert_eq!(outcome.code, 3, "the child's code: {outcome:?}");
    let warning = outcome.kill_warning();
    assert!(warning.contains("grace period of 2s expired"), "{warning}");
    assert!(
        exited - drained < Duration::from_millis(2900),
        "the deadline moved: {:?} after the drain began",
        exited - drained
    );
}

#[test]
fn sigterm_after_the_deadline_fired_changes_nothing() {
    require_namespaces!();
    for attempt in 1..=5 {
        let mut pidone = Pidone::new()
            .args(["-vv", "--grace", "300ms"])
            .args(app(
                "spawn { as worker on TERM record ready wait } orphans 200 on TERM record ready wait",
            ))
            .start();
        pidone.expect_line("worker: ready");
        pidone.expect_line("app: ready");
        pidone.await_idle();
        let pid = pidone.pid();
        // SIGTERM every 100 µs from before the deadline until pidone is gone.
        let stop = Arc::new(AtomicBool::new(false));
        let sender = flood(pid, libc::SIGTERM, Duration::from_micros(100), stop.clone());
        let outcome = pidone.finish();
        stop.store(true, Ordering::Relaxed);
        sender.join().unwrap();

        assert_eq!(outcome.code, 137, "{outcome:?}");
        assert_eq!(
            warnings(&outcome.stderr).len(),
            1,
            "one kill warning: {}",
            outcome.stderr
        );
        let lines = outcome.stderr_lines();
        let killed = lines
            .iter()
            .position(|l| l.contains("sending SIGKILL"))
            .expect("a kill warning");
        let handled_after = lines[killed..]
            .iter()
            .any(|l| l.contains("forward") && l.contains("SIGTERM"));
        if handled_after {
            return;
        }
        eprintln!("attempt {attempt}: no SIGTERM was taken after the deadline fired; again");
    }
    panic!("no SIGTERM arrived after the deadline in 5 attempts");
}
