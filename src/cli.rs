//! The command line as the user typed it: the usage line and the options' parser.
//!
//! Values stay raw here; `config` validates them together with their environment variables.
//! Which options there are, and their help, is the settings table's (`settings.rs`).

use std::ffi::OsString;

use crate::settings::{SETTINGS, Setting};

pub const USAGE: &str = "Usage: pidone [OPTIONS] [--] COMMAND [ARG]...";

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

/// The rules the options are read by: pidone's own, or those of the getopt a peer reads
/// its options with (`Personality::grammar`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grammar {
    /// pidone's: an option given twice is refused (but `-v`, which counts, and the
    /// repeatable lists), and a long option is written out whole.
    Pidone,
    /// glibc's `getopt_long(3)`, as tini, dumb-init and catatonit read their options
    /// (tini with no long option at all): an option may be given again, a later value
    /// replacing an earlier one; the first of help, version and license ends the options,
    /// whatever follows it unread; and a long option of the peer's own, in
    /// `long_options`, may be shortened to any prefix that names it alone (dumb-init's
    /// `--single` is `--single-child`), while a prefix of several is refused.
    Getopt {
        long_options: &'static [&'static str],
    },
}

/// The setting `-x` or `--name` stands for: `Ok(None)` when it is none of pidone's, an
/// error line when `--name` is a prefix of several of the peer's long options.
fn option(arg: &lexopt::Arg<'_>, grammar: Grammar) -> Result<Option<&'static Setting>, String> {
    let by_long = |name: &str| SETTINGS.iter().find(|setting| setting.long == name);
    let long = match arg {
        lexopt::Arg::Long(name) => *name,
        lexopt::Arg::Short(c) => return Ok(SETTINGS.iter().find(|s| s.shorts.contains(c))),
        lexopt::Arg::Value(_) => return Ok(None),
    };
    if let Some(setting) = by_long(long) {
        return Ok(Some(setting));
    }
    let Grammar::Getopt { long_options } = grammar else {
        return Ok(None);
    };
    let mut named = long_options.iter().filter(|name| name.starts_with(long));
    match (named.next(), named.next()) {
        (Some(name), None) => Ok(by_long(name)),
        (Some(first), Some(second)) => {
            let mut line =
                format!("option '--{long}' is ambiguous; possibilities: '--{first}' '--{second}'");
            for name in named {
                line.push_str(" '--");
                line.push_str(name);
                line.push('\'');
            }
            Err(line)
        }
        (None, _) => Ok(None),
    }
}

/// `--grace <DURATION>` or `--pause`, as error lines name an option.
fn shown(setting: &Setting) -> String {
    match setting.value {
        Some(name) => format!("--{} <{name}>", setting.long),
        None => setting.flag(),
    }
}

/// Parses pidone's arguments (without `argv[0]`) by `grammar`'s rules. The error is one
/// line, without a prefix.
pub fn parse(args: impl IntoIterator<Item = OsString>, grammar: Grammar) -> Result<Cli, String> {
    let args: Vec<OsString> = args.into_iter().collect();
    match without_options(&args) {
        Some(cli) => Ok(cli),
        None => parse_options(args, grammar),
    }
}

/// Most invocations name no option at all — `pidone -- COMMAND` (Docker's `--init`, an
/// `ENTRYPOINT ["/pidone", "--"]`) or `pidone COMMAND` — and need no parser at all.
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

/// A value as text: one that is not UTF-8 is refused naming its option.
fn text(long: &str, value: OsString) -> Result<String, String> {
    value.into_string().map_err(|value| {
        format!(
            "invalid value '{}' for --{long}: not valid UTF-8",
            value.to_string_lossy()
        )
    })
}

/// Options up to COMMAND, with lexopt: `-cvv`, `-t5s`, `--grace=5s`, `--grace 5s`, and a
/// value may start with a hyphen (`-t -3s` is a negative duration, not an unknown flag).
/// What an option given twice does, and which long options may be shortened, is
/// `grammar`'s to say.
fn parse_options(args: Vec<OsString>, grammar: Grammar) -> Result<Cli, String> {
    let mut cli = Cli::default();
    let mut seen: Vec<&str> = Vec::new();
    let mut parser = lexopt::Parser::from_args(args);
    loop {
        let arg = match parser.next() {
            Ok(Some(arg)) => arg,
            Ok(None) => break,
            Err(error) => return Err(lexopt_error(error)),
        };
        if let lexopt::Arg::Value(first) = arg {
            // Everything from COMMAND on belongs to the child, hyphens included.
            cli.command.push(first);
            cli.command.extend(parser.raw_args().map_err(lexopt_error)?);
            break;
        }
        let Some(setting) = option(&arg, grammar)? else {
            return Err(format!("unexpected argument '{}' found", arg_text(&arg)));
        };
        let long = setting.long;
        if grammar == Grammar::Pidone && !setting.repeatable && seen.contains(&long) {
            return Err(format!(
                "the argument '{}' cannot be used multiple times",
                shown(setting)
            ));
        }
        seen.push(long);
        let value = match setting.value {
            None => {
                // `--pause=yes`; in `-cv` the rest is more flags, not a value.
                let long_form = matches!(arg, lexopt::Arg::Long(_));
                if let Some(value) = long_form.then(|| parser.optional_value()).flatten() {
                    return Err(format!(
                        "unexpected value '{}' for '--{long}' found; no more were expected",
                        value.to_string_lossy()
                    ));
                }
                None
            }
            Some(_) => match parser.value() {
                Ok(value) => Some(text(long, value)?),
                Err(_) => {
                    return Err(format!(
                        "a value is required for '{}' but none was supplied",
                        shown(setting)
                    ));
                }
            },
        };
        set(&mut cli, long, value);
        if grammar != Grammar::Pidone && ends_options(setting) {
            break;
        }
    }
    Ok(cli)
}

/// Whether getopt's caller acts on the option at once, ending the options: help, version
/// and license print and exit in tini's, dumb-init's and catatonit's option loops.
fn ends_options(setting: &Setting) -> bool {
    matches!(setting.long, "help" | "version" | "license")
}

/// Records one option in `cli`; `value` is there exactly when the option takes one.
fn set(cli: &mut Cli, long: &str, value: Option<String>) {
    let value = value.unwrap_or_default();
    match long {
        "grace" => cli.grace = Some(value),
        "stop-delay" => cli.stop_delay = Some(value),
        "timeout" => cli.timeout = Some(value),
        "on-child-exit" => cli.on_child_exit = Some(value),
        "rewrite" => cli.rewrite.push(value),
        "remap-exit" => cli.remap_exit.push(value),
        "parent-death-signal" => cli.parent_death_signal = Some(value),
        "single-child" => cli.single_child = true,
        "process-group" => cli.process_group = true,
        "warn-on-reap" => cli.warn_on_reap = true,
        "subreaper" => cli.subreaper = true,
        "pause" => cli.pause = true,
        "verbose" => cli.verbose = cli.verbose.saturating_add(1),
        "license" => cli.license = true,
        "help" => cli.help = true,
        "version" => cli.version = true,
        // Only the table's names reach here; a unit test holds every one of them to an arm.
        _ => {}
    }
}

/// An argument as the user typed it, for an error line.
fn arg_text(arg: &lexopt::Arg<'_>) -> String {
    match arg {
        lexopt::Arg::Short(c) => format!("-{c}"),
        lexopt::Arg::Long(name) => format!("--{name}"),
        lexopt::Arg::Value(value) => value.to_string_lossy().into_owned(),
    }
}

/// lexopt's own errors in the words of the other error lines.
fn lexopt_error(error: lexopt::Error) -> String {
    match error {
        lexopt::Error::UnexpectedValue { option, value } => format!(
            "unexpected value '{}' for '{option}' found; no more were expected",
            value.to_string_lossy()
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Cli, String> {
        parse(args.iter().map(OsString::from), Grammar::Pidone)
    }

    const DUMB_INIT: Grammar = crate::personality::Personality::DumbInit.grammar();

    fn parse_as(grammar: Grammar, args: &[&str]) -> Result<Cli, String> {
        parse(args.iter().map(OsString::from), grammar)
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
            let full = parse_options(args.clone(), Grammar::Pidone).unwrap();
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
            let error = parse(args, Grammar::Pidone).unwrap_err();
            assert!(
                error.contains("UTF-8") && error.contains("for --"),
                "{flag}: {error}"
            );
            assert!(!error.contains('\n'));
        }
    }

    #[test]
    fn every_setting_in_the_table_is_recorded() {
        for setting in &SETTINGS {
            let mut args = vec![setting.flag()];
            if setting.value.is_some() {
                args.push("x".to_string());
            }
            let cli = parse(args.into_iter().map(OsString::from), Grammar::Pidone).unwrap();
            assert_ne!(
                format!("{cli:?}"),
                format!("{:?}", Cli::default()),
                "{}",
                setting.long
            );
        }
    }

    #[test]
    fn missing_values_are_named() {
        let error = parse_strs(&["--grace"]).unwrap_err();
        assert!(error.contains("--grace"), "{error}");
    }

    #[test]
    fn pidone_refuses_an_option_given_twice_and_a_shortened_long_option() {
        let error = parse_strs(&["-g", "-g", "true"]).unwrap_err();
        assert!(error.contains("cannot be used multiple times"), "{error}");
        let error = parse_strs(&["--single", "true"]).unwrap_err();
        assert!(error.contains("'--single'"), "{error}");
    }

    #[test]
    fn under_getopt_an_option_may_come_again_and_the_last_value_wins() {
        let tini = Grammar::Getopt { long_options: &[] };
        let cli = parse_as(tini, &["-g", "-g", "-s", "-s", "-w", "-w", "--", "true"]).unwrap();
        assert!(cli.process_group && cli.subreaper && cli.warn_on_reap);
        let cli = parse_as(tini, &["-p", "SIGUSR1", "-p", "SIGUSR2", "true"]).unwrap();
        assert_eq!(cli.parent_death_signal.as_deref(), Some("SIGUSR2"));
        let cli = parse_as(
            DUMB_INIT,
            &["-c", "--single-child", "-r", "1:2", "-r", "3:4", "x"],
        );
        let cli = cli.unwrap();
        assert!(cli.single_child);
        assert_eq!(cli.rewrite, ["1:2", "3:4"]);
    }

    #[test]
    fn under_getopt_the_first_of_help_version_and_license_ends_the_options() {
        let tini = Grammar::Getopt { long_options: &[] };
        let cli = parse_as(tini, &["-h", "-x"]).unwrap();
        assert!(cli.help);
        let cli = parse_as(tini, &["-l", "-h"]).unwrap();
        assert!(cli.license && !cli.help);
        let cli = parse_as(DUMB_INIT, &["-V", "-h"]).unwrap();
        assert!(cli.version && !cli.help);
        let cli = parse_as(DUMB_INIT, &["-h", "-V"]).unwrap();
        assert!(cli.help && !cli.version);
        assert!(parse_as(tini, &["-x", "-h"]).is_err());
    }

    #[test]
    fn under_getopt_long_a_peers_long_option_may_be_shortened_to_a_prefix_of_it_alone() {
        let cli = parse_as(DUMB_INIT, &["--single", "--rew=15:3", "--verb", "x"]).unwrap();
        assert!(cli.single_child);
        assert_eq!(cli.rewrite, ["15:3"]);
        assert_eq!(cli.verbose, 1);
        assert_eq!(cli.command, ["x"]);
        assert!(parse_as(DUMB_INIT, &["--h"]).unwrap().help);
        assert!(parse_as(DUMB_INIT, &["--vers"]).unwrap().version);
        let error = parse_as(DUMB_INIT, &["--v", "x"]).unwrap_err();
        assert_eq!(
            error,
            "option '--v' is ambiguous; possibilities: '--verbose' '--version'"
        );
        // Only the peer's own long options shorten; pidone's are written out.
        let error = parse_as(DUMB_INIT, &["--gra=1s", "x"]).unwrap_err();
        assert!(error.contains("'--gra'"), "{error}");
        assert!(parse_as(DUMB_INIT, &["--grace=1s", "x"]).is_ok());
    }
}
