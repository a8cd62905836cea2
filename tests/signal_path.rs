//! The fate of every signal pidone can receive, proven one signal at a time. For each
//! catchable signal — 1 to 31 except SIGKILL and SIGSTOP, and SIGRTMIN to SIGRTMAX — the
//! test sends it to pidone and checks what the application received before it sends the
//! next: the signal itself; the signal a `--rewrite` rule names; or nothing, for a signal a
//! rule drops and for SIGCHLD, which is pidone's own. (SIGTERM and SIGINT also bring a
//! SIGCONT when the application is stopped: see `faults.rs`.)
//! The expected fate of each signal is a table computed here, from the README's rules.
//! (What pidone does after it has forwarded a job-control signal — stop itself unless it is
//! PID 1; as dumb-init, send SIGSTOP instead — is in `job_control.rs`.)
//!
//! SIGKILL and SIGSTOP are outside the table: no process can catch, block or wait for
//! them. The kernel acts on pidone itself — kills it, or stops it (or, sent from inside
//! its PID namespace to pidone as PID 1, discards them, as for any init) — and pidone never
//! learns that one was sent: there is nothing it could forward.
//!
//! Each forward is awaited as the application's next stdout line, compared whole (the
//! application records every catchable signal, blocked, so none of them acts on it). A
//! signal that must not arrive is followed by `await_idle`: pidone sleeps again, so it has
//! taken the signal and done all it was going to do with it, and anything it forwarded
//! would be among the application's next lines, or still pending there when the marker
//! signal makes it list what is pending and exit.
mod common;

use common::recorder::{MARKER, RECORDER, finish};
use common::{Outcome, Pidone, Running, app};

/// Long enough that no grace period runs out during a test.
const GRACE: &str = "1h";
/// `GRACE` as pidone writes it in its log.
const GRACE_LOGGED: &str = "3600s";

/// Names as the helper prints them — and pidone logs them: glibc's numbering, 34 is
/// SIGRTMIN.
use common::signal_name as name;

/// What becomes of a signal sent to pidone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Forwarded as it is.
    Forwarded,
    /// Forwarded as another signal (`--rewrite S:R`).
    Rewritten(i32),
    /// Not forwarded: a rule rewrites it to 0.
    Dropped,
    /// SIGCHLD: it tells pidone to reap, and is never forwarded.
    HandledByPidone,
}

impl Fate {
    /// The signals the application receives, in order, when `signal` is sent to pidone.
    fn arrivals(self, signal: i32) -> Vec<i32> {
        match self {
            Fate::Forwarded => vec![signal],
            Fate::Rewritten(to) => vec![to],
            Fate::Dropped | Fate::HandledByPidone => Vec::new(),
        }
    }
}

/// Every signal a process can catch: 1 to 31 but SIGKILL and SIGSTOP, and SIGRTMIN to
/// SIGRTMAX. (The numbers between 31 and SIGRTMIN belong to the C library's threads.)
fn catchable() -> impl Iterator<Item = i32> {
    (1..=31)
        .filter(|&signal| signal != libc::SIGKILL && signal != libc::SIGSTOP)
        .chain(libc::SIGRTMIN()..=libc::SIGRTMAX())
}

/// The fate of every catchable signal under the rewrite rules `rules` (`(S, R)`, R = 0
/// to drop; a later rule for the same S wins), as the README states it.
fn fates(rules: &[(i32, i32)]) -> Vec<(i32, Fate)> {
    catchable()
        .map(|signal| {
            let rule = rules.iter().rev().find(|&&(from, _)| from == signal);
            let fate = match rule {
                _ if signal == libc::SIGCHLD => Fate::HandledByPidone,
                None => Fate::Forwarded,
                Some(&(_, 0)) => Fate::Dropped,
                Some(&(_, to)) => Fate::Rewritten(to),
            };
            (signal, fate)
        })
        .collect()
}

/// The table covers every signal number up to SIGRTMAX but SIGKILL, SIGSTOP and the C
/// library's reserved ones, each once; and the marker is forwarded as it is.
fn assert_complete(table: &[(i32, Fate)]) {
    let signals: Vec<i32> = table.iter().map(|&(signal, _)| signal).collect();
    let all: Vec<i32> = (1..=libc::SIGRTMAX())
        .filter(|signal| !(32..libc::SIGRTMIN()).contains(signal))
        .filter(|&signal| signal != libc::SIGKILL && signal != libc::SIGSTOP)
        .collect();
    assert_eq!(signals, all);
    assert!(!signals.contains(&libc::SIGKILL) && !signals.contains(&libc::SIGSTOP));
    let real_time = (libc::SIGRTMAX() - libc::SIGRTMIN() + 1) as usize;
    assert_eq!(signals.len(), 29 + real_time);
    assert_eq!(fate_of(table, MARKER), Fate::Forwarded, "the marker");
}

fn fate_of(table: &[(i32, Fate)], signal: i32) -> Fate {
    table
        .iter()
        .find(|&&(s, _)| s == signal)
        .map(|&(_, fate)| fate)
        .unwrap_or_else(|| panic!("{} is not in the table", name(signal)))
}

/// The order of the sweep: every signal of the table but the marker, in numeric order,
/// then SIGTERM and SIGINT, `first_shutdown` of them first. The grace clock is not running
/// yet when any other signal is sent, so a signal that wrongly started it would be the one
/// pidone's log names.
fn sweep_order(table: &[(i32, Fate)], first_shutdown: i32) -> Vec<i32> {
    let second_shutdown = if first_shutdown == libc::SIGTERM {
        libc::SIGINT
    } else {
        libc::SIGTERM
    };
    table
        .iter()
        .map(|&(signal, _)| signal)
        .filter(|&signal| ![MARKER, libc::SIGTERM, libc::SIGINT].contains(&signal))
        .chain([first_shutdown, second_shutdown])
        .collect()
}

