//! pidone's log lines: stderr only, each prefixed `pidone:` and its level. stdout belongs to
//! the application, and so does `RUST_LOG`, which pidone never reads.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use log::{Level, LevelFilter, Log, Metadata, Record};

struct Stderr;

impl Log for Stderr {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let level = match record.level() {
            Level::Error => "error",
            Level::Warn => "warning",
            Level::Info => "info",
            Level::Debug => "debug",
            Level::Trace => "trace",
        };
        write_line(level, record.args());
    }

    fn flush(&self) {}
}

/// Text a user chose — a value, a command, a path — as it may appear inside a log line:
/// control characters (a newline, a carriage return, a terminal escape) are escaped, so a
/// line stays one line and cannot rewrite the terminal.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// Set once stderr is a pipe nobody reads: every write would fail again, and raise
/// another SIGPIPE for pidone to take — and to log.
static BROKEN: AtomicBool = AtomicBool::new(false);

/// One write per line, so lines from pidone and the application never interleave
/// mid-line. A closed or broken stderr is not pidone's problem to report: the error is
/// dropped, never a panic, and after a broken pipe nothing more is written.
fn write_line(level: &str, message: impl std::fmt::Display) {
    if BROKEN.load(Ordering::Relaxed) {
        return;
    }
    let line = format!("pidone: {level}: {message}\n");
    if let Err(error) = std::io::stderr().write_all(line.as_bytes())
        && error.kind() == std::io::ErrorKind::BrokenPipe
    {
        BROKEN.store(true, Ordering::Relaxed);
    }
}

/// An error from before the log level is known (the configuration itself is wrong, or
/// signals cannot be taken over): always shown.
pub fn error_before_setup(message: &str) {
    write_line("error", message);
}

pub fn init(level: LevelFilter) {
    static LOGGER: Stderr = Stderr;
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_cannot_break_a_line_or_the_terminal() {
        assert_eq!(printable("5s"), "5s");
        assert_eq!(printable("ünïcode ✓"), "ünïcode ✓");
        assert_eq!(printable("a\nb"), "a\\nb");
        assert_eq!(printable("5\r\u{1b}[2Kok"), "5\\r\\u{1b}[2Kok");
        assert!(!printable("\t\u{7f}\u{85}").chars().any(char::is_control));
    }
}
