//! The decisions of supervision, without a single system call: when the grace clock
//! starts, when to drain, when to kill, and when pidone may exit.
//!
//! `supervise` feeds it events and carries out the steps it returns.

use std::time::{Duration, Instant};

use crate::signals;

/// `now + by`. Durations are capped at `duration::MAX`, a year, which no monotonic clock
/// is near overflowing; should one be, the deadline is as late as the clock can say.
fn later(now: Instant, by: Duration) -> Instant {
    now.checked_add(by)
        .or_else(|| now.checked_add(crate::duration::MAX))
        .unwrap_or(now)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The main child runs; signals are forwarded.
    Running,
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
    Forward(i32),
    /// Send SIGTERM to every descendant that has not had it.
    TermDescendants,
    /// Send SIGKILL to every descendant still alive.
    KillDescendants,
    /// Everything is reaped: exit with this code.
    Exit(u8),
}

/// How pidone reacts to a signal it received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reaction {
    /// Signals to forward now, in order.
    pub forward: Vec<i32>,
    /// The signal started the grace clock.
    pub grace_started: bool,
    /// The signal is held back for the stop delay.
    pub held: bool,
}

#[derive(Debug)]
pub struct Lifecycle {
    grace: Duration,
    stop_delay: Duration,
    phase: Phase,
    deadline: Option<Instant>,
    /// When a held SIGTERM is due to be forwarded.
    held_until: Option<Instant>,
    /// Set when the main child has been reaped.
    exit_code: Option<u8>,
}

