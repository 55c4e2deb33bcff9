#!/bin/bash
# Apache Kafka (KRaft, single node) for the offline image set: the same jars and JVM flags
# as the local backend (microlab.broker), no Python in the image. microlab renders
# server.properties (microlab.broker.config) and passes it in $KAFKA_SERVER_PROPERTIES,
# because the host listener's advertised port is only known when the container is made.
set -eu
HOME_DIR=/var/lib/kafka
PROPS=$HOME_DIR/server.properties
LIBS=/opt/kafka/libs
CP=$(ls "$LIBS"/*.jar | sort | tr '\n' ':')
: "${KAFKA_HEAP_OPTS:=-Xmx512m -Xms64m}"
: "${KAFKA_JVM_PERFORMANCE_OPTS:=-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true -Xlog:cds=off -Xlog:cds+dynamic=off}"
SHARE=""
[ -f /opt/kafka/classes.jsa ] && SHARE="-XX:SharedArchiveFile=/opt/kafka/classes.jsa"
java_cmd() {
  # shellcheck disable=SC2086  # the option strings are lists of flags
  exec_or_run=$1; shift; level=$1; shift
  $exec_or_run java $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $SHARE \
    -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties -Dmicrolab.loglevel="$level" \
    -cp "$CP" "$@"
}

if [ -z "${KAFKA_SERVER_PROPERTIES:-}" ]; then
  echo "kafka-entrypoint: KAFKA_SERVER_PROPERTIES is empty (microlab renders it)" >&2
  exit 2
fi
mkdir -p "$HOME_DIR/logs"
printf '%s\n' "$KAFKA_SERVER_PROPERTIES" >"$PROPS"
if [ ! -f "$HOME_DIR/logs/meta.properties" ]; then
  echo "microlab: formatting Kafka storage in $HOME_DIR/logs"
  java_cmd "" WARN kafka.tools.StorageTool format -t "${CLUSTER_ID:-$(cat /proc/sys/kernel/random/uuid | tr -d - | cut -c1-22)}" \
    -c "$PROPS" --ignore-formatted
fi
if [ -n "${MICROLAB_KAFKA_WARMUP:-}" ]; then
  # image build: run the broker until it is up, stop it, keep the classes it loaded
  # (on a copy of the fresh storage: the image keeps it unused, for new volumes)
  cp -a "$HOME_DIR/logs" /tmp/warm-logs
  sed 's#^log.dirs=.*#log.dirs=/tmp/warm-logs#' "$PROPS" >/tmp/warm.properties
  java_cmd exec WARN -XX:ArchiveClassesAtExit="$MICROLAB_KAFKA_WARMUP" kafka.Kafka /tmp/warm.properties &  # exec: $! is the JVM
  pid=$!
  for _ in $(seq 1 120); do
    (exec 3<>/dev/tcp/127.0.0.1/9092) 2>/dev/null && break
    sleep 1
  done
  sleep 3
  kill -TERM "$pid"
  wait "$pid" || true
  rm -rf "$PROPS" /tmp/warm-logs /tmp/warm.properties
  exit 0
fi
echo "microlab: starting Apache Kafka $(cat /opt/kafka/version)"
java_cmd exec INFO kafka.Kafka "$PROPS"
