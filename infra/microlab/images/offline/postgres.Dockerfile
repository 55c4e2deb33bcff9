# The offline PostgreSQL image: the debootstrap root filesystem (imported, so it has no
# metadata) plus what `docker import` cannot set (user, stop signal, entrypoint) and a
# cluster made by initdb once, here, in $PGDATA (see postgres-entrypoint.sh). No VOLUME:
# a lab's data lives in its container, which `lab.up()` restarts rather than replaces.
ARG BASE
FROM ${BASE}
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PGDATA=/var/lib/postgresql/data LANG=C.UTF-8
RUN chmod 0755 /usr/local/bin/postgres-entrypoint && mkdir -p /var/lib/postgresql \
    && chown -R postgres:postgres /var/lib/postgresql \
    && su postgres -s /bin/sh -c "initdb -D /var/lib/postgresql/data -U postgres -E UTF8 --locale=C.UTF-8 \
       --auth-local=trust --auth-host=scram-sha-256 --no-sync --wal-segsize=1" >/dev/null \
    && echo "host all all all scram-sha-256" >>/var/lib/postgresql/data/pg_hba.conf
USER postgres
EXPOSE 5432
# SIGINT = PostgreSQL's "fast" shutdown, as in the official image
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]
