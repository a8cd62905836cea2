//! pidone exits with the main child's code, 128+N for death by signal N, and 127/126 with
//! one honest line when the command cannot be executed — as PID 1 of a PID namespace; and
//! `--remap-exit` (`-e`, `PIDONE_REMAP_EXIT`) turns the codes it names into 0.

mod common;

use common::{Pidone, app, scenarios};

fn exit_code_of(steps: &str) -> common::Outcome {
    Pidone::new().args(app(steps)).run()
}

#[test]
fn success_is_zero() {
    require_namespaces!();
    scenarios::exit_code_passes_through(Pidone::new(), 0);
}

#[test]
fn the_childs_exit_code_passes_through() {
    require_namespaces!();
    assert_eq!(exit_code_of("exit 3").code, 3);
    assert_eq!(exit_code_of("exit 255").code, 255);
}

#[test]
fn a_segfault_is_139() {
    require_namespaces!();
    assert_eq!(exit_code_of("raise SEGV").code, 139);
}

#[test]
fn death_by_sigkill_is_137() {
    require_namespaces!();
    assert_eq!(exit_code_of("raise KILL").code, 137);
}

#[test]
fn death_by_a_real_time_signal_is_128_plus_n() {
    require_namespaces!();
    let outcome = exit_code_of("raise RTMIN+2");
    assert_eq!(outcome.code, 128 + libc::SIGRTMIN() + 2);
}

#[test]
fn a_missing_command_is_127_with_its_name() {
    require_namespaces!();
    scenarios::missing_command_is_127(Pidone::new());
}

#[test]
fn a_missing_path_is_127() {
    require_namespaces!();
    let outcome = Pidone::new().args(["/no/such/file"]).run();
    assert_eq!(outcome.code, 127);
    assert!(
        outcome.stderr.contains("'/no/such/file'"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_file_without_execute_permission_is_126() {
    require_namespaces!();
    scenarios::not_executable_is_126(Pidone::new(), &tempdir("noexec").join("script"));
}

#[test]
fn a_directory_is_126() {
    require_namespaces!();
    let outcome = Pidone::new().args(["/"]).run();
    assert_eq!(outcome.code, 126);
    assert!(
        outcome.stderr.contains("Permission denied"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn path_lookup_skips_entries_that_are_not_executable() {
    require_namespaces!();
    // Like execvp: a non-executable match early in PATH does not hide a later real one.
    let dir = tempdir("pathlookup");
    let (early, late) = (dir.join("early"), dir.join("late"));
    std::fs::create_dir_all(&early).unwrap();
    std::fs::create_dir_all(&late).unwrap();
    std::fs::write(early.join("tool"), "not a program").unwrap();
    std::os::unix::fs::symlink(common::helper(), late.join("tool")).unwrap();
    let path = format!("{}:{}", early.display(), late.display());
    let outcome = Pidone::new()
        .env("PATH", path)
        .args(["tool", "exit", "7"])
        .run();
    assert_eq!(outcome.code, 7, "{outcome:?}");
}

#[test]
fn permission_denied_wins_over_not_found_in_path_lookup() {
    require_namespaces!();
    let dir = tempdir("denied");
    std::fs::write(dir.join("tool"), "not a program").unwrap();
    let outcome = Pidone::new()
        .env("PATH", dir.as_os_str())
        .args(["tool"])
        .run();
    assert_eq!(outcome.code, 126, "{outcome:?}");
    assert!(
        outcome.stderr.contains("Permission denied"),
        "{}",
        outcome.stderr
    );
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

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = common::scratch_path(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
