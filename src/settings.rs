//! pidone's settings, each defined once: its flag, its short forms, the value it takes, its
//! environment variable and its help. The parser (`cli.rs`), the help text, the
//! configuration (`config`), the environment filter (`lib.rs`) and the tests all read
//! this table. The peers' own variables are listed beside it, in `peers.rs`.

/// One setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The long flag, without `--`.
    pub long: &'static str,
    /// The short flags, without `-` (`-l` and catatonit's `-L` for `--license`).
    pub shorts: &'static [char],
    /// The name of the value the flag takes (`DURATION`), or `None` for a switch.
    pub value: Option<&'static str>,
    /// The environment variable that stands in when the flag is not given.
    pub variable: Option<&'static str>,
    /// What the help shows after the variable's name: an example value, if any. This and
    /// `help` exist in test builds only: pidone prints [`HELP_TEXT`], which a unit test
    /// renders from them, so the binary carries the text once.
    #[cfg(test)]
    pub example: &'static str,
    /// May be given more than once: counted (`-vv`) or collected (`-r A -r B`).
    pub repeatable: bool,
    /// The help text, one line each, at most 60 columns.
    #[cfg(test)]
    pub help: &'static [&'static str],
}

impl Setting {
    /// The flag as the user writes it: `--grace`.
    pub fn flag(&self) -> String {
        format!("--{}", self.long)
    }

    /// The variable's name; empty for a setting without one.
    pub fn variable(&self) -> &'static str {
        self.variable.unwrap_or_default()
    }
}

/// A setting whose flag takes a value (`value` names it), read from `variable` when the
/// flag is absent. `help` is kept in test builds only (the `help` field).
#[allow(unused_variables)]
const fn valued(
    long: &'static str,
    shorts: &'static [char],
    value: &'static str,
    variable: &'static str,
    help: &'static [&'static str],
) -> Setting {
    Setting {
        long,
        shorts,
        value: Some(value),
        variable: Some(variable),
        #[cfg(test)]
        example: "",
        repeatable: false,
        #[cfg(test)]
        help,
    }
}

/// A switch: on with its flag, or with `variable` set to a true value (`=1` in the help).
#[allow(unused_variables)]
const fn switch(
    long: &'static str,
    shorts: &'static [char],
    variable: Option<&'static str>,
    help: &'static [&'static str],
) -> Setting {
    Setting {
        long,
        shorts,
        value: None,
        variable,
        #[cfg(test)]
        example: if variable.is_some() { "=1" } else { "" },
        repeatable: false,
        #[cfg(test)]
        help,
    }
}

pub const GRACE: Setting = valued(
    "grace",
    &['t'],
    "DURATION",
    "PIDONE_GRACE",
    &[
        "Time between SIGTERM/SIGINT (or the child's exit) and",
        "SIGKILL for whatever is still alive: 1500ms, 5s, 1m30s,",
        "or seconds (2.5). Default: none after SIGTERM or SIGINT,",
        "10s after the child's own exit",
    ],
);
pub const STOP_DELAY: Setting = valued(
    "stop-delay",
    &[],
    "DURATION",
    "PIDONE_STOP_DELAY",
    &[
        "Hold the first SIGTERM this long before forwarding it;",
        "the grace counts from its arrival",
    ],
);
pub const TIMEOUT: Setting = valued(
    "timeout",
    &[],
    "DURATION",
    "PIDONE_TIMEOUT",
    &[
        "Stop the child as if SIGTERM had arrived once it has run",
        "this long",
    ],
);
pub const ON_CHILD_EXIT: Setting = valued(
    "on-child-exit",
    &[],
    "MODE",
    "PIDONE_ON_CHILD_EXIT",
    &[
        "When the child exits while others remain: drain (SIGTERM,",
        "then SIGKILL after the grace, or 10s), wait (for them to",
        "exit), exit. Default: drain",
    ],
);
pub const SINGLE_CHILD: Setting = switch(
    "single-child",
    &['c'],
    Some("PIDONE_SINGLE_CHILD"),
    &["Forward signals to the child alone, not its process group"],
);
pub const PROCESS_GROUP: Setting = switch(
    "process-group",
    &['g'],
    Some("PIDONE_PROCESS_GROUP"),
    &[
        "Forward signals to the child's process group (the default",
        "unless invoked as tini, docker-init or catatonit)",
    ],
);
pub const REWRITE: Setting = Setting {
    repeatable: true,
    #[cfg(test)]
    example: "=TERM:QUIT,WINCH:0",
    ..valued(
        "rewrite",
        &['r'],
        "S:R",
        "PIDONE_REWRITE",
        &["Forward signal S as R; R = 0 drops it. Repeatable"],
    )
};
pub const REMAP_EXIT: Setting = Setting {
    repeatable: true,
    #[cfg(test)]
    example: "=143,130",
    ..valued(
        "remap-exit",
        &['e'],
        "CODE",
        "PIDONE_REMAP_EXIT",
        &["Exit 0 when the child's exit code is CODE. Repeatable"],
    )
};
pub const PARENT_DEATH_SIGNAL: Setting = valued(
    "parent-death-signal",
    &['p'],
    "SIGNAL",
    "PIDONE_PARENT_DEATH_SIGNAL",
    &["Signal pidone receives when its parent dies"],
);
pub const WARN_ON_REAP: Setting = switch(
    "warn-on-reap",
    &['w'],
    Some("PIDONE_WARN_ON_REAP"),
    &["Warn when reaping a process other than the child"],
);
pub const SUBREAPER: Setting = switch(
    "subreaper",
    &['s'],
    Some("PIDONE_SUBREAPER"),
    &["Register as a child subreaper (always done when not PID 1)"],
);
pub const PAUSE: Setting = switch(
    "pause",
    &['P'],
    Some("PIDONE_PAUSE"),
    &["Run no command: reap, and exit 0 on SIGTERM or SIGINT"],
);
pub const VERBOSE: Setting = Setting {
    repeatable: true,
    #[cfg(test)]
    example: "=error|warn|info|debug|trace",
    ..switch(
        "verbose",
        &['v'],
        Some("PIDONE_LOG"),
        &[
            "More log output; repeat for more (info, debug, trace).",
            "Default: warn",
        ],
    )
};
pub const LICENSE: Setting = switch("license", &['l', 'L'], None, &["Print the license"]);
pub const HELP: Setting = switch("help", &['h'], None, &["Print this help"]);
pub const VERSION: Setting = switch("version", &['V'], None, &["Print the version"]);

