"""The grader's sweep finds what a submission started, however detached."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid

from microlab_grading import sweep


def test_sweep_finds_detached_processes_by_their_marker():
    token = uuid.uuid4().hex
    env = os.environ | {sweep.MARKER: token}
    # a double fork with setsid: re-parented to init, outside any process group we know
    subprocess.run([sys.executable, "-c", "import subprocess; subprocess.Popen(['sleep', '300'], "
                    "start_new_session=True)"], env=env, check=True)
    assert sweep.survivors(token)
    sweep.stop_marked(token)
    assert sweep.survivors(token) == []
