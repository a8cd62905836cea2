//! Bad input of every kind: option values, unknown flags, variables and commands that are
//! not UTF-8 or empty; `--` alone; arguments at the kernel's size limits and 100,000
//! environment variables; commands that are dangling links, link loops, scripts with a
//! missing or nonsensical interpreter and garbage files; help and version with stdout
//! closed or broken and errors with stderr broken; and a sweep of hostile command lines.
//! Whatever the input, pidone exits with the documented code and one line on stderr
//! starting `pidone: ` that names what was wrong, or hands the input to the child
//! untouched — and it never panics.
//!
//! Longer than about 450 lines because every test here runs through the same harness
//! (`refused`, `run_with`, `one_line`, `assert_no_crash`), and the sweep's table of hostile
//! command lines alone is some 120 lines.

mod common;

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{Outcome, Pidone, app, helper, pidone_named};

/// The longest string execve takes as one argument or environment entry, its NUL
/// included: 32 pages (the kernel's MAX_ARG_STRLEN).
const MAX_ARG_STRLEN: usize = 32 * 4096;

/// The variables whose value is validated: each refuses a value that is not UTF-8, and
/// an empty one. (TINI_KILL_PROCESS_GROUP is on when set to anything, as in tini.)
const VALIDATED_VARIABLES: &[&str] = &[
    "PIDONE_GRACE",
    "PIDONE_STOP_DELAY",
    "PIDONE_SINGLE_CHILD",
    "PIDONE_PROCESS_GROUP",
    "PIDONE_REWRITE",
    "PIDONE_REMAP_EXIT",
    "PIDONE_PARENT_DEATH_SIGNAL",
    "PIDONE_WARN_ON_REAP",
    "PIDONE_SUBREAPER",
    "PIDONE_PAUSE",
    "PIDONE_LOG",
    "PIDONE_TIMEOUT",
    "PIDONE_ON_CHILD_EXIT",
];

/// The peers' variables, read by the peers' lenient rules: no value makes pidone refuse.
const PEER_VARIABLES: &[&str] = &[
    "TINI_VERBOSITY",
    "TINI_KILL_PROCESS_GROUP",
    "DUMB_INIT_SETSID",
    "DUMB_INIT_DEBUG",
    "CATATONIT_DEBUG",
];

fn os(bytes: &[u8]) -> OsString {
    OsString::from_vec(bytes.to_vec())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `pidone` with exactly the variables of `env` among those pidone reads; `adjust`
/// changes the command before it starts.
fn run_with(
    pidone: Pidone,
    env: &[(&str, OsString)],
    adjust: impl FnOnce(&mut Command),
) -> Outcome {
    // `command()` starts without any variable pidone reads.
    let mut command = pidone.command();
    command.envs(env.iter().map(|(key, value)| (key, value)));
    adjust(&mut command);
    pidone.start_command(command).finish()
}

fn run(pidone: Pidone) -> Outcome {
    run_with(pidone, &[], |_| {})
}

/// No panic, whatever else happened: no panic message, and not the code of a panic (101
/// in a debug build), of an abort (134: the release profile has `panic = "abort"`) or of
/// another fatal signal to pidone itself.
fn assert_no_crash(outcome: &Outcome, what: &str) {
    assert!(
        !outcome.stderr.contains("panicked"),
        "{what}: pidone panicked: {outcome:?}"
    );
    assert!(
        ![101, 134, 137, 139, 141].contains(&outcome.code),
        "{what}: pidone crashed: {outcome:?}"
    );
}

/// Checks that pidone said exactly one line, its own, and returns it.
fn one_line<'a>(outcome: &'a Outcome, what: &str) -> &'a str {
    assert_no_crash(outcome, what);
    let lines = outcome.stderr_lines();
    assert_eq!(lines.len(), 1, "{what}: one line: {outcome:?}");
    assert!(lines[0].starts_with("pidone: "), "{what}: {outcome:?}");
    lines[0]
}

/// Runs pidone (not as PID 1) with `flags`, the variables `env` and an application that
/// would leave a marker file if it ran; checks that it did not, that pidone exited 2, and
/// returns pidone's one line.
fn refused(flags: &[OsString], env: &[(&str, OsString)]) -> String {
    let what = format!("{flags:?} {env:?}");
    let marker = common::scratch_path("would-have-run");
    let pidone = Pidone::new()
        .not_pid1()
        .args(flags)
        .args(app("list-fds"))
        .args([&marker])
        .args(["exit", "0"]);
    let outcome = run_with(pidone, env, |_| {});
    assert!(
        !marker.exists(),
        "{what}: the application ran although the input was invalid"
    );
    let line = one_line(&outcome, &what).to_string();
    assert_eq!(outcome.code, 2, "{what}: {outcome:?}");
    assert!(outcome.stdout.is_empty(), "{what}: {outcome:?}");
    line
}

