//! The validated configuration: what pidone will do, resolved from the command line and
//! the environment. Nothing downstream re-parses a flag or reads a `PIDONE_*` variable.

use std::ffi::OsString;
use std::fmt;
use std::time::Duration;

use log::LevelFilter;

mod source;

use source::{Environment, Given};

use crate::cli::Cli;
use crate::forward::Target;
use crate::lifecycle::OnChildExit;
use crate::logging::printable;
use crate::peers;
use crate::personality::Personality;
use crate::settings;
use crate::signals::{Rewrite, Signal};

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
    /// The rule `--on-child-exit` sets, under every condition; without one, the drain as
    /// PID 1 and the personality's own rule anywhere else.
    fn from(rule: Option<OnChildExit>, personality: Personality, isolation: Isolation) -> Self {
        match rule {
            Some(rule) => ChildExit {
                as_init: rule,
                otherwise: rule,
            },
            None => ChildExit {
                as_init: OnChildExit::Drain,
                otherwise: personality.on_child_exit(isolation == Isolation::Session),
            },
        }
    }

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
    /// The signal pidone receives when its parent dies (tini's `-p`); `None`: none.
    pub parent_death_signal: Option<Signal>,
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

/// The whole invocation, from the argument vector (`argv[0]` included: it chooses the
/// personality) and the environment, without a system call: `env` reads a variable.
pub fn read(
    argv: impl IntoIterator<Item = OsString>,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> (Personality, Result<Invocation, ConfigError>) {
    let mut argv = argv.into_iter();
    let personality = Personality::from_program_name(&argv.next().unwrap_or_default());
    let invocation = crate::cli::parse(argv, personality.grammar())
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
    let timing = timing(&cli, &env)?;
    let (target, isolation) = placement(&cli, &env, personality)?;
    let rewrite = rewrite(cli.rewrite, &env, personality, isolation)?;
    let remap_exit = env
        .list(&settings::REMAP_EXIT, cli.remap_exit)?
        .iter()
        .map(|given| {
            source::parse_exit_code(given)
                .or_else(|error| peer_exit_code(personality, given).ok_or(error))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let parent_death_signal = env
        .pick(&settings::PARENT_DEATH_SIGNAL, cli.parent_death_signal)?
        .map(|given| source::parse_signal(&given))
        .transpose()?;
    let warn_on_reap = env.switch(&settings::WARN_ON_REAP, cli.warn_on_reap)?;
    // Subreaping is always on when pidone is not PID 1; the switches are still validated.
    env.switch(&settings::SUBREAPER, cli.subreaper)?;
    let log_level = log_level(cli.verbose, &env)?;
    let pause = env.switch(&settings::PAUSE, cli.pause)?;
    let command = command(cli.command, pause, personality)?;
    let on_child_exit = ChildExit::from(timing.on_child_exit, personality, isolation);
    Ok(Invocation::Run(Config {
        grace: timing.grace,
        drain: timing.grace.unwrap_or(DEFAULT_DRAIN),
        stop_delay: timing.stop_delay,
        timeout: timing.timeout,
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

/// The durations and the rule for the child's exit.
struct Timing {
    grace: Option<Duration>,
    stop_delay: Duration,
    timeout: Option<Duration>,
    on_child_exit: Option<OnChildExit>,
}

/// The grace, the stop delay (shorter than the grace: it is part of it), the timeout and
/// `--on-child-exit`.
fn timing(cli: &Cli, env: &Environment) -> Result<Timing, ConfigError> {
    let duration = |given: Given| Ok::<_, ConfigError>((source::parse_duration(&given)?, given));
    let grace = env
        .pick(&settings::GRACE, cli.grace.clone())?
        .map(duration)
        .transpose()?;
    let stop_delay = env
        .pick(&settings::STOP_DELAY, cli.stop_delay.clone())?
        .map(duration)
        .transpose()?;
    if let (Some((grace, grace_given)), Some((delay, delay_given))) = (&grace, &stop_delay)
        && !delay.is_zero()
        && delay >= grace
    {
        return Err(ConfigError::Conflict(format!(
            "the stop delay ({}) must be shorter than the grace ({}): the application would be killed before it is asked to stop",
            delay_given.shown(),
            grace_given.shown()
        )));
    }
    Ok(Timing {
        grace: grace.map(|(grace, _)| grace),
        stop_delay: stop_delay.map_or(Duration::ZERO, |(delay, _)| delay),
        timeout: env
            .pick(&settings::TIMEOUT, cli.timeout.clone())?
            .map(|given| source::parse_duration(&given))
            .transpose()?,
        on_child_exit: env
            .pick(&settings::ON_CHILD_EXIT, cli.on_child_exit.clone())?
            .map(|given| source::parse_on_child_exit(&given))
            .transpose()?,
    })
}

/// Where forwarded signals go, and where the child stands: from the flags, their
/// variables, the peers' variables and the personality's defaults.
fn placement(
    cli: &Cli,
    env: &Environment,
    personality: Personality,
) -> Result<(Target, Isolation), ConfigError> {
    let raw = |name: &str| env.raw_value(name);
    let single_child = env
        .switched_on_by(&settings::SINGLE_CHILD, cli.single_child)?
        .or_else(|| peers::single_child_asked_by(&raw));
    let process_group = env
        .switched_on_by(&settings::PROCESS_GROUP, cli.process_group)?
        .or_else(|| peers::process_group_asked_by(&raw));
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
    Ok((target, isolation))
}

/// `--rewrite` rules, and dumb-init's own defaults in its setsid mode.
fn rewrite(
    flags: Vec<String>,
    env: &Environment,
    personality: Personality,
    isolation: Isolation,
) -> Result<Rewrite, ConfigError> {
    let mut rewrite = Rewrite::default();
    for given in env.list(&settings::REWRITE, flags)? {
        let (from, to) = Rewrite::parse_rule(&given.value)
            .or_else(|reason| peer_rewrite(personality, &given).ok_or(reason))
            .map_err(|reason| given.reject(reason))?;
        rewrite.set(from, to);
    }
    if personality == Personality::DumbInit && isolation == Isolation::Session {
        // dumb-init's default: a job-control signal would be ignored by a process group
        // without a terminal, so it is forwarded as SIGSTOP.
        for signal in [Signal::TSTP, Signal::TTOU, Signal::TTIN] {
            rewrite.set_default(signal, Some(Signal::STOP));
        }
    }
    Ok(rewrite)
}

/// `-v` counts beat `PIDONE_LOG`, which beats the peers' variables.
/// A `-r` rule pidone's own reading refuses, as dumb-init reads it under its name
/// ([`peers::dumb_init_rewrite`]: `15:00`, ` 15:3`, `15:3x`); `None` elsewhere.
fn peer_rewrite(personality: Personality, given: &Given) -> Option<(Signal, Option<Signal>)> {
    if personality != Personality::DumbInit || !given.is_flag() {
        return None;
    }
    let (from, to) = peers::dumb_init_rewrite(&given.value)?;
    Some((Signal::new(from)?, Signal::new(to)))
}

/// An `-e` code pidone's own reading refuses, as tini reads it under its name
/// ([`peers::tini_exit_code`]: ` 3`, `-0`, an empty value); `None` elsewhere.
fn peer_exit_code(personality: Personality, given: &Given) -> Option<u8> {
    if personality != Personality::Tini || !given.is_flag() {
        return None;
    }
    peers::tini_exit_code(&given.value)
}

fn log_level(verbose: u8, env: &Environment) -> Result<LevelFilter, ConfigError> {
    if verbose > 0 {
        return Ok(source::level_from_verbosity(verbose));
    }
    if let Some(given) = env.get(settings::VERBOSE.variable())? {
        return source::parse_level(&given);
    }
    Ok(peers::log_level(&|name| env.raw_value(name)).unwrap_or(DEFAULT_LOG_LEVEL))
}

/// The command, which pause mode must not have (catatonit's `-P` ignores one).
fn command(
    mut command: Vec<OsString>,
    pause: bool,
    personality: Personality,
) -> Result<Vec<OsString>, ConfigError> {
    match (pause, command.is_empty()) {
        (true, false) if personality == Personality::Catatonit => command.clear(),
        (true, false) => {
            return Err(ConfigError::Conflict(
                "--pause runs no COMMAND, but one was given".to_string(),
            ));
        }
        (false, true) => return Err(ConfigError::NoCommand),
        _ => {}
    }
    Ok(command)
}

#[cfg(test)]
mod tests;
