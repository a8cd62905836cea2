//! The signals themselves: which ones pidone handles, which start a shutdown, their names
//! and how users write them, and `--rewrite`'s rules. The kernel signal sets pidone
//! blocks and waits on are `sigset.rs`'s.

/// The signals that start the grace clock.
pub fn is_shutdown(signal: i32) -> bool {
    signal == libc::SIGTERM || signal == libc::SIGINT
}

/// The terminal's job-control signals: a shell expects the process it started to stop on
/// them, so pidone forwards them and then stops itself.
pub fn is_job_control_stop(signal: i32) -> bool {
    matches!(signal, libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU)
}

/// The real-time signals as applications and container engines number them: glibc, Go
/// and Docker call 34 SIGRTMIN. The C library pidone is linked with has a say in neither:
/// musl's SIGRTMIN is 35 and glibc's sigaddset refuses 32 and 33, the signals each keeps
/// for its own threads — which pidone, single-threaded, never uses.
pub const RTMIN: i32 = 34;
/// The kernel's last signal (x86_64, aarch64).
pub const RTMAX: i32 = 64;
/// Where the kernel's real-time signals start.
pub const KERNEL_RTMIN: i32 = 32;

/// Every signal pidone waits for: all that can be caught, standard and real-time, 32 and
/// 33 included. SIGKILL and SIGSTOP cannot be caught by any process.
pub fn handled() -> impl Iterator<Item = i32> {
    (1..KERNEL_RTMIN)
        .filter(|&signal| signal != libc::SIGKILL && signal != libc::SIGSTOP)
        .chain(KERNEL_RTMIN..=RTMAX)
}

/// The standard signals' names, without `SIG`, as Linux numbers them.
const NAMES: [(i32, &str); 31] = [
    (libc::SIGHUP, "HUP"),
    (libc::SIGINT, "INT"),
    (libc::SIGQUIT, "QUIT"),
    (libc::SIGILL, "ILL"),
    (libc::SIGTRAP, "TRAP"),
    (libc::SIGABRT, "ABRT"),
    (libc::SIGBUS, "BUS"),
    (libc::SIGFPE, "FPE"),
    (libc::SIGKILL, "KILL"),
    (libc::SIGUSR1, "USR1"),
    (libc::SIGSEGV, "SEGV"),
    (libc::SIGUSR2, "USR2"),
    (libc::SIGPIPE, "PIPE"),
    (libc::SIGALRM, "ALRM"),
    (libc::SIGTERM, "TERM"),
    (libc::SIGSTKFLT, "STKFLT"),
    (libc::SIGCHLD, "CHLD"),
    (libc::SIGCONT, "CONT"),
    (libc::SIGSTOP, "STOP"),
    (libc::SIGTSTP, "TSTP"),
    (libc::SIGTTIN, "TTIN"),
    (libc::SIGTTOU, "TTOU"),
    (libc::SIGURG, "URG"),
    (libc::SIGXCPU, "XCPU"),
    (libc::SIGXFSZ, "XFSZ"),
    (libc::SIGVTALRM, "VTALRM"),
    (libc::SIGPROF, "PROF"),
    (libc::SIGWINCH, "WINCH"),
    (libc::SIGIO, "IO"),
    (libc::SIGPWR, "PWR"),
    (libc::SIGSYS, "SYS"),
];

/// Other names of the same signals, read but never written.
const ALIASES: [(i32, &str); 3] = [
    (libc::SIGABRT, "IOT"),
    (libc::SIGIO, "POLL"),
    (libc::SIGCHLD, "CLD"),
];

/// `SIGTERM`, `SIGRTMIN+3`; 32 and 33 count back from SIGRTMIN.
pub fn name(signal: i32) -> String {
    if let Some((_, name)) = NAMES.iter().find(|(number, _)| *number == signal) {
        return format!("SIG{name}");
    }
    match signal.checked_sub(RTMIN) {
        Some(0) => "SIGRTMIN".to_string(),
        Some(offset @ 1..) if signal <= RTMAX => format!("SIGRTMIN+{offset}"),
        Some(offset @ -2..=-1) => format!("SIGRTMIN{offset}"),
        _ => format!("signal {signal}"),
    }
}

