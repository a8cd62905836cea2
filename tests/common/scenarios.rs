//! The core scenarios, each given the pidone to run: the native debug build (exit_status.rs,
//! shutdown.rs, forwarding.rs, reaping.rs, drain.rs) or the aarch64 release binary under
//! qemu-user (aarch64_under_qemu.rs). All run pidone as PID 1 of a new PID namespace.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{Pidone, app, eventually, namespace_members, pid_in, signals_seen};

/// Scheduling noise a loaded 2-core machine adds to a deadline; the benchmark measures it
/// precisely.
pub const TOLERANCE: Duration = Duration::from_millis(700);

/// The child's exit code is pidone's, with nothing on stderr at the default log level.
pub fn exit_code_passes_through(pidone: Pidone, code: i32) {
    let outcome = pidone.args(app(&format!("exit {code}"))).run();
    assert_eq!(outcome.code, code, "{outcome:?}");
    assert_eq!(outcome.stderr, "", "nothing to say at the default level");
}

/// A child dying of the SIGTERM pidone forwarded gives 143, though a worker in its group
/// exits 0 on it.
pub fn forwarded_sigterm_gives_143(pidone: Pidone) {
    let mut running = pidone
        .args(app(
            "ready spawn { as worker on TERM exit 0 ready wait } wait",
        ))
        .start();
    running.expect_line("app: ready");
    running.expect_line("worker: ready");
    running.signal(libc::SIGTERM);
    let outcome = running.finish();
    assert_eq!(outcome.code, 143, "{outcome:?}");
}

/// A child and a worker that both ignore SIGTERM are killed when the 600 ms grace runs
/// out, not before and not long after; exit 137, and the warning names the grace and both
/// pids.
pub fn grace_ends_in_sigkill(pidone: Pidone) {
    let grace = Duration::from_millis(600);
    let mut running = pidone
        .args(["--grace", "600ms"])
        .args(app(
            "spawn { as worker print-pid on TERM record ready wait } \
                   as app print-pid on TERM record ready wait",
        ))
        .start();
    let app_pid = pid_in(&running.expect_line("app: pid"));
    let worker_pid = pid_in(&running.expect_line("worker: pid"));
    running.expect_line("worker: ready");
    running.expect_line("app: ready");
    let sent = Instant::now();
    running.signal(libc::SIGTERM);
    let (outcome, exited) = running.finish_within(super::PATIENCE);
    let took = exited - sent;

    assert_eq!(outcome.code, 137, "{outcome:?}");
    assert!(
        took >= grace,
        "killed after {took:?}, before the grace of {grace:?}"
    );
    assert!(
        took < grace + TOLERANCE,
        "killed after {took:?}, long past the grace of {grace:?}"
    );
    assert_eq!(signals_seen(&outcome.stdout, "app"), ["SIGTERM"]);
    assert_eq!(signals_seen(&outcome.stdout, "worker"), ["SIGTERM"]);
    let warning = outcome.kill_warning();
    assert!(warning.contains("grace period of 600ms"), "{warning}");
    for pid in [app_pid, worker_pid] {
        assert!(names_number(warning, pid), "{warning} does not name {pid}");
    }
}

/// Whether `text` holds `number` as a whole number, not as part of a longer one (pids in a
/// fresh namespace are single digits; "600ms" holds a 6).
fn names_number(text: &str, number: i32) -> bool {
    text.split(|c: char| !c.is_ascii_digit())
        .any(|word| word == number.to_string())
}

/// A command found nowhere on PATH: 127 and one line naming it and the OS error.
pub fn missing_command_is_127(pidone: Pidone) {
    let outcome = pidone.args(["no-such-command-anywhere"]).run();
    assert_eq!(outcome.code, 127, "{outcome:?}");
    let lines = outcome.stderr_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("pidone: "), "{lines:?}");
    assert!(lines[0].contains("'no-such-command-anywhere'"), "{lines:?}");
    assert!(lines[0].contains("No such file or directory"), "{lines:?}");
}

/// `file`, a script without execute permission: 126 and one line naming it and the OS
/// error.
pub fn not_executable_is_126(pidone: Pidone, file: &Path) {
    std::fs::write(file, "#!/bin/sh\nexit 0\n").unwrap();
    let outcome = pidone.args([file]).run();
    assert_eq!(outcome.code, 126, "{outcome:?}");
    let lines = outcome.stderr_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("pidone: "), "{lines:?}");
    assert!(lines[0].contains(file.to_str().unwrap()), "{lines:?}");
    assert!(lines[0].contains("Permission denied"), "{lines:?}");
}

