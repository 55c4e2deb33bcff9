"""The record run in a container of its own, where a Docker engine runs.

One container per submission, with what bubblewrap gives (confine.py) plus the engine's
cgroup limits on the run as a whole:
- `network_mode="none"`: loopback only; the lab the notebook starts lives inside it, and no
  other lab, grader or host is reachable;
- a memory (and swap) limit, a CPU share and a pids limit for everything the run starts
  (a fork bomb or a memory hog meets its container's limit, not the machine's), plus the
  same per-process rlimits as bubblewrap's runs (address space, file size, CPU time);
- a user id of its own, no capabilities, no-new-privileges, the root file system read-only;
- writable: one size-limited tmpfs (home/, tmp/, work/) and a folder mounted for the
  executed notebook alone;
- read-only: the interpreter, the venv, the code and the caches (what bubblewrap shows), the
  JDK and the submitted notebook; the course's secret parts are masked inside the code's
  checkout, exactly as bubblewrap masks them;
- labelled `microlab.grading-run`, and removed with every process in it when the run ends,
  however a process detached; and when the grader itself dies (killed, crashed), since the
  engine, not the grader, is the container's parent: the grader holds a lock on a file the
  container sees, and a watcher inside waits for that lock, then kills every process of the
  run, which stops the container and the engine removes it (`auto_remove`).
"""
from __future__ import annotations

import fcntl
import functools
import os
import shutil
import sys
from pathlib import Path

import requests
from docker.errors import APIError, DockerException, NotFound
from docker.types import Mount

from microlab.engine import docker_problem
from microlab.errors import LabError
from microlab_grading import confine

LABEL = "microlab.grading-run"
# The interpreter lives under /root (pyenv) on many machines: the run's own user id must be
# able to traverse /root (a tmpfs mounted there copies the image's 0700).
RECIPE = "FROM {base}\nRUN chmod 0755 /root\nSTOPSIGNAL SIGKILL\n"
MEMORY_MB = 3072  # the whole run: a kernel and a lab, Kafka's JVM included (about 0.8 GB)
CPUS = 1.0
RECORD = "/record/executed.ipynb"
ALIVE = "/grader-alive"  # locked by the grader while it waits for the run
# When the grader's lock goes (it died), kill every process of the run's user: the runner,
# the container's main process, goes with them, and the container stops.
# (flock on an open descriptor: no process to fork then, nothing to kill first; `&&`: a watcher
# killed before its lock came, by the OOM killer say, kills nothing)
WATCHER = f"(flock -s 9 && kill -9 -1) 9<{ALIVE} &"


def problem() -> str | None:
    """Why a record run cannot have a container here (None: it can)."""
    why = docker_problem()
    if why is not None:
        return why
    try:
        image()
    except (DockerException, LabError) as exc:
        return f"the sandbox image cannot be had: {exc}"
    return None


@functools.lru_cache(maxsize=1)
def image() -> str:
    """The offline python base plus RECIPE, built once on the engine (a few seconds)."""
    from microlab.docker import context, engine, offline, progress

    def report(message: str) -> None:  # the first time on a machine, a minute or two: say why
        print(f"grading sandbox image: {message.strip()}", file=sys.stderr, flush=True)

    client = engine.client()
    base = offline.ensure(client, ["python"], report=report)["python"]
    ctx, digest = context.build_context(RECIPE.format(base=base))
    ref = f"microlab/grading-sandbox:{digest}"
    if not offline.present(client, ref):
        report(f"building {ref} (once)")
        events = client.api.build(fileobj=ctx, custom_context=True, tag=ref, rm=True, forcerm=True,
                                  decode=True, labels={"microlab.images": "offline"})
        progress.follow_build(events, ref)
    return ref


def run(course: Path, box: Path, notebook: Path, env: dict[str, str], token: str, limits,
        resources: confine.Resources) -> tuple[str, bytes]:
    """Execute `notebook` in a new container; (why it failed or "", the executed notebook)."""
    from microlab.docker import engine

    record = box.parent / "record"
    record.mkdir(exist_ok=True)
    os.chmod(record, 0o777)  # written by the run's own user id
    work = box / "work"
    script = (f"{WATCHER} mkdir -p {box}/home {box}/tmp {work} && cp /submission/{notebook.name} {work}/ "
              f'&& cd {work} && exec "$@"')
    command = ["sh", "-c", script, "sh", *confine.rlimits(resources, per_user=False), sys.executable, "-I",
               "-m", "microlab_grading.runner", str(work / notebook.name), RECORD,
               str(limits.cell), str(limits.notebook)]
    alive = box.parent / "alive"
    alive.touch()
    mounts = _mounts(course, notebook, record) + [Mount(ALIVE, str(alive), type="bind", read_only=True)]
    with open(alive) as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # released when this process ends, however it ends
        try:
            container = _start(engine.client(), command, token, env, mounts, box, resources)
        except DockerException as exc:  # the engine's failure, not the student's: retried, then reported
            return f"the run's container could not start: {exc}"[:500], b""
        try:
            reason = _wait(container, limits.notebook + limits.startup_slack)
        finally:
            _remove(container)  # kills every process of the run with it
    out = record / "executed.ipynb"
    data = out.read_bytes() if out.is_file() else b""
    shutil.rmtree(record, ignore_errors=True)
    return reason, data


