"""A student's code deployed into the grader's lab runs confined: it reads and writes its own
database, answers over the lab's network, and sees neither the course (checks, secret) nor
the databases of the lab's other components, which it could otherwise rewrite to forge."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from microlab import Lab
from microlab.state import lab_dir
from microlab_grading import confine, deployconfine, paths

PEEK = '''
import os
from fastapi import FastAPI
from sqlalchemy import create_engine, text
engine = create_engine(os.environ["DATABASE_URL"])
with engine.begin() as db:
    db.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
    db.execute(text("INSERT INTO t VALUES (42)"))
app = FastAPI()

@app.get("/peek")
def peek(path: str):
    try:
        with open(path, "rb") as f:
            return {"read": len(f.read())}
    except OSError as exc:
        return {"error": type(exc).__name__}
'''


@pytest.mark.skipif(confine.mechanism() != "bubblewrap", reason="needs bubblewrap (infra/scripts/ensure-test-tools.sh)")
def test_deployed_code_sees_its_database_and_nothing_of_the_course(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path / "home"))
    course = paths.course_dir()
    secret_parts = [course / "checks" / "04-async-messaging.py", course / "authoring" / "lab04.py"]
    assert all(p.exists() for p in secret_parts)
    monkeypatch.delenv(deployconfine.ENV, raising=False)  # so the teardown removes what install sets
    deployconfine.install(tmp_path / "box", course, lab_dir("confined"))
    with Lab(backend="local", name="confined", quiet=True) as lab:
        lab.up("monolith")
        lab.deploy("peeker", PEEK)
        monolith_db = Path(lab.database_url("monolith").removeprefix("sqlite:///"))

        def peek(path: Path) -> dict:
            return httpx.get(f"{lab.url('peeker')}/peek", params={"path": str(path)}, timeout=10).json()

        for hidden in [*secret_parts, monolith_db]:
            assert peek(hidden) == {"error": "FileNotFoundError"}, hidden
        assert "read" in peek(Path("/etc/hostname"))  # the system stays readable
        with create_engine(lab.database_url("peeker")).connect() as db:
            assert db.execute(text("SELECT x FROM t")).scalar() == 42
