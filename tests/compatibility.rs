//! pidone under the name it is invoked as: the tini, docker-init, dumb-init and catatonit
//! personalities — the session or process group each name gives the child, whom each name
//! signals (`-g`, `TINI_KILL_PROCESS_GROUP`, `DUMB_INIT_SETSID`), how each name reads a
//! command line (the peers' `getopt_long`, against the real peers), each name's
//! `--version` line, and the signal mask and dispositions each name hands the child. What does not
//! depend on the name is filed by what it does: `--license` in `command_line.rs`,
//! `--rewrite` and the parent death signal in `forwarding.rs`, `--remap-exit` in
//! `exit_status.rs`, `-w` in `reaping.rs`, the stop delay in `shutdown.rs`, `--pause` in
//! `pause.rs`, SIGTSTP in `job_control.rs`.

mod common;

use std::path::Path;

use common::{Pidone, app, pidone_named, signals_seen};

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

/// What an init did with a command line: its exit code, and whether it ran the command
/// (which prints `RAN`), refused the command line, or printed its help, its license or its
/// version.
fn what_it_did(program: &Path, args: &[&str]) -> (i32, &'static str) {
    let outcome = Pidone::new()
        .not_pid1()
        .invoked_as(program)
        .args(args.iter().copied())
        .run();
    let printed = format!("{}\n{}", outcome.stdout.join("\n"), outcome.stderr);
    let what = if outcome.stdout.iter().any(|line| line.starts_with("RAN")) {
        "ran"
    } else if outcome.code != 0 {
        "refused"
    } else if printed.contains("sage") {
        "help"
    } else if printed.contains("Copyright") {
        "license"
    } else if printed.contains("version") || printed.contains("dumb-init v") {
        "version"
    } else {
        "nothing"
    };
    (outcome.code, what)
}

/// Command lines the peers read with `getopt_long(3)` — an option given twice, the first of
/// help, version and license ending the options, a long option shortened to a prefix of it
/// alone — and option values as the peers' C parsers read them (tini's `strtol` for `-e`,
/// dumb-init's `sscanf("%d:%d")` for `-r`). Each runs the real peer first, then pidone
/// under its name.
#[test]
fn command_lines_run_as_the_peer_runs_them() {
    const RAN: [&str; 2] = ["echo", "RAN"];
    const EXIT_3: [&str; 3] = ["sh", "-c", "echo RAN; exit 3"];
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("tini", [&["-g", "-g", "--"][..], &RAN].concat()),
        ("tini", [&["-s", "-s", "-w", "-w", "--"][..], &RAN].concat()),
        (
            "tini",
            [&["-p", "SIGUSR1", "-p", "SIGUSR2", "--"][..], &RAN].concat(),
        ),
        (
            "tini",
            [&["-e", "3", "-e", "4", "--"][..], &EXIT_3].concat(),
        ),
        ("tini", vec!["-h", "-x"]),
        ("tini", vec!["-x", "-h"]),
        ("tini", vec!["-l", "-h"]),
        ("tini", vec!["-h", "-l"]),
        ("tini", [&["-e", " 3", "--"][..], &EXIT_3].concat()),
        ("tini", [&["-e", "+3", "--"][..], &EXIT_3].concat()),
        ("tini", [&["-e", "", "--"][..], &EXIT_3].concat()),
        ("tini", [&["-e", "-0", "--"][..], &EXIT_3].concat()),
        ("tini", [&["-e", "3 ", "--"][..], &EXIT_3].concat()),
        ("tini", [&["-e", " ", "--"][..], &EXIT_3].concat()),
        ("dumb-init", [&["-c", "--single-child"][..], &RAN].concat()),
        (
            "dumb-init",
            [&["-r", "15:3", "-r", "15:0"][..], &RAN].concat(),
        ),
        ("dumb-init", [&["--single"][..], &RAN].concat()),
        ("dumb-init", [&["--rew=15:3"][..], &RAN].concat()),
        ("dumb-init", [&["--re", "15:3"][..], &RAN].concat()),
        ("dumb-init", vec!["-V", "-h"]),
        ("dumb-init", vec!["-h", "-V"]),
        ("dumb-init", vec!["--h"]),
        ("dumb-init", vec!["--vers"]),
        ("dumb-init", [&["--v"][..], &RAN].concat()),
        ("dumb-init", [&["--ver"][..], &RAN].concat()),
        ("dumb-init", [&["-r", "15:00"][..], &RAN].concat()),
        ("dumb-init", [&["-r", " 15:+3"][..], &RAN].concat()),
        ("dumb-init", [&["-r", "15:3x"][..], &RAN].concat()),
        ("dumb-init", [&["-r", "15:3:4"][..], &RAN].concat()),
        ("dumb-init", [&["-r", "17:3"][..], &RAN].concat()),
        ("dumb-init", [&["-r", "15 :3"][..], &RAN].concat()),
        ("dumb-init", [&["-r", "0:3"][..], &RAN].concat()),
        ("catatonit", [&["-g", "-g"][..], &RAN].concat()),
        ("catatonit", vec!["-P", "-P", "-V"]),
        ("catatonit", vec!["-L", "-h"]),
        ("catatonit", vec!["-h", "-L"]),
        ("catatonit", vec!["-V", "-x"]),
        ("catatonit", vec!["--vers"]),
        ("catatonit", vec!["--v"]),
    ];
    for (name, args) in cases {
        let peer = what_it_did(&Path::new("/usr/bin").join(name), &args);
        let ours = what_it_did(&pidone_named(name), &args);
        assert_eq!(ours, peer, "{name} {args:?}: pidone, then the real {name}");
    }
}

/// tini and catatonit read options after COMMAND too (glibc's `getopt` moves them ahead of
/// it); pidone leaves them to COMMAND, a difference the README lists.
#[test]
fn options_after_the_command_belong_to_the_command() {
    assert!(
        common::readme_says(
            "options after COMMAND belong to COMMAND (tini's and catatonit's getopt moves them"
        ),
        "README, Differences that remain"
    );
    for (name, option, peers_action) in [("tini", "-l", "license"), ("catatonit", "-L", "license")]
    {
        let args = ["echo", "RAN", option];
        let peer = what_it_did(&Path::new("/usr/bin").join(name), &args);
        assert_eq!(peer, (0, peers_action), "the real {name}");
        let ours = what_it_did(&pidone_named(name), &args);
        assert_eq!(ours, (0, "ran"), "pidone as {name}");
    }
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
