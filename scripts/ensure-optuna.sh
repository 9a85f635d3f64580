#!/usr/bin/env bash
# Prints the path of a Python that has Optuna (from PyPI), installing it into a virtualenv under
# .sluice/ the first time (pinned, so the figures of `npm run bench:tuning` are reproducible).
# bench/tuning.ts runs Optuna's TPESampler with it as the reference for Sluice's TPE.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="5.0.0"
venv="$root/.sluice/optuna-venv"
py="$venv/bin/python"
if [[ -x "$py" ]] && "$py" -c "import importlib.metadata as m, sys; sys.exit(m.version('optuna') != '$version')" 2>/dev/null; then
  echo "$py"; exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 is missing: install it (apt-get install python3 python3-venv) to run the tuning benchmark" >&2
  exit 2
fi
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
  echo "python3 has no venv/ensurepip module: install python3-venv to run the tuning benchmark" >&2
  exit 2
fi
echo "Installing optuna $version into $venv (once)..." >&2
mkdir -p "$root/.sluice"
python3 -m venv "$venv" >&2
"$py" -m pip install -q --disable-pip-version-check "optuna==$version" >&2
echo "$py"
