"""The offline Kafka image: the java base plus the broker's own cached jars (the same
directory the local backend runs), built by a thin `docker build` in seconds."""
from __future__ import annotations

from microlab.docker import context, progress

RECIPES = context.IMAGES / "offline"
FILES = ("kafka.Dockerfile", "kafka-entrypoint.sh")


def _libs():
    from microlab.broker import jars

    libs = jars.libs_dir()
    if jars.missing_jars(libs):
        jars.fetch()  # Maven Central, once per machine (the local backend shares the cache)
    return jars, libs


def build_properties() -> str:
    """The properties the image formats its storage with and warms up on: the lab's own
    layout (node 1, controller on localhost:9093, logs in /var/lib/kafka/logs)."""
    from microlab.broker import config
    from microlab.kinds import broker

    return config.render(f"{broker.DATA}/logs", *broker.listeners(9092, "kafka", "9092"))


def offline_kafka_ref(java_ref: str) -> str:
    from microlab.broker import jars

    libs = jars.libs_dir()
    listing = "\n".join(f"{p.name}:{p.stat().st_size}" for p in sorted(libs.glob("*.jar"))) \
        if libs.is_dir() else "missing"
    parts = [java_ref, jars.kafka_version(), listing, jars.LOG4J_CONFIG.read_bytes(), build_properties()]
    parts += [(RECIPES / name).read_bytes() for name in FILES]
    return f"microlab/kafka:offline-{context.digest_of(*parts)}"


def existing(client, java_ref: str, report=print) -> str | None:
    """The Kafka image for today's recipe when the engine or the cache has it."""
    from docker.errors import ImageNotFound

    from microlab.docker import offline

    _libs()
    ref = offline_kafka_ref(java_ref)
    try:
        client.images.get(ref)
        return ref
    except ImageNotFound:
        pass
    return ref if offline.cached(client, "kafka", ref, report) else None  # warm-up costs ~15 s


def ensure_offline_kafka(client, java_ref: str, report=print) -> str:
    from microlab.docker import offline

    found = existing(client, java_ref, report)
    if found:
        return found
    jars, libs = _libs()
    ref = offline_kafka_ref(java_ref)
    report(f"  building {ref} (Kafka {jars.kafka_version()} jars on Java 17)")
    files = {"kafka-entrypoint.sh": (RECIPES / "kafka-entrypoint.sh").read_bytes(),
             "build.properties": build_properties().encode(),
             "log4j2.properties": jars.LOG4J_CONFIG.read_bytes(),
             "version": jars.kafka_version().encode()}
    files.update({f"libs/{p.name}": p.read_bytes() for p in sorted(libs.glob("*.jar"))})
    ctx, _ = context.build_context((RECIPES / "kafka.Dockerfile").read_text(), files=files)
    events = client.api.build(fileobj=ctx, custom_context=True, tag=ref, buildargs={"BASE": java_ref},
                              labels={"microlab.images": "offline"}, rm=True, forcerm=True, decode=True)
    progress.follow_build(events, ref)
    from microlab.docker.images import prune

    prune(client, "microlab/kafka:offline-", keep=ref)
    offline.save(client, "kafka", [ref], report)
    return ref