/// Reads a signal as users write it: `TERM`, `SIGTERM`, `term`, `15`, `RTMIN+2`,
/// `SIGRTMAX-1`, `RTMIN-2` (32). `None` for anything that is not a signal of this system.
pub fn parse(text: &str) -> Option<i32> {
    if let Ok(number) = text.parse::<i32>() {
        return (1..=RTMAX).contains(&number).then_some(number);
    }
    let upper = text.to_ascii_uppercase();
    let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
    // The offset is plain digits after its sign: `RTMIN+3`, `RTMAX-1`, never `RTMIN+-3`.
    let offset = |rest: &str| -> Option<i32> {
        let (sign, digits) = match rest.split_at_checked(1) {
            None => return Some(0),
            Some(("+", digits)) => (1, digits),
            Some(("-", digits)) => (-1, digits),
            Some(_) => return None,
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse::<i32>().ok()?.checked_mul(sign)
    };
    let signal = if let Some(rest) = bare.strip_prefix("RTMIN") {
        RTMIN.checked_add(offset(rest)?)?
    } else if let Some(rest) = bare.strip_prefix("RTMAX") {
        RTMAX.checked_add(offset(rest)?)?
    } else {
        return NAMES
            .iter()
            .chain(&ALIASES)
            .find(|(_, name)| *name == bare)
            .map(|(number, _)| *number);
    };
    (KERNEL_RTMIN..=RTMAX).contains(&signal).then_some(signal)
}

/// Signal rewriting before forwarding (`--rewrite S:R`): S is forwarded as R, or dropped
/// when R is 0 (dumb-init's `-r`). Only forwarding changes: pidone itself reacts to the
/// signal it received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rewrite {
    /// Each rule: the signal received, and what is forwarded for it (`None`: nothing).
    rules: Vec<(i32, Option<i32>)>,
}

impl Rewrite {
    /// Reads `S:R`, each side a signal as [`parse`] reads it; R may also be 0, which drops
    /// S (`None`).
    pub fn parse_rule(text: &str) -> Result<(i32, Option<i32>), String> {
        let (from, to) = text
            .split_once(':')
            .ok_or("expected S:R, e.g. TERM:QUIT or 15:3")?;
        let from = parse(from).ok_or_else(|| format!("unknown signal '{from}'"))?;
        let to = if to == "0" {
            None
        } else {
            Some(parse(to).ok_or_else(|| format!("unknown signal '{to}'"))?)
        };
        if from == libc::SIGCHLD {
            return Err("SIGCHLD is never forwarded, so it cannot be rewritten".to_string());
        }
        Ok((from, to))
    }

    /// Adds a rule; a later rule for the same signal replaces an earlier one.
    pub fn set(&mut self, from: i32, to: Option<i32>) {
        self.rules.retain(|&(f, _)| f != from);
        self.rules.push((from, to));
    }

    /// Adds a rule only where none is set yet (a personality's default).
    pub fn set_default(&mut self, from: i32, to: Option<i32>) {
        if !self.rules.iter().any(|&(f, _)| f == from) {
            self.rules.push((from, to));
        }
    }

