//! The peers' own environment variables, read by each peer's own rules: a variable a peer
//! accepts never makes pidone refuse to start. pidone's `PIDONE_*` variables stay strict
//! (see `config`); these are lenient exactly where the peer is.

use log::LevelFilter;

/// The peers' variables pidone reads, each by its peer's rules below.
pub const VARIABLES: [&str; 5] = [
    "TINI_VERBOSITY",
    "TINI_KILL_PROCESS_GROUP",
    "DUMB_INIT_SETSID",
    "DUMB_INIT_DEBUG",
    "CATATONIT_DEBUG",
];

/// dumb-init's `DUMB_INIT_SETSID`: only `0` turns its setsid mode off; any other value,
/// empty included, leaves it on (`strcmp(getenv("DUMB_INIT_SETSID"), "0")` in dumb-init.c).
pub fn dumb_init_setsid(value: Option<&str>) -> bool {
    value != Some("0")
}

/// The peer's variable that asks for signals to go to the child alone, as it would be
/// named in a message: `DUMB_INIT_SETSID=0` (dumb-init's single-child mode). `raw` reads a
/// variable's bytes, as `getenv` gives them.
pub fn single_child_asked_by(raw: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    (!dumb_init_setsid(raw("DUMB_INIT_SETSID").as_deref()))
        .then(|| "DUMB_INIT_SETSID=0".to_string())
}

/// The peer's variable that asks for signals to go to the child's process group:
/// `TINI_KILL_PROCESS_GROUP`, set to anything (tini tests only that it is set).
pub fn process_group_asked_by(raw: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    raw("TINI_KILL_PROCESS_GROUP").map(|value| format!("TINI_KILL_PROCESS_GROUP={value}"))
}

/// The log level the peers' variables ask for, or `None` when none is set.
///
/// - `DUMB_INIT_DEBUG=1` (exactly `1`, as dumb-init compares it) and `CATATONIT_DEBUG` set
///   to anything (catatonit tests only that it is set) mean debug.
/// - tini's `TINI_VERBOSITY` is read as C's `atoi` reads it (leading blanks, a sign, the
///   leading digits; anything else is 0) into an unsigned number: 0 errors only, 1
///   warnings (tini's default), 2 info, 3 debug, more trace — and a negative number is a
///   huge one, trace.
///
/// The most verbose of them wins.
pub fn log_level(env: &dyn Fn(&str) -> Option<String>) -> Option<LevelFilter> {
    let debug = env("DUMB_INIT_DEBUG").as_deref() == Some("1") || env("CATATONIT_DEBUG").is_some();
    let tini = env("TINI_VERBOSITY").map(|value| match atoi(&value) {
        0 => LevelFilter::Error,
        1 => LevelFilter::Warn,
        2 => LevelFilter::Info,
        3 => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    });
    match (debug, tini) {
        (true, Some(level)) => Some(level.max(LevelFilter::Debug)),
        (true, None) => Some(LevelFilter::Debug),
        (false, level) => level,
    }
}

/// C's `atoi`: optional leading whitespace, an optional sign, then digits up to the first
/// non-digit; 0 when there are none. Saturates instead of overflowing.
pub fn atoi(text: &str) -> i64 {
    let text = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..).unwrap_or_default()),
        Some(b'+') => (false, text.get(1..).unwrap_or_default()),
        _ => (false, text),
    };
    let magnitude = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |n, digit| {
            n.saturating_mul(10)
                .saturating_add(i64::from(digit.wrapping_sub(b'0')))
        });
    if negative {
        magnitude.saturating_neg()
    } else {
        magnitude
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_zero_turns_dumb_init_setsid_off() {
        assert!(!dumb_init_setsid(Some("0")));
        for on in [
            None,
            Some(""),
            Some("1"),
            Some("false"),
            Some("yes"),
            Some("00"),
        ] {
            assert!(dumb_init_setsid(on), "{on:?}");
        }
    }

    #[test]
    fn atoi_reads_leading_digits() {
        for (text, value) in [
            ("", 0),
            ("abc", 0),
            ("3", 3),
            ("3x", 3),
            (" 2", 2),
            ("+2", 2),
            ("-1", -1),
            ("- 1", 0),
            ("99999999999999999999999", i64::MAX),
        ] {
            assert_eq!(atoi(text), value, "{text:?}");
        }
    }

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn peer_variables_choose_a_level_and_never_fail() {
        let level = |pairs| log_level(&env_of(pairs));
        assert_eq!(level(&[]), None);
        assert_eq!(level(&[("TINI_VERBOSITY", "")]), Some(LevelFilter::Error));
        assert_eq!(
            level(&[("TINI_VERBOSITY", "loud")]),
            Some(LevelFilter::Error)
        );
        assert_eq!(level(&[("TINI_VERBOSITY", "1")]), Some(LevelFilter::Warn));
        assert_eq!(level(&[("TINI_VERBOSITY", "2x")]), Some(LevelFilter::Info));
        assert_eq!(level(&[("TINI_VERBOSITY", "3")]), Some(LevelFilter::Debug));
        assert_eq!(level(&[("TINI_VERBOSITY", "9")]), Some(LevelFilter::Trace));
        assert_eq!(level(&[("TINI_VERBOSITY", "-1")]), Some(LevelFilter::Trace));
        assert_eq!(level(&[("DUMB_INIT_DEBUG", "1")]), Some(LevelFilter::Debug));
        assert_eq!(level(&[("DUMB_INIT_DEBUG", "true")]), None);
        assert_eq!(level(&[("DUMB_INIT_DEBUG", "")]), None);
        assert_eq!(level(&[("CATATONIT_DEBUG", "")]), Some(LevelFilter::Debug));
        assert_eq!(
            level(&[("CATATONIT_DEBUG", "0"), ("TINI_VERBOSITY", "9")]),
            Some(LevelFilter::Trace)
        );
    }
}
