import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest

from labkit import owned_pids
from microlab import Lab


@pytest.fixture
def lab_name():
    return f"it-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def local_lab(lab_name):
    """A local lab of its own, always torn down, with a check that nothing survived."""
    lab = Lab(backend="local", name=lab_name, quiet=True)
    try:
        yield lab
    finally:
        pids = list(owned_pids(lab).values())
        lab.down()
        from microlab.local.processes import alive

        assert not [p for p in pids if alive(p)], "down left processes behind"


# Session resources that need not outlive their folder's tests (the Docker tests' shared lab:
# ten containers with 5 s healthchecks; the Kafka tests' broker): they idled through the half
# hour of tests after them, at 8-10% of the machine.
_FOLDER_STACKS: dict[Path, ExitStack] = {}


@pytest.fixture(scope="session")
def until_folder_ends():
    """until_folder_ends(__file__) -> an ExitStack closed after the last test of that file's
    folder (at the latest when the session ends)."""
    yield lambda anchor: _FOLDER_STACKS.setdefault(Path(anchor).parent, ExitStack())
    for stack in _FOLDER_STACKS.values():
        stack.close()


@pytest.hookimpl(trylast=True)  # after the test's own fixtures, which may still use them
def pytest_runtest_teardown(item, nextitem):
    for folder, stack in _FOLDER_STACKS.items():
        if folder in item.path.parents and (nextitem is None or folder not in nextitem.path.parents):
            stack.close()
