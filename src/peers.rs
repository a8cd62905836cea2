//! The peers' own environment variables, and the values of their flags under their names,
//! read by each peer's own rules: a variable or a value a peer accepts never makes pidone
//! refuse to start. pidone's `PIDONE_*` variables and its own name stay strict (see
//! `config`); these are lenient exactly where the peer is.

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
    leading_integer(text).map_or(0, |(number, _)| number)
}

/// The integer C's `strtol(text, &end, 10)` and `scanf`'s `%d` read at the start of
/// `text` — leading whitespace, an optional sign, then digits up to the first non-digit —
/// and what follows it; `None` when there is no digit. Saturates instead of overflowing.
fn leading_integer(text: &str) -> Option<(i64, &str)> {
    let text = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..).unwrap_or_default()),
        Some(b'+') => (false, text.get(1..).unwrap_or_default()),
        _ => (false, text),
    };
    let digits = unsigned.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, rest) = unsigned.split_at_checked(digits)?;
    if digits.is_empty() {
        return None;
    }
    let magnitude = digits.bytes().fold(0i64, |n, digit| {
        n.saturating_mul(10)
            .saturating_add(i64::from(digit.wrapping_sub(b'0')))
    });
    let number = if negative {
        magnitude.saturating_neg()
    } else {
        magnitude
    };
    Some((number, rest))
}

/// tini's reading of `-e CODE`: `strtol(arg, &end, 10)` with nothing left after the number,
/// from 0 to 255 (tini.c, `add_expect_status`). Leading blanks and a sign are taken, and an
/// empty value is 0, as `strtol` leaves it; `None` where tini refuses the value.
pub fn tini_exit_code(text: &str) -> Option<u8> {
    if text.is_empty() {
        return Some(0);
    }
    match leading_integer(text)? {
        (code, "") => u8::try_from(code).ok(),
        _ => None,
    }
}

/// dumb-init's reading of `-r S:R`: `sscanf(arg, "%d:%d")` — two integers as [`atoi`]
/// reads them, the colon right after the first, anything after the second ignored — with S
/// a signal from 1 to 31 and R from 0 to 31, 0 dropping S (dumb-init.c,
/// `parse_rewrite_signum`). The numbers, or `None` where dumb-init refuses the rule.
pub fn dumb_init_rewrite(text: &str) -> Option<(i32, i32)> {
    let (from, rest) = leading_integer(text)?;
    let (to, _) = leading_integer(rest.strip_prefix(':')?)?;
    let from = i32::try_from(from).ok().filter(|s| (1..=31).contains(s))?;
    let to = i32::try_from(to).ok().filter(|r| (0..=31).contains(r))?;
    Some((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each value as the real tini 0.19 takes it (`tini -e VALUE -- sh -c 'exit 3'`).
    #[test]
    fn tini_reads_exit_codes_with_strtol() {
        for (text, code) in [
            ("", 0),
            (" 3", 3),
            ("+3", 3),
            (" +3", 3),
            ("03", 3),
            ("-0", 0),
        ] {
            assert_eq!(tini_exit_code(text), Some(code), "{text:?}");
        }
        for text in ["3 ", " ", "+", "0x3", "256", "3x", "-1"] {
            assert_eq!(tini_exit_code(text), None, "{text:?}");
        }
    }

    /// Each rule as the real dumb-init 1.2.5 takes it (`dumb-init -r RULE true`).
    #[test]
    fn dumb_init_reads_rewrite_rules_with_sscanf() {
        for (text, rule) in [
            ("15:00", (15, 0)),
            ("15:+0", (15, 0)),
            (" 15:3", (15, 3)),
            ("15: 3", (15, 3)),
            ("15:3x", (15, 3)),
            ("15:3:4", (15, 3)),
            ("+15:3", (15, 3)),
            ("9:0", (9, 0)),
            ("19:20", (19, 20)),
        ] {
            assert_eq!(dumb_init_rewrite(text), Some(rule), "{text:?}");
        }
        for text in [
            "15 :3",
            "0:3",
            "32:1",
            "15:32",
            "15:-1",
            "15:",
            ":3",
            "TERM:QUIT",
            "",
        ] {
            assert_eq!(dumb_init_rewrite(text), None, "{text:?}");
        }
    }

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
