"""The rows that flow through the synthesis pipeline, and batch <-> row conversion.

One row per input problem from start to end, so counts always add up: ``kind`` is ``problem``
or ``quarantined`` (bad input, with ``reason`` and ``source``); a stage that gives up on a row
sets ``failed_stage`` and ``error`` and every later stage passes it through untouched. Nested
state travels as JSON text (Arrow-friendly, and the same bytes on every node).
"""

from __future__ import annotations

from typing import Any

COLUMNS = (
    "problem_id",
    "kind",
    "source",
    "reason",
    "problem",
    "state",
    "done",
    "verdict",
    "failed_stage",
    "error",
    "timings",
)

SOURCE_COLUMNS = frozenset({"problem_id", "kind", "source", "reason", "problem", "state", "done"})
"""What the source fills in; every later column is some stage's (``Stage.writes``)."""


def new_row(**values: Any) -> dict[str, Any]:
    row = dict.fromkeys(COLUMNS)
    row.update(values)
    return row


def to_rows(batch: dict[str, Any]) -> list[dict[str, Any]]:
    """A ``map_batches`` batch (dict of columns) as a list of row dicts."""
    n = len(next(iter(batch.values()))) if batch else 0
    names = list(batch)
    return [{name: _plain(batch[name][i]) for name in names} for i in range(n)]


def from_rows(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {name: [row.get(name) for row in rows] for name in COLUMNS}


def _plain(value: Any) -> Any:
    # numpy scalars from Arrow -> plain Python; an all-null column arrives as float NaN
    if hasattr(value, "item") and not isinstance(value, (bytes, str)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            return value
    if isinstance(value, float) and value != value:
        return None
    return value


def active(row: dict[str, Any]) -> bool:
    """Still being worked on: a valid problem that no stage has given up on."""
    return row.get("kind") == "problem" and not row.get("failed_stage")
