//! The configuration's unit tests: each setting from its flag and its variable, the
//! peers' defaults and variables, conflicts and error lines. One file for all of them,
//! longer than the modules it tests: each test is a short table of cases.

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
        config.rewrite.apply(Signal::TSTP),
        Some(Signal::TSTP),
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
    for signal in [Signal::TSTP, Signal::TTOU, Signal::TTIN] {
        assert_eq!(config.rewrite.apply(signal), Some(Signal::STOP));
    }
    let own = Cli {
        rewrite: vec!["TSTP:USR1".into()],
        ..with(vec!["app"])
    };
    let config = run_as(Personality::DumbInit, own, &env_of(&[])).unwrap();
    assert_eq!(
        config.rewrite.apply(Signal::TSTP),
        Some(Signal::USR1),
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
    assert_eq!(config.rewrite.apply(Signal::TERM), Some(Signal::QUIT));
    assert_eq!(config.rewrite.apply(Signal::WINCH), None);
    assert_eq!(
        config.rewrite.apply(Signal::HUP),
        Some(Signal::HUP),
        "the flags beat the variable"
    );
    let config = run(
        with(vec!["app"]),
        &env_of(&[("PIDONE_REWRITE", "HUP:USR1,15:3")]),
    )
    .unwrap();
    assert_eq!(config.rewrite.apply(Signal::HUP), Some(Signal::USR1));
    assert_eq!(config.rewrite.apply(Signal::TERM), Some(Signal::QUIT));
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
    assert_eq!(config.parent_death_signal, Some(Signal::KILL));
    assert_eq!(config.stop_delay, Duration::from_secs(5));
    let env = env_of(&[
        ("PIDONE_PARENT_DEATH_SIGNAL", "15"),
        ("PIDONE_STOP_DELAY", "250ms"),
    ]);
    let config = run(with(vec!["app"]), &env).unwrap();
    assert_eq!(config.parent_death_signal, Some(Signal::TERM));
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
