//! The validated configuration: what pidone will do, resolved from the command line and
//! the environment. Nothing downstream re-parses a flag or reads a `PIDONE_*` variable.

use std::ffi::OsString;
use std::fmt;
use std::time::Duration;

use log::LevelFilter;

use crate::cli::Cli;
use crate::duration;

pub const DEFAULT_GRACE: Duration = Duration::from_secs(30);
const DEFAULT_LOG_LEVEL: LevelFilter = LevelFilter::Warn;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// From SIGTERM/SIGINT (or the main child's exit) to SIGKILL for whatever remains.
    pub grace: Duration,
    /// Forward signals to the child alone instead of its process group.
    pub single_child: bool,
    pub log_level: LevelFilter,
    /// Program and arguments, never empty.
    pub command: Vec<OsString>,
}

/// What the invocation asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Invocation {
    Help,
    Version,
    Run(Config),
}

/// A rejected flag or environment variable, rendered as one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The command line did not parse; clap's message.
    Syntax(String),
    /// `source` is the flag or variable, `value` what it held.
    Invalid {
        source: String,
        value: String,
        reason: String,
    },
    NoCommand,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Syntax(message) => f.write_str(message),
            ConfigError::Invalid {
                source,
                value,
                reason,
            } => {
                write!(f, "invalid value '{value}' for {source}: {reason}")
            }
            ConfigError::NoCommand => f.write_str("no COMMAND given"),
        }
    }
}

/// Where a value came from, so an error can name it.
struct Setting {
    source: String,
    value: String,
}

impl Setting {
    fn reject(self, reason: impl fmt::Display) -> ConfigError {
        ConfigError::Invalid {
            source: self.source,
            value: self.value,
            reason: reason.to_string(),
        }
    }
}

