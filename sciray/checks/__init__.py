"""Cheap deterministic checks of a rendered candidate, run before any model looks at it.

- ``extract_givens(question)``: the values and names a problem states (``givens``);
- ``label_recall`` / ``missing_givens``: which of them the image's visible labels show (``labels``);
- ``answer_leak``: whether a label gives the final answer away (``labels``);
- ``run_checks``: every check of one candidate as a ``CheckReport`` (``run``).

Everything here is a pure function of its arguments: no I/O, no Ray, no models.
"""

from sciray.checks.givens import Given, extract_givens, strip_options
from sciray.checks.labels import (
    answer_leak,
    answer_values,
    label_recall,
    missing_givens,
    visible_labels,
    visible_texts,
)
from sciray.checks.latex import to_plain
from sciray.checks.numbers import find_numbers, same_value
from sciray.checks.run import WEIGHTS, CheckReport, run_checks

__all__ = [
    "WEIGHTS",
    "CheckReport",
    "Given",
    "answer_leak",
    "answer_values",
    "extract_givens",
    "find_numbers",
    "label_recall",
    "missing_givens",
    "run_checks",
    "same_value",
    "strip_options",
    "to_plain",
    "visible_labels",
    "visible_texts",
]
