//! Starting the child: everything exec needs is built before fork, because between fork
//! and exec only async-signal-safe calls are allowed — no allocation, no locks.

use std::ffi::{CStr, CString, OsStr, OsString};
use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::config::Isolation;
use crate::exit;
use crate::logging::printable;
use crate::signals::Inherited;

/// Used when the environment has no PATH, as Docker's default image environment.
const DEFAULT_PATH: &[u8] = b"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

unsafe extern "C" {
    static environ: *const *const libc::c_char;
}

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

/// pidone's environment, entry by entry, exactly as the process received it.
pub fn environment() -> impl Iterator<Item = &'static CStr> {
    // SAFETY: environ is a null-terminated array of C strings that pidone never modifies
    // (nothing in pidone sets or removes a variable).
    let mut entry = unsafe { environ };
    std::iter::from_fn(move || unsafe {
        if entry.is_null() || (*entry).is_null() {
            return None;
        }
        let current = CStr::from_ptr(*entry);
        entry = entry.add(1);
        Some(current)
    })
}

/// argv, envp and the paths to try, ready for execve.
pub struct ExecPlan {
    program: OsString,
    candidates: Vec<CString>,
    _args: Vec<CString>,
    argv: Vec<*const libc::c_char>,
    envp: Vec<*const libc::c_char>,
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

/// Why the child could not be started.
#[derive(Debug)]
pub enum SpawnError {
    /// There was no program to run.
    NoCommand,
    /// An argument held a NUL byte, which no exec can carry.
    Nul(OsString),
    /// pidone could not create the pipe or fork.
    System(&'static str, io::Error),
    /// exec failed in the child; `path` is the file it tried last.
    Exec {
        program: OsString,
        path: OsString,
        error: io::Error,
        /// The `#!` line's interpreter, when it is what is missing.
        missing_interpreter: Option<OsString>,
        /// When `path` is a symbolic link to nothing: what it points to, and the missing
        /// end of the chain of links it starts.
        dangling_link: Option<Box<(OsString, OsString)>>,
    },
}

impl SpawnError {
    pub fn exit_code(&self) -> u8 {
        match self {
            SpawnError::NoCommand | SpawnError::Nul(_) => exit::USAGE,
            SpawnError::System(..) => exit::FAILURE,
            SpawnError::Exec {
                error,
                missing_interpreter,
                ..
            } => not_found_or_not_executable(error.raw_os_error(), missing_interpreter.is_some()),
        }
    }
}

/// 127 when there is nothing to run, 126 when there is a file that cannot be run — the
/// split shells and Docker make. A script whose `#!` interpreter is missing fails with
/// ENOENT, but the script itself was found.
pub fn not_found_or_not_executable(errno: Option<i32>, interpreter_missing: bool) -> u8 {
    match errno {
        Some(libc::ENOENT) | Some(libc::ENOTDIR) if !interpreter_missing => exit::NOT_FOUND,
        _ => exit::NOT_EXECUTABLE,
    }
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::NoCommand => f.write_str("no COMMAND given"),
            SpawnError::Nul(arg) => write!(f, "argument {arg:?} contains a NUL byte"),
            SpawnError::System(what, error) => write!(f, "cannot {what}: {error}"),
            SpawnError::Exec {
                program,
                path,
                error,
                missing_interpreter,
                dangling_link,
            } => {
                let shown = |text: &OsStr| printable(&text.to_string_lossy()).into_owned();
                let (program, path) = (shown(program), shown(path));
                if let Some((target, end)) = dangling_link.as_deref() {
                    let (target, end) = (shown(target), shown(end));
                    if target == end {
                        write!(
                            f,
                            "command '{program}' not found: '{path}' is a symbolic link to '{target}', which does not exist"
                        )
                    } else {
                        write!(
                            f,
                            "command '{program}' not found: '{path}' is a symbolic link to '{target}', whose chain of links ends at '{end}', which does not exist"
                        )
                    }
                } else if let Some(interpreter) = missing_interpreter {
                    write!(
                        f,
                        "cannot execute '{program}': its interpreter '{}' was not found ({error})",
                        shown(interpreter)
                    )
                } else if error.raw_os_error() == Some(libc::ENOENT) {
                    write!(f, "command '{program}' not found: {error}")
                } else if program == path {
                    write!(f, "cannot execute '{program}': {error}")
                } else {
                    write!(f, "cannot execute '{program}' ({path}): {error}")
                }
            }
        }
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
    pub fn new(command: &[OsString], placement: Placement) -> Result<Self, SpawnError> {
        let to_c =
            |arg: &OsStr| CString::new(arg.as_bytes()).map_err(|_| SpawnError::Nul(arg.to_owned()));
        let args = command
            .iter()
            .map(|arg| to_c(arg))
            .collect::<Result<Vec<_>, _>>()?;
        let mut argv: Vec<*const libc::c_char> = args.iter().map(|arg| arg.as_ptr()).collect();
        argv.push(std::ptr::null());

        // The environment is passed on as it is, entries pidone cannot parse included.
        let mut envp = Vec::new();
        let mut path_var = None;
        let mut listen_pid = None;
        let own_pid = std::process::id().to_string();
        for entry in environment() {
            let bytes = entry.to_bytes();
            if let Some(value) = bytes.strip_prefix(b"PATH=") {
                path_var = Some(value);
            }
            if bytes.strip_prefix(b"LISTEN_PID=") == Some(own_pid.as_bytes()) {
                listen_pid = Some(envp.len());
            }
            envp.push(entry.as_ptr());
        }
        envp.push(std::ptr::null());

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
    // SAFETY: fcntl duplicates a valid descriptor; the new one is owned here.
    let moved = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3) };
    if moved < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(unsafe { OwnedFd::from_raw_fd(moved) })
}