/// Starts pidone as PID 1 with `args`, the recorder as its application, logging at info.
fn start_recorder(args: &[String]) -> Running {
    let mut pidone = Pidone::new()
        .args(["-v", "--grace", GRACE])
        .args(args)
        .args(app(RECORDER))
        .start();
    assert_eq!(pidone.next_lines_until("app: "), ["app: ready"]);
    pidone
}

/// Sends each signal of `order` to pidone, one at a time, and checks the application's
/// next lines against its fate before it sends the next. Returns the lines seen.
fn sweep(pidone: &mut Running, table: &[(i32, Fate)], order: &[i32]) -> Vec<String> {
    let mut seen = Vec::new();
    for &signal in order {
        let fate = fate_of(table, signal);
        // Shown if the test fails, for a wait that times out in the harness.
        eprintln!("sending {} ({fate:?})", name(signal));
        pidone.signal(signal);
        let arrivals = fate.arrivals(signal);
        if arrivals.is_empty() {
            pidone.await_idle();
        }
        for arrival in arrivals {
            let line = format!("app: got {}", name(arrival));
            assert_eq!(
                pidone.next_lines_until("app: "),
                [line.as_str()],
                "after sending {} ({fate:?})",
                name(signal)
            );
            seen.push(line);
        }
    }
    seen
}

/// pidone's log says the grace clock started once, on `signal`, and nothing went wrong.
fn assert_clock_started_only_by(outcome: &Outcome, signal: i32) {
    let lines = outcome.stderr_lines();
    let started: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|line| line.contains("SIGKILL for whatever is left"))
        .collect();
    assert_eq!(
        started,
        [format!(
            "pidone: info: received {}: forwarding it; SIGKILL for whatever is left in {GRACE_LOGGED}",
            name(signal)
        )],
        "{lines:?}"
    );
    assert!(
        !lines
            .iter()
            .any(|line| line.starts_with("pidone: warning") || line.starts_with("pidone: error")),
        "{lines:?}"
    );
}

#[test]
fn every_catchable_signal_is_forwarded_except_sigchld() {
    require_namespaces!();
    let table = fates(&[]);
    assert_complete(&table);
    // The README's rules, spelled out: only SIGCHLD is not forwarded. The job-control signals are forwarded too (pidone, as PID 1,
    // does not stop itself afterwards), and so are those the kernel raises on a fault
    // (SIGSEGV, SIGBUS, SIGFPE, ...) and those ignored by default (SIGWINCH, SIGURG) when
    // another process sends them, and a SIGPIPE that pidone did not raise itself.
    for &(signal, fate) in &table {
        let expected = match signal {
            libc::SIGCHLD => Fate::HandledByPidone,
            _ => Fate::Forwarded,
        };
        assert_eq!(fate, expected, "{}", name(signal));
    }

    let mut pidone = start_recorder(&[]);
    let swept = sweep(&mut pidone, &table, &sweep_order(&table, libc::SIGINT));
    let outcome = finish(pidone, swept);
    assert_clock_started_only_by(&outcome, libc::SIGINT);
}

#[test]
fn rewrite_rules_change_or_drop_exactly_the_signals_they_name() {
    require_namespaces!();
    let (rtmin, rtmax) = (libc::SIGRTMIN(), libc::SIGRTMAX());
    let rules = [
        (libc::SIGHUP, libc::SIGUSR1),
        (libc::SIGWINCH, 0),
        (rtmin + 1, rtmin + 2),
        (libc::SIGTERM, libc::SIGQUIT),
        (rtmax, 0),
    ];
    let table = fates(&rules);
    assert_complete(&table);
    assert_eq!(
        fate_of(&table, libc::SIGHUP),
        Fate::Rewritten(libc::SIGUSR1)
    );
    assert_eq!(fate_of(&table, libc::SIGWINCH), Fate::Dropped);
    assert_eq!(fate_of(&table, rtmin + 1), Fate::Rewritten(rtmin + 2));
    assert_eq!(fate_of(&table, rtmax), Fate::Dropped);
    assert_eq!(
        fate_of(&table, libc::SIGTERM),
        Fate::Rewritten(libc::SIGQUIT)
    );
    // The signals rules rewrite to are forwarded as themselves when they are sent.
    for signal in [libc::SIGUSR1, libc::SIGQUIT, rtmin + 2] {
        assert_eq!(fate_of(&table, signal), Fate::Forwarded, "{}", name(signal));
    }

    let args: Vec<String> = rules
        .iter()
        .flat_map(|&(from, to)| {
            let to = if to == 0 { "0".to_string() } else { name(to) };
            ["--rewrite".to_string(), format!("{}:{to}", name(from))]
        })
        .collect();
    let mut pidone = start_recorder(&args);
    // SIGTERM first: the clock it starts, although it is forwarded as SIGQUIT, is the one
    // pidone's log names.
    let swept = sweep(&mut pidone, &table, &sweep_order(&table, libc::SIGTERM));
    let outcome = finish(pidone, swept);
    assert_clock_started_only_by(&outcome, libc::SIGTERM);
}
#[test]
fn the_signals_the_c_library_keeps_for_itself_are_forwarded_too() {
    common::assert_forwards_the_c_librarys_own_signals(Pidone::new());
}