/// A fresh directory of the calling test's own.
fn tempdir(name: &str) -> PathBuf {
    let dir = common::scratch_path(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Creates an executable file. A separate process writes it: a descriptor this
/// multi-threaded test process held open for writing could be inherited by another
/// test's fork, and exec would then fail with ETXTBSY instead of the error under test.
fn executable(path: &Path, content: &[u8]) {
    let mut writer = Command::new("sh")
        .args(["-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh"])
        .arg(path)
        .stdin(Stdio::piped())
        .spawn()
        .expect("run sh");
    writer.stdin.take().unwrap().write_all(content).unwrap();
    assert!(writer.wait().unwrap().success(), "writing {path:?}");
}

/// Makes the command's stdout (1) or stderr (2) a pipe whose reading end is closed.
fn break_descriptor(command: &mut Command, fd: i32) {
    // SAFETY: pipe, close and dup2 are async-signal-safe; nothing is allocated.
    unsafe {
        command.pre_exec(move || {
            let mut ends = [0; 2];
            if libc::pipe(ends.as_mut_ptr()) != 0 || libc::dup2(ends[1], fd) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::close(ends[0]);
            libc::close(ends[1]);
            Ok(())
        });
    }
}

/// Starts the command with descriptor `fd` closed.
fn close_descriptor(command: &mut Command, fd: i32) {
    // SAFETY: close is async-signal-safe.
    unsafe {
        command.pre_exec(move || {
            libc::close(fd);
            Ok(())
        });
    }
}

/// Raises the soft stack limit to at least `bytes`: the kernel allows argv and envp
/// together a quarter of it.
fn stack_at_least(command: &mut Command, bytes: libc::rlim_t) {
    // SAFETY: getrlimit and setrlimit are async-signal-safe.
    unsafe {
        command.pre_exec(move || {
            let mut limit = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::getrlimit(libc::RLIMIT_STACK, &mut limit) == 0
                && limit.rlim_cur != libc::RLIM_INFINITY
                && limit.rlim_cur < bytes
            {
                limit.rlim_cur = bytes.min(limit.rlim_max);
                libc::setrlimit(libc::RLIMIT_STACK, &limit);
            }
            Ok(())
        });
    }
}

// --- Not UTF-8 -----------------------------------------------------------------------------

#[test]
fn option_values_that_are_not_utf8_are_refused_naming_the_flag() {
    for (flag, named) in [
        ("--grace", "--grace"),
        ("-t", "--grace"),
        ("--stop-delay", "--stop-delay"),
        ("--rewrite", "--rewrite"),
        ("-r", "--rewrite"),
        ("--remap-exit", "--remap-exit"),
        ("-e", "--remap-exit"),
        ("--parent-death-signal", "--parent-death-signal"),
        ("-p", "--parent-death-signal"),
    ] {
        let line = refused(&[flag.into(), os(b"\xff1")], &[]);
        assert!(
            line.contains(named) && line.contains("UTF-8"),
            "{flag}: {line}"
        );
    }
    // The value attached to the flag.
    let line = refused(&[os(b"--grace=\xff1")], &[]);
    assert!(line.contains("--grace") && line.contains("UTF-8"), "{line}");
    let line = refused(&[os(b"-t\xff1")], &[]);
    assert!(line.contains("--grace") && line.contains("UTF-8"), "{line}");
}

#[test]
fn an_unknown_flag_that_is_not_utf8_is_refused_naming_it() {
    for flag in [
        os(b"--\xff"),
        os(b"-\xff"),
        os(b"--gr\xfece=1"),
        os(b"--grace\xff"),
    ] {
        let line = refused(std::slice::from_ref(&flag), &[]);
        let shown = flag.to_string_lossy();
        let shown = shown.split('=').next().unwrap();
        assert!(line.contains(shown), "{flag:?}: {line}");
    }
}

#[test]
fn variables_that_are_not_utf8_are_refused_naming_the_variable() {
    for variable in VALIDATED_VARIABLES {
        let line = refused(&[], &[(variable, os(b"\xff1"))]);
        assert!(
            line.contains(variable) && line.contains("UTF-8"),
            "{variable}: {line}"
        );
    }
}

/// A peer's variable never stops pidone from starting where the peer itself would start:
/// empty (a templated manifest), garbage, not UTF-8, under every name.
#[test]
fn peer_variables_never_refuse() {
    for variable in PEER_VARIABLES {
        for value in [OsString::new(), os(b"\xff1"), "yes".into(), "-3x".into()] {
            let marker = common::scratch_path("ran");
            let pidone = Pidone::new()
                .not_pid1()
                .args(app("list-fds"))
                .args([&marker])
                .args(["exit", "0"]);
            let what = format!("{variable}={value:?}");
            let outcome = run_with(pidone, &[(variable, value)], |_| {});
            assert_eq!(outcome.code, 0, "{what}: {outcome:?}");
            assert!(marker.exists(), "{what}: the application did not run");
        }
    }
}

#[test]
fn tini_kill_process_group_set_to_anything_is_accepted_and_reaches_the_child_untouched() {
    for value in [os(b"\xff\xfe"), OsString::new()] {
        let outcome = run_with(
            Pidone::new()
                .not_pid1()
                .args(app("print-env TINI_KILL_PROCESS_GROUP exit 3")),
            &[("TINI_KILL_PROCESS_GROUP", value.clone())],
            |_| {},
        );
        assert_no_crash(&outcome, "TINI_KILL_PROCESS_GROUP");
        assert_eq!(outcome.code, 3, "{value:?}: {outcome:?}");
        assert_eq!(outcome.stderr, "", "{value:?}");
        assert_eq!(
            outcome.stdout,
            [format!(
                "app: env TINI_KILL_PROCESS_GROUP={}",
                hex(value.as_bytes())
            )]
        );
    }
}

#[test]
fn a_command_that_is_not_utf8_and_does_not_exist_is_127() {
    for command in [os(b"no-such-\xff\xfe-command"), os(b"/no/such/dir/\xff")] {
        let outcome = run(Pidone::new().not_pid1().args([&command]));
        let line = one_line(&outcome, "non-UTF-8 command");
        assert_eq!(outcome.code, 127, "{command:?}: {outcome:?}");
        assert!(
            line.contains(&format!("'{}'", command.to_string_lossy()))
                && line.contains("not found"),
            "{command:?}: {line}"
        );
    }
}

// --- Empty strings -------------------------------------------------------------------------

#[test]
fn an_empty_command_is_127_naming_it_as_empty() {
    // Without options (pidone's fast path), after `--`, and after a parsed option.
    for flags in [&[][..], &["--"], &["-t", "1s"]] {
        let outcome = run(Pidone::new().not_pid1().args(flags).args([""]));
        let line = one_line(&outcome, "empty command");
        assert_eq!(outcome.code, 127, "{flags:?}: {outcome:?}");
        assert!(line.contains("command '' not found"), "{flags:?}: {line}");
    }
}

#[test]
fn empty_option_values_are_refused_naming_the_flag() {
    for (flags, named) in [
        (&["--grace", ""][..], "--grace"),
        (&["--grace="], "--grace"),
        (&["-t", ""], "--grace"),
        (&["--stop-delay", ""], "--stop-delay"),
        (&["-r", ""], "--rewrite"),
        (&["-e", ""], "--remap-exit"),
        (&["-p", ""], "--parent-death-signal"),
    ] {
        let flags: Vec<OsString> = flags.iter().map(OsString::from).collect();
        let line = refused(&flags, &[]);
        assert!(
            line.contains(named) && line.contains("''"),
            "{flags:?}: {line}"
        );
    }
}

#[test]
fn empty_variables_are_refused_naming_the_variable() {
    // PIDONE_GRACE='' is covered by command_line.rs.
    for variable in VALIDATED_VARIABLES.iter().filter(|&&v| v != "PIDONE_GRACE") {
        let line = refused(&[], &[(variable, OsString::new())]);
        assert!(
            line.contains(variable) && line.contains("''"),
            "{variable}: {line}"
        );
    }
}

/// A variable that contradicts a flag must be named: the user who set it in an image's
/// environment and typed only the flag has to learn where the contradiction comes from.
#[test]
fn a_conflict_names_the_variable_that_caused_it() {
    for (flag, variable, value) in [
        ("-c", "TINI_KILL_PROCESS_GROUP", ""),
        ("-c", "PIDONE_PROCESS_GROUP", "1"),
        ("-g", "DUMB_INIT_SETSID", "0"),
        ("-g", "PIDONE_SINGLE_CHILD", "yes"),
    ] {
        let line = refused(&[flag.into()], &[(variable, value.into())]);
        assert!(
            line.contains(variable),
            "{flag} with {variable}={value:?}: {line}"
        );
    }
}

// --- `--` ----------------------------------------------------------------------------------

#[test]
fn a_double_dash_alone_is_no_command_with_usage() {
    let outcome = run(Pidone::new().not_pid1().args(["--"]));
    assert_no_crash(&outcome, "--");
    assert_eq!(outcome.code, 2, "{outcome:?}");
    assert!(outcome.stdout.is_empty(), "{outcome:?}");
    let lines = outcome.stderr_lines();
    assert_eq!(lines.len(), 2, "{outcome:?}");
    assert!(
        lines[0].starts_with("pidone: ") && lines[0].contains("no COMMAND given"),
        "{lines:?}"
    );
    assert_eq!(lines[1], "Usage: pidone [OPTIONS] [--] COMMAND [ARG]...");
}

#[test]
fn a_second_double_dash_is_the_command() {
    let outcome = run(Pidone::new().not_pid1().args(["--", "--"]));
    let line = one_line(&outcome, "-- --");
    assert_eq!(outcome.code, 127, "{outcome:?}");
    assert!(line.contains("command '--' not found"), "{line}");
    // And a program named `--` on the PATH is run, with what follows as its arguments.
    let dir = tempdir("dashdash");
    std::os::unix::fs::symlink(helper(), dir.join("--")).unwrap();
    let outcome = run_with(
        Pidone::new()
            .not_pid1()
            .env("PATH", dir.as_os_str())
            .args(["--", "--", "exit", "5"]),
        &[],
        |_| {},
    );
    assert_no_crash(&outcome, "-- -- exit 5");
    assert_eq!(outcome.code, 5, "{outcome:?}");
}

// --- Size limits ---------------------------------------------------------------------------

/// `len` bytes, none of them NUL, most not ASCII, varying with `seed`.
fn pattern(len: usize, seed: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 7 + seed) % 255 + 1) as u8).collect()
}

