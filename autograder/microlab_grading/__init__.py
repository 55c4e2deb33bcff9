"""microlab's grading tools: the nbgrader pipeline, the live-lab checks, self-study reports.

The nbgrader course directory is autograder/ (this package lives inside it). Instructors use
it through `microlab grade ...`; students meet it through the check cells of the notebooks
and `microlab check NOTEBOOK`.
"""
