//! The validated configuration: what pidone will do, resolved from the command line and
//! the environment. Nothing downstream re-parses a flag or reads a `PIDONE_*` variable.

use std::ffi::OsString;
use std::fmt;
use std::time::Duration;

use log::LevelFilter;

use crate::cli::Cli;
use crate::duration;
use crate::logging::printable;
use crate::personality::Personality;
use crate::signals::{self, Rewrite};

pub const DEFAULT_GRACE: Duration = Duration::from_secs(30);
const DEFAULT_LOG_LEVEL: LevelFilter = LevelFilter::Warn;

/// Where forwarded signals go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The child's process group: the child and everything it started that stayed in it.
    Group,
    /// The child alone.
    Child,
}

/// Where the child stands in the session and process-group hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// A session of its own (`setsid`), so its process group is its own.
    Session,
    /// A process group of its own in pidone's session (`setpgid`), as tini gives it.
    Group,
    /// pidone's own process group, as dumb-init's single-child mode leaves it.
    Shared,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// From SIGTERM/SIGINT (or the main child's exit) to SIGKILL for whatever remains.
    pub grace: Duration,
    /// How long the first SIGTERM is held before it is forwarded.
    pub stop_delay: Duration,
    pub target: Target,
    pub isolation: Isolation,
    pub rewrite: Rewrite,
    /// Exit codes of the child reported as 0.
    pub remap_exit: Vec<u8>,
    pub parent_death_signal: Option<i32>,
    pub warn_on_reap: bool,
    pub log_level: LevelFilter,
    /// No child: reap until SIGTERM or SIGINT.
    pub pause: bool,
    /// Program and arguments; empty exactly when pausing.
    pub command: Vec<OsString>,
}

/// What the invocation asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Invocation {
    Help,
    Version,
    License,
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
    /// Two settings that contradict each other.
    Conflict(String),
    NoCommand,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Syntax(message) | ConfigError::Conflict(message) => {
                f.write_str(&printable(message))
            }
            ConfigError::Invalid {
                source,
                value,
                reason,
            } => {
                let (value, reason) = (printable(value), printable(reason));
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
    fn reject(&self, reason: impl fmt::Display) -> ConfigError {
        ConfigError::Invalid {
            source: self.source.clone(),
            value: self.value.clone(),
            reason: reason.to_string(),
        }
    }

    /// A variable's value as a list: commas separate entries, and spaces around them are
    /// not part of them (`143, 130`).
    fn entries(self) -> Vec<Setting> {
        self.value
            .split(',')
            .map(|value| Setting {
                source: self.source.clone(),
                value: value.trim_matches(' ').to_string(),
            })
            .collect()
    }
}

/// Reads variables, rejecting values that are not UTF-8.
struct Environment<'a>(&'a dyn Fn(&str) -> Option<OsString>);