/// Every setting, in the order the help lists them.
pub const SETTINGS: [Setting; 16] = [
    GRACE,
    STOP_DELAY,
    TIMEOUT,
    ON_CHILD_EXIT,
    SINGLE_CHILD,
    PROCESS_GROUP,
    REWRITE,
    REMAP_EXIT,
    PARENT_DEATH_SIGNAL,
    WARN_ON_REAP,
    SUBREAPER,
    PAUSE,
    VERBOSE,
    LICENSE,
    HELP,
    VERSION,
];

/// The prefixes of every variable pidone reads, its own and the peers': the environment
/// filter keeps only entries that start with one.
pub const VARIABLE_PREFIXES: [&[u8]; 4] = [b"PIDONE_", b"TINI_", b"DUMB_INIT_", b"CATATONIT_"];

/// Every variable pidone reads: the settings' and the peers' (`peers::VARIABLES`).
pub fn variables() -> impl Iterator<Item = &'static str> {
    SETTINGS
        .iter()
        .filter_map(|setting| setting.variable)
        .chain(crate::peers::VARIABLES)
}

/// Whether an environment entry (`NAME=value`) may be one pidone reads, asked through
/// `starts_with` so that the entry is read no further than needed: one byte for most.
pub fn may_be_read(starts_with: impl Fn(&[u8]) -> bool) -> bool {
    // The prefixes' first bytes (a unit test holds them to the prefixes).
    [b"P", b"T", b"D", b"C"]
        .iter()
        .any(|first| starts_with(*first))
        && VARIABLE_PREFIXES.iter().any(|prefix| starts_with(prefix))
}

/// The help text (`--help`): the table rendered (a unit test renders it again and
/// compares), kept as one constant so that printing it costs pidone no formatting code.
pub const HELP_TEXT: &str = "\
pidone: a container init. Runs COMMAND as its child, forwards signals to it, reaps
every zombie, and exits with the child's exit code, killing whatever outlives the
grace deadline.

Usage: pidone [OPTIONS] [--] COMMAND [ARG]...
       pidone --pause

