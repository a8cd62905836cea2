//! The system calls pidone makes itself, each written once (`nix` makes `pipe2` and the
//! subreaper's `prctl`). [`cvt`] turns the C convention (-1 and `errno`) into an
//! `io::Result`; [`cvt_r`] also repeats a call a signal interrupted (EINTR), as Rust's
//! standard library does for its own (`sys/pal/unix`). Most of pidone's `unsafe` is here,
//! each block with the reason it is sound; the rest sits between fork and exec
//! (`spawn/child.rs`), in the kernel signal-set calls (`sigset.rs`), and where `/proc` and
//! the environment are read (`descendants.rs`, `spawn/mod.rs`).
//!
//! None of these functions allocates: [`kill`], [`cvt`] and [`cvt_r`] are safe to call
//! between fork and exec.

use std::fmt;
use std::io;

use crate::signals::Signal;

/// A C return value whose -1 means failure, with the reason in `errno`.
pub trait IsMinusOne: Copy {
    fn is_minus_one(self) -> bool;
}

impl IsMinusOne for libc::c_int {
    fn is_minus_one(self) -> bool {
        self == -1
    }
}

impl IsMinusOne for libc::c_long {
    fn is_minus_one(self) -> bool {
        self == -1
    }
}

impl IsMinusOne for isize {
    fn is_minus_one(self) -> bool {
        self == -1
    }
}

/// `Err(errno)` when a call returned -1, its value otherwise.
pub fn cvt<T: IsMinusOne>(value: T) -> io::Result<T> {
    if value.is_minus_one() {
        Err(io::Error::last_os_error())
    } else {
        Ok(value)
    }
}

/// [`cvt`], repeating the call while it fails with EINTR.
pub fn cvt_r<T: IsMinusOne>(mut call: impl FnMut() -> T) -> io::Result<T> {
    loop {
        match cvt(call()) {
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// Who a signal goes to: the pid argument of `kill(2)` as a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// One process.
    Process(libc::pid_t),
    /// Every member of a process group (`kill(-pgid, …)`).
    Group(libc::pid_t),
    /// Every process the caller may signal but itself and init (`kill(-1, …)`): pidone
    /// uses it only as PID 1 of its own PID namespace, where that is the namespace.
    Everyone,
}

impl Destination {
    /// `kill`'s pid argument.
    pub fn as_raw(self) -> libc::pid_t {
        match self {
            Destination::Process(pid) => pid,
            Destination::Group(group) => group.wrapping_neg(),
            Destination::Everyone => -1,
        }
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Process(pid) => write!(f, "pid {pid}"),
            Destination::Group(group) => write!(f, "process group {group}"),
            Destination::Everyone => f.write_str("every process"),
        }
    }
}

/// `kill(2)`: sends `signal`.
pub fn kill(to: Destination, signal: Signal) -> io::Result<()> {
    kill_number(to, signal.number())
}

/// `kill(2)` with a raw number: a signal's, 1 to 64, or 0 to only check that the
/// destination exists.
fn kill_number(to: Destination, number: libc::c_int) -> io::Result<()> {
    // SAFETY: kill has no memory effects.
    cvt(unsafe { libc::kill(to.as_raw(), number) }).map(drop)
}

/// Whether process group `group` has no member left (`kill(-group, 0)` fails with ESRCH).
pub fn group_is_empty(group: libc::pid_t) -> bool {
    kill_number(Destination::Group(group), 0)
        .is_err_and(|error| error.raw_os_error() == Some(libc::ESRCH))
}

/// pidone's own pid.
pub fn own_pid() -> libc::pid_t {
    // SAFETY: getpid cannot fail and has no memory effects.
    unsafe { libc::getpid() }
}

/// Stops pidone itself with SIGSTOP; execution goes on here once it is continued.
pub fn stop_self() {
    // A process may always signal itself; nothing to report.
    let _ = kill(Destination::Process(own_pid()), Signal::STOP);
}

/// What `waitpid(2)` reported of one child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildEvent {
    /// The child ended; `status` is the raw wait status (see `exit::from_wait_status`).
    Ended { pid: libc::pid_t, status: i32 },
    /// The child was stopped by `signal`.
    Stopped { pid: libc::pid_t, signal: Signal },
    /// The child was continued.
    Continued { pid: libc::pid_t },
}

/// The next ended child, reaped, without waiting (`waitpid(-1, WNOHANG)`): its pid and
/// raw wait status; `Ok(None)` when no child has ended, `Err` with ECHILD when there is no
/// child left.
pub fn next_exit() -> io::Result<Option<(libc::pid_t, i32)>> {
    let mut status = 0;
    // SAFETY: waitpid writes only the status.
    let pid = cvt_r(|| unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) })?;
    Ok((pid > 0).then_some((pid, status)))
}

/// The next change of child `pid` — stopped, continued or ended — without waiting
/// (`WNOHANG | WUNTRACED | WCONTINUED`): `Ok(None)` when it has not changed.
pub fn next_change_of(pid: libc::pid_t) -> io::Result<Option<ChildEvent>> {
    let mut status = 0;
    // SAFETY: waitpid writes only the status.
    let pid = cvt_r(|| unsafe {
        libc::waitpid(
            pid,
            &mut status,
            libc::WNOHANG | libc::WUNTRACED | libc::WCONTINUED,
        )
    })?;
    Ok(match pid {
        0 => None,
        pid if libc::WIFSTOPPED(status) => Some(ChildEvent::Stopped {
            pid,
            signal: stop_signal(status),
        }),
        pid if libc::WIFCONTINUED(status) => Some(ChildEvent::Continued { pid }),
        pid => Some(ChildEvent::Ended { pid, status }),
    })
}