/// Forks and execs the plan. Returns once exec has succeeded, or with the reason it failed,
/// which the child reports through a close-on-exec pipe: EOF means exec happened.
pub fn spawn(plan: &mut ExecPlan, inherited: &Inherited) -> Result<Child, SpawnError> {
    let (read_end, write_end) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|e| SpawnError::System("create a pipe", e.into()))?;
    let read_end = above_stdio(read_end).map_err(|e| SpawnError::System("create a pipe", e))?;
    let write_end = above_stdio(write_end).map_err(|e| SpawnError::System("create a pipe", e))?;

    // SAFETY: the child runs only async-signal-safe code and then execs or exits.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(SpawnError::System("fork", io::Error::last_os_error()));
    }
    if pid == 0 {
        // SAFETY: this is the freshly forked child.
        unsafe { exec_child(plan, inherited, write_end.as_raw_fd()) }
    }
    drop(write_end);

    let mut report = [0u8; 8];
    match read_report(&read_end, &mut report) {
        Ok(false) => return Ok(Child { pid }),
        Ok(true) => {}
        Err(error) => return Err(SpawnError::System("read the exec status", error)),
    }

    // exec failed: the child exits at once; collect it so it leaves no zombie.
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    let errno = i32::from_ne_bytes([report[0], report[1], report[2], report[3]]);
    let index = u32::from_ne_bytes([report[4], report[5], report[6], report[7]]) as usize;
    let path = plan
        .candidates
        .get(index)
        .map(|p| p.as_bytes())
        .unwrap_or_default();
    let path = OsStr::from_bytes(path).to_owned();
    // ENOENT from a file that exists means the `#!` interpreter is what is missing.
    let exists = std::fs::metadata(&path).is_ok();
    let missing_interpreter = (errno == libc::ENOENT && exists).then(|| interpreter_of(&path));
    let dangling_link = (errno == libc::ENOENT && !exists)
        .then(|| dangling_link(Path::new(&path)))
        .flatten()
        .map(Box::new);
    Err(SpawnError::Exec {
        program: plan.program.clone(),
        path,
        error: io::Error::from_raw_os_error(errno),
        missing_interpreter,
        dangling_link,
    })
}

/// The interpreter a script names on its `#!` line. ENOENT from a file that exists means
/// that is what is missing (or, failing that, whatever the kernel looked for).
fn interpreter_of(script: &OsStr) -> OsString {
    use std::io::Read;
    let mut head = [0u8; 256];
    let read = std::fs::File::open(script)
        .and_then(|mut file| file.read(&mut head))
        .unwrap_or(0);
    head.get(..read)
        .and_then(|head| head.strip_prefix(b"#!"))
        .and_then(|line| line.split(|&b| b == b'\n').next())
        .and_then(|line| {
            line.split(|&b| b == b' ' || b == b'\t')
                .find(|word| !word.is_empty())
        })
        .map(|interpreter| OsStr::from_bytes(interpreter).to_owned())
        .unwrap_or_else(|| OsString::from("?"))
}

