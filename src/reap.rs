//! Reaping: every process that has exited, in one pass of `waitpid(-1, WNOHANG)`, and the
//! main child's stops and continuations, asked of it alone.

use log::{debug, warn};

use crate::descendants::Sweeper;
use crate::signals::Signal;
use crate::sys::{self, ChildEvent};

/// What one reaping pass found.
pub struct Reaped {
    /// The main child's raw status, if it ended.
    pub child_status: Option<i32>,
    /// The signal that stopped the main child, if it was stopped (and not continued since).
    pub child_stopped: Option<Signal>,
    /// The main child was continued.
    pub child_continued: bool,
    /// How many processes other than the main child were reaped.
    pub others: usize,
    /// Whether any process pidone is responsible for is still alive.
    pub descendants_left: bool,
}

/// Reaps every exited process, then notices the main child stopping and continuing.
/// `child` is the main child's pid until it has been reaped: afterwards the number may be
/// reused by any process, whose exit is not the child's. Only the main child is asked for
/// stops: `WUNTRACED` on every pass over all children would make each one slower.
pub fn reap(mut child: Option<libc::pid_t>, sweeper: &mut Sweeper, warn_on_reap: bool) -> Reaped {
    let mut reaped = Reaped {
        child_status: None,
        child_stopped: None,
        child_continued: false,
        others: 0,
        descendants_left: true,
    };
    loop {
        match sys::next_exit() {
            Ok(None) => break,
            // ECHILD: no child left, hence no descendant: every orphan is re-parented to
            // pidone, so a live descendant implies a live child.
            Err(_) => {
                reaped.descendants_left = false;
                return reaped;
            }
            Ok(Some((pid, status))) => {
                sweeper.forget(pid);
                if Some(pid) == child {
                    reaped.child_status = Some(status);
                    child = None;
                } else {
                    reaped.others = reaped.others.saturating_add(1);
                    if warn_on_reap {
                        warn!("reaped process {pid}, which is not the child");
                    } else {
                        debug!("reaped process {pid}");
                    }
                }
            }
        }
    }
    while let Some(pid) = child {
        match sys::next_change_of(pid) {
            Ok(Some(ChildEvent::Stopped { signal, .. })) => reaped.child_stopped = Some(signal),
            Ok(Some(ChildEvent::Continued { .. })) => {
                reaped.child_stopped = None;
                reaped.child_continued = true;
            }
            // It ended between the two passes.
            Ok(Some(ChildEvent::Ended { status, .. })) => {
                sweeper.forget(pid);
                reaped.child_status = Some(status);
                child = None;
            }
            Ok(None) | Err(_) => break,
        }
    }
    reaped
}
