"""nbgrader configuration of the microlab course (this folder is the course directory).

Timeouts come from the environment (read by microlab.settings) so `microlab grade` and the grader tests can tighten them:
MICROLAB_CELL_TIMEOUT (seconds per cell, default 120) and MICROLAB_NOTEBOOK_TIMEOUT (seconds
per notebook, default 600). With MICROLAB_REPLAY_DIR set, autograde executes nothing and
records the outputs of the isolated runs found there (see microlab_grading/execution.py).
"""
from pathlib import Path

from nbgrader.preprocessors import (
    AssignLatePenalties, CheckCellMetadata, GetGrades, IgnorePattern, LimitOutput, SaveAutoGrades,
)
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor, ClearMetadataPreprocessor

from microlab.settings import settings
from microlab_grading.execution import ApplyVerdicts, BoundedExecute, ReplayExecute, TruncateOutput
from microlab_grading.feedback import HideHiddenTests

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.root = str(Path(__file__).resolve().parent)
c.CourseDirectory.course_id = "microlab"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".sandbox"]

# Generating the student version: solutions become a stub that fails loudly.
# The stub does nothing and raises nothing, so Run All reaches the last cell of a notebook
# whose exercises are not done yet (the check cells say what is missing).
c.ClearSolutions.code_stub = {"python": "pass  # YOUR CODE HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A deleted test cell comes back at grading time instead of silently costing nothing.
c.OverwriteCells.add_missing_cells = True

# Execution limits: a cell that runs too long is interrupted and recorded as failed, the
# notebook goes on; a notebook that runs too long has its remaining cells recorded as failed.
configured = settings()
c.Execute.timeout = configured.cell_timeout
c.BoundedExecute.timeout = configured.cell_timeout
c.BoundedExecute.notebook_timeout = configured.notebook_timeout
c.Execute.startup_timeout = 60
# A 100 MB print must not become a 100 MB notebook or gradebook.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

runner = ReplayExecute if configured.replay_dir else BoundedExecute
c.ReplayExecute.replay_dir = str(configured.replay_dir or "")
c.ApplyVerdicts.replay_dir = str(configured.replay_dir or "")
c.Autograde.autograde_preprocessors = [
    runner, TruncateOutput, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
    *([ApplyVerdicts] if configured.replay_dir else []), AssignLatePenalties, CheckCellMetadata,
]

# Feedback shows which check failed and why, never the hidden tests' code.
c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
