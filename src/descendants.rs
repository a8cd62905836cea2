//! Finding and signalling the processes pidone is responsible for, and nothing else.
//!
//! As PID 1 of a namespace that is every other process in it, and `kill(-1, …)` reaches
//! them all. Anywhere else `kill(-1, …)` would reach every process of the host that pidone
//! may signal, so pidone signals only the child's process group and its own children
//! (processes re-parented to it as a subreaper), one by one.
//!
//! A pid that pidone has reaped may be given to an unrelated process, so pidone never
//! signals one again: not the child once it is reaped, not the child's process group once
//! it is empty, not a pid it swept before the reap.

use std::fs;

use log::debug;

use crate::forward::{Cause, send, send_and_continue};
use crate::signals::Signal;
use crate::sys::{self, Destination};

/// The fields of `/proc/PID/stat` pidone needs (`man 5 proc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub pid: libc::pid_t,
    pub state: u8,
    pub ppid: libc::pid_t,
    pub pgrp: libc::pid_t,
    /// When the process started, in clock ticks since boot (field 22, `starttime`), if
    /// the line has it.
    pub start: Option<u64>,
}

/// Parses a `/proc/PID/stat` line. The command name sits in parentheses and may itself
/// contain spaces and parentheses, so fields are counted from the last `)`.
pub fn parse_stat(line: &str) -> Option<Stat> {
    let (pid, rest) = line.split_once(" (")?;
    let (_, after_name) = rest.rsplit_once(") ")?;
    let mut fields = after_name.split(' ');
    let state = *fields.next()?.as_bytes().first()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgrp = fields.next()?.parse().ok()?;
    // Fields 6 to 21 (session to itrealvalue) come before starttime, field 22.
    let start = fields.nth(16).and_then(|field| field.parse().ok());
    Some(Stat {
        pid: pid.parse().ok()?,
        state,
        ppid,
        pgrp,
        start,
    })
}

/// Now, in the clock ticks of `/proc/PID/stat`'s `starttime`: `CLOCK_BOOTTIME` (the clock
/// the kernel starts processes by, `start_boottime`) in units of `USER_HZ`, rounded down
/// as the kernel rounds (`nsec_to_clock_t`). A vDSO call: no system call.
fn ticks_now() -> u64 {
    let hz = sys::clock_ticks_per_second().unwrap_or(100);
    let nanos = u64::try_from(sys::since_boot().as_nanos()).unwrap_or(u64::MAX);
    let per_tick = 1_000_000_000u64.checked_div(hz).unwrap_or(10_000_000);
    nanos.checked_div(per_tick).unwrap_or_default()
}

/// A process group asked to stop by a forwarded SIGTERM or SIGINT, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AskedGroup {
    group: libc::pid_t,
    /// In clock ticks since boot (see [`ticks_now`]).
    at: u64,
}

impl AskedGroup {
    /// Whether the group's signal reached `stat`'s process: a member that had started by
    /// then. A process started within the same clock tick (10 ms) as the signal counts as
    /// reached; one that joined the group later, having started before, too.
    fn reached(&self, stat: &Stat) -> bool {
        stat.pgrp == self.group && stat.start.is_some_and(|start| start <= self.at)
    }
}

/// Who pidone answers for.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    /// pidone's own pid.
    pub me: libc::pid_t,
    /// The main child's process group, when it leads one of its own, until it is known to
    /// be empty.
    pub group: Option<libc::pid_t>,
}

impl Scope {
    /// pidone is the init of its PID namespace.
    pub fn is_init(&self) -> bool {
        self.me == 1
    }

    /// Whether a live process is one pidone may signal. Zombies are dead already: they are
    /// reaped, not signalled.
    pub fn covers(&self, stat: &Stat) -> bool {
        if stat.pid == self.me || stat.state == b'Z' || stat.state == b'X' {
            return false;
        }
        self.is_init() || stat.ppid == self.me || Some(stat.pgrp) == self.group
    }
}

/// Whether /proc describes pidone's own PID namespace. Without `--mount-proc`, a new PID
/// namespace still sees its parent's /proc, whose pids mean other processes here; and where
/// no /proc is mounted there is nothing to read.
pub fn proc_is_ours(me: libc::pid_t) -> bool {
    fs::read_link("/proc/self")
        .ok()
        .and_then(|link| link.to_str()?.parse::<libc::pid_t>().ok())
        == Some(me)
}

/// The processes of `scope` alive now, or `None` when /proc cannot be read or is not the
/// /proc of pidone's PID namespace.
fn scan(scope: &Scope) -> Option<Vec<Stat>> {
    if !proc_is_ours(scope.me) {
        return None;
    }
    let entries = fs::read_dir("/proc").ok()?;
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        // A process may exit between readdir and read: skip it. Its name is whatever it
        // chose, not necessarily UTF-8: read as bytes, so no name can hide a process.
        let Ok(line) = fs::read(format!("/proc/{pid}/stat")) else {
            continue;
        };
        if let Some(stat) =
            parse_stat(&String::from_utf8_lossy(&line)).filter(|stat| scope.covers(stat))
        {
            found.push(stat);
        }
    }
    found.sort_unstable_by_key(|stat| stat.pid);
    Some(found)
}

