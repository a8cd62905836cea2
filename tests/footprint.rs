//! What pidone itself holds while the application runs: once it has spawned the child it
//! leaves its working directory for `/` and closes the descriptors it was started with,
//! which the child keeps (with LISTEN_PID naming the child); and while idle it never wakes
//! up.

mod common;

use std::time::Duration;

use common::{Pidone, app};

#[test]
fn after_spawning_pidone_lets_go_of_its_directory_and_descriptors() {
    require_namespaces!();
    // pidone starts with descriptor 7 open and LISTEN_PID naming it (PID 1).
    let pidone = Pidone::new()
        .env("LISTEN_PID", "1")
        .args(app("print-env LISTEN_PID ready wait"));
    let mut command = pidone.command();
    // SAFETY: dup2 is async-signal-safe; the new descriptor has no close-on-exec flag.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            libc::dup2(1, 7);
            Ok(())
        });
    }
    let mut running = pidone.start_command(command);
    let listen_pid = running.expect_line("app: env LISTEN_PID");
    running.expect_line("app: ready");
    running.await_idle();
    let pid = running.pid();
    let child = running.child_pid();
    assert_eq!(
        std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap(),
        std::path::Path::new("/")
    );
    assert_ne!(
        std::fs::read_link(format!("/proc/{child}/cwd")).unwrap(),
        std::path::Path::new("/")
    );
    assert!(
        std::fs::read_link(format!("/proc/{pid}/fd/7")).is_err(),
        "pidone closed it"
    );
    assert!(
        std::fs::read_link(format!("/proc/{child}/fd/7")).is_ok(),
        "the child kept it"
    );
    assert_eq!(
        listen_pid, "app: env LISTEN_PID=32",
        "the child's own pid, 2"
    );
}

#[test]
fn an_idle_pidone_never_wakes_up() {
    require_namespaces!();
    let mut pidone = Pidone::new().args(app("on TERM exit 0 ready wait")).start();
    pidone.expect_line("app: ready");
    pidone.await_idle();
    let pid = pidone.pid();
    let switches = || {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        status
            .lines()
            .filter(|l| l.contains("ctxt_switches"))
            .map(|l| l.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap())
            .sum::<u64>()
    };
    let before = switches();
    // An observation window, not synchronisation: tini would wake once in it.
    std::thread::sleep(Duration::from_millis(1500));
    let after = switches();
    assert_eq!(
        after - before,
        0,
        "pidone woke up {} times while idle",
        after - before
    );
    pidone.signal(libc::SIGTERM);
    assert_eq!(pidone.finish().code, 0);
}
