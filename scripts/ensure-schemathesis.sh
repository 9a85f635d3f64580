#!/usr/bin/env bash
# Prints the path of Schemathesis's `st` command, installing it from PyPI into a virtualenv under
# .sluice/ the first time (pinned, so a run of `npm test` is reproducible).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/python-venv.sh"
ensure_venv schemathesis-venv "run the Schemathesis API tests" "schemathesis==4.32.5"
echo "$VENV/bin/st"
