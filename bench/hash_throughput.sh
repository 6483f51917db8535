#!/usr/bin/env bash
# Hashing throughput of `quaywatch integrity baseline` beside `sha256sum` on the same files:
# one large OS-image-like file and a folder of many small exported programs and
# configurations, on a warm page cache.
#
#   bench/hash_throughput.sh BUILD_DIR [LARGE_MIB] [SMALL_FILES]   (`make bench` runs it)
#
# quaywatch does more than hash (walks, tells kinds, keeps small text files for diffs, signs
# the manifest); the figure compared is the whole command's wall time. Each tool runs RUNS
# times (3 by default); the table shows the best. The files are kept in
# ${TMPDIR:-/tmp}/quaywatch-bench/hash/ for later runs. Benchmarks are not tests: the exit
# status is non-zero only when a tool fails or is missing.
set -uo pipefail

[[ $# -ge 1 && $# -le 3 ]] || { echo "usage: $0 BUILD_DIR [LARGE_MIB] [SMALL_FILES]" >&2; exit 2; }
BUILD_DIR=$1
LARGE_MIB=${2:-1024}
SMALL=${3:-2000}
RUNS=${RUNS:-3}
QW=$BUILD_DIR/src/app/quaywatch
CACHE=${TMPDIR:-/tmp}/quaywatch-bench/hash
die() { echo "hash_throughput.sh: $*" >&2; exit 1; }
[[ -x $QW ]] || die "no quaywatch binary at $QW (build first)"
command -v sha256sum > /dev/null || die "sha256sum is missing"

mkdir -p "$CACHE/large" "$CACHE/small" || die "cannot create $CACHE"
if [[ $(stat -c %s "$CACHE/large/image.img" 2> /dev/null || echo 0) -ne $((LARGE_MIB << 20)) ]]; then
  echo "making a ${LARGE_MIB} MiB image ..." >&2
  head -c $((LARGE_MIB << 20)) /dev/urandom > "$CACHE/large/image.img" || die "cannot write"
fi
if [[ $(find "$CACHE/small" -type f | wc -l) -ne $SMALL ]]; then
  echo "making $SMALL small files ..." >&2
  rm -rf "$CACHE/small" && mkdir -p "$CACHE/small"
  for ((i = 0; i < SMALL; i++)); do
    head -c $((4096 + (i * 977) % 200000)) /dev/urandom > "$CACHE/small/block$i.mc7"
  done
fi
WORK=$(mktemp -d) || die "no temp folder"
trap 'rm -rf "$WORK"' EXIT
"$QW" keygen -o "$WORK/bench" > /dev/null || die "keygen failed"

# best_of CMD...: the shortest wall time of RUNS runs, in seconds.
best_of() {
  local best="" t
  for ((r = 0; r < RUNS; r++)); do
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null || die "failed: $*"
    end=$(date +%s.%N)
    t=$(awk "BEGIN {print $end - $start}")
    if [[ -z $best ]] || awk "BEGIN {exit !($t < $best)}"; then best=$t; fi
  done
  echo "$best"
}

row() {
  local name=$1 dir=$2 bytes
  bytes=$(find "$dir" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
  cat "$dir"/* > /dev/null  # warm the page cache
  local qw sum
  qw=$(best_of "$QW" integrity baseline --asset bench --key "$WORK/bench.key" -o "$WORK/m.json" "$dir")
  sum=$(best_of sh -c "find '$dir' -type f -print0 | xargs -0 sha256sum")
  awk -v name="$name" -v b="$bytes" -v q="$qw" -v s="$sum" 'BEGIN {
    printf "%-28s %8.1f MB  quaywatch %6.3f s %7.1f MB/s   sha256sum %6.3f s %7.1f MB/s   time ratio %.2f\n",
      name, b / 1e6, q, b / q / 1e6, s, b / s / 1e6, q / s }'
}

echo "hashing, best of $RUNS runs ($(nproc) cores; sha256sum $(sha256sum --version | head -n 1 | awk '{print $NF}'))"
row "one ${LARGE_MIB} MiB image" "$CACHE/large"
row "$SMALL files of 4-200 KiB" "$CACHE/small"
