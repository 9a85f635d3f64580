#!/usr/bin/env bash
# Prints the path of a Python that can run the `notebook` component: papermill (executes a
# parameterised notebook), nbconvert (renders it as HTML) and ipykernel (the kernel, this same
# Python), installed from PyPI into a virtualenv under .sluice/ the first time (pinned, so a run of
# `npm test` is reproducible). scripts/test.sh exports it as SLUICE_NOTEBOOK_PYTHON.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/python-venv.sh"
ensure_venv notebook-venv "run Jupyter notebooks as tasks (the notebook component)" "papermill==2.7.0" "nbconvert==7.17.2" "ipykernel==7.4.0"
echo "$VENV_PY"
