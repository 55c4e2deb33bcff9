"""The offline image set: made here with debootstrap, no container registry needed.

Two levels per base, each tagged with a digest of its own recipe:
- the root filesystem (infra/images/offline/rootfs.sh, ~70-90 s), imported as an image;
- a thin local `docker build` on top for what `docker import` cannot set (stop signal,
  user, entrypoint) and cheap preparation (a ready PostgreSQL cluster template).
Both are saved to the cache dir (`docker save | gzip -1`) and loaded from there next
time (~6 s instead of ~90 s). Editing a thin Dockerfile rebuilds in seconds; only an
edited rootfs.sh or changed dependencies pay for debootstrap again.
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

from microlab.errors import LabError
from microlab.docker import context, progress
from microlab.settings import settings

RECIPES = context.IMAGES / "offline"
ROOTFS = RECIPES / "rootfs.sh"
# role -> (thin Dockerfile, extra files copied next to it)
BASES = {
    "python": ("python.Dockerfile", ()),
    "postgres": ("postgres.Dockerfile", ("postgres-entrypoint.sh",)),
    "java": ("java.Dockerfile", ()),
}


def cache_dir() -> Path:
    return settings().cache / "images"


def rootfs_tag(role: str) -> str:
    parts = [ROOTFS.read_bytes(), role]
    if role == "python":
        parts.append("\n".join(context.requirements()))
    return f"microlab/{role}-rootfs:offline-{context.digest_of(*parts)}"


def tag(role: str) -> str:
    dockerfile, extras = BASES[role]
    parts = [rootfs_tag(role), (RECIPES / dockerfile).read_bytes()]
    parts += [(RECIPES / name).read_bytes() for name in extras]
    return f"microlab/{role}-base:offline-{context.digest_of(*parts)}"


def ensure(client, roles: list[str], report=print) -> dict[str, str]:
    """role -> local image tag, loading from the cache or building what is missing."""
    tags = {role: tag(role) for role in roles}
    if all(present(client, t) for t in tags.values()):
        return tags
    with _lock():  # two labs starting at once build once
        todo = [r for r in roles if not present(client, tags[r])
                and not (_load(client, _cache_file(r, tags[r]), report) and present(client, tags[r]))]
        for role in todo:  # an older cache file of the role may still hold today's rootfs
            for older in sorted(cache_dir().glob(f"{role}-*.tar.gz")):
                if not present(client, rootfs_tag(role)):
                    _load(client, older, report)
        need_rootfs = [r for r in todo if not present(client, rootfs_tag(r))]
        if need_rootfs:
            _build_rootfs(client, need_rootfs, report)
        for role in todo:
            _build_thin(client, role, tags[role])
            _save(client, role, report)
            _untag_stale(client, role)
    return tags


def _untag_stale(client, role: str) -> None:
    """Old recipes' tags would pile up on the engine; layers in use stay regardless."""
    keep = {tag(role), rootfs_tag(role)}
    for repository in (f"microlab/{role}-base", f"microlab/{role}-rootfs"):
        for image in client.images.list(repository):
            for ref in image.tags:
                if ref not in keep:
                    try:
                        client.images.remove(ref)
                    except Exception:  # used by a container of a running lab: keep it
                        pass


def present(client, ref: str) -> bool:
    """Is the image `ref` on the engine?"""
    try:
        client.images.get(ref)
        return True
    except ImageNotFound:
        return False


def _cache_file(role: str, ref: str) -> Path:
    return cache_dir() / f"{role}-{ref.rpartition('-')[2]}.tar.gz"


