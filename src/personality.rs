//! Which init pidone stands in for, decided by the name it was invoked under, so that
//! `ln -s pidone /sbin/tini` or `cp pidone /usr/bin/dumb-init` keeps an image's behaviour.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::cli::Grammar;
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
    /// From `argv[0]`: its last path component, exactly.
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

    /// The exit code of a usage error (an unknown option, no COMMAND, an invalid value):
    /// 1 under a peer's name, as tini, dumb-init and catatonit all exit;
    /// [`exit::USAGE`] (2) under pidone's own.
    pub fn usage_exit_code(self) -> u8 {
        match self {
            Personality::Tini | Personality::DumbInit | Personality::Catatonit => exit::PEER_USAGE,
            Personality::Pidone => exit::USAGE,
        }
    }

    /// How the options are read. pidone's own rules under its name; under a peer's, the
    /// peer's `getopt_long(3)` with its own long options: tini has none (it reads `--version`
    /// only as its sole argument), dumb-init `--help`, `--rewrite`,
    /// `--single-child`, `--verbose` and `--version` (dumb-init.c, `long_options`),
    /// catatonit `--version` (catatonit.c).
    pub const fn grammar(self) -> Grammar {
        match self {
            Personality::Pidone => Grammar::Pidone,
            Personality::Tini => Grammar::Getopt { long_options: &[] },
            Personality::DumbInit => Grammar::Getopt {
                long_options: &["help", "rewrite", "single-child", "verbose", "version"],
            },
            Personality::Catatonit => Grammar::Getopt {
                long_options: &["version"],
            },
        }
    }

    /// The `--version` line, and whether it goes to stderr (dumb-init's does).
    ///
    /// Docker's daemon runs its `init-path` with `--version` and reads stdout as
    /// `tini version VERSION - git.COMMIT`, COMMIT without dots (moby's `parseInitVersion`);
    /// `docker info` shows COMMIT as the "init version". So under every name Docker may call
    /// pidone by, the line ends in ` - git.pidone-MAJOR_MINOR_PATCH-COMMIT`, which names
    /// pidone, its version and the git commit it was built from (12 hex digits; the part
    /// `-COMMIT` is left out when the build had no git checkout; see `build.rs`), whatever
    /// the file is called. Under the peers' names the rest of the line
    /// is the peer's own format: `tini version VERSION`, catatonit's
    /// `tini version VERSION_catatonit`, dumb-init's `dumb-init vVERSION` (with `(pidone)`),
    /// each with pidone's version.
    pub fn version_line(self) -> (&'static str, bool) {
        macro_rules! line {
            ($($part:expr),*) => {
                concat!(
                    $($part,)*
                    " - git.pidone-",
                    env!("CARGO_PKG_VERSION_MAJOR"),
                    "_",
                    env!("CARGO_PKG_VERSION_MINOR"),
                    "_",
                    env!("CARGO_PKG_VERSION_PATCH"),
                    env!("PIDONE_COMMIT_SUFFIX")
                )
            };
        }
        match self {
            Personality::Pidone => (line!("pidone version ", env!("CARGO_PKG_VERSION")), false),
            Personality::Tini => (line!("tini version ", env!("CARGO_PKG_VERSION")), false),
            Personality::Catatonit => (
                line!("tini version ", env!("CARGO_PKG_VERSION"), "_catatonit"),
                false,
            ),
            Personality::DumbInit => (
                concat!("dumb-init v", env!("CARGO_PKG_VERSION"), " (pidone)"),
                true,
            ),
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

    /// moby's `parseInitVersion`: the commit is the second " - " field if it is `git.ID`
    /// with no dot in ID; the version, the first field after `tini version `.
    fn docker_parse(line: &str) -> (String, String) {
        let parts: Vec<&str> = line.split(" - ").collect();
        let commit = parts
            .get(1)
            .map(|git| git.trim().split('.').collect::<Vec<_>>())
            .filter(|git| git.len() == 2 && git[0] == "git")
            .map(|git| git[1].to_string())
            .unwrap_or_default();
        let version = parts[0]
            .trim()
            .strip_prefix("tini version ")
            .unwrap_or_default()
            .to_string();
        (version, commit)
    }

    #[test]
    fn docker_reads_pidones_version_under_every_name_it_calls_it_by() {
        let version = env!("CARGO_PKG_VERSION");
        let commit = format!(
            "pidone-{}{}",
            version.replace('.', "_"),
            env!("PIDONE_COMMIT_SUFFIX")
        );
        for personality in [
            Personality::Pidone,
            Personality::Tini,
            Personality::Catatonit,
        ] {
            let (line, on_stderr) = personality.version_line();
            assert!(!on_stderr);
            assert_eq!(docker_parse(line).1, commit, "{line}");
        }
        assert_eq!(docker_parse(Personality::Tini.version_line().0).0, version);
        let (line, on_stderr) = Personality::DumbInit.version_line();
        assert_eq!(line, format!("dumb-init v{version} (pidone)"));
        assert!(on_stderr);
    }
}
