"""`python -m microlab.session COMMAND...`: run JupyterLab (what `make lab` does), and when it
ends, by File > Shut Down or Ctrl-C in the terminal, stop the labs started while it ran.

A notebook stopped before its clean-up cell (Run All that stopped half-way, a closed tab)
leaves its lab running; without this, ten containers or a JVM keep running after the
student has gone.

Which labs: only those started during the session, i.e. running at its end and not at its
start. A lab the student started before, from a terminal (`microlab up`) or from another
`make lab` still open, is theirs to keep and is left alone. (Two sessions open side by
side cannot tell each other's new labs apart: the first to end stops both; they are the
same user's, and `microlab status` shows what is left.)
"""
from __future__ import annotations

import signal
import subprocess
import sys

from microlab import roster
from microlab.errors import LabError
from microlab.sweep import describe


def stop(labs: dict[str, str], report=print) -> list[str]:
    """Stop each lab; report one line per lab stopped. Returns their ids."""
    from microlab.lab import make_backend

    stopped = []
    for lab_id, backend in sorted(labs.items()):
        try:
            lab = make_backend(backend, lab_id)
            what = lab.owned()
            lab.down()
        except LabError as exc:
            report(f"  could not stop lab {lab_id!r}: {exc}")
            continue
        report(f"  stopped lab {lab_id!r} ({backend}: {describe(what)})")
        stopped.append(lab_id)
    return stopped


def run(argv: list[str], report=print) -> int:
    before = set(roster.live())
    child = subprocess.Popen(argv)
    # Ctrl-C reaches the child from the terminal by itself (JupyterLab asks, then stops on
    # a second one); this process must outlive it to clean up. SIGTERM/SIGHUP (make killed,
    # terminal closed) are passed on to the child.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: child.send_signal(signum))
    code = child.wait()
    left = {k: v for k, v in roster.live().items() if k not in before}
    if left:
        report(f"{argv[0].rsplit('/', 1)[-1]} has ended: stopping the labs started during this session")
        stop(left, report)
    else:
        report("No lab started during this session is running: nothing to stop.")
    return code if code >= 0 else 128 - code


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: python -m microlab.session COMMAND [ARG...]", file=sys.stderr)
        return 2
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
