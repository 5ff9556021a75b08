"""The rows that flow through the synthesis pipeline, and batch <-> row conversion.

One row per input problem from start to end, so counts always add up: ``kind`` is ``problem``
or ``quarantined`` (bad input, with ``reason`` and ``source``); a stage that gives up on a row
sets ``failed_stage`` and ``error`` and every later stage passes it through untouched.

On the wire the problem travels once, as a ``Problem`` struct; ``verdict`` is a ``ShardVerdict``
struct (the shard's own verdict type) and ``timings`` a list of {stage, seconds}, both derived
from the records (``arrow_row_schema()``), so a user can query status, reasons and R_inv between
stages. The coder's working state (``state``: the ``CoderResult`` without its problem) is
pydantic's JSON: as a nested struct (~100 child arrays) Ray's own Arrow reducer cost a third of
the pipeline's throughput on the one-row blocks (``benchmarks/pipeline.py`` ratio 0.37-0.41
against 0.55 as JSON, same machine and hour; measured before blocks crossed as Arrow IPC, see
``sciray.cluster.arrow_wire``, and not since), and it is internal: the shards store it typed. Every
rendered PNG travels once, as raw bytes in ``images`` (list<binary>): a candidate's image points
into it (``ImageRef.path`` = ``row-images:<i>``), so no stage re-encodes images. Stages take and
return Arrow tables and never touch a column's encoding: ``read_problem`` / ``read_state`` /
``read_verdict`` give the typed records and ``write_*`` store them.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import pyarrow as pa

from sciray.types import ArrowPairs

if TYPE_CHECKING:
    from sciray.coder.imgcoder import CoderResult
    from sciray.types import Problem, ShardVerdict

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

Timings = Annotated[dict[str, float], ArrowPairs(key="stage", value="seconds")]
"""Seconds each stage spent on the row, stored as ``[{stage, seconds}]``."""


@cache
def arrow_row_schema() -> pa.Schema:
    """The Arrow schema of a pipeline row (the source's blocks and every stage's output)."""
    from sciray.data.schema import arrow_struct, arrow_type
    from sciray.types import Problem, ShardVerdict

    types = {
        "problem": arrow_struct(Problem),
        "state": pa.string(),
        "images": pa.list_(pa.binary()),
        "done": pa.bool_(),
        "verdict": arrow_struct(ShardVerdict),
        "timings": arrow_type(Timings),
    }
    return pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])


IMAGE_REF = "row-images:"
"""``ImageRef.path`` prefix of an image whose bytes sit in the row's ``images`` column."""


def new_row(**values: Any) -> dict[str, Any]:
    row = dict.fromkeys(COLUMNS)
    row.update(values)
    return row


def to_rows(batch: pa.Table | dict[str, Any]) -> list[dict[str, Any]]:
    """A ``map_batches`` batch (an Arrow table, or a dict of columns) as a list of row dicts."""
    if isinstance(batch, pa.Table):
        return batch.to_pylist()
    n = len(next(iter(batch.values()))) if batch else 0
    names = list(batch)
    return [{name: _plain(batch[name][i]) for name in names} for i in range(n)]


def from_rows(rows: list[dict[str, Any]]) -> pa.Table:
    """Row dicts as an Arrow table with the pipeline's schema (what every stage returns)."""
    return pa.Table.from_pylist(
        [{name: row.get(name) for name in COLUMNS} for row in rows], schema=arrow_row_schema()
    )


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
    from sciray.data.schema import from_arrow_row
    from sciray.types import Problem

    return from_arrow_row(Problem, row["problem"])


def write_problem(row: dict[str, Any], problem: Problem) -> None:
    from sciray.data.schema import to_arrow_row

    row["problem"] = to_arrow_row(problem)


def read_state(row: dict[str, Any]) -> CoderResult:
    """The row's ``CoderResult``: its problem from ``problem``, its images from ``images``."""
    from sciray.coder.imgcoder import CoderResult
    from sciray.types import ImageRef

    state = CoderResult.model_validate({**json.loads(row["state"]), "problem": read_problem(row)})
    images = row.get("images")
    images = [] if images is None else list(images)
    for cand in _candidates(state):
        path = cand.image.path if cand.image is not None else None
        if path and path.startswith(IMAGE_REF):
            cand.image = ImageRef(bytes=images[int(path[len(IMAGE_REF) :])])
    return state


def write_state(row: dict[str, Any], state: CoderResult) -> None:
    """Store ``state`` in the row: ``state`` (without the problem and without image bytes),
    ``images`` (each distinct PNG once) and ``done``."""
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
        # the problem travels in "problem"; fields at their defaults are left out (read_state
        # restores them), so a row carries what happened, not every empty field
        encoded = state.model_dump_json(exclude={"problem"}, exclude_defaults=True)
    finally:
        for cand, image in kept:  # the caller's state keeps its images
            cand.image = image
    # null rather than an empty list: a block of image-less rows must not type the column
    row["state"], row["images"], row["done"] = encoded, images or None, state.done


def read_verdict(row: dict[str, Any]) -> ShardVerdict | None:
    """The row's verdict, or None before validation decided one."""
    from sciray.data.schema import from_arrow_row
    from sciray.types import ShardVerdict

    value = row.get("verdict")
    return None if value is None else from_arrow_row(ShardVerdict, value)


def write_verdict(row: dict[str, Any], verdict: ShardVerdict) -> None:
    from sciray.data.schema import to_arrow_row

    row["verdict"] = to_arrow_row(verdict)


def read_timings(row: dict[str, Any]) -> dict[str, float]:
    """Seconds per stage spent on the row so far."""
    return {t["stage"]: t["seconds"] for t in row.get("timings") or ()}


def add_time(row: dict[str, Any], stage: str, seconds: float) -> None:
    timings = read_timings(row)
    timings[stage] = round(timings.get(stage, 0.0) + seconds, 4)
    row["timings"] = [{"stage": k, "seconds": v} for k, v in timings.items()]


def _candidates(state: CoderResult):
    yield from state.attempts
    for slot in state.slots:
        if slot.last is not None:
            yield slot.last
