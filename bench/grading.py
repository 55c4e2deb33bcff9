"""A class of 03 graded two ways in one run: plain serial `nbgrader autograde` (each notebook
executed in the course directory, one after the other) and `microlab grade autograde`
(sandboxed, parallel, lean grader labs, one nbgrader for the records).

Generates N submissions (default 30: a third reference answers, a third blank, a third
wrong), grades the same set both ways on two private copies of the course, and prints both
times, the ratio, the projection for 100 students and the machine's load.
Target (issue 13): 100 submissions of 03 in at most 10 minutes on 2 cores, and at least 4x
faster than the serial nbgrader baseline.

Run: .venv/bin/python bench/grading.py [--count 30] [--jobs N] [--skip-baseline]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat

from microlab_grading import paths, pipeline

A = "03-sync-communication"
WRONG = {  # a plausible wrong answer per exercise: one mistake each
    "lab03_get_user_orders_answer": (", timeout=5)", ")"),  # no timeout
    "lab03_circuit_breaker_answer": ("self.failure_threshold = failure_threshold", "self.failure_threshold = 3"),
}


class Load:
    """The 1-minute load average, sampled every 5 s while a grading runs."""

    def __init__(self):
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(5):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> "Load":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def text(self) -> str:
        if not self.samples:
            return "load: (too short to sample)"
        return f"load: mean {sum(self.samples) / len(self.samples):.1f}, peak {max(self.samples):.1f}"


def copy_course(where: Path) -> Path:
    course = where / "autograder"
    course.mkdir(parents=True)
    for name in paths.COURSE_FILES:
        src = paths.course_dir() / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, course / name)
    pipeline.generate([A], course)
    return course


def submissions(course: Path, count: int, inbox: Path) -> None:
    blank = nbformat.read(course / "release" / A / f"{A}.ipynb", as_version=4)
    reference = pipeline.solution_sources(A, course)
    wrong = {g: reference[g].replace(old, new) for g, (old, new) in WRONG.items()}
    inbox.mkdir(parents=True)
    for i in range(count):
        kind = ("reference", "blank", "wrong")[i % 3]
        nb = blank if kind == "blank" else pipeline.fill_answers(blank, reference | (wrong if kind == "wrong" else {}))
        nbformat.write(nb, inbox / f"{kind}-{i:03d}.ipynb")


def baseline(course: Path, home: Path) -> float:
    """Plain nbgrader: every notebook executed in the course, serially (no sandbox)."""
    env = os.environ | {"MICROLAB_COURSE": str(course), "MICROLAB_HOME": str(home), "MICROLAB_BACKEND": "local"}
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    started = time.monotonic()
    try:
        subprocess.run([sys.executable, "-m", "nbgrader", "autograde", A, "--force",
                        f"--CourseDirectory.root={course}"], cwd=course, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:  # the notebooks' labs, whatever happened
        subprocess.run([sys.executable, "-m", "microlab.cli", "down", "--all"], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


class CpuMeter:
    """CPU seconds of everything one command starts, from a cgroup of its own (cgroup v1's
    cpuacct or v2; needs root): unlike the wall time, hardly changed by whatever else loads
    the machine. Rusage cannot tell: bubblewrap's pid namespaces do not pass it on."""

    PLACES = (("/sys/fs/cgroup/cpuacct", "cpuacct.usage", 1e9), ("/sys/fs/cgroup/unified", "cpu.stat", 1e6),
              ("/sys/fs/cgroup", "cpu.stat", 1e6))

    def __init__(self):
        self.dir = self.file = None
        for base, file, per_s in self.PLACES:
            folder = Path(base) / f"microlab-bench-{os.getpid()}"
            if (Path(base) / file).exists() or (Path(base) / "cgroup.controllers").exists():
                try:
                    folder.mkdir(exist_ok=True)
                except OSError:
                    continue
                if (folder / file).exists():
                    self.dir, self.file, self.per_s = folder, file, per_s
                    return

    def wrap(self, argv: list[str]) -> list[str]:
        """`argv`, started inside the cgroup: it and everything it starts count there (a shell
        moves itself in, then execs, rather than a preexec_fn beside the sampling thread)."""
        if self.dir is None:
            return argv
        return ["sh", "-c", f'echo $$ > "{self.dir}/cgroup.procs" && exec "$@"', "sh", *argv]

    def seconds(self) -> float | None:
        if self.dir is None:
            return None
        text = (self.dir / self.file).read_text()
        value = int(text) if self.file == "cpuacct.usage" else \
            int(next(line.split()[1] for line in text.splitlines() if line.startswith("usage_usec")))
        return value / self.per_s

    def close(self) -> None:
        if self.dir is not None:
            try:
                self.dir.rmdir()
            except OSError:  # something it started is still running
                pass


def microlab(course: Path, jobs: int | None) -> tuple[float, float | None, dict]:
    env = os.environ | {"MICROLAB_COURSE": str(course)}
    argv = [sys.executable, "-m", "microlab.cli", "grade", "autograde", A, "--json", "--force"]
    meter, started = CpuMeter(), time.monotonic()
    try:
        done = subprocess.run(meter.wrap([*argv, *(["--jobs", str(jobs)] if jobs else [])]), env=env,
                              capture_output=True, text=True)
        seconds, cpu = time.monotonic() - started, meter.seconds()
    finally:
        meter.close()
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines or lines[-1].get("event") != "summary":
        raise SystemExit(f"microlab grade autograde failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, cpu, {"start": lines[0], "summary": lines[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=None, help="microlab's --jobs (default: its own choice)")
    parser.add_argument("--skip-baseline", action="store_true", help="only time microlab grade autograde")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="microlab-bench-grading-") as tmp:
        root = Path(tmp)
        inbox = root / "inbox"
        ours = copy_course(root / "ours")
        submissions(ours, args.count, inbox)
        pipeline.collect_submissions(inbox, A, ours)
        print(f"{args.count} submissions of {A} (a third each: reference, blank, wrong); {os.cpu_count()} cores")
        with Load() as load:
            ours_s, ours_cpu, report = microlab(ours, args.jobs)
        summary = report["summary"]
        scores = sorted(summary["scores"].values())
        print(f"microlab grade autograde: {ours_s:7.1f} s  ({ours_s / args.count:.1f} s per submission, "
              f"--jobs {report['start']['jobs']}, {len(summary['infrastructure_errors'])} infrastructure "
              f"error(s), scores {scores[0]:g}..{scores[-1]:g}); {load.text()}")
        if ours_cpu is None:
            print("  CPU: not measured (no cgroup of its own can be made here: needs root)")
        else:
            print(f"  CPU: {ours_cpu:.0f} s ({ours_cpu / args.count:.1f} CPU-s per submission, "
                  f"target <= 10 on 2 cores)")
        print(f"  projection for 100 students: {ours_s / args.count * 100 / 60:.1f} min (target <= 10 min)")
        if args.skip_baseline:
            return
        theirs = copy_course(root / "theirs")
        pipeline.collect_submissions(inbox, A, theirs)
        with Load() as load:
            theirs_s = baseline(theirs, root / "home")
        print(f"serial nbgrader autograde: {theirs_s:7.1f} s  ({theirs_s / args.count:.1f} s per submission); "
              f"{load.text()}")
        print(f"  projection for 100 students: {theirs_s / args.count * 100 / 60:.1f} min")
        print(f"ratio: microlab is {theirs_s / ours_s:.1f}x faster (target >= 4x)")


if __name__ == "__main__":
    main()