/// A SIGTERM to pidone reaches the child and a grandchild in its process group while the
/// child still runs (so it came from forwarding, not the drain); SIGUSR1 ends both.
pub fn sigterm_reaches_the_group(pidone: Pidone) {
    let family = "spawn { as grandchild on TERM record on USR1 exit 0 ready wait } \
                  as child on TERM record on USR1 exit 0 ready wait";
    let mut running = pidone.args(app(family)).start();
    running.expect_line("grandchild: ready");
    running.expect_line("child: ready");
    running.signal(libc::SIGTERM);
    running.expect_line("grandchild: got SIGTERM");
    running.expect_line("child: got SIGTERM");
    running.signal(libc::SIGUSR1);
    let outcome = running.finish();
    assert_eq!(outcome.code, 0, "{outcome:?}");
    for name in ["child", "grandchild"] {
        assert_eq!(
            signals_seen(&outcome.stdout, name),
            ["SIGTERM", "SIGUSR1"],
            "{name}: {outcome:?}"
        );
    }
}

/// `count` orphans that exit at once, and one that waits to be adopted: its parent becomes
/// pidone (pid 1), and in the end the namespace holds pidone and the app, no zombie.
pub fn orphans_are_adopted_and_reaped(pidone: Pidone, count: usize) {
    let steps = format!(
        "orphans {count} orphan {{ as orphan await-adoption print-pid exit 0 }} \
         on TERM exit 0 ready wait"
    );
    let mut running = pidone.args(app(&steps)).start();
    running.expect_line(&format!("app: orphans {count}"));
    let adopted = running.expect_line("orphan: pid");
    let fields: Vec<&str> = adopted.split_whitespace().collect();
    assert_eq!(
        fields.get(3..5),
        Some(["ppid", "1"].as_slice()),
        "{adopted}"
    );
    running.expect_line("app: ready");
    let pid = running.pid();
    eventually("pidone has reaped every orphan", || {
        namespace_members(pid).len() == 2
    });
    assert_eq!(super::zombies_in_namespace_of(pid), 0);
    running.signal(libc::SIGTERM);
    let outcome = running.finish();
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert_eq!(outcome.stderr, "");
}

/// The main child exits (4) while a worker in its group and a daemon in a session of its
/// own remain — only kill(-1) as PID 1 reaches the daemon: both get SIGTERM and flush
/// their files; pidone exits with 4 once they are gone, with no SIGKILL.
pub fn the_drain_stops_what_is_left(pidone: Pidone) {
    let (in_group, daemonised) = (
        super::scratch_path("group-worker"),
        super::scratch_path("daemon"),
    );
    let steps = format!(
        "spawn {{ as worker on USR1 record on TERM flush {} ready wait }} \
         daemon {{ as daemon on TERM flush {} ready wait }} \
         as app on USR1 exit 4 ready wait",
        in_group.display(),
        daemonised.display()
    );
    let mut running = pidone.args(["-v"]).args(app(&steps)).start();
    running.expect_line("worker: ready");
    running.expect_line("daemon: ready");
    running.expect_line("app: ready");
    running.signal(libc::SIGUSR1);
    let outcome = running.finish();
    assert_eq!(outcome.code, 4, "the main child's code: {outcome:?}");
    assert_eq!(std::fs::read_to_string(&in_group).unwrap(), "flushed\n");
    assert_eq!(std::fs::read_to_string(&daemonised).unwrap(), "flushed\n");
    assert_eq!(
        signals_seen(&outcome.stdout, "worker"),
        ["SIGUSR1", "SIGTERM"]
    );
    assert_eq!(signals_seen(&outcome.stdout, "daemon"), ["SIGTERM"]);
    for name in ["worker", "daemon"] {
        assert!(
            outcome.stdout.contains(&format!("{name}: flushed")),
            "{outcome:?}"
        );
    }
    assert!(
        outcome.stderr.contains("sending SIGTERM"),
        "{}",
        outcome.stderr
    );
    assert!(!outcome.stderr.contains("SIGKILL"), "{}", outcome.stderr);
}
