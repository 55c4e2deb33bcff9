"""The offline image set: made here with debootstrap, no container registry needed.

Each base is a Debian root filesystem (infra/images/offline/rootfs.sh) imported as an
image, plus a one-line local build for what `docker import` cannot set (stop signal,
user, entrypoint). Built bases are saved to the cache dir (`docker save | gzip -1`) and
loaded from there next time: ~6 s instead of ~90 s. The tag carries a digest of the
recipe, so an edited recipe builds a new base instead of reusing a stale one.
"""
from __future__ import annotations

import fcntl
import gzip
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from docker.errors import ImageNotFound

from microlab.backends.base import LabError
from microlab.docker import context, progress

RECIPES = context.IMAGES / "offline"
ROOTFS = RECIPES / "rootfs.sh"
# role -> (rootfs flavour, thin Dockerfile, extra files copied next to it)
BASES = {
    "python": ("python", "python.Dockerfile", ()),
    "postgres": ("postgres", "postgres.Dockerfile", ("postgres-entrypoint.sh",)),
    "java": ("java", "java.Dockerfile", ()),
}


def cache_dir() -> Path:
    root = os.environ.get("MICROLAB_CACHE") or Path.home() / ".cache" / "microlab"
    return Path(root) / "images"


def tag(role: str) -> str:
    flavour, dockerfile, extras = BASES[role]
    parts = [ROOTFS.read_bytes(), (RECIPES / dockerfile).read_bytes()]
    parts += [(RECIPES / name).read_bytes() for name in extras]
    if role == "python":
        parts.append("\n".join(context.requirements()))
    return f"microlab/{role}-base:offline-{context.digest_of(*parts)}"


def ensure(client, roles: list[str], report=print) -> dict[str, str]:
    """role -> local image tag, loading from the cache or building what is missing."""
    tags = {role: tag(role) for role in roles}
    missing = [r for r in roles if not _present(client, tags[r])]
    if not missing:
        return tags
    with _lock():
        missing = [r for r in missing if not _present(client, tags[r])]  # another process?
        for role in list(missing):
            if _load_cached(client, tags[role], report):
                missing.remove(role)
        if missing:
            _build(client, {r: tags[r] for r in missing}, report)
    return tags


def _present(client, ref: str) -> bool:
    try:
        client.images.get(ref)
        return True
    except ImageNotFound:
        return False


def _cache_file(ref: str) -> Path:
    return cache_dir() / (ref.replace("/", "_").replace(":", "_") + ".tar.gz")


@contextmanager
def _lock():
    cache_dir().mkdir(parents=True, exist_ok=True)
    with open(cache_dir() / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # two labs starting at once build once
        yield


def _load_cached(client, ref: str, report) -> bool:
    path = _cache_file(ref)
    if not path.exists():
        return False
    report(f"  loading {ref} from {path}")
    try:
        with open(path, "rb") as data:  # the engine unpacks the gzip itself
            client.api.load_image(data)
    except Exception as exc:  # a truncated cache file: rebuild rather than fail
        report(f"  cached image unusable ({exc}); rebuilding it")
        path.unlink(missing_ok=True)
        return False
    return _present(client, ref)


def _build(client, tags: dict[str, str], report) -> None:
    problem = _cannot_build()
    if problem:
        raise LabError(f"the offline image set must be built here but {problem}")
    report(f"  building offline images {', '.join(tags)} with debootstrap (about 90 s, once)...")
    with progress.phase_bar("offline images", total=3 * len(tags)) as bar, \
            tempfile.TemporaryDirectory(prefix="microlab-images-") as tmp:
        with ThreadPoolExecutor(max_workers=len(tags)) as pool:
            jobs = {role: pool.submit(_build_one, client, role, ref, Path(tmp), bar)
                    for role, ref in tags.items()}
            for job in jobs.values():
                job.result()
    for ref in tags.values():
        _save(client, ref, report)


def _cannot_build() -> str | None:
    if os.geteuid() != 0:
        return "debootstrap needs root (run `sudo microlab images build` once, or use MICROLAB_IMAGES=official)"
    if shutil.which("debootstrap") is None:
        return "debootstrap is missing (apt-get install debootstrap)"
    return None


def _build_one(client, role: str, ref: str, tmp: Path, bar) -> None:
    flavour, dockerfile, extras = BASES[role]
    rootfs = tmp / f"{role}.tar"
    args = ["bash", str(ROOTFS), flavour, str(rootfs)]
    if role == "python":
        reqs = tmp / "requirements.txt"
        reqs.write_text("\n".join(context.requirements()) + "\n")
        args.append(str(reqs))
    run = subprocess.run(args, capture_output=True, text=True)
    if run.returncode != 0:
        raise LabError(f"building the {role} root filesystem failed:\n{run.stderr[-3000:]}")
    bar.update(1)
    imported = f"{ref}-rootfs"
    client.api.import_image_from_file(str(rootfs), repository=imported.split(":")[0],
                                      tag=imported.split(":")[1])
    rootfs.unlink()
    bar.update(1)
    files = {name: (RECIPES / name).read_bytes() for name in extras}
    ctx, _ = context.build_context((RECIPES / dockerfile).read_text(), files=files)
    events = client.api.build(fileobj=ctx, custom_context=True, tag=ref, buildargs={"BASE": imported},
                              rm=True, forcerm=True, decode=True)
    progress.follow_build(events, ref)
    bar.update(1)


def _save(client, ref: str, report) -> None:
    path = _cache_file(ref)
    part = path.with_suffix(".part")
    try:
        with gzip.open(part, "wb", compresslevel=1) as out:
            for chunk in client.images.get(ref).save(named=True):
                out.write(chunk)
        part.replace(path)
        report(f"  cached {ref} in {path}")
    except OSError as exc:  # a full disk must not fail the lab: the image is built
        part.unlink(missing_ok=True)
        report(f"  could not cache {ref} ({exc}); it will be rebuilt next time the engine loses it")
