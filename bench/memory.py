"""How much memory the running stack holds: every component of up("services"), same run.

Local backend: each component's whole process tree (the pid the lab started and all its
descendants, read from /proc), as RSS (what `ps` and `top` show: shared pages counted in
every process) and PSS (shared pages split between the processes that map them: what adds
up). Docker backend: each container's memory as `docker stats` shows it (usage minus the
page cache). Baseline, same run: a bare Python process (`python -c` sleeping).
Target (issue 15): the whole local stack <= 512 MiB, so it, JupyterLab and a kernel fit a
1 GiB pod.
Run: .venv/bin/python bench/memory.py [--backend local|docker] [--settle 3]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from microlab import Lab, procfs
from microlab.local.forkserver import LabForkServer

MIB = 1024 * 1024
TARGET_MIB = 512


def _ppid(pid: int) -> int | None:
    try:
        text = (procfs.PROC / str(pid) / "stat").read_text()
        return int(text.rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def tree(root: int) -> list[int]:
    """`root` and every process descending from it."""
    children: dict[int, list[int]] = {}
    for pid in procfs.pids():
        parent = _ppid(pid)
        if parent is not None:
            children.setdefault(parent, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _kib(path: Path, field: str) -> int:
    """A "Field:   123 kB" line of a /proc file, in KiB (0 when the process is gone)."""
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def rss_pss_mib(pids: list[int]) -> tuple[float, float]:
    rss = sum(_kib(procfs.PROC / str(p) / "status", "VmRSS") for p in pids)
    pss = sum(_kib(procfs.PROC / str(p) / "smaps_rollup", "Pss") for p in pids)
    return rss / 1024, pss / 1024


def bare_python_mib() -> tuple[float, float]:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        time.sleep(0.5)  # interpreter up and sleeping
        return rss_pss_mib([proc.pid])
    finally:
        proc.kill()
        proc.wait()


def local_rows(lab: Lab) -> dict[str, tuple[float, float]]:
    processes = lab.backend._state().processes
    rows = {name: rss_pss_mib(tree(rec.pid)) for name, rec in processes.items()}
    warm = LabForkServer(lab.backend.dir).pid()  # the services' parent: its own pages only
    if warm is not None:
        rows["(fork server)"] = rss_pss_mib([warm])
    return rows


def docker_rows(lab: Lab) -> dict[str, tuple[float, float]]:
    """Container memory as `docker stats` computes it (usage minus inactive file cache)."""
    from microlab.docker import naming

    rows = {}
    for container in lab.backend.client.containers.list(filters=naming.lab_filter(lab.backend.lab_id)):
        mem = container.stats(stream=False).get("memory_stats", {})
        stats = mem.get("stats", {})
        cache = stats.get("inactive_file", stats.get("total_inactive_file", stats.get("cache", 0)))
        used = (mem.get("usage", 0) - cache) / MIB
        rows[container.labels.get(naming.COMPONENT, container.name)] = (used, used)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="local", choices=["local", "docker"])
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after up before measuring")
    args = parser.parse_args()
    print(f"machine load (/proc/loadavg): {Path('/proc/loadavg').read_text().strip()} on {os.cpu_count()} cores")
    base_rss, base_pss = bare_python_mib()
    lab = Lab(backend=args.backend, name=f"bench-mem-{uuid.uuid4().hex[:6]}", quiet=True)
    try:
        lab.up("services")
        time.sleep(args.settle)  # consumers joined, relays connected: the stack as a student has it
        rows = local_rows(lab) if args.backend == "local" else docker_rows(lab)
    finally:
        lab.down()
    label = ("RSS", "PSS") if args.backend == "local" else ("used", "(same)")
    print(f"{'component':<20} {label[0]:>9} {label[1]:>9}   x bare Python ({base_rss:.1f} MiB RSS)")
    for name, (rss, pss) in rows.items():
        print(f"{name:<20} {rss:7.1f} MiB {pss:5.1f} MiB   {rss / base_rss:5.1f}x")
    total_rss, total_pss = sum(r for r, _ in rows.values()), sum(p for _, p in rows.values())
    print(f"{'whole stack':<20} {total_rss:7.1f} MiB {total_pss:5.1f} MiB   {total_rss / base_rss:5.1f}x")
    print(f"baseline: bare Python process {base_rss:.1f} MiB RSS, {base_pss:.1f} MiB PSS (same run)")
    counted = total_pss if args.backend == "local" else total_rss
    print(f"target: whole stack <= {TARGET_MIB} MiB ({label[1]}) -> "
          f"{'meets' if counted <= TARGET_MIB else 'MISSES'} ({counted:.0f} MiB; RSS {total_rss:.0f} MiB)")
    print(f"machine load after: {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
