//! The fuzzing corpus as a regression suite on stable Rust, without libFuzzer: every input
//! of `fuzz/corpus/TARGET/` goes through the same check the fuzz target `TARGET` runs
//! (`fuzz/checks.rs`), and every crash the fuzzer found has a test of its own below, with
//! its minimised input, also kept as `fuzz/crashes/TARGET/NAME` for
//! `cargo +nightly fuzz run TARGET fuzz/crashes/TARGET/NAME`. `fuzz/run` fuzzes and grows
//! the corpus.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::fs;
use std::panic;
use std::path::Path;

/// A fuzz target's check: panics when a property does not hold.
type Check = fn(&[u8]);

/// Every fuzz target and its check.
const TARGETS: &[(&str, Check)] = &[
    ("command_line", checks::command_line),
    ("duration", checks::duration),
    ("signal", checks::signal),
    ("rewrite", checks::rewrite),
    ("exit_codes", checks::exit_codes),
    ("proc_stat", checks::proc_stat),
    ("path_search", checks::path_search),
];

fn corpus() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus"))
}

fn check_of(target: &str) -> Check {
    TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, check)| *check)
        .unwrap()
}

/// Runs every input of `target`'s corpus, and reports all the failing ones at once.
fn replay(target: &str) {
    let check = check_of(target);
    let dir = corpus().join(target);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    let failed: Vec<String> = files
        .iter()
        .filter(|file| {
            let data = fs::read(file).unwrap();
            panic::catch_unwind(|| check(&data)).is_err()
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} inputs failed:\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
}

#[test]
fn every_corpus_has_a_check() {
    for entry in fs::read_dir(corpus()).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_str().unwrap();
        assert!(
            TARGETS.iter().any(|(target, _)| *target == name),
            "fuzz/corpus/{name} has no check in fuzz/checks.rs"
        );
    }
}

#[test]
fn corpus_command_line() {
    replay("command_line");
}

#[test]
fn corpus_duration() {
    replay("duration");
}

#[test]
fn corpus_signal() {
    replay("signal");
}

#[test]
fn corpus_rewrite() {
    replay("rewrite");
}

#[test]
fn corpus_exit_codes() {
    replay("exit_codes");
}

#[test]
fn corpus_proc_stat() {
    replay("proc_stat");
}

#[test]
fn corpus_path_search() {
    replay("path_search");
}

/// A crash the fuzzer found: `input` is the minimised input kept as
/// `fuzz/crashes/TARGET/NAME`.
fn crash(target: &str, name: &str, input: &[u8]) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/crashes")
        .join(target)
        .join(name);
    assert_eq!(
        fs::read(&file).unwrap_or_else(|error| panic!("{}: {error}", file.display())),
        input,
        "{} differs from the input of its test",
        file.display()
    );
    check_of(target)(input);
}

// An invalid value is echoed into the error line as it is: a newline in it makes the one
// line two (`ConfigError::Invalid`'s Display, config.rs). Argv: `pidone -e $'\n'`.
#[test]
fn crash_command_line_remap_exit_flag_value_with_newline() {
    crash(
        "command_line",
        "remap-exit-flag-value-with-newline",
        b"\x00-e\n",
    );
}

// The same through cli.rs's refusal of an option value that is not UTF-8, which echoes the
// value too. Argv: `pidone -e $'\n\xcf'`.
#[test]
fn crash_command_line_non_utf8_flag_value_with_newline() {
    crash(
        "command_line",
        "non-utf8-flag-value-with-newline",
        b"\x00-e\n\xcf",
    );
}

// `PIDONE_REMAP_EXIT=$'\n'`: the variable's value is echoed into a two-line error.
#[test]
fn crash_exit_codes_remap_variable_with_newline() {
    crash(
        "exit_codes",
        "remap-variable-with-newline",
        b"y\x00\x00\x00\x00\n",
    );
}

// `pidone -e $'\n\xcb' app`: cli.rs's not-UTF-8 message echoes the value, newline included.
#[test]
fn crash_exit_codes_non_utf8_remap_flag_with_newline() {
    crash(
        "exit_codes",
        "non-utf8-remap-flag-with-newline",
        b"\xff\x00\x00\x00\x00\x00\x00\n\xcb",
    );
}

// `signals::parse("16")` is SIGSTKFLT, but the name of 16 is "signal 16", which does
// not parse: signal-hook's name table has no SIGSTKFLT, so `parse("STKFLT")` fails too.
#[test]
fn crash_signal_16_sigstkflt() {
    crash("signal", "16-sigstkflt", b"16");
}

// Likewise SIGPWR (30), which LXC sends an init to shut it down: "PWR" and "SIGPWR" are
// refused, and the name of 30 is "signal 30".
#[test]
fn crash_signal_30_sigpwr() {
    crash("signal", "30-sigpwr", b"30");
}

// 32 is below SIGRTMIN (reserved by the C library), yet `parse` accepts it; its name is
// "signal 32", which does not parse, and `signals::handled()` does not include it.
#[test]
fn crash_signal_32_reserved() {
    crash("signal", "32-reserved", b"32");
}

// As 32.
#[test]
fn crash_signal_33_reserved() {
    crash("signal", "33-reserved", b"33");
}
