#!/usr/bin/env bash
# The production topology's Temporal: the real server (go.temporal.io/server, its `temporal-server`
# command) on PostgreSQL, for benchmarks and durability checks against more than the dev server.
#
#   bash scripts/temporal-server.sh start   → prints its address (127.0.0.1:$SLUICE_TEMPORAL_PORT, 17233)
#   bash scripts/temporal-server.sh stop    → SIGTERM, waits for the exit
#   bash scripts/temporal-server.sh kill    → SIGKILL (a crash, for durability checks), waits for the exit
#
# SLUICE_TEMPORAL_PG_CONNS caps each of its services' PostgreSQL pools (the module's default, 20:
# two servers' pools and the tests' can exhaust a cluster's 100 connections).
# Another SLUICE_TEMPORAL_PORT is another server beside the first: its other ports move with it
# (each the module's default + (port - 7233)), and it has its own state directory
# (.sluice/temporal-server-<port>) and databases (sluice_temporal_<port>, …_visibility_<port>).
#
# start builds the server and its `temporal-sql-tool` from the Go module proxy into .tools/bin once
# (about 4 min of CPU on 2 cores; not part of `npm test`), takes PostgreSQL from
# scripts/ensure-postgres.sh, creates the databases sluice_temporal and sluice_temporal_visibility
# and sets up or updates their schema with the sql tool, writes a config from the module's own
# development-postgres12.yaml (ports moved, the compose file's dynamic config), starts the server
# in the background (log: .sluice/temporal-server/server.log) and registers the namespace `default`.
# Then: TEMPORAL_ADDRESS=<address> npm run bench:overhead (or any sluice command).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="v1.29.1" # the server the Temporal CLI v1.5.1 embeds (scripts/ensure-temporal.sh)
port="${SLUICE_TEMPORAL_PORT:-17233}"
[[ "$port" =~ ^[0-9]+$ ]] && (( port >= 7233 && port <= 55000 )) || { echo "temporal-server: SLUICE_TEMPORAL_PORT must be a port in 7233..55000, got $port" >&2; exit 2; }
off=$((port - 7233))
conns="${SLUICE_TEMPORAL_PG_CONNS:-20}"
[[ "$conns" =~ ^[1-9][0-9]*$ ]] || { echo "temporal-server: SLUICE_TEMPORAL_PG_CONNS must be a positive number, got $conns" >&2; exit 2; }
if [[ "$port" == 17233 ]]; then
  dir="$root/.sluice/temporal-server"
  dbname="sluice_temporal"
  visname="sluice_temporal_visibility"
else
  dir="$root/.sluice/temporal-server-$port"
  dbname="sluice_temporal_$port"
  visname="sluice_temporal_visibility_$port"
fi
bin="$root/.tools/bin"
log() { echo "temporal-server: $*" >&2; }

stop() {
  local signal="${1:-TERM}"
  if [[ -f "$dir/server.pid" ]] && kill -0 "$(cat "$dir/server.pid")" 2>/dev/null; then
    local pid
    pid="$(cat "$dir/server.pid")"
    kill "-$signal" "$pid"
    # Gone before we return: a start right after must find the ports free.
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; sleep 0.5; fi
    log "stopped (SIG$signal)"
  fi
  rm -f "$dir/server.pid"
}

case "${1:-}" in
  stop) stop TERM; exit 0 ;;
  kill) stop KILL; exit 0 ;;
  start) ;;
  *) echo "usage: bash scripts/temporal-server.sh start|stop|kill" >&2; exit 2 ;;
esac

if [[ -f "$dir/server.pid" ]] && kill -0 "$(cat "$dir/server.pid")" 2>/dev/null; then
  echo "127.0.0.1:$port"
  exit 0
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  log "port $port is taken by another process: set SLUICE_TEMPORAL_PORT"
  exit 1
fi
if ! command -v go >/dev/null 2>&1; then
  log "Go is needed to build the Temporal server from its module (https://go.dev/doc/install)"
  exit 2
fi
mkdir -p "$bin" "$dir/config/dynamicconfig"
if [[ ! -x "$bin/temporal-server" || ! -x "$bin/temporal-sql-tool" ]]; then
  log "building go.temporal.io/server $version (server and sql tool) into .tools/bin, once…"
  tmp="$(mktemp -d)"
  GOBIN="$tmp" GOFLAGS="${GOFLAGS:-} -trimpath" go install "go.temporal.io/server/cmd/server@$version" "go.temporal.io/server/cmd/tools/sql@$version" >&2
  mv "$tmp/server" "$bin/temporal-server"
  mv "$tmp/sql" "$bin/temporal-sql-tool"
  rmdir "$tmp"
