//! The decisions of supervision, without a single system call: when the grace clock
//! starts, when to drain, when to kill, and when pidone may exit.
//!
//! `supervise` feeds it events and carries out the steps it returns.
//!
//! The file is longer than the others on purpose: the rules take about 330 lines, and
//! their unit tests, which pin each rule down with injected time, follow them here.
//!
//! One rule for deadlines: a shutdown that a SIGTERM or SIGINT from outside started (or the
//! `--timeout`) has pidone's deadline only when the user set a grace; otherwise the
//! orchestrator's own deadline is the only one, and pidone never SIGKILLs first. The drain
//! after the main child's own exit always has one: the grace if set, else
//! [`crate::config::DEFAULT_DRAIN`] (10 s).

use std::time::{Duration, Instant};

use crate::signals::Signal;

/// `now + by`. Durations are capped at `duration::MAX`, a year, which no monotonic clock
/// is near overflowing; should one be, the deadline is as late as the clock can say.
fn later(now: Instant, by: Duration) -> Instant {
    now.checked_add(by)
        .or_else(|| now.checked_add(crate::duration::MAX))
        .unwrap_or(now)
}

/// What happens when the main child exits while other processes remain
/// (`--on-child-exit`, `PIDONE_ON_CHILD_EXIT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnChildExit {
    /// SIGTERM to every process left that has not had one from pidone, SIGKILL to
    /// whatever is still alive at the drain deadline, then exit: pidone's default.
    Drain,
    /// Keep reaping until every process left has exited on its own (tini#139,
    /// dumb-init#80); a SIGTERM or SIGINT from outside then starts a normal shutdown.
    Wait,
    /// Exit at once and leave them, as tini and catatonit do.
    Exit,
    /// SIGTERM to the child's process group, then exit at once: dumb-init in its setsid
    /// mode (dumb-init.c, `handle_signal`). Only a personality's default, not an option.
    TermGroupAndExit,
}

/// The durations and rules a lifecycle runs by (see [`crate::config::Config`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// From a SIGTERM/SIGINT from outside to SIGKILL; `None`: no SIGKILL of pidone's own.
    pub grace: Option<Duration>,
    /// From the main child's own exit to SIGKILL for the processes it left.
    pub drain: Duration,
    /// How long the first SIGTERM is held before it is forwarded.
    pub stop_delay: Duration,
    /// The longest the main child may run before it is stopped as if by SIGTERM.
    pub timeout: Option<Duration>,
    pub on_child_exit: OnChildExit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The main child runs; signals are forwarded.
    Running,
    /// The main child is gone; the others left are waited for until they exit on their
    /// own ([`OnChildExit::Wait`]).
    Waiting,
    /// The main child is gone, others remain: they have been asked to stop.
    Draining,
    /// The deadline passed: everything left is being killed.
    Killing,
}

/// What the supervisor does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing to do until the next event.
    Wait,
    /// Forward this signal now (a SIGTERM held for the stop delay).
    Forward(Signal),
    /// The `--timeout` passed: handle a SIGTERM as if it had been received.
    TimedOut,
    /// Send SIGTERM to every descendant that has not had it.
    TermDescendants,
    /// Send SIGKILL to every descendant still alive.
    KillDescendants,
    /// Everything is reaped: exit with this code.
    Exit(u8),
    /// The child is reaped and the rule is to leave the others: exit with this code.
    Leave(u8),
    /// Send SIGTERM to the child's process group, then leave the others and exit with this
    /// code.
    TermGroupAndLeave(u8),
    /// Send SIGCONT to the child, found stopped while it is being stopped for good: a
    /// stopped process keeps a SIGTERM pending until it is continued.
    ContinueChild,
    /// The child stopped at the terminal (Ctrl-Z): stop pidone too, so the shell that
    /// started it regains the terminal, and once continued give the child the terminal
    /// back, if the shell gave it to pidone (`fg`, not `bg`).
    StopWithChild,
}

