# Shared by the container suite's scripts (sourced, not run): how a check is reported and
# counted. A script prints one "  ok: ..." or "  FAILED: ..." line per check and ends with
# `summary NAME`, whose status is non-zero when any check failed.

passes=0
failures=0

say() { printf '%s\n' "$*"; }
pass() { passes=$((passes + 1)); say "  ok: $*"; }
fail() { failures=$((failures + 1)); say "  FAILED: $*"; }
check() { # description, then a command that must succeed
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
within() { (($1 >= $2 && $1 < $3)); } # value, low (inclusive), high (exclusive)
summary() { # name of the suite
  say "$1: $passes passed, $failures failed"
  ((failures == 0))
}
