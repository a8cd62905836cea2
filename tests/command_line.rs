//! The command line: what belongs to pidone (its flags, help, version and licence), what
//! belongs to the child (byte for byte), and how invalid input is refused — one line naming
//! the flag or variable, exit 2, nothing run.

mod common;

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use common::{Pidone, app, helper};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs pidone with `flags` and an application that would leave a marker if it ran.
fn refused(flags: &[&str], env: &[(&str, &str)]) -> common::Outcome {
    let marker = common::scratch_path("ran");
    let mut pidone = Pidone::new().not_pid1().args(flags.iter().copied());
    for (key, value) in env {
        pidone = pidone.env(key, value);
    }
    let outcome = pidone
        .args(app("on TERM flush"))
        .args([&marker])
        .args(["raise", "TERM"])
        .run();
    assert!(
        !marker.exists(),
        "the application ran although the configuration was invalid"
    );
    assert_eq!(outcome.code, 2, "{outcome:?}");
    assert_eq!(
        outcome.stderr_lines().len(),
        1,
        "one line: {:?}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.starts_with("pidone: "),
        "{:?}",
        outcome.stderr
    );
    outcome
}

#[test]
fn a_bad_duration_names_the_flag_and_value() {
    let outcome = refused(&["--grace", "5x"], &[]);
    assert!(
        outcome.stderr.contains("--grace") && outcome.stderr.contains("'5x'"),
        "{}",
        outcome.stderr
    );
    let outcome = refused(&["-t", "-3s"], &[]);
    assert!(
        outcome.stderr.contains("'-3s'") && outcome.stderr.contains("negative"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn bad_variables_are_named() {
    for (name, value) in [
        ("PIDONE_GRACE", "soon"),
        ("PIDONE_GRACE", "-1"),
        ("PIDONE_GRACE", ""),
        ("PIDONE_SINGLE_CHILD", "maybe"),
        ("PIDONE_LOG", "loud"),
    ] {
        let outcome = refused(&[], &[(name, value)]);
        assert!(
            outcome.stderr.contains(name) && outcome.stderr.contains(&format!("'{value}'")),
            "{name}={value}: {}",
            outcome.stderr
        );
    }
}

#[test]
fn unknown_flags_are_named() {
    let outcome = refused(&["--gracefully"], &[]);
    assert!(
        outcome.stderr.contains("--gracefully"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn no_command_prints_usage() {
    let outcome = Pidone::new().not_pid1().run();
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.contains("Usage: pidone"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stdout.is_empty());
}

#[test]
fn help_and_version() {
    let help = Pidone::new().not_pid1().args(["--help"]).run();
    assert_eq!(help.code, 0);
    let text = help.stdout.join("\n");
    for needle in [
        "--grace",
        "PIDONE_GRACE",
        "--single-child",
        "PIDONE_SINGLE_CHILD",
        "PIDONE_LOG",
        "--on-child-exit",
        "PIDONE_ON_CHILD_EXIT",
        "--timeout",
        "PIDONE_TIMEOUT",
        "10s",
    ] {
        assert!(text.contains(needle), "help lacks {needle}");
    }
    let version = Pidone::new().not_pid1().args(["-V"]).run();
    assert!(
        version.stdout[0].starts_with(&format!("pidone version {} - ", env!("CARGO_PKG_VERSION"))),
        "{version:?}"
    );
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
fn options_after_the_command_belong_to_it() {
    require_namespaces!();
    let args: Vec<OsString> = ["print-argv", "-v", "--grace", "x", "-c", "--", "-h"]
        .iter()
        .map(OsString::from)
        .collect();
    let outcome = Pidone::new().args([helper().as_os_str()]).args(&args).run();
    assert_eq!(outcome.code, 0, "{outcome:?}");
    let expected: Vec<String> = std::iter::once(helper().as_os_str().to_owned())
        .chain(args)
        .map(|a| hex(&a.into_vec()))
        .collect();
    assert_eq!(
        outcome.stdout,
        [format!("app: argv {}", expected.join(" "))]
    );
    assert_eq!(outcome.stderr, "", "-v went to the child, not pidone");
}

#[test]
fn arguments_and_environment_pass_byte_for_byte() {
    require_namespaces!();
    let odd = OsString::from_vec(vec![0xff, 0xfe, b'x', 0x80]);
    let outcome = Pidone::new()
        .env("ODD_VALUE", &odd)
        .env("EMPTY_VALUE", "")
        .args(app("print-env ODD_VALUE print-env EMPTY_VALUE print-argv"))
        .args([&odd, &OsString::new()])
        .run();
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert_eq!(outcome.stdout[0], "app: env ODD_VALUE=fffe7880");
    assert_eq!(outcome.stdout[1], "app: env EMPTY_VALUE=");
    assert!(
        outcome.stdout[2].ends_with(" fffe7880 "),
        "{:?}",
        outcome.stdout[2]
    );
}

#[test]
fn rust_log_belongs_to_the_application() {
    require_namespaces!();
    let outcome = Pidone::new()
        .env("RUST_LOG", "trace")
        .args(app("print-env RUST_LOG exit 0"))
        .run();
    assert_eq!(
        outcome.stdout,
        [format!("app: env RUST_LOG={}", hex(b"trace"))]
    );
    assert_eq!(outcome.stderr, "", "pidone read RUST_LOG");
}

#[test]
fn verbosity_from_flag_and_variable() {
    require_namespaces!();
    let quiet = Pidone::new().args(app("exit 0")).run();
    assert_eq!(quiet.stderr, "");
    let debug = Pidone::new()
        .env("PIDONE_LOG", "debug")
        .args(app("exit 0"))
        .run();
    assert!(debug.stderr.contains("pidone: debug: "), "{}", debug.stderr);
    // The flag beats the variable, whatever the variable says.
    let flagged = Pidone::new()
        .env("PIDONE_LOG", "nonsense")
        .args(["-vv"])
        .args(app("exit 0"))
        .run();
    assert_eq!(flagged.code, 0, "{flagged:?}");
    assert!(
        flagged.stderr.contains("pidone: debug: "),
        "{}",
        flagged.stderr
    );
    for line in flagged.stderr_lines() {
        assert!(line.starts_with("pidone: "), "{line}");
    }
}