/// Signals descendants so that each gets SIGTERM at most once per shutdown — from a
/// forwarded SIGTERM or SIGINT, or from the drain — and SIGKILL once, however many sweeps it
/// takes for re-parented stragglers to show up.
#[derive(Debug)]
pub struct Sweeper {
    scope: Scope,
    /// Pids asked to stop: sent a forwarded SIGTERM or SIGINT, or the drain's SIGTERM.
    /// None is reaped yet, so none can have been reused.
    asked: Vec<libc::pid_t>,
    /// Process groups asked to stop by a forwarded SIGTERM or SIGINT. Who was in them is
    /// read from /proc only when the drain needs it, not on the forwarding's path: the
    /// application's handler would wait for the scan.
    asked_groups: Vec<AskedGroup>,
    /// Pids sent SIGKILL.
    killed: Vec<libc::pid_t>,
    term_broadcast_done: bool,
    kill_broadcast_done: bool,
}

impl Sweeper {
    pub fn new(scope: Scope) -> Self {
        Sweeper {
            scope,
            asked: Vec::new(),
            asked_groups: Vec::new(),
            killed: Vec::new(),
            term_broadcast_done: false,
            kill_broadcast_done: false,
        }
    }

    /// A reaped pid may be reused by an unrelated process: forget it.
    pub fn forget(&mut self, pid: libc::pid_t) {
        self.asked.retain(|&p| p != pid);
        self.killed.retain(|&p| p != pid);
    }

    /// Whether every descendant can be reached: as PID 1 `kill(-1, …)` reaches them all;
    /// anywhere else those outside the child's group are found only in /proc.
    pub fn finds_every_descendant(&self) -> bool {
        self.scope.is_init() || proc_is_ours(self.scope.me)
    }

    /// The child's process group, while it may still have members.
    pub fn group(&self) -> Option<libc::pid_t> {
        self.scope.group
    }

    /// Once the child is reaped, its group's number is held only by the members left; when
    /// none is, a new process could take the number and lead a group of the same number.
    /// Checked after every reap: from then on the group is never signalled again.
    pub fn let_go_of_group_if_empty(&mut self) {
        let Some(group) = self.scope.group else {
            return;
        };
        if sys::group_is_empty(group) {
            debug!("the child's process group {group} is empty; it is not signalled any more");
            self.scope.group = None;
        }
    }

    /// A SIGTERM or SIGINT (or what `--rewrite` made of it) was forwarded to `to`: its
    /// processes have been asked to stop, and the drain does not ask them again. A group's
    /// members are those /proc lists in it at the drain, started by the time of the signal.
    pub fn record_asked(&mut self, to: Destination) {
        match to {
            Destination::Process(pid) => {
                if !self.asked.contains(&pid) {
                    self.asked.push(pid);
                }
            }
            Destination::Group(group) => {
                let at = ticks_now();
                // A later request reached whoever had joined by then, too.
                match self.asked_groups.iter_mut().find(|g| g.group == group) {
                    Some(asked) => asked.at = at,
                    None => self.asked_groups.push(AskedGroup { group, at }),
                }
            }
            // Forwarding never signals everyone.
            Destination::Everyone => {}
        }
    }

    /// dumb-init's last act in its setsid mode: `signal` (SIGTERM, or what `--rewrite` makes
    /// of it; `None` when it drops it) to the child's process group — unless the group has
    /// been asked to stop already.
    pub fn term_group_unless_asked(&mut self, signal: Option<Signal>) {
        if !self.asked.is_empty() || !self.asked_groups.is_empty() {
            debug!("the child's process group has had its SIGTERM");
            return;
        }
        if let (Some(group), Some(signal)) = (self.scope.group, signal) {
            send(Destination::Group(group), signal, Cause::Own);
        }
    }

