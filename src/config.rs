//! The validated configuration: what pidone will do, resolved from the command line and
//! the environment. Nothing downstream re-parses a flag or reads a `PIDONE_*` variable.

use std::ffi::OsString;
use std::fmt;
use std::time::Duration;

use log::LevelFilter;

use crate::cli::Cli;
use crate::duration;
use crate::forward::Target;
use crate::lifecycle::OnChildExit;
use crate::logging::printable;
use crate::peers;
use crate::personality::Personality;
use crate::signals::{self, Rewrite};

/// How long the drain after the main child's own exit waits for the processes left before
/// it SIGKILLs them, when no grace is set: Docker's default stop timeout, 10 s.
pub const DEFAULT_DRAIN: Duration = Duration::from_secs(10);
const DEFAULT_LOG_LEVEL: LevelFilter = LevelFilter::Warn;

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

/// What happens when the main child exits while other processes remain, as PID 1 of the
/// namespace and anywhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildExit {
    /// As PID 1: the kernel SIGKILLs everything left once pidone exits, so the default is
    /// the drain under every name.
    pub as_init: OnChildExit,
    /// Not PID 1: what is left outlives pidone, re-parented, so the default under a peer's
    /// name is that peer's own (see [`Personality::on_child_exit`]).
    pub otherwise: OnChildExit,
}

