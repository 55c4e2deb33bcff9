import uuid

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
