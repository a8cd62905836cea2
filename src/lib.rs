//! pidone: a container init. It spawns the application, forwards signals to it, reaps
//! every zombie, drains what the application leaves behind, and exits with its code.

pub mod cli;
pub mod config;
pub mod descendants;
pub mod duration;
pub mod exit;
pub mod lifecycle;
pub mod logging;
pub mod signals;
pub mod spawn;
pub mod supervise;

use std::ffi::OsString;
use std::io::Write;

use config::{ConfigError, Invocation};
use signals::SignalSet;

/// The whole lifecycle: take over signals, read the configuration, spawn the child,
/// supervise it, and return the code to exit with. `argv` includes the program name.
pub fn run(argv: Vec<OsString>) -> u8 {
    // First, before anything can go wrong or take time: a signal from now on waits for
    // the supervision loop instead of being lost.
    let handled = SignalSet::of(signals::handled());
    let inherited = match signals::take_over(&handled) {
        Ok(inherited) => inherited,
        Err(error) => {
            eprintln!("pidone: error: cannot block signals: {error}");
            return exit::FAILURE;
        }
    };

    let parsed = cli::parse(argv.into_iter().skip(1)).map_err(ConfigError::Syntax);
    let config = match parsed.and_then(|cli| config::resolve(cli, &|name| std::env::var_os(name))) {
        Ok(Invocation::Run(config)) => config,
        Ok(Invocation::Help) => return print_and_exit(cli::HELP),
        Ok(Invocation::Version) => {
            return print_and_exit(&format!("pidone {}\n", env!("CARGO_PKG_VERSION")));
        }
        Err(ConfigError::NoCommand) => {
            eprintln!("pidone: error: no COMMAND given\n{}", cli::USAGE);
            return exit::USAGE;
        }
        Err(error) => {
            eprintln!("pidone: error: {error}");
            return exit::USAGE;
        }
    };
    logging::init(config.log_level);

    become_reaper();
    let child = match spawn::ExecPlan::new(&config.command)
        .and_then(|plan| spawn::spawn(&plan, &inherited))
    {
        Ok(child) => child,
        Err(error) => {
            log::error!("{error}");
            return error.exit_code();
        }
    };
    log::debug!("started {:?} as pid {}", config.command, child.pid);
    supervise::supervise(child, &handled, &config)
}

/// As PID 1 the kernel re-parents orphans to pidone; anywhere else pidone asks for them,
/// so it reaps them all the same.
fn become_reaper() {
    if std::process::id() == 1 {
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

/// Help and version are the only things pidone ever writes to stdout.
fn print_and_exit(text: &str) -> u8 {
    let mut stdout = std::io::stdout();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("pidone: error: cannot write to stdout: {error}");
            exit::FAILURE
        }
    }
}
