//! The forwarding rule, whole: which received signal goes on to the application, as what,
//! to whom, and when a SIGCONT follows it.
//!
//! - SIGCHLD is never forwarded: it tells pidone to reap ([`Disposition::Reap`]).
//! - A SIGPIPE that pidone's own write to a closed pipe raised concerns pidone alone.
//! - A signal the terminal sent to the process group the child shares with pidone has
//!   reached the child already, from the kernel: it is not sent a second time.
//! - Everything else is forwarded when the lifecycle says so (a SIGTERM may be held for the
//!   stop delay, `lifecycle.rs`), rewritten as `--rewrite` says, or dropped where it says 0.
//! - It goes to the child's process group ([`Target::Group`]) while the group may have
//!   members, else to the child until pidone has reaped it, and after that to nobody: a
//!   reaped pid, or an empty group's number, may be anyone's by now.
//! - A SIGTERM or SIGINT sent to a stopped child is followed by SIGCONT
//!   ([`needs_sigcont_after`]); a forwarded SIGTERM or SIGINT also marks everyone it
//!   reached as asked to stop, so the drain does not ask them again (`descendants.rs`).
//! - Every signal pidone sends to another process, forwarded or its own (the drain's),
//!   goes out through [`send`], which logs it.

use log::debug;

use crate::descendants::Sweeper;
use crate::signals::{Rewrite, Signal};
use crate::sigset::Received;
use crate::sys::{self, Destination};

/// Where forwarded signals go (`--single-child`, `--process-group`, and each personality's
/// default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The child's process group: the child and everything it started that stayed in it.
    Group,
    /// The child alone.
    Child,
}

/// What a received signal is to pidone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// SIGCHLD: a child changed state; reap.
    Reap,
    /// pidone's own SIGPIPE: not the application's business.
    Own,
    /// For the lifecycle to react to, and to forward.
    Forward,
}

/// How pidone takes `received`. A SIGPIPE the kernel raised against pidone's own write to
/// a closed stderr is reported as sent by pidone itself (`SI_USER`, pidone's pid), the same
/// as `kill(getpid(), SIGPIPE)`.
pub fn disposition(received: &Received, me: libc::pid_t) -> Disposition {
    match received.signal {
        Signal::CHLD => Disposition::Reap,
        Signal::PIPE if received.code == libc::SI_USER && received.sender == me => Disposition::Own,
        _ => Disposition::Forward,
    }
}

/// Whether a signal sent to stop processes must be followed by SIGCONT: a stopped process
/// keeps it pending until continued, so it would neither exit nor flush before the
/// deadline's SIGKILL. Orchestrators do the same (systemd sends SIGCONT after SIGTERM).
pub fn needs_sigcont_after(signal: Signal) -> bool {
    signal.is_shutdown()
}

/// Where a forwarded signal goes, or `None` when nobody it was meant for can still be
/// reached safely: the child is pidone's to signal until pidone reaps it; its process
/// group (`group`, while it may have members) stays the child's while any member lives.
pub fn destination(
    target: Target,
    child: libc::pid_t,
    child_reaped: bool,
    group: Option<libc::pid_t>,
) -> Option<Destination> {
    match (target, group) {
        (Target::Group, Some(group)) => Some(Destination::Group(group)),
        _ if child_reaped => None,
        _ => Some(Destination::Process(child)),
    }
}

/// Forwarding to the child or its process group, for as long as they are pidone's to
/// signal.
#[derive(Debug)]
pub struct Relay<'a> {
    child: libc::pid_t,
    target: Target,
    rewrite: &'a Rewrite,
    child_reaped: bool,
    /// The child is stopped: a signal that should end it must be followed by SIGCONT.
    child_stopped: bool,
    /// The child is in pidone's process group, which holds the terminal's foreground: what
    /// the terminal sends reaches the child from the kernel (`terminal::Foreground::Share`).
    shares_terminal: bool,
}

impl<'a> Relay<'a> {
    pub fn new(
        child: libc::pid_t,
        target: Target,
        rewrite: &'a Rewrite,
        shares_terminal: bool,
    ) -> Self {
        Relay {
            child,
            target,
            rewrite,
            child_reaped: false,
            child_stopped: false,
            shares_terminal,
        }
    }

    /// The child has been reaped: its pid is no longer pidone's to signal.
    pub fn child_reaped(&mut self) {
        self.child_reaped = true;
    }

    /// The child's pid while it is pidone's to signal, `None` once it has been reaped.
    pub fn unreaped_child(&self) -> Option<libc::pid_t> {
        (!self.child_reaped).then_some(self.child)
    }

    /// Whether the child is stopped (`true`) or was continued (`false`).
    pub fn child_stopped(&mut self, stopped: bool) {
        self.child_stopped = stopped;
    }

