//! The entry point. pidone defines the C `main` itself instead of Rust's: the Rust runtime's
//! start-up sets SIGPIPE to ignored before `main` runs, and an ignored disposition survives
//! exec — the application would inherit it. This way pidone hands on the dispositions it
//! was given, and starts with fewer system calls.

#![no_main]
// As in the library: nothing here may panic.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::undocumented_unsafe_blocks
)]

// A FROM-scratch image has no dynamic loader: a release binary linked against a shared C
// library fails there with "exec /pidone: no such file or directory". So a release build
// (debug assertions off) must link statically, as the musl targets do by default; glibc
// builds may ask for it with `-C target-feature=+crt-static`.
#[cfg(all(not(debug_assertions), not(target_feature = "crt-static")))]
compile_error!(
    "pidone's release binary must be statically linked to run in a FROM-scratch image: \
     build it with --target x86_64-unknown-linux-musl or --target aarch64-unknown-linux-musl \
     (README, \"Get pidone\")"
);

use std::ffi::{CStr, OsStr};

/// dlmalloc instead of the C library's allocator: musl's mallocng costs about 400
/// instructions for each allocation and free of pidone's start-up, and five system calls
/// to set up its heap (README, "Design notes").
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;
use std::os::unix::ffi::OsStrExt;

/// # Safety
/// Called by the C runtime with the process's argument vector.
#[unsafe(no_mangle)]
extern "C" fn main(argc: libc::c_int, argv: *const *const libc::c_char) -> libc::c_int {
    let argv = (0..argc.max(0) as usize)
        // SAFETY: the C runtime passes argc valid, NUL-terminated strings.
        .map(|i| unsafe { CStr::from_ptr(*argv.add(i)) })
        .map(|arg| OsStr::from_bytes(arg.to_bytes()).to_owned())
        .collect();
    libc::c_int::from(pidone::run(argv))
}
