"""Formatted KRaft storage for a new broker home, from a template formatted once per release.

`kafka-storage.sh format` is a JVM of its own (0.7-1.7 s on 2 cores) and every new lab needs
it before its broker can start. What it writes into the log dir is small and the same for
every lab but for two ids:
    bootstrap.checkpoint   the release's feature levels (metadata.version, ...): no ids
    meta.properties        node.id, directory.id, version, cluster.id
So Kafka's own StorageTool formats one template next to the jar cache, and a new home gets
a copy with a fresh cluster id and directory id: what the tool would have written.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from microlab.broker import config

META = "meta.properties"


def template_dir(libs: Path) -> Path:
    return libs.parent / "storage-template"


def ensure_template(libs: Path, format_with) -> Path:
    """The template log dir, formatted by `format_with(home, cluster_id)` the first time.

    Made in a temporary directory and renamed into place, so concurrent first labs never
    see half a template (the loser of the race keeps the winner's)."""
    target = template_dir(libs)
    if (target / META).exists():
        return target
    with tempfile.TemporaryDirectory(dir=libs.parent, prefix=".storage-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        logs = home / "logs"
        # ports do not reach the formatted files (a static quorum writes no voters)
        (home / "server.properties").write_text(config.local(logs, 9092, 9093))
        format_with(home, config.new_cluster_id())
        try:
            os.replace(logs, target)
        except OSError:
            if not (target / META).exists():
                raise
    return target


def copy_template(template: Path, log_dir: Path, cluster_id: str) -> None:
    """The template's files into `log_dir`, with new ids in meta.properties (written last:
    its presence is what marks a formatted home)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    for item in template.iterdir():
        if item.name != META:
            (shutil.copytree if item.is_dir() else shutil.copy2)(item, log_dir / item.name)
    fresh = {"cluster.id": cluster_id, "directory.id": config.new_cluster_id()}
    lines = [_with_ids(line, fresh) for line in (template / META).read_text().splitlines()]
    partial = log_dir / f".{META}.tmp"
    partial.write_text("\n".join(lines) + "\n")
    os.replace(partial, log_dir / META)


def _with_ids(line: str, fresh: dict[str, str]) -> str:
    key = line.split("=", 1)[0].strip()
    return f"{key}={fresh[key]}" if key in fresh else line