def _start(client, command: list[str], token: str, env: dict[str, str], mounts: list[Mount],
           box: Path, resources: confine.Resources):
    uid = confine.run_uid()
    return client.containers.run(
        image(), command, detach=True, auto_remove=True, name=f"microlab-grade-{token[:16]}", labels={LABEL: token},
        user=f"{uid}:{uid}", network_mode="none", hostname="localhost", init=True, read_only=True,
        cap_drop=["ALL"], security_opt=["no-new-privileges"],
        mem_limit=f"{MEMORY_MB}m", memswap_limit=f"{MEMORY_MB}m", nano_cpus=int(CPUS * 1e9),
        pids_limit=resources.processes, environment=env | _java(), mounts=mounts,
        tmpfs={str(box): f"size={resources.disk_mb}m,mode=1777", "/tmp": "size=64m,mode=1777",
               "/dev/shm": "size=64m"})


def _wait(container, seconds: int) -> str:
    try:
        code = container.wait(timeout=seconds)["StatusCode"]
    except requests.exceptions.RequestException:
        return f"timeout: the run took longer than {seconds} s"
    except NotFound:  # ended and auto-removed before the wait began
        return ""
    if code == 0:
        return ""
    try:
        tail = container.logs(tail=3).decode(errors="replace").split("\n")
    except APIError:  # removed, or being removed, by the engine already
        tail = ["(its container is gone)"]
    return f"the notebook runner failed (exit {code}): {' '.join(tail)}"


def _remove(container) -> None:
    try:
        container.remove(force=True)
    except APIError:
        pass  # the engine removes it when it stops (gone already, or "removal in progress")
    try:
        container.wait(condition="removed", timeout=30)  # gone before the run is called over
    except (APIError, requests.exceptions.RequestException):
        pass


def _mounts(course: Path, notebook: Path, record: Path) -> list[Mount]:
    found = [Mount(str(p), str(p), type="bind", read_only=True) for p in confine.runtime_roots()]
    found.append(Mount(f"/submission/{notebook.name}", str(notebook), type="bind", read_only=True))
    found.append(Mount("/record", str(record), type="bind"))
    for path in confine.hidden_folders(course):
        if path.is_dir():
            found.append(Mount(str(path), None, type="tmpfs", tmpfs_size=1024 * 1024))
        elif path.exists():
            found.append(Mount(str(path), "/dev/null", type="bind", read_only=True))
    found += [Mount(str(p), str(p), type="bind", read_only=True) for p in _jdk_folders()]
    return found


@functools.lru_cache(maxsize=1)
def _jdk_folders() -> tuple[Path, ...]:
    """The JDK, and the folders of /etc its links point into (Debian keeps its security
    settings in /etc/java-17-openjdk: without them the JVM cannot start). Walked once per
    process, not once per run."""
    jdk = _jdk()
    if jdk is None:
        return ()
    found = {jdk}
    for link in (p for p in jdk.rglob("*") if p.is_symlink()):
        target = link.resolve()
        if target.exists() and target.parts[:2] == ("/", "etc"):
            found.add(Path(*target.parts[:3]))
    return tuple(sorted(found))


@functools.lru_cache(maxsize=1)
def _jdk() -> Path | None:
    """The JDK the lab's broker runs on (the image has none)."""
    home = os.environ.get("JAVA_HOME")
    if home:
        return Path(home).resolve()
    java = shutil.which("java")
    return Path(java).resolve().parent.parent if java else None


def _java() -> dict[str, str]:
    jdk = _jdk()
    return {"JAVA_HOME": str(jdk)} if jdk is not None else {}


def leftovers() -> list[str]:
    """Names of grading-run containers still on the engine (none once runs have ended)."""
    from microlab.docker import engine

    return [c.name for c in engine.client().containers.list(all=True, filters={"label": [LABEL]})]
