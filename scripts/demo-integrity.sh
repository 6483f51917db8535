#!/usr/bin/env bash
# The integrity half of `make demo`: a key pair, a signed baseline of the example backups and
# its verification, the backup catalog check, and the transfer gate admitting one file and
# refusing two, with its audit log verified. Everything is written under DIR/integrity/.
#
#   scripts/demo-integrity.sh QUAYWATCH DIR
set -euo pipefail
QW=$1
OUT=$2/integrity
ROOT=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$OUT"
mkdir -p "$OUT/incoming"
cd "$OUT"

step() { printf '\n$ quaywatch %s\n' "$*"; }
# Runs quaywatch; exit codes 0 and 1 are results (1: something changed, falls short or was
# refused), anything else is a failure of the demo.
run() {
  step "$@"
  local rc=0
  "$QW" "$@" || rc=$?
  [[ $rc -le 1 ]] || { echo "demo-integrity: exit code $rc" >&2; exit 1; }
}

run keygen -o site
cp -r "$ROOT/examples/backup/files" sts-03
run integrity baseline --asset sts-03 sts-03 --key site.key -o sts-03.manifest.json
run integrity verify sts-03.manifest.json --pubkey site.pub
sed -i 's/switchport access vlan 120/switchport access vlan 110/' sts-03/sts03-sw1-running-config.cfg
echo "(the camera port moved onto the control VLAN)"
run integrity verify sts-03.manifest.json --pubkey site.pub --json verify.json

run backup check "$ROOT/examples/backup/catalog.yaml" --now 2026-11-26 --json backup-check.json

printf 'S7-1500 firmware V3.1.2 (stand-in)\n' > incoming/s7-1500-fw-v3.1.2.upd
printf 'vendor diagnostics tool (not approved)\n' > incoming/diag-tool.txt
cp /bin/true incoming/firmware-update.bin
run transfer allow incoming/s7-1500-fw-v3.1.2.upd incoming/firmware-update.bin --key site.key \
  -o approved.json --note "CHG-2026-114, vendor advisory SSA-000000"
cat > gate.yaml <<'YAML'
trusted_key: site.pub
allow_lists: [approved.json]
audit_log: transfer-audit.jsonl
destinations:
  crane-control: {types: [firmware, document, text, data]}
  crane-management: {types: [executable, script, archive, firmware, document, text, data]}
YAML
run transfer check incoming/s7-1500-fw-v3.1.2.upd incoming/diag-tool.txt \
  incoming/firmware-update.bin --gate gate.yaml --destination crane-control --operator demo
run transfer audit verify transfer-audit.jsonl
run transfer audit anchor transfer-audit.jsonl --key site.key -o audit-anchor.json
run transfer audit verify transfer-audit.jsonl --anchor audit-anchor.json --pubkey site.pub

# Program blocks seen on the wire: the demo capture's planted OB1 download, exported, made the
# known-good baseline, and compared on a second pass (no mismatch: the same block).
if [[ -f ../terminal.pcap ]]; then
  run analyze ../terminal.pcap --export-blocks blocks --out blocks-run --no-report
  run integrity baseline --asset crane-1-plc blocks --key site.key -o blocks.manifest.json
  run analyze ../terminal.pcap --integrity blocks.manifest.json --pubkey site.pub --out check-run \
    --no-report
  printf '\ncheck-run/summary.json:\n'
  sed -n '/"integrity": {/,/}/p' check-run/summary.json
fi
