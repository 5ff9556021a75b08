from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import BaseModel

from sciray.data.schema import SchemaError, arrow_schema, arrow_type, from_arrow_row, to_table
from sciray.types import (
    ArrowPairs,
    Candidate,
    ImageRef,
    JudgeScores,
    Plan,
    Problem,
    Quiz,
    QuizAnswer,
    Scene,
    SceneText,
    TokenUsage,
    Verdict,
)


def _problem() -> Problem:
    quiz = Quiz(
        question="R?",
        options={"A": "r", "B": "R"},
        correct_option="B",
        evidence="radius R",
        meta={"group": 1},
    )
    return Problem(
        id="1751",
        question="Two rods",
        image_type="Physics - Electric",
        answer="2kQ/R",
        elements=["two rods"],
        quizzes=[quiz],
        reference_image="imgs/1751.png",
        meta={"nested": {"a": [1, 2]}},
    )


def _pairs(value: pa.DataType, key: str = "name", name: str = "value") -> pa.DataType:
    return pa.list_(pa.struct([pa.field(key, pa.string(), nullable=False), (name, value)]))


class _Inner(BaseModel):
    x: int
    y: float | None = None


@pytest.mark.parametrize(
    "annotation, expected",
    [
        (str, pa.string()),
        (int, pa.int64()),
        (float, pa.float64()),
        (bool, pa.bool_()),
        (bytes, pa.binary()),
        (Literal["python", "tikz"], pa.string()),
        (str | None, pa.string()),
        (list[str], pa.list_(pa.string())),
        (tuple[float, ...], pa.list_(pa.float64())),
        (list[list[int]], pa.list_(pa.list_(pa.int64()))),
        (
            _Inner,
            pa.struct([pa.field("x", pa.int64(), nullable=False), pa.field("y", pa.float64())]),
        ),
        (dict[str, float], _pairs(pa.float64())),
        (dict[str, float | None], _pairs(pa.float64())),
        (Annotated[dict[str, int], ArrowPairs("key", "count")], _pairs(pa.int64(), "key", "count")),
        (Any, pa.string()),  # free-form: JSON text
        (dict[str, Any], pa.string()),
    ],
)
def test_each_python_type_has_its_arrow_type(annotation, expected):
    assert arrow_type(annotation) == expected


def test_optional_fields_are_nullable_and_the_others_not():
    schema = arrow_schema(Plan)
    assert all(f.nullable for f in schema)
    problem = arrow_schema(Problem)
    assert not problem.field("id").nullable and problem.field("answer").nullable


class _Union(BaseModel):
    value: int | str


class _Keys(BaseModel):
    scores: dict[int, float]


class _Set(BaseModel):
    tags: set[str]


class _When(BaseModel):
    at: datetime


class _Mixed(BaseModel):
    kind: Literal["a", 1]


class _Loop(BaseModel):
    child: _Loop | None = None


class _Nested(BaseModel):
    items: list[_Union]


@pytest.mark.parametrize(
    "model, where, why",
    [
        (_Union, "_Union.value", "union"),
        (_Keys, "_Keys.scores", "keys must be str"),
        (_Set, "_Set.tags", "supported:"),
        (_When, "_When.at", "datetime"),
        (_Mixed, "_Mixed.kind", "Literal"),
        (_Loop, "_Loop", "contains itself"),
        (_Nested, "_Union.value", "union"),
    ],
)
def test_a_type_without_arrow_mapping_is_refused_with_the_field(model, where, why):
    with pytest.raises(SchemaError, match="Internal") as err:
        arrow_schema(model)
    assert where in str(err.value) and why in str(err.value)


def test_schema_types_follow_the_models():
    schema = arrow_schema(Problem)
    assert schema.names == list(Problem.model_fields)
    assert schema.field("id").type == pa.string()
    assert schema.field("elements").type == pa.list_(pa.string())
    quiz = schema.field("quizzes").type.value_type
    assert quiz.field("options").type == _pairs(pa.string())  # not a map: datasets loads it
    assert schema.field("meta").type == pa.string()  # free-form: JSON text

    image = arrow_schema(Candidate).field("image").type
    assert image == pa.struct([pa.field("bytes", pa.binary()), pa.field("path", pa.string())])
    assert arrow_schema(Verdict).field("metrics").type == _pairs(pa.float64())
    assert b"huggingface" in arrow_schema(Candidate).metadata  # image declared for datasets
    assert arrow_schema(Problem).metadata is None


def test_records_round_trip_through_parquet(tmp_path):
    problem = _problem()
    candidate = Candidate(
        problem_id="1751",
        attempt=1,
        status="ok",
        engine="scripted",
        model="m",
        prompt_version="v1",
        plan=Plan(content="rods", labels="R, +Q"),
        code="print(1)",
        image=ImageRef(bytes=b"\x89PNG", path="1751.png"),
        render_status="ok",
        render_ms=12.5,
        scene=Scene(
            texts=[SceneText(text="R", bbox=[1, 2, 3, 4])], overlaps=[[0, 0]], artists={"Line2D": 2}
        ),
        sandbox=["landlock", "seccomp"],
        usage=TokenUsage(prompt_tokens=3, completion_tokens=4),
    )
    verdict = Verdict(
        problem_id="1751",
        checks={"rendered": 1.0, "label_recall": 0.5},
        quiz_answers=[QuizAnswer(index=0, raw="B", answer="B", correct=True)],
        r_inv=1.0,
        judge=JudgeScores(CF=2, LP=1, RO=2, SP=2, ER=0),
        metrics={"psnr": 14.2, "fid": None},
        accepted=True,
    )
    for record in (problem, candidate, verdict):
        path = tmp_path / f"{type(record).__name__}.parquet"
        pq.write_table(to_table([record]), path)
        back = pq.read_table(path)
        assert back.schema.equals(arrow_schema(type(record)))
        assert from_arrow_row(type(record), back.to_pylist()[0]) == record


def test_rows_missing_fields_take_the_defaults_and_old_map_values_still_read():
    back = from_arrow_row(Verdict, {"problem_id": "x", "checks": [("rendered", 1.0)]})
    assert back == Verdict(problem_id="x", checks={"rendered": 1.0})


def test_empty_table_needs_a_model():
    table = to_table([], Problem)
    assert table.num_rows == 0 and table.schema.equals(arrow_schema(Problem))
