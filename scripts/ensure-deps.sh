#!/usr/bin/env bash
# Installs the npm packages when they are missing or older than package-lock.json.
#
# No dependency needs its install script here: package.json's `allowScripts` denies them all (npm
# ≥ 11 skips them; prebuilt binaries come as optional packages). Older npm runs them anyway, so
# ONNXRUNTIME_NODE_INSTALL=skip keeps onnxruntime-node's postinstall from downloading the CUDA
# provider (Dockerfile.gpu asks for it with =cuda12). It is a variable, not an .npmrc key: npm
# warns about unknown .npmrc keys on every command, `npx sluice` included.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
stamp="node_modules/.package-lock.json"
if [[ ! -f "$stamp" || package-lock.json -nt "$stamp" ]]; then
  echo "Installing npm packages (once; a few minutes)..." >&2
  # `npm install`, not `npm ci`: this registry's lock files omit other platforms' optional
  # packages (swc, unrs), which `npm ci` treats as an out-of-sync lock. Versions still come from
  # package-lock.json. Errors still print; progress and notices do not.
  ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL:-skip}" npm install --no-audit --no-fund --no-progress --loglevel=error >&2
fi
