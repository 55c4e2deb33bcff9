"""How a student's deployed code runs in the grader's lab: confined like every other run of
student code (confine.py), with two holes: its own data folder, writable (its database, which
the checks read) and its code file, readable. It shares the judge's network namespace, where
the grader's lab is; it cannot read the course, the other components' databases or the
judge's files, so it can change the lab only through the lab's APIs, like any service.

The local backend reads the prefix from MICROLAB_DEPLOY_CONFINE (microlab.settings)."""
from __future__ import annotations

import json
import os
from pathlib import Path

from microlab_grading import confine

ENV = "MICROLAB_DEPLOY_CONFINE"
# A service under uvicorn with a Kafka client: threads and memory maps need more room than a
# check run; a service lives as long as the grading of its exercise.
DEPLOYED_RUN = confine.Resources(processes=512, memory_mb=2048, file_mb=128, cpu_s=600, disk_mb=128)


def prefix(box: Path, hidden: list[Path], lab_dir: Path) -> list[str]:
    """confine.prefix for code deployed into the lab at `lab_dir`, with "{data}" and "{code}"
    left for the backend to fill in (they are below lab_dir/data and lab_dir/deployed)."""
    args = confine.prefix(box, hidden, resources=DEPLOYED_RUN)
    if confine.mechanism() != "bubblewrap":
        return args
    folders = []  # the folders above the holes, made traversable (bwrap would make them 0700)
    for top in (lab_dir / "data", lab_dir / "deployed"):
        for folder in [*confine._between(top), top]:
            folders += ["--perms", "0755", "--dir", str(folder)]
    end = args.index("--")  # bwrap's own options end here; the holes go after the hiding
    holes = ["--bind", "{data}", "{data}", "--ro-bind", "{code}", "{code}"]
    return [*args[:end], *folders, *holes, *args[end:]]


def install(box: Path, course: Path, lab_dir: Path) -> None:
    """From now on, code this process deploys into the lab at `lab_dir` runs confined."""
    box.mkdir(parents=True, exist_ok=True)
    os.environ[ENV] = json.dumps(prefix(box, confine.hidden_folders(course), lab_dir))
