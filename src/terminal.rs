//! The controlling terminal, when pidone's stdin is one: the child's process group is made
//! its foreground group, so Ctrl-C, Ctrl-Z and window resizes reach the application the
//! way they reach a program started by a shell.

use std::os::fd::RawFd;

#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    fd: RawFd,
}

impl Terminal {
    /// pidone's stdin, if it is a terminal.
    pub fn of_stdin() -> Option<Terminal> {
        // SAFETY: isatty only inspects the descriptor.
        (unsafe { libc::isatty(libc::STDIN_FILENO) } == 1).then_some(Terminal {
            fd: libc::STDIN_FILENO,
        })
    }

    /// Gives the terminal to `group` if pidone's own group holds it: after `fg` the shell
    /// hands the terminal to pidone, after `bg` it keeps it. pidone blocks SIGTTOU, so the
    /// call cannot stop it.
    pub fn hand_over_if_foreground(&self, group: libc::pid_t) {
        // SAFETY: terminal ioctls on a descriptor pidone keeps open.
        unsafe {
            if libc::tcgetpgrp(self.fd) == libc::getpgrp() {
                libc::tcsetpgrp(self.fd, group);
            }
        }
    }
}
