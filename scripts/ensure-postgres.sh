#!/usr/bin/env bash
# Makes a PostgreSQL server available for the tests and prints its URL as the last stdout line;
# everything else goes to stderr.
#
#   $SLUICE_TEST_DATABASE_URL set  → print it, nothing else.
#   else                          → a private cluster of this checkout: data in .sluice/pg-test,
#                                   127.0.0.1:55432 only ($SLUICE_TEST_PG_PORT), trust auth, initdb
#                                   once, started once and reused (the second call takes milliseconds).
# Server binaries: Debian's /usr/lib/postgresql/<v>/bin; installed with apt-get when missing and
# running as root. Exit codes: 0 ok, 3 no server and no way to install one (callers skip their
# PostgreSQL tests with the message), anything else a real failure.
set -euo pipefail

if [[ -n "${SLUICE_TEST_DATABASE_URL:-}" ]]; then
  echo "$SLUICE_TEST_DATABASE_URL"
  exit 0
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# SLUICE_TEST_PG_PORT: another port, e.g. for a second checkout on the same machine.
port="${SLUICE_TEST_PG_PORT:-55432}"
url="postgres://postgres@127.0.0.1:$port/postgres"
pgdata="$root/.sluice/pg-test"

log() { echo "ensure-postgres: $*" >&2; }

find_bindir() {
  # Highest installed major version wins.
  local initdb
  initdb="$(ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)"
  [[ -n "$initdb" ]] && dirname "$initdb"
}

bindir="$(find_bindir || true)"
if [[ -z "$bindir" ]]; then
  if [[ "$(id -u)" -ne 0 ]]; then
    log "the PostgreSQL server is not installed (no /usr/lib/postgresql/*/bin/initdb) and this user cannot install it."
    log "Install it (sudo apt-get install postgresql), or set SLUICE_TEST_DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DB to use an existing server."
    exit 3
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "the PostgreSQL server is not installed and there is no apt-get to install it; set SLUICE_TEST_DATABASE_URL to an existing server."
    exit 3
  fi
  log "installing the PostgreSQL server with apt-get (once)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends postgresql >&2
  bindir="$(find_bindir || true)"
  if [[ -z "$bindir" ]]; then
    log "apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb appeared."
    exit 3
  fi
fi

# initdb and postgres refuse to run as root: as root the cluster belongs to the postgres user.
if [[ "$(id -u)" -eq 0 ]]; then
  if ! id postgres >/dev/null 2>&1; then
    log "running as root but there is no 'postgres' user to own the test cluster; create it (useradd --system postgres) or set SLUICE_TEST_DATABASE_URL."
    exit 3
  fi
  as_owner() {
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su postgres -s /bin/sh -c '"$0" "$@"' -- "$@"
    fi
  }
else
  as_owner() { "$@"; }
fi

ready() { "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -t 2 >/dev/null 2>&1; }

# Fast path: already running.
if ready; then
  echo "$url"
  exit 0
fi

mkdir -p "$root/.sluice"
# Serialise concurrent callers (parallel test files): one initdb, one start. The server must not
# inherit this descriptor (it would hold the lock for its whole life), hence the 9>&- below.
exec 9>"$root/.sluice/pg-test.lock"
if ! flock -w 900 9; then
  log "waited 15 minutes for another ensure-postgres.sh (lock $root/.sluice/pg-test.lock); giving up."
  exit 1
fi
if ready; then
  echo "$url"
  exit 0
fi

if [[ ! -s "$pgdata/PG_VERSION" ]]; then
  log "creating the test cluster in $pgdata (once)..."
  rm -rf "$pgdata"
  mkdir -p "$pgdata"
  if [[ "$(id -u)" -eq 0 ]]; then chown postgres:postgres "$pgdata"; fi
  chmod 700 "$pgdata"
  if ! as_owner test -w "$pgdata"; then
    log "the postgres user cannot write $pgdata (a parent directory is not accessible to it); set SLUICE_TEST_DATABASE_URL instead."
    exit 3
  fi
  as_owner "$bindir/initdb" -D "$pgdata" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2
  # Unix socket inside the data dir, unless the path would pass the kernel's 107-byte limit;
  # the tests connect over TCP anyway.
  socket_dir="$pgdata"
  if (( ${#pgdata} > 90 )); then socket_dir=""; fi
  # A throwaway test cluster: durability settings off for speed.
  as_owner tee -a "$pgdata/postgresql.conf" >/dev/null <<EOF

# --- Sluice test cluster (scripts/ensure-postgres.sh) ---
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$socket_dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
fi

# A postmaster.pid left by a container or machine restart can name a PID that now belongs to some
# other process, and postgres then refuses to start: remove it when no postgres owns that PID.
if [[ -f "$pgdata/postmaster.pid" ]]; then
  pid="$(head -n 1 "$pgdata/postmaster.pid" 2>/dev/null || true)"
  if [[ -z "$pid" ]] || [[ "$(ps -o comm= -p "$pid" 2>/dev/null || true)" != postgres* ]]; then
    log "removing a stale postmaster.pid (PID ${pid:-?} is not a running postgres)"
    # The socket lock names the same dead PID and would stop the start just the same.
    rm -f "$pgdata/postmaster.pid" "$pgdata"/.s.PGSQL.*.lock
  fi
fi

log "starting the test cluster on 127.0.0.1:$port (log: $pgdata/server.log)..."
if ! as_owner "$bindir/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 60 start >&2 9>&-; then
  log "pg_ctl could not start the server; the end of its log:"
  tail -n 20 "$pgdata/server.log" >&2 || true
  exit 1
fi
for _ in $(seq 1 50); do
  if ready; then
    echo "$url"
    exit 0
  fi
  sleep 0.2
done
log "the server started but does not answer on 127.0.0.1:$port; see $pgdata/server.log"
exit 1