@contextmanager
def _lock():
    cache_dir().mkdir(parents=True, exist_ok=True)
    with open(cache_dir() / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _load(client, path: Path, report) -> bool:
    if not path.exists():
        return False
    report(f"  loading {path}")
    try:
        with open(path, "rb") as data:  # the engine unpacks the gzip itself
            client.api.load_image(data)
        return True
    except Exception as exc:  # a truncated cache file: rebuild rather than fail
        report(f"  cached images unusable ({exc}); rebuilding them")
        path.unlink(missing_ok=True)
        return False


def _build_rootfs(client, roles: list[str], report) -> None:
    problem = _cannot_build()
    if problem:
        raise LabError(f"the offline image set must be built here but {problem}")
    report(f"  building root filesystems {', '.join(roles)} with debootstrap (about 90 s, once)...")
    with progress.phase_bar("offline root filesystems", total=2 * len(roles)) as bar, \
            tempfile.TemporaryDirectory(prefix="microlab-images-") as tmp, \
            ThreadPoolExecutor(max_workers=len(roles)) as pool:
        jobs = [pool.submit(_rootfs_one, client, role, Path(tmp), bar) for role in roles]
        for job in jobs:
            job.result()


def _cannot_build() -> str | None:
    if os.geteuid() != 0:
        return "debootstrap needs root (run `sudo microlab images build` once, or use MICROLAB_IMAGES=official)"
    if shutil.which("debootstrap") is None:
        return "debootstrap is missing (apt-get install debootstrap)"
    return None


def _rootfs_one(client, role: str, tmp: Path, bar) -> None:
    rootfs = tmp / f"{role}.tar"
    args = ["bash", str(ROOTFS), role, str(rootfs)]
    if role == "python":
        reqs = tmp / "requirements.txt"
        reqs.write_text("\n".join(context.requirements()) + "\n")
        args.append(str(reqs))
    run = subprocess.run(args, capture_output=True, text=True)
    if run.returncode != 0:
        raise LabError(f"building the {role} root filesystem failed:\n{run.stderr[-3000:]}")
    bar.update(1)
    repository, _, version = rootfs_tag(role).partition(":")
    client.api.import_image_from_file(str(rootfs), repository=repository, tag=version)
    rootfs.unlink()
    bar.update(1)


def _build_thin(client, role: str, ref: str) -> None:
    dockerfile, extras = BASES[role]
    files = {name: (RECIPES / name).read_bytes() for name in extras}
    ctx, _ = context.build_context((RECIPES / dockerfile).read_text(), files=files)
    events = client.api.build(fileobj=ctx, custom_context=True, tag=ref,
                              buildargs={"BASE": rootfs_tag(role)}, rm=True, forcerm=True, decode=True)
    progress.follow_build(events, ref)


def _save(client, role: str, report) -> None:
    """Cache the base and its rootfs in one file (shared layers stored once)."""
    save(client, role, [tag(role), rootfs_tag(role)], report)


def cached(client, role: str, ref: str, report=print) -> bool:
    """Load `ref` from the cache file `save` wrote for it, if there is one."""
    return _load(client, _cache_file(role, ref), report) and present(client, ref)


def save(client, role: str, refs: list[str], report=print) -> None:
    """`docker save` refs into one gzip file named after refs[0], replacing older files
    of the role (stale recipes)."""
    path = _cache_file(role, refs[0])
    part = path.with_suffix(".part")
    try:
        # GET /images/get?names=..&names=..: the SDK only wraps the one-image form
        resp = client.api._get(client.api._url("/images/get"), params={"names": refs}, stream=True)
        client.api._raise_for_status(resp)
        with gzip.open(part, "wb", compresslevel=1) as out:
            for chunk in resp.iter_content(chunk_size=1 << 20):
                out.write(chunk)
        part.replace(path)
        report(f"  cached {', '.join(refs)} in {path}")
    except OSError as exc:  # a full disk must not fail the lab: the image is built
        part.unlink(missing_ok=True)
        report(f"  could not cache {refs[0]} ({exc}); it will be rebuilt when the engine loses it")
        return
    for old in cache_dir().glob(f"{role}-*.tar.gz"):
        if old != path:
            old.unlink(missing_ok=True)
