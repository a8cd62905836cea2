//! The supervision loop: sleep until a signal, a child's exit or the deadline; forward,
//! reap, escalate; return the exit code. Decisions are `Lifecycle`'s; this is the thin
//! layer of system calls around it.

use std::io;
use std::time::Instant;

use log::{debug, info, warn};

use crate::config::{Config, Isolation, Target};
use crate::descendants::{self, Scope, Sweeper};
use crate::duration;
use crate::exit;
use crate::lifecycle::{Lifecycle, Rules, Step};
use crate::signals::{self, Received, Rewrite, SignalSet};
use crate::spawn::Child;
use crate::terminal::{Foreground, Terminal};

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
        let Some(first) = signals::wait(handled, timeout)? else {
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
        let next = signals::wait(&self.rest, Some(std::time::Duration::ZERO))?;
        if let Some(received) = next {
            self.rest.remove(received.signal);
            self.taken = self.taken.saturating_add(1);
        }
        Ok(next)
    }
}

/// What one reaping pass found.
struct Reaped {
    /// The main child's raw status, if it ended.
    child_status: Option<i32>,
    /// The signal that stopped the main child, if it was stopped (and not continued since).
    child_stopped: Option<i32>,
    /// The main child was continued.
    child_continued: bool,
    /// Whether any process pidone is responsible for is still alive.
    descendants_left: bool,
}

/// Reaps every exited process, and notices the main child stopping and continuing.
/// `child` is the main child's pid until it has been reaped: afterwards the number may be
/// reused by any process, whose exit is not the child's.
fn reap(mut child: Option<libc::pid_t>, sweeper: &mut Sweeper, warn_on_reap: bool) -> Reaped {
    let mut reaped = Reaped {
        child_status: None,
        child_stopped: None,
        child_continued: false,
        descendants_left: true,
    };
    loop {
        let mut status = 0;
        // SAFETY: waitpid writes only the status.
        let pid = unsafe {
            libc::waitpid(
                -1,
                &mut status,
                libc::WNOHANG | libc::WUNTRACED | libc::WCONTINUED,
            )
        };
        match pid {
            0 => return reaped,
            -1 => match io::Error::last_os_error().raw_os_error() {
                Some(libc::EINTR) => continue,
                // ECHILD: no child left, hence no descendant: every orphan is re-parented
                // to pidone, so a live descendant implies a live child.
                _ => {
                    reaped.descendants_left = false;
                    return reaped;
                }
            },
            pid if libc::WIFSTOPPED(status) => {
                if Some(pid) == child {
                    reaped.child_stopped = Some(libc::WSTOPSIG(status));
                }
            }
            pid if libc::WIFCONTINUED(status) => {
                if Some(pid) == child {
                    reaped.child_stopped = None;
                    reaped.child_continued = true;
                }
            }
            pid => {
                sweeper.forget(pid);
                if Some(pid) == child {
                    reaped.child_status = Some(status);
                    child = None;
                } else if warn_on_reap {
                    warn!("reaped process {pid}, which is not the child");
                } else {
                    debug!("reaped process {pid}");
                }
            }
        }
    }
}

/// Forwarding what pidone receives: rewritten as configured, to the child or its process
/// group for as long as they are pidone's to signal.
struct Relay<'a> {
    child: Child,
    target: Target,
    rewrite: &'a Rewrite,
    child_reaped: bool,
    /// The child is stopped: a signal that should end it must be followed by SIGCONT.
    child_stopped: bool,
    /// The child is in pidone's process group, which holds the terminal's foreground: what
    /// the terminal sends reaches the child from the kernel (see [`Foreground::Share`]).
    shares_terminal: bool,
}

impl Relay<'_> {
    fn forward(&self, received: i32, sweeper: &mut Sweeper) {
        let Some(signal) = self.rewrite.apply(received) else {
            debug!("dropping {}: rewritten to 0", signals::name(received));
            return;
        };
        let Some(destination) = self.destination(sweeper) else {
            debug!(
                "not forwarding {}: the child is reaped and its process group is empty",
                signals::name(signal)
            );
            return;
        };
        send(destination, signal);
        if signals::is_shutdown(received) {
            sweeper.record_asked(destination);
        }
        // Only when needed: a SIGCONT right behind every SIGTERM would delay the
        // application's handling of it.
        if signals::resumes(received) && self.child_stopped {
            send(destination, libc::SIGCONT);
        }
    }

    /// Continues a child found stopped while it is being stopped for good.
    fn resume(&self, sweeper: &mut Sweeper) {
        if let Some(destination) = self.destination(sweeper) {
            send(destination, libc::SIGCONT);
        }
    }

    fn destination(&self, sweeper: &mut Sweeper) -> Option<libc::pid_t> {
        if self.child_reaped {
            sweeper.let_go_of_group_if_empty();
        }
        descendants::forward_destination(
            self.target,
            self.child.pid,
            self.child_reaped,
            sweeper.group(),
        )
    }
}

