"""A new broker home formatted from the template: StorageTool's files with fresh ids."""
from pathlib import Path

from microlab.broker import storage

META = "#\n#Wed Dec 02 01:01:34 UTC 2026\nnode.id=1\ndirectory.id=XMguXctdlzxq3boZHecH7g\nversion=1\ncluster.id=dnbShAc_TjCEnlaQ4DaKBQ\n"


def fake_format(calls: list):
    """Writes what `kafka-storage.sh format` writes into the log dir server.properties names."""
    def format_with(home: Path, cluster_id: str) -> None:
        calls.append(cluster_id)
        props = dict(line.split("=", 1) for line in (home / "server.properties").read_text().splitlines()
                     if "=" in line and not line.startswith("#"))
        logs = Path(props["log.dirs"])
        logs.mkdir(parents=True)
        (logs / "bootstrap.checkpoint").write_bytes(b"\x00\x01features")
        (logs / "meta.properties").write_text(META)
    return format_with


def meta(path: Path) -> dict:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_the_template_is_formatted_once_and_reused(tmp_path):
    libs = tmp_path / "kafka" / "4.3.1" / "libs"
    libs.mkdir(parents=True)
    calls: list = []
    first = storage.ensure_template(libs, fake_format(calls))
    again = storage.ensure_template(libs, fake_format(calls))
    assert first == again == storage.template_dir(libs)
    assert len(calls) == 1
    assert not [p for p in libs.parent.iterdir() if p.name.startswith(".storage-")]  # no leftovers


def test_a_copy_keeps_the_files_and_gets_new_ids(tmp_path):
    libs = tmp_path / "libs"
    libs.mkdir()
    template = storage.ensure_template(libs, fake_format([]))
    a, b = tmp_path / "a" / "logs", tmp_path / "b" / "logs"
    storage.copy_template(template, a, "clusterAAAAAAAAAAAAAAAA")
    storage.copy_template(template, b, "clusterBBBBBBBBBBBBBBBB")
    assert (a / "bootstrap.checkpoint").read_bytes() == (template / "bootstrap.checkpoint").read_bytes()
    ma, mb, mt = meta(a / "meta.properties"), meta(b / "meta.properties"), meta(template / "meta.properties")
    assert ma["cluster.id"] == "clusterAAAAAAAAAAAAAAAA" and mb["cluster.id"] == "clusterBBBBBBBBBBBBBBBB"
    assert ma["directory.id"] != mb["directory.id"] != mt["directory.id"]
    assert len(ma["directory.id"]) == 22 and not ma["directory.id"].startswith("-")
    assert (ma["node.id"], ma["version"]) == (mt["node.id"], mt["version"])
    assert not list(a.glob(".*.tmp"))
