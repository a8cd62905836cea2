//! A programmable application for pidone's tests.
//!
//! Its arguments are a program of steps run left to right; nested `{ … }` blocks run in
//! forked processes. Every observable event is one line on stdout, written with a single
//! write(2) so lines from several processes never interleave:
//!
//! ```text
//! as NAME              label this process's lines (default "app")
//! ready                print "NAME: ready"
//! print-pid            print "NAME: pid P ppid Q sid S pgid G"
//! print-own-pid        print "NAME: pid P" alone: a daemon's parent is still changing when it
//!                      starts, so the rest of print-pid's line would be a race
//! print-argv …         print "NAME: argv HEX HEX …" (every argument, hex-encoded) and exit 0;
//!                      what follows it is data, not steps
//! print-env VAR        print "NAME: env VAR=HEX" or "NAME: env VAR unset"
//! print-sigstate       print "NAME: sigblk HEX sigign HEX" from /proc/self/status
//! on SIG record        block SIG now; during `wait`, print "NAME: got SIGxxx" and go on
//! on SIG exit N        during `wait`, print it and exit with N
//! on SIG flush FILE    during `wait`, print it, write "flushed" to FILE, print "NAME: flushed", exit 0
//! on SIG finish N      during `wait`, print it, then "NAME: got SIGxxx" for every other
//!                      signal of the configured ones still pending, then "NAME: done"; exit N
//! record-all           `on SIG record` for every catchable signal
//! wait                 block the configured signals and handle them as they arrive, forever
//! exit N               exit with N
//! raise SIG            die by SIG (its default action)
//! spawn { … }          fork a child running the block (same process group)
//! orphan { … }         double-fork: the block runs in a grandchild whose parent has exited
//! daemon { … }         like orphan, and the grandchild calls setsid first
//! orphans N            create N orphans that exit at once; print "NAME: orphans N (fork
//!                      refused K times)", K counting EAGAIN retries (the first refusal of
//!                      any fork prints "NAME: fork refused")
//! orphan-burst N       create N orphans that all exit at the same instant, once every one
//!                      exists; print "NAME: burst N"
//! await-adoption       wait until this process's parent has died and it was re-parented
//! wait-children        reap this process's own children until none is left
//! count-zombies        print "NAME: zombies N" from a /proc scan
//! pend SIG             block SIG and send it to this process: it stays pending, across exec
//! exec PROGRAM ARG…    replace this process; what follows is PROGRAM's command line
//! stop-self            stop this process with SIGSTOP; go on once continued
//! await SIG            block SIG and sleep until it arrives; go on (a go-ahead from the test;
//!                      a SIG that may come before this step needs an earlier `on SIG …`)
//! setsid               start a session of its own
//! rename-hex HEX       set this process's name (/proc/PID/stat, comm) to the bytes HEX
//! count-env            print "NAME: env count N", the number of environment entries
//! close-stdio          close descriptors 0, 1 and 2
//! list-fds FILE        write "fds A B …" (the open descriptors, ascending) to FILE
//! become UID           drop root: no supplementary groups, gid and uid UID
//! limit-procs N        set RLIMIT_NPROC to N: forks beyond it fail with EAGAIN
//! fork-until-pid P { … }
//!                      fork short-lived children until one gets pid P; that one runs the
//!                      block; print "NAME: took pid P after K forks" (K forks in all)
//! ```
//! Signals are named `TERM`, `SIGTERM`, `15` or `RTMIN+2`.

#![no_main]

use std::fmt::Write as _;
use std::process;

fn say(line: &str) {
    let mut bytes = line.as_bytes().to_vec();
    bytes.push(b'\n');
    let mut written = 0;
    while written < bytes.len() {
        // SAFETY: writing a live buffer to stdout.
        let n = unsafe { libc::write(1, bytes[written..].as_ptr().cast(), bytes.len() - written) };
        if n <= 0 {
            return;
        }
        written += n as usize;
    }
}

fn die(message: &str) -> ! {
    eprintln!("pidone-test-helper: {message}");
    process::exit(100);
}

