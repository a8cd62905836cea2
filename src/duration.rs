//! Durations as users write them: `1500ms`, `5s`, `2m`, `1h`, or a bare number of seconds,
//! and the compound forms Kubernetes and Go's `time.ParseDuration` write: `1m30s`, `1h15m`,
//! `2m0.5s`.

use std::fmt;
use std::time::Duration;

/// Longer than any orchestrator waits; also keeps every deadline far from `Instant` overflow.
pub const MAX: Duration = Duration::from_secs(365 * 24 * 3600);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationError {
    Empty,
    Negative,
    Malformed,
    UnknownUnit(String),
    /// A part of a compound duration without a unit: `1m30`.
    MissingUnit,
    TooLarge,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationError::Empty => f.write_str("empty duration"),
            DurationError::Negative => f.write_str("durations cannot be negative"),
            DurationError::Malformed => f.write_str(
                "expected a number with an optional unit ms, s, m or h (e.g. 1500ms, 5s, 2.5, 1m30s)",
            ),
            DurationError::MissingUnit => {
                f.write_str("every part of a compound duration needs a unit (e.g. 1m30s)")
            }
            DurationError::UnknownUnit(unit) => {
                write!(f, "unknown unit '{unit}' (use ms, s, m or h)")
            }
            DurationError::TooLarge => f.write_str("longer than 365 days"),
        }
    }
}

/// Parses a duration, at most [`MAX`]. Fractions are exact to the nanosecond: no floating
/// point. A compound duration (`1m30s`) is the sum of its parts, each with its unit.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    if text.starts_with('-') {
        return Err(DurationError::Negative);
    }
    let mut parts = parts(text);
    let first = parts.next().unwrap_or(text);
    let mut total = match parts.next() {
        None => return parse_part(first),
        Some(second) => with_unit(first)?
            .checked_add(with_unit(second)?)
            .ok_or(DurationError::TooLarge)?,
    };
    for part in parts {
        total = total
            .checked_add(with_unit(part)?)
            .ok_or(DurationError::TooLarge)?;
    }
    if total > MAX {
        return Err(DurationError::TooLarge);
    }
    Ok(total)
}

/// `1m30s` as `1m` and `30s`: a number, then everything up to the next digit or point.
fn parts(text: &str) -> impl Iterator<Item = &str> {
    let number = |c: char| c.is_ascii_digit() || c == '.';
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let unit_at = rest.find(|c: char| !number(c)).unwrap_or(rest.len());
        let end = rest
            .get(unit_at..)
            .and_then(|unit| unit.find(number))
            .map_or(rest.len(), |len| unit_at.saturating_add(len));
        let (part, after) = rest.split_at(end);
        rest = after;
        Some(part)
    })
}

/// One part of a compound duration, which must name its unit.
fn with_unit(part: &str) -> Result<Duration, DurationError> {
    if part.ends_with(|c: char| c.is_ascii_digit() || c == '.') {
        return Err(DurationError::MissingUnit);
    }
    parse_part(part)
}

/// One number with an optional unit.
fn parse_part(text: &str) -> Result<Duration, DurationError> {
    let number_len = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(number_len);
    let unit_nanos: u128 = match unit {
        "ms" => 1_000_000,
        "" | "s" => 1_000_000_000,
        "m" => 60 * 1_000_000_000,
        "h" => 3600 * 1_000_000_000,
        _ if number.is_empty() => return Err(DurationError::Malformed),
        other => return Err(DurationError::UnknownUnit(other.to_string())),
    };
    let (whole, fraction) = match number.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (number, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return Err(DurationError::Malformed);
    }
    // 21 fraction digits resolve a nanosecond even of an hour (3.6e12 ns); digits beyond
    // cannot change the result, and dropping them keeps the arithmetic within u128
    // however long the input is.
    let fraction = fraction.get(..fraction.len().min(21)).unwrap_or(fraction);
    // Leading zeros say nothing about the length: `0001s` is one second.
    let whole = whole.trim_start_matches('0');
    let whole_value: u128 = if whole.is_empty() {
        0
    } else if whole.len() > 20 {
        return Err(DurationError::TooLarge);
    } else {
        whole.parse().map_err(|_| DurationError::Malformed)?
    };
    let fraction_value: u128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().map_err(|_| DurationError::Malformed)?
    };
    // At most 20 whole digits and 21 fraction digits: none of this can overflow a u128,
    // but it is checked all the same.
    let scale = 10u128
        .checked_pow(fraction.len() as u32)
        .ok_or(DurationError::Malformed)?;
    let nanos = fraction_value
        .checked_mul(unit_nanos)
        .and_then(|fraction| fraction.checked_div(scale))
        .and_then(|fraction| whole_value.checked_mul(unit_nanos)?.checked_add(fraction))
        .filter(|&nanos| nanos <= MAX.as_nanos())
        .ok_or(DurationError::TooLarge)?;
    u64::try_from(nanos)
        .map(Duration::from_nanos)
        .map_err(|_| DurationError::TooLarge)
}

