//! pidone as a drop-in for tini, dumb-init and catatonit: personalities chosen by the
//! name it is invoked under, their flags and variables, signal rewriting, exit remapping,
//! the parent death signal, the stop delay, pause mode and hygiene after spawning.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Pidone, app, helper, pidone_named, signals_seen};

/// "NAME: pid P ppid Q sid S pgid G" as (pid, sid, pgid).
fn ids(line: &str) -> (i32, i32, i32) {
    let f: Vec<&str> = line.split_whitespace().collect();
    (
        f[2].parse().unwrap(),
        f[6].parse().unwrap(),
        f[8].parse().unwrap(),
    )
}

#[test]
fn under_the_name_tini_the_child_gets_a_process_group_but_no_session() {
    require_namespaces!();
    let outcome = Pidone::new()
        .invoked_as(pidone_named("tini"))
        .args(app("print-pid"))
        .run();
    let (pid, sid, pgid) = ids(&outcome.stdout[0]);
    assert_eq!(pgid, pid, "a process group of its own");
    assert_ne!(sid, pid, "in pidone's session");
}

#[test]
fn under_the_name_dumb_init_or_pidone_it_gets_a_session() {
    require_namespaces!();
    for program in [pidone_named("dumb-init"), common::PIDONE.into()] {
        let outcome = Pidone::new()
            .invoked_as(&program)
            .args(app("print-pid"))
            .run();
        let (pid, sid, pgid) = ids(&outcome.stdout[0]);
        assert_eq!((sid, pgid), (pid, pid), "{program:?}");
    }
}

#[test]
fn dumb_init_single_child_mode_keeps_the_child_in_its_group() {
    require_namespaces!();
    let outcome = Pidone::new()
        .invoked_as(pidone_named("dumb-init"))
        .env("DUMB_INIT_SETSID", "0")
        .args(app("print-pid"))
        .run();
    let (pid, sid, pgid) = ids(&outcome.stdout[0]);
    assert_ne!(pgid, pid, "no group of its own");
    assert_ne!(sid, pid, "no session of its own");
}

/// A child recording SIGUSR1 and exiting on SIGUSR2, and a grandchild in its group
/// recording both and exiting on the drain's SIGTERM. (A SIGUSR2 the grandchild did not
/// take would kill it before it reported a SIGUSR1 still pending.)
const FAMILY: &str = "spawn { as grandchild on USR1 record on USR2 record on TERM exit 0 ready wait } \
                      as child on USR1 record on USR2 exit 0 ready wait";

fn grandchild_hears_usr1(pidone: Pidone) -> bool {
    let mut pidone = pidone.args(app(FAMILY)).start();
    pidone.expect_line("grandchild: ready");
    pidone.expect_line("child: ready");
    pidone.signal(libc::SIGUSR1);
    pidone.expect_line("child: got SIGUSR1");
    pidone.signal(libc::SIGUSR2);
    let outcome = pidone.finish();
    assert_eq!(outcome.code, 0, "{outcome:?}");
    signals_seen(&outcome.stdout, "grandchild").contains(&"SIGUSR1")
}

#[test]
fn tini_and_catatonit_signal_the_child_alone_unless_given_g() {
    require_namespaces!();
    for name in ["tini", "docker-init", "catatonit"] {
        let program = pidone_named(name);
        assert!(
            !grandchild_hears_usr1(Pidone::new().invoked_as(&program)),
            "{name}"
        );
        assert!(
            grandchild_hears_usr1(Pidone::new().invoked_as(&program).args(["-g"])),
            "{name} -g"
        );
    }
    let tini = Pidone::new()
        .invoked_as(pidone_named("tini"))
        .env("TINI_KILL_PROCESS_GROUP", "1");
    assert!(grandchild_hears_usr1(tini), "TINI_KILL_PROCESS_GROUP");
}

/// Each name's `--version` line, in that peer's format and on its stream, ending where
/// Docker reads the commit (`docker info`'s "init version") in `git.pidone-VERSION-COMMIT`.
#[test]
fn version_lines() {
    let version = env!("CARGO_PKG_VERSION");
    let commit = format!(
        "git.pidone-{}{}",
        version.replace('.', "_"),
        env!("PIDONE_COMMIT_SUFFIX")
    );
    for (name, expected, on_stderr) in [
        (
            "pidone",
            format!("pidone version {version} - {commit}"),
            false,
        ),
        ("tini", format!("tini version {version} - {commit}"), false),
        (
            "docker-init",
            format!("tini version {version} - {commit}"),
            false,
        ),
        (
            "catatonit",
            format!("tini version {version}_catatonit - {commit}"),
            false,
        ),
        ("dumb-init", format!("dumb-init v{version} (pidone)"), true),
    ] {
        let outcome = Pidone::new()
            .not_pid1()
            .invoked_as(pidone_named(name))
            .args(["--version"])
            .run();
        assert_eq!(outcome.code, 0, "{name}");
        if on_stderr {
            assert_eq!(outcome.stderr, format!("{expected}\n"), "{name}");
            assert!(outcome.stdout.is_empty(), "{name}");
        } else {
            assert_eq!(outcome.stdout, [expected], "{name}");
        }
    }
}