Options (a flag beats its environment variable):
  -t, --grace DURATION     Time between SIGTERM/SIGINT (or the child's exit) and
                           SIGKILL for whatever is still alive: 1500ms, 5s, 1m30s,
                           or seconds (2.5). Default: none after SIGTERM or SIGINT,
                           10s after the child's own exit
                           [env: PIDONE_GRACE]
      --stop-delay DURATION
                           Hold the first SIGTERM this long before forwarding it;
                           the grace counts from its arrival
                           [env: PIDONE_STOP_DELAY]
      --timeout DURATION   Stop the child as if SIGTERM had arrived once it has run
                           this long
                           [env: PIDONE_TIMEOUT]
      --on-child-exit MODE When the child exits while others remain: drain (SIGTERM,
                           then SIGKILL after the grace, or 10s), wait (for them to
                           exit), exit. Default: drain
                           [env: PIDONE_ON_CHILD_EXIT]
  -c, --single-child       Forward signals to the child alone, not its process group
                           [env: PIDONE_SINGLE_CHILD=1]
  -g, --process-group      Forward signals to the child's process group (the default
                           unless invoked as tini, docker-init or catatonit)
                           [env: PIDONE_PROCESS_GROUP=1]
  -r, --rewrite S:R        Forward signal S as R; R = 0 drops it. Repeatable
                           [env: PIDONE_REWRITE=TERM:QUIT,WINCH:0]
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
  -v, --verbose            More log output; repeat for more (info, debug, trace).
                           Default: warn
                           [env: PIDONE_LOG=error|warn|info|debug|trace]
  -l, -L, --license        Print the license
  -h, --help               Print this help
  -V, --version            Print the version

Signals are named TERM, SIGTERM or 15. Invoked as tini, docker-init, dumb-init or
catatonit, pidone takes that init's defaults, flags and environment variables.

Exit status: the child's exit code, or 128+N if a signal N killed it;
  1 pidone failed, 2 invalid usage (1 under a peer's name), 126 COMMAND not
  executable, 127 COMMAND not found.
";

/// Where the help's second column starts.
#[cfg(test)]
const COLUMN: usize = 27;

/// The help's options, rendered from the table.
#[cfg(test)]
fn render_options() -> String {
    let mut text = String::new();
    for setting in &SETTINGS {
        let shorts: Vec<String> = setting.shorts.iter().map(|c| format!("-{c}, ")).collect();
        let mut left = format!("  {:<4}{}", shorts.concat(), setting.flag());
        if let Some(value) = setting.value {
            left = format!("{left} {value}");
        }
        let env = setting
            .variable
            .map(|variable| format!("[env: {variable}{}]", setting.example));
        let lines = setting.help.iter().copied().chain(env.as_deref());
        if left.len() < COLUMN {
            text.push_str(&format!("{left:<COLUMN$}"));
        } else {
            text.push_str(&format!("{left}\n{:COLUMN$}", ""));
        }
        let indent = format!("\n{:COLUMN$}", "");
        text.push_str(&lines.collect::<Vec<_>>().join(&indent));
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_is_the_table_rendered() {
        let (_, options) = HELP_TEXT
            .split_once("Options (a flag beats its environment variable):\n")
            .unwrap();
        let (options, _) = options.split_once("\nSignals are named").unwrap();
        assert_eq!(options, render_options());
    }

    #[test]
    fn every_variable_passes_the_environment_filter() {
        let read = |entry: &[u8]| may_be_read(|prefix| entry.starts_with(prefix));
        for variable in variables() {
            assert!(read(format!("{variable}=1").as_bytes()), "{variable}");
        }
        assert!(!read(b"PATH=/bin"));
        assert!(!read(b"PIDONEX=1"));
        assert!(!read(b""));
        let mut first_bytes: Vec<u8> = VARIABLE_PREFIXES.iter().map(|p| p[0]).collect();
        first_bytes.sort_unstable();
        assert_eq!(first_bytes, b"CDPT", "the first bytes may_be_read checks");
    }

    #[test]
    fn flags_and_variables_are_unique() {
        for (i, a) in SETTINGS.iter().enumerate() {
            for b in SETTINGS.iter().skip(i + 1) {
                assert_ne!(a.long, b.long);
                assert!(a.shorts.iter().all(|c| !b.shorts.contains(c)), "{}", a.long);
                assert!(a.variable.is_none() || a.variable != b.variable);
            }
        }
    }

    #[test]
    fn the_help_names_every_flag_and_variable_within_88_columns() {
        let help = HELP_TEXT;
        for setting in &SETTINGS {
            assert!(help.contains(&setting.flag()), "{}", setting.long);
            for short in setting.shorts {
                assert!(help.contains(&format!("-{short}")), "{short}");
            }
            if let Some(variable) = setting.variable {
                assert!(help.contains(&format!("[env: {variable}")), "{variable}");
            }
        }
        assert!(help.lines().all(|line| line.len() <= 88), "{help}");
        assert!(
            help.contains("  -t, --grace DURATION     Time between"),
            "{help}"
        );
        assert!(
            help.contains("  -l, -L, --license        Print the license"),
            "{help}"
        );
        assert!(
            help.contains("      --parent-death-signal SIGNAL")
                || help.contains("-p, --parent-death-signal SIGNAL\n"),
            "{help}"
        );
    }
}
