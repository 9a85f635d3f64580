#!/usr/bin/env bash
# Prints the path of a Python that has the MLflow client (`mlflow-skinny` from PyPI), installing it
# into a virtualenv under .sluice/ the first time (pinned, so a run of `npm test` is reproducible).
# test/api/mlflow.test.ts drives the Sluice server's MLflow API with it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="3.17.2"
venv="$root/.sluice/mlflow-venv"
py="$venv/bin/python"
if [[ -x "$py" ]] && "$py" -c "import importlib.metadata as m, sys; sys.exit(m.version('mlflow-skinny') != '$version')" 2>/dev/null; then
  echo "$py"; exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 is missing: install it (apt-get install python3 python3-venv) to run the MLflow client tests" >&2
  exit 2
fi
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
  echo "python3 has no venv/ensurepip module: install python3-venv to run the MLflow client tests" >&2
  exit 2
fi
echo "Installing mlflow-skinny $version into $venv (once)..." >&2
mkdir -p "$root/.sluice"
python3 -m venv "$venv" >&2
"$py" -m pip install -q --disable-pip-version-check "mlflow-skinny==$version" >&2
echo "$py"
