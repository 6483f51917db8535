#!/usr/bin/env bash
# Installs every Debian package quaywatch needs to build, test and benchmark (Debian 12).
# Runs apt-get only when something is missing; as root, or through sudo.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang clang-format libclang-rt-14-dev
  # libraries
  libpcap-dev nlohmann-json3-dev libcli11-dev libfmt-dev libsqlite3-dev zlib1g-dev libssl-dev
  libyaml-cpp-dev libgraphviz-dev libcpp-httplib-dev
  # integrity: Ed25519 signatures, the file gate (YARA, archives, content types), drive reads
  libsodium-dev libyara-dev libarchive-dev libmagic-dev libmodbus-dev
  # run-time data: IEEE MAC vendor registries
  ieee-data
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev sqlite3 tshark iproute2 iputils-ping
  time openssl
  # the report's and dashboard's page tests and the demo's screenshots: headless Chromium
  chromium fonts-dejavu-core fonts-liberation
)
# Node.js and npm fetch the front-end libraries of web/package.json. A machine that already
# has them (Debian's, or NodeSource's, which bundles npm) keeps its own.
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
install_packages() {
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "install-deps: missing packages (${missing[*]}) and not root, no sudo" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; the answer does not matter to us.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
else
  install_packages
fi

# The front-end libraries, at the versions web/package-lock.json pins; again only when the
# lock file changed since the last install.
cd "$(dirname "$0")/../web"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install-deps: npm ci in web/"
  npm ci --no-audit --no-fund --loglevel=error
else
  echo "install-deps: web/node_modules up to date"
fi
