//! The child's side, between fork and exec: its place (a session or process group of its
//! own, the terminal's foreground), pidone's signal changes undone, exec along the PATH —
//! and, when any of it fails, the report that pidone reads from the close-on-exec pipe.
//! Only async-signal-safe calls here: nothing allocates, nothing takes a lock.

use std::io;
use std::os::fd::RawFd;

use super::{ExecPlan, Placement, format_listen_pid};
use crate::config::Isolation;
use crate::exit;
use crate::sigset::Inherited;
use crate::sys;

/// The child's calls before exec, and exec itself: which one failed, as the report pipe
/// names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ChildCall {
    Exec,
    Setsid,
    Setpgid,
    Tcsetpgrp,
}

impl ChildCall {
    const ALL: [ChildCall; 4] = [
        ChildCall::Exec,
        ChildCall::Setsid,
        ChildCall::Setpgid,
        ChildCall::Tcsetpgrp,
    ];

    /// The system call's name, for the error line.
    pub(super) fn call(self) -> &'static str {
        match self {
            ChildCall::Exec => "execve",
            ChildCall::Setsid => "setsid",
            ChildCall::Setpgid => "setpgid",
            ChildCall::Tcsetpgrp => "tcsetpgrp",
        }
    }
}

/// Bytes in a report: errno, step, candidate index, each a native-endian u32.
pub(super) const REPORT_LEN: usize = 12;

/// What the child writes to the report pipe when it cannot exec: which step failed, with
/// which errno, and for exec, which PATH candidate the error belongs to. A pipe that closes
/// with no report means exec succeeded (the pipe is close-on-exec).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Report {
    pub(super) step: ChildCall,
    pub(super) errno: i32,
    pub(super) candidate: u32,
}

impl Report {
    fn to_bytes(self) -> [u8; REPORT_LEN] {
        let step = ChildCall::ALL
            .iter()
            .position(|&s| s == self.step)
            .unwrap_or(0) as u32;
        let mut bytes = [0u8; REPORT_LEN];
        for (chunk, value) in bytes.chunks_exact_mut(4).zip([
            self.errno.to_ne_bytes(),
            step.to_ne_bytes(),
            self.candidate.to_ne_bytes(),
        ]) {
            chunk.copy_from_slice(&value);
        }
        bytes
    }

    pub(super) fn from_bytes(bytes: [u8; REPORT_LEN]) -> Report {
        let mut words = bytes
            .chunks_exact(4)
            .map(|chunk| u32::from_ne_bytes(chunk.try_into().unwrap_or_default()));
        let mut next = || words.next().unwrap_or_default();
        let (errno, step, candidate) = (next(), next(), next());
        Report {
            errno: errno as i32,
            step: ChildCall::ALL
                .get(step as usize)
                .copied()
                .unwrap_or(ChildCall::Exec),
            candidate,
        }
    }
}

/// The report of a failed call (an OS error: nothing allocated).
fn failed(step: ChildCall, error: io::Error) -> Report {
    Report {
        step,
        errno: error.raw_os_error().unwrap_or_default(),
        candidate: 0,
    }
}

/// The child's place: a session or process group of its own, so signals for the group
/// reach the application and everything it starts, and nothing of pidone's; then the
/// terminal's foreground, still with pidone's signals blocked, SIGTTOU included, so a
/// background process group may take it without being stopped. As tini, a terminal that
/// is gone (ENOTTY, ENXIO) is no reason not to run the command.
fn place(placement: &Placement) -> Result<(), Report> {
    match placement.isolation {
        Isolation::Session => {
            // SAFETY: setsid has no memory effects and is async-signal-safe.
            sys::cvt(unsafe { libc::setsid() }).map_err(|e| failed(ChildCall::Setsid, e))?;
        }
        Isolation::Group => {
            // SAFETY: setpgid has no memory effects and is async-signal-safe.
            sys::cvt(unsafe { libc::setpgid(0, 0) }).map_err(|e| failed(ChildCall::Setpgid, e))?;
        }
        Isolation::Shared => {}
    }
    if placement.foreground
        && let Err(error) = sys::set_foreground_group(libc::STDIN_FILENO, sys::own_group())
        && !matches!(error.raw_os_error(), Some(libc::ENOTTY | libc::ENXIO))
    {
        return Err(failed(ChildCall::Tcsetpgrp, error));
    }
    Ok(())
}

/// execve along the PATH candidates with execvp's rules: a missing file or directory moves
/// on to the next entry; so does EACCES, but it is what gets reported if nothing else is
/// found. Returns only when every candidate failed.
fn exec_along_path(plan: &ExecPlan) -> Report {
    let mut reported = Report {
        step: ChildCall::Exec,
        errno: libc::ENOENT,
        candidate: 0,
    };
    let mut denied = None;
    for (index, path) in plan.candidates.iter().enumerate() {
        let envp = match &plan.envp {
            Some(copy) => copy.as_ptr(),
            None => sys::environ(),
        };
        // SAFETY: path, argv and envp are NUL-terminated arrays built before fork.
        unsafe { libc::execve(path.as_ptr(), plan.argv.as_ptr(), envp) };
        reported = Report {
            candidate: u32::try_from(index).unwrap_or(u32::MAX),
            ..failed(ChildCall::Exec, io::Error::last_os_error())
        };
        match reported.errno {
            libc::ENOENT | libc::ENOTDIR => continue,
            libc::EACCES => {
                denied.get_or_insert(reported);
                continue;
            }
            _ => break,
        }
    }
    if reported.errno == libc::ENOENT || reported.errno == libc::ENOTDIR {
        reported = denied.unwrap_or(reported);
    }
    reported
}

/// The child's side: its place, pidone's signal changes undone, exec along the PATH.
/// Nothing here allocates. A failure is written to `report_fd` and ends the child.
///
/// # Safety
/// Call only in the freshly forked child.
pub(super) unsafe fn exec_child(plan: &mut ExecPlan, inherited: &Inherited, report_fd: RawFd) -> ! {
    let report = match place(&plan.placement) {
        Err(report) => report,
        Ok(()) => {
            let slot = plan.listen_pid.zip(plan.envp.as_mut());
            if let Some(slot) = slot.and_then(|(index, envp)| envp.get_mut(index)) {
                format_listen_pid(sys::own_pid(), &mut plan.listen_pid_entry);
                *slot = plan.listen_pid_entry.as_ptr().cast();
            }
            // SAFETY: this is the freshly forked child, about to exec.
            unsafe {
                if plan.placement.reset_signals {
                    inherited.reset_in_child();
                } else {
                    inherited.restore_in_child();
                }
            }
            exec_along_path(plan)
        }
    };
    // Nothing more to do if the report cannot be written: pidone then sees the pipe
    // close, and the child's exit status 127.
    let _ = sys::write_all(report_fd, &report.to_bytes());
    // SAFETY: _exit ends the child without running pidone's exit handlers.
    unsafe { libc::_exit(i32::from(exit::NOT_FOUND)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_read_back_as_written() {
        for step in ChildCall::ALL {
            let report = Report {
                step,
                errno: libc::EACCES,
                candidate: 3,
            };
            assert_eq!(Report::from_bytes(report.to_bytes()), report);
        }
        assert_eq!(ChildCall::Tcsetpgrp.call(), "tcsetpgrp");
    }
}
