# Sourced by scripts/ensure-*.sh: a pinned Python virtualenv under .sluice/, created the first time.
#
#   ensure_venv <name> <what it is for> <requirement>...
#
# Prints nothing; sets VENV (the virtualenv's directory) and VENV_PY (its python). The first
# requirement must be `package==version`: a venv whose package has another version is reinstalled,
# so a run of `npm test` is reproducible. Exits 2, with the reason on stderr, when this machine
# cannot make venvs (python3 or its venv module missing): tests that need it skip then, saying so.
# A pip failure exits 1: the test command installs from PyPI, so a failed install is a failure,
# never a silent skip.
ensure_venv() {
  local name="$1" purpose="$2"
  shift 2
  local root pin package version
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  pin="$1"
  package="${pin%%==*}"
  package="${package%%\[*}"
  version="${pin##*==}"
  VENV="$root/.sluice/$name"
  VENV_PY="$VENV/bin/python"
  if [[ -x "$VENV_PY" ]] && "$VENV_PY" -c "import importlib.metadata as m, sys; sys.exit(m.version('$package') != '$version')" 2>/dev/null; then
    return 0
  fi
  if ! command -v python3 >/dev/null 2>&1; then
    echo "python3 is missing: install it (apt-get install python3 python3-venv) to $purpose" >&2
    exit 2
  fi
  if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
    echo "python3 has no venv/ensurepip module: install python3-venv to $purpose" >&2
    exit 2
  fi
  echo "Installing $* into $VENV (once)..." >&2
  mkdir -p "$root/.sluice"
  python3 -m venv "$VENV" >&2
  if ! "$VENV_PY" -m pip install -q --disable-pip-version-check "$@" >&2; then
    rm -rf "$VENV"
    echo "pip could not install $* (is PyPI reachable from here?): needed to $purpose" >&2
    exit 1
  fi
}
