#!/usr/bin/env bash
# Prints the path of a Temporal CLI (which contains the dev server), building it when missing.
# Order: $TEMPORAL_CLI, a `temporal` on PATH, a build of ours, else build it from its Go module (no
# registry ships a server binary; later tags carry a `replace` that `go install` refuses). Ours lives
# in .tools/bin in a checkout of Sluice, and in the per-user cache (${XDG_CACHE_HOME:-~/.cache}/sluice/bin,
# or $SLUICE_USER_CACHE/bin) for an installed package, so a user's repository stays clean.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="v1.5.1"
if [[ -d "$root/.git" || -f "$root/.git" || -f "$root/engine/paths.ts" ]]; then
  tools="$root/.tools"
else
  tools="${SLUICE_USER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice}"
fi

if [[ -n "${TEMPORAL_CLI:-}" ]]; then
  if [[ -x "$TEMPORAL_CLI" ]]; then echo "$TEMPORAL_CLI"; exit 0; fi
  echo "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file; unset it or point it at a temporal binary" >&2
  exit 2
fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
bin="$tools/bin/temporal"
if [[ -x "$bin" ]]; then echo "$bin"; exit 0; fi

if ! command -v go >/dev/null 2>&1; then
  echo "The Temporal CLI is missing and Go is not installed to build it." >&2
  echo "Install Go (https://go.dev/doc/install) and run this again (Sluice builds the CLI once, into $tools/bin)," >&2
  echo "or install the Temporal CLI (https://docs.temporal.io/cli) on PATH, or set TEMPORAL_CLI to a temporal binary." >&2
  exit 2
fi
echo "Building the Temporal CLI $version from its Go module into $tools/bin (once; a few minutes on 2 cores)..." >&2
mkdir -p "$tools/bin"
GOBIN="$tools/bin" GOFLAGS="${GOFLAGS:-} -trimpath" go install "github.com/temporalio/cli/cmd/temporal@$version" >&2
echo "$bin"
