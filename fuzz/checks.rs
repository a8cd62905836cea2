//! The properties the fuzz targets check: one `pub fn NAME(data: &[u8])` per target in
//! `fuzz/fuzz_targets/NAME.rs`. Each decodes the bytes, calls pidone's public parsers and
//! panics when a property does not hold.
//!
//! Plain Rust on pidone's public API, no libFuzzer: `tests/fuzz_corpus.rs` includes this
//! file with `#[path]` and replays the committed corpus `fuzz/corpus/NAME/` through the
//! same functions on stable Rust.
//!
//! Inputs are split into fields at NUL bytes — the one byte no argument, variable or path
//! can hold — so that hand-written seeds stay readable.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use pidone::config::{self, Config, ConfigError, Invocation};
use pidone::descendants::{self, Stat};
use pidone::signals::{self, Rewrite, Signal};
use pidone::{duration, exit, spawn};

/// Program names, so that every personality comes up often: a one-byte (or empty) first
/// field picks one of these.
const PROGRAM_NAMES: &[&str] = &[
    "pidone",
    "tini",
    "docker-init",
    "dumb-init",
    "catatonit",
    "/sbin/tini",
    "/usr/bin/docker-init",
    "/usr/bin/dumb-init",
    "/usr/bin/catatonit",
    "/pidone",
    "tini-static",
    "",
];

/// Every variable pidone reads: a variable field with a one-byte (or empty) name picks one
/// of these.
const VARIABLES: &[&str] = &[
    "PIDONE_GRACE",
    "PIDONE_STOP_DELAY",
    "PIDONE_SINGLE_CHILD",
    "PIDONE_PROCESS_GROUP",
    "PIDONE_REWRITE",
    "PIDONE_REMAP_EXIT",
    "PIDONE_PARENT_DEATH_SIGNAL",
    "PIDONE_WARN_ON_REAP",
    "PIDONE_SUBREAPER",
    "PIDONE_PAUSE",
    "PIDONE_LOG",
    "TINI_VERBOSITY",
    "TINI_KILL_PROCESS_GROUP",
    "TINI_SUBREAPER",
    "DUMB_INIT_SETSID",
    "PIDONE_TIMEOUT",
    "PIDONE_ON_CHILD_EXIT",
    "DUMB_INIT_DEBUG",
    "CATATONIT_DEBUG",
];

/// Flags that take a value and can therefore appear as the source of an invalid value.
const VALUED_FLAGS: &[&str] = &[
    "--grace",
    "--stop-delay",
    "--rewrite",
    "--remap-exit",
    "--parent-death-signal",
    "--timeout",
    "--on-child-exit",
];

/// Flags and values: an argument field of one byte from 0x80 up picks one of these.
const WORDS: &[&str] = &[
    "--",
    "-t",
    "--grace",
    "--grace=",
    "--stop-delay",
    "-c",
    "--single-child",
    "-g",
    "--process-group",
    "-r",
    "--rewrite",
    "-e",
    "--remap-exit",
    "-p",
    "--parent-death-signal",
    "-w",
    "--warn-on-reap",
    "-s",
    "--subreaper",
    "-P",
    "--pause",
    "-v",
    "-vvv",
    "--verbose",
    "-l",
    "-L",
    "--license",
    "-h",
    "--help",
    "-V",
    "--version",
    "30s",
    "1500ms",
    "2.5",
    "-1",
    "8760h",
    "TERM",
    "SIGKILL",
    "RTMIN+3",
    "RTMAX-1",
    "TERM:QUIT",
    "WINCH:0",
    "143",
    "256",
    "1",
    "0",
    "yes",
    "debug",
    "sh",
    "-c",
    "true",
];

fn fields(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|&b| b == 0)
}

fn pick<'a>(table: &[&'a str], byte: Option<&u8>) -> &'a str {
    table[usize::from(byte.copied().unwrap_or(0)) % table.len()]
}

/// An invocation: argv (argv[0] included) and the environment.
#[derive(Debug)]
struct Invoked {
    argv: Vec<OsString>,
    env: Vec<(String, OsString)>,
}

