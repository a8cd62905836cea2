//! Which init pidone stands in for, decided by the name it was invoked under, so that
//! `ln -s pidone /sbin/tini` or `cp pidone /usr/bin/dumb-init` keeps an image's behaviour.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::exit;
use crate::lifecycle::OnChildExit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Personality {
    Pidone,
    /// tini, and Docker's `--init`, which installs tini as `docker-init`.
    Tini,
    DumbInit,
    /// catatonit, podman's init.
    Catatonit,
}

impl Personality {
    /// From argv[0]: its last path component, exactly.
    pub fn from_program_name(argv0: &OsStr) -> Self {
        let name = argv0
            .as_bytes()
            .rsplit(|&b| b == b'/')
            .next()
            .unwrap_or_default();
        match name {
            b"tini" | b"docker-init" => Personality::Tini,
            b"dumb-init" => Personality::DumbInit,
            b"catatonit" => Personality::Catatonit,
            _ => Personality::Pidone,
        }
    }

    /// Whether signals go to the child's whole process group unless a flag says otherwise.
    /// tini and catatonit signal the child alone unless given `-g`.
    pub fn forwards_to_group(self) -> bool {
        matches!(self, Personality::Pidone | Personality::DumbInit)
    }

    /// Whether the child starts a session of its own. tini and catatonit give it only a
    /// process group of its own, in their session.
    pub fn new_session(self) -> bool {
        matches!(self, Personality::Pidone | Personality::DumbInit)
    }

    /// When pidone is not PID 1 and the main child exits while others remain: what the
    /// peer does then, unless `--on-child-exit` says otherwise. Those processes outlive the
    /// init, re-parented, so nothing is lost. dumb-init in its setsid mode (`setsid`)
    /// sends SIGTERM to the child's process group first (dumb-init.c, `handle_signal`);
    /// with `-c` or `DUMB_INIT_SETSID=0`, and tini and catatonit, simply exit.
    pub fn on_child_exit(self, setsid: bool) -> OnChildExit {
        match self {
            Personality::Pidone => OnChildExit::Drain,
            Personality::DumbInit if setsid => OnChildExit::TermGroupAndExit,
            Personality::Tini | Personality::DumbInit | Personality::Catatonit => OnChildExit::Exit,
        }
    }

    /// The exit code of a usage error (an unknown option, no COMMAND): 1 under the tini
    /// and dumb-init names, as those exit; [`exit::USAGE`] (2) otherwise.
    pub fn usage_exit_code(self) -> u8 {
        match self {
            Personality::Tini | Personality::DumbInit => 1,
            Personality::Pidone | Personality::Catatonit => exit::USAGE,
        }
    }

    /// The `--version` line. Docker parses `docker-init --version` for `docker info`, in
    /// tini's format.
    pub fn version_line(self) -> String {
        let version = env!("CARGO_PKG_VERSION");
        match self {
            Personality::Tini => format!("tini version {version} - git.pidone"),
            _ => format!("pidone {version}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(name: &str) -> Personality {
        Personality::from_program_name(OsStr::new(name))
    }

    #[test]
    fn names() {
        assert_eq!(of("/sbin/tini"), Personality::Tini);
        assert_eq!(of("docker-init"), Personality::Tini);
        assert_eq!(of("/usr/bin/dumb-init"), Personality::DumbInit);
        assert_eq!(of("catatonit"), Personality::Catatonit);
        assert_eq!(of("/pidone"), Personality::Pidone);
        assert_eq!(
            of("tini-static"),
            Personality::Pidone,
            "only the exact names"
        );
        assert_eq!(of(""), Personality::Pidone);
    }

    #[test]
    fn defaults() {
        assert!(Personality::Pidone.forwards_to_group() && Personality::Pidone.new_session());
        assert!(Personality::DumbInit.forwards_to_group() && Personality::DumbInit.new_session());
        assert!(!Personality::Tini.forwards_to_group() && !Personality::Tini.new_session());
        assert!(
            !Personality::Catatonit.forwards_to_group() && !Personality::Catatonit.new_session()
        );
    }

    #[test]
    fn version_lines() {
        let version = env!("CARGO_PKG_VERSION");
        assert_eq!(
            Personality::Tini.version_line(),
            format!("tini version {version} - git.pidone")
        );
        assert_eq!(
            Personality::Pidone.version_line(),
            format!("pidone {version}")
        );
    }
}
