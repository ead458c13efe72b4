#!/usr/bin/env bash
# WebRtc.Client build entry point. Verbs: run | test | bench | codecs | pack | build
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
CONFIG=Release
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Debian packages the tests need, as "command:package" pairs.
TEST_APT_DEPS=(
  "turnserver:coturn"
  "python3:python3"
  "ip:iproute2"
  "nft:nftables"
  "unshare:util-linux"
  "gst-launch-1.0:gstreamer1.0-tools"
  "ffmpeg:ffmpeg"
  "ffprobe:ffmpeg"
  "gcc:gcc"
  "chromium:chromium"          # the reference peer of the interop tests (driven by playwright-core)
  "firefox-esr:firefox-esr"    # the second browser of the interop tests (driven by puppeteer-core over WebDriver BiDi)
  "node:nodejs"                # runs playwright-core, puppeteer-core and werift
  "npm:npm"
)

# The interop tests' node packages (playwright-core, puppeteer-core, werift) live in this folder of the repository.
INTEROP_NODE_DIR=tests/WebRtc.Client.InteropTests/node
NODE_MIN_MAJOR=20              # playwright-core 1.65 needs node 20 (puppeteer-core 24 needs 18); werift runs on it

# Libraries and plugins are not commands: these Debian packages are checked with `dpkg -s`.
TEST_APT_PACKAGES=(
  libavcodec59                # FFmpeg codec adapter (P/Invoke)
  libavutil57
  libavcodec-dev              # headers for the AVFrame/AVPacket offset check
  libvpx-dev                  # headers for the libvpx configuration offset check
  gstreamer1.0-plugins-base   # opusenc, opusdec
  gstreamer1.0-plugins-good   # rtpvp8pay/depay, rtpvp9pay/depay, rtph264pay/depay, rtpopuspay/depay, vp8enc/dec, vp9enc/dec, udpsrc/udpsink
  gstreamer1.0-plugins-ugly   # x264enc
  gstreamer1.0-libav          # avdec_h264
)

# The demo (`run`) needs only FFmpeg's libraries for its video (Opus is managed code); it runs
# audio and data without them and says what is missing.
RUN_APT_PACKAGES=(libavcodec59 libavutil57)

have() { command -v "$1" >/dev/null 2>&1; }

install_run_deps() {
  have dpkg || return 0
  local missing=() pkg
  for pkg in "${RUN_APT_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && have apt-get; then
    echo "==> installing Debian packages for the demo's video: ${missing[*]}"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
      apt-get update -qq || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || echo "warning: could not install ${missing[*]}; the demo runs without video" >&2
    fi
  else
    echo "The demo's video needs FFmpeg's libraries: sudo apt-get install -y ${missing[*]} (it runs without video until then)"
  fi
}

install_apt_deps() {
  local missing=() pair
  for pair in "$@"; do
    have "${pair%%:*}" || missing+=("${pair#*:}")
  done
  if have dpkg; then
    for pair in "${TEST_APT_PACKAGES[@]}"; do
      dpkg -s "$pair" >/dev/null 2>&1 || missing+=("$pair")
    done
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && have apt-get; then
    echo "==> installing Debian packages: ${missing[*]}"
    # Only refresh the package lists when a package cannot be found in them.
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
  else
    echo "Missing test dependencies: ${missing[*]}"
    echo "Install them with: sudo apt-get install -y ${missing[*]}"
    [ "${CI:-}" = "true" ] && exit 1
  fi
}

# npm ci into the repository folder, again only when package-lock.json changed since the last install.
install_node_packages() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt "$NODE_MIN_MAJOR" ]; then
    echo "The interop tests need node >= $NODE_MIN_MAJOR; this machine has $(node --version 2>/dev/null || echo none)." >&2
    echo "Debian 12 ships node 18: install a newer nodejs (e.g. from NodeSource) and run again." >&2
    [ "${CI:-}" = "true" ] && exit 1
    return 0
  fi
  local stamp="$INTEROP_NODE_DIR/node_modules/.installed-package-lock.json"
  if ! cmp -s "$INTEROP_NODE_DIR/package-lock.json" "$stamp"; then
    echo "==> installing node packages into $INTEROP_NODE_DIR"
    (cd "$INTEROP_NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$INTEROP_NODE_DIR/package-lock.json" "$stamp"
  fi
}

