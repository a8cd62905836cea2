//! The aarch64 release binary, run by qemu-user (`qemu-aarch64-static`) as PID 1 of a new
//! PID namespace, on the core scenarios: exit codes, forwarding to the child's process
//! group, the grace's SIGKILL, orphans, the drain. Only pidone is emulated: when it execs
//! the native x86_64 test helper, qemu-user hands the execve to the kernel.
//!
//! The binary is `$PIDONE_AARCH64` when set, else built here once per test binary. Without
//! qemu-aarch64-static or the aarch64 target the tests skip, except under CI=true, where
//! that is a failure.
//!
//! The scenarios are the native binary's own (`common::scenarios`), given the emulated
//! pidone to run.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{Pidone, app, scenarios};

/// The Rust target of the binary under test.
const TARGET: &str = "aarch64-unknown-linux-musl";

/// qemu-user's emulator for aarch64 binaries, statically linked as Debian ships it.
const QEMU: &str = "qemu-aarch64-static";

/// ELF `e_machine` of AArch64.
const EM_AARCH64: u16 = 183;

/// ELF `e_machine` of x86-64, what the test binary itself is.
const EM_X86_64: u16 = 62;

/// The program header naming a dynamic loader: a static executable has none.
const PT_INTERP: u32 = 3;

/// Why the tests cannot run here: a failure under CI=true, a skip anywhere else.
fn unavailable(why: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI=true but {why}: the aarch64 tests under qemu-user cannot run"
    );
    eprintln!("skipping: {why}");
}

/// qemu-aarch64-static by absolute path (tests give pidone PATHs of their own), or why
/// there is none.
fn qemu() -> Result<&'static Path, &'static str> {
    static QEMU_PATH: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let found = QEMU_PATH.get_or_init(|| {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .chain([PathBuf::from("/usr/bin")])
            .map(|dir| dir.join(QEMU))
            .find(|path| path.is_file())
            .ok_or_else(|| format!("{QEMU} is not installed (Debian: qemu-user-static)"))
    });
    found.as_deref().map_err(String::as_str)
}

/// Whether the standard library for `TARGET` is installed for the toolchain that builds
/// this crate (`rustup target add aarch64-unknown-linux-musl`).
fn target_installed() -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    Command::new(rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .is_ok_and(|out| {
            out.status.success() && Path::new(String::from_utf8_lossy(&out.stdout).trim()).is_dir()
        })
}

/// The aarch64 release binary: `$PIDONE_AARCH64`, or built once per test binary into a
/// target directory of its own, so the build never waits on the lock of the build that
/// runs the tests. Either way it must be a static aarch64 executable. The reason when
/// there is none.
fn aarch64_pidone() -> Result<&'static Path, &'static str> {
    static BINARY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let binary = BINARY.get_or_init(|| {
        let binary = match std::env::var_os("PIDONE_AARCH64") {
            Some(given) => std::fs::canonicalize(&given).unwrap_or_else(|error| {
                panic!("PIDONE_AARCH64={}: {error}", Path::new(&given).display())
            }),
            None if !target_installed() => {
                return Err(format!(
                    "the {TARGET} target is not installed (rustup target add {TARGET})"
                ));
            }
            None => build_aarch64_pidone(),
        };
        assert_static_aarch64(&binary);
        Ok(binary)
    });
    binary.as_deref().map_err(String::as_str)
}

/// `cargo build --release --locked --target aarch64-unknown-linux-musl -p pidone`, into
/// `CARGO_TARGET_TMPDIR/cross`; the path of the binary.
fn build_aarch64_pidone() -> PathBuf {
    common::cargo_build(
        "pidone for aarch64",
        "cross",
        &["--release", "--target", TARGET, "-p", "pidone"],
    )
    .join(TARGET)
    .join("release/pidone")
}

/// What an executable's ELF headers say: its machine, and whether it asks the kernel for a
/// dynamic loader (a PT_INTERP program header).
#[derive(Debug, PartialEq, Eq)]
struct ElfFacts {
    machine: u16,
    interpreter: bool,
}

