#!/usr/bin/env bash
# Live capture across a veth pair whose two ends live in two network namespaces of the
# test's own (qwtest$$a holds 192.0.2.1/24, qwtest$$ 192.0.2.2/24), so nothing touches the
# host's interfaces or routes, whatever addresses the host uses. live_capture_probe listens
# in the first namespace while the second pings and sends a UDP datagram; the probe must
# have seen the second namespace's MAC and IP.
# Needs root (CAP_NET_ADMIN); exits 77 (skipped) when namespaces cannot be made.
#
# usage: live_veth_test.sh PATH/TO/live_capture_probe
set -u

probe=${1:?usage: $0 PATH/TO/live_capture_probe}
ns="qwtest$$"
ns_host="qwtest${$}a"
host_if="qwv$$h"
peer_if="qwv$$n"
out=$(mktemp "${TMPDIR:-/tmp}/qw-live-probe.XXXXXX")
probe_pid=""

cleanup() {
  if [ -n "$probe_pid" ]; then kill "$probe_pid" 2>/dev/null; wait "$probe_pid" 2>/dev/null; fi
  ip netns del "$ns" 2>/dev/null
  ip netns del "$ns_host" 2>/dev/null
  rm -f "$out"
}
trap cleanup EXIT

fail() {
  echo "FAILED: $*"
  echo "--- probe output:"
  cat "$out"
  exit 1
}

if ! reason=$(ip netns add "$ns" 2>&1); then
  echo "SKIPPED: cannot create network namespaces: ${reason:-ip netns add failed}"
  exit 77
fi

ip netns add "$ns_host" || fail "cannot create a second namespace"
in_host() { ip netns exec "$ns_host" "$@"; }
ip link add "$host_if" type veth peer name "$peer_if" || fail "cannot create a veth pair"
ip link set "$host_if" netns "$ns_host" || fail "cannot move $host_if into $ns_host"
ip link set "$peer_if" netns "$ns" || fail "cannot move $peer_if into $ns"
in_host ip addr add 192.0.2.1/24 dev "$host_if" || fail "cannot address $host_if"
in_host ip link set "$host_if" up || fail "cannot bring up $host_if"
in_host ip link set lo up
ip netns exec "$ns" ip addr add 192.0.2.2/24 dev "$peer_if" || fail "cannot address $peer_if"
ip netns exec "$ns" ip link set "$peer_if" up || fail "cannot bring up $peer_if"
ip netns exec "$ns" ip link set lo up
peer_mac=$(ip netns exec "$ns" cat "/sys/class/net/$peer_if/address")
host_mac=$(in_host cat "/sys/class/net/$host_if/address")
# The namespace does not wait for ARP replies: a static neighbour entry sends its IPv4 packets out at once.
ip netns exec "$ns" ip neigh replace 192.0.2.1 lladdr "$host_mac" dev "$peer_if" nud permanent \
  || fail "cannot add a neighbour entry in $ns"

in_host "$probe" "$host_if" 4 "arp or host 192.0.2.2" >"$out" 2>&1 &
probe_pid=$!
for _ in $(seq 50); do
  grep -q '^listening$' "$out" && break
  kill -0 "$probe_pid" 2>/dev/null || fail "the probe exited early"
  sleep 0.1
done
grep -q '^listening$' "$out" || fail "the probe never started listening"

# Replies are not required: what counts is what the probe saw arrive.
ip netns exec "$ns" ping -c 3 -i 0.2 -W 1 192.0.2.1 >/dev/null 2>&1
ip netns exec "$ns" bash -c 'echo quaywatch >/dev/udp/192.0.2.1/47999' 2>/dev/null

wait "$probe_pid"
status=$?
probe_pid=""
[ "$status" -eq 0 ] || fail "the probe exited with $status"

frames=$(sed -n 's/^frames //p' "$out")
[ -n "$frames" ] && [ "$frames" -ge 4 ] || fail "expected at least 4 frames, saw '${frames}'"
grep -qx "src_mac $peer_mac" "$out" || fail "the namespace's MAC $peer_mac was not seen"
grep -qx "src_ip 192.0.2.2" "$out" || fail "the namespace's address 192.0.2.2 was not seen"
grep -q '^kernel_dropped ' "$out" || fail "no drop counter printed"
echo "PASSED: $frames frames, saw $peer_mac and 192.0.2.2"
cat "$out"