/// The hex-encoded arguments of the helper's `print-argv` line.
fn printed_argv(outcome: &Outcome) -> Vec<&str> {
    let line = outcome
        .stdout
        .iter()
        .find_map(|l| l.strip_prefix("app: argv "))
        .unwrap_or_else(|| panic!("no argv line; stderr {:?}", outcome.stderr));
    line.split(' ').collect()
}

/// A single argument of 1 MiB cannot reach pidone, nor any program: execve refuses with
/// E2BIG any argument or environment entry longer than MAX_ARG_STRLEN — 32 pages, 131,072
/// bytes with its NUL — before the new program exists. (The first check shows it.) So the
/// largest single argument, 131,071 bytes, must reach the child byte for byte.
#[test]
fn the_longest_argument_the_kernel_allows_reaches_the_child_byte_for_byte() {
    require_namespaces!();
    let too_long = os(&vec![b'x'; MAX_ARG_STRLEN]);
    match Command::new(common::PIDONE)
        .arg(&too_long)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Err(error) => assert_eq!(error.raw_os_error(), Some(libc::E2BIG), "{error}"),
        Ok(child) => {
            drop(common::KillOnDrop(child));
            panic!("the kernel took a {MAX_ARG_STRLEN}-byte argument");
        }
    }

    let longest = pattern(MAX_ARG_STRLEN - 1, 0);
    let outcome = run(Pidone::new().args(app("print-argv")).args([os(&longest)]));
    assert_no_crash(&outcome, "longest argument");
    assert_eq!(outcome.code, 0, "stderr {:?}", outcome.stderr);
    assert_eq!(outcome.stderr, "");
    let argv = printed_argv(&outcome);
    assert_eq!(argv.len(), 3, "helper, print-argv, the argument");
    assert_eq!(argv[2].len(), 2 * longest.len());
    assert!(argv[2] == hex(&longest), "the argument changed on the way");
}