impl Invoked {
    /// The first field is argv[0]; a field starting with 0x01 is a variable `NAME=VALUE`;
    /// any other field is the next argument.
    fn decode(data: &[u8]) -> Self {
        let mut fields = fields(data);
        let argv0 = fields.next().unwrap_or_default();
        let argv0 = match argv0 {
            [] | [_] => pick(PROGRAM_NAMES, argv0.first()).as_bytes().to_vec(),
            _ => argv0.to_vec(),
        };
        let mut invoked = Invoked {
            argv: vec![OsString::from_vec(argv0)],
            env: Vec::new(),
        };
        for field in fields {
            match field {
                [1, variable @ ..] => {
                    let (name, value) = match variable.iter().position(|&b| b == b'=') {
                        Some(at) => (&variable[..at], &variable[at + 1..]),
                        None => (variable, &[][..]),
                    };
                    let name = match name {
                        [] | [_] => pick(VARIABLES, name.first()).to_string(),
                        _ => String::from_utf8_lossy(name).into_owned(),
                    };
                    invoked.env.push((name, OsString::from_vec(value.to_vec())));
                }
                [word @ 0x80..=0xff] => invoked.argv.push(pick(WORDS, Some(&(word - 0x80))).into()),
                _ => invoked.argv.push(OsString::from_vec(field.to_vec())),
            }
        }
        invoked
    }

    /// As `getenv` reads the environment: the first entry of a name wins.
    fn var(&self, name: &str) -> Option<OsString> {
        self.env
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }

    fn read(&self) -> Result<Invocation, ConfigError> {
        let (_, invocation) = config::read(self.argv.clone(), &|name| self.var(name));
        if let Err(error) = &invocation {
            check_error(error);
        }
        if let Ok(Invocation::Run(config)) = &invocation {
            check_config(config, &self.argv);
        }
        invocation
    }
}

/// Every refusal is one line on stderr that names its flag or variable.
fn check_error(error: &ConfigError) {
    let line = error.to_string();
    assert!(!line.is_empty(), "empty message for {error:?}");
    assert!(
        !line.contains('\n'),
        "the message is not one line: {line:?} for {error:?}"
    );
    if let ConfigError::Invalid { source, .. } = error {
        assert!(
            VALUED_FLAGS.contains(&source.as_str()) || VARIABLES.contains(&source.as_str()),
            "{source:?} is neither a flag nor a variable of pidone's ({error:?})"
        );
        assert!(
            line.contains(source.as_str()),
            "{line:?} does not name {source:?}"
        );
    }
}

/// What `Config` promises whatever the input.
fn check_config(config: &Config, argv: &[OsString]) {
    assert_eq!(
        config.command.is_empty(),
        config.pause,
        "the command is empty exactly when pausing: {config:?}"
    );
    assert!(
        config.grace.unwrap_or_default() <= duration::MAX,
        "{config:?}"
    );
    assert!(config.drain <= duration::MAX, "{config:?}");
    assert!(config.stop_delay <= duration::MAX, "{config:?}");
    assert!(
        config.timeout.unwrap_or_default() <= duration::MAX,
        "{config:?}"
    );
    if let Some(grace) = config.grace {
        assert!(config.stop_delay < grace, "{config:?}");
    }
    if let Some(signal) = config.parent_death_signal {
        assert!(is_signal(signal), "parent death signal {signal:?}");
    }
    // The command reaches the child byte for byte: it is the tail of argv.
    assert!(
        config.command.len() < argv.len()
            && argv[argv.len() - config.command.len()..] == config.command[..],
        "the command {:?} is not the tail of {argv:?}",
        config.command
    );
}

/// `config::read` on a whole invocation: argv (argv[0] chooses the personality) and the
/// environment.
pub fn command_line(data: &[u8]) {
    Invoked::decode(data).read().ok();
}

/// `duration::parse` on any text.
pub fn duration(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(parsed) = duration::parse(&text) else {
        return;
    };
    assert!(parsed <= duration::MAX, "{text:?} gave {parsed:?}");
    if parsed.subsec_nanos() % 1_000_000 == 0 {
        let shown = duration::display(parsed);
        assert_eq!(
            duration::parse(&shown),
            Ok(parsed),
            "{text:?} is displayed as {shown:?}"
        );
    }
    // A bare number is a number of seconds.
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        assert_eq!(
            duration::parse(&format!("{text}s")),
            Ok(parsed),
            "{text:?} is not seconds"
        );
    }
}

fn is_signal(signal: Signal) -> bool {
    (1..=libc::SIGRTMAX()).contains(&signal.number())
}

/// `signals::parse` on any text; the name of whatever it returns.
pub fn signal(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Some(signal) = signals::parse(&text) else {
        return;
    };
    assert!(is_signal(signal), "{text:?} gave {signal:?}");
    let name = signal.to_string();
    assert_eq!(
        signals::parse(&name),
        Some(signal),
        "{text:?} is {signal:?}, whose name {name:?} does not read back"
    );
}