/// Reads [`ElfFacts`] from the bytes of a 64-bit little-endian ELF file, as `file` does.
fn elf_facts(bytes: &[u8]) -> Result<ElfFacts, String> {
    fn field<const N: usize>(bytes: &[u8], at: usize) -> Result<[u8; N], String> {
        at.checked_add(N)
            .and_then(|end| bytes.get(at..end))
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| format!("truncated at byte {at}"))
    }
    let as_usize = |n: u64| usize::try_from(n).map_err(|e| e.to_string());
    if bytes.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Err("no ELF magic".into());
    }
    // EI_CLASS 2 is 64-bit, EI_DATA 1 little-endian: all that aarch64 and x86-64 use.
    if bytes.get(4..6) != Some([2, 1].as_slice()) {
        return Err("not a 64-bit little-endian ELF file".into());
    }
    let machine = u16::from_le_bytes(field(bytes, 18)?);
    let phoff = as_usize(u64::from_le_bytes(field(bytes, 32)?))?;
    let phentsize = usize::from(u16::from_le_bytes(field(bytes, 54)?));
    let phnum = usize::from(u16::from_le_bytes(field(bytes, 56)?));
    let mut interpreter = false;
    for header in 0..phnum {
        let at = header
            .checked_mul(phentsize)
            .and_then(|offset| offset.checked_add(phoff))
            .ok_or("program headers beyond any file")?;
        interpreter |= u32::from_le_bytes(field(bytes, at)?) == PT_INTERP;
    }
    Ok(ElfFacts {
        machine,
        interpreter,
    })
}

/// Fails unless `path` is an aarch64 ELF executable without a dynamic loader.
fn assert_static_aarch64(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let facts = elf_facts(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        facts,
        ElfFacts {
            machine: EM_AARCH64,
            interpreter: false
        },
        "{} is not a static aarch64 executable",
        path.display()
    );
}

/// The aarch64 pidone as qemu-user runs it, ready for pidone's arguments: the program is
/// the emulator (with `invoked_as`), its first argument the binary. As PID 1 (the
/// default), the namespace's PID 1 is qemu-aarch64-static running pidone's code, and
/// `Running::pid` and `signal` are that process. `None` when the test must skip.
fn emulated() -> Option<Pidone> {
    let found = qemu().and_then(|qemu| Ok((qemu, aarch64_pidone()?)));
    match found {
        Ok((qemu, binary)) => Some(Pidone::new().invoked_as(qemu).args([binary])),
        Err(why) => {
            unavailable(why);
            None
        }
    }
}

/// The emulated pidone as PID 1 of a new PID namespace, or a skip from the calling test.
macro_rules! emulated_pid1 {
    () => {{
        require_namespaces!();
        match emulated() {
            Some(pidone) => pidone,
            None => return,
        }
    }};
}

/// The emulated pidone as an ordinary process of this machine, or a skip.
macro_rules! emulated_not_pid1 {
    () => {
        match emulated() {
            Some(pidone) => pidone.not_pid1(),
            None => return,
        }
    };
}

