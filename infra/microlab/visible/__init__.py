"""The public, visible checks of each graded notebook (one module per notebook). They ship
with the student handout; the grader's own checks live in the instructor's course only."""
