//! The binary users ship: built as the README builds it, fully static, at most 500 KB
//! stripped, naming the commit it was built from, and working as PID 1; a release build
//! that would not be static is refused.

mod common;

use std::path::PathBuf;
use std::process::Command;

const TARGET: &str = "x86_64-unknown-linux-musl";
const MAX_BYTES: u64 = 500 * 1000;

/// Builds the release binary for the musl target into a directory of its own.
fn release_binary() -> Option<PathBuf> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l == TARGET)
        });
    if !installed {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI=true but the {TARGET} target is not installed"
        );
        eprintln!("skipping: `rustup target add {TARGET}` to check the release binary");
        return None;
    }
    let target_dir = common::cargo_build(
        "the release binary",
        "release",
        &["--release", "--bin", "pidone", "--target", TARGET],
    );
    Some(target_dir.join(TARGET).join("release/pidone"))
}

#[test]
fn the_release_binary_is_static_small_and_works() {
    let Some(binary) = release_binary() else {
        return;
    };

    let file = Command::new("file")
        .arg(&binary)
        .output()
        .expect("the `file` command");
    let description = String::from_utf8_lossy(&file.stdout);
    assert!(
        description.contains("statically linked") || description.contains("static-pie linked"),
        "not static: {description}"
    );
    assert!(
        description.contains("stripped") && !description.contains("not stripped"),
        "{description}"
    );

    let size = std::fs::metadata(&binary).unwrap().len();
    eprintln!("release binary: {size} bytes");
    assert!(size <= MAX_BYTES, "{size} bytes, more than {MAX_BYTES}");

    let version = Command::new(&binary).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        format!(
            "pidone version {0} - git.pidone-{1}{2}\n",
            env!("CARGO_PKG_VERSION"),
            env!("CARGO_PKG_VERSION").replace('.', "_"),
            env!("PIDONE_COMMIT_SUFFIX")
        )
    );

    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run git");
    if head.status.success() {
        let head = String::from_utf8_lossy(&head.stdout);
        assert_eq!(env!("PIDONE_COMMIT"), head.trim(), "the commit built from");
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI=true but the source is not a git checkout"
        );
    }

    if common::namespaces_available() {
        let status = Command::new("unshare")
            .args(["--pid", "--fork", "--mount-proc"])
            .arg(&binary)
            .arg(common::helper())
            .args(["exit", "3"])
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(3));
    }

    // musl numbers SIGRTMIN 35; applications and Docker call 34 SIGRTMIN.
    common::assert_forwards_the_c_librarys_own_signals(common::Pidone::new().invoked_as(&binary));
}

/// `cargo build --release` for the machine's own (glibc, dynamically linked) target stops
/// with one line that says how to build the static binary, instead of producing a binary
/// that a FROM-scratch image cannot start.
#[test]
fn a_release_build_that_would_not_be_static_is_refused() {
    let target_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("release-host");
    let build = Command::new(env!("CARGO"))
        .args(["build", "--locked", "--release", "--bin", "pidone"])
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert!(!build.status.success(), "a dynamic release build succeeded");
    assert!(
        stderr.contains(
            "error: pidone's release binary must be statically linked to run in a \
             FROM-scratch image: build it with --target x86_64-unknown-linux-musl"
        ),
        "{stderr}"
    );
}