    /// Sends `signal` (SIGTERM or SIGKILL) to every descendant that has not had it yet.
    /// Returns the pids newly signalled, for the log, or `None` when /proc cannot list
    /// those a broadcast reached.
    ///
    /// A broadcast (`kill(-1)` as PID 1, else the child's group) reaches everyone at once,
    /// processes forking meanwhile included; for SIGTERM it is used only while it cannot
    /// reach a process twice: before anyone has been asked to stop.
    pub fn sweep(&mut self, signal: Signal) -> Option<Vec<libc::pid_t>> {
        let alive = scan(&self.scope);
        let terminating = signal != Signal::KILL;
        let may_broadcast = if terminating {
            !self.term_broadcast_done && self.asked.is_empty() && self.asked_groups.is_empty()
        } else {
            !self.kill_broadcast_done
        };
        // What a forwarded SIGTERM or SIGINT reached counts as asked (SIGKILL aside).
        let asked_groups: &[AskedGroup] = if terminating { &self.asked_groups } else { &[] };
        let (sent, broadcast_done) = if terminating {
            (&mut self.asked, &mut self.term_broadcast_done)
        } else {
            (&mut self.killed, &mut self.kill_broadcast_done)
        };
        if alive.is_none() && !may_broadcast {
            // Without /proc nothing beyond a broadcast can be found.
            return Some(Vec::new());
        }
        let mut reached = Vec::new();
        if may_broadcast {
            *broadcast_done = true;
            // kill(-1) only as PID 1 of pidone's own namespace: anywhere else it would
            // reach every process of the host pidone may signal.
            if self.scope.is_init() {
                send_and_continue(Destination::Everyone, signal);
            } else if let Some(group) = self.scope.group {
                send_and_continue(Destination::Group(group), signal);
            }
            // Everything the broadcast reached counts as sent.
            for stat in alive.iter().flatten() {
                if self.scope.is_init() || Some(stat.pgrp) == self.scope.group {
                    sent.push(stat.pid);
                    reached.push(stat.pid);
                }
            }
        }
        for stat in alive.iter().flatten() {
            if !sent.contains(&stat.pid) && !asked_groups.iter().any(|g| g.reached(stat)) {
                send_and_continue(Destination::Process(stat.pid), signal);
                sent.push(stat.pid);
                reached.push(stat.pid);
            }
        }
        reached.sort_unstable();
        alive.map(|_| reached)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_stat_lines() {
        let stat = parse_stat("42 (sleep) S 1 42 42 0 -1 4194560 100 0").unwrap();
        assert_eq!(
            stat,
            Stat {
                pid: 42,
                state: b'S',
                ppid: 1,
                pgrp: 42,
                start: None
            }
        );
        // A whole line, as Linux writes it: starttime is field 22.
        let line = "42 (sleep) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 \
                    123456 2445312 200 18446744073709551615";
        assert_eq!(parse_stat(line).unwrap().start, Some(123456));
    }

    #[test]
    fn a_group_asked_to_stop_reached_the_members_started_by_then() {
        let asked = AskedGroup { group: 5, at: 100 };
        let stat = |pgrp, start| Stat {
            pid: 9,
            state: b'S',
            ppid: 1,
            pgrp,
            start,
        };
        assert!(asked.reached(&stat(5, Some(99))));
        assert!(asked.reached(&stat(5, Some(100))), "within the same tick");
        assert!(!asked.reached(&stat(5, Some(101))), "started after it");
        assert!(!asked.reached(&stat(6, Some(50))), "another group");
        assert!(!asked.reached(&stat(5, None)), "unknown: asked again");
    }

    #[test]
    fn ticks_count_from_boot_as_proc_does() {
        let own = std::fs::read_to_string("/proc/self/stat").unwrap();
        let started = parse_stat(&own).unwrap().start.unwrap();
        let now = ticks_now();
        assert!(started <= now, "{started} > {now}");
        let uptime: f64 = std::fs::read_to_string("/proc/uptime")
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (now as f64 / 100.0 - uptime).abs() < 2.0,
            "{now} ticks, {uptime} s up"
        );
    }

    #[test]
    fn parses_names_with_spaces_and_parentheses() {
        let stat = parse_stat("7 (a) b (c) Z 3 5 5 0").unwrap();
        assert_eq!(
            stat,
            Stat {
                pid: 7,
                state: b'Z',
                ppid: 3,
                pgrp: 5,
                start: None
            }
        );
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse_stat(""), None);
        assert_eq!(parse_stat("x (y) S 1 2"), None);
        assert_eq!(parse_stat("1 (y) S"), None);
    }

    fn stat(pid: i32, state: u8, ppid: i32, pgrp: i32) -> Stat {
        Stat {
            pid,
            state,
            ppid,
            pgrp,
            start: None,
        }
    }

    #[test]
    fn as_init_everything_else_is_covered() {
        let scope = Scope {
            me: 1,
            group: Some(2),
        };
        assert!(scope.covers(&stat(9, b'S', 5, 9)));
        assert!(!scope.covers(&stat(1, b'S', 0, 1)), "not itself");
        assert!(!scope.covers(&stat(9, b'Z', 1, 9)), "not zombies");
    }

    #[test]
    fn elsewhere_only_children_and_the_childs_group() {
        let scope = Scope {
            me: 100,
            group: Some(101),
        };
        assert!(scope.covers(&stat(101, b'S', 100, 101)), "the child");
        assert!(scope.covers(&stat(150, b'S', 120, 101)), "its group");
        assert!(
            scope.covers(&stat(160, b'S', 100, 160)),
            "a re-parented daemon"
        );
        assert!(
            !scope.covers(&stat(170, b'S', 160, 170)),
            "not reachable yet"
        );
        assert!(
            !scope.covers(&stat(50, b'S', 1, 50)),
            "an unrelated process"
        );
        assert!(!scope.covers(&stat(99, b'S', 1, 99)), "pidone's parent");
    }

    #[test]
    fn a_child_sharing_pidones_group_is_covered_as_a_child_only() {
        let scope = Scope {
            me: 100,
            group: None,
        };
        assert!(scope.covers(&stat(101, b'S', 100, 100)), "the child");
        assert!(
            !scope.covers(&stat(102, b'S', 1, 100)),
            "pidone's group is not the child's"
        );
    }
}
