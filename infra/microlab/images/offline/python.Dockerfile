# The offline python base: the debootstrap root filesystem with /opt/venv (the shop's
# dependencies) plus the metadata `docker import` cannot set. The lab's code is added by
# service.Dockerfile on top, so a code change rebuilds in seconds.
ARG BASE
FROM ${BASE}
ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 PYTHONUNBUFFERED=1
STOPSIGNAL SIGTERM
CMD ["python3"]