build() {
  dotnet restore WebRtc.Client.sln --verbosity quiet
  dotnet build WebRtc.Client.sln -c "$CONFIG" --no-restore --verbosity quiet -nologo -clp:ErrorsOnly
}

# Runs the command inside a fresh network namespace that has only `lo` up, so no
# test can reach the machine's own interfaces or beyond (DESIGN.md, Tests).
in_test_netns() {
  if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
    unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
  else
    echo "warning: cannot create a network namespace (needs root); running tests on the host network" >&2
    [ "${CI:-}" = "true" ] && { echo "CI requires the test network namespace" >&2; exit 1; }
    "$@"
  fi
}

# Names every failed test with the head of its message, read from the TRX files, so a
# CI log that shows only the summary still says what broke.
print_failures() {
  python3 - "$1"/*.trx <<'PY' || true
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for path in sys.argv[1:]:
    for r in ET.parse(path).getroot().iterfind(".//t:UnitTestResult", ns):
        if r.get("outcome") not in ("Failed", "Error"):
            continue
        msg = r.findtext(".//t:ErrorInfo/t:Message", "", ns).strip()
        print(f"FAILED {r.get('testName')}: " + msg[:1500].replace("\n", "\n    "))
PY
}

run_tests() {
  install_apt_deps "${TEST_APT_DEPS[@]}"
  install_node_packages
  build
  local results="$ROOT/.test-results"
  rm -rf "$results"; mkdir -p "$results"
  local rc=0 proj
  for proj in tests/*/*.csproj; do
    local name; name=$(basename "$proj" .csproj)
    echo "==> $name"
    in_test_netns dotnet test "$proj" -c "$CONFIG" --no-build --nologo \
      --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
      --verbosity quiet "$@" || rc=1
  done
  # One summary line over every test project, read from the TRX counters.
  local passed=0 failed=0 skipped=0 trx counters
  for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
    t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
    x=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
    skipped=$((skipped + ${t:-0} - ${x:-0}))
  done
  [ "$passed" -eq 0 ] && rc=1
  [ "$failed" -ne 0 ] && { rc=1; print_failures "$results"; }
  echo "$passed passed, $failed failed, $skipped skipped"
  return $rc
}

case "${1:-}" in
  build) build ;;
  run)
    install_run_deps
    build
    dotnet run --project samples/Loopback -c "$CONFIG" --no-build -- "${@:2}"
    ;;
  test) run_tests "${@:2}" ;;
  bench)
    shift
    [ "${1:-}" = "--" ] && shift
    # With no arguments run every benchmark with a short job instead of BenchmarkDotNet's prompt.
    [ $# -eq 0 ] && set -- --filter '*' --job short
    dotnet run --project benchmarks/WebRtc.Client.Benchmarks -c "$CONFIG" -- "$@"
    ;;
  codecs)
    # Encodes 5 s of the test pattern and a sine to files ffprobe reads (see samples/CodecDemo).
    build
    dotnet run --project samples/CodecDemo -c "$CONFIG" --no-build -- "${@:2}"
    ;;
  pack)
    dotnet restore WebRtc.Client.sln --verbosity quiet
    for proj in src/*/*.csproj; do
      dotnet pack "$proj" -c "$CONFIG" -o "$ROOT/artifacts" --nologo --verbosity quiet
    done
    ls -1 artifacts/*.nupkg
    ;;
  *)
    echo "usage: ./build.sh run|test|bench|codecs|pack|build [args]" >&2
    exit 2
    ;;
esac
