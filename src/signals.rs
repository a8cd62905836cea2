//! The signals themselves: the [`Signal`] type, which ones pidone handles, which start a
//! shutdown, their names and how users write them, and `--rewrite`'s rules. The kernel
//! signal sets pidone blocks and waits on are `sigset.rs`'s. Past 450 lines only by its
//! unit tests, which pin every name and spelling.

use std::fmt;

/// A signal of this system: a number from 1 to [`RTMAX`] (64), the only values a
/// `Signal` can hold. [`Signal::new`] checks a number read from outside; the raw number
/// is taken back out, with [`Signal::number`], only where a system call needs it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Signal(i32);

impl Signal {
    /// SIGHUP, 1: the terminal hung up; daemons often reload on it.
    pub const HUP: Signal = Signal(libc::SIGHUP);
    /// SIGINT, 2: Ctrl-C. Starts a shutdown, as SIGTERM does.
    pub const INT: Signal = Signal(libc::SIGINT);
    /// SIGQUIT, 3: Ctrl-\.
    pub const QUIT: Signal = Signal(libc::SIGQUIT);
    /// SIGILL, 4: an illegal instruction.
    pub const ILL: Signal = Signal(libc::SIGILL);
    /// SIGTRAP, 5: a breakpoint.
    pub const TRAP: Signal = Signal(libc::SIGTRAP);
    /// SIGABRT, 6: `abort(3)`; also read as IOT.
    pub const ABRT: Signal = Signal(libc::SIGABRT);
    /// SIGBUS, 7: a bad memory access.
    pub const BUS: Signal = Signal(libc::SIGBUS);
    /// SIGFPE, 8: an arithmetic fault.
    pub const FPE: Signal = Signal(libc::SIGFPE);
    /// SIGKILL, 9: cannot be caught; the deadline's last word.
    pub const KILL: Signal = Signal(libc::SIGKILL);
    /// SIGUSR1, 10: the application's own.
    pub const USR1: Signal = Signal(libc::SIGUSR1);
    /// SIGSEGV, 11: a segmentation fault.
    pub const SEGV: Signal = Signal(libc::SIGSEGV);
    /// SIGUSR2, 12: the application's own.
    pub const USR2: Signal = Signal(libc::SIGUSR2);
    /// SIGPIPE, 13: a write to a pipe nobody reads.
    pub const PIPE: Signal = Signal(libc::SIGPIPE);
    /// SIGALRM, 14: a timer ran out.
    pub const ALRM: Signal = Signal(libc::SIGALRM);
    /// SIGTERM, 15: the request to stop that orchestrators send; starts a shutdown.
    pub const TERM: Signal = Signal(libc::SIGTERM);
    /// SIGSTKFLT, 16: unused by Linux itself.
    pub const STKFLT: Signal = Signal(libc::SIGSTKFLT);
    /// SIGCHLD, 17: a child changed state; also read as CLD. Never forwarded.
    pub const CHLD: Signal = Signal(libc::SIGCHLD);
    /// SIGCONT, 18: continues a stopped process.
    pub const CONT: Signal = Signal(libc::SIGCONT);
    /// SIGSTOP, 19: cannot be caught; stops a process.
    pub const STOP: Signal = Signal(libc::SIGSTOP);
    /// SIGTSTP, 20: Ctrl-Z, the terminal's request to stop.
    pub const TSTP: Signal = Signal(libc::SIGTSTP);
    /// SIGTTIN, 21: a background process read from the terminal.
    pub const TTIN: Signal = Signal(libc::SIGTTIN);
    /// SIGTTOU, 22: a background process wrote to the terminal.
    pub const TTOU: Signal = Signal(libc::SIGTTOU);
    /// SIGURG, 23: urgent data on a socket.
    pub const URG: Signal = Signal(libc::SIGURG);
    /// SIGXCPU, 24: the CPU time limit was reached.
    pub const XCPU: Signal = Signal(libc::SIGXCPU);
    /// SIGXFSZ, 25: the file size limit was reached.
    pub const XFSZ: Signal = Signal(libc::SIGXFSZ);
    /// SIGVTALRM, 26: a virtual timer ran out.
    pub const VTALRM: Signal = Signal(libc::SIGVTALRM);
    /// SIGPROF, 27: a profiling timer ran out.
    pub const PROF: Signal = Signal(libc::SIGPROF);
    /// SIGWINCH, 28: the terminal's size changed.
    pub const WINCH: Signal = Signal(libc::SIGWINCH);
    /// SIGIO, 29: a descriptor is ready; also read as POLL.
    pub const IO: Signal = Signal(libc::SIGIO);
    /// SIGPWR, 30: power failure; LXC stops an init with it.
    pub const PWR: Signal = Signal(libc::SIGPWR);
    /// SIGSYS, 31: a bad system call.
    pub const SYS: Signal = Signal(libc::SIGSYS);

