//! pidone: a container init. It spawns the application, forwards signals to it, reaps
//! every zombie, drains what the application leaves behind, and exits with its code.

// PID 1 must not die of its own bugs: a panic aborts pidone and the kernel kills the whole
// container. Nothing outside the tests may panic on bad input, or print where a closed or
// broken stdout or stderr would panic (`println!`, `eprintln!`).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::print_stdout,
        clippy::print_stderr,
        clippy::undocumented_unsafe_blocks
    )
)]

pub mod cli;
pub mod config;
pub mod descendants;
pub mod duration;
pub mod exec_error;
pub mod exit;
pub mod forward;
pub mod lifecycle;
pub mod logging;
pub mod pause;
pub mod peers;
pub mod personality;
pub mod reap;
pub mod settings;
pub mod signals;
pub mod sigset;
pub mod spawn;
pub mod supervise;
pub mod sys;
pub mod terminal;

use std::ffi::OsString;

use config::{Config, ConfigError, Invocation, Isolation};
use signals::Signal;
use sigset::SignalSet;
use spawn::{ExecPlan, Placement};
use terminal::Terminal;

/// The whole lifecycle: take over signals, read the configuration, spawn the child,
/// supervise it, and return the code to exit with. `argv` includes the program name,
/// which chooses the personality.
pub fn run(argv: Vec<OsString>) -> u8 {
    // First, before anything can go wrong or take time: a signal from now on waits for
    // the supervision loop instead of being lost.
    let handled = SignalSet::of(signals::handled());
    let inherited = match sigset::take_over(&handled) {
        Ok(inherited) => inherited,
        Err(error) => {
            logging::error_before_setup(&format!("cannot block signals: {error}"));
            return exit::FAILURE;
        }
    };

    let config = match configure(argv) {
        Ok(config) => config,
        Err(code) => return code,
    };
    logging::init(config.log_level);

    if let Some(signal) = config.parent_death_signal {
        set_parent_death_signal(signal);
    }
    // One getpid for the whole run: pidone's pid never changes.
    let me = sys::own_pid();
    become_reaper(me);
    if config.pause {
        tidy_up();
        return pause::pause(&handled, config.warn_on_reap);
    }

    let (placement, terminal) = place_child(&config);
    let child = match ExecPlan::new(&config.command, placement, me)
        .and_then(|mut plan| spawn::spawn(&mut plan, &inherited))
    {
        Ok(child) => child,
        Err(error) => {
            log::error!("{error}");
            if let Some(terminal) = terminal {
                terminal.give_back(None);
            }
            return error.exit_code();
        }
    };
    log::debug!("started {:?} as pid {}", config.command, child.pid);
    tidy_up();
    let code = supervise::supervise(child, &handled, &config, placement.isolation, terminal, me);
    if let Some(terminal) = terminal {
        terminal.give_back(Some(child.pid));
    }
    code
}

/// Reads the command line and the environment. `Err` is the code to exit with at once:
/// after help, version or license, or an invalid setting.
fn configure(argv: Vec<OsString>) -> Result<Config, u8> {
    let variables = own_variables();
    let env = |name: &str| {
        variables
            .iter()
            .find(|(key, _)| key == name.as_bytes())
            .map(|(_, value)| value.clone())
    };
    let (personality, invocation) = config::read(argv, &env);
    match invocation {
        Ok(Invocation::Run(config)) => Ok(config),
        Ok(Invocation::Help) => Err(print_to(libc::STDOUT_FILENO, &[settings::HELP_TEXT])),
        Ok(Invocation::Version) => match personality.version_line() {
            // dumb-init writes its version to stderr.
            (line, true) => Err(print_to(libc::STDERR_FILENO, &[line, "\n"])),
            (line, false) => Err(print_to(libc::STDOUT_FILENO, &[line, "\n"])),
        },
        Ok(Invocation::License) => Err(print_to(libc::STDOUT_FILENO, &[LICENSE])),
        Err(ConfigError::NoCommand) => {
            logging::error_before_setup(&format!("no COMMAND given\n{}", cli::USAGE));
            Err(personality.usage_exit_code())
        }
        Err(error) => {
            logging::error_before_setup(&error.to_string());
            Err(personality.usage_exit_code())
        }
    }
}

