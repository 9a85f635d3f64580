#!/usr/bin/env bash
# Makes Debian's Chromium available for the browser tests (playwright-core drives it) and prints
# its path as the last stdout line; everything else goes to stderr.
#
#   $SLUICE_CHROMIUM set → that executable.
#   else /usr/bin/chromium, installed with apt-get when missing and running as root.
# Exit codes: 0 ok, 3 no browser and no way to install one (the browser tests then fail with
# this message: they are part of the acceptance, so they are not skipped silently).
set -euo pipefail
log() { echo "ensure-chromium: $*" >&2; }

if [[ -n "${SLUICE_CHROMIUM:-}" ]]; then
  echo "$SLUICE_CHROMIUM"
  exit 0
fi
bin=/usr/bin/chromium
if [[ ! -x "$bin" ]]; then
  if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    log "Chromium is not installed ($bin) and this user cannot install it with apt-get."
    log "Install it (sudo apt-get install chromium), or set SLUICE_CHROMIUM=/path/to/chromium."
    exit 3
  fi
  log "installing Chromium with apt-get (once)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends chromium fonts-dejavu-core >&2
fi
echo "$bin"