    /// Forwards `signals`, what the lifecycle made of `received`: all of them but the
    /// received signal itself when the terminal sent it to the group the child shares.
    pub fn forward_reaction(&self, received: &Received, signals: &[Signal], sweeper: &mut Sweeper) {
        let from_terminal = self.shares_terminal && received.code == libc::SI_KERNEL;
        for &signal in signals {
            if from_terminal && signal == received.signal {
                debug!(
                    "not forwarding {signal}: the terminal sent it to the child's process group"
                );
            } else {
                self.forward(signal, sweeper);
            }
        }
    }

    /// Forwards `received`, rewritten, to the child or its group.
    pub fn forward(&self, received: Signal, sweeper: &mut Sweeper) {
        let Some(signal) = self.rewrite.apply(received) else {
            debug!("dropping {received}: rewritten to 0");
            return;
        };
        let Some(to) = self.destination(sweeper) else {
            debug!("not forwarding {signal}: the child is reaped and its process group is empty");
            return;
        };
        send(to, signal, Cause::Forwarded);
        if received.is_shutdown() {
            sweeper.record_asked(to);
        }
        // Only when needed: a SIGCONT right behind every SIGTERM would delay the
        // application's handling of it.
        if needs_sigcont_after(received) && self.child_stopped {
            send(to, Signal::CONT, Cause::Forwarded);
        }
    }

    /// Continues a child found stopped while it is being stopped for good.
    pub fn resume(&self, sweeper: &mut Sweeper) {
        if let Some(to) = self.destination(sweeper) {
            send(to, Signal::CONT, Cause::Forwarded);
        }
    }

    fn destination(&self, sweeper: &mut Sweeper) -> Option<Destination> {
        if self.child_reaped {
            sweeper.let_go_of_group_if_empty();
        }
        destination(self.target, self.child, self.child_reaped, sweeper.group())
    }
}

/// On whose behalf pidone sends a signal, as its debug log says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// A signal pidone received, passed on as `--rewrite` makes it.
    Forwarded,
    /// pidone's own: the drain's SIGTERM and SIGKILL, dumb-init's SIGTERM to the group.
    Own,
}

/// Sends `signal` to `to`: every signal pidone sends to another process leaves it here.
/// A failure is logged at debug level and goes no further: ESRCH means whoever it was
/// meant for is gone, and there is nothing else to do about EPERM (`man 2 kill`).
pub fn send(to: Destination, signal: Signal, cause: Cause) {
    match (sys::kill(to, signal), cause) {
        (Ok(()), Cause::Forwarded) => debug!("forwarded {signal} to {to}"),
        (Ok(()), Cause::Own) => debug!("sent {signal} to {to}"),
        (Err(error), Cause::Forwarded) => debug!("could not forward {signal} to {to}: {error}"),
        (Err(error), Cause::Own) => debug!("could not send {signal} to {to}: {error}"),
    }
}

/// Sends `signal`, and SIGCONT after it where a stopped process would otherwise keep it
/// pending ([`needs_sigcont_after`]): for pidone's own sends, which cannot know who is
/// stopped.
pub fn send_and_continue(to: Destination, signal: Signal) {
    send(to, signal, Cause::Own);
    if needs_sigcont_after(signal) {
        send(to, Signal::CONT, Cause::Own);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(signal: Signal, code: i32, sender: libc::pid_t) -> Received {
        Received {
            signal,
            sender,
            code,
        }
    }

    #[test]
    fn sigchld_is_reaped_and_own_sigpipe_kept() {
        let me = 40;
        assert_eq!(
            disposition(&received(Signal::CHLD, libc::CLD_EXITED, 7), me),
            Disposition::Reap
        );
        assert_eq!(
            disposition(&received(Signal::PIPE, libc::SI_USER, me), me),
            Disposition::Own
        );
        assert_eq!(
            disposition(&received(Signal::PIPE, libc::SI_USER, 7), me),
            Disposition::Forward,
            "another process's kill -PIPE"
        );
        assert_eq!(
            disposition(&received(Signal::TERM, libc::SI_USER, me), me),
            Disposition::Forward
        );
    }

    #[test]
    fn only_stopping_signals_are_followed_by_sigcont() {
        assert!(needs_sigcont_after(Signal::TERM) && needs_sigcont_after(Signal::INT));
        for signal in [Signal::HUP, Signal::USR1, Signal::QUIT, Signal::KILL] {
            assert!(!needs_sigcont_after(signal), "{signal}");
        }
    }

    #[test]
    fn forwarding_never_reaches_a_reaped_child_or_an_emptied_group() {
        use Destination::{Group, Process};
        assert_eq!(
            destination(Target::Group, 7, false, Some(7)),
            Some(Group(7))
        );
        assert_eq!(
            destination(Target::Group, 7, true, Some(7)),
            Some(Group(7)),
            "members are left"
        );
        assert_eq!(destination(Target::Group, 7, true, None), None);
        assert_eq!(
            destination(Target::Group, 7, false, None),
            Some(Process(7)),
            "the child left its group: it is still pidone's"
        );
        assert_eq!(
            destination(Target::Child, 7, false, Some(7)),
            Some(Process(7))
        );
        assert_eq!(destination(Target::Child, 7, true, Some(7)), None);
        assert_eq!(destination(Target::Child, 7, true, None), None);
    }
}
