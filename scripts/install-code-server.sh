#!/usr/bin/env bash
# Installs code-server (VS Code for the browser) from the npm registry for the real-editor tests in
# test/e2e/. The install is cached OUTSIDE the repository and reused when present:
#   ${OURO_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ouro-e2e}/code-server-VERSION
# Prints the path of the code-server executable on its last line.
#
# Needs (Debian): build-essential pkg-config python3 libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev
# ripgrep — code-server's postinstall builds native modules from source, and @vscode/ripgrep would
# otherwise download `rg` from GitHub. See /work/shared/notes/vscode-e2e.md.
set -euo pipefail

# 4.100.3 (VS Code 1.100.3) is the newest code-server whose engines field accepts Node 20.
VERSION="${OURO_CODE_SERVER_VERSION:-4.100.3}"
CACHE="${OURO_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ouro-e2e}"
DIR="$CACHE/code-server-$VERSION"
BIN="$DIR/node_modules/.bin/code-server"

if [ -x "$BIN" ] && [ -f "$DIR/.installed" ]; then
  echo "code-server $VERSION: cached in $DIR" >&2
  echo "$BIN"
  exit 0
fi

for tool in node npm rg make g++ python3 pkg-config; do
  if ! command -v "$tool" >/dev/null; then
    echo "install-code-server: '$tool' is missing; install the Debian packages:" >&2
    echo "  apt-get install -y build-essential pkg-config python3 libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep" >&2
    exit 1
  fi
done

echo "code-server $VERSION: installing into $DIR (about 300 MB, 1-2 minutes)" >&2
start=$(date +%s)
rm -rf "$DIR"
mkdir -p "$DIR"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# @vscode/ripgrep (1.15.11 in code-server 4.100.3) downloads rg from GitHub in its postinstall unless the
# archive is already in its cache under $TMPDIR: seed it with the system's rg.
case "$(uname -m)" in
  x86_64) rg_target=x86_64-unknown-linux-musl ;;
  aarch64) rg_target=aarch64-unknown-linux-musl ;;
  *) rg_target="" ;;
esac
if [ -n "$rg_target" ]; then
  mkdir -p "$work/vscode-ripgrep-cache-1.15.11"
  tar czf "$work/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-$rg_target.tar.gz" \
    -C "$(dirname "$(command -v rg)")" rg
fi

# Native modules build against the system's Node headers when present (no header download).
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi

echo '{ "name": "ouro-e2e-code-server", "private": true }' >"$DIR/package.json"
log="$DIR/install.log"
# Root needs unsafe-perm for the postinstall scripts; node-pty's postinstall runs `npx node-gyp`.
if ! (cd "$DIR" && TMPDIR="$work" npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --no-audit --no-fund --no-package-lock --foreground-scripts "code-server@$VERSION") >"$log" 2>&1; then
  tail -n 60 "$log" >&2
  echo "install-code-server: npm install failed; full log in $log" >&2
  exit 1
fi
if [ ! -x "$BIN" ]; then
  echo "install-code-server: $BIN is missing after the install; log in $log" >&2
  exit 1
fi
touch "$DIR/.installed"
echo "code-server $VERSION: installed in $(($(date +%s) - start)) s" >&2
echo "$BIN"
