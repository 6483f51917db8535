#!/usr/bin/env bash
# Compares quaywatch with tshark on captures beyond ../shared/pcaps, the way the integration
# tests compare them on the shared ones.
#
#   scripts/more-captures.sh BUILD_DIR OUT_DIR CAPTURE_DIR...
#
# Lays every capture found under the CAPTURE_DIRs (pcap, pcapng, cap) out as OUT_DIR/pcaps/
# <category>/ by the protocols tshark finds in it (one link per category; captures identical
# to a shared one are left out), then runs tshark_compare_test and ics_compare_test over
# OUT_DIR and prints each count where quaywatch and tshark differ, to be read one by one:
# a difference is a bug in one of the two. The tests' checks that name shared captures
# (explained differences, captures a check expects) fail outside ../shared; that says
# nothing about these captures.
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 BUILD_DIR OUT_DIR CAPTURE_DIR..." >&2
  exit 2
fi
build=$(cd "$1" && pwd)
out=$2
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${QW_SHARED_DIR:-$here/../shared}/pcaps
mkdir -p "$out/pcaps"
out=$(cd "$out" && pwd)

# tshark's protocol names (frame.protocols) that put a capture into each category.
declare -A categories=(
  [modbus]="mbtcp modbus" [s7comm]="s7comm" [enip_cip]="enip cip" [profinet]="pn_dcp pn_rt pn_io"
  [opcua]="opcua" [dnp3]="dnp3" [iec104]="iec60870_104" [bacnet]="bvlc bacnet bacapp"
  [dns]="dns" [dhcp]="dhcp" [smb]="smb smb2" [ftp]="ftp" [tftp]="tftp" [http]="http"
  [tls]="tls" [ssh]="ssh" [rdp]="rdp" [vnc]="vnc" [snmp]="snmp" [lldp_cdp]="lldp cdp"
  [arp]="arp" [vlan]="vlan ieee8021ad"
)

declare -A seen=()
if [[ -d $shared ]]; then
  while IFS= read -r -d '' f; do
    seen[$(sha256sum "$f" | cut -d' ' -f1)]=1
  done < <(find "$shared" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0)
fi

placed=0
while IFS= read -r -d '' f; do
  sum=$(sha256sum "$f" | cut -d' ' -f1)
  [[ -n ${seen[$sum]:-} ]] && continue
  seen[$sum]=1
  protocols=" $(tshark -n -r "$f" -T fields -e frame.protocols 2>/dev/null | tr ':' '\n' |
    sort -u | tr '\n' ' ') "
  [[ $protocols == "  " ]] && continue
  name="${sum:0:8}_$(basename "$f")"
  for category in "${!categories[@]}"; do
    for p in ${categories[$category]}; do
      if [[ $protocols == *" $p "* ]]; then
        mkdir -p "$out/pcaps/$category"
        ln -sf "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$out/pcaps/$category/$name"
        placed=$((placed + 1))
        break
      fi
    done
  done
  # S7comm-plus: tshark 4.0 has no dissector; COTP data starting 0x72, as SOURCES.md counts.
  if [[ $protocols == *" cotp "* ]] &&
    [[ -n $(tshark -n -r "$f" -Y 'cotp.type==0x0f && data.data[0]==0x72' -c 1 2>/dev/null) ]]; then
    mkdir -p "$out/pcaps/s7comm_plus"
    ln -sf "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$out/pcaps/s7comm_plus/$name"
  fi
done < <(find "$@" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0)
echo "more-captures: $placed capture links under $out/pcaps" >&2

for t in tshark_compare_test ics_compare_test; do
  QW_SHARED_DIR=$out QW_TSHARK_CACHE=$out/tshark-cache \
    "$build/tests/integration/$t" >"$out/$t.log" 2>&1 || true
  echo "== $t (log: $out/$t.log)"
  grep -E ': quaywatch -?[0-9]+, tshark -?[0-9]+' "$out/$t.log" | sort -u || true
done
