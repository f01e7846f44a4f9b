#!/usr/bin/env bash
# Finds or starts a local PostgreSQL, installing it with apt when missing (as root), then creates
# the role and databases Co-construisons needs. Safe to run again: it keeps existing data.
set -euo pipefail

DB_USER=${COCO_DB_USER:-coconstruisons}
DB_PASSWORD=${COCO_DB_PASSWORD:-coconstruisons}
DATABASES=${COCO_DATABASES:-"coconstruisons coconstruisons_test"}

say() { echo "[postgres] $*"; }

if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL is not installed. Install it, e.g.: sudo apt-get install -y postgresql (version 15 or newer), then run this again." >&2
    exit 1
  fi
  say "installing PostgreSQL with apt…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi

read -r VERSION CLUSTER PORT STATUS _ < <(pg_lsclusters -h | head -n 1)
if [ "$STATUS" != "online" ]; then
  say "starting cluster $VERSION/$CLUSTER on port $PORT"
  if [ "$(id -u)" -eq 0 ]; then pg_ctlcluster "$VERSION" "$CLUSTER" start; else pg_ctlcluster "$VERSION" "$CLUSTER" start || {
    echo "Could not start PostgreSQL $VERSION/$CLUSTER; start it (sudo pg_ctlcluster $VERSION $CLUSTER start) and run this again." >&2; exit 1; }; fi
fi

for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$PORT" || { echo "PostgreSQL did not become ready on port $PORT." >&2; exit 1; }

psql_admin() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -c "psql -p $PORT -v ON_ERROR_STOP=1 -qAt $*"; else sudo -u postgres psql -p "$PORT" -v ON_ERROR_STOP=1 -qAt "$@"; fi
}

if [ "$(psql_admin "-c \"select 1 from pg_roles where rolname='$DB_USER'\"")" != "1" ]; then
  say "creating role $DB_USER"
  psql_admin "-c \"create role $DB_USER login createdb password '$DB_PASSWORD'\""
fi
for db in $DATABASES; do
  if [ "$(psql_admin "-c \"select 1 from pg_database where datname='$db'\"")" != "1" ]; then
    say "creating database $db"
    psql_admin "-c \"create database $db owner $DB_USER encoding 'UTF8' template template0\""
  fi
done
say "ready on 127.0.0.1:$PORT (databases: $DATABASES)"
