"""Docker checks for `microlab doctor`: rows of (what, ok, detail), detail saying what to do.

The engine itself (not running, permission denied on the socket) is checked by
microlab.engine.docker_problem; these rows add what a student meets next: no registry
for pulls, missing offline images, and host ports held by other programs.
"""
from __future__ import annotations

from microlab.engine import docker_problem
from microlab.settings import SettingsError


def checks() -> list[tuple[str, bool, str]]:
    if docker_problem() is not None:
        return []  # the engine row already says what to do
    from microlab.docker import engine, images, offline

    client = engine.client()
    try:
        wanted = images.requested_set()
    except SettingsError as exc:  # the row says which value is wrong; the registry row needs it
        return [("docker images", False, str(exc)), _published_ports(client)]
    return [_image_set(client, wanted, offline), _registry(client, wanted, images),
            _published_ports(client)]


def _image_set(client, wanted: str, offline) -> tuple[str, bool, str]:
    have = [r for r in offline.BASES if offline.present(client, offline.tag(r))]
    cached = sorted(p.name for p in offline.cache_dir().glob("*.tar.gz")) if offline.cache_dir().exists() else []
    detail = (f"MICROLAB_IMAGES={wanted}; offline bases on the engine: {', '.join(have) or 'none'}; "
              f"cached in {offline.cache_dir()}: {len(cached)} file(s)")
    if not have and not cached:
        detail += " (first docker lab builds them: about 90 s, needs root and debootstrap)"
    return ("docker images", True, detail)


def _registry(client, wanted: str, images) -> tuple[str, bool, str]:
    """Can the engine pull? Without a registry the offline image set is the way."""
    if wanted == "offline":
        return ("docker registry", True, "not needed (MICROLAB_IMAGES=offline)")
    try:
        client.api.inspect_distribution(images.official("postgres"))
        return ("docker registry", True, "reachable: the official images can be pulled")
    except Exception as exc:  # the engine says why: DNS, proxy, no route
        reason = (getattr(exc, "explanation", None) or str(exc)).splitlines()[0][:160]
        return ("docker registry", wanted == "auto",
                f"cannot pull ({reason}): use the offline image set, MICROLAB_IMAGES=offline "
                "(auto mode switches to it by itself)")


def _published_ports(client) -> tuple[str, bool, str]:
    """Containers of other projects holding well-known ports a student may try by hand."""
    from microlab.doctor import COMMON_PORTS

    held = []
    for c in client.containers.list():
        for bindings in (c.attrs["NetworkSettings"].get("Ports") or {}).values():
            for b in bindings or []:
                if b.get("HostPort") and int(b["HostPort"]) in COMMON_PORTS:
                    held.append(f"{b['HostPort']} by container {c.name}")
    if not held:
        return ("docker ports", True, "no container holds 5432/8000/8001/8080/9092")
    return ("docker ports", True, "taken: " + ", ".join(held) + " (microlab publishes random "
            "127.0.0.1 ports, so labs still start; stop those containers to use the ports by hand)")
