#!/usr/bin/env bash
# Prints the path of a Python that has the MLflow client (`mlflow-skinny` from PyPI), installing it
# into a virtualenv under .sluice/ the first time (pinned, so a run of `npm test` is reproducible).
# test/api/mlflow.test.ts drives the Sluice server's MLflow API with it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/python-venv.sh"
ensure_venv mlflow-venv "run the MLflow client tests" "mlflow-skinny==3.17.2"
echo "$VENV_PY"
