//! The controlling terminal, when pidone's stdin is one. The terminal belongs to whoever
//! had it: pidone takes the foreground for the child only when pidone's own process group
//! holds it at start (a job started with `&` leaves it to the shell), and gives it back to
//! that group when it exits, so the script or shell that ran pidone can read it again.

use std::os::fd::RawFd;

use crate::config::Isolation;
use crate::sys;

/// Where the child stands with respect to the terminal (see [`Terminal::foreground`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Foreground {
    /// The child's own process group becomes the foreground group; pidone gives the
    /// foreground back to its own group when it exits.
    Take,
    /// pidone's group holds the foreground but cannot name itself: pidone is PID 1 of a
    /// PID namespace and its group lives outside it (`getpgrp()` is 0, `man 2 getpgrp`),
    /// so the foreground could not be given back. The child stays in pidone's process
    /// group and the terminal is left alone; what the terminal sends to that group
    /// (Ctrl-C, Ctrl-Z, a resize) reaches the child from the kernel, not from pidone.
    Share,
    /// Another process group holds the foreground (pidone runs as a background job): the
    /// child gets a process group of its own, in the background as pidone is.
    Leave,
}

#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    fd: RawFd,
    /// pidone's process group when it started; 0 when it is outside pidone's namespace.
    own_group: libc::pid_t,
    foreground: Foreground,
}

/// Where the child goes for `foreground`, `isolation` being the personality's own choice.
/// With a terminal the child stays in pidone's session: a session of its own would leave
/// it without a controlling terminal.
pub fn isolation_for(foreground: Option<Foreground>, isolation: Isolation) -> Isolation {
    match (foreground, isolation) {
        (Some(Foreground::Share), _) => Isolation::Shared,
        (Some(_), Isolation::Session) => Isolation::Group,
        (_, isolation) => isolation,
    }
}

/// The decision, from what `tcgetpgrp` and `getpgrp` say at start.
pub fn foreground(foreground_group: libc::pid_t, own_group: libc::pid_t) -> Foreground {
    match (foreground_group == own_group, own_group) {
        (true, 0) => Foreground::Share,
        (true, _) => Foreground::Take,
        (false, _) => Foreground::Leave,
    }
}

impl Terminal {
    /// pidone's stdin, if it is a terminal, and who holds its foreground now.
    pub fn of_stdin() -> Option<Terminal> {
        let fd = libc::STDIN_FILENO;
        if !sys::is_terminal(fd) {
            return None;
        }
        let own_group = sys::own_group();
        Some(Terminal {
            fd,
            own_group,
            foreground: foreground(sys::foreground_group(fd), own_group),
        })
    }

    pub fn foreground(&self) -> Foreground {
        self.foreground
    }

    /// Gives the terminal to `group` if pidone's own group holds it: after `fg` the shell
    /// hands the terminal to pidone, after `bg` it keeps it. pidone blocks SIGTTOU, so the
    /// call cannot stop it.
    pub fn hand_over_if_foreground(&self, group: libc::pid_t) {
        if sys::foreground_group(self.fd) == sys::own_group() {
            // The shell may have closed the terminal meanwhile: nothing to hand over then.
            let _ = sys::set_foreground_group(self.fd, group);
        }
    }

    /// When pidone exits: the foreground goes back to pidone's own group, which held it at
    /// start, if the child's group `child_group` still holds it (`None`: whichever group
    /// does, after an exec that failed). A foreground the shell took meanwhile stays.
    pub fn give_back(&self, child_group: Option<libc::pid_t>) {
        if self.foreground != Foreground::Take {
            return;
        }
        let now = sys::foreground_group(self.fd);
        if now != self.own_group && child_group.is_none_or(|group| group == now) {
            // pidone is exiting: a terminal that refuses is left as it is.
            let _ = sys::set_foreground_group(self.fd, self.own_group);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_foreground_is_taken_only_from_pidones_own_group() {
        assert_eq!(foreground(40, 40), Foreground::Take);
        assert_eq!(foreground(7, 40), Foreground::Leave, "a background job");
        assert_eq!(
            foreground(0, 0),
            Foreground::Share,
            "a group outside the namespace"
        );
        assert_eq!(foreground(-1, 40), Foreground::Leave);
    }

    #[test]
    fn a_terminal_keeps_the_child_in_pidones_session() {
        use Isolation::*;
        assert_eq!(isolation_for(Some(Foreground::Take), Session), Group);
        assert_eq!(isolation_for(Some(Foreground::Leave), Session), Group);
        assert_eq!(isolation_for(Some(Foreground::Share), Group), Shared);
        assert_eq!(isolation_for(None, Session), Session);
        assert_eq!(isolation_for(Some(Foreground::Take), Shared), Shared);
    }
}
