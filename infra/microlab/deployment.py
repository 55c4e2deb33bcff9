"""`lab.deploy(name, source)`: a student's own service or consumer as a lab component.

The source is a Python file or a cell's code. It is read here only to tell what it is (never
run in the caller's process): a module-level `app` makes a service, a module-level
`def handle(event)` makes a consumer, which also needs its topics and its consumer group.
The code is copied into the lab's folder, so the component survives the kernel and another
process (the CLI, the grader) can restart it. The component is recorded in the lab's state
file, which both backends read beside the topology.
"""
from __future__ import annotations

import ast
import re
import shutil
from dataclasses import asdict
from pathlib import Path

from microlab import state, topology
from microlab.errors import LabError
from microlab.topology import KAFKA, KAFKA_BOOTSTRAP, SHOP, Component, Database

NAME = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")
# What a deployed component is told about the shop, as the shop's services are told it.
SHOP_URLS = {f"{c.name.split('-')[0].upper()}_SERVICE_URL": c.internal_url for c in SHOP}


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME.match(name) or name.endswith("-db"):
        raise LabError(f"cannot deploy as {name!r}: use 2-40 lowercase letters, digits and '-', "
                       "starting with a letter (e.g. \"orders-per-user\"), not ending in -db")
    if name in topology.all_components():
        raise LabError(f"{name!r} is one of the shop's own components: choose another name")
    return name


def read_source(source) -> tuple[str, str]:
    """(code, where it came from): a path to a .py file, or the code itself."""
    if isinstance(source, Path) or (isinstance(source, str) and source.endswith(".py")
                                    and "\n" not in source):
        path = Path(source)
        if not path.is_file():
            raise LabError(f"no such file: {path} (pass a .py file, or the code as a string)")
        return path.read_text(), str(path)
    if not isinstance(source, str) or not source.strip():
        raise LabError("lab.deploy(name, source): source is a .py file or a string of Python code")
    return source, "the code given"


def mode_of(code: str, origin: str) -> str:
    """"app" when the code defines `app`, "consumer" when it defines `handle(event)`."""
    try:
        tree = ast.parse(code, filename=origin)
    except SyntaxError as exc:
        raise LabError(f"{origin} is not valid Python: line {exc.lineno}: {exc.msg}") from None
    functions = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    assigned = {t.id for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))
                for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}
    has_app, has_handle = "app" in assigned | functions, "handle" in functions
    if has_app and has_handle:
        raise LabError(f"{origin} defines both `app` and `handle`: deploy a service or a consumer, not both")
    if not (has_app or has_handle):
        raise LabError(f"{origin} defines neither `app = FastAPI()` (a service) nor "
                       "`def handle(event):` (a consumer) at module level")
    return "app" if has_app else "consumer"


def _topics(topic) -> tuple[str, ...]:
    names = (topic,) if isinstance(topic, str) else tuple(topic or ())
    if not names or not all(isinstance(t, str) and t for t in names):
        raise LabError("a consumer needs its topic: lab.deploy(name, code, topic=\"orders\", group=\"...\")")
    return names


def prepare(lab_id: str, name: str, source, topic=None, group: str | None = None) -> Component:
    """The Component for `source`, its code copied into the lab's folder."""
    check_name(name)
    code, origin = read_source(source)
    mode = mode_of(code, origin)
    env = {"DEPLOY_MODE": mode, **SHOP_URLS, **KAFKA_BOOTSTRAP}
    if mode == "consumer":
        if not isinstance(group, str) or not group:
            raise LabError("a consumer needs its consumer group: lab.deploy(name, code, topic=..., group=\"...\")")
        env |= {"DEPLOY_TOPICS": ",".join(_topics(topic)), "DEPLOY_GROUP": group}
    elif topic or group:
        raise LabError(f"{origin} is a service (it defines `app`): topic= and group= are for consumers")
    path = state.lab_dir(lab_id) / "deployed" / f"{name}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(code)
    slug = name.replace("-", "_")
    db = Database(name=f"{name}-db", db=slug, user=f"{slug}_svc", password=f"{slug}-secret")
    return Component(name, "deployed", env=env, database=db, source=str(path),
                     depends_on=(KAFKA.name,) if mode == "consumer" else ())


def describe(c: Component) -> str:
    if c.env.get("DEPLOY_MODE") == "consumer":
        return f"a consumer of {c.env['DEPLOY_TOPICS']!r} in group {c.env['DEPLOY_GROUP']!r}"
    return "a service"


def to_record(c: Component) -> dict:
    return asdict(c)


def from_record(record: dict) -> Component:
    fields = dict(record)
    if fields.get("database"):
        fields["database"] = Database(**fields["database"])
    fields["depends_on"] = tuple(fields.get("depends_on", ()))
    return Component(**fields)


def recorded(lab_id: str) -> dict[str, Component]:
    """The lab's deployed components, from its state file."""
    st = state.load_lab(lab_id)
    return {n: from_record(r) for n, r in (st.deployed if st else {}).items()}


def forget(lab_id: str) -> None:
    """The copies of deployed code (lab.down(): the lab and its components are gone)."""
    shutil.rmtree(state.lab_dir(lab_id) / "deployed", ignore_errors=True)