impl Environment<'_> {
    fn get(&self, variable: &str) -> Result<Option<Setting>, ConfigError> {
        match (self.0)(variable) {
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

    /// The flag's value if given, else the variable's.
    fn pick(
        &self,
        flag: Option<(&str, String)>,
        variable: &str,
    ) -> Result<Option<Setting>, ConfigError> {
        match flag {
            Some((name, value)) => Ok(Some(Setting {
                source: name.to_string(),
                value,
            })),
            None => self.get(variable),
        }
    }

    /// A switch: on if the flag is given, else as the variable says.
    fn switch(&self, flag: bool, variable: &str) -> Result<bool, ConfigError> {
        if flag {
            return Ok(true);
        }
        self.get(variable)?
            .map_or(Ok(false), |setting| parse_bool(&setting))
    }

    /// The flag's values if any were given, else the variable's comma-separated list.
    fn list(
        &self,
        flag: &str,
        values: Vec<String>,
        variable: &str,
    ) -> Result<Vec<Setting>, ConfigError> {
        if !values.is_empty() {
            return Ok(values
                .into_iter()
                .map(|value| Setting {
                    source: flag.to_string(),
                    value,
                })
                .collect());
        }
        Ok(self
            .get(variable)?
            .map(Setting::entries)
            .unwrap_or_default())
    }

    /// Which setting turned a switch on — the flag or the variable — for messages about it.
    fn switched_on_by(
        &self,
        flag: bool,
        flag_name: &str,
        variable: &str,
    ) -> Result<Option<String>, ConfigError> {
        if flag {
            return Ok(Some(flag_name.to_string()));
        }
        Ok(self
            .switch(false, variable)?
            .then(|| format!("{variable}={}", self.raw(variable))))
    }

    /// A variable's value for a message, however it is encoded.
    fn raw(&self, variable: &str) -> String {
        (self.0)(variable)
            .map(|value| value.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// tini's switches are on when the variable is set at all, whatever its value.
    fn is_set(&self, variable: &str) -> bool {
        (self.0)(variable).is_some()
    }
}

fn parse_bool(setting: &Setting) -> Result<bool, ConfigError> {
    match setting.value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        _ => Err(setting.reject("expected 1, true, yes, 0, false or no")),
    }
}

fn parse_level(setting: &Setting) -> Result<LevelFilter, ConfigError> {
    match setting.value.to_ascii_lowercase().as_str() {
        "error" => Ok(LevelFilter::Error),
        "warn" => Ok(LevelFilter::Warn),
        "info" => Ok(LevelFilter::Info),
        "debug" => Ok(LevelFilter::Debug),
        "trace" => Ok(LevelFilter::Trace),
        _ => Err(setting.reject("expected error, warn, info, debug or trace")),
    }
}

fn parse_duration(setting: &Setting) -> Result<Duration, ConfigError> {
    duration::parse(&setting.value).map_err(|error| setting.reject(error))
}

fn parse_signal(setting: &Setting) -> Result<i32, ConfigError> {
    signals::parse(&setting.value).ok_or_else(|| {
        setting.reject("not a signal (use a name such as TERM or SIGTERM, or a number)")
    })
}

fn parse_exit_code(setting: &Setting) -> Result<u8, ConfigError> {
    setting
        .value
        .parse::<u8>()
        .map_err(|_| setting.reject("expected an exit code from 0 to 255"))
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

/// tini's TINI_VERBOSITY: 1 is its default (warnings), each step above adds detail.
fn level_from_tini_verbosity(setting: &Setting) -> Result<LevelFilter, ConfigError> {
    match setting.value.parse::<u32>() {
        Ok(0) => Ok(LevelFilter::Error),
        Ok(1) => Ok(LevelFilter::Warn),
        Ok(2) => Ok(LevelFilter::Info),
        Ok(3) => Ok(LevelFilter::Debug),
        Ok(_) => Ok(LevelFilter::Trace),
        Err(_) => {
            Err(setting.reject("expected a number (0 errors only, 1 warnings, 2 info, 3 debug)"))
        }
    }
}

/// The whole invocation, from the argument vector (argv[0] included: it chooses the
/// personality) and the environment, without a system call: `env` reads a variable.
pub fn read(
    argv: impl IntoIterator<Item = OsString>,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> (Personality, Result<Invocation, ConfigError>) {
    let mut argv = argv.into_iter();
    let personality = Personality::from_program_name(&argv.next().unwrap_or_default());
    let invocation = crate::cli::parse(argv)
        .map_err(ConfigError::Syntax)
        .and_then(|cli| resolve(cli, personality, env));
    (personality, invocation)
}

/// Validates the command line against the environment, with the defaults of the init
/// pidone stands in for. `env` reads a variable; tests pass their own.
pub fn resolve(
    cli: Cli,
    personality: Personality,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<Invocation, ConfigError> {
    if cli.help {
        return Ok(Invocation::Help);
    }
    if cli.version {
        return Ok(Invocation::Version);
    }
    if cli.license {
        return Ok(Invocation::License);
    }
    let env = Environment(env);

    let grace = match env.pick(cli.grace.map(|v| ("--grace", v)), "PIDONE_GRACE")? {
        Some(setting) => parse_duration(&setting)?,
        None => DEFAULT_GRACE,
    };
    let stop_delay = match env.pick(
        cli.stop_delay.map(|v| ("--stop-delay", v)),
        "PIDONE_STOP_DELAY",
    )? {
        Some(setting) => parse_duration(&setting)?,
        None => Duration::ZERO,
    };

    // dumb-init's DUMB_INIT_SETSID=0 is its single-child mode: no session of its own.
    let dumb_init_setsid = match env.get("DUMB_INIT_SETSID")? {
        None => true,
        Some(setting) => match setting.value.as_str() {
            "0" => false,
            "1" => true,
            _ => return Err(setting.reject("expected 0 or 1")),
        },
    };
    let single_child = env
        .switched_on_by(cli.single_child, "--single-child", "PIDONE_SINGLE_CHILD")?
        .or_else(|| (!dumb_init_setsid).then(|| "DUMB_INIT_SETSID=0".to_string()));
    let process_group = env
        .switched_on_by(cli.process_group, "--process-group", "PIDONE_PROCESS_GROUP")?
        .or_else(|| {
            env.is_set("TINI_KILL_PROCESS_GROUP").then(|| {
                format!(
                    "TINI_KILL_PROCESS_GROUP={}",
                    env.raw("TINI_KILL_PROCESS_GROUP")
                )
            })
        });
    if let (Some(alone), Some(group)) = (&single_child, &process_group) {
        return Err(ConfigError::Conflict(format!(
            "signals cannot go both to the child alone ({alone}) and to its process group ({group})"
        )));
    }
    let (single_child, process_group) = (single_child.is_some(), process_group.is_some());
    let target = match (single_child, process_group) {
        (true, _) => Target::Child,
        (_, true) => Target::Group,
        _ if personality.forwards_to_group() => Target::Group,
        _ => Target::Child,
    };
    // dumb-init without a session of its own leaves the child in its process group.
    let isolation = match personality {
        Personality::DumbInit if single_child => Isolation::Shared,
        _ if personality.new_session() => Isolation::Session,
        _ => Isolation::Group,
    };

    let mut rewrite = Rewrite::default();
    for setting in env.list("--rewrite", cli.rewrite, "PIDONE_REWRITE")? {
        let (from, to) =
            Rewrite::parse_rule(&setting.value).map_err(|reason| setting.reject(reason))?;
        rewrite.set(from, to);
    }
    if personality == Personality::DumbInit && isolation == Isolation::Session {
        // dumb-init's default: a job-control signal would be ignored by a process group
        // without a terminal, so it is forwarded as SIGSTOP.
        for signal in [libc::SIGTSTP, libc::SIGTTOU, libc::SIGTTIN] {
            rewrite.set_default(signal, libc::SIGSTOP);
        }
    }

    let remap_exit = env
        .list("--remap-exit", cli.remap_exit, "PIDONE_REMAP_EXIT")?
        .iter()
        .map(parse_exit_code)
        .collect::<Result<Vec<_>, _>>()?;
    let parent_death_signal = match env.pick(
        cli.parent_death_signal
            .map(|v| ("--parent-death-signal", v)),
        "PIDONE_PARENT_DEATH_SIGNAL",
    )? {
        Some(setting) => Some(parse_signal(&setting)?),
        None => None,
    };
    let warn_on_reap = env.switch(cli.warn_on_reap, "PIDONE_WARN_ON_REAP")?;
    // Subreaping is always on when pidone is not PID 1; the switches are still validated.
    env.switch(cli.subreaper, "PIDONE_SUBREAPER")?;

    let log_level = if cli.verbose > 0 {
        level_from_verbosity(cli.verbose)
    } else if let Some(setting) = env.get("PIDONE_LOG")? {
        parse_level(&setting)?
    } else if let Some(setting) = env.get("TINI_VERBOSITY")? {
        level_from_tini_verbosity(&setting)?
    } else {
        DEFAULT_LOG_LEVEL
    };

    let pause = env.switch(cli.pause, "PIDONE_PAUSE")?;
    match (pause, cli.command.is_empty()) {
        (true, false) => {
            return Err(ConfigError::Conflict(
                "--pause runs no COMMAND, but one was given".to_string(),
            ));
        }
        (false, true) => return Err(ConfigError::NoCommand),
        _ => {}
    }

    Ok(Invocation::Run(Config {
        grace,
        stop_delay,
        target,
        isolation,
        rewrite,
        remap_exit,
        parent_death_signal,
        warn_on_reap,
        log_level,
        pause,
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
        run_as(Personality::Pidone, cli, env)
    }

    fn run_as(
        personality: Personality,
        cli: Cli,
        env: &dyn Fn(&str) -> Option<OsString>,
    ) -> Result<Config, ConfigError> {
        match resolve(cli, personality, env)? {
            Invocation::Run(config) => Ok(config),
            other => panic!("expected a run, got {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let config = run(cli(None, 0), &env_of(&[])).unwrap();
        assert_eq!(config.grace, Duration::from_secs(30));
        assert_eq!(config.stop_delay, Duration::ZERO);
        assert_eq!(config.target, Target::Group);
        assert_eq!(config.isolation, Isolation::Session);
        assert_eq!(config.rewrite, Rewrite::default());
        assert!(config.remap_exit.is_empty() && !config.warn_on_reap && !config.pause);
        assert_eq!(config.parent_death_signal, None);
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
        assert_eq!(config.target, Target::Child);
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
        assert_eq!(config.target, Target::Group);
    }

    #[test]
    fn no_command_is_an_error() {
        let no_command = Cli {
            command: vec![],
            ..Cli::default()
        };
        assert_eq!(
            resolve(no_command, Personality::Pidone, &env_of(&[])),
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
            resolve(no_command, Personality::Pidone, &env_of(&[])),
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
        assert_eq!(
            resolve(help, Personality::Pidone, &env_of(&[])),
            Ok(Invocation::Help)
        );
        let version = Cli {
            version: true,
            ..Cli::default()
        };
        assert_eq!(
            resolve(version, Personality::Pidone, &env_of(&[])),
            Ok(Invocation::Version)
        );
    }

    fn with(command: Vec<&str>) -> Cli {
        Cli {
            command: command.into_iter().map(OsString::from).collect(),
            ..Cli::default()
        }
    }

    #[test]
    fn personalities_choose_forwarding_and_isolation() {
        let none = env_of(&[]);
        let tini = run_as(Personality::Tini, with(vec!["app"]), &none).unwrap();
        assert_eq!(
            (tini.target, tini.isolation),
            (Target::Child, Isolation::Group)
        );
        let catatonit = run_as(Personality::Catatonit, with(vec!["app"]), &none).unwrap();
        assert_eq!(
            (catatonit.target, catatonit.isolation),
            (Target::Child, Isolation::Group)
        );
        let dumb_init = run_as(Personality::DumbInit, with(vec!["app"]), &none).unwrap();
        assert_eq!(
            (dumb_init.target, dumb_init.isolation),
            (Target::Group, Isolation::Session)
        );
        let grouped = Cli {
            process_group: true,
            ..with(vec!["app"])
        };
        assert_eq!(
            run_as(Personality::Tini, grouped, &none).unwrap().target,
            Target::Group
        );
    }

    #[test]
    fn dumb_init_single_child_shares_its_process_group() {
        let single = Cli {
            single_child: true,
            ..with(vec!["app"])
        };
        let config = run_as(Personality::DumbInit, single, &env_of(&[])).unwrap();
        assert_eq!(
            (config.target, config.isolation),
            (Target::Child, Isolation::Shared)
        );
        let config = run_as(
            Personality::DumbInit,
            with(vec!["app"]),
            &env_of(&[("DUMB_INIT_SETSID", "0")]),
        )
        .unwrap();
        assert_eq!(
            (config.target, config.isolation),
            (Target::Child, Isolation::Shared)
        );
        assert_eq!(
            config.rewrite.apply(libc::SIGTSTP),
            Some(libc::SIGTSTP),
            "no SIGSTOP rewrite then"
        );
        let line = run_as(
            Personality::DumbInit,
            with(vec!["app"]),
            &env_of(&[("DUMB_INIT_SETSID", "no")]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            line.contains("DUMB_INIT_SETSID") && line.contains("'no'"),
            "{line}"
        );
    }

    #[test]
    fn dumb_init_rewrites_job_control_signals_to_sigstop() {
        let config = run_as(Personality::DumbInit, with(vec!["app"]), &env_of(&[])).unwrap();
        for signal in [libc::SIGTSTP, libc::SIGTTOU, libc::SIGTTIN] {
            assert_eq!(config.rewrite.apply(signal), Some(libc::SIGSTOP));
        }
        let own = Cli {
            rewrite: vec!["TSTP:USR1".into()],
            ..with(vec!["app"])
        };
        let config = run_as(Personality::DumbInit, own, &env_of(&[])).unwrap();
        assert_eq!(
            config.rewrite.apply(libc::SIGTSTP),
            Some(libc::SIGUSR1),
            "the user's rule stays"
        );
    }

    #[test]
    fn tini_variables() {
        let env = env_of(&[
            ("TINI_KILL_PROCESS_GROUP", ""),
            ("TINI_SUBREAPER", "anything"),
            ("TINI_VERBOSITY", "3"),
        ]);
        let config = run_as(Personality::Tini, with(vec!["app"]), &env).unwrap();
        assert_eq!(config.target, Target::Group);
        assert_eq!(config.log_level, LevelFilter::Debug);
        let line = run(with(vec!["app"]), &env_of(&[("TINI_VERBOSITY", "loud")]))
            .unwrap_err()
            .to_string();
        assert!(
            line.contains("TINI_VERBOSITY") && line.contains("'loud'"),
            "{line}"
        );
        let config = run(
            with(vec!["app"]),
            &env_of(&[("PIDONE_LOG", "error"), ("TINI_VERBOSITY", "3")]),
        )
        .unwrap();
        assert_eq!(
            config.log_level,
            LevelFilter::Error,
            "pidone's variable first"
        );
    }

    #[test]
    fn single_child_and_process_group_conflict() {
        let both = Cli {
            single_child: true,
            process_group: true,
            ..with(vec!["app"])
        };
        assert!(matches!(
            run(both, &env_of(&[])),
            Err(ConfigError::Conflict(_))
        ));
    }

    #[test]
    fn a_conflict_names_the_settings_behind_it() {
        let single = || Cli {
            single_child: true,
            ..with(vec!["app"])
        };
        let grouped = || Cli {
            process_group: true,
            ..with(vec!["app"])
        };
        type Variables = &'static [(&'static str, &'static str)];
        let cases: [(Cli, Variables, &str); 4] = [
            (
                single(),
                &[("TINI_KILL_PROCESS_GROUP", "")],
                "TINI_KILL_PROCESS_GROUP=",
            ),
            (
                single(),
                &[("PIDONE_PROCESS_GROUP", "1")],
                "PIDONE_PROCESS_GROUP=1",
            ),
            (
                grouped(),
                &[("DUMB_INIT_SETSID", "0")],
                "DUMB_INIT_SETSID=0",
            ),
            (
                grouped(),
                &[("PIDONE_SINGLE_CHILD", "yes")],
                "PIDONE_SINGLE_CHILD=yes",
            ),
        ];
        for (cli, pairs, named) in cases {
            let line = run(cli, &env_of(pairs)).unwrap_err().to_string();
            assert!(line.contains(named), "{line}");
        }
    }

    #[test]
    fn rewrite_rules_from_flags_or_variable() {
        let flags = Cli {
            rewrite: vec!["TERM:QUIT".into(), "WINCH:0".into()],
            ..with(vec!["app"])
        };
        let config = run(flags, &env_of(&[("PIDONE_REWRITE", "HUP:USR1")])).unwrap();
        assert_eq!(config.rewrite.apply(libc::SIGTERM), Some(libc::SIGQUIT));
        assert_eq!(config.rewrite.apply(libc::SIGWINCH), None);
        assert_eq!(
            config.rewrite.apply(libc::SIGHUP),
            Some(libc::SIGHUP),
            "the flags beat the variable"
        );
        let config = run(
            with(vec!["app"]),
            &env_of(&[("PIDONE_REWRITE", "HUP:USR1,15:3")]),
        )
        .unwrap();
        assert_eq!(config.rewrite.apply(libc::SIGHUP), Some(libc::SIGUSR1));
        assert_eq!(config.rewrite.apply(libc::SIGTERM), Some(libc::SIGQUIT));
        let bad = Cli {
            rewrite: vec!["TERM:NOPE".into()],
            ..with(vec!["app"])
        };
        let line = run(bad, &env_of(&[])).unwrap_err().to_string();
        assert!(
            line.contains("--rewrite") && line.contains("'TERM:NOPE'"),
            "{line}"
        );
    }

    #[test]
    fn remapped_exit_codes() {
        let flags = Cli {
            remap_exit: vec!["143".into(), "0".into()],
            ..with(vec!["app"])
        };
        assert_eq!(run(flags, &env_of(&[])).unwrap().remap_exit, [143, 0]);
        let config = run(
            with(vec!["app"]),
            &env_of(&[("PIDONE_REMAP_EXIT", "130,143")]),
        )
        .unwrap();
        assert_eq!(config.remap_exit, [130, 143]);
        let config = run(
            with(vec!["app"]),
            &env_of(&[("PIDONE_REMAP_EXIT", "143, 130")]),
        )
        .unwrap();
        assert_eq!(config.remap_exit, [143, 130], "spaces after commas");
        for bad in ["256", "-1", "x", ""] {
            let flags = Cli {
                remap_exit: vec![bad.into()],
                ..with(vec!["app"])
            };
            let line = run(flags, &env_of(&[])).unwrap_err().to_string();
            assert!(
                line.contains("--remap-exit") && line.contains(&format!("'{bad}'")),
                "{line}"
            );
        }
    }

    #[test]
    fn parent_death_signal_and_stop_delay() {
        let flags = Cli {
            parent_death_signal: Some("SIGKILL".into()),
            stop_delay: Some("5s".into()),
            ..with(vec!["app"])
        };
        let config = run(flags, &env_of(&[])).unwrap();
        assert_eq!(config.parent_death_signal, Some(libc::SIGKILL));
        assert_eq!(config.stop_delay, Duration::from_secs(5));
        let env = env_of(&[
            ("PIDONE_PARENT_DEATH_SIGNAL", "15"),
            ("PIDONE_STOP_DELAY", "250ms"),
        ]);
        let config = run(with(vec!["app"]), &env).unwrap();
        assert_eq!(config.parent_death_signal, Some(libc::SIGTERM));
        assert_eq!(config.stop_delay, Duration::from_millis(250));
        let line = run(
            with(vec!["app"]),
            &env_of(&[("PIDONE_PARENT_DEATH_SIGNAL", "DEATH")]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            line.contains("PIDONE_PARENT_DEATH_SIGNAL") && line.contains("'DEATH'"),
            "{line}"
        );
    }

    #[test]
    fn pause_takes_no_command() {
        let pause = Cli {
            pause: true,
            ..with(vec![])
        };
        assert!(run(pause, &env_of(&[])).unwrap().pause);
        let both = Cli {
            pause: true,
            ..with(vec!["app"])
        };
        assert!(matches!(
            run(both, &env_of(&[])),
            Err(ConfigError::Conflict(_))
        ));
        assert!(
            run(with(vec![]), &env_of(&[("PIDONE_PAUSE", "1")]))
                .unwrap()
                .pause
        );
    }

    #[test]
    fn license_needs_no_command() {
        let license = Cli {
            license: true,
            ..Cli::default()
        };
        assert_eq!(
            resolve(license, Personality::Pidone, &env_of(&[])),
            Ok(Invocation::License)
        );
    }
}
