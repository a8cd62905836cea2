//! The decisions of supervision, without a single system call: when the grace clock
//! starts, when to drain, when to kill, and when pidone may exit.
//!
//! `supervise` feeds it events and carries out the steps it returns.

use std::time::{Duration, Instant};

use crate::signals;

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
    /// Send SIGTERM to every descendant that has not had it.
    TermDescendants,
    /// Send SIGKILL to every descendant still alive.
    KillDescendants,
    /// Everything is reaped: exit with this code.
    Exit(u8),
}

#[derive(Debug)]
pub struct Lifecycle {
    grace: Duration,
    phase: Phase,
    deadline: Option<Instant>,
    /// Set when the main child has been reaped.
    exit_code: Option<u8>,
}

impl Lifecycle {
    pub fn new(grace: Duration) -> Self {
        Lifecycle {
            grace,
            phase: Phase::Running,
            deadline: None,
            exit_code: None,
        }
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// When the loop must wake up even if nothing happens. Once killing has started there is
    /// nothing left to time out: only exits are awaited.
    pub fn next_deadline(&self) -> Option<Instant> {
        match self.phase {
            Phase::Killing => None,
            _ => self.deadline,
        }
    }

    /// A signal arrived (the supervisor forwards it whatever this says). Returns true when
    /// it started the grace clock: the first SIGTERM or SIGINT does; later ones do not
    /// restart it.
    pub fn on_signal(&mut self, signal: i32, now: Instant) -> bool {
        if signals::is_shutdown(signal) && self.deadline.is_none() {
            self.deadline = Some(now + self.grace);
            return true;
        }
        false
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
                // orchestrator's patience started then.
                self.phase = Phase::Draining;
                self.deadline.get_or_insert(now + self.grace);
                Step::TermDescendants
            }
            // Processes re-parented since the last sweep have not been asked yet.
            Phase::Draining => Step::TermDescendants,
            Phase::Killing => Step::KillDescendants,
        }
    }

    /// The loop woke up without an event.
    pub fn on_timeout(&mut self, now: Instant) -> Step {
        match self.next_deadline() {
            Some(deadline) if now >= deadline => {
                self.phase = Phase::Killing;
                Step::KillDescendants
            }
            _ => Step::Wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRACE: Duration = Duration::from_secs(10);

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn a_child_that_exits_alone_ends_pidone_with_its_code() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE);
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
        let mut life = Lifecycle::new(GRACE);
        assert_eq!(life.next_deadline(), None);
        assert!(life.on_signal(libc::SIGTERM, t0));
        assert_eq!(life.next_deadline(), Some(t0 + GRACE));
        assert!(!life.on_signal(libc::SIGTERM, t0 + secs(5)));
        assert!(!life.on_signal(libc::SIGINT, t0 + secs(6)));
        assert_eq!(life.next_deadline(), Some(t0 + GRACE));
    }

    #[test]
    fn sigint_starts_it_too() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE);
        assert!(life.on_signal(libc::SIGINT, t0));
        assert_eq!(life.next_deadline(), Some(t0 + GRACE));
    }

    #[test]
    fn other_signals_never_start_it() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE);
        for signal in [
            libc::SIGHUP,
            libc::SIGQUIT,
            libc::SIGUSR1,
            libc::SIGUSR2,
            libc::SIGWINCH,
        ] {
            assert!(!life.on_signal(signal, t0));
        }
        assert_eq!(life.next_deadline(), None);
        assert_eq!(life.on_timeout(t0 + secs(3600)), Step::Wait);
    }

    #[test]
    fn the_deadline_kills_only_once_it_has_passed() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE);
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
        let mut life = Lifecycle::new(GRACE);
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
        let mut life = Lifecycle::new(GRACE);
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
        let mut life = Lifecycle::new(GRACE);
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
        let mut life = Lifecycle::new(GRACE);
        life.on_child_exit(0);
        life.after_reaping(true, t0);
        assert!(!life.on_signal(libc::SIGTERM, t0 + secs(5)));
        assert_eq!(life.next_deadline(), Some(t0 + GRACE));
    }

    #[test]
    fn zero_grace_kills_at_once() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(Duration::ZERO);
        life.on_signal(libc::SIGTERM, t0);
        assert_eq!(life.on_timeout(t0), Step::KillDescendants);
    }

    #[test]
    fn the_child_outliving_the_kill_is_still_awaited() {
        let t0 = Instant::now();
        let mut life = Lifecycle::new(GRACE);
        life.on_signal(libc::SIGTERM, t0);
        life.on_timeout(t0 + GRACE);
        assert_eq!(
            life.after_reaping(true, t0 + GRACE),
            Step::Wait,
            "child not reaped yet"
        );
    }
}
