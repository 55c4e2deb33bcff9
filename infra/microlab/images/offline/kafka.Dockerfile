# The offline Kafka image: Debian's Java 17 plus the very jars the local backend runs
# (fetched from Maven Central into microlab's cache by microlab.broker.fetch).
# Two start-up costs are paid here, once, instead of in every lab (2 cores):
# - the storage is formatted (a JVM run of its own); a new volume is filled from it;
# - a warm-up run records a class-data-sharing archive, so the broker's JVM starts faster.
ARG BASE
FROM ${BASE}
COPY libs /opt/kafka/libs
COPY log4j2.properties /opt/kafka/config/log4j2.properties
COPY kafka-entrypoint.sh /usr/local/bin/kafka-entrypoint
COPY version /opt/kafka/version
COPY build.properties /opt/kafka/config/build.properties
RUN chmod 0755 /usr/local/bin/kafka-entrypoint && mkdir -p /var/lib/kafka/logs \
    && KAFKA_SERVER_PROPERTIES="$(cat /opt/kafka/config/build.properties)" CLUSTER_ID=bWljcm9sYWItb2ZmbGluZQ \
       MICROLAB_KAFKA_WARMUP=/opt/kafka/classes.jsa /usr/local/bin/kafka-entrypoint
EXPOSE 9092
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/kafka-entrypoint"]
