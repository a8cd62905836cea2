//! Names the git commit pidone is built from: `PIDONE_COMMIT` (the first 12 hex digits of
//! `git rev-parse HEAD`, or empty where the source is not a git checkout) and
//! `PIDONE_COMMIT_SUFFIX` (`-COMMIT`, or empty), which `personality::version_line` appends
//! to the version it reports. The script reruns only when HEAD moves; it costs the binary
//! nothing.

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
    let suffix = if commit.is_empty() {
        String::new()
    } else {
        format!("-{commit}")
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
}
