#!/usr/bin/env bash
# Throughput of `quaywatch analyze` on a simulated port-terminal capture, beside tshark doing
# a comparable job (reading every frame and building the TCP conversation table).
#
#   bench/throughput.sh BUILD_DIR [PACKETS]      (`make bench` runs it on the default build)
#
# The capture (`quaywatch simulate --seed 1`, PACKETS frames, 1000000 by default, traffic
# profile PROFILE: the simulator's default "mixed", or "ics" for a mostly industrial mix) is kept in
# ${TMPDIR:-/tmp}/quaywatch-bench/ and reused by later runs; delete that folder to make it
# again. Each tool runs RUNS times (3 by default) on a warm page cache; the table shows the
# best (shortest) wall time of those runs and the highest peak RSS any of them reached.
# A second, smaller capture of the same mix (PACKETS/5 frames) shows whether memory follows
# the live flows rather than the file's size.
#
# Benchmarks are not tests: the exit status is non-zero only when a tool fails or is
# missing, never because a figure is slow. Nothing is written into the repository.
set -uo pipefail

usage() {
  echo "usage: $0 BUILD_DIR [PACKETS]" >&2
  exit 2
}
[[ $# -ge 1 && $# -le 2 ]] || usage
BUILD_DIR=$1
PACKETS=${2:-1000000}
RUNS=${RUNS:-3}
PROFILE=${PROFILE:-}
[[ $PACKETS =~ ^[0-9]+$ && $PACKETS -gt 0 ]] || usage

QW=$BUILD_DIR/src/app/quaywatch
TIME=/usr/bin/time
CACHE=${TMPDIR:-/tmp}/quaywatch-bench

die() {
  echo "throughput.sh: $*" >&2
  exit 1
}
[[ -x $QW ]] || die "no quaywatch binary at $QW (build first)"
[[ -x $TIME ]] || die "GNU time is needed at $TIME (apt-get install time)"
HAVE_TSHARK=0
command -v tshark > /dev/null && HAVE_TSHARK=1
HAVE_TASKSET=0
command -v taskset > /dev/null && HAVE_TASKSET=1

mkdir -p "$CACHE" || die "cannot create $CACHE"
WORK=$(mktemp -d "$CACHE/run.XXXXXX") || die "cannot create a work folder in $CACHE"
trap 'rm -rf "$WORK"' EXIT

# Makes (or reuses) the simulated capture of $1 packets and prints its path. The name carries
# the simulator's version, so a new release of the mix is not compared with an old file.
# A second argument names a simulate profile ("ics": mostly industrial traffic).
capture_for() {
  local n=$1 profile=${2:-} version file
  version=$("$QW" --version 2> /dev/null | head -n 1 | tr -c 'A-Za-z0-9.\n' '_')
  file=$CACHE/terminal${profile:+-$profile}-seed1-${n}-v${version}.pcap
  if [[ ! -s $file ]]; then
    echo "making $file ..." >&2
    # simulate writes under a temporary name and renames on success, so a file that exists
    # is whole.
    "$QW" simulate -o "$file" --seed 1 --packets "$n" ${profile:+--profile "$profile"} \
      > /dev/null || die "quaywatch simulate failed"
  fi
  echo "$file"
}

# The smaller of two numbers of seconds; the first when the second is empty (none yet).
smaller() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'; }

# Runs "$@" RUNS times under GNU time (stdout discarded, stderr kept for a failure) and
# prints "best_seconds max_peak_kib".
measure() {
  local i best="" peak=0 secs kib
  for ((i = 1; i <= RUNS; i++)); do
    if ! "$TIME" -f '%e %M' -o "$WORK/time" "$@" > /dev/null 2> "$WORK/stderr"; then
      cat "$WORK/stderr" >&2
      die "failed: $*"
    fi
    read -r secs kib < <(tail -n 1 "$WORK/time")
    best=$(smaller "$secs" "$best")
    ((kib > peak)) && peak=$kib
  done
  echo "$best $peak"
}

# Frames of a capture as quaywatch counted them (summary.json of the last analyze run).
frames_of() {
  sed -n 's/^ *"frames": \([0-9]*\),*$/\1/p' "$1/summary.json" | head -n 1
}

# A count of the "flows" object of summary.json ("tcp", "udp", "other", and "peak_live" where
# the summary has it); empty when absent.
flow_count() {
  awk -v key="\"$2\":" '/^  "flows": \{/ { in_flows = 1; next }
    in_flows && /^  \}/ { exit }
    in_flows && $1 == key { gsub(/[^0-9]/, "", $2); print $2; exit }' "$1/summary.json"
}

warm() { cat "$1" > /dev/null; }

# --- machine ---------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2> /dev/null)
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2> /dev/null)
echo "machine:   $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -sr)"
echo "load:      $(cut -d ' ' -f 1-3 /proc/loadavg) (1, 5, 15 min; figures suffer when high)"
echo "quaywatch: $("$QW" --version 2> /dev/null | head -n 1) (${build_type:-?} build, ${compiler:-?})"
if ((HAVE_TSHARK)); then
  echo "tshark:    $(tshark --version 2> /dev/null | head -n 1)"
