#!/usr/bin/env bash
# Runs every libFuzzer target of a -DQW_FUZZ=ON build for SECONDS each, starting from the
# seed corpus in tests/fuzz/corpus/<name> (copied: the repository's corpus is not grown).
# A crash leaves its input under tests/fuzz/regressions/<name>/, where the sanitizer build's
# tests replay it from then on; the script then exits 1.
#
# usage: scripts/run-fuzzers.sh BUILD_DIR SECONDS
set -uo pipefail
build=${1:?usage: $0 BUILD_DIR SECONDS}
seconds=${2:?usage: $0 BUILD_DIR SECONDS}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/qw-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0
for target in "$build"/tests/fuzz/fuzz_*; do
  [ -x "$target" ] || continue
  name=${target##*/fuzz_}
  mkdir -p "$work/$name" "$work/$name-crash"
  cp -r "$root/tests/fuzz/corpus/$name/." "$work/$name/" 2>/dev/null
  echo "== fuzz_$name for ${seconds}s"
  if ! "$target" -max_total_time="$seconds" -artifact_prefix="$work/$name-crash/" \
      "$work/$name" > "$work/$name.log" 2>&1; then
    status=1
    mkdir -p "$root/tests/fuzz/regressions/$name"
    cp "$work/$name-crash/"* "$root/tests/fuzz/regressions/$name/" 2>/dev/null
    echo "fuzz_$name found a crash; input kept under tests/fuzz/regressions/$name/"
    tail -40 "$work/$name.log"
  else
    grep -E "^#[0-9]+.*DONE" "$work/$name.log" | tail -1
  fi
done
exit $status
