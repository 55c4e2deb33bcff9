#!/usr/bin/env bash
# Tools the test suite uses besides Python's: kcat, the independent Kafka client that checks
# our topics from outside kafka-python, bubblewrap, the sandbox grading runs student code
# in, and chromium, the browser the JupyterLab tests drive with Playwright (Debian's build:
# Playwright's own browser downloads are not used). Installed from Debian when we are root
# with apt; otherwise say so (the tests that need them then explain what is missing).
set -u
missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} = 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; } \
    || echo "ensure-test-tools: could not install ${missing[*]} from apt" >&2
else
  echo "ensure-test-tools: missing ${missing[*]}; install them (Debian/Ubuntu: apt install ${missing[*]})" >&2
fi
exit 0