#[test]
fn a_mebibyte_of_arguments_reaches_the_child_intact() {
    require_namespaces!();
    let args: Vec<Vec<u8>> = (0..16).map(|seed| pattern(64 * 1024, seed)).collect();
    let pidone = Pidone::new()
        .args(app("print-argv"))
        .args(args.iter().map(|a| os(a)));
    let outcome = run_with(pidone, &[], |command| stack_at_least(command, 16 << 20));
    assert_no_crash(&outcome, "1 MiB of arguments");
    assert_eq!(outcome.code, 0, "stderr {:?}", outcome.stderr);
    assert_eq!(outcome.stderr, "");
    let argv = printed_argv(&outcome);
    assert_eq!(argv.len(), 2 + args.len());
    for (index, (printed, sent)) in argv[2..].iter().zip(&args).enumerate() {
        assert!(*printed == hex(sent), "argument {index} changed on the way");
    }
}

/// The start of a line too long to print whole.
fn head(line: &str) -> String {
    line.chars().take(100).collect()
}

/// A 1 MiB value cannot reach pidone's parser (see above); the largest that can — a
/// 131,071-byte `--grace`, a PIDONE_GRACE entry of 131,071 bytes — is refused in one line
/// that quotes it at most once.
#[test]
fn the_longest_invalid_values_are_refused_in_one_line() {
    let digits = "9".repeat(MAX_ARG_STRLEN - 1);
    let line = refused(&["--grace".into(), digits.as_str().into()], &[]);
    assert!(line.contains("--grace"), "{}", head(&line));
    eprintln!(
        "--grace of {} bytes: a line of {} bytes",
        digits.len(),
        line.len()
    );
    assert!(line.len() <= digits.len() + 200, "{} bytes", line.len());

    let value = "9".repeat(MAX_ARG_STRLEN - 1 - "PIDONE_GRACE=".len());
    let line = refused(&[], &[("PIDONE_GRACE", value.as_str().into())]);
    assert!(line.contains("PIDONE_GRACE"), "{}", head(&line));
    assert!(line.len() <= value.len() + 200, "{} bytes", line.len());
}