#[test]
fn license() {
    for flag in ["-l", "-L", "--license"] {
        let outcome = Pidone::new().not_pid1().args([flag]).run();
        assert_eq!(outcome.code, 0);
        assert_eq!(outcome.stdout[0], "MIT License", "{flag}");
    }
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
fn remapped_exit_codes_become_zero() {
    require_namespaces!();
    assert_eq!(
        Pidone::new()
            .args(["-e", "143"])
            .args(app("raise TERM"))
            .run()
            .code,
        0
    );
    assert_eq!(
        Pidone::new()
            .args(["-e", "3", "-e", "4"])
            .args(app("exit 4"))
            .run()
            .code,
        0
    );
    assert_eq!(
        Pidone::new()
            .env("PIDONE_REMAP_EXIT", "3")
            .args(app("exit 5"))
            .run()
            .code,
        5
    );
    let bad = Pidone::new().not_pid1().args(["-e", "256", "true"]).run();
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("--remap-exit") && bad.stderr.contains("'256'"),
        "{}",
        bad.stderr
    );
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
fn pause_mode_reaps_orphans_left_in_its_namespace() {
    require_namespaces!();
    let pidone = Pidone::new().args(["-P"]).start();
    let pid = pidone.pid_when_running();
    // A process entering pidone's namespace leaves orphans behind, as a pod's containers do
    // in a pod whose sandbox pidone is.
    let status = Command::new("nsenter")
        .args(["--target", &pid.to_string(), "--pid", "--"])
        .arg(helper())
        .args(["orphans", "100", "exit", "0"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    common::eventually("pidone reaps them all", || {
        common::namespace_members(pid).len() == 1
    });
    pidone.signal(libc::SIGTERM);
    assert_eq!(pidone.finish().code, 0);
}

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

/// The child's signal state as the init hands it over, the init itself having started with
/// SIGINT and SIGQUIT ignored (a background job of a script) and SIGUSR1 blocked: its
/// "sigblk HEX sigign HEX" line.
fn signal_state_under(init: std::path::PathBuf) -> String {
    use std::os::unix::process::CommandExt;
    let pidone = Pidone::new()
        .not_pid1()
        .invoked_as(init)
        .args(app("print-sigstate"));
    let mut command = pidone.command();
    // SAFETY: signal and sigprocmask are async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_IGN);
            libc::signal(libc::SIGQUIT, libc::SIG_IGN);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGUSR1);
            libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            Ok(())
        });
    }
    let outcome = pidone.start_command(command).finish();
    assert_eq!(outcome.code, 0, "{outcome:?}");
    outcome.stdout[0].clone()
}

/// Under the dumb-init name the child starts with an empty mask and every standard signal
/// at its default disposition, as under dumb-init: a shell script started from a
/// background job can `trap` SIGQUIT, so `--rewrite 15:3` can stop it. Under the tini name
/// the inherited mask and ignored signals pass through, as tini's own tests require.
#[test]
fn the_childs_signal_state_is_the_peers() {
    let under_dumb_init = signal_state_under(pidone_named("dumb-init"));
    assert_eq!(
        under_dumb_init,
        signal_state_under("/usr/bin/dumb-init".into()),
        "as under the real dumb-init"
    );
    let (blocked, ignored) = masks(&under_dumb_init);
    assert_eq!(blocked, 0, "{under_dumb_init}");
    assert_eq!(
        ignored & 0x7fff_ffff,
        0,
        "standard signals ignored: {under_dumb_init}"
    );
    let under_tini = signal_state_under(pidone_named("tini"));
    assert_eq!(under_tini, signal_state_under("/usr/bin/tini".into()));
    assert_eq!(
        under_tini,
        signal_state_under(common::PIDONE.into()),
        "pidone's own name"
    );
    let (blocked, ignored) = masks(&under_tini);
    assert_eq!(blocked, 1 << (libc::SIGUSR1 - 1), "{under_tini}");
    assert_eq!(
        ignored & 0x7fff_ffff,
        (1 << (libc::SIGINT - 1)) | (1 << (libc::SIGQUIT - 1)),
        "{under_tini}"
    );
}

/// The two masks of a "sigblk HEX sigign HEX" line.
fn masks(line: &str) -> (u64, u64) {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let hex = |at: usize| u64::from_str_radix(fields[at], 16).unwrap();
    (hex(2), hex(4))
}
