#!/bin/sh
# PostgreSQL for the offline image set, with the official image's first-start semantics:
# an empty $PGDATA is initialised with POSTGRES_USER (superuser, default "postgres"),
# POSTGRES_PASSWORD (required) and POSTGRES_DB (default: the user's name); the server
# then listens on all addresses with password (scram-sha-256) auth from the network.
set -eu
PGBIN=/usr/lib/postgresql/15/bin
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "postgres-entrypoint: POSTGRES_PASSWORD is required (as in the official image)" >&2
    exit 1
  fi
  mkdir -p "$PGDATA"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  # --no-sync: a lab database is recreated in a second; waiting for the disk is not worth it
  "$PGBIN/initdb" -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    # single-user mode: no temporary server, nothing listens until the real start below
    echo "CREATE DATABASE \"$POSTGRES_DB\";" | "$PGBIN/postgres" --single -j -D "$PGDATA" postgres >/dev/null
  fi
  echo "postgres-entrypoint: initialised $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
fi

exec "$PGBIN/postgres" -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp "$@"
