#!/usr/bin/env bash
# Build one Debian root filesystem for the offline image set and write it as a tar.
#
#   rootfs.sh python   OUT.tar REQUIREMENTS.txt   python3 + /opt/venv with the shop's deps
#   rootfs.sh postgres OUT.tar                    PostgreSQL 15, no cluster (the entrypoint makes one)
#   rootfs.sh java     OUT.tar                    openjdk-17-jre-headless (Kafka's jars are added later)
#
# No container registry exists here, so the images start from debootstrap instead of a
# pull. Needs root, debootstrap and the Debian mirror (apt works on these machines).
set -euo pipefail

ROLE=$1
OUT=$2
REQS=${3:-}
SUITE=${MICROLAB_DEBIAN_SUITE:-bookworm}
MIRROR=${MICROLAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/microlab-rootfs-$ROLE.XXXXXX")
ROOT=$WORK/root
cleanup() { umount "$ROOT/proc" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# A clean environment inside the chroot: the host's PIP_*/SSL_* settings name paths the
# chroot lacks (e.g. PIP_FIND_LINKS=/opt/wheels) and would break pip there.
in_root() {
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
    chroot "$ROOT" "$@"
}

case $ROLE in
  python)   INCLUDE=python3,python3-venv,libpq5 ;;
  postgres) INCLUDE=ca-certificates ;;
  java)     INCLUDE=ca-certificates ;;
  *) echo "rootfs.sh: unknown role $ROLE (python|postgres|java)" >&2; exit 2 ;;
esac

debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
  tail -n 30 "$WORK/debootstrap.log" >&2; exit 1; }

cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"  # never start services in the chroot
chmod +x "$ROOT/usr/sbin/policy-rc.d"

case $ROLE in
  python)
    # The host CA bundle: pip must trust whatever sits between this machine and PyPI.
    mkdir -p "$ROOT/etc/ssl/certs"
    cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/ca-certificates.crt"
    cp "$REQS" "$ROOT/tmp/requirements.txt"
    in_root python3 -m venv /opt/venv
    in_root env PIP_CERT=/etc/ssl/certs/ca-certificates.crt PIP_DISABLE_PIP_VERSION_CHECK=1 \
      PIP_NO_CACHE_DIR=1 /opt/venv/bin/pip install -q -r /tmp/requirements.txt
    # compiled once here: without .pyc every container start recompiles fastapi,
    # pydantic and sqlalchemy, seconds of CPU per service on 2 cores
    in_root /opt/venv/bin/python -m compileall -q -j 0 /opt/venv /usr/lib/python3.11 >/dev/null || true
    ;;
  postgres)
    # No default cluster: the image's entrypoint runs initdb on first start, like the
    # official image, with POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB.
    mkdir -p "$ROOT/etc/postgresql-common"
    echo "create_main_cluster = false" >"$ROOT/etc/postgresql-common/createcluster.conf"
    in_root apt-get install -y -q --no-install-recommends postgresql-15 >"$WORK/apt.log" 2>&1 || {
      tail -n 30 "$WORK/apt.log" >&2; exit 1; }
    ;;
  java)
    mkdir -p "$ROOT/usr/share/man/man1"  # openjdk's postinst wants it in minbase
    mount -t proc proc "$ROOT/proc"  # ... and runs java, which needs /proc
    in_root apt-get install -y -q --no-install-recommends openjdk-17-jre-headless >"$WORK/apt.log" 2>&1 || {
      tail -n 30 "$WORK/apt.log" >&2; exit 1; }
    umount "$ROOT/proc"
    ;;
esac

in_root apt-get clean
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/tmp/* "$ROOT/usr/sbin/policy-rc.d" \
  "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/locale/*
: >"$ROOT/etc/resolv.conf"  # docker provides its own at run time
tar --numeric-owner -C "$ROOT" -cf "$OUT" .
