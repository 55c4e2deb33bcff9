# The offline Java base (Debian's openjdk-17-jre-headless): Kafka's jars go on top in a
# thin layer, built from the broker's own jar cache.
ARG BASE
FROM ${BASE}
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
STOPSIGNAL SIGTERM
CMD ["java", "-version"]
