//! Every way pidone can end, as the number it exits with.

/// pidone itself failed (fork, pipe, or another system call it cannot do without).
pub const FAILURE: u8 = 1;
/// The command line or an environment variable was invalid; nothing was spawned.
pub const USAGE: u8 = 2;
/// An invalid command line under a peer's name (tini, docker-init, dumb-init, catatonit):
/// 1, as all three peers exit.
pub const PEER_USAGE: u8 = 1;
/// The command was found but could not be executed (permission, format, interpreter).
pub const NOT_EXECUTABLE: u8 = 126;
/// The command was not found.
pub const NOT_FOUND: u8 = 127;

/// Shells report death by signal N as 128+N; so do Docker and Kubernetes.
const SIGNAL_BASE: u8 = 128;

/// The code pidone exits with for a raw `waitpid` status of the main child, or `None`
/// for a status that does not end it (stopped, continued).
///
/// Raw statuses rather than nix's `WaitStatus`: that type cannot represent a death by
/// a real-time signal, and the exit code must be right for those too.
pub fn from_wait_status(status: libc::c_int) -> Option<u8> {
    if libc::WIFEXITED(status) {
        // The kernel only keeps the low 8 bits of an exit status.
        Some(libc::WEXITSTATUS(status) as u8)
    } else if libc::WIFSIGNALED(status) {
        Some(from_signal(libc::WTERMSIG(status)))
    } else {
        None
    }
}

/// tini's `-e`: the child's exit codes that pidone reports as success (a JVM's 143 after
/// SIGTERM, say).
pub fn remap(code: u8, as_success: &[u8]) -> u8 {
    if as_success.contains(&code) { 0 } else { code }
}

/// 128+N for a process killed by signal N.
pub fn from_signal(signal: libc::c_int) -> u8 {
    SIGNAL_BASE.wrapping_add(signal as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds the raw status the kernel reports, as `<sys/wait.h>` lays it out.
    fn exited(code: i32) -> i32 {
        (code & 0xff) << 8
    }
    fn killed(signal: i32, core_dumped: bool) -> i32 {
        signal | if core_dumped { 0x80 } else { 0 }
    }
    fn stopped(signal: i32) -> i32 {
        (signal << 8) | 0x7f
    }

    #[test]
    fn exit_codes_pass_through() {
        assert_eq!(from_wait_status(exited(0)), Some(0));
        assert_eq!(from_wait_status(exited(3)), Some(3));
        assert_eq!(from_wait_status(exited(255)), Some(255));
    }

    #[test]
    fn death_by_signal_is_128_plus_n() {
        assert_eq!(from_wait_status(killed(libc::SIGKILL, false)), Some(137));
        assert_eq!(from_wait_status(killed(libc::SIGSEGV, true)), Some(139));
        assert_eq!(from_wait_status(killed(libc::SIGTERM, false)), Some(143));
    }

    #[test]
    fn remapped_codes_become_success() {
        assert_eq!(remap(143, &[143]), 0);
        assert_eq!(remap(3, &[143]), 3);
        assert_eq!(remap(130, &[143, 130]), 0);
        assert_eq!(remap(0, &[]), 0);
        assert_eq!(remap(1, &[]), 1);
    }

    #[test]
    fn real_time_signals_map_too() {
        assert_eq!(from_wait_status(killed(40, false)), Some(168));
        assert_eq!(from_wait_status(killed(64, false)), Some(192));
    }

    #[test]
    fn stops_and_continues_do_not_end_the_child() {
        assert_eq!(from_wait_status(stopped(libc::SIGSTOP)), None);
        assert_eq!(from_wait_status(stopped(libc::SIGTSTP)), None);
        assert_eq!(from_wait_status(0xffff), None);
    }
}