else
  echo "tshark:    not installed; its row and the ratio are left out"
fi

FILE=$(capture_for "$PACKETS" "$PROFILE") || exit 1
SIZE=$(stat -c %s "$FILE")
echo "capture:   $FILE ($SIZE bytes)"
echo "runs:      $RUNS per tool, best wall time, highest peak RSS"
echo

THREADS=0
"$QW" analyze --help 2>&1 | grep -q -- '--threads' && THREADS=1

# --- runs ------------------------------------------------------------------------------------
warm "$FILE"
read -r qw_s qw_kib < <(measure "$QW" analyze "$FILE" --out "$WORK/out1") || exit 1
FRAMES=$(frames_of "$WORK/out1")
[[ -n $FRAMES ]] || die "no frame count in $WORK/out1/summary.json"
rows=("quaywatch analyze|$qw_s|$qw_kib")
if ((THREADS)); then
  warm "$FILE"
  read -r qw2_s qw2_kib < <(measure "$QW" analyze "$FILE" --out "$WORK/out2" --threads 2) ||
    exit 1
  rows+=("quaywatch analyze --threads 2|$qw2_s|$qw2_kib")
fi
if ((HAVE_TSHARK)); then
  warm "$FILE"
  read -r ts_s ts_kib < <(measure tshark -n -q -r "$FILE" -z conv,tcp) || exit 1
  rows+=("tshark -z conv,tcp|$ts_s|$ts_kib")
fi

# --- table -----------------------------------------------------------------------------------
# Rates use the best time; a time of 0.00 s (too small a capture) prints as "-".
printf '%-30s %9s %12s %9s %12s\n' tool seconds packets/s MB/s "peak MiB"
for row in "${rows[@]}"; do
  IFS='|' read -r name secs kib <<< "$row"
  awk -v n="$name" -v s="$secs" -v k="$kib" -v f="$FRAMES" -v b="$SIZE" 'BEGIN {
    if (s > 0) printf "%-30s %9.2f %12.0f %9.1f %12.1f\n", n, s, f / s, b / 1e6 / s, k / 1024
    else       printf "%-30s %9.2f %12s %9s %12.1f\n", n, s, "-", "-", k / 1024 }'
done
echo "($FRAMES packets, $(awk -v b="$SIZE" 'BEGIN { printf "%.1f", b / 1e6 }') MB; MB = 10^6 bytes)"
echo
if ((HAVE_TSHARK)); then
  awk -v q="$qw_s" -v t="$ts_s" 'BEGIN {
    if (q > 0) printf "quaywatch / tshark, packets/s:  %.2fx\n", t / q }'
fi
if ((THREADS)); then
  awk -v a="$qw_s" -v b="$qw2_s" 'BEGIN {
    if (b > 0) printf "--threads 2 speedup:            %.2fx (on %d CPUs)\n", a / b, '"$(nproc)"' }'
else
  echo "--threads 2:                    not run (analyze --help lists no --threads)"
fi

# --- what dissection costs --------------------------------------------------------------------
# The terminal mix and an industrial-heavy mix, each with every dissector on and with
# --no-dissectors (frames, flows, ARP/LLDP/CDP and the inventory only). The two are run in
# turn, RUNS times each, so that a slow spell of the machine weighs on both alike. Besides
# the whole run (what a user waits for, outputs and report included), --timing gives the
# frame stage alone ("frames analysed in"), where the dissectors do their work.

