#!/usr/bin/env bash
# Builds the editor (editor/dist) when it is missing or older than its sources, the DSL or the API contract it uses.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
stamp="editor/dist/index.html"
if [[ ! -f "$stamp" ]] || [[ -n "$(find editor/src editor/index.html editor/vite.config.ts dsl engine/contract package-lock.json -newer "$stamp" -type f -print -quit)" ]]; then
  echo "Building the editor (vite)..." >&2
  npx vite build --config editor/vite.config.ts --logLevel warn >&2
fi
