#!/bin/sh
# PostgreSQL for the offline image set, with the official image's first-start semantics:
# an empty $PGDATA gets POSTGRES_USER (the superuser, default "postgres") with
# POSTGRES_PASSWORD (required) and POSTGRES_DB (default: the user's name, owned by that
# user); the server then listens on all addresses with password (scram-sha-256) auth
# from the network.
#
# Speed: initdb ran at image build time into $TEMPLATE (2+ s of CPU per database on 2
# cores, paid once); first start copies it and adds the user and database in
# single-user mode (no temporary server: nothing listens until the real start, so
# pg_isready is honest).
set -eu
PGBIN=/usr/lib/postgresql/15/bin
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
TEMPLATE=/var/lib/postgresql/template
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"

sql_literal() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }
sql_ident() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "postgres-entrypoint: POSTGRES_PASSWORD is required (as in the official image)" >&2
    exit 1
  fi
  mkdir -p "$PGDATA"
  chmod 0700 "$PGDATA"
  cp -a "$TEMPLATE/." "$PGDATA/"
  user=$(sql_ident "$POSTGRES_USER")
  password=$(sql_literal "$POSTGRES_PASSWORD")
  {
    # -j: a statement ends at ";" followed by an empty line. The template's bootstrap
    # superuser "postgres" is the single-user session itself and cannot be renamed, so
    # POSTGRES_USER is a second superuser; "postgres" keeps no password and so cannot
    # log in over the network (only POSTGRES_USER's credentials open the database).
    if [ "$POSTGRES_USER" = postgres ]; then
      printf 'ALTER ROLE postgres PASSWORD %s;\n\n' "$password"
    else
      printf 'CREATE ROLE %s SUPERUSER LOGIN PASSWORD %s;\n\n' "$user" "$password"
    fi
    if [ "$POSTGRES_DB" != postgres ]; then
      printf 'CREATE DATABASE %s OWNER %s;\n\n' "$(sql_ident "$POSTGRES_DB")" "$user"
    fi
  } | "$PGBIN/postgres" --single -j -D "$PGDATA" postgres >/tmp/postgres-init.log 2>&1
  if grep -q ERROR /tmp/postgres-init.log; then
    cat /tmp/postgres-init.log >&2
    rm -rf "$PGDATA"/*  # the next start tries again instead of running half set up
    exit 1
  fi
  echo "postgres-entrypoint: initialised $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
fi

exec "$PGBIN/postgres" -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp "$@"
