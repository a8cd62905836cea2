# Shared by release/run and the container suite (sourced, not run): what the release is
# made of. `top` is the checkout. Each function prints one line, or fails saying why.

# The version the release carries: the package's `version` in Cargo.toml.
release_version() {
  local version
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$top/Cargo.toml" | sed -n 1p)
  [ -n "$version" ] || { echo "release: no version in $top/Cargo.toml" >&2; return 1; }
  printf '%s\n' "$version"
}

# Where cargo puts what it builds: CARGO_TARGET_DIR and build.target-dir move target/.
cargo_target_dir() {
  local dir
  dir=$(cd "$top" && cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
  [ -d "$dir" ] || { echo "release: cargo names no target directory" >&2; return 1; }
  printf '%s\n' "$dir"
}
