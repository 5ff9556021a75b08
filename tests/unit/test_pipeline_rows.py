"""Pipeline rows on the wire: typed Arrow columns derived from the records (problem and verdict
as structs, timings as {stage, seconds} pairs), the coder state as JSON without its problem, each
PNG once as raw bytes in ``images``, and ``read_*`` give back exactly the records written."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc

from sciray.coder.imgcoder import CoderResult
from sciray.pipeline.rows import (
    IMAGE_REF,
    add_time,
    arrow_row_schema,
    from_rows,
    new_row,
    read_problem,
    read_state,
    read_timings,
    read_verdict,
    to_rows,
    write_problem,
    write_state,
    write_verdict,
)
from sciray.pipeline.writer import shard_verdict
from sciray.types import Candidate, ImageRef, Problem, QuizAnswer

PNG_A = b"\x89PNG\r\n\x1a\n" + b"a" * 5000
PNG_B = b"\x89PNG\r\n\x1a\n" + b"b" * 3000


def _state() -> CoderResult:
    problem = Problem(id="p1", question="A 2 kg block on a 30 degree ramp.")
    state = CoderResult.start(problem, 2)
    first = Candidate(
        problem_id="p1",
        attempt=0,
        sample=0,
        status="ok",
        image=ImageRef(bytes=PNG_A),
        scene_spec={"domain": "mechanics", "bodies": [{"kind": "block", "label": "2 kg"}]},
        checks={"rendered": 1.0, "not_blank": 0.5},
    )
    second = Candidate(
        problem_id="p1", attempt=1, sample=0, status="ok", image=ImageRef(bytes=PNG_B)
    )
    failed = Candidate(problem_id="p1", attempt=0, sample=1, status="render_failed")
    state.attempts = [first, second, failed]
    state.slots[0].last = second  # the same image in two places
    state.slots[1].last = failed
    return state


def _row(state: CoderResult) -> dict:
    row = new_row(problem_id=state.problem.id, kind="problem")
    write_problem(row, state.problem)
    write_state(row, state)
    return row


def test_state_round_trips_through_typed_arrow_columns_with_images_once() -> None:
    state = _state()
    row = _row(state)
    assert row["images"] == [PNG_A, PNG_B]  # each PNG once, raw
    state_json = json.loads(row["state"])
    assert "problem" not in state_json and len(row["state"]) < 3000
    assert state_json["attempts"][1]["image"]["path"] == f"{IMAGE_REF}1"
    assert state.attempts[0].image.bytes == PNG_A  # the caller's state is left whole
    assert read_state(row) == state
    table = from_rows([row])
    schema = arrow_row_schema()
    assert table.schema == schema
    for column in ("problem", "verdict"):
        assert pa.types.is_struct(schema.field(column).type), column
    assert schema.field("images").type == pa.list_(pa.binary())
    back = to_rows(table)[0]
    assert read_state(back) == state
    assert read_state(back).attempts[0].scene_spec["bodies"][0]["label"] == "2 kg"


def test_the_problem_column_is_the_only_copy() -> None:
    state = _state()
    row = _row(state)
    patched = state.problem.model_copy(update={"question": "Edited by quizgen."})
    write_problem(row, patched)
    assert read_problem(row) == patched
    assert read_state(row).problem.question == "Edited by quizgen."


def test_verdict_and_timings_are_queryable_struct_columns() -> None:
    state = _state()
    accepted, rejected = _row(state), _row(state)
    answers = [QuizAnswer(index=0, answer="B", correct=True).model_dump()]
    write_verdict(
        accepted,
        shard_verdict({"accepted": True, "r_inv": 0.75, "quiz_answers": answers, "odd": 1}),
    )
    write_verdict(rejected, shard_verdict({"accepted": False, "reason": "r_inv 0.25 < 0.5"}))
    add_time(accepted, "coder", 1.5)
    add_time(accepted, "coder", 2.0)
    add_time(accepted, "validate", 0.25)
    assert read_timings(accepted) == {"coder": 3.5, "validate": 0.25}
    pending = _row(state)  # not validated yet
    table = from_rows([accepted, rejected, pending])
    status = pc.struct_field(table["verdict"], "status")
    r_inv = pc.struct_field(table["verdict"], "r_inv")
    assert status.to_pylist() == ["accepted", "rejected", None]
    assert r_inv.type == pa.float64() and r_inv.to_pylist() == [0.75, None, None]
    rows = to_rows(table)
    verdict = read_verdict(rows[0])
    assert verdict.accepted and verdict.quiz_answers[0].correct and verdict.meta == {"odd": 1}
    assert read_verdict(rows[2]) is None
    assert read_timings(rows[0]) == {"coder": 3.5, "validate": 0.25}


def test_quarantined_and_image_less_rows_fit_the_schema() -> None:
    state = _state()
    empty = new_row(problem_id="p2", kind="problem")
    write_problem(empty, state.problem)
    write_state(empty, CoderResult.start(state.problem, 1))
    assert empty["images"] is None  # null, not an empty list
    bad = new_row(kind="quarantined", source="a.jsonl:3", reason="no question")
    rows = to_rows(from_rows([empty, bad]))
    assert read_state(rows[0]).attempts == [] and rows[1]["problem"] is None


def test_dict_batches_with_numpy_cells_become_plain_rows() -> None:
    """Batches that reach a stage as a dict of numpy columns (Ray's "numpy" format) read too."""
    import numpy as np

    row = _row(_state())
    batch = {k: np.array([v, None], dtype=object) for k, v in row.items()}
    batch["images"] = np.array([np.array(row["images"], dtype=object), None], dtype=object)
    rows = to_rows(batch)
    assert rows[0]["images"] == [PNG_A, PNG_B] and rows[1]["problem"] is None
    assert read_state(rows[0]) == _state()
