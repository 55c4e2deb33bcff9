"""Which images a lab runs, and making sure they are on the engine.

Two sets. "official" (users with internet): the service image built by the SDK from
infra/images/Dockerfile (FROM python:3.11-slim), postgres:16-alpine, apache/kafka and
kong, pulled with progress. "offline": made here without a registry (see `offline`).
MICROLAB_IMAGES=official|offline|auto (default auto: official, falling back to offline
when a pull fails, as it does on machines without a registry).

Roles: "service" (every shop app; the embedded gateway too in the offline set),
"postgres", "kafka", "gateway".
"""
from __future__ import annotations

from dataclasses import dataclass

from docker.errors import APIError

from microlab.errors import LabError
from microlab.docker import context, offline, progress
from microlab.settings import settings

OFFICIAL = {
    "python": "python:3.11-slim",
    "postgres": "postgres:16-alpine",
    "kafka": "apache/kafka:{kafka_version}",  # the release the local backend runs
    "gateway": "kong:3.9",
}


def official(role: str) -> str:
    ref = OFFICIAL[role]
    if "{kafka_version}" in ref:
        from microlab.broker.jars import kafka_version

        ref = ref.format(kafka_version=kafka_version())
    return ref


@dataclass(frozen=True)
class ImageChoice:
    set: str  # "official" | "offline"
    refs: dict[str, str]  # role -> image reference on the engine


_fell_back = False  # auto mode remembers a failed pull for the rest of the process


def requested_set() -> str:
    return settings().images


def ensure(client, roles: set[str], report=print) -> ImageChoice:
    global _fell_back
    wanted = requested_set()
    if wanted == "auto" and not _fell_back and _only_offline_present(client, roles):
        _fell_back = True  # this engine has been set up offline: do not wait on a pull
    if wanted == "official" or (wanted == "auto" and not _fell_back):
        try:
            return ImageChoice("official", _official(client, roles, report))
        except (progress.PullFailed, progress.BuildFailed) as exc:
            if wanted == "official":
                raise LabError(f"{exc}\nWithout a registry, use the offline image set: "
                               "MICROLAB_IMAGES=offline") from None
            report(f"  {str(exc).splitlines()[0]}\n  -> using the offline image set instead")
            _fell_back = True
    return ImageChoice("offline", _offline(client, roles, report))


def _only_offline_present(client, roles: set[str]) -> bool:
    official_refs = [official(r) for r in roles if r in OFFICIAL] + ([official("python")] if "service" in roles else [])
    if any(offline.present(client, ref) for ref in official_refs):
        return False
    bases = ["python"] if roles & {"service", "gateway"} else []
    bases += ["postgres"] if "postgres" in roles else []
    return bool(bases) and all(offline.present(client, offline.tag(b)) for b in bases)


# -- official ------------------------------------------------------------------------
def _official(client, roles: set[str], report) -> dict[str, str]:
    refs = {}
    for role in sorted(roles - {"service"}):
        refs[role] = official(role)
        _pull_if_missing(client, refs[role], report)
    if "service" in roles:
        _pull_if_missing(client, official("python"), report)
        refs["service"] = _code_image(client, "official", report)
    return refs


def _pull_if_missing(client, ref: str, report) -> None:
    if offline.present(client, ref):
        return
    report(f"  pulling {ref}")
    repo, _, tag = ref.partition(":")
    try:
        progress.follow_pull(client.api.pull(repo, tag=tag or "latest", stream=True, decode=True), ref)
    except APIError as exc:
        raise progress.PullFailed(f"pulling {ref} failed: {exc.explanation or exc}") from None
    if not offline.present(client, ref):
        raise progress.PullFailed(f"pulling {ref} failed: the engine does not have it afterwards")


# -- offline -------------------------------------------------------------------------
def _offline(client, roles: set[str], report) -> dict[str, str]:
    from microlab.docker import kafka_image

    refs = {}
    bases = {"python"} if roles & {"service", "gateway"} else set()
    bases |= {"postgres"} & roles
    if "kafka" in roles:  # the Kafka image holds its java base: only a rebuild needs it apart
        existing = kafka_image.existing(client, offline.tag("java"), report)
        if existing:
            refs["kafka"] = existing
        else:
            bases.add("java")
    base_refs = offline.ensure(client, sorted(bases), report)
    if "postgres" in roles:
        refs["postgres"] = base_refs["postgres"]
    if roles & {"service", "gateway"}:
        refs["service"] = _code_image(client, "offline", report)
        if "gateway" in roles:
            refs["gateway"] = refs["service"]  # the embedded gateway, run as a python module
    if "kafka" in roles and "kafka" not in refs:
        refs["kafka"] = kafka_image.ensure_offline_kafka(client, base_refs["java"], report)
    return refs


# -- the code layer ------------------------------------------------------------------
def _code_recipe(image_set: str):
    """(dockerfile, extra files, build args) of the service image of a set."""
    if image_set == "official":
        reqs = ("\n".join(context.requirements()) + "\n").encode()
        return (context.IMAGES / "Dockerfile").read_text(), {"requirements.txt": reqs}, {}
    dockerfile = (context.IMAGES / "offline" / "service.Dockerfile").read_text()
    return dockerfile, {}, {"BASE": offline.tag("python")}


def _code_ref(image_set: str, ctx_digest: str, buildargs: dict) -> str:
    return f"microlab/service:{image_set}-{context.digest_of(ctx_digest, *sorted(buildargs.values()))}"


def planned_refs(roles: set[str], image_set: str) -> dict[str, str]:
    """The references `ensure` would use, without building or pulling anything."""
    if image_set == "official":
        refs = {r: official(r) for r in roles if r in OFFICIAL and r != "python"}
    else:
        refs = {"postgres": offline.tag("postgres")} if "postgres" in roles else {}
        if "kafka" in roles:
            from microlab.docker.kafka_image import offline_kafka_ref

            refs["kafka"] = offline_kafka_ref(offline.tag("java"))
    if roles & {"service", "gateway"}:
        dockerfile, files, buildargs = _code_recipe(image_set)
        _, digest = context.build_context(dockerfile, with_code=True, files=files)
        refs["service"] = _code_ref(image_set, digest, buildargs)
        if "gateway" in roles and image_set == "offline":
            refs["gateway"] = refs["service"]
    return refs


def _code_image(client, image_set: str, report) -> str:
    """Build the service image for the current code unless an identical one exists."""
    dockerfile, files, buildargs = _code_recipe(image_set)
    ctx, digest = context.build_context(dockerfile, with_code=True, files=files)
    ref = _code_ref(image_set, digest, buildargs)
    if offline.present(client, ref):
        return ref
    report(f"  building {ref} (the shop's current code)")
    events = client.api.build(fileobj=ctx, custom_context=True, tag=ref, buildargs=buildargs,
                              labels={"microlab.images": image_set}, rm=True, forcerm=True,
                              decode=True)
    progress.follow_build(events, ref)
    prune(client, f"microlab/service:{image_set}-", keep=ref)
    return ref


def prune(client, prefix: str, keep: str) -> None:
    """Every code or recipe change makes a new tag; drop old ones no container uses."""
    for image in client.images.list(prefix.split(":")[0]):
        for ref in image.tags:
            if ref != keep and ref.startswith(prefix):
                try:
                    client.images.remove(ref)
                except APIError:
                    pass  # still used by a running lab