/// The steps of one event, in the order they are carried out: at most three (continue a
/// stopped child, stop with it, then what reaping decided), held without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Steps {
    steps: [Step; 3],
    len: usize,
}

impl Steps {
    pub fn new() -> Self {
        Steps {
            steps: [Step::Wait; 3],
            len: 0,
        }
    }

    /// One step alone.
    pub fn one(step: Step) -> Self {
        let mut steps = Steps::new();
        steps.push(step);
        steps
    }

    /// Adds a step after the others; a fourth is never needed, and would be dropped.
    pub fn push(&mut self, step: Step) {
        if let Some(slot) = self.steps.get_mut(self.len) {
            *slot = step;
            self.len = self.len.saturating_add(1);
        }
    }

    /// The last step, to be replaced.
    pub fn last_mut(&mut self) -> Option<&mut Step> {
        self.steps.get_mut(..self.len)?.last_mut()
    }

    pub fn as_slice(&self) -> &[Step] {
        self.steps.get(..self.len).unwrap_or_default()
    }
}

impl Default for Steps {
    fn default() -> Self {
        Steps::new()
    }
}

/// How pidone reacts to a signal it received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reaction {
    /// Signals to forward now, in order.
    pub forward: Vec<Signal>,
    /// The signal started the shutdown (and the grace clock, when a grace is set).
    pub shutdown_started: bool,
    /// The signal is held back for the stop delay.
    pub held: bool,
    /// The signal ended a wait for the processes the child left: ask them to stop.
    pub drain: bool,
    /// A job-control stop from the terminal (SIGTSTP, SIGTTIN, SIGTTOU): once it is
    /// forwarded, pidone stops itself, as a shell expects of the process it started.
    pub stop_self: bool,
}

#[derive(Debug)]
pub struct Lifecycle {
    rules: Rules,
    phase: Phase,
    /// A SIGTERM or SIGINT came from outside, or the timeout passed.
    stop_requested: bool,
    deadline: Option<Instant>,
    /// How long the running deadline was set for, for the log.
    deadline_length: Option<Duration>,
    /// When a held SIGTERM is due to be forwarded.
    held_until: Option<Instant>,
    /// When the `--timeout` runs out, until a shutdown starts.
    timeout_at: Option<Instant>,
    /// Set when the main child has been reaped.
    exit_code: Option<u8>,
}