/// The signal that stopped a child, from its raw wait status. Only a ptrace stop, which
/// pidone never asks for, reports a number outside 1 to 64: such a stop is taken as
/// SIGSTOP's, a stop that is not the terminal's.
fn stop_signal(status: libc::c_int) -> Signal {
    Signal::new(libc::WSTOPSIG(status)).unwrap_or(Signal::STOP)
}

/// Waits for child `pid` to end and reaps it.
pub fn reap(pid: libc::pid_t) -> io::Result<()> {
    // SAFETY: waitpid with a null status pointer only reaps.
    cvt_r(|| unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) }).map(drop)
}

/// Writes all of `bytes` to `fd`, resuming after partial writes and EINTR.
pub fn write_all(fd: libc::c_int, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        // SAFETY: writing from a live buffer of the given length.
        let written = cvt_r(|| unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) })?;
        match usize::try_from(written) {
            Ok(0) | Err(_) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = bytes.get(n..).unwrap_or_default(),
        }
    }
    Ok(())
}

/// Reads into `buffer`, resuming after EINTR; the number of bytes read, 0 at end of file.
pub fn read(fd: libc::c_int, buffer: &mut [u8]) -> io::Result<usize> {
    // SAFETY: reading into a live buffer of the given length.
    let read = cvt_r(|| unsafe { libc::read(fd, buffer.as_mut_ptr().cast(), buffer.len()) })?;
    Ok(usize::try_from(read).unwrap_or_default())
}

/// Changes the working directory to `/`.
pub fn chdir_root() -> io::Result<()> {
    // SAFETY: chdir reads a static C string.
    cvt(unsafe { libc::chdir(c"/".as_ptr()) }).map(drop)
}

/// Closes every descriptor from `first` up (`close_range(2)`, Linux 5.9).
pub fn close_from(first: u32) -> io::Result<()> {
    // SAFETY: closes descriptors; the caller owns none of them any more.
    cvt(unsafe { libc::syscall(libc::SYS_close_range, first, u32::MAX, 0u32) }).map(drop)
}

/// Closes one descriptor.
pub fn close(fd: libc::c_int) {
    // SAFETY: the caller owns `fd` and nothing refers to it; a failed close leaves nothing
    // to retry (`man 2 close`).
    unsafe { libc::close(fd) };
}

/// pidone receives `signal` when its parent dies (`PR_SET_PDEATHSIG`, `man 2 prctl`).
pub fn set_parent_death_signal(signal: Signal) -> io::Result<()> {
    let signal = libc::c_ulong::try_from(signal.number()).unwrap_or_default();
    // SAFETY: prctl with PR_SET_PDEATHSIG has no memory effects.
    cvt(unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, signal) }).map(drop)
}

/// The parent's pid.
pub fn parent_pid() -> libc::pid_t {
    // SAFETY: getppid cannot fail and has no memory effects.
    unsafe { libc::getppid() }
}

/// pidone's own process group.
pub fn own_group() -> libc::pid_t {
    // SAFETY: getpgrp cannot fail and has no memory effects.
    unsafe { libc::getpgrp() }
}

/// Whether `fd` is a terminal.
pub fn is_terminal(fd: libc::c_int) -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(fd) == 1 }
}

/// The foreground process group of the terminal on `fd` (`tcgetpgrp(3)`); -1 when
/// there is none pidone can learn.
pub fn foreground_group(fd: libc::c_int) -> libc::pid_t {
    // SAFETY: tcgetpgrp only inspects the terminal.
    unsafe { libc::tcgetpgrp(fd) }
}

/// Makes `group` the foreground process group of the terminal on `fd` (`tcsetpgrp(3)`).
/// pidone keeps SIGTTOU blocked, so the call cannot stop it.
pub fn set_foreground_group(fd: libc::c_int, group: libc::pid_t) -> io::Result<()> {
    // SAFETY: a terminal ioctl on a descriptor pidone keeps open.
    cvt(unsafe { libc::tcsetpgrp(fd, group) }).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_kills_pid_argument() {
        assert_eq!(Destination::Process(7).as_raw(), 7);
        assert_eq!(Destination::Group(7).as_raw(), -7);
        assert_eq!(Destination::Everyone.as_raw(), -1);
        assert_eq!(Destination::Group(7).to_string(), "process group 7");
    }

    #[test]
    fn minus_one_is_errno() {
        assert_eq!(cvt(3).unwrap(), 3);
        // SAFETY: close of a descriptor that cannot be open fails with EBADF.
        let error = cvt(unsafe { libc::close(-5) }).unwrap_err();
        assert_eq!(error.raw_os_error(), Some(libc::EBADF));
    }

    #[test]
    fn interrupted_calls_are_repeated() {
        let mut tries = 0;
        let result = cvt_r(|| {
            tries += 1;
            if tries < 3 {
                // SAFETY: sets this thread's errno.
                unsafe { *libc::__errno_location() = libc::EINTR };
                -1
            } else {
                5
            }
        });
        assert_eq!((result.unwrap(), tries), (5, 3));
    }

    #[test]
    fn a_group_that_does_not_exist_is_empty() {
        // Pids are below 2^22 on Linux: no group has this number.
        assert!(group_is_empty(i32::MAX - 1));
        assert!(!group_is_empty(own_group()));
    }
}