impl Lifecycle {
    pub fn new(grace: Duration, stop_delay: Duration) -> Self {
        Lifecycle {
            grace,
            stop_delay,
            phase: Phase::Running,
            deadline: None,
            held_until: None,
            exit_code: None,
        }
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// A SIGTERM or SIGINT has come, or the child has exited: everything is to stop now.
    pub fn shutting_down(&self) -> bool {
        self.deadline.is_some()
    }

    /// When the loop must wake up even if nothing happens. Once killing has started there is
    /// nothing left to time out: only exits are awaited.
    pub fn next_deadline(&self) -> Option<Instant> {
        match self.phase {
            Phase::Killing => None,
            _ => match (self.held_until, self.deadline) {
                (Some(held), Some(deadline)) => Some(held.min(deadline)),
                (held, deadline) => held.or(deadline),
            },
        }
    }

    /// A signal arrived. The first SIGTERM or SIGINT starts the grace clock; later ones do
    /// not restart it. With a stop delay the first SIGTERM is held back (the load balancer
    /// needs that time to stop sending traffic), but the clock still starts: the delay
    /// counts against the grace. Another SIGTERM or a SIGINT during the delay ends it.
    pub fn on_signal(&mut self, signal: i32, now: Instant) -> Reaction {
        let mut reaction = Reaction {
            forward: Vec::new(),
            grace_started: false,
            held: false,
        };
        if signals::is_shutdown(signal) && self.deadline.is_none() {
            self.deadline = Some(later(now, self.grace));
            reaction.grace_started = true;
            if signal == libc::SIGTERM && !self.stop_delay.is_zero() && self.phase == Phase::Running
            {
                self.held_until = Some(later(now, self.stop_delay));
                reaction.held = true;
                return reaction;
            }
        }
        if signals::is_shutdown(signal) && self.held_until.take().is_some() {
            reaction.forward.push(libc::SIGTERM);
            if signal == libc::SIGTERM {
                return reaction;
            }
        }
        reaction.forward.push(signal);
        reaction
    }

    /// The main child was reaped; `code` is what pidone will exit with.
    pub fn on_child_exit(&mut self, code: u8) {
        self.exit_code = Some(code);
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
                // A clock already running from a SIGTERM keeps its deadline: the
                // orchestrator's patience started then. A held SIGTERM is moot: the drain
                // sends its own.
                self.phase = Phase::Draining;
                self.held_until = None;
                self.deadline.get_or_insert(later(now, self.grace));
                Step::TermDescendants
            }
            // Processes re-parented since the last sweep have not been asked yet.
            Phase::Draining => Step::TermDescendants,
            Phase::Killing => Step::KillDescendants,
        }
    }

    /// The deadline's SIGKILL could reach only the child's process group: pidone is not
    /// PID 1 and /proc, which lists the rest, is unreadable. Once the child is reaped there
    /// is nothing left pidone can find to kill or wait for, so it exits rather than wait
    /// for processes it cannot see.
    pub fn after_blind_kill(&self) -> Step {
        match (self.phase, self.exit_code) {
            (Phase::Killing, Some(code)) => Step::Exit(code),
            _ => Step::Wait,
        }
    }

    /// The loop woke up without an event.
    pub fn on_timeout(&mut self, now: Instant) -> Step {
        if self.phase == Phase::Killing {
            return Step::Wait;
        }
        match (self.held_until, self.deadline) {
            (_, Some(deadline)) if now >= deadline => {
                self.phase = Phase::Killing;
                self.held_until = None;
                Step::KillDescendants
            }
            (Some(held), _) if now >= held => {
                self.held_until = None;
                Step::Forward(libc::SIGTERM)
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

    fn forwarded(signal: i32) -> Reaction {
        Reaction {
            forward: vec![signal],
            grace_started: false,
            held: false,
        }
    }

    fn started(signal: i32) -> Reaction {
        Reaction {
            grace_started: true,
            ..forwarded(signal)
        }
    }

    #[test]
    fn the_stop_delay_holds_the_first_sigterm() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE, DELAY);
        let held = life.on_signal(libc::SIGTERM, t0);
        assert_eq!(
            held,
            Reaction {
                forward: vec![],
                grace_started: true,
                held: true
            }
        );
        assert_eq!(
            life.next_deadline(),
            Some(t0 + DELAY),
            "wake up to forward it"
        );
        assert_eq!(
            life.on_signal(libc::SIGHUP, t0 + secs(1)),
            forwarded(libc::SIGHUP),
            "others pass"
        );
        assert_eq!(life.on_timeout(t0 + secs(2)), Step::Wait);
        assert_eq!(life.on_timeout(t0 + DELAY), Step::Forward(libc::SIGTERM));
        assert_eq!(
            life.next_deadline(),
            Some(t0 + GRACE),
            "the grace counted from the arrival"
        );
        assert_eq!(life.on_timeout(t0 + GRACE), Step::KillDescendants);
    }

    #[test]
    fn a_second_sigterm_during_the_delay_forwards_at_once() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE, DELAY);
        life.on_signal(libc::SIGTERM, t0);
        assert_eq!(
            life.on_signal(libc::SIGTERM, t0 + secs(1)),
            forwarded(libc::SIGTERM)
        );
        assert_eq!(
            life.next_deadline(),
            Some(t0 + GRACE),
            "nothing held any more"
        );
        assert_eq!(life.on_timeout(t0 + DELAY), Step::Wait);
    }

    #[test]
    fn a_sigint_during_the_delay_forwards_both() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE, DELAY);
        life.on_signal(libc::SIGTERM, t0);
        let reaction = life.on_signal(libc::SIGINT, t0 + secs(1));
        assert_eq!(reaction.forward, [libc::SIGTERM, libc::SIGINT]);
        assert!(!reaction.grace_started);
    }

    #[test]
    fn sigint_is_never_held() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE, DELAY);
        assert_eq!(life.on_signal(libc::SIGINT, t0), started(libc::SIGINT));
        assert_eq!(
            life.on_signal(libc::SIGTERM, t0),
            forwarded(libc::SIGTERM),
            "the clock runs already"
        );
    }

    #[test]
    fn a_delay_longer_than_the_grace_ends_in_the_kill() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(secs(2), secs(5));
        life.on_signal(libc::SIGTERM, t0);
        assert_eq!(life.next_deadline(), Some(t0 + secs(2)));
        assert_eq!(life.on_timeout(t0 + secs(2)), Step::KillDescendants);
        assert_eq!(life.on_timeout(t0 + secs(5)), Step::Wait);
    }

    #[test]
    fn a_child_exiting_during_the_delay_drops_the_held_sigterm() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE, DELAY);
        life.on_signal(libc::SIGTERM, t0);
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
        let mut life = Lifecycle::new(GRACE, Duration::ZERO);
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
        let mut life = Lifecycle::new(GRACE, Duration::ZERO);
        assert_eq!(life.next_deadline(), None);
        assert_eq!(life.on_signal(libc::SIGTERM, t0), started(libc::SIGTERM));
        assert_eq!(life.next_deadline(), Some(t0 + GRACE));
        assert_eq!(
            life.on_signal(libc::SIGTERM, t0 + secs(5)),
            forwarded(libc::SIGTERM)
        );
        assert_eq!(
            life.on_signal(libc::SIGINT, t0 + secs(6)),
            forwarded(libc::SIGINT)
        );
        assert_eq!(life.next_deadline(), Some(t0 + GRACE));
    }

    #[test]
    fn shutting_down_from_the_first_stopping_signal_or_the_drain() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE, DELAY);
        life.on_signal(libc::SIGHUP, t0);
        assert!(!life.shutting_down());
        life.on_signal(libc::SIGTERM, t0);
        assert!(life.shutting_down(), "even while the SIGTERM is held");
        let mut drained = Lifecycle::new(GRACE, Duration::ZERO);
        drained.on_child_exit(0);
        drained.after_reaping(true, t0);
        assert!(drained.shutting_down());
    }

    #[test]
    fn sigint_starts_it_too() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE, Duration::ZERO);
        assert_eq!(life.on_signal(libc::SIGINT, t0), started(libc::SIGINT));
        assert_eq!(life.next_deadline(), Some(t0 + GRACE));
    }

    #[test]
    fn other_signals_never_start_it() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE, Duration::ZERO);
        for signal in [
            libc::SIGHUP,
            libc::SIGQUIT,
            libc::SIGUSR1,
            libc::SIGUSR2,
            libc::SIGWINCH,
        ] {
            assert_eq!(life.on_signal(signal, t0), forwarded(signal));
        }
        assert_eq!(life.next_deadline(), None);
        assert_eq!(life.on_timeout(t0 + secs(3600)), Step::Wait);
    }

    #[test]
    fn the_deadline_kills_only_once_it_has_passed() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE, Duration::ZERO);
        life.on_signal(libc::SIGTERM, t0);
        assert_eq!(life.on_timeout(t0 + secs(9)), Step::Wait);
        assert_eq!(life.on_timeout(t0 + GRACE), Step::KillDescendants);
        assert_eq!(life.phase(), Phase::Killing);
        assert_eq!(life.next_deadline(), None, "nothing left to time out");
        life.on_child_exit(137);
        assert_eq!(life.after_reaping(false, t0 + GRACE), Step::Exit(137));
    }

    #[test]
    fn a_child_leaving_workers_behind_drains_them() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE, Duration::ZERO);
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
        let mut life = Lifecycle::new(GRACE, Duration::ZERO);
        life.on_child_exit(3);
        life.after_reaping(true, t0);
        assert_eq!(life.on_timeout(t0 + GRACE), Step::KillDescendants);
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
        let mut life = Lifecycle::new(GRACE, Duration::ZERO);
        life.on_signal(libc::SIGTERM, t0);
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
        let mut life = Lifecycle::new(GRACE, Duration::ZERO);
        life.on_child_exit(0);
        life.after_reaping(true, t0);
        assert!(!life.on_signal(libc::SIGTERM, t0 + secs(5)).grace_started);
        assert_eq!(life.next_deadline(), Some(t0 + GRACE));
    }

    #[test]
    fn a_blind_kill_ends_once_the_child_is_reaped() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE, Duration::ZERO);
        life.on_signal(libc::SIGTERM, t0);
        assert_eq!(life.after_blind_kill(), Step::Wait, "no deadline yet");
        assert_eq!(life.on_timeout(t0 + GRACE), Step::KillDescendants);
        assert_eq!(
            life.after_blind_kill(),
            Step::Wait,
            "the child is not reaped"
        );
        life.on_child_exit(137);
        assert_eq!(life.after_reaping(true, t0 + GRACE), Step::KillDescendants);
        assert_eq!(life.after_blind_kill(), Step::Exit(137));
    }

    #[test]
    fn zero_grace_kills_at_once() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(Duration::ZERO, Duration::ZERO);
        life.on_signal(libc::SIGTERM, t0);
        assert_eq!(life.on_timeout(t0), Step::KillDescendants);
    }

    #[test]
    fn the_child_outliving_the_kill_is_still_awaited() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE, Duration::ZERO);
        life.on_signal(libc::SIGTERM, t0);
        life.on_timeout(t0 + GRACE);
        assert_eq!(
            life.after_reaping(true, t0 + GRACE),
            Step::Wait,
            "child not reaped yet"
        );
    }
}