    /// The signal numbered `number`, or `None` outside 1 to [`RTMAX`] (64).
    pub const fn new(number: i32) -> Option<Signal> {
        if 1 <= number && number <= RTMAX {
            Some(Signal(number))
        } else {
            None
        }
    }

    /// The signal's number, 1 to 64, as system calls take it.
    pub const fn number(self) -> i32 {
        self.0
    }

    /// Whether the signal starts the grace clock: SIGTERM and SIGINT.
    pub fn is_shutdown(self) -> bool {
        self == Signal::TERM || self == Signal::INT
    }

    /// Whether it is one of the terminal's job-control signals (SIGTSTP, SIGTTIN, SIGTTOU): a
    /// shell expects the process it started to stop on them, so pidone forwards them and
    /// then stops itself.
    pub fn is_job_control_stop(self) -> bool {
        matches!(self, Signal::TSTP | Signal::TTIN | Signal::TTOU)
    }
}

/// `SIGTERM`, `SIGRTMIN+3`; 32 and 33 count back from SIGRTMIN (`SIGRTMIN-2`).
impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((_, name)) = NAMES.iter().find(|(signal, _)| signal == self) {
            return write!(f, "SIG{name}");
        }
        // Every standard signal is named: what is left is real-time, 32 to 64.
        match self.0.wrapping_sub(RTMIN) {
            0 => f.write_str("SIGRTMIN"),
            offset @ 1.. => write!(f, "SIGRTMIN+{offset}"),
            offset => write!(f, "SIGRTMIN{offset}"),
        }
    }
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
pub fn handled() -> impl Iterator<Item = Signal> {
    (1..=RTMAX)
        .map(Signal)
        .filter(|&signal| signal != Signal::KILL && signal != Signal::STOP)
}

/// The standard signals' names, without `SIG`, as Linux numbers them.
const NAMES: [(Signal, &str); 31] = [
    (Signal::HUP, "HUP"),
    (Signal::INT, "INT"),
    (Signal::QUIT, "QUIT"),
    (Signal::ILL, "ILL"),
    (Signal::TRAP, "TRAP"),
    (Signal::ABRT, "ABRT"),
    (Signal::BUS, "BUS"),
    (Signal::FPE, "FPE"),
    (Signal::KILL, "KILL"),
    (Signal::USR1, "USR1"),
    (Signal::SEGV, "SEGV"),
    (Signal::USR2, "USR2"),
    (Signal::PIPE, "PIPE"),
    (Signal::ALRM, "ALRM"),
    (Signal::TERM, "TERM"),
    (Signal::STKFLT, "STKFLT"),
    (Signal::CHLD, "CHLD"),
    (Signal::CONT, "CONT"),
    (Signal::STOP, "STOP"),
    (Signal::TSTP, "TSTP"),
    (Signal::TTIN, "TTIN"),
    (Signal::TTOU, "TTOU"),
    (Signal::URG, "URG"),
    (Signal::XCPU, "XCPU"),
    (Signal::XFSZ, "XFSZ"),
    (Signal::VTALRM, "VTALRM"),
    (Signal::PROF, "PROF"),
    (Signal::WINCH, "WINCH"),
    (Signal::IO, "IO"),
    (Signal::PWR, "PWR"),
    (Signal::SYS, "SYS"),
];

/// Other names of the same signals, read but never written.
const ALIASES: [(Signal, &str); 3] = [
    (Signal::ABRT, "IOT"),
    (Signal::IO, "POLL"),
    (Signal::CHLD, "CLD"),
];

