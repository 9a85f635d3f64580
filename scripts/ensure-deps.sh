#!/usr/bin/env bash
# Installs the npm packages when they are missing or older than package-lock.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
stamp="node_modules/.package-lock.json"
if [[ ! -f "$stamp" || package-lock.json -nt "$stamp" ]]; then
  echo "Installing npm packages..." >&2
  # `npm install`, not `npm ci`: this registry's lock files omit other platforms' optional
  # packages (swc, unrs), which `npm ci` treats as an out-of-sync lock. Versions still come from
  # package-lock.json.
  npm install --no-audit --no-fund >&2
fi
