#!/usr/bin/env bash
# `npm run up`: installs what is missing, builds the editor, then `sluice dev`: the Temporal dev server, PGlite, the
# local artifact store, the workers, the HTTP API and the editor on one port; runs the iris example once and
# prints its outcome, then keeps serving until Ctrl-C. `npm run up -- --once` stops after the run
# (exit status: the run's outcome).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure-deps.sh
bash scripts/ensure-temporal.sh >/dev/null
bash scripts/ensure-editor.sh
exec node bin/sluice.js dev --run examples/iris.ts "$@"
