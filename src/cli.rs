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
       pidone --pause

Options (a flag beats its environment variable):
  -t, --grace DURATION     Time between SIGTERM/SIGINT (or the child's exit) and SIGKILL
                           for whatever is still alive: 1500ms, 5s, 1m30s, or seconds
                           (2.5) [env: PIDONE_GRACE] [default: none after SIGTERM or
                           SIGINT, 10s after the child's own exit]
      --stop-delay DURATION
                           Hold the first SIGTERM this long before forwarding it; the
                           grace counts from its arrival [env: PIDONE_STOP_DELAY]
      --timeout DURATION   Stop the child as if SIGTERM had arrived once it has run this
                           long [env: PIDONE_TIMEOUT]
      --on-child-exit MODE When the child exits while others remain: drain (SIGTERM,
                           then SIGKILL after the grace), wait (for them to exit), exit
                           [env: PIDONE_ON_CHILD_EXIT] [default: drain]
  -c, --single-child       Forward signals to the child alone, not its process group
                           [env: PIDONE_SINGLE_CHILD=1]
  -g, --process-group      Forward signals to the child's process group (the default
                           unless invoked as tini, docker-init or catatonit)
                           [env: PIDONE_PROCESS_GROUP=1]
  -r, --rewrite S:R        Forward signal S as R; R = 0 drops it. Repeatable, e.g.
                           TERM:QUIT [env: PIDONE_REWRITE=TERM:QUIT,WINCH:0]
  -e, --remap-exit CODE    Exit 0 when the child's exit code is CODE. Repeatable
                           [env: PIDONE_REMAP_EXIT=143,130]
  -p, --parent-death-signal SIGNAL
                           Signal pidone receives when its parent dies
                           [env: PIDONE_PARENT_DEATH_SIGNAL]
  -w, --warn-on-reap       Warn when reaping a process other than the child
                           [env: PIDONE_WARN_ON_REAP=1]
  -s, --subreaper          Register as a child subreaper (always done when not PID 1)
                           [env: PIDONE_SUBREAPER=1]
  -P, --pause              Run no command: reap, and exit 0 on SIGTERM or SIGINT
                           [env: PIDONE_PAUSE=1]
  -v, --verbose            More log output; repeat for more (info, debug, trace)
                           [env: PIDONE_LOG=error|warn|info|debug|trace] [default: warn]
  -l, -L, --license        Print the license
  -h, --help               Print this help
  -V, --version            Print the version

Signals are named TERM, SIGTERM or 15. Invoked as tini, docker-init, dumb-init or
catatonit, pidone takes that init's defaults, flags and environment variables.

Exit status: the child's exit code, or 128+N if a signal N killed it;
  1 pidone failed, 2 invalid usage (1 under a peer's name), 126 COMMAND not
  executable, 127 COMMAND not found.
";

/// What the user typed, before validation.
#[derive(Debug, Default)]
pub struct Cli {
    pub grace: Option<String>,
    pub stop_delay: Option<String>,
    pub timeout: Option<String>,
    pub on_child_exit: Option<String>,
    pub single_child: bool,
    pub process_group: bool,
    pub rewrite: Vec<String>,
    pub remap_exit: Vec<String>,
    pub parent_death_signal: Option<String>,
    pub warn_on_reap: bool,
    pub subreaper: bool,
    pub pause: bool,
    pub verbose: u8,
    pub license: bool,
    pub help: bool,
    pub version: bool,
    pub command: Vec<OsString>,
}

fn flag(name: &'static str, short: char) -> Arg {
    Arg::new(name)
        .short(short)
        .long(name)
        .action(ArgAction::SetTrue)
}

/// An option with a value; values may start with a hyphen so that `-t -3s` is reported as
/// a negative duration rather than an unknown flag. Values are taken as raw bytes, so that
/// one that is not UTF-8 is refused naming its flag.
fn valued(name: &'static str, short: Option<char>, value_name: &'static str) -> Arg {
    let arg = Arg::new(name)
        .long(name)
        .value_name(value_name)
        .num_args(1)
        .allow_hyphen_values(true)
        .value_parser(clap::value_parser!(OsString));
    match short {
        Some(short) => arg.short(short),
        None => arg,
    }
}

fn command() -> Command {
    Command::new("pidone")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(valued("grace", Some('t'), "DURATION"))
        .arg(valued("stop-delay", None, "DURATION"))
        .arg(valued("timeout", None, "DURATION"))
        .arg(valued("on-child-exit", None, "MODE"))
        .arg(flag("single-child", 'c'))
        .arg(flag("process-group", 'g'))
        .arg(valued("rewrite", Some('r'), "S:R").action(ArgAction::Append))
        .arg(valued("remap-exit", Some('e'), "CODE").action(ArgAction::Append))
        .arg(valued("parent-death-signal", Some('p'), "SIGNAL"))
        .arg(flag("warn-on-reap", 'w'))
        .arg(flag("subreaper", 's'))
        .arg(flag("pause", 'P'))
        .arg(flag("verbose", 'v').action(ArgAction::Count))
        .arg(flag("license", 'l').short_alias('L'))
        .arg(flag("help", 'h'))
        .arg(flag("version", 'V'))
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
    let args: Vec<OsString> = args.into_iter().collect();
    match without_options(&args) {
        Some(cli) => Ok(cli),
        None => parse_options(args),
    }
}

/// Most invocations name no option at all — `pidone -- COMMAND` (Docker's `--init`, an
/// `ENTRYPOINT ["/pidone", "--"]`) or `pidone COMMAND` — and need no parser: building
/// clap's command costs three times as many instructions as the rest of pidone's start-up.
fn without_options(args: &[OsString]) -> Option<Cli> {
    let command = match args.first()?.as_encoded_bytes() {
        b"--" => args.get(1..)?,
        first if first.starts_with(b"-") => return None,
        _ => args,
    };
    (!command.is_empty()).then(|| Cli {
        command: command.to_vec(),
        ..Cli::default()
    })
}

fn parse_options(args: Vec<OsString>) -> Result<Cli, String> {
    let argv = std::iter::once(OsString::from("pidone")).chain(args);
    let matches = command().try_get_matches_from(argv).map_err(|error| {
        // The message is what comes before clap's tip and usage, which a blank line
        // separates; it may quote an argument with a newline in it.
        let rendered = error.render().to_string();
        let message = rendered.split("\n\n").next().unwrap_or("invalid arguments");
        message.trim_start_matches("error: ").trim_end().to_string()
    })?;
    let text = |name: &str, value: &OsString| {
        value.to_str().map(str::to_string).ok_or_else(|| {
            format!(
                "invalid value '{}' for --{name}: not valid UTF-8",
                value.to_string_lossy()
            )
        })
    };
    let one = |name| {
        matches
            .get_one::<OsString>(name)
            .map(|value| text(name, value))
            .transpose()
    };
    let all = |name| {
        matches
            .get_many::<OsString>(name)
            .into_iter()
            .flatten()
            .map(|value| text(name, value))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(Cli {
        grace: one("grace")?,
        stop_delay: one("stop-delay")?,
        timeout: one("timeout")?,
        on_child_exit: one("on-child-exit")?,
        single_child: matches.get_flag("single-child"),
        process_group: matches.get_flag("process-group"),
        rewrite: all("rewrite")?,
        remap_exit: all("remap-exit")?,
        parent_death_signal: one("parent-death-signal")?,
        warn_on_reap: matches.get_flag("warn-on-reap"),
        subreaper: matches.get_flag("subreaper"),
        pause: matches.get_flag("pause"),
        verbose: matches.get_count("verbose"),
        license: matches.get_flag("license"),
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
    fn invocations_without_options_skip_the_parser_and_agree_with_it() {
        for args in [
            &["--", "sh", "-c", "echo $0", "-v"][..],
            &["sh", "-c", "x"],
            &["--", "--"],
            &["--", "-v"],
            &["app"],
        ] {
            let args: Vec<OsString> = args.iter().map(OsString::from).collect();
            let fast = without_options(&args).expect("no option given");
            let full = parse_options(args.clone()).unwrap();
            assert_eq!(fast.command, full.command, "{args:?}");
            assert_eq!(
                (full.verbose, full.grace, full.help),
                (0, None, false),
                "{args:?}"
            );
        }
        for args in [&["-v", "app"][..], &["--grace", "1s", "app"], &[], &["--"]] {
            let args: Vec<OsString> = args.iter().map(OsString::from).collect();
            assert!(without_options(&args).is_none(), "{args:?}");
        }
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
    fn compatibility_flags() {
        let cli = parse_strs(&[
            "-s",
            "-g",
            "-w",
            "-p",
            "SIGKILL",
            "-e",
            "143",
            "-e",
            "130",
            "-r",
            "15:3",
            "--rewrite",
            "WINCH:0",
            "--stop-delay",
            "5s",
            "-L",
            "true",
        ])
        .unwrap();
        assert!(cli.subreaper && cli.process_group && cli.warn_on_reap && cli.license);
        assert_eq!(cli.parent_death_signal.as_deref(), Some("SIGKILL"));
        assert_eq!(cli.remap_exit, ["143", "130"]);
        assert_eq!(cli.rewrite, ["15:3", "WINCH:0"]);
        assert_eq!(cli.stop_delay.as_deref(), Some("5s"));
        assert!(parse_strs(&["-l"]).unwrap().license);
        assert!(parse_strs(&["-P"]).unwrap().pause);
    }

    #[test]
    fn values_that_are_not_utf8_are_refused_naming_the_flag() {
        use std::os::unix::ffi::OsStringExt;
        for flag in ["--grace", "-t", "--rewrite", "-e", "--parent-death-signal"] {
            let args = [
                OsString::from(flag),
                OsString::from_vec(vec![0xff, b'1']),
                OsString::from("true"),
            ];
            let error = parse(args).unwrap_err();
            assert!(
                error.contains("UTF-8") && error.contains("for --"),
                "{flag}: {error}"
            );
            assert!(!error.contains('\n'));
        }
    }

    #[test]
    fn missing_values_are_named() {
        let error = parse_strs(&["--grace"]).unwrap_err();
        assert!(error.contains("--grace"), "{error}");
    }
}
