"""Instructor and student commands for the graded course (autograder/, nbgrader):

  microlab grade generate|release|handout|collect|autograde|feedback|export|formgrader ...
  microlab check NOTEBOOK        (students: the visible checks)
  microlab solutions NOTEBOOK    (self-study with the full repository: the instructor's solutions)
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from microlab.settings import settings


def _grading():
    try:
        from microlab_grading import pipeline, paths
    except ModuleNotFoundError as exc:  # the student handout has no grading tools, on purpose
        raise SystemExit(f"microlab: grading is for instructors: this install has no grading tools "
                         f"({exc.name} is missing). Students: `microlab check NOTEBOOK` runs the "
                         "visible checks") from None
    return pipeline, paths


def add_commands(sub) -> None:
    grade = sub.add_parser("grade", help="the nbgrader pipeline: generate, release, collect, autograde, ...")
    steps = grade.add_subparsers(dest="step", required=True, metavar="STEP")

    p = steps.add_parser("generate", help="source/ -> release/ (solutions and hidden tests removed)")
    p.add_argument("assignments", nargs="*", help="default: every assignment")
    p.set_defaults(run=_generate)

    p = steps.add_parser("release", help="copy the generated student notebooks into notebooks/")
    p.add_argument("assignments", nargs="*")
    p.set_defaults(run=_release)

    p = steps.add_parser("handout", help="build the student handout: released notebooks, the shop, "
                                         "the runtime, visible checks; nothing of the grader's")
    p.add_argument("out", type=Path)
    p.set_defaults(run=_handout)

    p = steps.add_parser("collect", help="take submissions from a folder or a zip into submitted/")
    p.add_argument("assignment")
    p.add_argument("source", type=Path, help="folder or .zip of submissions")
    p.set_defaults(run=_collect)

    p = steps.add_parser("autograde", help="grade every collected submission, each in isolation")
    p.add_argument("assignment")
    p.add_argument("--student", action="append", help="only these students (repeatable)")
    p.add_argument("--jobs", type=int, default=None,
                   help="submissions graded at the same time (default: what this machine can take)")
    p.add_argument("--force", action="store_true", help="grade again the submissions already graded")
    shown = p.add_mutually_exclusive_group()
    shown.add_argument("--quiet", action="store_true", help="print only the infrastructure errors")
    shown.add_argument("--json", action="store_true", help="JSON lines: start, one per submission, summary")
    p.add_argument("--cell-timeout", type=int, default=120)
    p.add_argument("--notebook-timeout", type=int, default=600)
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="grade even where student code cannot be confined (it runs as you)")
    p.set_defaults(run=_autograde)

    p = steps.add_parser("feedback", help="HTML feedback per student, hidden tests' code removed")
    p.add_argument("assignment")
    p.set_defaults(run=_feedback)

    p = steps.add_parser("export", help="grades and failed checks of every submission as CSV")
    p.add_argument("--out", type=Path, default=Path("grades.csv"))
    p.add_argument("assignments", nargs="*")
    p.set_defaults(run=_export)

    p = steps.add_parser("formgrader", help="open JupyterLab on the course for manual grading (formgrader)")
    p.set_defaults(run=_formgrader)

    p = sub.add_parser("check", help="self-study: run a notebook's visible checks and report per exercise")
    p.add_argument("notebook", type=Path)
    p.add_argument("--cell-timeout", type=int, default=120)
    p.set_defaults(run=_check)

    p = sub.add_parser("solutions", help="self-study: print the instructor's reference solutions of a notebook")
    p.add_argument("notebook", help="e.g. 03-sync-communication or notebooks/03-sync-communication.ipynb")
    p.set_defaults(run=_solutions)


def _handout(args) -> None:
    _grading()
    from microlab_grading import handout

    out = handout.build(args.out)
    print(f"handout written to {out}: give students this folder (`make lab` inside it)")


def _solutions(args) -> None:
    course = settings().course
    if course is None or not (course / "source").is_dir():  # a student handout has none, on purpose
        raise SystemExit("microlab: no course here: the instructor's reference solutions come with the full "
                         "microlab repository (autograder/source), not with the student handout. Run this "
                         "inside a clone of the repository, or set MICROLAB_COURSE to its autograder/ folder")
    pipeline, paths = _grading()
    name = Path(args.notebook).stem
    if name not in paths.assignments(course):
        raise SystemExit(f"microlab: {name} is not a graded notebook; graded: {', '.join(paths.assignments(course))}")
    print(f"# The INSTRUCTOR'S REFERENCE SOLUTIONS of {name}, from the course's source "
          "(self-study: try each exercise first, then compare)")
    for grade_id, source in pipeline.solution_sources(name, course).items():
        print(f"\n# ---- {grade_id} (instructor's solution) ----\n{source}")


def _generate(args) -> None:
    pipeline, paths = _grading()
    names = args.assignments or paths.assignments()
    pipeline.generate(names)
    print(f"generated {', '.join(names)} into {paths.course_dir() / 'release'}")


def _release(args) -> None:
    pipeline, paths = _grading()
    for path in pipeline.release(args.assignments or paths.assignments()):
        print(f"released {path}")


def _collect(args) -> None:
    pipeline, _ = _grading()
    found = pipeline.collect_submissions(args.source, args.assignment)
    print(f"collected {len(found.students)} submission(s): {', '.join(found.students) or '-'}")
    for path, why in found.skipped.items():
        print(f"  skipped {path}: {why}")


def _autograde(args) -> int:
    pipeline, _ = _grading()
    from microlab_grading import events
    from microlab_grading.sandbox import Limits

    shown = events.Quiet() if args.quiet else events.JsonLines() if args.json else \
        events.RichProgress() if sys.stdout.isatty() else events.Events()
    jobs = args.jobs or pipeline.default_jobs()
    if args.jobs is None and not (args.quiet or args.json):
        print(f"--jobs {jobs} (what this machine can take; --jobs N to choose)")
    run = pipeline.autograde(args.assignment, students=args.student, jobs=jobs,
                             limits=Limits(cell=args.cell_timeout, notebook=args.notebook_timeout),
                             unsafe_no_sandbox=args.unsafe_no_sandbox, force=args.force, events=shown)
    if not (args.quiet or args.json or isinstance(shown, events.RichProgress)):
        print(f"graded {len(run.outcomes)} submission(s) in {run.seconds:.1f} s"
              + (f", {len(run.skipped)} skipped (already graded)" if run.skipped else ""))
    broken = run.infrastructure_errors
    if not args.json:
        for student, why in broken.items():
            print(f"INFRASTRUCTURE ERROR {student}: {why} (not the student's score: fix and grade again "
                  f"with --student {student})", file=sys.stderr)
    return 3 if broken else 0


def _feedback(args) -> None:
    pipeline, _ = _grading()
    for path in pipeline.feedback(args.assignment):
        print(f"feedback {path}")


def _export(args) -> None:
    pipeline, _ = _grading()
    count = pipeline.export(args.out, args.assignments or None)
    print(f"wrote {count} row(s) to {args.out}")


def _formgrader(args) -> None:
    _, paths = _grading()
    jupyter = Path(sys.executable).with_name("jupyter")
    course = paths.course_dir()
    os.chdir(course)  # nbgrader finds nbgrader_config.py in the server's directory
    argv = [str(jupyter), "lab", "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={course}",
            "--ServerApp.default_url=/formgrader"]
    if os.geteuid() == 0:  # containers and CI machines often run as root; Jupyter refuses by default
        argv.append("--ServerApp.allow_root=True")
    os.execv(jupyter, argv)


def _check(args) -> int:
    from microlab import selfstudy  # the runtime's: works without the grading tools

    if not args.notebook.exists():
        raise SystemExit(f"microlab: no such notebook: {args.notebook}")
    results, problems = selfstudy.run(args.notebook, cell_timeout=args.cell_timeout)
    print(selfstudy.report(args.notebook, results, problems))
    return 0 if selfstudy.all_pass(results) else 1
