//! The supervision loop, as tini's reads: wait for the next event (a signal, a child's
//! change, the deadline), ask the lifecycle what it means, carry out the steps it returns
//! (forward, reap, drain, kill, exit). Decisions are `Lifecycle`'s (`lifecycle.rs`) and the
//! forwarding rule is `forward.rs`'s; this is the thin layer of system calls around them.

use std::io;
use std::time::{Duration, Instant};

use log::{debug, info, warn};

use crate::config::{Config, Isolation};
use crate::descendants::{Scope, Sweeper};
use crate::duration;
use crate::exit;
use crate::forward::{self, Disposition, Relay};
use crate::lifecycle::{Lifecycle, Rules, Step, Steps};
use crate::reap::reap;
use crate::signals::Signal;
use crate::sigset::{self, Received, SignalSet};
use crate::spawn::Child;
use crate::sys;
use crate::terminal::{Foreground, Terminal};

/// How long SIGCHLD waits after a reaping pass that found orphans that had exited. When
/// hundreds exit at once, pidone would otherwise wake for each of them, and each wake-up
/// ends with a pass over every child that finds nothing; waiting a moment lets one pass
/// reap many. Every other signal still wakes pidone at once, and no zombie stays longer
/// than this.
const SETTLE: Duration = Duration::from_millis(4);

/// Most signals a single wake-up takes; any beyond wait for the next turn.
const BATCH: usize = 64;

/// Every this many wake-ups, pidone also takes every other signal already pending before
/// it sleeps again. sigtimedwait always returns the lowest-numbered pending signal first,
/// so a flood of one signal could otherwise starve another; checking on every wake-up
/// would cost a system call per signal (per exiting orphan, in a burst).
const FAIRNESS_EVERY: u64 = 16;

/// The signals of one wake-up: the one that woke pidone, handled before anything else is
/// looked at, and — on a fairness turn — every other signal pending, each at most once.
struct WakeUp {
    /// Handled signals not taken yet in this wake-up.
    rest: SignalSet,
    taken: usize,
    fairness_turn: bool,
}

impl WakeUp {
    /// Sleeps until a signal arrives or the deadline passes (`None`).
    fn wait(
        handled: &SignalSet,
        deadline: Option<Instant>,
        fairness_turn: bool,
    ) -> io::Result<Option<(Received, WakeUp)>> {
        let timeout = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let Some(first) = sigset::wait(handled, timeout)? else {
            return Ok(None);
        };
        let mut rest = *handled;
        rest.remove(first.signal);
        Ok(Some((
            first,
            WakeUp {
                rest,
                taken: 1,
                fairness_turn,
            },
        )))
    }

    /// On a fairness turn, the next other signal already pending, without sleeping.
    fn next(&mut self) -> io::Result<Option<Received>> {
        if !self.fairness_turn || self.taken >= BATCH {
            return Ok(None);
        }
        let next = sigset::wait(&self.rest, Some(std::time::Duration::ZERO))?;
        if let Some(received) = next {
            self.rest.remove(received.signal);
            self.taken = self.taken.saturating_add(1);
        }
        Ok(next)
    }
}

fn failed_to_wait(error: io::Error) -> u8 {
    log::error!("cannot wait for signals: {error}");
    exit::FAILURE
}

