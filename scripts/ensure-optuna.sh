#!/usr/bin/env bash
# Prints the path of a Python that has Optuna (from PyPI), installing it into a virtualenv under
# .sluice/ the first time (pinned, so the figures of `npm run bench:tuning` are reproducible).
# bench/tuning.ts runs Optuna's TPESampler with it as the reference for Sluice's TPE.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/python-venv.sh"
ensure_venv optuna-venv "run the tuning benchmark" "optuna==5.0.0"
echo "$VENV_PY"
