"""Imported first by the grader's own short-lived processes (runner, judge, recorder): what
their imports would load for nothing.

nbformat imports jsonschema, which, when rfc3987_syntax is installed (jupyter-events pulls it
in), builds that package's IRI grammar with lark at import time: 0.75-0.9 CPU-s in every
process that imports nbformat, twice per graded submission. It only serves jsonschema's
"iri" format checks, which no notebook schema uses (nbformat validates without formats), so
these processes make its import fail and jsonschema skips those two checks, as it does
whenever the package is not installed.
"""
from __future__ import annotations

import sys

UNUSED = ("rfc3987_syntax",)

for _name in UNUSED:
    if _name not in sys.modules:  # already imported: keep what is there
        sys.modules[_name] = None  # `import` raises ImportError, which jsonschema expects
