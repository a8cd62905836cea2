//! The system calls pidone makes itself, each written once (`nix` makes `pipe2` and the
//! subreaper's `prctl`), and the C runtime's environment. [`cvt`] turns the C convention
//! (-1 and `errno`) into an `io::Result`; [`cvt_r`] also repeats a call a signal
//! interrupted (EINTR), as Rust's standard library does for its own (`sys/pal/unix`).
//! The signal calls that take a set ([`set_signal_mask`], [`take_signal`]) are made
//! directly, not through the C library, whose wrappers leave out the signals it keeps for
//! itself (see [`crate::signals::RTMIN`]); they take the kernel's layout, a `u64` with
//! bit N-1 for signal N.
//!
//! Nearly all of pidone's `unsafe` is here, each block with the reason it is sound. Outside
//! it: the child between fork and exec (`spawn/child.rs`: its own session or group, exec,
//! `_exit`), a layer of its own that must stay async-signal-safe; the calls into that
//! layer, unsafe by contract ([`fork`] and the child's side in `spawn/mod.rs`, the signal
//! state put back in the child in `sigset.rs`); and the C entry point (`main.rs`).
//!
//! None of these functions allocates. [`kill`], [`cvt`], [`cvt_r`], [`set_signal_mask`],
//! [`set_disposition`], [`reset_disposition`], [`environ`], [`own_pid`], [`own_group`],
//! [`set_foreground_group`] and [`write_all`] are safe to call between fork and exec.
//!
//! Longer than about 450 lines because it is the one layer of system calls: each wrapper
//! is short, and splitting them up would spread the `unsafe` out again.

use std::ffi::CStr;
use std::fmt;
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::time::Duration;

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

/// Which side of [`fork`] a process is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fork {
    /// The parent, with the new child's pid.
    Parent(libc::pid_t),
    /// The new child.
    Child,
}

/// Forks (`man 2 fork`): the child is a copy of pidone with only the calling thread.
/// Errors: EAGAIN at a limit on processes (`RLIMIT_NPROC`, the PID namespace's or the
/// cgroup's pids), ENOMEM.
///
/// # Safety
/// Until it execs or `_exit`s, the child may call only async-signal-safe functions
/// (`man 7 signal-safety`): no allocation, no locks. Another thread may have held a lock
/// at the moment of the fork, and the child would wait on it forever.
pub unsafe fn fork() -> io::Result<Fork> {
    // SAFETY: the caller keeps the child to async-signal-safe calls until exec.
    let pid = cvt(unsafe { libc::fork() })?;
    Ok(if pid == 0 {
        Fork::Child
    } else {
        Fork::Parent(pid)
    })
}

/// A close-on-exec duplicate of `fd`, numbered `lowest` or above (`F_DUPFD_CLOEXEC`,
/// `man 2 fcntl`). Errors: EMFILE when no descriptor from `lowest` up is free (or the
/// process is at `RLIMIT_NOFILE`), EINVAL when `lowest` is negative or above that limit.
pub fn duplicate_from(fd: BorrowedFd<'_>, lowest: libc::c_int) -> io::Result<OwnedFd> {
    // SAFETY: fcntl duplicates a valid, borrowed descriptor.
    let duplicate = cvt(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, lowest) })?;
    // SAFETY: the new descriptor is open, and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(duplicate) })
}

/// The size of a kernel signal set, as the rt_sig* system calls are told: 64 signals.
const KERNEL_SET_SIZE: usize = std::mem::size_of::<u64>();

/// Changes the signal mask (`man 2 rt_sigprocmask`): `how` is `SIG_BLOCK`, `SIG_UNBLOCK`
/// or `SIG_SETMASK`, `set` a kernel signal set (bit N-1 for signal N); hands back the mask
/// as it was, in the same layout. Errors: EINVAL for another `how`. One system call;
/// async-signal-safe, no allocation.
#[inline]
pub fn set_signal_mask(how: libc::c_int, set: u64) -> io::Result<u64> {
    let mut old = 0u64;
    // SAFETY: both sets are live u64s, the size the kernel is told.
    cvt(unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            how,
            &set as *const u64,
            &mut old as *mut u64,
            KERNEL_SET_SIZE,
        )
    })?;
    Ok(old)
}

/// A signal's disposition as the kernel holds it (`struct sigaction`): only the default
/// one, or one read back with [`disposition`], so that setting it can never install a
/// handler the process did not already have.
#[derive(Clone, Copy)]
pub struct Disposition(libc::sigaction);

