"""The rows that flow through the synthesis pipeline, and batch <-> row conversion.

One row per input problem from start to end, so counts always add up: ``kind`` is ``problem``
or ``quarantined`` (bad input, with ``reason`` and ``source``); a stage that gives up on a row
sets ``failed_stage`` and ``error`` and every later stage passes it through untouched.

Stages never parse columns themselves: ``read_problem`` / ``read_state`` / ``write_state`` turn a
row into the typed ``Problem`` and ``CoderResult`` and back. On the wire the problem travels once
(``problem``, JSON), the coder state without it (``state``, JSON) and every rendered PNG once, as
raw bytes in ``images`` (a list<binary> column): a candidate's image points into it
(``ImageRef.path`` = ``row-images:<i>``), so no stage re-encodes images as base64.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    from sciray.coder.imgcoder import CoderResult
    from sciray.types import Problem

COLUMNS = (
    "problem_id",
    "kind",
    "source",
    "reason",
    "problem",
    "state",
    "images",
    "done",
    "verdict",
    "failed_stage",
    "error",
    "timings",
)

SOURCE_COLUMNS = frozenset(
    {"problem_id", "kind", "source", "reason", "problem", "state", "images", "done"}
)
"""What the source fills in; every later column is some stage's (``Stage.writes``)."""


ARROW_SCHEMA = pa.schema(
    [
        (c, pa.bool_() if c == "done" else pa.list_(pa.binary()) if c == "images" else pa.string())
        for c in COLUMNS
    ]
)
"""The Arrow schema of a pipeline row (what the source's blocks are built with)."""

IMAGE_REF = "row-images:"
"""``ImageRef.path`` prefix of an image whose bytes sit in the row's ``images`` column."""


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
    # numpy scalars and arrays (a list column's cell) from Arrow -> plain Python; an all-null
    # column arrives as float NaN
    if hasattr(value, "tolist") and getattr(value, "ndim", 0) > 0:
        return value.tolist()
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


def read_problem(row: dict[str, Any]) -> Problem:
    from sciray.types import Problem

    return Problem.model_validate_json(row["problem"])


def read_state(row: dict[str, Any]) -> CoderResult:
    """The row's ``CoderResult``: its problem from ``problem``, its images from ``images``."""
    from sciray.coder.imgcoder import CoderResult
    from sciray.types import ImageRef

    data = json.loads(row["state"])
    data["problem"] = json.loads(row["problem"])
    state = CoderResult.model_validate(data)
    images = row.get("images")
    images = [] if images is None else list(images)
    for cand in _candidates(state):
        path = cand.image.path if cand.image is not None else None
        if path and path.startswith(IMAGE_REF):
            cand.image = ImageRef(bytes=images[int(path[len(IMAGE_REF) :])])
    return state


def write_state(row: dict[str, Any], state: CoderResult) -> None:
    """Store ``state`` in the row: ``state`` (JSON without the problem and without image bytes),
    ``images`` (each distinct PNG once) and ``done``."""
    from pydantic_core import to_json

    from sciray.types import ImageRef

    images: list[bytes] = []
    index: dict[bytes, int] = {}
    kept = []
    for cand in _candidates(state):
        if cand.image is not None and cand.image.bytes is not None:
            i = index.setdefault(cand.image.bytes, len(images))
            if i == len(images):
                images.append(cand.image.bytes)
            kept.append((cand, cand.image))
            cand.image = ImageRef(path=f"{IMAGE_REF}{i}")
    try:
        row["state"] = to_json(state.model_dump(mode="json", exclude={"problem"})).decode()
    finally:
        for cand, image in kept:  # the caller's state keeps its images
            cand.image = image
    # null rather than an empty list: a block of image-less rows must not type the column
    row["images"], row["done"] = images or None, state.done


def _candidates(state: CoderResult):
    yield from state.attempts
    for slot in state.slots:
        if slot.last is not None:
            yield slot.last
