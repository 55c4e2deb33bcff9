"""Every MICROLAB_* setting, read from the environment in one place.

`settings()` reads the environment each time it is called (cheap), because a grading run
or a test changes MICROLAB_HOME for the processes it starts, and a long-lived kernel must
see what its environment says now, not what it said at import.

    MICROLAB_HOME        where labs keep state, logs and data      (~/.microlab)
    MICROLAB_CACHE       jars and image archives fetched once      (~/.cache/microlab)
    MICROLAB_BACKEND     auto | local | docker                     (auto)
    MICROLAB_IMAGES      auto | official | offline                 (auto)
    MICROLAB_PORT_BASE   fixed host ports: base + the component's index in PORT_ORDER
    MICROLAB_COURSE      the nbgrader course directory             (the checkout's autograder/)
    MICROLAB_IN_CONTAINER  set inside a lab's container (bind 0.0.0.0, not 127.0.0.1)
    MICROLAB_CELL_TIMEOUT / MICROLAB_NOTEBOOK_TIMEOUT / MICROLAB_REPLAY_DIR  grading runs
    MICROLAB_DEPLOY_CONFINE  a JSON list: the command prefix lab.deploy()ed code runs under on the
                         local backend ("{data}" and "{code}" in it: its data folder, its file);
                         the grader sets it, so a student's deployed code runs confined
    MICROLAB_FORK_SERVER on | off: local Python components forked from a warm interpreter (on)
    MICROLAB_SANDBOX     auto | docker | namespaces: where a graded notebook runs: a container
                         per submission (docker; auto when an engine answers), or bubblewrap's
                         namespaces (namespaces; auto otherwise)
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from microlab.errors import LabError

BACKENDS = ("auto", "local", "docker")
IMAGE_SETS = ("auto", "official", "offline")
SANDBOXES = ("auto", "docker", "namespaces")
COURSE_MARKER = "nbgrader_config.py"  # what makes a directory the course


class SettingsError(LabError):
    """A MICROLAB_* variable holds a value microlab cannot use; the message says which."""


@dataclass(frozen=True)
class Settings:
    home: Path
    cache: Path
    backend: str
    images: str
    port_base: int | None
    course: Path | None  # None: not set and no checkout found from the working directory
    in_container: bool
    cell_timeout: int
    notebook_timeout: int
    replay_dir: Path | None
    deploy_confine: tuple[str, ...] = ()
    fork_server: bool = True
    sandbox: str = "auto"


def settings(env: dict[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    return Settings(
        home=Path(env.get("MICROLAB_HOME") or Path.home() / ".microlab"),
        cache=Path(env.get("MICROLAB_CACHE") or Path.home() / ".cache" / "microlab"),
        backend=_choice(env, "MICROLAB_BACKEND", BACKENDS),
        images=_choice(env, "MICROLAB_IMAGES", IMAGE_SETS),
        port_base=_int(env, "MICROLAB_PORT_BASE", None),
        course=_course(env),
        in_container=bool(env.get("MICROLAB_IN_CONTAINER")),
        cell_timeout=_int(env, "MICROLAB_CELL_TIMEOUT", 120),
        notebook_timeout=_int(env, "MICROLAB_NOTEBOOK_TIMEOUT", 600),
        replay_dir=Path(env["MICROLAB_REPLAY_DIR"]) if env.get("MICROLAB_REPLAY_DIR") else None,
        deploy_confine=_argv(env, "MICROLAB_DEPLOY_CONFINE"),
        fork_server=_choice(env, "MICROLAB_FORK_SERVER", ("on", "off")) == "on",
        sandbox=_choice(env, "MICROLAB_SANDBOX", SANDBOXES),
    )


def _choice(env, name: str, allowed: tuple[str, ...]) -> str:
    value = (env.get(name) or allowed[0]).strip().lower()
    if value not in allowed:
        raise SettingsError(f"{name}={value!r} is not one of: {', '.join(allowed)}")
    return value


def _argv(env, name: str) -> tuple[str, ...]:
    raw = env.get(name)
    if not raw:
        return ()
    try:
        argv = json.loads(raw)
    except ValueError:
        argv = None
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        raise SettingsError(f"{name} must be a JSON list of strings (a command prefix), got {raw[:80]!r}")
    return tuple(argv)


def _int(env, name: str, default):
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None


def _course(env) -> Path | None:
    """MICROLAB_COURSE, else the autograder/ of the checkout the working directory is in
    (a student's clone, an instructor's course repo): found by walking up, never from
    where this module was installed."""
    if env.get("MICROLAB_COURSE"):
        return Path(env["MICROLAB_COURSE"]).expanduser().resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "autograder" / COURSE_MARKER).is_file():
            return folder / "autograder"
        if (folder / COURSE_MARKER).is_file() and (folder / "source").is_dir():
            return folder
    return None