/// For a symbolic link whose chain of links ends nowhere: its own target, and the path
/// that is missing at the end of the chain.
fn dangling_link(link: &Path) -> Option<(OsString, OsString)> {
    let target = std::fs::read_link(link).ok()?;
    let mut current = link.to_path_buf();
    // The kernel gives up after 40 links; so does this.
    for _ in 0..40 {
        let next = std::fs::read_link(&current).ok()?;
        let next = match current.parent() {
            Some(dir) if next.is_relative() => dir.join(next),
            _ => next,
        };
        match std::fs::symlink_metadata(&next) {
            // A link straight to nothing: its target, as written, is what is missing.
            Err(_) if current == link => return Some((target.clone().into(), target.into())),
            Err(_) => return Some((target.into(), next.into())),
            Ok(meta) if meta.file_type().is_symlink() => current = next,
            Ok(_) => return None,
        }
    }
    None
}

/// Reads the child's exec report: `false` at end of file before a whole report, which
/// means exec succeeded and closed the pipe.
fn read_report(pipe: &OwnedFd, report: &mut [u8; 8]) -> io::Result<bool> {
    let mut filled = 0;
    while let Some(rest) = report.get_mut(filled..).filter(|rest| !rest.is_empty()) {
        // SAFETY: reading into the unfilled tail of a local buffer.
        let n = unsafe { libc::read(pipe.as_raw_fd(), rest.as_mut_ptr().cast(), rest.len()) };
        match usize::try_from(n) {
            Ok(0) => return Ok(false),
            Ok(n) => filled = filled.saturating_add(n),
            Err(_) if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(io::Error::last_os_error()),
        }
    }
    Ok(true)
}

/// The child's side: its own session or process group, the terminal, pidone's signal
/// changes undone, exec along the PATH like execvp. Nothing here allocates.
unsafe fn exec_child(plan: &mut ExecPlan, inherited: &Inherited, report_fd: RawFd) -> ! {
    unsafe {
        // A session or process group of its own: signals for the group reach the
        // application and everything it starts, and nothing of pidone's.
        match plan.placement.isolation {
            Isolation::Session => {
                libc::setsid();
            }
            Isolation::Group => {
                libc::setpgid(0, 0);
            }
            Isolation::Shared => {}
        }
        // Still with pidone's signals blocked, SIGTTOU included: a background process
        // group may take the terminal without being stopped.
        if plan.placement.foreground {
            libc::tcsetpgrp(libc::STDIN_FILENO, libc::getpgrp());
        }
        if let Some(slot) = plan.listen_pid.and_then(|index| plan.envp.get_mut(index)) {
            format_listen_pid(libc::getpid(), &mut plan.listen_pid_entry);
            *slot = plan.listen_pid_entry.as_ptr().cast();
        }
        if plan.placement.reset_signals {
            inherited.reset_in_child();
        } else {
            inherited.restore_in_child();
        }

        // execvp's rules: a missing file or directory moves on to the next PATH entry; so
        // does EACCES, but it is what gets reported if nothing else is found.
        let mut reported = (libc::ENOENT, 0u32);
        let mut denied = None;
        for (index, path) in plan.candidates.iter().enumerate() {
            libc::execve(path.as_ptr(), plan.argv.as_ptr(), plan.envp.as_ptr());
            let errno = *libc::__errno_location();
            reported = (errno, index as u32);
            match errno {
                libc::ENOENT | libc::ENOTDIR => continue,
                libc::EACCES => {
                    denied.get_or_insert(reported);
                    continue;
                }
                _ => break,
            }
        }
        if reported.0 == libc::ENOENT || reported.0 == libc::ENOTDIR {
            reported = denied.unwrap_or(reported);
        }
        let mut report = [0u8; 8];
        report[..4].copy_from_slice(&reported.0.to_ne_bytes());
        report[4..].copy_from_slice(&reported.1.to_ne_bytes());
        libc::write(report_fd, report.as_ptr().cast(), report.len());
        libc::_exit(exit::NOT_FOUND as i32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn exit_codes_for_exec_errors() {
        assert_eq!(not_found_or_not_executable(Some(libc::ENOENT), false), 127);
        assert_eq!(not_found_or_not_executable(Some(libc::ENOTDIR), false), 127);
        assert_eq!(not_found_or_not_executable(Some(libc::ENOENT), true), 126);
        assert_eq!(not_found_or_not_executable(Some(libc::EACCES), false), 126);
        assert_eq!(not_found_or_not_executable(Some(libc::ENOEXEC), false), 126);
    }
}
