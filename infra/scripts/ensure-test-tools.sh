#!/usr/bin/env bash
# Tools the test suite uses besides Python's: kcat, the independent Kafka client that checks
# our topics from outside kafka-python. Installed from Debian when we are root with apt;
# otherwise say so (the kcat test then explains what is missing).
set -u
command -v kcat >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends kcat >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends kcat >/dev/null 2>&1; } \
    || echo "ensure-test-tools: could not install kcat from apt" >&2
else
  echo "ensure-test-tools: kcat is missing; install it (Debian/Ubuntu: apt install kcat)" >&2
fi
exit 0