/// `Rewrite::parse_rule` on comma-separated rules, `set` (or `set_default` for a rule
/// prefixed with `?`) of each valid one, then `apply` on every signal against a model;
/// and the same rules through `PIDONE_REWRITE` and `--rewrite`.
pub fn rewrite(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut rewrite = Rewrite::default();
    // The model: the rule in force for each signal, in the order they were added.
    let mut model: Vec<(Signal, Option<Signal>)> = Vec::new();
    let mut valid_rules = Vec::new();
    let mut all_valid = true;
    for rule in text.split(',') {
        let (default, rule) = match rule.strip_prefix('?') {
            Some(rule) => (true, rule),
            None => (false, rule),
        };
        let parsed = Rewrite::parse_rule(rule);
        let Ok((from, to)) = parsed else {
            all_valid &= default;
            continue;
        };
        assert!(is_signal(from), "{rule:?} rewrites {from:?}");
        assert_ne!(from, Signal::CHLD, "{rule:?} rewrites SIGCHLD");
        assert!(to.is_none_or(is_signal), "{rule:?} rewrites to {to:?}");
        if default {
            rewrite.set_default(from, to);
            if !model.iter().any(|&(f, _)| f == from) {
                model.push((from, to));
            }
        } else {
            rewrite.set(from, to);
            model.retain(|&(f, _)| f != from);
            model.push((from, to));
            valid_rules.push(rule);
        }
    }
    // Every signal there is; a number outside 1..=64 is no `Signal`, so none is rewritten.
    for signal in (-1..=libc::SIGRTMAX() + 1)
        .chain([i32::MIN, i32::MAX])
        .filter_map(Signal::new)
    {
        let expected = match model.iter().find(|&&(from, _)| from == signal) {
            Some(&(_, to)) => to,
            None => Some(signal),
        };
        assert_eq!(
            rewrite.apply(signal),
            expected,
            "signal {signal} after {text:?}"
        );
    }

    // Through the configuration, as the variable and as flags: the same rules, the same
    // rewriting.
    if !all_valid || valid_rules.is_empty() {
        return;
    }
    let mut expected = Rewrite::default();
    for rule in &valid_rules {
        let (from, to) = Rewrite::parse_rule(rule).expect("parsed above");
        expected.set(from, to);
    }
    let variable = valid_rules.join(",");
    let by_variable = Invoked {
        argv: vec!["pidone".into(), "app".into()],
        env: vec![("PIDONE_REWRITE".into(), variable.clone().into())],
    };
    let mut argv: Vec<OsString> = vec!["pidone".into()];
    for rule in &valid_rules {
        argv.push(format!("--rewrite={rule}").into());
    }
    argv.push("app".into());
    let by_flags = Invoked {
        argv,
        env: Vec::new(),
    };
    for invoked in [by_variable, by_flags] {
        match invoked.read() {
            Ok(Invocation::Run(config)) => assert_eq!(config.rewrite, expected, "{invoked:?}"),
            other => panic!("{invoked:?} gave {other:?}"),
        }
    }
}

