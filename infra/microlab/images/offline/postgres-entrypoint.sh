#!/bin/sh
# PostgreSQL for the offline image set, with the official image's first-start semantics:
# the first start creates POSTGRES_USER (a superuser, default "postgres") with
# POSTGRES_PASSWORD (required) and POSTGRES_DB (default: the user's name, owned by that
# user); the server listens on all addresses with password (scram-sha-256) auth from
# the network.
#
# Speed on 2 cores: initdb ran at image build time, right into $PGDATA, so a new
# container starts from a ready cluster in its own writable layer (nothing to copy) and
# only adds the user and the database, in single-user mode (no temporary server: nothing
# listens until the real start, so pg_isready is honest). An empty $PGDATA (a volume
# mounted over it) gets initdb here, as in the official image.
set -eu
PGBIN=/usr/lib/postgresql/15/bin
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
MARK="$PGDATA/microlab-initialised"
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"

sql_literal() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }
sql_ident() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA" && chmod 0700 "$PGDATA"
  "$PGBIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 --auth-local=trust \
    --auth-host=scram-sha-256 --no-sync --wal-segsize=1 >/dev/null
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
fi

if [ ! -f "$MARK" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "postgres-entrypoint: POSTGRES_PASSWORD is required (as in the official image)" >&2
    exit 1
  fi
  user=$(sql_ident "$POSTGRES_USER")
  password=$(sql_literal "$POSTGRES_PASSWORD")
  {
    # -j: a statement ends at ";" followed by an empty line. The cluster's bootstrap
    # superuser "postgres" is the single-user session itself and cannot be renamed, so
    # POSTGRES_USER is a second superuser; "postgres" keeps no password and so cannot
    # log in over the network (only POSTGRES_USER's credentials open the database).
    if [ "$POSTGRES_USER" = postgres ]; then
      printf 'ALTER ROLE postgres PASSWORD %s;\n\n' "$password"
    else
      printf 'CREATE ROLE %s SUPERUSER LOGIN PASSWORD %s;\n\n' "$user" "$password"
    fi
    if [ "$POSTGRES_DB" != postgres ]; then
      printf 'CREATE DATABASE %s OWNER %s STRATEGY FILE_COPY;\n\n' "$(sql_ident "$POSTGRES_DB")" "$user"
    fi
  } | "$PGBIN/postgres" --single -j -c fsync=off -D "$PGDATA" postgres >/tmp/postgres-init.log 2>&1
  if grep -q ERROR /tmp/postgres-init.log; then
    cat /tmp/postgres-init.log >&2
    exit 1
  fi
  date -u >"$MARK"
  echo "postgres-entrypoint: initialised $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
fi

exec "$PGBIN/postgres" -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp "$@"
