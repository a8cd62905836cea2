//! The recording application of `signal_path.rs` and `job_control.rs`, and how a run of it
//! ends: the marker makes it list the signals still pending and exit.

use super::signal_name as name;
use super::{Outcome, Running};

/// Records every catchable signal; the marker, SIGUSR2, makes it print the signals still
/// pending, then "app: done", and exit 0. The helper looks its rules up from the last, so
/// `on USR2 finish 0` overrides the `record` rule that `record-all` set for SIGUSR2.
pub const RECORDER: &str = "record-all on USR2 finish 0 ready wait";
pub const MARKER: i32 = libc::SIGUSR2;

/// Sends the marker: the application reports it, finds nothing else pending — nothing
/// that should not have arrived did — and exits 0, and so does pidone. The application's
/// whole output is `ready`, then `swept`, then that.
pub fn finish(mut pidone: Running, swept: Vec<String>) -> Outcome {
    pidone.signal(MARKER);
    let rest = pidone.next_lines_until("app: done");
    assert_eq!(
        rest,
        [
            format!("app: got {}", name(MARKER)),
            "app: done".to_string()
        ],
        "the marker, and nothing left pending"
    );
    let outcome = pidone.finish();
    let expected: Vec<String> = std::iter::once("app: ready".to_string())
        .chain(swept)
        .chain(rest)
        .collect();
    assert_eq!(outcome.stdout, expected);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    outcome
}