#[test]
fn a_hundred_thousand_variables_reach_the_child() {
    require_namespaces!();
    const COUNT: usize = 100_000;
    let pidone = Pidone::new().args(app("count-env print-env E54321 print-env E99999 exit 42"));
    let mut command = pidone.command();
    // Nothing but the 100,000: the count is exact. E54321 is not UTF-8.
    command.env_clear();
    for i in 0..COUNT {
        let value = if i == 54321 {
            os(b"\xff\xfe\x80")
        } else {
            "x".into()
        };
        command.env(format!("E{i:05}"), value);
    }
    // 100,000 entries take 1.7 MB of the 2 MiB an 8 MiB stack allows; no margin needed,
    // but none taken away either.
    stack_at_least(&mut command, 16 << 20);
    let outcome = pidone.start_command(command).finish();
    assert_no_crash(&outcome, "100,000 variables");
    assert_eq!(outcome.code, 42, "stderr {:?}", outcome.stderr);
    assert_eq!(outcome.stderr, "");
    assert_eq!(
        outcome.stdout,
        [
            format!("app: env count {COUNT}"),
            "app: env E54321=fffe80".to_string(),
            "app: env E99999=78".to_string(),
        ]
    );
}

// --- Commands that cannot be executed ------------------------------------------------------

#[test]
fn a_dangling_symlink_is_127_naming_its_missing_target() {
    let dir = tempdir("dangling");
    let (link, target) = (dir.join("app"), dir.join("missing-target"));
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let outcome = run(Pidone::new().not_pid1().args([&link]));
    let line = one_line(&outcome, "dangling link");
    assert_eq!(outcome.code, 127, "{outcome:?}");
    let (link, target) = (link.display(), target.display());
    assert!(
        line.contains(&format!(
            "command '{link}' not found: '{link}' is a symbolic link to '{target}', which does not exist"
        )),
        "{line}"
    );
    // Found through PATH, it is named as typed, and the link by its path.
    let outcome = run(Pidone::new()
        .not_pid1()
        .env("PATH", dir.as_os_str())
        .args(["app"]));
    let line = one_line(&outcome, "dangling link on PATH");
    assert_eq!(outcome.code, 127, "{outcome:?}");
    assert!(
        line.contains(&format!(
            "command 'app' not found: '{link}' is a symbolic link to '{target}'"
        )),
        "{line}"
    );
}

/// a → b → nothing: the missing end is what is missing, not b, which exists.
#[test]
fn a_chain_of_links_to_nothing_names_the_missing_end() {
    let dir = tempdir("chain");
    std::os::unix::fs::symlink("b", dir.join("a")).unwrap();
    std::os::unix::fs::symlink("nowhere", dir.join("b")).unwrap();
    let outcome = run(Pidone::new().not_pid1().args([dir.join("a")]));
    let line = one_line(&outcome, "link chain");
    assert_eq!(outcome.code, 127, "{outcome:?}");
    assert!(line.contains("nowhere"), "{line}");
}

#[test]
fn a_symlink_loop_is_126() {
    let dir = tempdir("loop");
    let (a, b) = (dir.join("a"), dir.join("b"));
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    let outcome = run(Pidone::new().not_pid1().args([&a]));
    let line = one_line(&outcome, "link loop");
    assert_eq!(outcome.code, 126, "{outcome:?}");
    assert!(
        line.contains(&format!("'{}'", a.display()))
            && line.contains("Too many levels of symbolic links"),
        "{line}"
    );
}

#[test]
fn a_script_whose_interpreter_is_missing_is_126() {
    let dir = tempdir("nointerp");
    let script = dir.join("script");
    executable(&script, b"#!/nonexistent/interpreter\nexit 0\n");
    let outcome = run(Pidone::new().not_pid1().args([&script]));
    let line = one_line(&outcome, "missing interpreter");
    assert_eq!(outcome.code, 126, "{outcome:?}");
    assert!(
        line.contains(&format!("'{}'", script.display()))
            && line.contains("its interpreter '/nonexistent/interpreter' was not found"),
        "{line}"
    );
}

#[test]
fn a_script_whose_interpreter_is_a_directory_is_126() {
    let dir = tempdir("dirinterp");
    let script = dir.join("script");
    executable(&script, format!("#!{}\nexit 0\n", dir.display()).as_bytes());
    let outcome = run(Pidone::new().not_pid1().args([&script]));
    let line = one_line(&outcome, "directory interpreter");
    assert_eq!(outcome.code, 126, "{outcome:?}");
    assert!(line.contains(&format!("'{}'", script.display())), "{line}");
}

