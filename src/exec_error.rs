//! Why the child could not be started, explained: the exit code (127 for nothing to run,
//! 126 for a file that cannot be run, 1 for pidone's own failures) and the one line that
//! names the command, the file tried and the OS error — including the `#!` interpreter
//! that is missing and the end of a chain of symbolic links that leads nowhere.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::exit;
use crate::logging::printable;

/// Why the child could not be started.
#[derive(Debug)]
pub enum SpawnError {
    /// There was no program to run.
    NoCommand,
    /// An argument held a NUL byte, which no exec can carry.
    Nul(OsString),
    /// pidone could not create the pipe or fork.
    System(&'static str, io::Error),
    /// A call the child makes before exec failed: its name (`setsid`, `setpgid`,
    /// `tcsetpgrp`) and the error. The child exits without running the command.
    Setup(&'static str, io::Error),
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
            SpawnError::System(..) | SpawnError::Setup(..) => exit::FAILURE,
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
            SpawnError::Setup(call, error) => {
                write!(f, "cannot start the child: {call} failed: {error}")
            }
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

/// The error for a failed exec of `path`, for `program`, with `errno`: ENOENT from a file
/// that exists means the `#!` interpreter is what is missing; from a symbolic link, that
/// the chain of links ends nowhere.
pub fn exec_failed(program: &OsStr, path: &OsStr, errno: i32) -> SpawnError {
    let exists = std::fs::metadata(path).is_ok();
    let missing_interpreter = (errno == libc::ENOENT && exists).then(|| interpreter_of(path));
    let dangling_link = (errno == libc::ENOENT && !exists)
        .then(|| dangling_link(Path::new(path)))
        .flatten()
        .map(Box::new);
    SpawnError::Exec {
        program: program.to_owned(),
        path: path.to_owned(),
        error: io::Error::from_raw_os_error(errno),
        missing_interpreter,
        dangling_link,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_for_exec_errors() {
        assert_eq!(not_found_or_not_executable(Some(libc::ENOENT), false), 127);
        assert_eq!(not_found_or_not_executable(Some(libc::ENOTDIR), false), 127);
        assert_eq!(not_found_or_not_executable(Some(libc::ENOENT), true), 126);
        assert_eq!(not_found_or_not_executable(Some(libc::EACCES), false), 126);
        assert_eq!(not_found_or_not_executable(Some(libc::ENOEXEC), false), 126);
    }

    #[test]
    fn a_failed_call_before_exec_names_itself_and_exits_1() {
        let error = SpawnError::Setup("setsid", io::Error::from_raw_os_error(libc::EPERM));
        assert_eq!(error.exit_code(), 1);
        assert_eq!(
            error.to_string(),
            "cannot start the child: setsid failed: Operation not permitted (os error 1)"
        );
    }
}
