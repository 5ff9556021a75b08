from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from sciray.data.schema import arrow_schema, from_arrow_row, to_table
from sciray.types import (
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


def test_schema_types_follow_the_models():
    schema = arrow_schema(Problem)
    assert schema.names == list(Problem.model_fields)
    assert schema.field("id").type == pa.string()
    assert schema.field("elements").type == pa.list_(pa.string())
    quiz = schema.field("quizzes").type.value_type
    assert quiz.field("options").type == pa.map_(pa.string(), pa.string())
    assert schema.field("meta").type == pa.string()  # free-form: JSON text

    image = arrow_schema(Candidate).field("image").type
    assert image == pa.struct([pa.field("bytes", pa.binary()), pa.field("path", pa.string())])
    assert arrow_schema(Verdict).field("metrics").type == pa.map_(pa.string(), pa.float64())


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


def test_empty_table_needs_a_model():
    table = to_table([], Problem)
    assert table.num_rows == 0 and table.schema.equals(arrow_schema(Problem))
