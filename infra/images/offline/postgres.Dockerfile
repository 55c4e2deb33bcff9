# The offline PostgreSQL image: the debootstrap root filesystem (imported, so it has no
# metadata) plus what `docker import` cannot set: user, stop signal, entrypoint.
ARG BASE
FROM ${BASE}
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint
RUN mkdir -p /var/lib/postgresql/data && chown -R postgres:postgres /var/lib/postgresql \
    && chmod 0700 /var/lib/postgresql/data && chmod 0755 /usr/local/bin/postgres-entrypoint
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PGDATA=/var/lib/postgresql/data LANG=C.UTF-8
USER postgres
EXPOSE 5432
# SIGINT = PostgreSQL's "fast" shutdown, as in the official image
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]