# Runs analyze on $1 with and without dissectors, in turn, RUNS times; prints the best wall
# seconds and the best frame-stage seconds of each: "on_s off_s on_stage_s off_stage_s".
# Further arguments are a command that runs analyze (taskset, to hold it to one CPU).
measure_dissection() {
  local f=$1 i mode best_on="" best_off="" stage_on="" stage_off="" secs stage
  shift
  for ((i = 1; i <= RUNS; i++)); do
    for mode in on off; do
      local extra=()
      [[ $mode == off ]] && extra=(--no-dissectors)
      if ! "$TIME" -f '%e' -o "$WORK/time" "$@" "$QW" analyze "$f" --out "$WORK/$mode" --timing \
        "${extra[@]}" > /dev/null 2> "$WORK/stderr"; then
        cat "$WORK/stderr" >&2
        die "failed: analyze $f ${extra[*]}"
      fi
      secs=$(tail -n 1 "$WORK/time")
      stage=$(sed -n 's/^quaywatch: frames analysed in \([0-9.]*\) s$/\1/p' "$WORK/stderr")
      if [[ $mode == on ]]; then
        best_on=$(smaller "$secs" "$best_on")
        stage_on=$(smaller "$stage" "$stage_on")
      else
        best_off=$(smaller "$secs" "$best_off")
        stage_off=$(smaller "$stage" "$stage_off")
      fi
    done
  done
  echo "$best_on $best_off $stage_on $stage_off"
}

if "$QW" analyze --help 2>&1 | grep -q -- '--no-dissectors'; then
  echo
  echo "dissection (quaywatch analyze, one thread; frames/s with dissectors on and off):"
  printf '  %-17s %12s %12s %8s %14s\n' capture "dissectors" "pipeline" "ratio" "frame stage"
  profiles=("")
  "$QW" simulate --help 2>&1 | grep -q -- '--profile' && profiles+=("ics")
  # The analysis reads the frames on one thread; the SQLite writer and the vendor table's
  # loader run beside it, on another CPU where there is one. Held to a single CPU (taskset),
  # their work counts against the frames too: the single-core figure.
  pins=("")
  ((HAVE_TASKSET && $(nproc) > 1)) && pins+=("taskset -c $(($(nproc) - 1))")
  for pin in "${pins[@]}"; do
    for profile in "${profiles[@]}"; do
      f=$(capture_for "$PACKETS" "$profile") || exit 1
      warm "$f"
      # $pin is empty or "taskset -c N": split on purpose.
      # shellcheck disable=SC2086
      read -r on_s off_s on_stage off_stage < <(measure_dissection "$f" $pin) || exit 1
      n=$(frames_of "$WORK/on")
      label=${profile:-terminal}
      [[ -n $pin ]] && label="$label, 1 CPU"
      awk -v p="$label" -v n="$n" -v a="$on_s" -v b="$off_s" -v c="$on_stage" \
        -v d="$off_stage" 'BEGIN {
        if (a > 0 && b > 0) printf "  %-17s %12.0f %12.0f %7.0f%% %13.0f%%\n", p, n / a, n / b,
          100 * b / a, (c > 0 && d > 0) ? 100 * d / c : 0 }'
    done
  done
  ((${#profiles[@]} > 1)) || echo "  (simulate has no --profile: the industrial-heavy mix was not run)"
  echo "  (ratio: whole runs, outputs and report.html included; frame stage: decode to the last"
  echo "   flow, as analyze --timing reports it; 1 CPU: every thread of the run held to one CPU)"
  ((HAVE_TASKSET)) || echo "  (taskset is missing: the single-CPU rows were not run)"
fi

# --- memory follows live flows ---------------------------------------------------------------
SMALL_PACKETS=$((PACKETS / 5))
if ((SMALL_PACKETS >= 1000)); then
  SMALL=$(capture_for "$SMALL_PACKETS" "$PROFILE") || exit 1
  warm "$SMALL"
  read -r _ sm_kib < <(measure "$QW" analyze "$SMALL" --out "$WORK/out3") || exit 1
  echo
  echo "memory follows live flows (quaywatch analyze, one thread):"
  printf '  %-10s %10s %10s %10s %10s\n' packets "file MB" flows "peak live" "peak MiB"
  for spec in "$SMALL_PACKETS|$SMALL|$WORK/out3|$sm_kib" "$FRAMES|$FILE|$WORK/out1|$qw_kib"; do
    IFS='|' read -r n f out kib <<< "$spec"
    tcp=$(flow_count "$out" tcp) udp=$(flow_count "$out" udp) other=$(flow_count "$out" other)
    flows=$((${tcp:-0} + ${udp:-0} + ${other:-0}))
    live=$(flow_count "$out" peak_live)
    awk -v n="$n" -v b="$(stat -c %s "$f")" -v fl="$flows" -v l="${live:--}" -v k="$kib" 'BEGIN {
      printf "  %-10d %10.1f %10d %10s %10.1f\n", n, b / 1e6, fl, l, k / 1024 }'
  done
  awk -v a="$sm_kib" -v b="$qw_kib" -v n="$((PACKETS / SMALL_PACKETS))" 'BEGIN {
    printf "  %dx the packets, %.2fx the peak memory\n", n, b / a }'
  echo "  (peak RSS counts the capture pages the reader keeps mapped: a fixed window, not the file)"
fi
exit 0