#[test]
fn an_executable_file_of_garbage_is_126() {
    let dir = tempdir("garbage");
    for (name, content) in [
        ("garbage", &b"\x00\x01\x02garbage, neither ELF nor #!\n"[..]),
        ("empty", b""),
        ("truncated-elf", b"\x7fELF\x02\x01\x01"),
    ] {
        let file = dir.join(name);
        executable(&file, content);
        let outcome = run(Pidone::new().not_pid1().args([&file]));
        let line = one_line(&outcome, name);
        assert_eq!(outcome.code, 126, "{name}: {outcome:?}");
        assert!(
            line.contains(&format!("'{}'", file.display())) && line.contains("Exec format error"),
            "{name}: {line}"
        );
    }
}

// --- Closed and broken stdio ---------------------------------------------------------------

#[test]
fn help_version_and_license_fail_with_1_when_stdout_is_closed_or_broken() {
    for flag in ["--help", "--version", "-L"] {
        for (how, adjust) in [
            ("closed", close_descriptor as fn(&mut Command, i32)),
            ("broken", break_descriptor),
        ] {
            let outcome = run_with(Pidone::new().not_pid1().args([flag]), &[], |command| {
                adjust(command, 1)
            });
            let what = format!("{flag} with stdout {how}");
            let line = one_line(&outcome, &what);
            assert_eq!(outcome.code, 1, "{what}: {outcome:?}");
            assert!(line.contains("cannot write to stdout"), "{what}: {line}");
        }
    }
}

#[test]
fn an_invalid_flag_with_stderr_closed_or_broken_is_still_2() {
    for (how, adjust) in [
        ("closed", close_descriptor as fn(&mut Command, i32)),
        ("broken", break_descriptor),
    ] {
        let marker = common::scratch_path("would-have-run");
        let pidone = Pidone::new()
            .not_pid1()
            .args(["--no-such-flag"])
            .args(app("list-fds"))
            .args([&marker]);
        let outcome = run_with(pidone, &[], |command| adjust(command, 2));
        assert_no_crash(&outcome, how);
        assert_eq!(outcome.code, 2, "stderr {how}: {outcome:?}");
        assert!(!marker.exists(), "stderr {how}: the application ran");
    }
}

// --- A sweep of hostile command lines ------------------------------------------------------

/// Replaced by the application in a case's arguments.
const APP: &str = "APP";
/// The application's exit code: a case that is valid runs it, so exits 3.
const RAN: i32 = 3;