impl Disposition {
    /// `SIG_DFL`, no flags, an empty mask.
    pub fn default_action() -> Disposition {
        // SAFETY: sigaction is plain data; all zeroes is SIG_DFL with no flags and no mask.
        Disposition(unsafe { std::mem::zeroed() })
    }

    /// Whether the signal is ignored (`SIG_IGN`).
    pub fn ignores(&self) -> bool {
        self.0.sa_sigaction == libc::SIG_IGN
    }

    /// Whether `flag` (`SA_NOCLDWAIT`, say) is set.
    pub fn has_flag(&self, flag: libc::c_int) -> bool {
        self.0.sa_flags & flag != 0
    }
}

impl fmt::Debug for Disposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Disposition")
            .field("handler", &self.0.sa_sigaction)
            .field("flags", &self.0.sa_flags)
            .finish()
    }
}

/// The disposition of signal `number` now (`man 2 sigaction`, asking only for the current
/// action). Errors: EINVAL for a number that is not a signal, or one the C library keeps
/// for its threads.
pub fn disposition(number: libc::c_int) -> io::Result<Disposition> {
    let mut current = MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: querying with a null new action only writes the current one.
    cvt(unsafe { libc::sigaction(number, std::ptr::null(), current.as_mut_ptr()) })?;
    // SAFETY: sigaction succeeded, so it wrote the whole struct (zeroed before, besides).
    Ok(Disposition(unsafe { current.assume_init() }))
}

/// Sets the disposition of signal `number` to `action` (`man 2 sigaction`); the previous
/// one is not asked for. Errors: EINVAL for SIGKILL, SIGSTOP, a number that is not a
/// signal, or one the C library keeps for its threads. Async-signal-safe, no allocation.
pub fn set_disposition(number: libc::c_int, action: &Disposition) -> io::Result<()> {
    // SAFETY: `action` is the default or one the kernel held for this process, so any
    // handler it names is one the process had installed itself; no old action is asked.
    cvt(unsafe { libc::sigaction(number, &action.0, std::ptr::null_mut()) }).map(drop)
}

/// Puts signal `number` back to its default disposition (`man 2 signal`, `SIG_DFL`).
/// Errors: EINVAL for SIGKILL, SIGSTOP, a number that is not a signal, or one the C
/// library keeps for its threads. Async-signal-safe, no allocation.
pub fn reset_disposition(number: libc::c_int) -> io::Result<()> {
    // SAFETY: the default disposition runs no code of pidone's.
    if unsafe { libc::signal(number, libc::SIG_DFL) } == libc::SIG_ERR {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// A signal [`take_signal`] took, as its `siginfo_t` describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TakenSignal {
    /// The signal's number, a member of the set waited for; 0 for a number the kernel
    /// could not have handed back (above `i32::MAX`).
    pub number: libc::c_int,
    /// The sender's pid (`si_pid`); for a signal the kernel raised, whatever it filled in.
    pub sender: libc::pid_t,
    /// Where it came from (`si_code`): `SI_USER` for `kill(2)`, `SI_KERNEL` for the
    /// terminal's, a `CLD_*` reason for SIGCHLD.
    pub code: libc::c_int,
}

/// Takes one pending signal of `set`, a kernel signal set (bit N-1 for signal N), sleeping
/// up to `timeout` (nanosecond resolution) for one to arrive, forever if `None`
/// (`man 2 rt_sigtimedwait`). `Ok(None)` when the time ran out (EAGAIN); a wait a handler
/// interrupted (EINTR) starts again. Errors: EINVAL for a timeout whose seconds do not fit
/// `time_t`. One system call, no allocation.
#[inline]
pub fn take_signal(set: u64, timeout: Option<Duration>) -> io::Result<Option<TakenSignal>> {
    let mut info = MaybeUninit::<libc::siginfo_t>::zeroed();
    let timespec = timeout.map(|t| libc::timespec {
        // Durations are capped far below any time_t limit (see `duration::MAX`).
        tv_sec: t.as_secs() as _,
        tv_nsec: t.subsec_nanos() as libc::c_long,
    });
    let timespec_ptr = timespec
        .as_ref()
        .map_or(std::ptr::null(), |t| t as *const _);
    // SAFETY: the set and timespec outlive the call; info is written on success.
    let taken = cvt_r(|| unsafe {
        libc::syscall(
            libc::SYS_rt_sigtimedwait,
            &set as *const u64,
            info.as_mut_ptr(),
            timespec_ptr,
            KERNEL_SET_SIZE,
        )
    });
    let number = match taken {
        Ok(number) => i32::try_from(number).unwrap_or_default(),
        Err(error) if error.raw_os_error() == Some(libc::EAGAIN) => return Ok(None),
        Err(error) => return Err(error),
    };
    // SAFETY: rt_sigtimedwait succeeded and wrote the siginfo (zeroed before, besides).
    let info = unsafe { info.assume_init() };
    // SAFETY: si_pid is meaningful for every signal a process can send; for
    // kernel-generated ones it is whatever the kernel filled in, which is only compared,
    // never used to signal.
    let sender = unsafe { info.si_pid() };
    Ok(Some(TakenSignal {
        number,
        sender,
        code: info.si_code,
    }))
}

/// Time since boot, suspended time included (`CLOCK_BOOTTIME`, `man 2 clock_gettime`),
/// to the nanosecond. A vDSO call: no system call. Zero if the clock cannot be read,
/// which on Linux 2.6.39 and later it always can.
pub fn since_boot() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut now) };
    let seconds = Duration::from_secs(u64::try_from(now.tv_sec).unwrap_or_default());
    seconds.saturating_add(Duration::from_nanos(
        u64::try_from(now.tv_nsec).unwrap_or_default(),
    ))
}