fn signal_number(name: &str) -> i32 {
    let bare = name.strip_prefix("SIG").unwrap_or(name);
    if let Ok(number) = bare.parse() {
        return number;
    }
    if let Some(offset) = bare.strip_prefix("RTMIN+") {
        return libc::SIGRTMIN() + offset.parse::<i32>().unwrap_or_else(|_| die(name));
    }
    if bare == "RTMIN" {
        return libc::SIGRTMIN();
    }
    (1..32)
        .find(|&n| signal_name(n) == format!("SIG{bare}"))
        .unwrap_or_else(|| die(&format!("unknown signal {name}")))
}

fn signal_name(signal: i32) -> String {
    const NAMES: [&str; 32] = [
        "0",
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    match signal {
        1..=31 => NAMES[signal as usize].to_string(),
        s if s == libc::SIGRTMIN() => "SIGRTMIN".to_string(),
        s => format!("SIGRTMIN+{}", s - libc::SIGRTMIN()),
    }
}

#[derive(Clone)]
enum Action {
    Record,
    Exit(i32),
    Flush(String),
    Finish(i32),
}

struct Process {
    name: String,
    rules: Vec<(i32, Action)>,
    /// The parent at fork time, for `await-adoption`.
    parent_at_birth: libc::pid_t,
}

fn sigset(signals: impl IntoIterator<Item = i32>) -> libc::sigset_t {
    // SAFETY: the set is initialised by sigemptyset before use.
    unsafe {
        let mut set = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in signals {
            libc::sigaddset(&mut set, s);
        }
        set
    }
}

fn block_signals(signals: impl IntoIterator<Item = i32>) {
    let set = sigset(signals);
    // SAFETY: blocking a valid set.
    unsafe { libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
}

/// How often fork failed with EAGAIN (a full process table or pids limit) and was retried.
static FORKS_REFUSED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Splits off the `{ … }` block at the front of `steps`, returning it and the rest.
fn block(steps: &[String]) -> (&[String], &[String]) {
    if steps.first().map(String::as_str) != Some("{") {
        die("expected {");
    }
    let mut depth = 0;
    for (i, step) in steps.iter().enumerate() {
        match step.as_str() {
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if depth == 0 {
                    return (&steps[1..i], &steps[i + 1..]);
                }
            }
            _ => {}
        }
    }
    die("unbalanced {")
}

impl Process {
    /// fork(2), retried while the process table or the process limit is full (EAGAIN);
    /// the first refusal prints "NAME: fork refused".
    fn fork(&self) -> libc::pid_t {
        loop {
            // SAFETY: the helper is single-threaded.
            let pid = unsafe { libc::fork() };
            if pid >= 0 {
                return pid;
            }
            if std::io::Error::last_os_error().raw_os_error() != Some(libc::EAGAIN) {
                die(&format!("fork: {}", std::io::Error::last_os_error()));
            }
            if FORKS_REFUSED.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 0 {
                self.line("fork refused");
            }
            // The process table is full: let exits make room.
            std::thread::yield_now();
        }
    }

    fn line(&self, text: &str) {
        say(&format!("{}: {text}", self.name));
    }

    /// The state a forked process starts with; `parent` is the forking process's pid, taken
    /// before the fork (afterwards it may already have exited).
    fn child(&self, parent: libc::pid_t) -> Process {
        Process {
            name: self.name.clone(),
            rules: Vec::new(),
            parent_at_birth: parent,
        }
    }

    fn run(&mut self, mut steps: &[String]) {
        while let Some((step, rest)) = steps.split_first() {
            steps = rest;
            let mut take = || {
                let (value, rest) = steps
                    .split_first()
                    .unwrap_or_else(|| die(&format!("{step} needs a value")));
                steps = rest;
                value.clone()
            };
            match step.as_str() {
                "as" => self.name = take(),
                "ready" => self.line("ready"),
                "print-pid" => unsafe {
                    self.line(&format!(
                        "pid {} ppid {} sid {} pgid {}",
                        libc::getpid(),
                        libc::getppid(),
                        libc::getsid(0),
                        libc::getpgrp()
                    ))
                },
                "print-own-pid" => self.line(&format!("pid {}", unsafe { libc::getpid() })),
                "print-argv" => {
                    let argv: Vec<String> =
                        ARGS.get().into_iter().flatten().map(|a| hex(a)).collect();
                    self.line(&format!("argv {}", argv.join(" ")));
                    process::exit(0);
                }
                "print-env" => {
                    let var = take();
                    match std::env::var_os(&var) {
                        Some(value) => self.line(&format!(
                            "env {var}={}",
                            hex(std::os::unix::ffi::OsStrExt::as_bytes(value.as_os_str()))
                        )),
                        None => self.line(&format!("env {var} unset")),
                    }
                }
                "print-sigstate" => {
                    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
                    let field = |key: &str| {
                        status
                            .lines()
                            .find_map(|l| l.strip_prefix(key))
                            .map(|v| v.trim().to_string())
                            .unwrap_or_default()
                    };
                    self.line(&format!(
                        "sigblk {} sigign {}",
                        field("SigBlk:"),
                        field("SigIgn:")
                    ));
                }
                "on" => {
                    let signal = signal_number(&take());
                    let action = match take().as_str() {
                        "record" => Action::Record,
                        "exit" => Action::Exit(take().parse().unwrap_or_else(|_| die("exit code"))),
                        "flush" => Action::Flush(take()),
                        "finish" => {
                            Action::Finish(take().parse().unwrap_or_else(|_| die("exit code")))
                        }
                        other => die(&format!("unknown action {other}")),
                    };
                    self.rules.push((signal, action));
                    // Blocked now, not at `wait`: a signal arriving between `ready` and
                    // `wait` must be recorded, not kill the process by its default action.
                    block_signals([signal]);
                }
                "record-all" => {
                    let all = (1..32)
                        .filter(|&s| s != libc::SIGKILL && s != libc::SIGSTOP)
                        .chain(libc::SIGRTMIN()..=libc::SIGRTMAX());
                    self.rules.extend(all.map(|s| (s, Action::Record)));
                    block_signals(self.rules.iter().map(|(s, _)| *s));
                }
                "wait" => self.wait(),
                "exit" => process::exit(take().parse().unwrap_or_else(|_| die("exit code"))),
                "raise" => unsafe {
                    let signal = signal_number(&take());
                    libc::signal(signal, libc::SIG_DFL);
                    let set = sigset([signal]);
                    libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
                    libc::raise(signal);
                    die("still alive after raise");
                },
                "spawn" => {
                    let (inner, rest) = block(steps);
                    steps = rest;
                    let parent = unsafe { libc::getpid() };
                    if self.fork() == 0 {
                        self.child(parent).run(inner);
                        process::exit(0);
                    }
                }
                "orphan" | "daemon" => {
                    let (inner, rest) = block(steps);
                    steps = rest;
                    let intermediate = self.fork();
                    if intermediate == 0 {
                        if step == "daemon" {
                            unsafe { libc::setsid() };
                        }
                        let parent = unsafe { libc::getpid() };
                        if self.fork() == 0 {
                            self.child(parent).run(inner);
                            process::exit(0);
                        }
                        unsafe { libc::_exit(0) };
                    }
                    unsafe { libc::waitpid(intermediate, std::ptr::null_mut(), 0) };
                }
                "orphans" => {
                    let count: usize = take().parse().unwrap_or_else(|_| die("orphans count"));
                    for _ in 0..count {
                        let intermediate = self.fork();
                        if intermediate == 0 {
                            if self.fork() == 0 {
                                unsafe { libc::_exit(0) };
                            }
                            unsafe { libc::_exit(0) };
                        }
                        unsafe { libc::waitpid(intermediate, std::ptr::null_mut(), 0) };
                    }
                    let refused = FORKS_REFUSED.load(std::sync::atomic::Ordering::Relaxed);
                    self.line(&format!("orphans {count} (fork refused {refused} times)"));
                }
                "orphan-burst" => {
                    let count: usize = take().parse().unwrap_or_else(|_| die("orphan-burst count"));
                    let mut gate = [0; 2];
                    // SAFETY: a pipe whose write end every orphan waits to see closed.
                    unsafe { libc::pipe(gate.as_mut_ptr()) };
                    for _ in 0..count {
                        let intermediate = self.fork();
                        if intermediate == 0 {
                            if self.fork() == 0 {
                                let mut byte = 0u8;
                                unsafe {
                                    libc::close(gate[1]);
                                    libc::read(gate[0], (&mut byte as *mut u8).cast(), 1);
                                    libc::_exit(0);
                                }
                            }
                            unsafe { libc::_exit(0) };
                        }
                        unsafe { libc::waitpid(intermediate, std::ptr::null_mut(), 0) };
                    }
                    // SAFETY: closing the last write end wakes every orphan at once.
                    unsafe {
                        libc::close(gate[1]);
                        libc::close(gate[0]);
                    }
                    self.line(&format!("burst {count}"));
                }
                "await-adoption" => unsafe {
                    let set = sigset([libc::SIGUSR2]);
                    libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
                    // The kernel re-parents before it sends the parent-death signal.
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGUSR2 as libc::c_ulong);
                    if libc::getppid() == self.parent_at_birth {
                        let mut signal = 0;
                        libc::sigwait(&set, &mut signal);
                    }
                    libc::prctl(libc::PR_SET_PDEATHSIG, 0 as libc::c_ulong);
                },
                "wait-children" => unsafe { while libc::wait(std::ptr::null_mut()) > 0 {} },
                "count-zombies" => {
                    let zombies = std::fs::read_dir("/proc")
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
                        .unwrap_or(0);
                    self.line(&format!("zombies {zombies}"));
                }
                "pend" => {
                    let signal = signal_number(&take());
                    block_signals([signal]);
                    // SAFETY: signalling this very process.
                    unsafe { libc::kill(libc::getpid(), signal) };
                }
                "await" => {
                    let signal = signal_number(&take());
                    block_signals([signal]);
                    let set = sigset([signal]);
                    let mut received = 0;
                    // SAFETY: waits on a valid set.
                    unsafe { libc::sigwait(&set, &mut received) };
                }
                "stop-self" => unsafe {
                    libc::kill(libc::getpid(), libc::SIGSTOP);
                },
                "setsid" => unsafe {
                    libc::setsid();
                },
                "rename-hex" => {
                    let hex = take();
                    let mut name: Vec<u8> = (0..hex.len() / 2)
                        .map(|i| {
                            u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                                .unwrap_or_else(|_| die("rename-hex HEX"))
                        })
                        .collect();
                    name.push(0);
                    // SAFETY: PR_SET_NAME reads a NUL-terminated name of up to 16 bytes.
                    unsafe { libc::prctl(libc::PR_SET_NAME, name.as_ptr()) };
                }
                "count-env" => {
                    self.line(&format!("env count {}", std::env::vars_os().count()));
                }
                "close-stdio" => unsafe {
                    for fd in 0..3 {
                        libc::close(fd);
                    }
                },
                "list-fds" => {
                    let file = take();
                    // Collected first: reading the directory opens a descriptor of its own.
                    let entries: Vec<String> = std::fs::read_dir("/proc/self/fd")
                        .map(|d| {
                            d.flatten()
                                .map(|e| e.file_name().to_string_lossy().into())
                                .collect()
                        })
                        .unwrap_or_default();
                    let mut fds: Vec<i32> = entries
                        .iter()
                        .filter_map(|e| e.parse().ok())
                        .filter(|&fd| unsafe { libc::fcntl(fd, libc::F_GETFD) } >= 0)
                        .collect();
                    fds.sort_unstable();
                    let text: Vec<String> = fds.iter().map(|fd| fd.to_string()).collect();
                    std::fs::write(&file, format!("fds {}\n", text.join(" ")))
                        .unwrap_or_else(|e| die(&format!("{file}: {e}")));
                }
                "become" => {
                    let id: libc::uid_t = take().parse().unwrap_or_else(|_| die("become UID"));
                    // SAFETY: credential changes of this process only.
                    unsafe {
                        if libc::setgroups(0, std::ptr::null()) != 0
                            || libc::setgid(id) != 0
                            || libc::setuid(id) != 0
                        {
                            die(&format!("become {id}: {}", std::io::Error::last_os_error()));
                        }
                    }
                }
                "limit-procs" => {
                    let limit: libc::rlim_t =
                        take().parse().unwrap_or_else(|_| die("limit-procs N"));
                    let rlimit = libc::rlimit {
                        rlim_cur: limit,
                        rlim_max: limit,
                    };
                    // SAFETY: setting this process's own limit.
                    if unsafe { libc::setrlimit(libc::RLIMIT_NPROC, &rlimit) } != 0 {
                        die(&format!("limit-procs: {}", std::io::Error::last_os_error()));
                    }
                }
                "fork-until-pid" => {
                    let wanted: libc::pid_t =
                        take().parse().unwrap_or_else(|_| die("fork-until-pid P"));
                    let (inner, rest) = block(steps);
                    steps = rest;
                    let parent = unsafe { libc::getpid() };
                    let mut forks = 0u64;
                    loop {
                        forks += 1;
                        let pid = self.fork();
                        if pid == 0 {
                            if unsafe { libc::getpid() } == wanted {
                                self.child(parent).run(inner);
                                process::exit(0);
                            }
                            unsafe { libc::_exit(0) };
                        }
                        if pid == wanted {
                            self.line(&format!("took pid {wanted} after {forks} forks"));
                            break;
                        }
                        unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
                        if forks > 10_000_000 {
                            die(&format!("pid {wanted} never came"));
                        }
                    }
                }
                "exec" => {
                    let args: Vec<std::ffi::CString> = steps
                        .iter()
                        .map(|a| {
                            std::ffi::CString::new(a.as_bytes())
                                .unwrap_or_else(|_| die("NUL in exec"))
                        })
                        .collect();
                    let mut argv: Vec<*const libc::c_char> =
                        args.iter().map(|a| a.as_ptr()).collect();
                    argv.push(std::ptr::null());
                    // SAFETY: argv is a null-terminated array of live C strings.
                    unsafe { libc::execv(argv[0], argv.as_ptr()) };
                    die(&format!(
                        "exec {:?}: {}",
                        steps,
                        std::io::Error::last_os_error()
                    ));
                }
                other => die(&format!("unknown step {other}")),
            }
        }
    }

    fn wait(&self) -> ! {
        let set = sigset(self.rules.iter().map(|(s, _)| *s));
        loop {
            let signal = unsafe { libc::sigwaitinfo(&set, std::ptr::null_mut()) };
            if signal <= 0 {
                if self.rules.is_empty() {
                    // Nothing to wait for: sleep until killed.
                    unsafe { libc::pause() };
                }
                continue;
            }
            self.line(&format!("got {}", signal_name(signal)));
            let action = self
                .rules
                .iter()
                .rev()
                .find(|(s, _)| *s == signal)
                .map(|(_, a)| a.clone());
            match action {
                Some(Action::Exit(code)) => process::exit(code),
                Some(Action::Finish(code)) => {
                    let none = libc::timespec {
                        tv_sec: 0,
                        tv_nsec: 0,
                    };
                    loop {
                        // SAFETY: takes one pending signal of the set without waiting.
                        let other =
                            unsafe { libc::sigtimedwait(&set, std::ptr::null_mut(), &none) };
                        if other <= 0 {
                            break;
                        }
                        self.line(&format!("got {}", signal_name(other)));
                    }
                    self.line("done");
                    process::exit(code);
                }
                Some(Action::Flush(file)) => {
                    std::fs::write(&file, "flushed\n")
                        .unwrap_or_else(|e| die(&format!("{file}: {e}")));
                    self.line("flushed");
                    process::exit(0);
                }
                _ => {}
            }
        }
    }
}

/// A C `main`, so the Rust runtime does not set SIGPIPE to ignored before `print-sigstate`
/// can report the dispositions this process was given.
#[unsafe(no_mangle)]
extern "C" fn main(argc: libc::c_int, argv: *const *const libc::c_char) -> libc::c_int {
    let args: Vec<Vec<u8>> = (0..argc.max(0) as usize)
        // SAFETY: the C runtime passes argc valid, NUL-terminated strings.
        .map(|i| {
            unsafe { std::ffi::CStr::from_ptr(*argv.add(i)) }
                .to_bytes()
                .to_vec()
        })
        .collect();
    let _ = ARGS.set(args);
    let steps: Vec<String> = ARGS
        .get()
        .into_iter()
        .flatten()
        .skip(1)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let mut process = Process {
        name: "app".to_string(),
        rules: Vec::new(),
        parent_at_birth: unsafe { libc::getppid() },
    };
    process.run(&steps);
    0
}

static ARGS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
