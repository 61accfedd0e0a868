#!/usr/bin/env bash
# Installs the Debian packages the tests use, when missing: Chromium (end-to-end tests, the
# webview benchmark), the AWS CLI (interoperability tests), jq 1.6 (the engine the local Firehose
# runs for dynamic partitioning's inline parsing, JQ-1.6) and the Kerberos headers that
# code-server's native module builds against. Needs root (or installs nothing and says so).
set -euo pipefail
need=()
for p in chromium awscli jq libkrb5-dev; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "[setup-system] missing Debian packages: ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
  exit 0
fi
echo "[setup-system] apt-get install ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq "${need[@]}" >/dev/null
