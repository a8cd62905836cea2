//! Kernel signal sets: the signals pidone blocks from its first instruction and waits
//! for with `rt_sigtimedwait`, and the signal state it hands back to the child. The system
//! calls are [`crate::sys`]'s; those that take a set are made directly, not through the C
//! library (see [`crate::signals::RTMIN`]).

use std::io;
use std::time::Duration;

use crate::signals::{KERNEL_RTMIN, Signal};
use crate::sys;

/// A set of signals as the kernel lays it out: bit N-1 for signal N, as
/// [`sys::set_signal_mask`] and [`sys::take_signal`] take it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignalSet(u64);

/// The bit of signal number `signal`; none (0) for a number outside 1..=64.
fn bit(signal: i32) -> u64 {
    match u32::try_from(signal) {
        Ok(signal @ 1..=64) => 1u64 << signal.wrapping_sub(1),
        _ => 0,
    }
}

impl SignalSet {
    /// No signal.
    pub fn empty() -> Self {
        SignalSet(0)
    }

    /// The set of `signals`.
    pub fn of(signals: impl IntoIterator<Item = Signal>) -> Self {
        let mut set = Self::empty();
        for signal in signals {
            set.insert(signal);
        }
        set
    }

    /// Adds `signal`.
    pub fn insert(&mut self, signal: Signal) {
        self.0 |= bit(signal.number());
    }

    /// Takes `signal` out.
    pub fn remove(&mut self, signal: Signal) {
        self.0 &= !bit(signal.number());
    }

    /// The set without `signal`.
    pub fn without(mut self, signal: Signal) -> Self {
        self.remove(signal);
        self
    }

    /// Whether `signal` is in the set.
    pub fn contains(&self, signal: Signal) -> bool {
        self.0 & bit(signal.number()) != 0
    }
}

/// rt_sigprocmask on kernel sets: `how` is SIG_BLOCK or SIG_SETMASK. Async-signal-safe.
fn set_mask(how: libc::c_int, set: &SignalSet) -> io::Result<SignalSet> {
    sys::set_signal_mask(how, set.0).map(SignalSet)
}

/// What pidone changed about signal handling, so the child can be given back exactly the
/// state pidone itself started with.
pub struct Inherited {
    mask: SignalSet,
    sigchld: Option<sys::Disposition>,
}

/// Blocks every handled signal, so none is lost or acted on by default before the
/// supervision loop waits for it, and makes sure child exits can be waited for.
///
/// Called first thing: a signal that arrives at any later moment stays pending until
/// the loop takes it.
pub fn take_over(handled: &SignalSet) -> io::Result<Inherited> {
    let mask = set_mask(libc::SIG_BLOCK, handled)?;

    // An ignored SIGCHLD (or SA_NOCLDWAIT) makes the kernel discard exit statuses: pidone
    // could then neither report the child's exit code nor know when it died.
    let current = sys::disposition(Signal::CHLD.number())?;
    let discards_statuses = current.ignores() || current.has_flag(libc::SA_NOCLDWAIT);
    let sigchld = if discards_statuses {
        sys::set_disposition(Signal::CHLD.number(), &sys::Disposition::default_action())?;
        Some(current)
    } else {
        None
    };
    Ok(Inherited { mask, sigchld })
}

impl Inherited {
    /// Puts back the dispositions and the mask pidone inherited. Runs in the forked child
    /// before exec: only async-signal-safe calls, no allocation.
    ///
    /// # Safety
    /// Call only in a freshly forked child about to exec.
    pub unsafe fn restore_in_child(&self) {
        if let Some(sigchld) = &self.sigchld {
            // Nothing to report from the child: exec follows either way.
            let _ = sys::set_disposition(Signal::CHLD.number(), sigchld);
        }
        // Last: from here on a signal acts on the child as it would without pidone.
        let _ = set_mask(libc::SIG_SETMASK, &self.mask);
    }

    /// What dumb-init hands its child instead: every standard signal (1 to 31) at its
    /// default disposition, ignored ones included, and an empty mask. dumb-init installs a
    /// handler for each of them (dumb-init.c, `main`), which exec resets to the default,
    /// and unblocks all signals in the child. Real-time signals keep their disposition, as
    /// under dumb-init. Runs in the forked child before exec: no allocation.
    ///
    /// # Safety
    /// Call only in a freshly forked child about to exec.
    pub unsafe fn reset_in_child(&self) {
        for signal in 1..KERNEL_RTMIN {
            if signal != libc::SIGKILL && signal != libc::SIGSTOP {
                let _ = sys::reset_disposition(signal);
            }
        }
        let _ = set_mask(libc::SIG_SETMASK, &SignalSet::empty());
    }
}

/// A signal taken from the pending set: which, who sent it, and how.
#[derive(Debug, Clone, Copy)]
pub struct Received {
    /// The signal.
    pub signal: Signal,
    /// The sender's pid (`si_pid`); for a signal the kernel raised, whatever it filled in.
    pub sender: libc::pid_t,
    /// Where it came from (`si_code`): `SI_USER` for `kill(2)`, `SI_KERNEL` for the
    /// terminal's, a `CLD_*` reason for SIGCHLD.
    pub code: i32,
}

/// Takes one pending signal of `set`, sleeping up to `timeout` (forever if `None`) for one
/// to arrive. `None` when the time ran out.
pub fn wait(set: &SignalSet, timeout: Option<Duration>) -> io::Result<Option<Received>> {
    let Some(taken) = sys::take_signal(set.0, timeout)? else {
        return Ok(None);
    };
    // The kernel hands back only a member of the set, so 1 to 64: anything else would be
    // a kernel fault, reported as an error rather than acted on.
    let signal = Signal::new(taken.number).ok_or(io::ErrorKind::InvalidData)?;
    Ok(Some(Received {
        signal,
        sender: taken.sender,
        code: taken.code,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets() {
        let [rt32, rt34, rt64] = [32, 34, 64].map(|number| Signal::new(number).unwrap());
        let mut set = SignalSet::of([Signal::TERM, Signal::HUP, rt32, rt34, rt64]);
        assert!(set.contains(Signal::TERM) && set.contains(Signal::HUP));
        assert!(set.contains(rt32) && set.contains(rt34) && set.contains(rt64));
        assert!(!set.contains(Signal::INT));
        set.remove(Signal::TERM);
        assert!(!set.contains(Signal::TERM));
        assert_eq!(
            set.0,
            1 << 0 | 1 << 31 | 1 << 33 | 1 << 63,
            "the kernel's layout"
        );
        // Numbers outside 1..=64 are not signals: they have no bit.
        for outside in [0, -1, 65, i32::MAX, i32::MIN] {
            assert_eq!(bit(outside), 0, "{outside}");
        }
    }
}