struct Case {
    args: Vec<OsString>,
    env: Vec<(&'static str, OsString)>,
    code: i32,
    /// What pidone's one line names, for codes 2, 126 and 127.
    names: &'static str,
}

fn case(args: &[&str], code: i32, names: &'static str) -> Case {
    Case {
        args: args.iter().map(OsString::from).collect(),
        env: Vec::new(),
        code,
        names,
    }
}

fn env_case(variable: &'static str, value: &str, code: i32) -> Case {
    Case {
        args: vec![APP.into()],
        env: vec![(variable, value.into())],
        code,
        names: variable,
    }
}

fn hostile_cases() -> Vec<Case> {
    let mut cases = vec![
        // Durations.
        case(&["-t", "99999999999999999999999999", APP], 2, "--grace"),
        case(&["-t", "18446744073709551615ms", APP], 2, "--grace"),
        case(&["-t", "1e309", APP], 2, "--grace"),
        case(&["-t", "-0", APP], 2, "--grace"),
        case(&["-t", "0x10", APP], 2, "--grace"),
        case(&["-t", "NaN", APP], 2, "--grace"),
        case(&["-t", "inf", APP], 2, "--grace"),
        case(&["-t", "1.", APP], RAN, ""),
        case(&["-t", ".", APP], 2, "--grace"),
        case(&["-t", "1.5.5", APP], 2, "--grace"),
        case(&["-t", "5s5", APP], 2, "--grace"),
        case(&["-t", "+5", APP], 2, "--grace"),
        case(&["-t", "5 ", APP], 2, "--grace"),
        case(&["-t", "1_000", APP], 2, "--grace"),
        case(&["-t", "٣", APP], 2, "--grace"),
        case(&["-t", "5ｓ", APP], 2, "--grace"),
        case(&["-t", "8760h", APP], RAN, ""),
        case(&["-t", "8761h", APP], 2, "--grace"),
        case(
            &["-t", "1.0000000000000000000000000000000000001", APP],
            RAN,
            "",
        ),
        case(&["-t5s", APP], RAN, ""),
        case(&["-t=5s", APP], RAN, ""),
        case(&["--stop-delay", "-1", APP], 2, "--stop-delay"),
        case(&["--stop-delay", "9999999h", APP], 2, "--stop-delay"),
        // Signals.
        case(&["-p", "RTMIN+2147483647", APP], 2, "--parent-death-signal"),
        case(
            &["-p", "RTMAX--2147483648", APP],
            2,
            "--parent-death-signal",
        ),
        case(&["-p", "RTMIN-3", APP], 2, "--parent-death-signal"),
        // Signal 33, which glibc keeps for itself: pidone handles it all the same.
        case(&["-p", "RTMIN-1", APP], RAN, ""),
        case(&["-p", "RTMAX+1", APP], 2, "--parent-death-signal"),
        case(&["-p", "RTMIN+", APP], 2, "--parent-death-signal"),
        case(&["-p", "0", APP], 2, "--parent-death-signal"),
        case(&["-p", "65", APP], 2, "--parent-death-signal"),
        case(&["-p", "-1", APP], 2, "--parent-death-signal"),
        case(&["-p", "2147483648", APP], 2, "--parent-death-signal"),
        case(&["-p", "SIG", APP], 2, "--parent-death-signal"),
        case(&["-p", "SIGSIGTERM", APP], 2, "--parent-death-signal"),
        case(&["-p", "ＴＥＲＭ", APP], 2, "--parent-death-signal"),
        case(&["-p", "ſigterm", APP], 2, "--parent-death-signal"),
        case(&["-p", "rtmin+1", APP], RAN, ""),
        case(&["-p", "RTMAX-0000000000000000000001", APP], RAN, ""),
        case(&["-p", "SIGKILL", APP], RAN, ""),
        case(&["-r", "RTMIN+2147483647:TERM", APP], 2, "--rewrite"),
        case(&["-r", "TERM:RTMAX--2147483648", APP], 2, "--rewrite"),
        case(&["-r", ":", APP], 2, "--rewrite"),
        case(&["-r", "TERM:", APP], 2, "--rewrite"),
        case(&["-r", ":TERM", APP], 2, "--rewrite"),
        case(&["-r", "TERM:TERM:TERM", APP], 2, "--rewrite"),
        case(&["-r", "CHLD:TERM", APP], 2, "--rewrite"),
        case(&["-r", "TERM", APP], 2, "--rewrite"),
        case(
            &["-r", "1:64", "-r", "KILL:TERM", "-r", "STOP:0", APP],
            RAN,
            "",
        ),
        // Exit codes.
        case(&["-e", "256", APP], 2, "--remap-exit"),
        case(&["-e", "-1", APP], 2, "--remap-exit"),
        case(&["-e", " 1", APP], 2, "--remap-exit"),
        case(&["-e", "1,2", APP], 2, "--remap-exit"),
        case(&["-e", "99999999999999999999", APP], 2, "--remap-exit"),
        case(
            &["-e", "143", "-e", "143", "-e", "0", "-e", "255", APP],
            RAN,
            "",
        ),
        // Flags: repeated, combined, malformed, missing values.
        case(&["-t", "1s", "-t", "2s", APP], 2, "--grace"),
        case(&["-c", "-c", APP], 2, "--single-child"),
        case(&["-vvvvvvvvvvvvvvvvvvvv", APP], RAN, ""),
        case(&["-cg", APP], 2, "--single-child"),
        case(&["--pause", APP], 2, "--pause"),
        case(&["-P", "-P"], 2, "--pause"),
        case(&["--grace"], 2, "--grace"),
        case(&["-t"], 2, "--grace"),
        case(&["--verbose=3", APP], 2, "--verbose"),
        case(&["--single-child=yes", APP], 2, "--single-child"),
        case(&["--gr", "5s", APP], 2, "--gr"),
        case(&["---grace", "5s", APP], 2, "---grace"),
        case(&["-x", APP], 2, "-x"),
        case(&["-h", APP], 0, ""),
        case(&["--help", "--version"], 0, ""),
        case(&["-vV"], 0, ""),
        case(&["--", "-t", "5s"], 127, "'-t'"),
        case(&["-", APP], 127, "'-'"),
        // Variables.
        env_case("PIDONE_REWRITE", "TERM:QUIT,", 2),
        env_case("PIDONE_REWRITE", ",,,", 2),
        env_case("PIDONE_REMAP_EXIT", ",143", 2),
        env_case("PIDONE_PARENT_DEATH_SIGNAL", "RTMIN+99", 2),
        env_case("PIDONE_STOP_DELAY", "1e3", 2),
        env_case("TINI_VERBOSITY", "99999999999", RAN),
        env_case("TINI_VERBOSITY", "-1", RAN),
        env_case("DUMB_INIT_SETSID", "yes", RAN),
        env_case("DUMB_INIT_SETSID", "", RAN),
        env_case("DUMB_INIT_DEBUG", "maybe", RAN),
        env_case("PIDONE_TIMEOUT", "1m30", 2),
        env_case("PIDONE_ON_CHILD_EXIT", "DRAIN", 2),
        env_case("PIDONE_SINGLE_CHILD", "YES", RAN),
        env_case("PIDONE_LOG", "TRACE", RAN),
    ];
    let many_vs = format!("-{}", "v".repeat(300));
    cases.push(Case {
        args: vec![many_vs.into(), APP.into()],
        env: Vec::new(),
        code: RAN,
        names: "",
    });
    cases
}

/// Checks one hostile run against its case.
fn check(outcome: &Outcome, what: &str, code: i32, names: &str) {
    assert_no_crash(outcome, what);
    assert_eq!(outcome.code, code, "{what}: {outcome:?}");
    match code {
        1 | 2 | 126 | 127 => {
            let line = one_line(outcome, what);
            assert!(
                line.contains(names),
                "{what}: the line names {names:?}: {line}"
            );
        }
        _ => {
            for line in outcome.stderr_lines() {
                assert!(line.starts_with("pidone: "), "{what}: {line}");
            }
        }
    }
    if code == 0 {
        assert!(
            !outcome.stdout.is_empty(),
            "{what}: help or version printed"
        );
    }
}

/// The application for the sweep: exits at once with RAN.
fn with_app(args: &[OsString]) -> Vec<OsString> {
    args.iter()
        .flat_map(|arg| {
            if arg == APP {
                app(&format!("exit {RAN}"))
            } else {
                vec![arg.clone()]
            }
        })
        .collect()
}

#[test]
fn hostile_command_lines_get_a_documented_code_and_never_a_panic() {
    for case in hostile_cases() {
        let what = format!("{:?} {:?}", case.args, case.env);
        let outcome = run_with(
            Pidone::new().not_pid1().args(with_app(&case.args)),
            &case.env,
            |_| {},
        );
        check(&outcome, &what, case.code, case.names);
    }
}

#[test]
fn hostile_command_lines_under_other_names_never_panic() {
    let app_args = |args: &[&str]| with_app(&args.iter().map(OsString::from).collect::<Vec<_>>());
    for (name, args, code, names) in [
        ("tini", &["-e", "256", APP][..], 1, "--remap-exit"),
        ("tini", &["-s", "-g", "-w", "-p", "SIGKILL", APP], RAN, ""),
        ("tini", &["--version"], 0, ""),
        (
            "docker-init",
            &["-p", "99", APP],
            1,
            "--parent-death-signal",
        ),
        ("docker-init", &["-vvv", APP], RAN, ""),
        ("dumb-init", &["-c", "-g", APP], 1, "--single-child"),
        ("dumb-init", &["-r", "TSTP:0", "-c", APP], RAN, ""),
        (
            "dumb-init",
            &["--rewrite", "TSTP:TSTP:0", APP],
            1,
            "--rewrite",
        ),
        ("catatonit", &["-p", "99", APP], 1, "--parent-death-signal"),
        ("catatonit", &["-g", "-L", "-L"], 0, ""),
        ("dumb-init", &["--v", APP], 1, "'--v' is ambiguous"),
        ("catatonit", &[], 1, "no COMMAND"),
    ] {
        let what = format!("{name} {args:?}");
        let outcome = run(Pidone::new()
            .not_pid1()
            .invoked_as(pidone_named(name))
            .args(app_args(args)));
        if args.is_empty() {
            // No COMMAND: the error and the usage.
            assert_no_crash(&outcome, &what);
            assert_eq!(outcome.code, code, "{what}: {outcome:?}");
            assert!(outcome.stderr.contains(names), "{what}: {outcome:?}");
            continue;
        }
        check(&outcome, &what, code, names);
    }
    // argv[0] itself hostile: empty, not UTF-8, a directory, a name with a slash at the end.
    for argv0 in [os(b""), os(b"\xff\xfe"), os(b"/"), os(b"tini/"), os(b"-v")] {
        let what = format!("argv[0] {argv0:?}");
        let outcome = run_with(
            Pidone::new().not_pid1().args(app_args(&["-e", "300", APP])),
            &[],
            |command| {
                command.arg0(&argv0);
            },
        );
        check(&outcome, &what, 2, "--remap-exit");
        let outcome = run_with(
            Pidone::new().not_pid1().args(app_args(&[APP])),
            &[],
            |command| {
                command.arg0(&argv0);
            },
        );
        check(&outcome, &what, RAN, "");
    }
}

/// Leading zeros change no number: `000000000000000000001s` is one second and
/// `00000000000000000000000000000.5` half of one, not "longer than 365 days".
#[test]
fn leading_zeros_do_not_make_a_duration_too_long() {
    for value in ["000000000000000000001s", "00000000000000000000000000000.5"] {
        let outcome = run(Pidone::new()
            .not_pid1()
            .args(["--grace", value])
            .args(app(&format!("exit {RAN}"))));
        check(&outcome, &format!("--grace {value}"), RAN, "");
    }
}
