#!/usr/bin/env bash
# Builds llama-server from the llama.cpp source that ships inside node-llama-cpp (gitRelease.bundle),
# so no network is needed. The binary is cached under .cache/llama-server/, keyed on the node-llama-cpp
# version: a second run with the same version does nothing.
#
# Portable build (GGML_NATIVE=OFF) so a cached binary also runs on another CPU of the same architecture.
# LLAMA_CUDA=1 builds the CUDA version instead (needs the CUDA toolkit) into .cache/llama-server-cuda/.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ENGINE_DIR="$ROOT/.cache/engine"
CUDA="${LLAMA_CUDA:-0}"
if [ "$CUDA" = 1 ]; then OUT_DIR="$ROOT/.cache/llama-server-cuda"; FLAVOUR=" cuda"; else OUT_DIR="$ROOT/.cache/llama-server"; FLAVOUR=""; fi
BIN="$OUT_DIR/llama-server"
STAMP="$OUT_DIR/version"
JOBS="${LLAMA_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"

log() { echo "[build-llama-server] $*"; }
die() { echo "[build-llama-server] error: $*" >&2; exit 1; }

missing=()
for tool in cmake ninja g++ git; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  die "missing build tools: ${missing[*]}. On Debian/Ubuntu: apt-get install -y cmake ninja-build g++ git"
fi

PKG="$ENGINE_DIR/node_modules/node-llama-cpp"
if [ ! -f "$PKG/llama/gitRelease.bundle" ]; then
  log "installing node-llama-cpp into .cache/engine"
  (cd "$ROOT" && node --import tsx scripts/install-engine.ts)
fi
[ -f "$PKG/llama/gitRelease.bundle" ] || die "no llama.cpp source bundle at $PKG/llama/gitRelease.bundle"

VERSION="$(node -p "require('$PKG/package.json').version")"
KEY="node-llama-cpp@$VERSION portable $(uname -m)$FLAVOUR"
if [ -x "$BIN" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$KEY" ]; then
  log "cached: $BIN ($KEY)"
  exit 0
fi

WORK="$OUT_DIR-build"
SRC="$WORK/llama.cpp"
mkdir -p "$WORK" "$OUT_DIR"

if [ ! -d "$SRC/.git" ]; then
  log "cloning the bundled llama.cpp source"
  rm -rf "$SRC"
  git clone --quiet "$PKG/llama/gitRelease.bundle" "$SRC"
fi

log "configuring (cmake, Release, portable)"
# LLAMA_USE_PREBUILT_UI=OFF: its default downloads the web UI and fails offline.
cmake -S "$SRC" -B "$SRC/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF \
  -DGGML_NATIVE=OFF -DBUILD_SHARED_LIBS=OFF -DGGML_CUDA="$([ "$CUDA" = 1 ] && echo ON || echo OFF)" >"$WORK/configure.log" 2>&1 \
  || { tail -40 "$WORK/configure.log" >&2; die "cmake configure failed (log: $WORK/configure.log)"; }

log "building llama-server with $JOBS jobs (about 12 minutes on 2 cores)"
start=$(date +%s)
cmake --build "$SRC/build" --target llama-server -j "$JOBS" 2>&1 | while IFS= read -r line; do
  # Ninja prints "[n/m] …": show every 25th step so progress is visible without flooding the log.
  if [[ "$line" =~ ^\[([0-9]+)/([0-9]+)\] ]]; then
    n="${BASH_REMATCH[1]}"; m="${BASH_REMATCH[2]}"
    if (( n % 25 == 0 || n == m )); then log "step $n/$m"; fi
  elif [[ "$line" == *error* || "$line" == *FAILED* ]]; then
    echo "$line" >&2
  fi
done
[ "${PIPESTATUS[0]}" -eq 0 ] || die "build failed"
[ -x "$SRC/build/bin/llama-server" ] || die "build finished without $SRC/build/bin/llama-server"

cp "$SRC/build/bin/llama-server" "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
echo "$KEY" >"$STAMP"
log "done in $(( $(date +%s) - start )) s: $BIN ($(stat -c %s "$BIN") bytes)"
"$BIN" --version 2>&1 | head -2 || true
