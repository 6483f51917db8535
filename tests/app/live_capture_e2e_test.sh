#!/usr/bin/env bash
# End to end over a real interface: `quaywatch capture` on one end of a veth pair while the
# other end sends ICMP, UDP and TCP. Both ends live in network namespaces made for the test,
# so the host's own interfaces, addresses and routes are never touched (a host may itself
# use 192.0.2.0/24). Checks summary.json, assets.json and quaywatch.sqlite, then stops a
# second capture with SIGINT and checks that it exits 0 and leaves complete outputs behind.
#
# Usage: live_capture_e2e_test.sh QUAYWATCH_BINARY
# Exit codes: 0 passed, 1 failed, 77 skipped (no namespaces: not root, no iproute2, ...).
# JSON is read with sqlite3's JSON functions (sqlite3 is a dependency; jq is not).
set -u

QW=${1:?usage: $0 QUAYWATCH_BINARY}

skip() {
  echo "SKIPPED: $*"
  exit 77
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

command -v ip >/dev/null || skip "cannot create network namespaces: ip (iproute2) not installed"
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
command -v ping >/dev/null || skip "ping (iputils-ping) not installed"
[[ -x $QW ]] || fail "$QW is not an executable"
QW=$(cd "$(dirname "$QW")" && pwd)/$(basename "$QW")
[[ $(sqlite3 :memory: "SELECT json_extract('{\"a\":1}', '\$.a')" 2>/dev/null) == 1 ]] ||
  skip "sqlite3 has no JSON functions"

# Interface names are at most 15 bytes; a pid has at most 7 digits.
NS_CAP=qwcap$$   # the sensor: quaywatch captures on CAP_IF here
NS_PEER=qwpeer$$ # the device that talks
CAP_IF=qwc$$
PEER_IF=qwp$$
CAP_IP=192.0.2.1
PEER_IP=192.0.2.2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/qw_live.XXXXXX")

in_cap() { ip netns exec "$NS_CAP" "$@"; }
in_peer() { ip netns exec "$NS_PEER" "$@"; }

cleanup() {
  # Only this shell's own background jobs still running: a pid that has been waited for
  # may belong to someone else by now.
  local pid
  for pid in $(jobs -p); do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  # Deleting a namespace deletes the veth end inside it, and with it the pair.
  ip netns del "$NS_PEER" 2>/dev/null
  ip netns del "$NS_CAP" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if ! err=$(ip netns add "$NS_CAP" 2>&1); then
  skip "cannot create network namespaces: ${err:-ip netns add failed}"
fi
ip netns add "$NS_PEER" || fail "ip netns add $NS_PEER"
if ! err=$(ip -n "$NS_CAP" link add "$CAP_IF" type veth peer name "$PEER_IF" netns "$NS_PEER" 2>&1); then
  skip "cannot create a veth pair: $err"
fi
in_cap ip addr add "$CAP_IP/24" dev "$CAP_IF" || fail "ip addr add in $NS_CAP"
in_cap ip link set "$CAP_IF" up || fail "ip link set $CAP_IF up"
in_cap ip link set lo up || fail "ip link set lo up in $NS_CAP"
in_peer ip addr add "$PEER_IP/24" dev "$PEER_IF" || fail "ip addr add in $NS_PEER"
in_peer ip link set "$PEER_IF" up || fail "ip link set $PEER_IF up"
in_peer ip link set lo up || fail "ip link set lo up in $NS_PEER"
CAP_MAC=$(in_cap cat "/sys/class/net/$CAP_IF/address")
PEER_MAC=$(in_peer cat "/sys/class/net/$PEER_IF/address")
[[ $CAP_MAC =~ ^[0-9a-f:]{17}$ && $PEER_MAC =~ ^[0-9a-f:]{17}$ ]] ||
  fail "cannot read the MACs of the veth pair ('$CAP_MAC', '$PEER_MAC')"

# The carrier of a veth end comes up once both ends are up.
for _ in $(seq 50); do
  [[ $(in_cap cat "/sys/class/net/$CAP_IF/operstate") == up ]] && break
  sleep 0.1
done

# json FILE SQL-JSON-PATH: the value at that path of a JSON file, as sqlite3 prints it.
json() {
  sqlite3 :memory: "SELECT json_extract(CAST(readfile('$1') AS TEXT), '$2')"
}
# json_type FILE PATH: 'integer', 'text', ... or nothing when the path is absent.
json_type() {
  sqlite3 :memory: "SELECT json_type(CAST(readfile('$1') AS TEXT), '$2')"
}

# Waits until the capture has opened the interface: run.cpp creates the output folder
# only after libpcap has opened it. Fails when the capture exits first.
wait_capture_ready() {
  local pid=$1 dir=$2
  for _ in $(seq 100); do
    [[ -d $dir ]] && { sleep 0.3; return 0; }
    kill -0 "$pid" 2>/dev/null || fail "quaywatch capture exited early: $(cat "$dir.stderr")"
    sleep 0.1
  done
  fail "quaywatch capture did not open $CAP_IF within 10 s"
}

# Starts a one-connection TCP listener on $PEER_IP:$1 in the peer namespace when python3 is
# there (bash cannot listen, and nc's options differ between its variants); sets LISTENER to
# its pid, or to nothing.
start_listener() {
  local port=$1
  LISTENER=
  if python3 -c 'import socket' >/dev/null 2>&1; then
    in_peer timeout 10 python3 -c "
import socket
s = socket.socket()
s.bind(('$PEER_IP', $port))
s.listen(1)
c, _ = s.accept()
c.sendall(b'quay\n')
c.recv(64)
c.close()
" >/dev/null 2>&1 &
    LISTENER=$!
  fi
}

# ICMP echo both ways, UDP datagrams to a closed port (answered by ICMP port unreachable),
# and one TCP connection: to a listener when one could be started, otherwise to a closed
# port (SYN answered by RST), which is still a TCP flow.
send_traffic() {
  local tcp_port=47808
  start_listener "$tcp_port"
  in_peer ping -n -q -c 3 -i 0.2 -W 1 "$CAP_IP" >/dev/null ||
    fail "ping from $NS_PEER to $CAP_IP failed"
  in_peer bash -c "for i in 1 2 3 4; do echo datagram\$i >/dev/udp/$CAP_IP/5002; done" ||
    fail "cannot send UDP from $NS_PEER"
  if [[ -n $LISTENER ]]; then
    # Give the listener time to bind before connecting.
    local ok=0
    for _ in $(seq 30); do
      if in_cap bash -c "exec 3<>/dev/tcp/$PEER_IP/$tcp_port && read -r -t 2 line <&3 &&
                  [[ \$line == quay ]] && echo bye >&3" 2>/dev/null; then
        ok=1
        break
      fi
      sleep 0.1
    done
    ((ok)) || fail "no TCP connection to the listener in $NS_PEER"
    wait "$LISTENER" 2>/dev/null
  else
    echo "note: no python3; TCP is a connection attempt to a closed port"
    in_cap bash -c "exec 3<>/dev/tcp/$PEER_IP/$tcp_port" 2>/dev/null
  fi
  sleep 0.3
}

# Checks that a finished capture left its four outputs and no temporary files.
check_outputs_complete() {
  local dir=$1 f
  for f in summary.json assets.json events.jsonl quaywatch.sqlite; do
    [[ -f $dir/$f ]] || fail "$dir/$f missing"
  done
  local tmps
  tmps=$(find "$dir" -name '*.tmp*')
  [[ -z $tmps ]] || fail "temporary files left behind: $tmps"
}

# --- 1. capture for a fixed duration --------------------------------------------------------
OUT1=$WORK/duration
ip netns exec "$NS_CAP" "$QW" capture --interface "$CAP_IF" --duration 6 --out "$OUT1" 2>"$OUT1.stderr" &
QW_PID=$!
wait_capture_ready "$QW_PID" "$OUT1"
send_traffic
wait "$QW_PID"
rc=$?
[[ $rc == 0 ]] || fail "quaywatch capture --duration 6 exited $rc: $(cat "$OUT1.stderr")"
check_outputs_complete "$OUT1"

S=$OUT1/summary.json
frames=$(json "$S" '$.capture.frames')
[[ $frames =~ ^[0-9]+$ && $frames -gt 0 ]] || fail "summary capture.frames is '$frames'"
[[ $(json "$S" '$.capture.files[0].format') == live ]] || fail "summary file format is not live"
[[ $(json "$S" '$.capture.files[0].path') == "$CAP_IF" ]] ||
  fail "summary file path is not $CAP_IF"
[[ $(json "$S" '$.live.interface') == "$CAP_IF" ]] || fail "summary live.interface"
[[ $(json_type "$S" '$.live.kernel_dropped') == integer ]] ||
  fail "summary live.kernel_dropped missing"
[[ $(json_type "$S" '$.live.received') == integer ]] || fail "summary live.received missing"
# 3 echo requests and 3 replies, and a port unreachable per datagram (rate limits allowing).
icmp=$(json "$S" '$.frames.icmp')
((icmp >= 6)) || fail "summary frames.icmp is $icmp, expected at least 6"
udp=$(json "$S" '$.frames.udp')
((udp >= 4)) || fail "summary frames.udp is $udp, expected at least 4"
tcp_frames=$(json "$S" '$.frames.tcp')
((tcp_frames >= 2)) || fail "summary frames.tcp is $tcp_frames, expected at least 2"
((frames >= icmp + 4)) || fail "summary capture.frames $frames < ICMP and UDP frames sent"
(($(json "$S" '$.flows.udp') >= 1)) || fail "summary flows.udp is 0"
(($(json "$S" '$.flows.tcp') >= 1)) || fail "summary flows.tcp is 0"

# The talking end: its MAC and 192.0.2.2 make one asset, and no other asset holds that IP.
A=$OUT1/assets.json
asset_with() {  # MAC IP: how many assets have that MAC and list that IP
  sqlite3 :memory: "SELECT count(*) FROM json_each(CAST(readfile('$A') AS TEXT)) a
    WHERE json_extract(a.value, '\$.mac') = '$1'
      AND EXISTS (SELECT 1 FROM json_each(a.value, '\$.ips') i WHERE i.value = '$2')"
}
assets_listing() {  # IP: how many assets list that IP
  sqlite3 :memory: "SELECT count(*) FROM json_each(CAST(readfile('$A') AS TEXT)) a
    WHERE EXISTS (SELECT 1 FROM json_each(a.value, '\$.ips') i WHERE i.value = '$1')"
}
[[ $(asset_with "$PEER_MAC" "$PEER_IP") == 1 ]] ||
  fail "assets.json has no asset with $PEER_MAC and $PEER_IP: $(cat "$A")"
[[ $(assets_listing "$PEER_IP") == 1 ]] || fail "$PEER_IP is listed by several assets"
[[ $(asset_with "$CAP_MAC" "$CAP_IP") == 1 ]] ||
  fail "assets.json has no asset with $CAP_MAC and $CAP_IP"

# The database says the same.
DB=$OUT1/quaywatch.sqlite
db_pairs=$(sqlite3 "$DB" "SELECT count(*) FROM asset_addresses m JOIN asset_addresses i
    USING (asset_id) WHERE m.kind = 'mac' AND m.address = '$PEER_MAC'
    AND i.kind = 'ipv4' AND i.address = '$PEER_IP'")
[[ $db_pairs == 1 ]] || fail "asset_addresses has $db_pairs assets with $PEER_MAC and $PEER_IP"
db_frames=$(sqlite3 "$DB" "SELECT frames FROM runs")
[[ $db_frames == "$frames" ]] || fail "runs.frames is $db_frames, summary says $frames"
# Each datagram went from a socket of its own (a connected UDP socket would stop at the
# first port unreachable), so they make one to four flows, but four datagrams in all.
db_udp=$(sqlite3 "$DB" "SELECT count(*) || ' ' || total(packets_from_initiator) FROM flows
    WHERE proto = 17 AND initiator_ip = '$PEER_IP' AND responder_ip = '$CAP_IP'
    AND responder_port = 5002")
[[ $db_udp =~ ^[1-4]\ 4\.0$ ]] ||
  fail "flows $PEER_IP -> $CAP_IP:5002: '$db_udp' (flows, datagrams); expected 1-4 flows, 4 datagrams"
echo "duration run: $frames frames, $icmp ICMP, $udp UDP, $tcp_frames TCP; assets match"

# --- 2. capture until SIGINT ----------------------------------------------------------------
OUT2=$WORK/sigint
ip netns exec "$NS_CAP" "$QW" capture --interface "$CAP_IF" --out "$OUT2" 2>"$OUT2.stderr" &
QW_PID=$!
wait_capture_ready "$QW_PID" "$OUT2"
# `ip netns exec` execs its command, so the signal goes to quaywatch itself (a function or
# subshell in between would be a bash that ignores SIGINT in the background).
[[ $(cat "/proc/$QW_PID/comm") == quaywatch ]] || fail "pid $QW_PID is not quaywatch"
in_peer ping -n -q -c 2 -i 0.2 -W 1 "$CAP_IP" >/dev/null || fail "second ping failed"
sleep 0.3
kill -INT "$QW_PID"
for _ in $(seq 100); do
  kill -0 "$QW_PID" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$QW_PID" 2>/dev/null; then
  fail "quaywatch capture still running 10 s after SIGINT"
fi
wait "$QW_PID"
rc=$?
[[ $rc == 0 ]] || fail "quaywatch capture exited $rc after SIGINT: $(cat "$OUT2.stderr")"
check_outputs_complete "$OUT2"
frames2=$(json "$OUT2/summary.json" '$.capture.frames')
icmp2=$(json "$OUT2/summary.json" '$.frames.icmp')
((icmp2 >= 4)) || fail "after SIGINT: frames.icmp is $icmp2, expected at least 4"
[[ $(sqlite3 "$OUT2/quaywatch.sqlite" "SELECT frames FROM runs") == "$frames2" ]] ||
  fail "after SIGINT: database and summary disagree"
echo "SIGINT run: exit 0, $frames2 frames, outputs complete"

# --- 3. capture --serve: the dashboard's API updates while traffic flows ---------------------
# http_get PORT PATH: the body of a GET to the capture namespace's loopback (bash's /dev/tcp,
# so neither curl nor wget is needed).
http_get() {
  in_cap bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 &&
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' '$2' >&3 && cat <&3" |
    sed '1,/^\r\{0,1\}$/d'
}
OUT3=$WORK/serve
ip netns exec "$NS_CAP" "$QW" capture --interface "$CAP_IF" --out "$OUT3" \
  --serve 127.0.0.1:0 --snapshot-seconds 0.5 >"$OUT3.stdout" 2>"$OUT3.stderr" &
QW_PID=$!
wait_capture_ready "$QW_PID" "$OUT3"
PORT=
for _ in $(seq 50); do
  PORT=$(sed -n 's|.* at http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$OUT3.stdout")
  [[ -n $PORT ]] && break
  sleep 0.1
done
[[ -n $PORT ]] || fail "capture --serve printed no address: $(cat "$OUT3.stdout" "$OUT3.stderr")"
# live_frames: the frame count the dashboard reports now.
live_frames() {
  http_get "$PORT" /api/summary > "$WORK/summary3.json"
  json "$WORK/summary3.json" '$.summary.capture.frames'
}
http_get "$PORT" /api/summary > "$WORK/summary3.json"
[[ $(json_type "$WORK/summary3.json" '$.live') == true ]] ||
  fail "the dashboard does not say it is live: $(head -c 300 "$WORK/summary3.json")"
in_peer ping -n -q -c 3 -i 0.2 -W 1 "$CAP_IP" >/dev/null || fail "third ping failed"
seen1=0
for _ in $(seq 40); do
  seen1=$(live_frames)
  [[ $seen1 =~ ^[0-9]+$ ]] && ((seen1 >= 6)) && break
  sleep 0.25
done
((seen1 >= 6)) || fail "the live dashboard shows $seen1 frames after 6 were sent"
in_peer ping -n -q -c 3 -i 0.2 -W 1 "$CAP_IP" >/dev/null || fail "fourth ping failed"
seen2=$seen1
for _ in $(seq 40); do
  seen2=$(live_frames)
  ((seen2 >= seen1 + 6)) && break
  sleep 0.25
done
((seen2 >= seen1 + 6)) || fail "the live dashboard did not move on: $seen1 then $seen2 frames"
http_get "$PORT" "/api/assets?ip=$PEER_IP" > "$WORK/assets3.json"
[[ $(json "$WORK/assets3.json" '$.total') == 1 ]] ||
  fail "the live inventory lacks $PEER_IP: $(head -c 300 "$WORK/assets3.json") $(http_get "$PORT" "/api/assets" | head -c 1500)"
kill -INT "$QW_PID"
wait "$QW_PID"
rc=$?
[[ $rc == 0 ]] || fail "capture --serve exited $rc after SIGINT: $(cat "$OUT3.stderr")"
check_outputs_complete "$OUT3"
echo "serve run: the live dashboard showed $seen1 then $seen2 frames; exit 0"
echo PASSED