/// Formats a duration the way [`parse`] reads it back, for log lines.
pub fn display(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis.is_multiple_of(1000) {
        format!("{}s", millis / 1000)
    } else {
        format!("{millis}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn units() {
        assert_eq!(parse("1500ms"), Ok(ms(1500)));
        assert_eq!(parse("5s"), Ok(ms(5000)));
        assert_eq!(parse("2m"), Ok(ms(120_000)));
        assert_eq!(parse("1h"), Ok(ms(3_600_000)));
    }

    #[test]
    fn bare_numbers_are_seconds() {
        assert_eq!(parse("10"), Ok(ms(10_000)));
        assert_eq!(parse("2.5"), Ok(ms(2500)));
        assert_eq!(parse("0"), Ok(Duration::ZERO));
        assert_eq!(parse(".5"), Ok(ms(500)));
        assert_eq!(parse("3."), Ok(ms(3000)));
    }

    #[test]
    fn fractions_are_exact() {
        assert_eq!(parse("0.1"), Ok(ms(100)));
        assert_eq!(parse("1.5ms"), Ok(Duration::from_micros(1500)));
        assert_eq!(parse("0.000000001"), Ok(Duration::from_nanos(1)));
        assert_eq!(parse("0.0000000019"), Ok(Duration::from_nanos(1)));
        assert_eq!(parse("1.25m"), Ok(ms(75_000)));
        assert_eq!(parse("0.0000000000009h"), Ok(Duration::from_nanos(3)));
        assert_eq!(
            parse("0.00000000001666666667m"),
            Ok(Duration::from_nanos(1))
        );
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(parse(""), Err(DurationError::Empty));
        assert_eq!(parse("-1"), Err(DurationError::Negative));
        assert_eq!(parse("-5s"), Err(DurationError::Negative));
        assert_eq!(parse("5x"), Err(DurationError::UnknownUnit("x".into())));
        assert_eq!(parse("5 s"), Err(DurationError::UnknownUnit(" s".into())));
        assert_eq!(parse("s"), Err(DurationError::Malformed));
        assert_eq!(parse("."), Err(DurationError::Malformed));
        assert_eq!(parse("1.2.3"), Err(DurationError::Malformed));
        assert_eq!(parse("+5"), Err(DurationError::Malformed));
        assert_eq!(parse("five"), Err(DurationError::Malformed));
        assert_eq!(parse("1e3"), Err(DurationError::UnknownUnit("e".into())));
        assert_eq!(parse("inf"), Err(DurationError::Malformed));
        assert_eq!(parse(" 5"), Err(DurationError::Malformed));
    }

    #[test]
    fn rejects_absurd_lengths() {
        assert_eq!(parse("366d"), Err(DurationError::UnknownUnit("d".into())));
        assert_eq!(parse("8785h"), Err(DurationError::TooLarge));
        assert_eq!(
            parse("99999999999999999999999999"),
            Err(DurationError::TooLarge)
        );
        assert_eq!(parse("8760h"), Ok(MAX));
        assert_eq!(parse("000000000000000000001s"), Ok(ms(1000)));
        assert_eq!(parse("00000000000000000000000000000.5"), Ok(ms(500)));
        assert!(parse(&format!("1.{}", "9".repeat(5000))).is_ok());
    }

    #[test]
    fn compound_durations_as_kubernetes_and_go_write_them() {
        assert_eq!(parse("1m30s"), Ok(ms(90_000)));
        assert_eq!(parse("1h15m"), Ok(ms(4_500_000)));
        assert_eq!(parse("2m0.5s"), Ok(ms(120_500)));
        assert_eq!(parse("1s500ms"), Ok(ms(1500)));
        assert_eq!(parse("1h0m0s"), Ok(ms(3_600_000)));
        assert_eq!(parse("1m30"), Err(DurationError::MissingUnit));
        assert_eq!(parse("1m30x"), Err(DurationError::UnknownUnit("x".into())));
        assert_eq!(
            parse("1m-30s"),
            Err(DurationError::UnknownUnit("m-".into()))
        );
        assert_eq!(parse("1.2.3m4s"), Err(DurationError::Malformed));
        assert_eq!(parse("8760h1s"), Err(DurationError::TooLarge));
        assert_eq!(parse("8759h60m"), Ok(MAX));
    }

    #[test]
    fn display_round_trips() {
        for text in ["30s", "1500ms", "0s", "120s"] {
            assert_eq!(display(parse(text).unwrap()), text);
        }
    }
}
