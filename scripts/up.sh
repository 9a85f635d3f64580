#!/usr/bin/env bash
# `npm run up`: installs what is missing, starts the embedded stack (Temporal dev server, PGlite,
# local artifact store, a CPU worker) and runs the iris example pipeline on it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure-deps.sh
bash scripts/ensure-temporal.sh >/dev/null
exec node bin/sluice.js run examples/iris.ts "$@"
