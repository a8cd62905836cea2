//! Names the git commit pidone is built from: `PIDONE_COMMIT` (the first 12 hex digits of
//! `git rev-parse HEAD`, or empty where the source is not a git checkout) and
//! `PIDONE_COMMIT_SUFFIX` (`-COMMIT`, `-COMMIT-dirty` when the files the binary is built
//! from differ from that commit, or empty), which `personality::version_line` appends to
//! the version it reports. The script reruns when HEAD moves or those files change; it
//! costs the binary nothing.

use std::path::Path;
use std::process::Command;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_default();
    println!("cargo:rustc-env=PIDONE_COMMIT={commit}");
    let suffix = match (commit.is_empty(), dirty(root)) {
        (true, _) => String::new(),
        (false, false) => format!("-{commit}"),
        (false, true) => format!("-{commit}-dirty"),
    };
    println!("cargo:rustc-env=PIDONE_COMMIT_SUFFIX={suffix}");
    // HEAD names the branch; the branch's ref file (or packed-refs) moves with each commit.
    let git_dir = Command::new("git")
        .args(["rev-parse", "--git-dir"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| root.join(String::from_utf8_lossy(&out.stdout).trim()));
    match git_dir {
        Some(dir) => {
            for watched in ["HEAD", "refs/heads", "packed-refs"] {
                let path = dir.join(watched);
                if path.exists() {
                    println!("cargo:rerun-if-changed={}", path.display());
                }
            }
        }
        None => println!("cargo:rerun-if-changed=build.rs"),
    }
    for path in BUILT_FROM {
        println!("cargo:rerun-if-changed={path}");
    }
}

/// What the binary is built from, besides its dependencies' sources.
const BUILT_FROM: [&str; 5] = ["src", "Cargo.toml", "Cargo.lock", "build.rs", ".cargo"];

/// Whether any file of [`BUILT_FROM`] differs from the commit (untracked files aside).
fn dirty(root: &Path) -> bool {
    Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no", "--"])
        .args(BUILT_FROM)
        .current_dir(root)
        .output()
        .is_ok_and(|out| out.status.success() && !out.stdout.is_empty())
}