fn pid_list(pids: &[libc::pid_t]) -> String {
    pids.iter()
        .map(|pid| pid.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a shutdown's log line says of the deadline.
fn deadline_note(grace: Option<std::time::Duration>) -> String {
    match grace {
        Some(grace) => format!(
            "SIGKILL for whatever is left in {}",
            duration::display(grace)
        ),
        None => "no deadline of pidone's own (no grace set)".to_string(),
    }
}

/// Supervises `child` until it and every other descendant is gone — or, by the
/// `--on-child-exit` rule, until the child is; returns the exit code. `terminal` is the
/// terminal the child was given as its foreground, if any; `me` is pidone's pid.
pub fn supervise(
    child: Child,
    handled: &SignalSet,
    config: &Config,
    isolation: Isolation,
    terminal: Option<Terminal>,
    me: libc::pid_t,
) -> u8 {
    let mut supervisor = Supervisor::new(child, config, isolation, terminal, me);
    let mut wake_ups: u64 = 0;
    // While orphans are exiting, SIGCHLD waits: see `SETTLE`.
    let settling = handled.without(Signal::CHLD);
    loop {
        wake_ups = wake_ups.wrapping_add(1);
        let fairness_turn = wake_ups.is_multiple_of(FAIRNESS_EVERY);
        let deadline = supervisor.lifecycle.next_deadline();
        let (set, wake_at) = match supervisor.settle_until {
            Some(settled) => (
                &settling,
                Some(deadline.map_or(settled, |d| d.min(settled))),
            ),
            None => (handled, deadline),
        };
        let woken = match WakeUp::wait(set, wake_at, fairness_turn) {
            Ok(woken) => woken,
            Err(error) => return failed_to_wait(error),
        };
        let steps = match woken {
            Some((first, wake_up)) => supervisor.on_signals(first, wake_up),
            None if supervisor.settle_until.is_some_and(|t| Instant::now() >= t) => {
                supervisor.on_settled()
            }
            None => Ok(supervisor.on_deadline()),
        };
        let steps = match steps {
            Ok(steps) => steps,
            Err(error) => return failed_to_wait(error),
        };
        for &step in steps.as_slice() {
            if let Some(code) = supervisor.carry_out(step) {
                return code;
            }
        }
    }
}

/// What supervision holds: the lifecycle that decides, the relay that forwards, the
/// sweeper that signals descendants, and the terminal.
struct Supervisor<'a> {
    config: &'a Config,
    me: libc::pid_t,
    child: libc::pid_t,
    lifecycle: Lifecycle,
    relay: Relay<'a>,
    sweeper: Sweeper,
    terminal: Option<Terminal>,
    /// The last wake-up was the deadline, not an event.
    deadline_passed: bool,
    /// Until when SIGCHLD waits, after a pass that reaped orphans (see [`SETTLE`]).
    settle_until: Option<Instant>,
}

impl<'a> Supervisor<'a> {
    fn new(
        child: Child,
        config: &'a Config,
        isolation: Isolation,
        terminal: Option<Terminal>,
        me: libc::pid_t,
    ) -> Self {
        let lifecycle = Lifecycle::new(
            Rules {
                grace: config.grace,
                drain: config.drain,
                stop_delay: config.stop_delay,
                timeout: config.timeout,
                on_child_exit: config.on_child_exit.choose(me == 1),
            },
            Instant::now(),
        );
        let group = (isolation != Isolation::Shared).then_some(child.pid);
        let sweeper = Sweeper::new(Scope { me, group });
        if !sweeper.finds_every_descendant() {
            warn!(
                "/proc is not mounted, or belongs to another PID namespace: processes that leave the child's process group are reaped, but cannot be found to be signalled; any that outlive the grace are left behind"
            );
        }
        let shares_terminal = terminal.is_some_and(|t| t.foreground() == Foreground::Share);
        Supervisor {
            config,
            me,
            child: child.pid,
            lifecycle,
            relay: Relay::new(child.pid, config.target, &config.rewrite, shares_terminal),
            sweeper,
            terminal,
            deadline_passed: false,
            settle_until: None,
        }
    }

    /// The signals of one wake-up, each handled as it is taken; then, if a child changed
    /// state, the reaping. The steps to carry out, in order.
    fn on_signals(&mut self, first: Received, mut wake_up: WakeUp) -> io::Result<Steps> {
        self.deadline_passed = false;
        let now = Instant::now();
        let mut drain = false;
        let mut children_changed = false;
        let mut next = Some(first);
        while let Some(received) = next {
            match forward::disposition(&received, self.me) {
                Disposition::Reap => children_changed = true,
                Disposition::Own => {
                    debug!("not forwarding SIGPIPE: raised by pidone's own write to a closed pipe")
                }
                Disposition::Forward => drain |= self.react(received.signal, Some(&received), now),
            }
            next = wake_up.next()?;
        }
        let mut steps = if children_changed {
            self.on_children_changed(now)
        } else {
            Steps::one(Step::Wait)
        };
        // The drain a signal asked for, unless reaping found something else to do.
        if let Some(last @ Step::Wait) = steps.last_mut()
            && drain
        {
            *last = Step::TermDescendants;
        }
        Ok(steps)
    }

    /// The lifecycle's reaction to `signal` (received, or the `--timeout`'s stand-in), carried
    /// out: forwarded, logged, and pidone stopped after a job-control stop. Whether the
    /// signal asks for the drain.
    fn react(&mut self, signal: Signal, received: Option<&Received>, now: Instant) -> bool {
        let reaction = self.lifecycle.on_signal(signal, now);
        let deadline = deadline_note(self.config.grace);
        // The `--timeout` logs its own warning.
        if received.is_some() && reaction.held {
            info!(
                "received SIGTERM: forwarding it in {}; {deadline}",
                duration::display(self.config.stop_delay)
            );
        } else if received.is_some() && reaction.shutdown_started {
            info!("received {signal}: forwarding it; {deadline}");
        }
        match received {
            Some(received) => {
                self.relay
                    .forward_reaction(received, &reaction.forward, &mut self.sweeper)
            }
            None => {
                for &forwarded in &reaction.forward {
                    self.relay.forward(forwarded, &mut self.sweeper);
                }
            }
        }
        if reaction.stop_self {
            self.stop_self();
        }
        reaction.drain
    }

    /// The loop woke up at the deadline, with no event.
    fn on_deadline(&mut self) -> Steps {
        self.deadline_passed = true;
        let now = Instant::now();
        match self.lifecycle.on_deadline(now) {
            Step::TimedOut => {
                if let Some(timeout) = self.config.timeout {
                    warn!(
                        "the child has run for its timeout of {}: stopping it as if SIGTERM had been received; {}",
                        duration::display(timeout),
                        deadline_note(self.config.grace)
                    );
                }
                self.react(Signal::TERM, None, now);
                Steps::new()
            }
            step => Steps::one(step),
        }
    }

    /// The settling time is over: take the SIGCHLD that waited, and reap.
    fn on_settled(&mut self) -> io::Result<Steps> {
        self.settle_until = None;
        self.deadline_passed = false;
        sigset::wait(&SignalSet::of([Signal::CHLD]), Some(Duration::ZERO))?;
        Ok(self.on_children_changed(Instant::now()))
    }

    /// SIGCHLD: reap, tell the lifecycle what happened to the child; the steps it asks for.
    fn on_children_changed(&mut self, now: Instant) -> Steps {
        let unreaped = self.relay.unreaped_child();
        let reaped = reap(unreaped, &mut self.sweeper, self.config.warn_on_reap);
        if reaped.others > 0 && reaped.descendants_left {
            self.settle_until = now.checked_add(SETTLE);
        }
        if let Some(code) = reaped.child_status.and_then(exit::from_wait_status) {
            self.relay.child_reaped();
            info!("child {} exited; exit code {code}", self.child);
            self.lifecycle
                .on_child_exit(exit::remap(code, &self.config.remap_exit));
        }
        // With nothing left, pidone exits: there is no group to check.
        if self.relay.unreaped_child().is_none() && reaped.descendants_left {
            self.sweeper.let_go_of_group_if_empty();
        }
        let mut steps = Steps::new();
        if let Some(signal) = reaped.child_stopped {
            self.relay.child_stopped(true);
            steps = self
                .lifecycle
                .on_child_stopped(signal, self.terminal.is_some());
        } else if reaped.child_continued {
            self.relay.child_stopped(false);
        }
        steps.push(self.lifecycle.after_reaping(reaped.descendants_left, now));
        steps
    }

    /// Carries out one step; `Some(code)` when pidone is to exit with it.
    fn carry_out(&mut self, step: Step) -> Option<u8> {
        match step {
            Step::Wait | Step::TimedOut => {}
            Step::Forward(signal) => {
                info!("stop delay over: forwarding {signal}");
                self.relay.forward(signal, &mut self.sweeper);
            }
            Step::ContinueChild => self.relay.resume(&mut self.sweeper),
            Step::StopWithChild => {
                self.stop_self();
                if let Some(terminal) = self.terminal {
                    terminal.hand_over_if_foreground(self.child);
                }
            }
            Step::TermDescendants => self.term_descendants(),
            Step::KillDescendants => return self.kill_descendants(),
            Step::Exit(code) => return Some(code),
            Step::Leave(code) => {
                info!("the child has exited; leaving the other processes running");
                return Some(code);
            }
            Step::TermGroupAndLeave(code) => {
                info!(
                    "the child has exited; sending SIGTERM to its process group and leaving the processes left running"
                );
                self.sweeper
                    .term_group_unless_asked(self.config.rewrite.apply(Signal::TERM));
                return Some(code);
            }
        }
        None
    }

    /// Suspends pidone until it is continued, as a shell's job control expects of the
    /// process it started. Never as PID 1: the kernel does not stop an init.
    fn stop_self(&self) {
        if self.me != 1 {
            debug!("suspending pidone itself");
            sys::stop_self();
        }
    }

    fn term_descendants(&mut self) {
        match self.sweeper.sweep(Signal::TERM) {
            Some(pids) if pids.is_empty() => {}
            Some(pids) => info!(
                "the child has exited; sending SIGTERM to pids {}",
                pid_list(&pids)
            ),
            None => info!("the child has exited; sending SIGTERM to the processes left"),
        }
    }

    /// The deadline's SIGKILL, logged with the deadline that ran out; `Some(code)` when
    /// pidone is to exit after it.
    fn kill_descendants(&mut self) -> Option<u8> {
        let why = if self.deadline_passed {
            let length = self.lifecycle.deadline_length().unwrap_or_default();
            // Without a grace, the only deadline there is is the drain's.
            let which = if self.config.grace.is_some() {
                "grace period"
            } else {
                "drain deadline"
            };
            format!("{which} of {} expired", duration::display(length))
        } else {
            "re-parented after the deadline".to_string()
        };
        let finds_every_descendant = self.sweeper.finds_every_descendant();
        match self.sweeper.sweep(Signal::KILL) {
            Some(pids) if pids.is_empty() => {}
            Some(pids) => warn!("{why}: sending SIGKILL to pids {}", pid_list(&pids)),
            None if finds_every_descendant => warn!(
                "{why}: sending SIGKILL to every process left (without a /proc of this PID namespace, pidone cannot name them)"
            ),
            None => warn!(
                "{why}: sending SIGKILL to the child's process group; without /proc no other process can be found"
            ),
        }
        match self.lifecycle.after_kill(finds_every_descendant) {
            Step::Exit(code) => {
                info!(
                    "the child is reaped; processes left outside its process group cannot be found without /proc and are left to pidone's parent"
                );
                Some(code)
            }
            _ => None,
        }
    }
}
