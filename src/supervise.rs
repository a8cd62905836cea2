//! The supervision loop: sleep until a signal, a child's exit or the deadline; forward,
//! reap, escalate; return the exit code. Decisions are `Lifecycle`'s; this is the thin
//! layer of system calls around it.

use std::io;
use std::time::Instant;

use log::{debug, info, warn};

use crate::config::Config;
use crate::descendants::{Scope, Sweeper};
use crate::duration;
use crate::exit;
use crate::lifecycle::{Lifecycle, Step};
use crate::signals::{self, Received, SignalSet};
use crate::spawn::Child;

/// Where forwarded signals go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The child's process group: the child and everything it started that stayed in it.
    Group,
    /// The child alone.
    Child,
}

/// Most signals a single wake-up takes; any beyond wait for the next turn.
const BATCH: usize = 64;

/// Takes every signal pending now, each standard signal at most once. A flood of one
/// signal cannot starve another this way (sigtimedwait alone always returns the
/// lowest-numbered pending signal first).
fn next_batch(
    handled: &SignalSet,
    deadline: Option<Instant>,
    batch: &mut Vec<Received>,
) -> io::Result<()> {
    batch.clear();
    let timeout = deadline.map(|d| d.saturating_duration_since(Instant::now()));
    let Some(first) = signals::wait(handled, timeout)? else {
        return Ok(());
    };
    batch.push(first);
    let mut rest = *handled;
    rest.remove(first.signal);
    while batch.len() < BATCH {
        let Some(next) = signals::wait(&rest, Some(std::time::Duration::ZERO))? else {
            break;
        };
        rest.remove(next.signal);
        batch.push(next);
    }
    Ok(())
}

/// Reaps every exited process. Returns the main child's raw status if it was among them,
/// and whether any process pidone is responsible for is still alive.
fn reap(child: &Child, sweeper: &mut Sweeper) -> (Option<i32>, bool) {
    let mut child_status = None;
    loop {
        let mut status = 0;
        // SAFETY: waitpid writes only the status.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        match pid {
            0 => return (child_status, true),
            -1 => match io::Error::last_os_error().raw_os_error() {
                Some(libc::EINTR) => continue,
                // ECHILD: no child left, hence no descendant: every orphan is re-parented
                // to pidone, so a live descendant implies a live child.
                _ => return (child_status, false),
            },
            pid => {
                sweeper.forget(pid);
                if pid == child.pid {
                    child_status = Some(status);
                } else {
                    debug!("reaped process {pid}");
                }
            }
        }
    }
}

fn forward(signal: i32, child: &Child, target: Target, child_reaped: bool) {
    let destination = match target {
        Target::Group => -child.pid,
        // A reaped child's pid may already belong to someone else.
        Target::Child if child_reaped => return,
        Target::Child => child.pid,
    };
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

fn pid_list(pids: &[libc::pid_t]) -> String {
    pids.iter()
        .map(|pid| pid.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Supervises `child` until it and every other descendant is gone; returns the exit code.
pub fn supervise(child: Child, handled: &SignalSet, config: &Config) -> u8 {
    let grace = config.grace;
    let target = if config.single_child {
        Target::Child
    } else {
        Target::Group
    };
    let mut lifecycle = Lifecycle::new(grace);
    let me = std::process::id() as libc::pid_t;
    let mut sweeper = Sweeper::new(Scope {
        me,
        group: child.pid,
    });
    let mut batch = Vec::with_capacity(BATCH);
    let mut child_reaped = false;

    loop {
        if let Err(error) = next_batch(handled, lifecycle.next_deadline(), &mut batch) {
            log::error!("cannot wait for signals: {error}");
            return exit::FAILURE;
        }
        let now = Instant::now();
        let mut step = Step::Wait;
        let mut children_exited = false;

        let timed_out = batch.is_empty();
        if timed_out {
            step = lifecycle.on_timeout(now);
        }
        for received in &batch {
            if received.signal == libc::SIGCHLD {
                children_exited = true;
            } else if received.is_own_sigpipe(me) {
                debug!("not forwarding SIGPIPE: raised by pidone's own write to a closed pipe");
            } else {
                if lifecycle.on_signal(received.signal, now) {
                    info!(
                        "received {}: forwarding it; SIGKILL for whatever is left in {}",
                        signals::name(received.signal),
                        duration::display(grace)
                    );
                }
                forward(received.signal, &child, target, child_reaped);
            }
        }
        if children_exited {
            let (status, descendants_left) = reap(&child, &mut sweeper);
            if let Some(code) = status.and_then(exit::from_wait_status) {
                child_reaped = true;
                info!("child {} exited; exit code {code}", child.pid);
                lifecycle.on_child_exit(code);
            }
            step = lifecycle.after_reaping(descendants_left, now);
        }

        match step {
            Step::Wait => {}
            Step::TermDescendants => match sweeper.sweep(libc::SIGTERM) {
                Some(pids) if pids.is_empty() => {}
                Some(pids) => info!(
                    "child has exited; sending SIGTERM to pids {}",
                    pid_list(&pids)
                ),
                None => info!("child has exited; sending SIGTERM to the processes left"),
            },
            Step::KillDescendants => {
                let why = if timed_out {
                    format!("grace period of {} expired", duration::display(grace))
                } else {
                    "re-parented after the deadline".to_string()
                };
                match sweeper.sweep(libc::SIGKILL) {
                    Some(pids) if pids.is_empty() => {}
                    Some(pids) => warn!("{why}: sending SIGKILL to pids {}", pid_list(&pids)),
                    None => {
                        warn!("{why}: sending SIGKILL to every process left (/proc is unreadable)")
                    }
                }
            }
            Step::Exit(code) => return code,
        }
    }
}
