#!/usr/bin/env bash
# Prints the path of a Temporal CLI (which contains the dev server), building it when missing.
# Order: $TEMPORAL_CLI, a `temporal` on PATH, .tools/bin/temporal, else build it from its Go
# module (no registry ships a server binary; later tags carry a `replace` that `go install` refuses).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="v1.5.1"

if [[ -n "${TEMPORAL_CLI:-}" ]]; then
  if [[ -x "$TEMPORAL_CLI" ]]; then echo "$TEMPORAL_CLI"; exit 0; fi
  echo "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file; unset it or point it at a temporal binary" >&2
  exit 2
fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
bin="$root/.tools/bin/temporal"
if [[ -x "$bin" ]]; then echo "$bin"; exit 0; fi

if ! command -v go >/dev/null 2>&1; then
  echo "The Temporal CLI is missing and Go is not installed to build it." >&2
  echo "Install Go (https://go.dev/doc/install), or set TEMPORAL_CLI to an existing temporal binary." >&2
  exit 2
fi
echo "Building the Temporal CLI $version from its Go module into .tools/bin (once; a few minutes on 2 cores)..." >&2
mkdir -p "$root/.tools/bin"
GOBIN="$root/.tools/bin" GOFLAGS="${GOFLAGS:-} -trimpath" go install "github.com/temporalio/cli/cmd/temporal@$version" >&2
echo "$bin"