impl Lifecycle {
    /// A lifecycle whose child started at `now`.
    pub fn new(rules: Rules, now: Instant) -> Self {
        Lifecycle {
            rules,
            phase: Phase::Running,
            stop_requested: false,
            deadline: None,
            deadline_length: None,
            held_until: None,
            timeout_at: rules.timeout.map(|timeout| later(now, timeout)),
            exit_code: None,
        }
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// How long the deadline that is running (or ran out) was set for.
    pub fn deadline_length(&self) -> Option<Duration> {
        self.deadline_length
    }

    fn set_deadline(&mut self, length: Option<Duration>, now: Instant) {
        self.deadline = length.map(|length| later(now, length));
        self.deadline_length = length;
    }

    /// A SIGTERM or SIGINT has come, or the child has exited and the drain started:
    /// everything is to stop now.
    pub fn shutting_down(&self) -> bool {
        self.stop_requested || self.phase == Phase::Draining || self.phase == Phase::Killing
    }

    /// When the loop must wake up even if nothing happens. Once killing has started there is
    /// nothing left to time out: only exits are awaited.
    pub fn next_deadline(&self) -> Option<Instant> {
        if self.phase == Phase::Killing {
            return None;
        }
        [self.held_until, self.deadline, self.timeout_at]
            .into_iter()
            .flatten()
            .min()
    }

    /// A signal arrived. The first SIGTERM or SIGINT starts the shutdown and, with a grace
    /// set, its clock; later ones do not restart it. With a stop delay the first SIGTERM is
    /// held back (the load balancer needs that time to stop sending traffic), but the clock
    /// still starts: the delay counts against the grace. Another SIGTERM or a SIGINT during
    /// the delay ends it.
    pub fn on_signal(&mut self, signal: Signal, now: Instant) -> Reaction {
        let mut reaction = Reaction {
            forward: Vec::new(),
            shutdown_started: false,
            held: false,
            drain: false,
            stop_self: signal.is_job_control_stop(),
        };
        if signal.is_shutdown() && !self.stop_requested {
            self.stop_requested = true;
            self.timeout_at = None;
            reaction.shutdown_started = true;
            if self.deadline.is_none() {
                self.set_deadline(self.rules.grace, now);
            }
            if self.phase == Phase::Waiting {
                self.phase = Phase::Draining;
                reaction.drain = true;
            }
            if signal == Signal::TERM
                && !self.rules.stop_delay.is_zero()
                && self.phase == Phase::Running
            {
                self.held_until = Some(later(now, self.rules.stop_delay));
                reaction.held = true;
                return reaction;
            }
        }
        if signal.is_shutdown() && self.held_until.take().is_some() {
            reaction.forward.push(Signal::TERM);
            if signal == Signal::TERM {
                return reaction;
            }
        }
        reaction.forward.push(signal);
        reaction
    }

    /// The main child was reaped; `code` is what pidone will exit with.
    pub fn on_child_exit(&mut self, code: u8) {
        self.exit_code = Some(code);
        self.timeout_at = None;
    }

    /// Every exited process has been reaped; `descendants_left` says whether any process
    /// pidone is responsible for is still alive.
    pub fn after_reaping(&mut self, descendants_left: bool, now: Instant) -> Step {
        let Some(code) = self.exit_code else {
            return Step::Wait;
        };
        if !descendants_left {
            return Step::Exit(code);
        }
        match self.phase {
            Phase::Running => {
                // A held SIGTERM is moot: the child it was for is gone.
                self.held_until = None;
                match self.rules.on_child_exit {
                    OnChildExit::Exit => Step::Leave(code),
                    OnChildExit::TermGroupAndExit => Step::TermGroupAndLeave(code),
                    OnChildExit::Wait if !self.stop_requested => {
                        self.phase = Phase::Waiting;
                        Step::Wait
                    }
                    OnChildExit::Wait | OnChildExit::Drain => {
                        self.phase = Phase::Draining;
                        // A shutdown from outside keeps its own deadline, or none: the
                        // orchestrator's patience started then. The child's own exit
                        // starts the drain's.
                        if !self.stop_requested {
                            self.set_deadline(Some(self.rules.drain), now);
                        }
                        Step::TermDescendants
                    }
                }
            }
            Phase::Waiting => Step::Wait,
            // Processes re-parented since the last sweep have not been asked yet.
            Phase::Draining => Step::TermDescendants,
            Phase::Killing => Step::KillDescendants,
        }
    }

    /// The deadline's SIGKILL went out; `every_descendant_found` says whether it could
    /// reach every process pidone answers for. Where it could reach only the child's
    /// process group (pidone is not PID 1 and /proc, which lists the rest, is unreadable),
    /// there is nothing left pidone can find to kill or wait for once the child is reaped,
    /// so it exits rather than wait for processes it cannot see.
    pub fn after_kill(&self, every_descendant_found: bool) -> Step {
        match (every_descendant_found, self.phase, self.exit_code) {
            (false, Phase::Killing, Some(code)) => Step::Exit(code),
            _ => Step::Wait,
        }
    }

    /// The main child was stopped by `signal`; `at_terminal` says whether pidone runs as a
    /// job of a terminal's shell. The steps, in order.
    pub fn on_child_stopped(&self, signal: Signal, at_terminal: bool) -> Steps {
        let mut steps = Steps::new();
        // A SIGTERM may have been forwarded just before the stop was noticed.
        if self.shutting_down() {
            steps.push(Step::ContinueChild);
        }
        if at_terminal && signal.is_job_control_stop() {
            steps.push(Step::StopWithChild);
        }
        steps
    }

    /// The loop woke up without an event: the grace or drain deadline, the end of the stop
    /// delay, or the `--timeout`, whichever came first.
    pub fn on_deadline(&mut self, now: Instant) -> Step {
        if self.phase == Phase::Killing {
            return Step::Wait;
        }
        match (self.held_until, self.deadline, self.timeout_at) {
            (_, Some(deadline), _) if now >= deadline => {
                self.phase = Phase::Killing;
                self.held_until = None;
                Step::KillDescendants
            }
            (Some(held), _, _) if now >= held => {
                self.held_until = None;
                Step::Forward(Signal::TERM)
            }
            (_, _, Some(timeout)) if now >= timeout => {
                self.timeout_at = None;
                Step::TimedOut
            }
            _ => Step::Wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRACE: Duration = Duration::from_secs(10);
    const DELAY: Duration = Duration::from_secs(3);

    /// A lifecycle with a grace set, which the drain uses too.
    fn life(grace: Duration, stop_delay: Duration) -> Lifecycle {
        with_rules(Rules {
            grace: Some(grace),
            drain: grace,
            stop_delay,
            timeout: None,
            on_child_exit: OnChildExit::Drain,
        })
    }

    fn with_rules(rules: Rules) -> Lifecycle {
        Lifecycle::new(rules, Instant::now())
    }

    /// No grace set: the drain has the default deadline, a shutdown from outside none.
    fn unset(on_child_exit: OnChildExit) -> Rules {
        Rules {
            grace: None,
            drain: DRAIN,
            stop_delay: Duration::ZERO,
            timeout: None,
            on_child_exit,
        }
    }

    const DRAIN: Duration = Duration::from_secs(10);

    fn forwarded(signal: Signal) -> Reaction {
        Reaction {
            forward: vec![signal],
            shutdown_started: false,
            held: false,
            drain: false,
            stop_self: false,
        }
    }

    fn started(signal: Signal) -> Reaction {
        Reaction {
            shutdown_started: true,
            ..forwarded(signal)
        }
    }

    #[test]
    fn the_stop_delay_holds_the_first_sigterm() {
        let t0 = Instant::now();
        let mut life = life(GRACE, DELAY);
        let held = life.on_signal(Signal::TERM, t0);
        assert_eq!(
            held,
            Reaction {
                forward: vec![],
                shutdown_started: true,
                held: true,
                drain: false,
                stop_self: false,
            }
        );
        assert_eq!(
            life.next_deadline(),
            Some(t0 + DELAY),
            "wake up to forward it"
        );
        assert_eq!(
            life.on_signal(Signal::HUP, t0 + secs(1)),
            forwarded(Signal::HUP),
            "others pass"
        );
        assert_eq!(life.on_deadline(t0 + secs(2)), Step::Wait);
        assert_eq!(life.on_deadline(t0 + DELAY), Step::Forward(Signal::TERM));
        assert_eq!(
            life.next_deadline(),
            Some(t0 + GRACE),
            "the grace counted from the arrival"
        );
        assert_eq!(life.on_deadline(t0 + GRACE), Step::KillDescendants);
    }

    #[test]
    fn a_second_sigterm_during_the_delay_forwards_at_once() {
        let t0 = Instant::now();
        let mut life = life(GRACE, DELAY);
        life.on_signal(Signal::TERM, t0);
        assert_eq!(
            life.on_signal(Signal::TERM, t0 + secs(1)),
            forwarded(Signal::TERM)
        );
        assert_eq!(
            life.next_deadline(),
            Some(t0 + GRACE),
            "nothing held any more"
        );
        assert_eq!(life.on_deadline(t0 + DELAY), Step::Wait);
    }

    #[test]
    fn a_sigint_during_the_delay_forwards_both() {
        let t0 = Instant::now();
        let mut life = life(GRACE, DELAY);
        life.on_signal(Signal::TERM, t0);
        let reaction = life.on_signal(Signal::INT, t0 + secs(1));
        assert_eq!(reaction.forward, [Signal::TERM, Signal::INT]);
        assert!(!reaction.shutdown_started);
    }

    #[test]
    fn sigint_is_never_held() {
        let t0 = Instant::now();
        let mut life = life(GRACE, DELAY);
        assert_eq!(life.on_signal(Signal::INT, t0), started(Signal::INT));
        assert_eq!(
            life.on_signal(Signal::TERM, t0),
            forwarded(Signal::TERM),
            "the clock runs already"
        );
    }

    #[test]
    fn a_delay_longer_than_the_grace_ends_in_the_kill() {
        let t0 = Instant::now();
        let mut life = life(secs(2), secs(5));
        life.on_signal(Signal::TERM, t0);
        assert_eq!(life.next_deadline(), Some(t0 + secs(2)));
        assert_eq!(life.on_deadline(t0 + secs(2)), Step::KillDescendants);
        assert_eq!(life.on_deadline(t0 + secs(5)), Step::Wait);
    }

    #[test]
    fn a_child_exiting_during_the_delay_drops_the_held_sigterm() {
        let t0 = Instant::now();
        let mut life = life(GRACE, DELAY);
        life.on_signal(Signal::TERM, t0);
        life.on_child_exit(0);
        assert_eq!(
            life.after_reaping(true, t0 + secs(1)),
            Step::TermDescendants
        );
        assert_eq!(life.next_deadline(), Some(t0 + GRACE));
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn a_child_that_exits_alone_ends_pidone_with_its_code() {
        let t0 = Instant::now();
        let mut life = life(GRACE, Duration::ZERO);
        assert_eq!(
            life.after_reaping(true, t0),
            Step::Wait,
            "orphans reaped, child alive"
        );
        life.on_child_exit(3);
        assert_eq!(life.after_reaping(false, t0), Step::Exit(3));
        assert_eq!(life.next_deadline(), None);
    }

    #[test]
    fn sigterm_starts_the_clock_once() {
        let t0 = Instant::now();
        let mut life = life(GRACE, Duration::ZERO);
        assert_eq!(life.next_deadline(), None);
        assert_eq!(life.on_signal(Signal::TERM, t0), started(Signal::TERM));
        assert_eq!(life.next_deadline(), Some(t0 + GRACE));
        assert_eq!(
            life.on_signal(Signal::TERM, t0 + secs(5)),
            forwarded(Signal::TERM)
        );
        assert_eq!(
            life.on_signal(Signal::INT, t0 + secs(6)),
            forwarded(Signal::INT)
        );
        assert_eq!(life.next_deadline(), Some(t0 + GRACE));
    }

    #[test]
    fn shutting_down_from_the_first_stopping_signal_or_the_drain() {
        let t0 = Instant::now();
        let mut life = life(GRACE, DELAY);
        life.on_signal(Signal::HUP, t0);
        assert!(!life.shutting_down());
        life.on_signal(Signal::TERM, t0);
        assert!(life.shutting_down(), "even while the SIGTERM is held");
        let mut drained = self::life(GRACE, Duration::ZERO);
        drained.on_child_exit(0);
        drained.after_reaping(true, t0);
        assert!(drained.shutting_down());
    }

    #[test]
    fn sigint_starts_it_too() {
        let t0 = Instant::now();
        let mut life = life(GRACE, Duration::ZERO);
        assert_eq!(life.on_signal(Signal::INT, t0), started(Signal::INT));
        assert_eq!(life.next_deadline(), Some(t0 + GRACE));
    }

    #[test]
    fn other_signals_never_start_it() {
        let t0 = Instant::now();
        let mut life = life(GRACE, Duration::ZERO);
        for signal in [
            Signal::HUP,
            Signal::QUIT,
            Signal::USR1,
            Signal::USR2,
            Signal::WINCH,
        ] {
            assert_eq!(life.on_signal(signal, t0), forwarded(signal));
        }
        assert_eq!(life.next_deadline(), None);
        assert_eq!(life.on_deadline(t0 + secs(3600)), Step::Wait);
    }

    #[test]
    fn the_deadline_kills_only_once_it_has_passed() {
        let t0 = Instant::now();
        let mut life = life(GRACE, Duration::ZERO);
        life.on_signal(Signal::TERM, t0);
        assert_eq!(life.on_deadline(t0 + secs(9)), Step::Wait);
        assert_eq!(life.on_deadline(t0 + GRACE), Step::KillDescendants);
        assert_eq!(life.phase(), Phase::Killing);
        assert_eq!(life.next_deadline(), None, "nothing left to time out");
        life.on_child_exit(137);
        assert_eq!(life.after_reaping(false, t0 + GRACE), Step::Exit(137));
    }

    #[test]
    fn a_child_leaving_workers_behind_drains_them() {
        let t0 = Instant::now();
        let mut life = life(GRACE, Duration::ZERO);
        life.on_child_exit(0);
        assert_eq!(life.after_reaping(true, t0), Step::TermDescendants);
        assert_eq!(life.phase(), Phase::Draining);
        assert_eq!(life.next_deadline(), Some(t0 + GRACE));
        // A worker exits, another remains: newcomers are asked too.
        assert_eq!(
            life.after_reaping(true, t0 + secs(1)),
            Step::TermDescendants
        );
        assert_eq!(life.after_reaping(false, t0 + secs(2)), Step::Exit(0));
    }

    #[test]
    fn workers_that_outlive_the_drain_are_killed() {
        let t0 = Instant::now();
        let mut life = life(GRACE, Duration::ZERO);
        life.on_child_exit(3);
        life.after_reaping(true, t0);
        assert_eq!(life.on_deadline(t0 + GRACE), Step::KillDescendants);
        // Orphans of killed workers are re-parented and killed in turn.
        assert_eq!(life.after_reaping(true, t0 + GRACE), Step::KillDescendants);
        assert_eq!(
            life.after_reaping(false, t0 + GRACE),
            Step::Exit(3),
            "the child's code, not 137"
        );
    }

    #[test]
    fn draining_after_sigterm_keeps_the_original_deadline() {
        let t0 = Instant::now();
        let mut life = life(GRACE, Duration::ZERO);
        life.on_signal(Signal::TERM, t0);
        life.on_child_exit(143);
        assert_eq!(
            life.after_reaping(true, t0 + secs(4)),
            Step::TermDescendants
        );
        assert_eq!(life.next_deadline(), Some(t0 + GRACE));
    }

    #[test]
    fn a_sigterm_while_draining_does_not_extend_it() {
        let t0 = Instant::now();
        let mut life = life(GRACE, Duration::ZERO);
        life.on_child_exit(0);
        life.after_reaping(true, t0);
        life.on_signal(Signal::TERM, t0 + secs(5));
        assert_eq!(life.next_deadline(), Some(t0 + GRACE));
    }

    #[test]
    fn a_blind_kill_ends_once_the_child_is_reaped() {
        let t0 = Instant::now();
        let mut life = life(GRACE, Duration::ZERO);
        life.on_signal(Signal::TERM, t0);
        assert_eq!(life.after_kill(false), Step::Wait, "no deadline yet");
        assert_eq!(life.on_deadline(t0 + GRACE), Step::KillDescendants);
        assert_eq!(
            life.after_kill(false),
            Step::Wait,
            "the child is not reaped"
        );
        life.on_child_exit(137);
        assert_eq!(life.after_reaping(true, t0 + GRACE), Step::KillDescendants);
        assert_eq!(life.after_kill(false), Step::Exit(137));
        assert_eq!(
            life.after_kill(true),
            Step::Wait,
            "what a kill can find, pidone waits for"
        );
    }

    #[test]
    fn steps_keep_their_order_and_at_most_three() {
        let mut steps = Steps::one(Step::ContinueChild);
        steps.push(Step::StopWithChild);
        steps.push(Step::Wait);
        steps.push(Step::Exit(0));
        assert_eq!(
            steps.as_slice(),
            [Step::ContinueChild, Step::StopWithChild, Step::Wait]
        );
        *steps.last_mut().unwrap() = Step::TermDescendants;
        assert_eq!(steps.as_slice()[2], Step::TermDescendants);
        assert_eq!(Steps::new().last_mut(), None);
    }

    #[test]
    fn a_job_control_stop_stops_pidone_after_forwarding_it() {
        let t0 = Instant::now();
        let mut life = life(GRACE, Duration::ZERO);
        let reaction = life.on_signal(Signal::TSTP, t0);
        assert_eq!(reaction.forward, [Signal::TSTP]);
        assert!(reaction.stop_self);
        assert!(!life.on_signal(Signal::USR1, t0).stop_self);
    }

    #[test]
    fn a_stopped_child_is_continued_during_a_shutdown_and_followed_at_a_terminal() {
        let t0 = Instant::now();
        let mut life = life(GRACE, Duration::ZERO);
        let stopped = |signal, at_terminal| life.on_child_stopped(signal, at_terminal);
        assert_eq!(stopped(Signal::STOP, true).as_slice(), []);
        assert_eq!(
            stopped(Signal::TSTP, true).as_slice(),
            [Step::StopWithChild]
        );
        assert_eq!(stopped(Signal::TSTP, false).as_slice(), []);
        life.on_signal(Signal::TERM, t0);
        assert_eq!(
            life.on_child_stopped(Signal::STOP, false).as_slice(),
            [Step::ContinueChild]
        );
        assert_eq!(
            life.on_child_stopped(Signal::TTIN, true).as_slice(),
            [Step::ContinueChild, Step::StopWithChild]
        );
    }

    #[test]
    fn zero_grace_kills_at_once() {
        let t0 = Instant::now();
        let mut life = life(Duration::ZERO, Duration::ZERO);
        life.on_signal(Signal::TERM, t0);
        assert_eq!(life.on_deadline(t0), Step::KillDescendants);
    }

    #[test]
    fn the_child_outliving_the_kill_is_still_awaited() {
        let t0 = Instant::now();
        let mut life = life(GRACE, Duration::ZERO);
        life.on_signal(Signal::TERM, t0);
        life.on_deadline(t0 + GRACE);
        assert_eq!(
            life.after_reaping(true, t0 + GRACE),
            Step::Wait,
            "child not reaped yet"
        );
    }

    #[test]
    fn without_a_grace_a_shutdown_from_outside_has_no_deadline() {
        let t0 = Instant::now();
        let mut life = with_rules(unset(OnChildExit::Drain));
        assert_eq!(life.on_signal(Signal::TERM, t0), started(Signal::TERM));
        assert!(life.shutting_down());
        assert_eq!(
            life.next_deadline(),
            None,
            "the orchestrator's deadline only"
        );
        assert_eq!(life.on_deadline(t0 + secs(3600)), Step::Wait);
        // The child exits; what it left gets SIGTERM, and still no SIGKILL of pidone's.
        life.on_child_exit(143);
        assert_eq!(
            life.after_reaping(true, t0 + secs(35)),
            Step::TermDescendants
        );
        assert_eq!(life.next_deadline(), None);
        assert_eq!(life.after_reaping(false, t0 + secs(36)), Step::Exit(143));
    }

    #[test]
    fn without_a_grace_the_drain_after_the_childs_own_exit_takes_the_default() {
        let t0 = Instant::now();
        let mut life = with_rules(unset(OnChildExit::Drain));
        life.on_child_exit(0);
        assert_eq!(life.after_reaping(true, t0), Step::TermDescendants);
        assert_eq!(life.next_deadline(), Some(t0 + DRAIN));
        // A SIGTERM from outside during the drain neither extends nor drops its deadline.
        assert!(life.on_signal(Signal::TERM, t0 + secs(1)).shutdown_started);
        assert_eq!(life.next_deadline(), Some(t0 + DRAIN));
        assert_eq!(life.on_deadline(t0 + DRAIN), Step::KillDescendants);
    }

    #[test]
    fn exit_leaves_the_others() {
        let t0 = Instant::now();
        let mut life = with_rules(unset(OnChildExit::Exit));
        life.on_child_exit(3);
        assert_eq!(life.after_reaping(true, t0), Step::Leave(3));
        let mut life = with_rules(unset(OnChildExit::TermGroupAndExit));
        life.on_child_exit(3);
        assert_eq!(life.after_reaping(true, t0), Step::TermGroupAndLeave(3));
        let mut alone = with_rules(unset(OnChildExit::TermGroupAndExit));
        alone.on_child_exit(3);
        assert_eq!(alone.after_reaping(false, t0), Step::Exit(3), "nobody left");
    }

    #[test]
    fn wait_keeps_reaping_until_the_others_are_gone() {
        let t0 = Instant::now();
        let mut life = with_rules(unset(OnChildExit::Wait));
        life.on_child_exit(0);
        assert_eq!(life.after_reaping(true, t0), Step::Wait);
        assert_eq!(life.phase(), Phase::Waiting);
        assert!(!life.shutting_down());
        assert_eq!(life.next_deadline(), None, "no deadline while waiting");
        assert_eq!(life.after_reaping(true, t0 + secs(60)), Step::Wait);
        assert_eq!(life.after_reaping(false, t0 + secs(61)), Step::Exit(0));
    }

    #[test]
    fn a_sigterm_ends_the_wait_with_a_normal_shutdown() {
        let t0 = Instant::now();
        let mut life = with_rules(Rules {
            grace: Some(GRACE),
            ..unset(OnChildExit::Wait)
        });
        life.on_child_exit(0);
        life.after_reaping(true, t0);
        let reaction = life.on_signal(Signal::TERM, t0 + secs(5));
        assert!(reaction.drain && reaction.shutdown_started && !reaction.held);
        assert_eq!(reaction.forward, [Signal::TERM]);
        assert_eq!(life.phase(), Phase::Draining);
        assert_eq!(life.next_deadline(), Some(t0 + secs(5) + GRACE));
        assert_eq!(
            life.after_reaping(true, t0 + secs(6)),
            Step::TermDescendants
        );
        // Without a grace, the same shutdown has no deadline of pidone's.
        let mut life = with_rules(unset(OnChildExit::Wait));
        life.on_child_exit(0);
        life.after_reaping(true, t0);
        assert!(life.on_signal(Signal::INT, t0).drain);
        assert_eq!(life.next_deadline(), None);
    }

    #[test]
    fn a_sigterm_before_the_child_exits_makes_wait_drain() {
        let t0 = Instant::now();
        let mut life = with_rules(unset(OnChildExit::Wait));
        life.on_signal(Signal::TERM, t0);
        life.on_child_exit(143);
        assert_eq!(life.after_reaping(true, t0), Step::TermDescendants);
        assert_eq!(life.phase(), Phase::Draining);
    }

    #[test]
    fn the_timeout_stops_the_child_as_sigterm_would() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(
            Rules {
                timeout: Some(secs(60)),
                ..unset(OnChildExit::Drain)
            },
            t0,
        );
        assert_eq!(life.next_deadline(), Some(t0 + secs(60)));
        assert_eq!(life.on_deadline(t0 + secs(59)), Step::Wait);
        assert_eq!(life.on_deadline(t0 + secs(60)), Step::TimedOut);
        assert_eq!(life.next_deadline(), None, "fires once");
        assert_eq!(
            life.on_signal(Signal::TERM, t0 + secs(60)),
            started(Signal::TERM)
        );
    }

    #[test]
    fn the_timeout_is_moot_once_a_shutdown_started_or_the_child_exited() {
        let t0 = Instant::now();
        let rules = Rules {
            timeout: Some(secs(60)),
            ..unset(OnChildExit::Wait)
        };
        let mut stopped = Lifecycle::new(rules, t0);
        stopped.on_signal(Signal::INT, t0 + secs(1));
        assert_eq!(stopped.next_deadline(), None);
        let mut exited = Lifecycle::new(rules, t0);
        exited.on_child_exit(0);
        assert_eq!(exited.after_reaping(true, t0 + secs(1)), Step::Wait);
        assert_eq!(exited.next_deadline(), None);
        assert_eq!(exited.on_deadline(t0 + secs(61)), Step::Wait);
    }
}
