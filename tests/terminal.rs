//! Under a real terminal (a pty), an interactive shell behaves as it would without pidone:
//! Ctrl-C interrupts the foreground program, Ctrl-Z suspends it, `fg` resumes it. And when
//! a shell's job started pidone itself, Ctrl-Z and `fg` still work.

mod common;

use std::io::Write;
use std::process::Command;
use std::sync::mpsc::Receiver;
use std::time::Instant;

use common::{KillOnDrop, PIDONE, helper};

/// A shell session on a pty: what the test types, and what the terminal shows.
struct Session {
    master: std::fs::File,
    output: Receiver<Vec<u8>>,
    screen: String,
    process: KillOnDrop,
}

impl Drop for Session {
    /// Jobs the shell started (pidone among them) stay behind if a test fails: kill the
    /// whole session, which the shell leads.
    fn drop(&mut self) {
        let leader = self.process.0.id() as i32;
        for pid in std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        {
            // SAFETY: getsid and kill have no memory effects.
            unsafe {
                if pid != leader && libc::getsid(pid) == leader {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        }
    }
}

impl Session {
    /// Starts `command` as the session leader of a new pty, which becomes its controlling
    /// terminal, with stdin, stdout and stderr on it.
    fn start(mut command: Command) -> Session {
        command.env("PS1", "$ ").env("TERM", "dumb");
        let pty = common::start_on_pty(command, false);
        Session {
            master: pty.master,
            output: pty.output,
            screen: String::new(),
            process: KillOnDrop(pty.process),
        }
    }

    fn type_keys(&mut self, keys: &[u8]) {
        self.master.write_all(keys).unwrap();
    }

    /// Waits until the terminal shows `text` after what earlier calls consumed.
    fn expect(&mut self, text: &str) {
        let deadline = Instant::now() + common::PATIENCE;
        loop {
            if let Some(at) = self.screen.find(text) {
                self.screen.drain(..at + text.len());
                return;
            }
            match self
                .output
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(bytes) => self.screen.push_str(&String::from_utf8_lossy(&bytes)),
                Err(_) => panic!(
                    "the terminal never showed {text:?}; it shows {:?}",
                    self.screen
                ),
            }
        }
    }

    /// Runs a foreground job that says when it is ready and when it is continued.
    fn start_job(&mut self, prefix: &str) {
        let line = format!(
            "{prefix}{} as job on CONT record ready wait\n",
            helper().display()
        );
        self.type_keys(line.as_bytes());
        self.expect("job: ready");
    }

    fn exit_status_is(&mut self, status: &str) {
        self.type_keys(b"echo status=$?\n");
        self.expect(&format!("status={status}"));
    }
}

fn interactive_shell_checks(session: &mut Session, prefix: &str) {
    session.expect("$ ");
    // Ctrl-C interrupts the foreground program.
    session.start_job(prefix);
    session.type_keys(b"\x03");
    session.exit_status_is("130");
    // Ctrl-Z suspends it and fg resumes it.
    session.start_job(prefix);
    session.type_keys(b"\x1a");
    session.expect("Stopped");
    session.type_keys(b"fg\n");
    session.expect("job: got SIGCONT");
    session.type_keys(b"\x03");
    session.exit_status_is("130");
}

#[test]
fn an_interactive_shell_under_pidone_keeps_its_job_control() {
    require_namespaces!();
    let mut command = Command::new("unshare");
    command.args([
        "--pid",
        "--fork",
        "--mount-proc",
        "--kill-child",
        PIDONE,
        "/bin/sh",
        "-i",
    ]);
    let mut session = Session::start(command);
    interactive_shell_checks(&mut session, "");
    session.type_keys(b"exit\n");
}

#[test]
fn a_shell_job_running_pidone_can_be_suspended_and_resumed() {
    // The shell runs pidone itself as its job: pidone is not PID 1 here, and stops when its
    // child stops, so the shell sees its job stop.
    let mut session = Session::start({
        let mut command = Command::new("/bin/sh");
        command.arg("-i");
        command
    });
    interactive_shell_checks(&mut session, &format!("{PIDONE} "));
    session.type_keys(b"exit\n");
}

/// oven-sh/bun#29930's kind: `pidone -- app &` in an interactive shell. The shell keeps the
/// terminal: pidone started in the background takes nothing from it, and the shell reads
/// and runs the next command.
#[test]
fn a_background_pidone_leaves_the_terminal_to_the_shell() {
    let mut session = Session::start({
        let mut command = Command::new("bash");
        command.args(["--norc", "--noprofile", "-i"]);
        command
    });
    session.expect("$ ");
    let line = format!("{PIDONE} {} as job ready wait &\n", helper().display());
    session.type_keys(line.as_bytes());
    session.expect("job: ready");
    session.type_keys(b"echo still-here\n");
    session.expect("still-here");
    session.type_keys(b"kill %1; exit\n");
}

/// A script that ran pidone in the foreground reads its terminal again once pidone has
/// exited: the foreground goes back to the process group that held it, as PID 1 of a new
/// PID namespace and not.
#[test]
fn the_foreground_goes_back_to_the_group_that_held_it() {
    require_namespaces!();
    let helper = helper().display().to_string();
    for runner in [
        format!("{PIDONE} {helper} as job exit 0"),
        format!("unshare --pid --fork --mount-proc {PIDONE} {helper} as job exit 0"),
    ] {
        let script = format!("{runner}; echo ran-$?; read line; echo \"read: $line\"");
        let mut session = Session::start({
            let mut command = Command::new("/bin/sh");
            command.args(["-c", &script]);
            command
        });
        session.expect("ran-0");
        session.type_keys(b"hello\n");
        session.expect("read: hello");
    }
}