fn send(destination: libc::pid_t, signal: i32) {
    // SAFETY: kill has no memory effects; destination is the child or its group.
    if unsafe { libc::kill(destination, signal) } == 0 {
        debug!("forwarded {} to {destination}", signals::name(signal));
    } else {
        debug!(
            "could not forward {} to {destination}: {}",
            signals::name(signal),
            io::Error::last_os_error()
        );
    }
}

/// Suspends pidone until it is continued, as a shell's job control expects of the process
/// it started. Never as PID 1: the kernel does not stop an init.
fn suspend_self(me: libc::pid_t) {
    if me != 1 {
        debug!("suspending pidone itself");
        // SAFETY: stopping this very process; execution resumes here on SIGCONT.
        unsafe { libc::kill(me, libc::SIGSTOP) };
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
/// terminal the child was given as its foreground, if any.
pub fn supervise(
    child: Child,
    handled: &SignalSet,
    config: &Config,
    isolation: Isolation,
    terminal: Option<Terminal>,
) -> u8 {
    let me = std::process::id() as libc::pid_t;
    let mut lifecycle = Lifecycle::new(
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
    let mut sweeper = Sweeper::new(Scope { me, group });
    if !sweeper.finds_every_descendant() {
        warn!(
            "/proc is not mounted, or belongs to another PID namespace: processes that leave the child's process group are reaped, but cannot be found to be signalled; any that outlive the grace are left behind"
        );
    }
    let mut relay = Relay {
        child,
        target: config.target,
        rewrite: &config.rewrite,
        child_reaped: false,
        child_stopped: false,
        shares_terminal: terminal.is_some_and(|t| t.foreground() == Foreground::Share),
    };
    let mut wake_ups: u64 = 0;

    loop {
        wake_ups = wake_ups.wrapping_add(1);
        let fairness_turn = wake_ups.is_multiple_of(FAIRNESS_EVERY);
        let woken = match WakeUp::wait(handled, lifecycle.next_deadline(), fairness_turn) {
            Ok(woken) => woken,
            Err(error) => return failed_to_wait(error),
        };
        let now = Instant::now();
        let mut step = Step::Wait;
        let mut children_changed = false;

        let timed_out = woken.is_none();
        if let Some((first, mut wake_up)) = woken {
            let mut next = Some(first);
            while let Some(received) = next {
                let signal = received.signal;
                if signal == libc::SIGCHLD {
                    children_changed = true;
                } else if received.is_own_sigpipe(me) {
                    debug!("not forwarding SIGPIPE: raised by pidone's own write to a closed pipe");
                } else {
                    let reaction = lifecycle.on_signal(signal, now);
                    if reaction.held {
                        info!(
                            "received SIGTERM: forwarding it in {}; {}",
                            duration::display(config.stop_delay),
                            deadline_note(config.grace)
                        );
                    } else if reaction.shutdown_started {
                        info!(
                            "received {}: forwarding it; {}",
                            signals::name(signal),
                            deadline_note(config.grace)
                        );
                    }
                    // What the terminal sent to the process group the child shares with
                    // pidone has reached the child already.
                    let from_terminal = relay.shares_terminal && received.code == libc::SI_KERNEL;
                    for forwarded in reaction.forward {
                        if from_terminal && forwarded == signal {
                            debug!(
                                "not forwarding {}: the terminal sent it to the child's process group",
                                signals::name(signal)
                            );
                        } else {
                            relay.forward(forwarded, &mut sweeper);
                        }
                    }
                    if reaction.drain {
                        step = Step::TermDescendants;
                    }
                    if signals::is_job_control_stop(signal) {
                        suspend_self(me);
                    }
                }
                next = match wake_up.next() {
                    Ok(next) => next,
                    Err(error) => return failed_to_wait(error),
                };
            }
        } else {
            step = lifecycle.on_timeout(now);
        }
        if step == Step::TimedOut {
            if let Some(timeout) = config.timeout {
                warn!(
                    "the child has run for its timeout of {}: stopping it as if SIGTERM had been received; {}",
                    duration::display(timeout),
                    deadline_note(config.grace)
                );
            }
            let reaction = lifecycle.on_signal(libc::SIGTERM, now);
            for signal in reaction.forward {
                relay.forward(signal, &mut sweeper);
            }
            step = Step::Wait;
        }
        if children_changed {
            let unreaped = (!relay.child_reaped).then_some(child.pid);
            let reaped = reap(unreaped, &mut sweeper, config.warn_on_reap);
            if let Some(code) = reaped.child_status.and_then(exit::from_wait_status) {
                relay.child_reaped = true;
                info!("child {} exited; exit code {code}", child.pid);
                lifecycle.on_child_exit(exit::remap(code, &config.remap_exit));
            }
            // With nothing left, pidone exits: there is no group to check.
            if relay.child_reaped && reaped.descendants_left {
                sweeper.let_go_of_group_if_empty();
            }
            if reaped.child_stopped.is_some() {
                relay.child_stopped = true;
                // A SIGTERM may have been forwarded just before the stop was noticed.
                if lifecycle.shutting_down() {
                    relay.resume(&mut sweeper);
                }
            } else if reaped.child_continued {
                relay.child_stopped = false;
            }
            if let (Some(signal), Some(terminal)) = (reaped.child_stopped, terminal) {
                // The child stopped at the terminal (Ctrl-Z): so does pidone, so the shell
                // that started it regains the terminal; once continued, the child gets the
                // terminal back, if the shell gave it to pidone (fg, not bg).
                if signals::is_job_control_stop(signal) {
                    suspend_self(me);
                    terminal.hand_over_if_foreground(child.pid);
                }
            }
            step = match lifecycle.after_reaping(reaped.descendants_left, now) {
                Step::Wait if step == Step::TermDescendants => step,
                next => next,
            };
        }

        match step {
            Step::Wait | Step::TimedOut => {}
            Step::Forward(signal) => {
                info!("stop delay over: forwarding {}", signals::name(signal));
                relay.forward(signal, &mut sweeper);
            }
            Step::TermDescendants => match sweeper.sweep(libc::SIGTERM) {
                Some(pids) if pids.is_empty() => {}
                Some(pids) => info!(
                    "the child has exited; sending SIGTERM to pids {}",
                    pid_list(&pids)
                ),
                None => info!("the child has exited; sending SIGTERM to the processes left"),
            },
            Step::KillDescendants => {
                let why = if timed_out {
                    let length = lifecycle.deadline_length().unwrap_or_default();
                    // Without a grace, the only deadline there is is the drain's.
                    let which = if config.grace.is_some() {
                        "grace period"
                    } else {
                        "drain deadline"
                    };
                    format!("{which} of {} expired", duration::display(length))
                } else {
                    "re-parented after the deadline".to_string()
                };
                match sweeper.sweep(libc::SIGKILL) {
                    Some(pids) if pids.is_empty() => {}
                    Some(pids) => warn!("{why}: sending SIGKILL to pids {}", pid_list(&pids)),
                    None if sweeper.finds_every_descendant() => {
                        warn!(
                            "{why}: sending SIGKILL to every process left (without a /proc of this PID namespace, pidone cannot name them)"
                        )
                    }
                    None => warn!(
                        "{why}: sending SIGKILL to the child's process group; without /proc no other process can be found"
                    ),
                }
                if !sweeper.finds_every_descendant()
                    && let Step::Exit(code) = lifecycle.after_blind_kill()
                {
                    info!(
                        "the child is reaped; processes left outside its process group cannot be found without /proc and are left to pidone's parent"
                    );
                    return code;
                }
            }
            Step::Exit(code) => return code,
            Step::Leave(code) => {
                info!("the child has exited; leaving the other processes running");
                return code;
            }
            Step::TermGroupAndLeave(code) => {
                info!(
                    "the child has exited; sending SIGTERM to its process group and leaving the processes left running"
                );
                sweeper.term_group_unless_asked(config.rewrite.apply(libc::SIGTERM));
                return code;
            }
        }
    }
}

/// Pause mode: no child. Reaps whatever is re-parented to pidone and exits 0 on SIGTERM or
/// SIGINT; other signals are ignored, and nothing wakes pidone up in between.
pub fn pause(handled: &SignalSet) -> u8 {
    loop {
        let received = match signals::wait(handled, None) {
            Ok(Some(received)) => received,
            Ok(None) => continue,
            Err(error) => {
                log::error!("cannot wait for signals: {error}");
                return exit::FAILURE;
            }
        };
        match received.signal {
            libc::SIGCHLD => loop {
                // SAFETY: waitpid with a null status pointer only reaps.
                if unsafe { libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) } <= 0 {
                    break;
                }
            },
            signal if signals::is_shutdown(signal) => {
                info!("received {}: pausing is over", signals::name(signal));
                return 0;
            }
            signal => debug!("ignoring {} while pausing", signals::name(signal)),
        }
    }
}
