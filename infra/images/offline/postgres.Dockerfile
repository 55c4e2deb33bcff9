# The offline PostgreSQL image: the debootstrap root filesystem (imported, so it has no
# metadata) plus what `docker import` cannot set (user, stop signal, entrypoint) and a
# cluster made by initdb once, here, which the entrypoint copies on first start.
ARG BASE
FROM ${BASE}
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint
RUN mkdir -p /var/lib/postgresql/data /var/lib/postgresql/template \
    && chown -R postgres:postgres /var/lib/postgresql && chmod 0700 /var/lib/postgresql/data \
    && chmod 0755 /usr/local/bin/postgres-entrypoint \
    && su postgres -s /bin/sh -c "/usr/lib/postgresql/15/bin/initdb -D /var/lib/postgresql/template \
       -U postgres -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 --no-sync" >/dev/null \
    && echo "host all all all scram-sha-256" >>/var/lib/postgresql/template/pg_hba.conf
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PGDATA=/var/lib/postgresql/data LANG=C.UTF-8
USER postgres
EXPOSE 5432
# SIGINT = PostgreSQL's "fast" shutdown, as in the official image
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]
