//! pidone's log lines: stderr only, each prefixed `pidone:`. stdout belongs to the
//! application. `RUST_LOG` is never read: it belongs to the application too.

use std::io::Write;

use log::{Level, LevelFilter};

pub fn init(level: LevelFilter) {
    env_logger::Builder::new()
        .filter_level(level)
        .target(env_logger::Target::Stderr)
        .format(|out, record| {
            let level = match record.level() {
                Level::Error => "error",
                Level::Warn => "warning",
                Level::Info => "info",
                Level::Debug => "debug",
                Level::Trace => "trace",
            };
            writeln!(out, "pidone: {level}: {}", record.args())
        })
        .init();
}