#[test]
fn the_binary_is_a_static_aarch64_executable_that_runs_under_qemu() {
    let Some(_) = emulated() else { return };
    let binary = aarch64_pidone().unwrap();
    // The checker tells the test binary, a dynamically linked x86-64 program, apart.
    let own = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    assert_eq!(
        elf_facts(&own),
        Ok(ElfFacts {
            machine: EM_X86_64,
            interpreter: true
        })
    );
    assert_static_aarch64(binary);
    let version = Command::new(qemu().unwrap())
        .arg(binary)
        .arg("--version")
        .output()
        .unwrap();
    assert!(version.status.success(), "{version:?}");
    let version = String::from_utf8_lossy(&version.stdout);
    assert!(
        version.starts_with(&format!("pidone version {} ", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
}

/// PID 1 of the namespace is the emulator running pidone: its child's parent is 1.
fn assert_is_pid_1(pidone: Pidone) {
    let mut running = pidone
        .args(app("print-pid on USR1 exit 0 ready wait"))
        .start();
    let line = running.expect_line("app: pid");
    running.expect_line("app: ready");
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields.get(3..5), Some(["ppid", "1"].as_slice()), "{line}");
    let pid = running.pid();
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap();
    assert!(exe.ends_with(QEMU), "PID 1 runs {}", exe.display());
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let nspid = status.lines().find(|l| l.starts_with("NSpid:")).unwrap();
    assert_eq!(nspid.split_whitespace().last(), Some("1"), "{nspid}");
    running.signal(libc::SIGUSR1);
    let outcome = running.finish();
    assert_eq!(outcome.code, 0, "{outcome:?}");
}

#[test]
fn under_qemu_pidone_is_pid_1_and_its_child_sees_ppid_1() {
    assert_is_pid_1(emulated_pid1!());
}

#[test]
fn the_childs_exit_codes_0_and_3_pass_through() {
    scenarios::exit_code_passes_through(emulated_pid1!(), 0);
    scenarios::exit_code_passes_through(emulated_pid1!(), 3);
}

#[test]
fn a_child_killed_by_the_forwarded_sigterm_gives_143() {
    scenarios::forwarded_sigterm_gives_143(emulated_pid1!());
}

#[test]
fn a_child_ignoring_sigterm_is_killed_at_the_grace_with_137_and_named() {
    scenarios::grace_ends_in_sigkill(emulated_pid1!());
}

#[test]
fn a_missing_command_is_127_with_one_line() {
    scenarios::missing_command_is_127(emulated_pid1!());
}

#[test]
fn a_file_without_execute_permission_is_126_with_one_line() {
    let dir = common::scratch_path("noexec-aarch64");
    std::fs::create_dir_all(&dir).unwrap();
    scenarios::not_executable_is_126(emulated_pid1!(), &dir.join("script"));
}

#[test]
fn sigterm_reaches_the_childs_whole_process_group() {
    scenarios::sigterm_reaches_the_group(emulated_pid1!());
}

#[test]
fn orphans_are_reparented_to_pidone_and_reaped() {
    scenarios::orphans_are_adopted_and_reaped(emulated_pid1!(), 100);
}

#[test]
fn the_drain_stops_a_remaining_worker_then_exits_with_the_childs_code() {
    scenarios::the_drain_stops_what_is_left(emulated_pid1!());
}

/// Not PID 1 (pidone's `rt_sigtimedwait` loop, its `PR_SET_CHILD_SUBREAPER` request):
/// signals are forwarded and the child's code passes through. qemu-user 7.2 refuses the
/// subreaper request itself (EINVAL, never reaching the kernel): pidone must then say so,
/// and the orphan goes to this machine's reaper; where qemu passes the request on, the
/// orphan goes to pidone.
#[test]
fn not_pid_1_signals_are_forwarded_and_orphans_go_to_pidone_only_if_qemu_allows_a_subreaper() {
    let pidone = emulated_not_pid1!();
    let mut running = pidone
        .args(app(
            "orphan { as orphan await-adoption print-pid exit 0 } on USR1 exit 5 ready wait",
        ))
        .start();
    let adopted = running.expect_line("orphan: pid");
    running.expect_line("app: ready");
    let pidone_pid = running.pid();
    running.signal(libc::SIGUSR1);
    let outcome = running.finish();
    assert_eq!(outcome.code, 5, "{outcome:?}");
    let parent: i32 = adopted.split_whitespace().nth(4).unwrap().parse().unwrap();
    let refused = "pidone: warning: not PID 1 and cannot become a child subreaper \
                   (EINVAL: Invalid argument): orphans will not be reaped";
    if outcome.stderr.contains(refused) {
        eprintln!("qemu-user refused PR_SET_CHILD_SUBREAPER");
        assert_ne!(parent, pidone_pid, "adopted without a subreaper: {adopted}");
        assert_eq!(outcome.stderr_lines(), [refused], "{outcome:?}");
    } else {
        assert_eq!(parent, pidone_pid, "not adopted by pidone: {adopted}");
        assert_eq!(outcome.stderr, "", "{outcome:?}");
    }
}