fi
module="$(go env GOMODCACHE)/go.temporal.io/server@$version"
[[ -d "$module/schema" ]] || go mod download "go.temporal.io/server@$version" >&2

url="$(bash "$root/scripts/ensure-postgres.sh" | tail -n 1)"
# postgres://user[:password]@host:port/db
rest="${url#postgres://}"
creds="${rest%%@*}"
hostport="${rest#*@}"
hostport="${hostport%%/*}"
pguser="${creds%%:*}"
pgpass=""
[[ "$creds" == *:* ]] && pgpass="${creds#*:}"
pghost="${hostport%%:*}"
pgport="${hostport##*:}"

sqltool=("$bin/temporal-sql-tool" --plugin postgres12 --ep "$pghost" -p "$pgport" -u "$pguser")
[[ -n "$pgpass" ]] && sqltool+=(--pw "$pgpass")
for kind in temporal visibility; do
  db="$dbname"
  [[ "$kind" == visibility ]] && db="$visname"
  # Every start (about a second): creating an existing database fails harmlessly, and the schema
  # steps are no-ops on a current schema. A marker file would lie once PostgreSQL is another cluster.
  {
    "${sqltool[@]}" --db "$db" create-database || true
    "${sqltool[@]}" --db "$db" setup-schema -v 0.0
    "${sqltool[@]}" --db "$db" update-schema -d "$module/schema/postgresql/v12/$kind/versioned"
  } > "$dir/schema-$kind.log" 2>&1 || { log "setting up $db failed: see $dir/schema-$kind.log"; exit 1; }
done

# The module's own PostgreSQL config, moved to ports of its own (default + $off: 17233… for the
# first server) and to these databases.
sed -e "s/127.0.0.1:5432/$pghost:$pgport/" \
  -e "s/user: \"temporal\"/user: \"$pguser\"/" \
  -e "s/password: \"temporal\"/password: \"$pgpass\"/" \
  -e "s/databaseName: \"temporal\"/databaseName: \"$dbname\"/" \
  -e "s/maxConns: 20/maxConns: $conns/; s/maxIdleConns: 20/maxIdleConns: $conns/" \
  -e "s/databaseName: \"temporal_visibility\"/databaseName: \"$visname\"/" \
  -e "s/grpcPort: 7233/grpcPort: $port/" \
  -e "s/localhost:7233/localhost:$port/" \
  -e "s/grpcPort: 7234/grpcPort: $((7234 + off))/; s/grpcPort: 7235/grpcPort: $((7235 + off))/; s/grpcPort: 7239/grpcPort: $((7239 + off))/" \
  -e "s/membershipPort: 6933/membershipPort: $((6933 + off))/; s/membershipPort: 6934/membershipPort: $((6934 + off))/" \
  -e "s/membershipPort: 6935/membershipPort: $((6935 + off))/; s/membershipPort: 6939/membershipPort: $((6939 + off))/" \
  -e "s/httpPort: 7243/httpPort: $((7243 + off))/; s/port: 7936/port: $((7936 + off))/" \
  -e "s/listenAddress: \"127.0.0.1:8000\"/listenAddress: \"127.0.0.1:$((9090 + off))\"/" \
  "$module/config/development-postgres12.yaml" > "$dir/config/development.yaml"
# The compose file's dynamic config: the same settings as the deployed server.
cp "$root/deploy/temporal/dynamicconfig/sluice.yaml" "$dir/config/dynamicconfig/development-sql.yaml"

log "starting on 127.0.0.1:$port (log: ${dir#"$root/"}/server.log)"
# A simple command in the background, so $! is the server itself (nohup execs it) and stop can kill it.
cd "$dir"
nohup "$bin/temporal-server" --root "$dir" --config config --env development --allow-no-auth start > "$dir/server.log" 2>&1 &
echo $! > "$dir/server.pid"
cd "$root"
temporal="$(bash "$root/scripts/ensure-temporal.sh")"
for _ in $(seq 1 120); do
  if "$temporal" operator namespace describe --namespace default --address "127.0.0.1:$port" >/dev/null 2>&1; then
    echo "127.0.0.1:$port"
    exit 0
  fi
  "$temporal" operator namespace create --namespace default --address "127.0.0.1:$port" >/dev/null 2>&1 || true
  sleep 1
done
log "the server did not come up in 120 s; see $dir/server.log"
stop
exit 1