/// The remap list through `PIDONE_REMAP_EXIT` and `-e`, and the exit code of a raw wait
/// status. Input: 4 bytes of wait status (little-endian), one byte of exit code, then
/// NUL-separated fields: the variable's value (absent if it is a lone 0x01) and the `-e`
/// values.
pub fn exit_codes(data: &[u8]) {
    let mut status = [0u8; 4];
    let head = data.len().min(4);
    status[..head].copy_from_slice(&data[..head]);
    let status = i32::from_le_bytes(status);
    let code = data.get(4).copied().unwrap_or(0);
    let rest = data.get(5..).unwrap_or_default();

    // The raw status as <sys/wait.h> lays it out.
    let expected = match status & 0x7f {
        0 => Some(((status >> 8) & 0xff) as u8),
        0x7f => None,
        signal => Some(128u8.wrapping_add(signal as u8)),
    };
    assert_eq!(
        exit::from_wait_status(status),
        expected,
        "status {status:#x}"
    );

    let mut fields = fields(rest);
    let variable = fields.next().filter(|v| *v != [1]);
    let flags: Vec<&[u8]> = fields.collect();
    let mut argv: Vec<OsString> = vec!["pidone".into()];
    for (i, flag) in flags.iter().enumerate() {
        let flag = flag.to_vec();
        match i % 3 {
            0 => argv.extend(["-e".into(), OsString::from_vec(flag)]),
            1 => argv.extend(["--remap-exit".into(), OsString::from_vec(flag)]),
            _ => argv.push(OsString::from_vec(
                [b"--remap-exit=".to_vec(), flag].concat(),
            )),
        }
    }
    argv.push("app".into());
    let invoked = Invoked {
        argv,
        env: variable
            .map(|v| ("PIDONE_REMAP_EXIT".into(), OsString::from_vec(v.to_vec())))
            .into_iter()
            .collect(),
    };
    // The flags replace the variable; each entry is a code from 0 to 255, and spaces
    // around the variable's entries are not part of them.
    let entries: Option<Vec<String>> = if flags.is_empty() {
        variable.map(|v| match std::str::from_utf8(v) {
            Ok(v) => v
                .split(',')
                .map(|e| e.trim_matches(' ').to_string())
                .collect(),
            Err(_) => vec!["\u{fffd}".into()],
        })
    } else {
        Some(
            flags
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect(),
        )
    };
    let wanted: Option<Vec<u8>> = entries
        .unwrap_or_default()
        .iter()
        .map(|entry| entry.parse().ok())
        .collect();
    let remapped = match (invoked.read(), wanted) {
        (Ok(Invocation::Run(config)), Some(wanted)) => {
            assert_eq!(config.remap_exit, wanted, "{invoked:?}");
            wanted
        }
        (Err(ConfigError::Invalid { source, .. }), None) => {
            assert!(
                source == "PIDONE_REMAP_EXIT" || source == "--remap-exit",
                "{invoked:?} refused for {source}"
            );
            return;
        }
        // An option value that is not UTF-8 is refused as a command-line error.
        (Err(ConfigError::Syntax(_)), _)
            if flags.iter().any(|f| std::str::from_utf8(f).is_err()) =>
        {
            return;
        }
        // A value holding a flag of pidone's, or `--`, is a different command line.
        _ if flags.iter().any(|f| f.starts_with(b"-")) => return,
        (outcome, wanted) => panic!("{invoked:?} gave {outcome:?}, expected {wanted:?}"),
    };
    let result = exit::remap(code, &remapped);
    if remapped.contains(&code) {
        assert_eq!(result, 0, "{code} with {remapped:?}");
    } else {
        assert_eq!(result, code, "{code} with {remapped:?}");
    }
}

/// `descendants::parse_stat` on any text, and on well-formed lines whose process name,
/// pid, state and parent come from the input. Input for the second: 12 bytes of pid,
/// ppid and process group (little-endian), one byte choosing the state, then the name.
pub fn proc_stat(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = descendants::parse_stat(&text);

    let int = |at: usize| {
        let mut bytes = [0u8; 4];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = data.get(at + i).copied().unwrap_or(0);
        }
        i32::from_le_bytes(bytes)
    };
    let (pid, ppid, pgrp) = (int(0), int(4), int(8));
    const STATES: &[u8] = b"RSDZTtWXxKPI";
    let state = STATES[usize::from(data.get(12).copied().unwrap_or(0)) % STATES.len()];
    let name = String::from_utf8_lossy(data.get(13..).unwrap_or_default());
    let line = format!(
        "{pid} ({name}) {} {ppid} {pgrp} {pgrp} 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 12345 \
         2842624 190 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
        state as char
    );
    assert_eq!(
        descendants::parse_stat(&line),
        Some(Stat {
            pid,
            state,
            ppid,
            pgrp,
            start: Some(12345)
        }),
        "{line:?}"
    );
}

/// `spawn::candidates` for a program and a PATH. Input: the program, a NUL, then the PATH
/// (absent if it is a lone 0x01).
pub fn path_search(data: &[u8]) {
    let (program, path) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let path = path.filter(|p| *p != [1]);
    let candidates = spawn::candidates(program, path);
    if program.contains(&b'/') || program.is_empty() {
        assert_eq!(candidates, [program], "a path or nothing is tried as it is");
        return;
    }
    // One candidate per PATH entry, in order; without PATH, Docker's default.
    let entries: Vec<&[u8]> = path
        .unwrap_or(b"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        .split(|&b| b == b':')
        .collect();
    assert_eq!(candidates.len(), entries.len(), "{candidates:?}");
    for (candidate, entry) in candidates.iter().zip(entries) {
        assert!(candidate.ends_with(program), "{candidate:?}");
        assert!(
            candidate.starts_with(entry),
            "{candidate:?} not in {entry:?}"
        );
        // An empty entry is the working directory; any other is joined with one '/'.
        let dir = &candidate[..candidate.len() - program.len()];
        let wanted = match entry {
            [] => Vec::new(),
            [.., b'/'] => entry.to_vec(),
            _ => [entry, b"/"].concat(),
        };
        assert_eq!(dir, wanted, "{candidate:?} from {entry:?}");
    }
}