impl ChildExit {
    /// The rule for this run: `is_init` when pidone is PID 1 of its namespace.
    pub fn choose(self, is_init: bool) -> OnChildExit {
        if is_init {
            self.as_init
        } else {
            self.otherwise
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// From a SIGTERM or SIGINT to SIGKILL for whatever remains, when the user set one
    /// (`--grace`, `PIDONE_GRACE`). `None`: pidone sends no SIGKILL of its own during a
    /// shutdown started from outside; the orchestrator's deadline is the only one.
    pub grace: Option<Duration>,
    /// From the main child's own exit to SIGKILL for the processes it left: the grace if
    /// set, else [`DEFAULT_DRAIN`].
    pub drain: Duration,
    /// How long the first SIGTERM is held before it is forwarded; shorter than the grace.
    pub stop_delay: Duration,
    /// The longest the main child may run before pidone stops it as if it had received
    /// SIGTERM (`--timeout`); `None`: no limit.
    pub timeout: Option<Duration>,
    pub on_child_exit: ChildExit,
    /// The child starts with every standard signal at its default disposition and an empty
    /// mask, as under dumb-init; otherwise with exactly the state pidone inherited.
    pub reset_signals: bool,
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
    /// `--grace 10s` or `PIDONE_GRACE=10s`, for a message naming both sides of a conflict.
    fn shown(&self) -> String {
        if self.source.starts_with('-') {
            format!("{} {}", self.source, self.value)
        } else {
            format!("{}={}", self.source, self.value)
        }
    }

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

    /// A variable's value as the C library's `getenv` gives it to a peer: bytes, not
    /// necessarily UTF-8 (lossily converted here; the peers' rules look at ASCII only).
    fn raw_value(&self, variable: &str) -> Option<String> {
        (self.0)(variable).map(|value| value.to_string_lossy().into_owned())
    }

    /// A variable's value for a message, however it is encoded.
    fn raw(&self, variable: &str) -> String {
        self.raw_value(variable).unwrap_or_default()
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

fn parse_on_child_exit(setting: &Setting) -> Result<OnChildExit, ConfigError> {
    match setting.value.as_str() {
        "drain" => Ok(OnChildExit::Drain),
        "wait" => Ok(OnChildExit::Wait),
        "exit" => Ok(OnChildExit::Exit),
        _ => Err(setting.reject("expected drain, wait or exit")),
    }
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

    let grace = env
        .pick(cli.grace.map(|v| ("--grace", v)), "PIDONE_GRACE")?
        .map(|setting| Ok::<_, ConfigError>((parse_duration(&setting)?, setting)))
        .transpose()?;
    let stop_delay = env
        .pick(
            cli.stop_delay.map(|v| ("--stop-delay", v)),
            "PIDONE_STOP_DELAY",
        )?
        .map(|setting| Ok::<_, ConfigError>((parse_duration(&setting)?, setting)))
        .transpose()?;
    if let (Some((grace, grace_setting)), Some((delay, delay_setting))) = (&grace, &stop_delay)
        && !delay.is_zero()
        && delay >= grace
    {
        return Err(ConfigError::Conflict(format!(
            "the stop delay ({}) must be shorter than the grace ({}): the application would be killed before it is asked to stop",
            delay_setting.shown(),
            grace_setting.shown()
        )));
    }
    let grace = grace.map(|(grace, _)| grace);
    let stop_delay = stop_delay.map_or(Duration::ZERO, |(delay, _)| delay);
    let timeout = env
        .pick(cli.timeout.map(|v| ("--timeout", v)), "PIDONE_TIMEOUT")?
        .map(|setting| parse_duration(&setting))
        .transpose()?;
    let explicit_on_child_exit = env
        .pick(
            cli.on_child_exit.map(|v| ("--on-child-exit", v)),
            "PIDONE_ON_CHILD_EXIT",
        )?
        .map(|setting| parse_on_child_exit(&setting))
        .transpose()?;

    let dumb_init_setsid = peers::dumb_init_setsid(env.raw_value("DUMB_INIT_SETSID").as_deref());
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
            rewrite.set_default(signal, Some(libc::SIGSTOP));
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
    } else {
        peers::log_level(&|name| env.raw_value(name)).unwrap_or(DEFAULT_LOG_LEVEL)
    };

    let pause = env.switch(cli.pause, "PIDONE_PAUSE")?;
    let mut command = cli.command;
    match (pause, command.is_empty()) {
        // catatonit pauses and ignores a COMMAND given with -P.
        (true, false) if personality == Personality::Catatonit => command.clear(),
        (true, false) => {
            return Err(ConfigError::Conflict(
                "--pause runs no COMMAND, but one was given".to_string(),
            ));
        }
        (false, true) => return Err(ConfigError::NoCommand),
        _ => {}
    }

    let on_child_exit = match explicit_on_child_exit {
        Some(rule) => ChildExit {
            as_init: rule,
            otherwise: rule,
        },
        None => ChildExit {
            as_init: OnChildExit::Drain,
            otherwise: personality.on_child_exit(isolation == Isolation::Session),
        },
    };

    Ok(Invocation::Run(Config {
        grace,
        drain: grace.unwrap_or(DEFAULT_DRAIN),
        stop_delay,
        timeout,
        on_child_exit,
        reset_signals: personality == Personality::DumbInit,
        target,
        isolation,
        rewrite,
        remap_exit,
        parent_death_signal,
        warn_on_reap,
        log_level,
        pause,
        command,
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
        assert_eq!(
            config.grace, None,
            "no deadline of pidone's own unless asked"
        );
        assert_eq!(config.drain, Duration::from_secs(10));
        assert_eq!(config.timeout, None);
        assert_eq!(
            config.on_child_exit,
            ChildExit {
                as_init: OnChildExit::Drain,
                otherwise: OnChildExit::Drain
            }
        );
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
        assert_eq!(config.grace, Some(Duration::from_millis(1500)));
        assert_eq!(
            config.drain,
            Duration::from_millis(1500),
            "a set grace is the drain's"
        );
        assert_eq!(config.target, Target::Child);
        assert_eq!(config.log_level, LevelFilter::Debug);
    }

    #[test]
    fn a_flag_beats_its_variable() {
        let env = env_of(&[("PIDONE_GRACE", "garbage"), ("PIDONE_LOG", "nonsense")]);
        let config = run(cli(Some("2s"), 2), &env).unwrap();
        assert_eq!(config.grace, Some(Duration::from_secs(2)));
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
        for value in ["", "no", "false", "1"] {
            let env = move |name: &str| (name == "DUMB_INIT_SETSID").then(|| value.into());
            let config = run_as(Personality::DumbInit, with(vec!["app"]), &env).unwrap();
            assert_eq!(
                (config.target, config.isolation),
                (Target::Group, Isolation::Session),
                "only 0 turns setsid off, as in dumb-init: {value:?}"
            );
        }
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
        let config = run(with(vec!["app"]), &env_of(&[("TINI_VERBOSITY", "loud")])).unwrap();
        assert_eq!(
            config.log_level,
            LevelFilter::Error,
            "tini's atoi reads no digits as 0"
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
    fn peers_leave_the_others_when_not_pid1() {
        let none = env_of(&[]);
        let rule = |personality, cli| run_as(personality, cli, &none).unwrap().on_child_exit;
        for personality in [Personality::Tini, Personality::Catatonit] {
            assert_eq!(
                rule(personality, with(vec!["app"])),
                ChildExit {
                    as_init: OnChildExit::Drain,
                    otherwise: OnChildExit::Exit
                }
            );
        }
        assert_eq!(
            rule(Personality::DumbInit, with(vec!["app"])).otherwise,
            OnChildExit::TermGroupAndExit
        );
        let single = Cli {
            single_child: true,
            ..with(vec!["app"])
        };
        assert_eq!(
            rule(Personality::DumbInit, single).otherwise,
            OnChildExit::Exit
        );
        let waiting = Cli {
            on_child_exit: Some("wait".into()),
            ..with(vec!["app"])
        };
        assert_eq!(
            rule(Personality::Tini, waiting),
            ChildExit {
                as_init: OnChildExit::Wait,
                otherwise: OnChildExit::Wait
            },
            "an explicit rule holds everywhere"
        );
        let line = run(
            with(vec!["app"]),
            &env_of(&[("PIDONE_ON_CHILD_EXIT", "linger")]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            line.contains("PIDONE_ON_CHILD_EXIT") && line.contains("'linger'"),
            "{line}"
        );
    }

    #[test]
    fn a_stop_delay_as_long_as_the_grace_is_refused() {
        let both = |delay: &str, grace: &str| Cli {
            stop_delay: Some(delay.into()),
            grace: Some(grace.into()),
            ..with(vec!["app"])
        };
        let line = run(both("10s", "10s"), &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(
            line.contains("--stop-delay 10s") && line.contains("--grace 10s"),
            "{line}"
        );
        let line = run(
            with(vec!["app"]),
            &env_of(&[("PIDONE_STOP_DELAY", "1m"), ("PIDONE_GRACE", "30s")]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            line.contains("PIDONE_STOP_DELAY=1m") && line.contains("PIDONE_GRACE=30s"),
            "{line}"
        );
        assert!(run(both("5s", "1m30s"), &env_of(&[])).is_ok());
        assert!(run(both("0", "0"), &env_of(&[])).is_ok(), "no delay at all");
        let no_grace = Cli {
            stop_delay: Some("1h".into()),
            ..with(vec!["app"])
        };
        assert!(run(no_grace, &env_of(&[])).is_ok(), "no grace, no conflict");
    }

    #[test]
    fn a_timeout_is_a_duration() {
        let timed = Cli {
            timeout: Some("1h15m".into()),
            ..with(vec!["app"])
        };
        assert_eq!(
            run(timed, &env_of(&[])).unwrap().timeout,
            Some(Duration::from_secs(4500))
        );
        let line = run(with(vec!["app"]), &env_of(&[("PIDONE_TIMEOUT", "soon")]))
            .unwrap_err()
            .to_string();
        assert!(line.contains("PIDONE_TIMEOUT"), "{line}");
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
