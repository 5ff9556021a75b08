"""Pipeline rows on the wire: the problem travels once, each PNG once as raw bytes in
``images``, and ``read_state`` gives back exactly the typed state that was written."""

from __future__ import annotations

import json

import pyarrow as pa

from sciray.coder.imgcoder import CoderResult
from sciray.pipeline.rows import ARROW_SCHEMA, IMAGE_REF, new_row, read_state, write_state
from sciray.types import Candidate, ImageRef, Problem

PNG_A = b"\x89PNG\r\n\x1a\n" + b"a" * 5000
PNG_B = b"\x89PNG\r\n\x1a\n" + b"b" * 3000


def _state() -> CoderResult:
    problem = Problem(id="p1", question="A 2 kg block on a 30 degree ramp.")
    state = CoderResult.start(problem, 2)
    first = Candidate(
        problem_id="p1", attempt=0, sample=0, status="ok", image=ImageRef(bytes=PNG_A)
    )
    second = Candidate(
        problem_id="p1", attempt=1, sample=0, status="ok", image=ImageRef(bytes=PNG_B)
    )
    failed = Candidate(problem_id="p1", attempt=0, sample=1, status="render_failed")
    state.attempts = [first, second, failed]
    state.slots[0].last = second  # the same image in two places
    state.slots[1].last = failed
    return state


def test_state_round_trips_with_images_once_as_bytes() -> None:
    state = _state()
    row = new_row(problem_id="p1", kind="problem", problem=state.problem.model_dump_json())
    write_state(row, state)
    assert row["images"] == [PNG_A, PNG_B]  # each PNG once, raw
    assert len(row["state"]) < 3000 and "problem" not in json.loads(row["state"])
    assert IMAGE_REF in row["state"]
    assert state.attempts[0].image.bytes == PNG_A  # the caller's state is left whole
    back = read_state(row)
    assert back == state
    # the row survives Arrow as the source's blocks carry it
    table = pa.Table.from_pylist([row], schema=ARROW_SCHEMA)
    assert read_state(table.to_pylist()[0]) == state


def test_the_problem_column_is_the_only_copy() -> None:
    state = _state()
    row = new_row(problem_id="p1", kind="problem", problem=state.problem.model_dump_json())
    write_state(row, state)
    patched = state.problem.model_copy(update={"question": "Edited by quizgen."})
    row["problem"] = patched.model_dump_json()
    assert read_state(row).problem.question == "Edited by quizgen."


def test_rows_survive_ray_datas_numpy_batches() -> None:
    """A ``map_batches`` batch holds a list column's cells as numpy arrays: to_rows gives plain
    lists back and the state reads as written; a row without images has a null cell."""
    import numpy as np

    from sciray.pipeline.rows import from_rows, to_rows

    state = _state()
    row = new_row(problem_id="p1", kind="problem", problem=state.problem.model_dump_json())
    write_state(row, state)
    empty = new_row(problem_id="p2", kind="problem", problem=state.problem.model_dump_json())
    write_state(empty, CoderResult.start(state.problem, 1))
    assert empty["images"] is None
    batch = pa.Table.from_pylist([row, empty], schema=ARROW_SCHEMA).to_pydict()
    numpy_batch = {k: np.array(v + [None], dtype=object)[:-1] for k, v in batch.items()}
    numpy_batch["images"] = np.array([np.array(row["images"], dtype=object), None], dtype=object)
    rows = to_rows(numpy_batch)
    assert read_state(rows[0]) == state and read_state(rows[1]).attempts == []
    assert pa.Table.from_pydict(from_rows(rows), schema=ARROW_SCHEMA).num_rows == 2
