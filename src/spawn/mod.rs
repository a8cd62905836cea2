//! Starting the child: everything exec needs is built before fork, because between fork
//! and exec only async-signal-safe calls are allowed — no allocation, no locks.

use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use crate::config::Isolation;
use crate::exec_error::{self, SpawnError};
use crate::sigset::Inherited;
use crate::sys;

mod child;

use child::{ChildCall, REPORT_LEN, Report, exec_child};

/// Used when the environment has no PATH, as Docker's default image environment.
const DEFAULT_PATH: &[u8] = b"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// How the child is placed before exec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub isolation: Isolation,
    /// Make the child's process group the foreground group of the terminal on stdin.
    pub foreground: bool,
    /// Start the child with default dispositions and an empty signal mask, as dumb-init
    /// does, instead of the state pidone inherited.
    pub reset_signals: bool,
}

/// argv, envp and the paths to try, ready for execve.
pub struct ExecPlan {
    program: OsString,
    candidates: Vec<CString>,
    _args: Vec<CString>,
    argv: Vec<*const libc::c_char>,
    /// A copy of the environment for the child, made only when a `LISTEN_PID` in it must
    /// be rewritten; otherwise the child gets pidone's own `environ`.
    envp: Option<Vec<*const libc::c_char>>,
    placement: Placement,
    /// Index in envp of a `LISTEN_PID` naming pidone, which the child rewrites to its own
    /// pid so socket activation reaches the application.
    listen_pid: Option<usize>,
    /// Room for the child's `LISTEN_PID=<pid>` entry, filled in after fork.
    listen_pid_entry: [u8; 32],
}

/// Writes `LISTEN_PID=<pid>` and a NUL into `buffer` without allocating.
pub fn format_listen_pid(pid: libc::pid_t, buffer: &mut [u8; 32]) {
    const PREFIX: &[u8] = b"LISTEN_PID=";
    // Ten digits hold any u32; filled from the right.
    let mut digits = [0u8; 10];
    let mut n = pid.unsigned_abs();
    let mut first = digits.len();
    for (at, slot) in digits.iter_mut().enumerate().rev() {
        *slot = b'0'.wrapping_add((n % 10) as u8);
        first = at;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let digits = digits.get(first..).unwrap_or_default();
    let entry = PREFIX.iter().chain(digits).chain(&[0]);
    for (slot, byte) in buffer.iter_mut().zip(entry) {
        *slot = *byte;
    }
}

/// The files execvp would try for `program`, in order: the program itself when it names
/// a path, else each PATH directory joined with it (an empty entry is the current one).
pub fn candidates(program: &[u8], path_var: Option<&[u8]>) -> Vec<Vec<u8>> {
    if program.contains(&b'/') || program.is_empty() {
        return vec![program.to_vec()];
    }
    path_var
        .unwrap_or(DEFAULT_PATH)
        .split(|&b| b == b':')
        .map(|dir| {
            if dir.is_empty() {
                program.to_vec()
            } else {
                let mut full = dir.to_vec();
                if !dir.ends_with(b"/") {
                    full.push(b'/');
                }
                full.extend_from_slice(program);
                full
            }
        })
        .collect()
}

impl ExecPlan {
    /// Prepares `command` to run with pidone's own environment, byte for byte (but for a
    /// `LISTEN_PID` naming pidone).
    /// `me` is pidone's pid.
    pub fn new(
        command: &[OsString],
        placement: Placement,
        me: libc::pid_t,
    ) -> Result<Self, SpawnError> {
        let to_c =
            |arg: &OsStr| CString::new(arg.as_bytes()).map_err(|_| SpawnError::Nul(arg.to_owned()));
        let args = command
            .iter()
            .map(|arg| to_c(arg))
            .collect::<Result<Vec<_>, _>>()?;
        let mut argv: Vec<*const libc::c_char> = args.iter().map(|arg| arg.as_ptr()).collect();
        argv.push(std::ptr::null());

        // The environment is passed on as it is, entries pidone cannot parse included: the
        // child gets pidone's own `environ`, unless a `LISTEN_PID` naming pidone must be
        // rewritten in a copy.
        let mut path_var = None;
        let mut listen_pid = None;
        for (index, entry) in sys::environment().enumerate() {
            if entry.starts_with(b"PATH=") {
                path_var = entry.bytes().get(5..);
            } else if entry.starts_with(b"LISTEN_PID=")
                && entry.bytes().get(11..) == Some(me.to_string().as_bytes())
            {
                listen_pid = Some(index);
            }
        }
        let envp = listen_pid.map(|_| {
            let mut envp: Vec<*const libc::c_char> =
                sys::environment().map(sys::Entry::as_ptr).collect();
            envp.push(std::ptr::null());
            envp
        });

        let program = command.first().ok_or(SpawnError::NoCommand)?;
        let candidates = candidates(program.as_bytes(), path_var)
            .into_iter()
            .map(|path| CString::new(path).map_err(|_| SpawnError::Nul(program.clone())))
            .collect::<Result<Vec<_>, _>>()?;

        Ok(ExecPlan {
            program: program.clone(),
            candidates,
            _args: args,
            argv,
            envp,
            placement,
            listen_pid,
            listen_pid_entry: [0; 32],
        })
    }
}

/// A started child.
#[derive(Debug, Clone, Copy)]
pub struct Child {
    pub pid: libc::pid_t,
}

/// Moves a descriptor out of 0..=2: if pidone was started with stdio closed, the pipe
/// would otherwise land there and become the child's stdin, stdout or stderr.
fn above_stdio(fd: OwnedFd) -> io::Result<OwnedFd> {
    if fd.as_raw_fd() > 2 {
        return Ok(fd);
    }
    sys::duplicate_from(fd.as_fd(), 3)
}

/// Forks and execs the plan. Returns once exec has succeeded, or with the reason it failed,
/// which the child reports through a close-on-exec pipe: EOF means exec happened.
pub fn spawn(plan: &mut ExecPlan, inherited: &Inherited) -> Result<Child, SpawnError> {
    let (read_end, write_end) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|e| SpawnError::System("create a pipe", e.into()))?;
    let read_end = above_stdio(read_end).map_err(|e| SpawnError::System("create a pipe", e))?;
    let write_end = above_stdio(write_end).map_err(|e| SpawnError::System("create a pipe", e))?;

    // SAFETY: the child runs only `exec_child`, async-signal-safe, which execs or exits.
    let pid = match unsafe { sys::fork() }.map_err(|e| SpawnError::System("fork", e))? {
        sys::Fork::Parent(pid) => pid,
        // SAFETY: this is the freshly forked child.
        sys::Fork::Child => unsafe { exec_child(plan, inherited, write_end.as_raw_fd()) },
    };
    drop(write_end);

    let mut bytes = [0u8; REPORT_LEN];
    match read_report(&read_end, &mut bytes) {
        Ok(false) => return Ok(Child { pid }),
        Ok(true) => {}
        Err(error) => return Err(SpawnError::System("read the exec status", error)),
    }
    // The child exits at once after its report; collect it so it leaves no zombie.
    let _ = sys::reap(pid);
    let report = Report::from_bytes(bytes);
    match report.step {
        ChildCall::Exec => {
            let path = plan
                .candidates
                .get(report.candidate as usize)
                .map(|p| OsStr::from_bytes(p.as_bytes()))
                .unwrap_or_default();
            Err(exec_error::exec_failed(&plan.program, path, report.errno))
        }
        step => Err(SpawnError::Setup(
            step.call(),
            io::Error::from_raw_os_error(report.errno),
        )),
    }
}

