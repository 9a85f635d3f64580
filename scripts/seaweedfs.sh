#!/usr/bin/env bash
# A real S3 server for the artifact store's contract suite (issue 17): SeaweedFS (Apache-2.0), whose
# S3 gateway checks SigV4 signatures, `If-None-Match: *` conditional writes and `x-amz-checksum-*`
# headers, none of which s3rver (the in-process server of `npm test`) checks. MinIO is not used: it
# is AGPL-3.0, and the Go module proxy refuses its release versions here.
#
#   bash scripts/seaweedfs.sh start   → prints its S3 endpoint (http://127.0.0.1:$SLUICE_S3_PORT, 18333)
#   bash scripts/seaweedfs.sh stop
#   SLUICE_S3_CONTRACT=seaweedfs npx vitest run engine/stores/artifacts/S3ArtifactStore.seaweedfs.test.ts
#
# start builds `weed` from the Go module proxy into .tools/bin once. `go install mod@version` refuses
# this module (its go.mod has a replace directive), so the module's source is downloaded with
# `go mod download`, copied out of the read-only module cache and built there as the main module
# (about 1,700 packages: tens of minutes of CPU on 2 cores; not part of `npm test`). Then it starts
# `weed server -s3` (master, volume, filer and S3 gateway in one process) on loopback ports of its
# own, data in .sluice/seaweedfs, with one identity whose keys are below (a test server's, not a
# secret) and prints the endpoint once the gateway answers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The version the Go module proxy serves (it lists no tagged release of this module path).
version="v0.0.0-20261109003541-7506e5f91cd6"
port="${SLUICE_S3_PORT:-18333}"
dir="$root/.sluice/seaweedfs"
bin="$root/.tools/bin"
log() { echo "seaweedfs: $*" >&2; }
ACCESS_KEY="sluice-test"
SECRET_KEY="sluice-test-secret"

stop() {
  if [[ -f "$dir/weed.pid" ]] && kill -0 "$(cat "$dir/weed.pid")" 2>/dev/null; then
    local pid
    pid="$(cat "$dir/weed.pid")"
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    log "stopped"
  fi
  rm -f "$dir/weed.pid"
}

case "${1:-}" in
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "usage: bash scripts/seaweedfs.sh start|stop" >&2; exit 2 ;;
esac

if [[ -f "$dir/weed.pid" ]] && kill -0 "$(cat "$dir/weed.pid")" 2>/dev/null; then
  echo "http://127.0.0.1:$port"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  log "Go is needed to build SeaweedFS from its module (https://go.dev/doc/install)"
  exit 2
fi
mkdir -p "$bin" "$dir/data"
if [[ ! -x "$bin/weed" ]]; then
  log "building github.com/seaweedfs/seaweedfs $version (weed) into .tools/bin, once…"
  src="$(go mod download -json "github.com/seaweedfs/seaweedfs@$version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$src" ]] || { log "go mod download gave no source directory for github.com/seaweedfs/seaweedfs@$version"; exit 1; }
  tmp="$(mktemp -d)"
  cp -r "$src" "$tmp/src"
  chmod -R u+w "$tmp/src"
  (cd "$tmp/src" && GOFLAGS="${GOFLAGS:-} -trimpath -buildvcs=false" go build -o "$tmp/weed" ./weed) >&2
  mv "$tmp/weed" "$bin/weed"
  rm -rf "$tmp"
fi

for p in "$port" $((port + 1)) $((port + 2)) $((port + 3)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    log "port $p is taken by another process: set SLUICE_S3_PORT (it uses that port and the next three, and each + 10000 for gRPC)"
    exit 1
  fi
done
cat > "$dir/s3.json" <<EOF
{
  "identities": [
    { "name": "sluice", "credentials": [{ "accessKey": "$ACCESS_KEY", "secretKey": "$SECRET_KEY" }], "actions": ["Admin", "Read", "List", "Tagging", "Write"] }
  ]
}
EOF
log "starting the S3 gateway on 127.0.0.1:$port (log: .sluice/seaweedfs/weed.log)"
cd "$dir"
# Loopback only; the Iceberg and Lance endpoints off; small volumes (each bucket gets volumes of its
# own), as many as the disk holds.
nohup "$bin/weed" server -ip 127.0.0.1 -ip.bind 127.0.0.1 -dir "$dir/data" \
  -master.port $((port + 1)) -volume.port $((port + 2)) -filer -filer.port $((port + 3)) \
  -s3 -s3.port "$port" -s3.config "$dir/s3.json" -s3.port.iceberg 0 -s3.port.lance 0 \
  -master.volumeSizeLimitMB 64 -volume.max 0 > "$dir/weed.log" 2>&1 &
echo $! > "$dir/weed.pid"
cd "$root"
for _ in $(seq 1 120); do
  # Any HTTP answer from the gateway (403 without a signature) means it is up.
  if code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" 2>/dev/null)" && [[ "$code" != 000 ]]; then
    echo "http://127.0.0.1:$port"
    exit 0
  fi
  kill -0 "$(cat "$dir/weed.pid")" 2>/dev/null || { log "weed exited; see $dir/weed.log"; rm -f "$dir/weed.pid"; exit 1; }
  sleep 1
done
log "the S3 gateway did not come up in 120 s; see $dir/weed.log"
stop
exit 1
