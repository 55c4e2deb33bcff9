#!/usr/bin/env bash
# Make a Docker engine answer, if one can be had; never fail the caller.
#
# CI runs as root on a fresh Debian machine with no engine: install Debian's
# docker.io and start dockerd ourselves (no systemd there).  --iptables=false is
# what works on these machines: containers get no route outside, which the lab
# does not need (everything is 127.0.0.1 and the lab's own bridge network).
# When no engine can be had we say so loudly and exit 0: the docker-marked tests
# then skip and print the reason in the pytest summary.
set -u

LOG=${MICROLAB_DOCKERD_LOG:-/tmp/microlab-dockerd.log}
WAIT_S=${MICROLAB_DOCKERD_WAIT:-60}

say() { echo "ensure-docker: $*" >&2; }
loud() {
  echo "==========================================================================" >&2
  echo "ensure-docker: NO DOCKER ENGINE: $*" >&2
  echo "ensure-docker: the docker-marked tests will be skipped" >&2
  echo "==========================================================================" >&2
  exit 0
}

engine_answers() { docker info >/dev/null 2>&1; }

if engine_answers; then
  say "engine already answers"
  exit 0
fi

[ "$(id -u)" = 0 ] || loud "docker info fails and we are not root (cannot install or start dockerd)"

if ! command -v dockerd >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || loud "no dockerd and no apt-get to install docker.io"
  say "installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q docker.io >>"$LOG" 2>&1; then
    apt-get update -q >>"$LOG" 2>&1
    apt-get install -y -q docker.io >>"$LOG" 2>&1 || loud "apt-get install docker.io failed (see $LOG)"
  fi
fi
command -v docker >/dev/null 2>&1 || loud "dockerd installed but no docker client on PATH"

say "starting dockerd --iptables=false (log: $LOG)"
# setsid: the daemon must outlive this script and the make target that ran it.
setsid nohup dockerd --iptables=false >>"$LOG" 2>&1 </dev/null &
echo $! > /tmp/microlab-dockerd.pid

for _ in $(seq 1 "$WAIT_S"); do
  if engine_answers; then
    say "engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
    exit 0
  fi
  sleep 1
done
tail -n 20 "$LOG" >&2
loud "dockerd started but 'docker info' did not answer within ${WAIT_S}s (see $LOG)"