/// Where the child goes: with a terminal, as [`terminal::isolation_for`] says, and with
/// the foreground only when pidone's own group held it.
fn place_child(config: &Config) -> (Placement, Option<Terminal>) {
    let terminal = Terminal::of_stdin().filter(|_| config.isolation != Isolation::Shared);
    let foreground = terminal.map(|terminal| terminal.foreground());
    (
        Placement {
            isolation: terminal::isolation_for(foreground, config.isolation),
            foreground: foreground == Some(terminal::Foreground::Take),
            reset_signals: config.reset_signals,
        },
        terminal,
    )
}

const LICENSE: &str = include_str!("../LICENSE");

/// The variables pidone reads — its own and those of the inits it stands in for — in one
/// pass over the environment instead of one search per variable.
fn own_variables() -> Vec<(Vec<u8>, OsString)> {
    use std::os::unix::ffi::OsStrExt;
    sys::environment()
        .filter(|&entry| settings::may_be_read(|prefix| entry.starts_with(prefix)))
        .map(sys::Entry::bytes)
        .filter_map(|entry| {
            let at = entry.iter().position(|&b| b == b'=')?;
            let (name, value) = entry.split_at(at);
            Some((
                name.to_vec(),
                std::ffi::OsStr::from_bytes(value.get(1..)?).to_owned(),
            ))
        })
        .collect()
}

/// pidone receives `signal` when its parent dies (tini's `-p`); it is forwarded like any
/// other. If the parent is already gone, pidone sends it to itself.
fn set_parent_death_signal(signal: Signal) {
    let parent = sys::parent_pid();
    if let Err(error) = sys::set_parent_death_signal(signal) {
        log::warn!("cannot set the parent death signal: {error}");
    } else if sys::parent_pid() != parent {
        // A process may always signal itself.
        let _ = sys::kill(sys::Destination::Process(sys::own_pid()), signal);
    }
}

/// Once the child has its copies, pidone lets go of what it inherited: its working
/// directory (so it never keeps a mount busy) and every descriptor above stderr.
fn tidy_up() {
    if let Err(error) = sys::chdir_root() {
        log::debug!("cannot change to /: {error}");
    }
    if sys::close_from(3).is_err() {
        // Kernels before 5.9: close what /proc lists, collected before closing any.
        let fds: Vec<i32> = std::fs::read_dir("/proc/self/fd")
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|e| e.file_name().to_str()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        for fd in fds.into_iter().filter(|&fd| fd > 2) {
            sys::close(fd);
        }
    }
}

/// As PID 1 the kernel re-parents orphans to pidone; anywhere else pidone asks for them,
/// so it reaps them all the same.
fn become_reaper(me: libc::pid_t) {
    if me == 1 {
        return;
    }
    match nix::sys::prctl::set_child_subreaper(true) {
        Ok(()) => log::info!(
            "not PID 1: registered as a child subreaper, orphans are re-parented to pidone"
        ),
        Err(error) => log::warn!(
            "not PID 1 and cannot become a child subreaper ({error}): orphans will not be reaped"
        ),
    }
}

/// Help, version and license are the only things pidone ever writes to stdout (the version
/// under dumb-init's name goes to stderr, as dumb-init's does). Written with write(2)
/// directly: Rust's stdout reports a closed descriptor as success, and a user asking for
/// help must learn that none was printed. Returns the exit code: 0, or 1 when the text
/// could not be written.
fn print_to(fd: libc::c_int, texts: &[&str]) -> u8 {
    for text in texts {
        let code = write_all(fd, text);
        if code != 0 {
            return code;
        }
    }
    0
}

fn write_all(fd: libc::c_int, text: &str) -> u8 {
    match sys::write_all(fd, text.as_bytes()) {
        Ok(()) => 0,
        Err(error) => {
            let stream = if fd == libc::STDOUT_FILENO {
                "stdout"
            } else {
                "stderr"
            };
            logging::error_before_setup(&format!("cannot write to {stream}: {error}"));
            exit::FAILURE
        }
    }
}
