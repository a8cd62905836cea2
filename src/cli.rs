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

/// The setting `-x` or `--name` stands for, if it is one of pidone's.
fn option(arg: &lexopt::Arg<'_>) -> Option<&'static Setting> {
    SETTINGS.iter().find(|setting| match arg {
        lexopt::Arg::Long(name) => setting.long == *name,
        lexopt::Arg::Short(c) => setting.shorts.contains(c),
        lexopt::Arg::Value(_) => false,
    })
}

/// `--grace <DURATION>` or `--pause`, as error lines name an option.
fn shown(setting: &Setting) -> String {
    match setting.value {
        Some(name) => format!("--{} <{name}>", setting.long),
        None => setting.flag(),
    }
}

/// Parses pidone's arguments (without `argv[0]`). The error is one line, without a prefix.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, String> {
    let args: Vec<OsString> = args.into_iter().collect();
    match without_options(&args) {
        Some(cli) => Ok(cli),
        None => parse_options(args),
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
/// An option given twice is refused, but for `-v`, which counts, and the repeatable lists.
fn parse_options(args: Vec<OsString>) -> Result<Cli, String> {
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
        let Some(setting) = option(&arg) else {
            return Err(format!("unexpected argument '{}' found", arg_text(&arg)));
        };
        let long = setting.long;
        if !setting.repeatable && seen.contains(&long) {
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
    }
    Ok(cli)
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
    fn every_setting_in_the_table_is_recorded() {
        for setting in &SETTINGS {
            let mut args = vec![setting.flag()];
            if setting.value.is_some() {
                args.push("x".to_string());
            }
            let cli = parse(args.into_iter().map(OsString::from)).unwrap();
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
}
