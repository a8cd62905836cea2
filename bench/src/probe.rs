//! The application the inits run during the benchmark. Every mode prints "ready" once it
//! can be measured, then does its one thing.

use std::io::Write;
use std::time::{Duration, Instant};

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn block(signals: &[i32]) -> libc::sigset_t {
    // SAFETY: the set is initialised before use; blocking has no other effect.
    unsafe {
        let mut set = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for &s in signals {
            libc::sigaddset(&mut set, s);
        }
        libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    }
}

fn wait_for(set: &libc::sigset_t) -> i32 {
    loop {
        // SAFETY: waiting on a valid, blocked set.
        let signal = unsafe { libc::sigwaitinfo(set, std::ptr::null_mut()) };
        if signal > 0 {
            return signal;
        }
    }
}

fn sleep_forever() -> ! {
    loop {
        // SAFETY: pause only sleeps.
        unsafe { libc::pause() };
    }
}

/// Stamps CLOCK_MONOTONIC the moment the handler runs, with nothing but
/// async-signal-safe calls.
extern "C" fn stamp(_: i32) {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    let mut text = [0u8; 24];
    // SAFETY: clock_gettime, write and _exit are async-signal-safe.
    unsafe {
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now);
        let mut n = now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64;
        let mut at = text.len() - 1;
        text[at] = b'\n';
        loop {
            at -= 1;
            text[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        libc::write(1, text[at..].as_ptr().cast(), text.len() - at);
        libc::_exit(0);
    }
}

fn fork() -> i32 {
    loop {
        // SAFETY: the probe is single-threaded.
        let pid = unsafe { libc::fork() };
        if pid >= 0 {
            return pid;
        }
        std::thread::yield_now();
    }
}

/// Forks an orphan: an intermediate process forks it and exits at once. The orphan runs
/// `then` and exits.
fn orphan(then: impl FnOnce()) {
    let intermediate = fork();
    if intermediate == 0 {
        if fork() == 0 {
            then();
            // SAFETY: leaving the orphan without running the parent's destructors.
            unsafe { libc::_exit(0) };
        }
        unsafe { libc::_exit(0) };
    }
    // SAFETY: collecting the intermediate, our own child.
    unsafe { libc::waitpid(intermediate, std::ptr::null_mut(), 0) };
}

fn zombies() -> usize {
    std::fs::read_dir("/proc")
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
                .filter(|stat| {
                    stat.rsplit_once(") ")
                        .is_some_and(|(_, rest)| rest.starts_with('Z'))
                })
                .count()
        })
        .unwrap_or(usize::MAX)
}

/// Waits until the init has reaped every orphan, and says how many zombies are left.
fn report_zombies() {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut left = zombies();
    while left > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_micros(500));
        left = zombies();
    }
    say(&format!("zombies {left}"));
}

pub fn run(args: &[String]) -> ! {
    let count = || {
        args.get(1)
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(1000)
    };
    match args.first().map(String::as_str) {
        Some("sleep") => {
            say("ready");
            sleep_forever();
        }
        Some("latency") => {
            // SAFETY: installing a handler that only makes async-signal-safe calls.
            unsafe { libc::signal(libc::SIGTERM, stamp as *const () as libc::sighandler_t) };
            say("ready");
            sleep_forever();
        }
        Some("ignore-term") => {
            // SAFETY: ignoring a signal.
            unsafe { libc::signal(libc::SIGTERM, libc::SIG_IGN) };
            say("ready");
            sleep_forever();
        }
        Some("count") => {
            let set = block(&[libc::SIGUSR1, libc::SIGTERM]);
            say("ready");
            let mut seen = 0u64;
            while wait_for(&set) == libc::SIGUSR1 {
                seen += 1;
            }
            say(&format!("usr1 {seen}"));
            std::process::exit(0);
        }
        Some("orphans") => {
            let set = block(&[libc::SIGUSR1]);
            say("ready");
            wait_for(&set);
            for _ in 0..count() {
                orphan(|| {});
            }
            report_zombies();
            sleep_forever();
        }
        Some("burst") => {
            let set = block(&[libc::SIGUSR1]);
            let mut gate = [0; 2];
            // SAFETY: a pipe whose closing releases every orphan at once.
            unsafe { libc::pipe(gate.as_mut_ptr()) };
            for _ in 0..count() {
                orphan(|| {
                    let mut byte = 0u8;
                    // SAFETY: closing our copy of the write end, then waiting for EOF.
                    unsafe {
                        libc::close(gate[1]);
                        libc::read(gate[0], (&mut byte as *mut u8).cast(), 1);
                    }
                });
            }
            say("ready");
            wait_for(&set);
            // SAFETY: closing the last write end.
            unsafe { libc::close(gate[1]) };
            report_zombies();
            sleep_forever();
        }
        _ => {
            eprintln!(
                "pidone-bench probe: modes are sleep, latency, ignore-term, count, orphans N, burst N"
            );
            std::process::exit(2);
        }
    }
}