/// Reads the child's exec report: `false` at end of file before a whole report, which
/// means exec succeeded and closed the pipe.
fn read_report(pipe: &OwnedFd, report: &mut [u8; REPORT_LEN]) -> io::Result<bool> {
    let mut filled = 0;
    while let Some(rest) = report.get_mut(filled..).filter(|rest| !rest.is_empty()) {
        match sys::read(pipe.as_raw_fd(), rest)? {
            0 => return Ok(false),
            n => filled = filled.saturating_add(n),
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn paths_are_not_searched() {
        assert_eq!(
            candidates(b"/bin/sh", Some(b"/x")),
            vec![b"/bin/sh".to_vec()]
        );
        assert_eq!(candidates(b"./run", Some(b"/x")), vec![b"./run".to_vec()]);
    }

    #[test]
    fn path_entries_in_order() {
        assert_eq!(
            candidates(b"app", Some(b"/a:/b/:")),
            vec![b"/a/app".to_vec(), b"/b/app".to_vec(), b"app".to_vec()]
        );
    }

    #[test]
    fn default_path_without_one() {
        let all = candidates(b"app", None);
        assert_eq!(all.first().unwrap(), b"/usr/local/sbin/app");
        assert_eq!(all.last().unwrap(), b"/bin/app");
    }

    #[test]
    fn empty_program_is_tried_as_is() {
        assert_eq!(candidates(b"", Some(b"/a")), vec![Vec::<u8>::new()]);
    }

    #[test]
    fn listen_pid_entries() {
        let entry = |pid| {
            let mut buffer = [0xffu8; 32];
            format_listen_pid(pid, &mut buffer);
            CStr::from_bytes_until_nul(&buffer)
                .unwrap()
                .to_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(entry(1), "LISTEN_PID=1");
        assert_eq!(entry(42), "LISTEN_PID=42");
        assert_eq!(entry(4194304), "LISTEN_PID=4194304");
        assert_eq!(entry(i32::MAX), "LISTEN_PID=2147483647");
    }
}