/// The kernel's clock ticks per second, `USER_HZ`, the unit of `/proc/PID/stat`'s times
/// (`_SC_CLK_TCK`, `man 3 sysconf`): `None` if the C library cannot tell.
pub fn clock_ticks_per_second() -> Option<u64> {
    // SAFETY: sysconf has no memory effects.
    u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).ok()
}

unsafe extern "C" {
    /// The environment the C runtime set up from the process's stack (`man 7 environ`).
    #[link_name = "environ"]
    static ENVIRON: *const *const libc::c_char;
}

/// The C runtime's environment (`man 7 environ`): a null-terminated array of
/// NUL-terminated `NAME=value` strings, or null, exactly as the process received it;
/// nothing in pidone sets or removes a variable. Async-signal-safe, no allocation.
#[inline]
pub fn environ() -> *const *const libc::c_char {
    // SAFETY: reading the pointer; nothing in pidone writes it.
    unsafe { ENVIRON }
}

/// One entry of pidone's environment (`NAME=value`), read only as far as a question
/// needs: most entries are ruled out by their first bytes, without measuring them.
#[derive(Debug, Clone, Copy)]
pub struct Entry(*const libc::c_char);

impl Entry {
    /// Whether the entry starts with `prefix`; reads no further than it, or the NUL.
    pub fn starts_with(self, prefix: &[u8]) -> bool {
        prefix.iter().enumerate().all(|(at, &byte)| {
            // SAFETY: the entry is NUL-terminated, and reading stops at the first byte
            // that differs from the prefix, which the NUL always does (no prefix has one).
            unsafe { *self.0.add(at) as u8 == byte }
        })
    }

    /// The whole entry.
    pub fn bytes(self) -> &'static [u8] {
        // SAFETY: a NUL-terminated string that lives as long as the process.
        unsafe { CStr::from_ptr(self.0) }.to_bytes()
    }

    /// The entry as `environ` holds it, for an `envp` of the child's.
    pub fn as_ptr(self) -> *const libc::c_char {
        self.0
    }
}

/// pidone's environment, entry by entry, exactly as the process received it ([`environ`]).
pub fn environment() -> impl Iterator<Item = Entry> {
    let mut entry = environ();
    // SAFETY: environ is a null-terminated array of C strings that pidone never modifies:
    // each step reads one pointer of that array, stopping at its null end.
    std::iter::from_fn(move || unsafe {
        if entry.is_null() || (*entry).is_null() {
            return None;
        }
        let current = Entry(*entry);
        entry = entry.add(1);
        Some(current)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

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
    fn a_wait_that_times_out_takes_nothing() {
        assert_eq!(take_signal(0, Some(Duration::ZERO)).unwrap(), None);
    }

    #[test]
    fn duplicates_are_numbered_from_the_lowest_asked() {
        let file = std::fs::File::open("/dev/null").unwrap();
        let duplicate = duplicate_from(file.as_fd(), 100).unwrap();
        assert!(duplicate.as_raw_fd() >= 100);
    }

    #[test]
    fn clock_ticks_are_user_hz() {
        assert_eq!(clock_ticks_per_second(), Some(100));
        assert!(since_boot() > Duration::ZERO);
    }

    #[test]
    fn a_group_that_does_not_exist_is_empty() {
        // Pids are below 2^22 on Linux: no group has this number.
        assert!(group_is_empty(i32::MAX - 1));
        assert!(!group_is_empty(own_group()));
    }
}
