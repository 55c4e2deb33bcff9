"""Feedback that tells students which check failed and why, without the hidden tests' code.

nbgrader's feedback shows every cell as graded, and the autograded notebook holds the hidden
test regions again, so out of the box it would publish them. This preprocessor removes the
hidden regions and shortens the error output of every test cell to its last line (the
exception and its message), because a traceback quotes the failing source lines.
"""
from __future__ import annotations

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

HIDDEN_NOTE = "# (hidden tests ran here; their code is not part of the feedback)"


class HideHiddenTests(NbGraderPreprocessor):
    begin = Unicode("### BEGIN HIDDEN TESTS").tag(config=True)
    end = Unicode("### END HIDDEN TESTS").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if not utils.is_grade(cell) or cell.cell_type != "code":
            return cell, resources
        cell.source = self._strip(cell.source)
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources

    def _strip(self, source: str) -> str:
        kept, hidden, noted = [], False, False
        for line in source.splitlines():
            if line.strip() == self.begin:
                hidden = True
                if not noted:
                    kept.append(HIDDEN_NOTE)
                    noted = True
            elif line.strip() == self.end:
                hidden = False
            elif not hidden:
                kept.append(line)
        return "\n".join(kept)
