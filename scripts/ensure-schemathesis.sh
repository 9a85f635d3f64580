#!/usr/bin/env bash
# Prints the path of Schemathesis's `st` command, installing it from PyPI into a virtualenv under
# .sluice/ the first time (pinned, so a run of `npm test` is reproducible).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="4.32.5"
venv="$root/.sluice/schemathesis-venv"
st="$venv/bin/st"
if [[ -x "$st" ]] && "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '$version')" 2>/dev/null; then
  echo "$st"; exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 is missing: install it (apt-get install python3 python3-venv) to run the Schemathesis API tests" >&2
  exit 2
fi
echo "Installing Schemathesis $version into $venv (once)..." >&2
mkdir -p "$root/.sluice"
python3 -m venv "$venv" >&2
"$venv/bin/python" -m pip install -q --disable-pip-version-check "schemathesis==$version" >&2
echo "$st"