/// The flag's value if given, else the variable's; a variable that is not UTF-8 is rejected.
fn pick(
    flag: Option<(&str, String)>,
    variable: &str,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<Option<Setting>, ConfigError> {
    if let Some((name, value)) = flag {
        return Ok(Some(Setting {
            source: name.to_string(),
            value,
        }));
    }
    match env(variable) {
        None => Ok(None),
        Some(raw) => match raw.into_string() {
            Ok(value) => Ok(Some(Setting {
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

fn parse_bool(setting: Setting) -> Result<bool, ConfigError> {
    match setting.value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        _ => Err(setting.reject("expected 1, true, yes, 0, false or no")),
    }
}

fn parse_level(setting: Setting) -> Result<LevelFilter, ConfigError> {
    match setting.value.to_ascii_lowercase().as_str() {
        "error" => Ok(LevelFilter::Error),
        "warn" => Ok(LevelFilter::Warn),
        "info" => Ok(LevelFilter::Info),
        "debug" => Ok(LevelFilter::Debug),
        "trace" => Ok(LevelFilter::Trace),
        _ => Err(setting.reject("expected error, warn, info, debug or trace")),
    }
}

/// Each `-v` raises the level one step above the default (warn).
fn level_from_verbosity(count: u8) -> LevelFilter {
    match count {
        0 => DEFAULT_LOG_LEVEL,
        1 => LevelFilter::Info,
        2 => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    }
}

/// Validates the command line against the environment. `env` reads a variable; tests pass
/// their own.
pub fn resolve(
    cli: Cli,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<Invocation, ConfigError> {
    if cli.help {
        return Ok(Invocation::Help);
    }
    if cli.version {
        return Ok(Invocation::Version);
    }

    let grace = match pick(cli.grace.map(|v| ("--grace", v)), "PIDONE_GRACE", env)? {
        None => DEFAULT_GRACE,
        Some(setting) => match duration::parse(&setting.value) {
            Ok(grace) => grace,
            Err(error) => return Err(setting.reject(error)),
        },
    };

    let single_child = if cli.single_child {
        true
    } else {
        match pick(None, "PIDONE_SINGLE_CHILD", env)? {
            None => false,
            Some(setting) => parse_bool(setting)?,
        }
    };

    let log_level = if cli.verbose > 0 {
        level_from_verbosity(cli.verbose)
    } else {
        match pick(None, "PIDONE_LOG", env)? {
            None => DEFAULT_LOG_LEVEL,
            Some(setting) => parse_level(setting)?,
        }
    };

    if cli.command.is_empty() {
        return Err(ConfigError::NoCommand);
    }

    Ok(Invocation::Run(Config {
        grace,
        single_child,
        log_level,
        command: cli.command,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    fn cli(grace: Option<&str>, verbose: u8) -> Cli {
        Cli {
            grace: grace.map(String::from),
            verbose,
            command: vec!["app".into()],
            ..Cli::default()
        }
    }

    fn run(cli: Cli, env: &dyn Fn(&str) -> Option<OsString>) -> Result<Config, ConfigError> {
        match resolve(cli, env)? {
            Invocation::Run(config) => Ok(config),
            other => panic!("expected a run, got {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let config = run(cli(None, 0), &env_of(&[])).unwrap();
        assert_eq!(config.grace, Duration::from_secs(30));
        assert!(!config.single_child);
        assert_eq!(config.log_level, LevelFilter::Warn);
        assert_eq!(config.command, ["app"]);
    }

    #[test]
    fn variables_apply_when_no_flag_is_given() {
        let env = env_of(&[
            ("PIDONE_GRACE", "1500ms"),
            ("PIDONE_SINGLE_CHILD", "1"),
            ("PIDONE_LOG", "debug"),
        ]);
        let config = run(cli(None, 0), &env).unwrap();
        assert_eq!(config.grace, Duration::from_millis(1500));
        assert!(config.single_child);
        assert_eq!(config.log_level, LevelFilter::Debug);
    }

    #[test]
    fn a_flag_beats_its_variable() {
        let env = env_of(&[("PIDONE_GRACE", "garbage"), ("PIDONE_LOG", "nonsense")]);
        let config = run(cli(Some("2s"), 2), &env).unwrap();
        assert_eq!(config.grace, Duration::from_secs(2));
        assert_eq!(config.log_level, LevelFilter::Debug);
    }

    #[test]
    fn rust_log_is_not_pidones() {
        let config = run(cli(None, 0), &env_of(&[("RUST_LOG", "trace")])).unwrap();
        assert_eq!(config.log_level, LevelFilter::Warn);
    }

    #[test]
    fn verbosity_steps() {
        let level = |n| run(cli(None, n), &env_of(&[])).unwrap().log_level;
        assert_eq!(level(1), LevelFilter::Info);
        assert_eq!(level(2), LevelFilter::Debug);
        assert_eq!(level(3), LevelFilter::Trace);
        assert_eq!(level(9), LevelFilter::Trace);
    }

    #[test]
    fn errors_name_the_flag_and_value() {
        let error = run(cli(Some("5x"), 0), &env_of(&[])).unwrap_err();
        let line = error.to_string();
        assert!(line.contains("--grace") && line.contains("'5x'"), "{line}");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn errors_name_the_variable_and_value() {
        type Case = (
            &'static [(&'static str, &'static str)],
            &'static str,
            &'static str,
        );
        let cases: &[Case] = &[
            (&[("PIDONE_GRACE", "-1")], "PIDONE_GRACE", "'-1'"),
            (&[("PIDONE_GRACE", "")], "PIDONE_GRACE", "''"),
            (
                &[("PIDONE_SINGLE_CHILD", "maybe")],
                "PIDONE_SINGLE_CHILD",
                "'maybe'",
            ),
            (&[("PIDONE_LOG", "loud")], "PIDONE_LOG", "'loud'"),
        ];
        for (pairs, name, value) in cases {
            let line = run(cli(None, 0), &env_of(pairs)).unwrap_err().to_string();
            assert!(line.contains(name) && line.contains(value), "{line}");
        }
    }

    #[test]
    fn non_utf8_variables_are_rejected() {
        use std::os::unix::ffi::OsStringExt;
        let env = |name: &str| (name == "PIDONE_LOG").then(|| OsString::from_vec(vec![0xff, b'x']));
        let line = run(cli(None, 0), &env).unwrap_err().to_string();
        assert!(
            line.contains("PIDONE_LOG") && line.contains("UTF-8"),
            "{line}"
        );
    }

    #[test]
    fn false_values_turn_single_child_off() {
        let config = run(cli(None, 0), &env_of(&[("PIDONE_SINGLE_CHILD", "0")])).unwrap();
        assert!(!config.single_child);
    }

    #[test]
    fn no_command_is_an_error() {
        let no_command = Cli {
            command: vec![],
            ..Cli::default()
        };
        assert_eq!(
            resolve(no_command, &env_of(&[])),
            Err(ConfigError::NoCommand)
        );
    }

    #[test]
    fn invalid_values_are_rejected_even_without_a_command() {
        let no_command = Cli {
            grace: Some("x".into()),
            ..Cli::default()
        };
        assert!(matches!(
            resolve(no_command, &env_of(&[])),
            Err(ConfigError::Invalid { .. })
        ));
    }

    #[test]
    fn help_and_version_win() {
        let help = Cli {
            help: true,
            grace: Some("bad".into()),
            ..Cli::default()
        };
        assert_eq!(resolve(help, &env_of(&[])), Ok(Invocation::Help));
        let version = Cli {
            version: true,
            ..Cli::default()
        };
        assert_eq!(resolve(version, &env_of(&[])), Ok(Invocation::Version));
    }
}