/// Reads a signal as users write it: `TERM`, `SIGTERM`, `term`, `15`, `RTMIN+2`,
/// `SIGRTMAX-1`, `RTMIN-2` (32). `None` for anything that is not a signal of this system.
pub fn parse(text: &str) -> Option<Signal> {
    if let Ok(number) = text.parse::<i32>() {
        return Signal::new(number);
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
    let number = if let Some(rest) = bare.strip_prefix("RTMIN") {
        RTMIN.checked_add(offset(rest)?)?
    } else if let Some(rest) = bare.strip_prefix("RTMAX") {
        RTMAX.checked_add(offset(rest)?)?
    } else {
        return NAMES
            .iter()
            .chain(&ALIASES)
            .find(|(_, name)| *name == bare)
            .map(|&(signal, _)| signal);
    };
    // `RTMIN-3` would be 31, a standard signal: real-time names stay real-time.
    (KERNEL_RTMIN..=RTMAX)
        .contains(&number)
        .then_some(Signal(number))
}

/// Signal rewriting before forwarding (`--rewrite S:R`): S is forwarded as R, or dropped
/// when R is 0 (dumb-init's `-r`). Only forwarding changes: pidone itself reacts to the
/// signal it received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rewrite {
    /// Each rule: the signal received, and what is forwarded for it (`None`: nothing).
    rules: Vec<(Signal, Option<Signal>)>,
}

impl Rewrite {
    /// Reads `S:R`, each side a signal as [`parse`] reads it; R may also be 0, which drops
    /// S (`None`).
    pub fn parse_rule(text: &str) -> Result<(Signal, Option<Signal>), String> {
        let (from, to) = text
            .split_once(':')
            .ok_or("expected S:R, e.g. TERM:QUIT or 15:3")?;
        let from = parse(from).ok_or_else(|| format!("unknown signal '{from}'"))?;
        let to = if to == "0" {
            None
        } else {
            Some(parse(to).ok_or_else(|| format!("unknown signal '{to}'"))?)
        };
        if from == Signal::CHLD {
            return Err("SIGCHLD is never forwarded, so it cannot be rewritten".to_string());
        }
        Ok((from, to))
    }

    /// Adds a rule: `from` is forwarded as `to`, or dropped when `to` is `None`. A later
    /// rule for the same signal replaces an earlier one.
    pub fn set(&mut self, from: Signal, to: Option<Signal>) {
        self.rules.retain(|&(f, _)| f != from);
        self.rules.push((from, to));
    }

    /// Adds a rule only where none is set yet (a personality's default).
    pub fn set_default(&mut self, from: Signal, to: Option<Signal>) {
        if !self.rules.iter().any(|&(f, _)| f == from) {
            self.rules.push((from, to));
        }
    }

