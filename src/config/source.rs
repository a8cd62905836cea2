//! Where a value comes from: a flag beats its environment variable, which is read only
//! when the flag is absent; lists come from repeated flags or a comma-separated variable;
//! switches take `1`, `true`, `yes`, `0`, `false` or `no`. And how each kind of value
//! parses, with the error naming the flag or variable it came from.

use std::ffi::OsString;
use std::fmt;
use std::time::Duration;

use log::LevelFilter;

use super::{ConfigError, DEFAULT_LOG_LEVEL};
use crate::duration;
use crate::lifecycle::OnChildExit;
use crate::settings::Setting;
use crate::signals::{self, Signal};

/// A value and where it came from — a flag or a variable — so an error can name it.
pub(super) struct Given {
    pub(super) source: String,
    pub(super) value: String,
}

impl Given {
    /// `--grace 10s` or `PIDONE_GRACE=10s`, for a message naming both sides of a conflict.
    pub(super) fn shown(&self) -> String {
        if self.is_flag() {
            format!("{} {}", self.source, self.value)
        } else {
            format!("{}={}", self.source, self.value)
        }
    }

    /// Whether the value was given with a flag, not in a variable.
    pub(super) fn is_flag(&self) -> bool {
        self.source.starts_with('-')
    }

    pub(super) fn reject(&self, reason: impl fmt::Display) -> ConfigError {
        ConfigError::Invalid {
            source: self.source.clone(),
            value: self.value.clone(),
            reason: reason.to_string(),
        }
    }

    /// A variable's value as a list: commas separate entries, and spaces around them are
    /// not part of them (`143, 130`).
    fn entries(self) -> Vec<Given> {
        self.value
            .split(',')
            .map(|value| Given {
                source: self.source.clone(),
                value: value.trim_matches(' ').to_string(),
            })
            .collect()
    }
}

/// The environment, read through a function (tests pass their own): pidone's variables
/// strictly (not UTF-8 is an error), the peers' as raw bytes for their own rules.
pub(super) struct Environment<'a>(pub(super) &'a dyn Fn(&str) -> Option<OsString>);

impl Environment<'_> {
    pub(super) fn get(&self, variable: &str) -> Result<Option<Given>, ConfigError> {
        match (self.0)(variable) {
            None => Ok(None),
            Some(raw) => match raw.into_string() {
                Ok(value) => Ok(Some(Given {
                    source: variable.to_string(),
                    value,
                })),
                Err(raw) => Err(ConfigError::Invalid {
                    source: variable.to_string(),
                    value: raw.to_string_lossy().into_owned(),
                    reason: "not valid UTF-8".to_string(),
                }),
            },
        }
    }

    /// The flag's value if given, else the setting's variable's.
    pub(super) fn pick(
        &self,
        setting: &Setting,
        flag: Option<String>,
    ) -> Result<Option<Given>, ConfigError> {
        match flag {
            Some(value) => Ok(Some(Given {
                source: setting.flag(),
                value,
            })),
            None => self.get(setting.variable()),
        }
    }

    /// A switch: on if the flag is given, else as the setting's variable says.
    pub(super) fn switch(&self, setting: &Setting, flag: bool) -> Result<bool, ConfigError> {
        Ok(self.switched_on_by(setting, flag)?.is_some())
    }

    /// The flag's values if any were given, else the variable's comma-separated list.
    pub(super) fn list(
        &self,
        setting: &Setting,
        values: Vec<String>,
    ) -> Result<Vec<Given>, ConfigError> {
        if !values.is_empty() {
            return Ok(values
                .into_iter()
                .map(|value| Given {
                    source: setting.flag(),
                    value,
                })
                .collect());
        }
        Ok(self
            .get(setting.variable())?
            .map(Given::entries)
            .unwrap_or_default())
    }

    /// Which turned a switch on — the flag, or the variable with its value — for messages
    /// about it; `None` when it is off.
    pub(super) fn switched_on_by(
        &self,
        setting: &Setting,
        flag: bool,
    ) -> Result<Option<String>, ConfigError> {
        if flag {
            return Ok(Some(setting.flag()));
        }
        match self.get(setting.variable())? {
            Some(given) if parse_bool(&given)? => Ok(Some(given.shown())),
            _ => Ok(None),
        }
    }

    /// A variable's value as the C library's `getenv` gives it to a peer: bytes, not
    /// necessarily UTF-8 (lossily converted here; the peers' rules look at ASCII only).
    pub(super) fn raw_value(&self, variable: &str) -> Option<String> {
        (self.0)(variable).map(|value| value.to_string_lossy().into_owned())
    }
}

pub(super) fn parse_bool(given: &Given) -> Result<bool, ConfigError> {
    match given.value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        _ => Err(given.reject("expected 1, true, yes, 0, false or no")),
    }
}

pub(super) fn parse_level(given: &Given) -> Result<LevelFilter, ConfigError> {
    match given.value.to_ascii_lowercase().as_str() {
        "error" => Ok(LevelFilter::Error),
        "warn" => Ok(LevelFilter::Warn),
        "info" => Ok(LevelFilter::Info),
        "debug" => Ok(LevelFilter::Debug),
        "trace" => Ok(LevelFilter::Trace),
        _ => Err(given.reject("expected error, warn, info, debug or trace")),
    }
}

pub(super) fn parse_duration(given: &Given) -> Result<Duration, ConfigError> {
    duration::parse(&given.value).map_err(|error| given.reject(error))
}

pub(super) fn parse_signal(given: &Given) -> Result<Signal, ConfigError> {
    signals::parse(&given.value).ok_or_else(|| {
        given.reject("not a signal (use a name such as TERM or SIGTERM, or a number)")
    })
}

pub(super) fn parse_on_child_exit(given: &Given) -> Result<OnChildExit, ConfigError> {
    match given.value.as_str() {
        "drain" => Ok(OnChildExit::Drain),
        "wait" => Ok(OnChildExit::Wait),
        "exit" => Ok(OnChildExit::Exit),
        _ => Err(given.reject("expected drain, wait or exit")),
    }
}

pub(super) fn parse_exit_code(given: &Given) -> Result<u8, ConfigError> {
    given
        .value
        .parse::<u8>()
        .map_err(|_| given.reject("expected an exit code from 0 to 255"))
}

/// Each `-v` raises the level one step above the default (warn).
pub(super) fn level_from_verbosity(count: u8) -> LevelFilter {
    match count {
        0 => DEFAULT_LOG_LEVEL,
        1 => LevelFilter::Info,
        2 => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    }
}
