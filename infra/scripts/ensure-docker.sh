#!/usr/bin/env bash
# Make a Docker engine answer, if one can be had; never fail the caller.
#
#   ensure-docker.sh [MICROLAB_CLI]
#
# CI runs as root on a fresh Debian machine with no engine: install Debian's docker.io
# and start dockerd ourselves (no systemd there). --iptables=false is what works on these
# machines: containers get no route outside, which the lab does not need (everything is
# 127.0.0.1 and the lab's own bridge network).
# With the path of the `microlab` command, also build or load every image the labs need
# (`microlab images build`: ~90 s the first time on a machine, ~6 s from the cache), so
# no test pays for it inside its timeout.
# When no engine can be had we say so loudly and exit 0: the docker-marked tests then
# skip and print the reason in the pytest summary.
set -u

LOG=${MICROLAB_DOCKERD_LOG:-/tmp/microlab-dockerd.log}
WAIT_S=${MICROLAB_DOCKERD_WAIT:-60}
CLI=${1:-}

say() { echo "ensure-docker: $*" >&2; }
loud() {
  echo "==========================================================================" >&2
  echo "ensure-docker: NO DOCKER ENGINE: $*" >&2
  echo "ensure-docker: the docker-marked tests will be skipped" >&2
  echo "==========================================================================" >&2
  exit 0
}
engine_answers() { docker info >/dev/null 2>&1; }
can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
apt_install() {  # apt_install PACKAGE...: an `apt-get update` only when the lists are stale
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "$@" >>"$LOG" 2>&1 && return 0
  apt-get update -q >>"$LOG" 2>&1
  apt-get install -y -q --no-install-recommends "$@" >>"$LOG" 2>&1
}

images() {
  [ -n "$CLI" ] || exit 0
  if can_apt; then  # debootstrap builds the offline images; docker-compose checks `microlab compose`
    for tool in debootstrap docker-compose; do
      command -v "$tool" >/dev/null 2>&1 || apt_install "$tool" || say "could not install $tool (see $LOG)"
    done
  fi
  say "building or loading the lab's images: $CLI images build"
  "$CLI" images build || say "WARNING: the image build failed; the docker tests will show why"
  exit 0
}

if engine_answers; then
  say "engine already answers"
  images
fi

[ "$(id -u)" = 0 ] || loud "docker info fails and we are not root (cannot install or start dockerd)"

if ! command -v dockerd >/dev/null 2>&1; then
  can_apt || loud "no dockerd and no apt-get to install docker.io"
  say "installing Debian's docker.io"
  apt_install docker.io || loud "apt-get install docker.io failed (see $LOG)"
fi
command -v docker >/dev/null 2>&1 || loud "dockerd installed but no docker client on PATH"

say "starting dockerd --iptables=false (log: $LOG)"
# setsid: the daemon must outlive this script and the make target that ran it.
setsid nohup dockerd --iptables=false >>"$LOG" 2>&1 </dev/null &
echo $! > /tmp/microlab-dockerd.pid

for _ in $(seq 1 "$WAIT_S"); do
  if engine_answers; then
    say "engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
    images
  fi
  sleep 1
done
tail -n 20 "$LOG" >&2
loud "dockerd started but 'docker info' did not answer within ${WAIT_S}s (see $LOG)"