    /// What to forward for `signal`: `None` when it is dropped.
    pub fn apply(&self, signal: i32) -> Option<i32> {
        match self.rules.iter().find(|&&(from, _)| from == signal) {
            Some(&(_, to)) => to,
            None => Some(signal),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shutdown_signals() {
        assert!(is_shutdown(libc::SIGTERM));
        assert!(is_shutdown(libc::SIGINT));
        for signal in [
            libc::SIGHUP,
            libc::SIGQUIT,
            libc::SIGUSR1,
            libc::SIGCHLD,
            libc::SIGWINCH,
        ] {
            assert!(!is_shutdown(signal), "{}", name(signal));
        }
    }

    #[test]
    fn handles_everything_catchable() {
        let handled: Vec<i32> = handled().collect();
        assert!(!handled.contains(&libc::SIGKILL));
        assert!(!handled.contains(&libc::SIGSTOP));
        for signal in [
            libc::SIGTERM,
            libc::SIGINT,
            libc::SIGHUP,
            libc::SIGCHLD,
            libc::SIGSEGV,
            libc::SIGTSTP,
        ] {
            assert!(handled.contains(&signal), "{}", name(signal));
        }
        // Every real-time signal of the kernel, whatever the C library keeps for itself.
        for signal in 32..=64 {
            assert!(handled.contains(&signal), "{signal}");
        }
        assert_eq!(handled.len(), 29 + 33);
    }

    #[test]
    fn names() {
        assert_eq!(name(libc::SIGTERM), "SIGTERM");
        assert_eq!(name(libc::SIGWINCH), "SIGWINCH");
        assert_eq!(name(34), "SIGRTMIN", "as glibc, Go and Docker number it");
        assert_eq!(name(37), "SIGRTMIN+3");
        assert_eq!(name(64), "SIGRTMIN+30");
        assert_eq!(name(32), "SIGRTMIN-2");
        assert_eq!(name(33), "SIGRTMIN-1");
        assert_eq!(name(libc::SIGSTKFLT), "SIGSTKFLT");
        assert_eq!(name(libc::SIGPWR), "SIGPWR");
        assert_eq!(name(200), "signal 200");
    }

    #[test]
    fn parses_names_and_numbers_alike() {
        for text in ["TERM", "SIGTERM", "term", "SigTerm", "15"] {
            assert_eq!(parse(text), Some(libc::SIGTERM), "{text}");
        }
        assert_eq!(parse("KILL"), Some(libc::SIGKILL));
        assert_eq!(parse("SIGWINCH"), Some(libc::SIGWINCH));
        assert_eq!(parse("RTMIN"), Some(34));
        assert_eq!(parse("SIGRTMIN+2"), Some(36));
        assert_eq!(parse("RTMAX-1"), Some(63));
        assert_eq!(parse("RTMAX"), Some(64));
        assert_eq!(parse("64"), Some(64));
        assert_eq!(parse("32"), Some(32));
        assert_eq!(parse("RTMIN-2"), Some(32));
        assert_eq!(
            parse("PWR"),
            Some(libc::SIGPWR),
            "LXC stops an init with it"
        );
        assert_eq!(parse("SIGSTKFLT"), Some(libc::SIGSTKFLT));
        assert_eq!(parse("IOT"), Some(libc::SIGABRT));
        assert_eq!(parse("poll"), Some(libc::SIGIO));
        assert_eq!(parse("CLD"), Some(libc::SIGCHLD));
    }

    #[test]
    fn every_name_reads_back_as_its_signal() {
        for signal in 1..=RTMAX {
            assert_eq!(parse(&name(signal)), Some(signal), "{}", name(signal));
        }
    }

    #[test]
    fn rejects_what_is_not_a_signal() {
        for text in [
            "",
            "0",
            "-15",
            "65",
            "TERMS",
            "SIG",
            "RTMIN+99",
            "RTMAX+1",
            "15x",
            "SIGRTMIN+",
            "RTMIN++3",
            "RTMIN+-1",
            "RTMAX--1",
            "RTMIN-3",
            "RTMAX+1",
            "RTMIN+",
            "RTMIN-",
            "RTMINX",
            // Offsets beyond i32 once overflowed in the arithmetic.
            "RTMIN+2147483647",
            "RTMAX-2147483647",
            "RTMAX--2147483648",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    #[test]
    fn rewrite_rules() {
        assert_eq!(
            Rewrite::parse_rule("TERM:QUIT"),
            Ok((libc::SIGTERM, Some(libc::SIGQUIT)))
        );
        assert_eq!(Rewrite::parse_rule("15:3"), Ok((15, Some(3))));
        assert_eq!(Rewrite::parse_rule("WINCH:0"), Ok((libc::SIGWINCH, None)));
        assert!(Rewrite::parse_rule("TERM").is_err());
        assert!(
            Rewrite::parse_rule("TERM:NOPE")
                .unwrap_err()
                .contains("NOPE")
        );
        assert!(Rewrite::parse_rule("0:TERM").is_err());
        assert!(Rewrite::parse_rule("CHLD:TERM").is_err());
    }

    #[test]
    fn rewriting_changes_or_drops_only_what_it_names() {
        let mut rewrite = Rewrite::default();
        rewrite.set(libc::SIGTERM, Some(libc::SIGQUIT));
        rewrite.set(libc::SIGWINCH, None);
        assert_eq!(rewrite.apply(libc::SIGTERM), Some(libc::SIGQUIT));
        assert_eq!(rewrite.apply(libc::SIGWINCH), None);
        assert_eq!(rewrite.apply(libc::SIGHUP), Some(libc::SIGHUP));
        rewrite.set(libc::SIGTERM, Some(libc::SIGINT));
        assert_eq!(
            rewrite.apply(libc::SIGTERM),
            Some(libc::SIGINT),
            "the later rule wins"
        );
        rewrite.set_default(libc::SIGTERM, Some(libc::SIGSTOP));
        assert_eq!(
            rewrite.apply(libc::SIGTERM),
            Some(libc::SIGINT),
            "defaults never override"
        );
        rewrite.set_default(libc::SIGTSTP, Some(libc::SIGSTOP));
        assert_eq!(rewrite.apply(libc::SIGTSTP), Some(libc::SIGSTOP));
    }
}
