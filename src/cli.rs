//! The command line as the user typed it: clap definitions and the help text.
//!
//! Values stay raw here; `config` validates them together with their environment variables.

use std::ffi::OsString;

use clap::{Arg, ArgAction, Command};

pub const USAGE: &str = "Usage: pidone [OPTIONS] [--] COMMAND [ARG]...";

pub const HELP: &str = "\
pidone: a container init. Runs COMMAND as its child, forwards signals to it, reaps
every zombie, and exits with the child's exit code, killing whatever outlives the
grace deadline.

Usage: pidone [OPTIONS] [--] COMMAND [ARG]...

Options (a flag beats its environment variable):
  -t, --grace DURATION  Time between SIGTERM/SIGINT (or the child's exit) and SIGKILL
                        for whatever is still alive: 1500ms, 5s, 2m, or seconds (2.5)
                        [env: PIDONE_GRACE] [default: 30s]
  -c, --single-child    Forward signals to the child alone, not its process group
                        [env: PIDONE_SINGLE_CHILD=1]
  -v, --verbose         More log output; repeat for more (info, debug, trace)
                        [env: PIDONE_LOG=error|warn|info|debug|trace] [default: warn]
  -h, --help            Print this help
  -V, --version         Print the version

Exit status: the child's exit code, or 128+N if a signal N killed it;
  1 pidone failed, 2 invalid usage, 126 COMMAND not executable, 127 COMMAND not found.
";

/// What the user typed, before validation.
#[derive(Debug, Default)]
pub struct Cli {
    pub grace: Option<String>,
    pub single_child: bool,
    pub verbose: u8,
    pub help: bool,
    pub version: bool,
    pub command: Vec<OsString>,
}

fn command() -> Command {
    Command::new("pidone")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            // Taken as a value so `-t -3s` is reported as a negative duration.
            Arg::new("grace")
                .short('t')
                .long("grace")
                .value_name("DURATION")
                .allow_hyphen_values(true),
        )
        .arg(
            Arg::new("single-child")
                .short('c')
                .long("single-child")
                .action(ArgAction::SetTrue),
        )
        .arg(
            Arg::new("verbose")
                .short('v')
                .long("verbose")
                .action(ArgAction::Count),
        )
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::SetTrue),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::SetTrue),
        )
        .arg(
            // Everything from COMMAND on belongs to the child, hyphens included.
            Arg::new("command")
                .value_name("COMMAND")
                .num_args(1..)
                .trailing_var_arg(true)
                .value_parser(clap::value_parser!(OsString)),
        )
}

/// Parses pidone's arguments (without argv[0]). The error is one line, without a prefix.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, String> {
    let argv = std::iter::once(OsString::from("pidone")).chain(args);
    let matches = command().try_get_matches_from(argv).map_err(|error| {
        let rendered = error.render().to_string();
        let first = rendered.lines().next().unwrap_or("invalid arguments");
        first.trim_start_matches("error: ").to_string()
    })?;
    Ok(Cli {
        grace: matches.get_one::<String>("grace").cloned(),
        single_child: matches.get_flag("single-child"),
        verbose: matches.get_count("verbose"),
        help: matches.get_flag("help"),
        version: matches.get_flag("version"),
        command: matches
            .get_many::<OsString>("command")
            .map(|values| values.cloned().collect())
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Cli, String> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn options_stop_at_the_command() {
        let cli = parse_strs(&["-t", "5s", "sh", "-c", "echo $0", "-v"]).unwrap();
        assert_eq!(cli.grace.as_deref(), Some("5s"));
        assert_eq!(cli.verbose, 0);
        assert_eq!(cli.command, ["sh", "-c", "echo $0", "-v"]);
    }

    #[test]
    fn double_dash_ends_options() {
        let cli = parse_strs(&["-v", "--", "-t", "x"]).unwrap();
        assert_eq!(cli.verbose, 1);
        assert_eq!(cli.grace, None);
        assert_eq!(cli.command, ["-t", "x"]);
    }

    #[test]
    fn flags_and_repeats() {
        let cli = parse_strs(&["-cvv", "--grace=1500ms", "--verbose", "true"]).unwrap();
        assert!(cli.single_child);
        assert_eq!(cli.verbose, 3);
        assert_eq!(cli.grace.as_deref(), Some("1500ms"));
        assert_eq!(cli.command, ["true"]);
    }

    #[test]
    fn help_and_version_need_no_command() {
        assert!(parse_strs(&["-h"]).unwrap().help);
        assert!(parse_strs(&["--version"]).unwrap().version);
        assert!(parse_strs(&[]).unwrap().command.is_empty());
    }

    #[test]
    fn unknown_flags_are_named() {
        let error = parse_strs(&["--gracee", "5", "true"]).unwrap_err();
        assert!(error.contains("--gracee"), "{error}");
        assert!(!error.contains('\n'));
    }

    #[test]
    fn missing_values_are_named() {
        let error = parse_strs(&["--grace"]).unwrap_err();
        assert!(error.contains("--grace"), "{error}");
    }
}