    /// What to forward for `signal`: `None` when it is dropped.
    pub fn apply(&self, signal: Signal) -> Option<Signal> {
        match self.rules.iter().find(|&&(from, _)| from == signal) {
            Some(&(_, to)) => to,
            None => Some(signal),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The signal numbered `number`, which the test knows to be one.
    fn signal(number: i32) -> Signal {
        Signal::new(number).unwrap()
    }

    #[test]
    fn signals_are_1_to_64() {
        assert_eq!(Signal::new(1), Some(Signal::HUP));
        assert_eq!(Signal::new(15), Some(Signal::TERM));
        assert_eq!(signal(64).number(), 64);
        for outside in [0, -1, 65, 200, i32::MAX, i32::MIN] {
            assert_eq!(Signal::new(outside), None, "{outside}");
        }
        // The names' table is in Linux's order, 1 to 31.
        for (number, (signal, name)) in (1..).zip(NAMES) {
            assert_eq!(signal.number(), number, "SIG{name}");
        }
    }

    #[test]
    fn shutdown_signals() {
        assert!(Signal::TERM.is_shutdown());
        assert!(Signal::INT.is_shutdown());
        for signal in [
            Signal::HUP,
            Signal::QUIT,
            Signal::USR1,
            Signal::CHLD,
            Signal::WINCH,
        ] {
            assert!(!signal.is_shutdown(), "{signal}");
        }
    }

    #[test]
    fn job_control_stops() {
        for signal in [Signal::TSTP, Signal::TTIN, Signal::TTOU] {
            assert!(signal.is_job_control_stop(), "{signal}");
        }
        for signal in [Signal::STOP, Signal::TERM, Signal::CONT] {
            assert!(!signal.is_job_control_stop(), "{signal}");
        }
    }

    #[test]
    fn handles_everything_catchable() {
        let handled: Vec<Signal> = handled().collect();
        assert!(!handled.contains(&Signal::KILL));
        assert!(!handled.contains(&Signal::STOP));
        for signal in [
            Signal::TERM,
            Signal::INT,
            Signal::HUP,
            Signal::CHLD,
            Signal::SEGV,
            Signal::TSTP,
        ] {
            assert!(handled.contains(&signal), "{signal}");
        }
        // Every real-time signal of the kernel, whatever the C library keeps for itself.
        for number in 32..=64 {
            assert!(handled.contains(&signal(number)), "{number}");
        }
        assert_eq!(handled.len(), 29 + 33);
    }

    #[test]
    fn names() {
        assert_eq!(Signal::TERM.to_string(), "SIGTERM");
        assert_eq!(Signal::WINCH.to_string(), "SIGWINCH");
        assert_eq!(
            signal(34).to_string(),
            "SIGRTMIN",
            "as glibc, Go and Docker number it"
        );
        assert_eq!(signal(37).to_string(), "SIGRTMIN+3");
        assert_eq!(signal(64).to_string(), "SIGRTMIN+30");
        assert_eq!(signal(32).to_string(), "SIGRTMIN-2");
        assert_eq!(signal(33).to_string(), "SIGRTMIN-1");
        assert_eq!(Signal::STKFLT.to_string(), "SIGSTKFLT");
        assert_eq!(Signal::PWR.to_string(), "SIGPWR");
        // No name for what is not a signal: there is no such `Signal` to name.
        assert_eq!(Signal::new(200), None);
    }

    #[test]
    fn parses_names_and_numbers_alike() {
        for text in ["TERM", "SIGTERM", "term", "SigTerm", "15"] {
            assert_eq!(parse(text), Some(Signal::TERM), "{text}");
        }
        assert_eq!(parse("KILL"), Some(Signal::KILL));
        assert_eq!(parse("SIGWINCH"), Some(Signal::WINCH));
        assert_eq!(parse("RTMIN"), Some(signal(34)));
        assert_eq!(parse("SIGRTMIN+2"), Some(signal(36)));
        assert_eq!(parse("RTMAX-1"), Some(signal(63)));
        assert_eq!(parse("RTMAX"), Some(signal(64)));
        assert_eq!(parse("64"), Some(signal(64)));
        assert_eq!(parse("32"), Some(signal(32)));
        assert_eq!(parse("RTMIN-2"), Some(signal(32)));
        assert_eq!(parse("PWR"), Some(Signal::PWR), "LXC stops an init with it");
        assert_eq!(parse("SIGSTKFLT"), Some(Signal::STKFLT));
        assert_eq!(parse("IOT"), Some(Signal::ABRT));
        assert_eq!(parse("poll"), Some(Signal::IO));
        assert_eq!(parse("CLD"), Some(Signal::CHLD));
    }

    #[test]
    fn every_name_reads_back_as_its_signal() {
        for signal in (1..=RTMAX).map(signal) {
            assert_eq!(parse(&signal.to_string()), Some(signal), "{signal}");
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
            Ok((Signal::TERM, Some(Signal::QUIT)))
        );
        assert_eq!(
            Rewrite::parse_rule("15:3"),
            Ok((signal(15), Some(signal(3))))
        );
        assert_eq!(Rewrite::parse_rule("WINCH:0"), Ok((Signal::WINCH, None)));
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
        rewrite.set(Signal::TERM, Some(Signal::QUIT));
        rewrite.set(Signal::WINCH, None);
        assert_eq!(rewrite.apply(Signal::TERM), Some(Signal::QUIT));
        assert_eq!(rewrite.apply(Signal::WINCH), None);
        assert_eq!(rewrite.apply(Signal::HUP), Some(Signal::HUP));
        rewrite.set(Signal::TERM, Some(Signal::INT));
        assert_eq!(
            rewrite.apply(Signal::TERM),
            Some(Signal::INT),
            "the later rule wins"
        );
        rewrite.set_default(Signal::TERM, Some(Signal::STOP));
        assert_eq!(
            rewrite.apply(Signal::TERM),
            Some(Signal::INT),
            "defaults never override"
        );
        rewrite.set_default(Signal::TSTP, Some(Signal::STOP));
        assert_eq!(rewrite.apply(Signal::TSTP), Some(Signal::STOP));
    }
}
