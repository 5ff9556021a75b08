"""What SciRay stores: shards from ``ShardWriter`` and ``scores.parquet`` from ``sciray eval`` have
typed columns derived from the records, and load with pyarrow and with Hugging Face ``datasets``."""

from __future__ import annotations

import io
import json

import fsspec
import pyarrow.parquet as pq
import pytest
from PIL import Image, ImageDraw

from sciray.cli.main import main
from sciray.coder.imgcoder import CoderResult
from sciray.data.schema import from_arrow_row
from sciray.pipeline.writer import SHARD_SCHEMA, ShardWriter, shard_row, shard_verdict, written
from sciray.types import (
    Candidate,
    ImageRef,
    Plan,
    Problem,
    Quiz,
    QuizAnswer,
    Scene,
    SceneText,
    ShardRow,
)

QUIZ = Quiz(
    question="Which mass is labelled on the block?",
    options={"A": "1 kg", "B": "2 kg", "C": "3 kg", "D": "4 kg"},
    correct_option="B",
    evidence="2 kg",
)
JUDGE = {"CF": 2, "LP": 1, "RO": 2, "SP": 2, "ER": 1}
# what ValidateStage and JudgeStage leave in a row (cascade keys, plus one the record lacks)
VERDICT = {
    "cascade": "vision",
    "cheap_r_inv": 1.0,
    "r_inv": 1.0,
    "validator": "vision",
    "quiz_status": "ok",
    "quiz_answers": [QuizAnswer(index=0, raw="**B**", answer="B", correct=True).model_dump()],
    "accepted": True,
    "reason": "r_inv 1.00",
    "checks": {"rendered": 1.0, "label_recall": 1.0},
    "check_reasons": [],
    "label_recall": 1.0,
    "judge": JUDGE,
    "judge_total": 8,
    "judge_status": "ok",
    "timing_s": 2.5,
}


def _png(text: str, size=(96, 64)) -> bytes:
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text((8, 24), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _accepted() -> CoderResult:
    problem = Problem(
        id="p1",
        question="A block of mass 2 kg rests on a ramp.",
        image_type="Physics - Mechanics",
        answer="9.8 N",
        quizzes=[QUIZ],
        meta={"source": "test"},
    )
    failed = Candidate(
        problem_id="p1", status="render_failed", render_status="error", render_error="line 3"
    )
    best = Candidate(
        problem_id="p1",
        attempt=1,
        status="ok",
        engine="scripted",
        model="m",
        prompt_version="imgcoder-v3",
        plan=Plan(content="A block on a ramp", labels="2 kg"),
        code="ax.text(0.1, 0.5, '2 kg')",
        image=ImageRef(bytes=_png("2 kg"), path="tmp.png"),
        render_status="ok",
        scene=Scene(
            texts=[SceneText(text="2 kg", bbox=[8, 24, 40, 36])], artists={"Text": 1}, size=[96, 64]
        ),
        sandbox=["landlock", "seccomp"],
        origin="repair",
        scene_spec={"domain": "mechanics", "bodies": [{"kind": "block", "label": "2 kg"}]},
        checks={"rendered": 1.0, "label_recall": 1.0},
        label_recall=1.0,
        score=1.0,
    )
    return CoderResult(problem=problem, attempts=[failed, best])


def _rejected() -> CoderResult:
    problem = Problem(id="p2", question="Two masses of 3 kg hang from a pulley.")
    return CoderResult(problem=problem, attempts=[Candidate(problem_id="p2", status="no_code")])


@pytest.fixture
def run(tmp_path):
    """A run folder with one accepted and one rejected shard, written as ``sciray synth`` does."""
    fs, root = fsspec.filesystem("file"), str(tmp_path / "run")
    versions = json.dumps({"pyarrow": "1.0"})
    for kind, state, verdict in (
        ("accepted", _accepted(), VERDICT),
        ("rejected", _rejected(), {"accepted": False, "reason": "no_code", "stage": "coder"}),
    ):
        writer = ShardWriter(fs, f"{root}/{kind}", shard_rows=8)
        writer.add(shard_row(state, shard_verdict(verdict), "h1", versions))
        writer.flush()
    return tmp_path / "run"


@pytest.fixture
def hf_datasets(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    datasets = pytest.importorskip("datasets")

    def load(path):
        return datasets.load_dataset(
            "parquet", data_files=str(path), split="train", cache_dir=str(tmp_path / "hf-cache")
        )

    return datasets, load


def test_shard_columns_are_typed_structs(run):
    (path,) = run.glob("accepted/part-*.parquet")
    table = pq.read_table(path)
    assert table.schema.equals(SHARD_SCHEMA) and "map<" not in str(table.schema)
    row = table.to_pylist()[0]
    assert (
        row["status"] == "accepted" and row["config_hash"] == "h1" and row["subject"] == "Physics"
    )
    verdict = row["verdict"]
    assert isinstance(verdict["r_inv"], float) and verdict["status"] == "accepted"
    assert verdict["checks"] == [
        {"name": "rendered", "score": 1.0},
        {"name": "label_recall", "score": 1.0},
    ]
    assert verdict["quiz_answers"][0] == {
        "index": 0,
        "raw": "**B**",
        "answer": "B",
        "correct": True,
        "status": "ok",
    }
    assert verdict["judge"] == JUDGE and verdict["judge_total"] == 8
    assert verdict["cascade"] == "vision" and json.loads(verdict["meta"]) == {"timing_s": 2.5}
    assert row["scene"]["texts"][0]["text"] == "2 kg"
    assert row["scene"]["artists"] == [{"name": "Text", "value": 1}]
    assert row["plan"]["labels"] == "2 kg" and row["code"].startswith("ax.text")
    assert row["problem"]["answer"] == "9.8 N"
    assert row["problem"]["quizzes"][0]["options"][1] == {"name": "B", "value": "2 kg"}
    assert [(a["attempt"], a["has_image"], a["origin"]) for a in row["attempts"]] == [
        (0, False, "first"),
        (1, True, "repair"),
    ]
    assert "image" not in row["attempts"][0]  # the chosen image is stored once
    assert row["image"]["bytes"].startswith(b"\x89PNG") and row["image"]["path"] == "p1.png"
    assert row["lineage"]["package_versions"] == [{"name": "pyarrow", "version": "1.0"}]
    assert row["lineage"]["sandbox"] == ["landlock", "seccomp"]
    assert row["checks"] == verdict["checks"] and row["r_inv"] == 1.0


def test_a_shard_row_reads_back_as_the_records_it_was_made_of(run):
    (path,) = run.glob("accepted/part-*.parquet")
    back = from_arrow_row(ShardRow, pq.read_table(path).to_pylist()[0])
    state = _accepted()
    assert back.problem == state.problem and back.scene == state.best.scene
    assert back.plan == state.best.plan and back.verdict == shard_verdict(VERDICT)
    assert back.attempts[1].checks == state.best.checks
    assert Scene.model_validate(pq.read_table(path).to_pylist()[0]["scene"]) == state.best.scene


def test_eval_finds_the_image_scene_and_scene_description_in_the_shards(run):
    from sciray.evaluation.images import find_images

    entries = find_images(str(run), ["p1", "p2"])
    state = _accepted()
    assert entries["p1"].data == state.best.image.bytes
    assert entries["p1"].scene_spec == state.best.scene_spec
    assert entries["p2"].data is None and entries["p2"].scene_spec is None


def test_a_verdict_with_missing_keys_still_maps(run):
    verdict = shard_verdict({})
    assert verdict.status == "rejected" and verdict.r_inv is None and verdict.judge is None
    (path,) = run.glob("rejected/part-*.parquet")
    row = pq.read_table(path).to_pylist()[0]
    assert row["verdict"]["stage"] == "coder" and row["verdict"]["quiz_answers"] == []
    assert (
        row["image"] is None and row["scene"] is None and row["attempts"][0]["has_image"] is False
    )


def test_resume_index_reads_the_typed_shards(run):
    fs = fsspec.filesystem("file")
    assert written(fs, str(run), "h1") == {"accepted": {"p1"}, "rejected": {"p2"}}
    assert written(fs, str(run), "other") == {"accepted": set(), "rejected": set()}


def test_shards_load_with_hugging_face_datasets(run, hf_datasets):
    datasets, load = hf_datasets
    ds = load(run / "accepted" / "*.parquet")
    assert ds.features["image"] == datasets.Image()
    row = ds[0]
    assert isinstance(row["image"], Image.Image) and row["image"].size == (96, 64)
    assert isinstance(row["verdict"]["r_inv"], float) and row["verdict"]["accepted"] is True
    assert row["verdict"]["judge"]["CF"] == 2
    assert row["scene"]["texts"][0]["text"] == "2 kg"
    assert row["problem"]["quizzes"][0]["correct_option"] == "B"
    assert row["attempts"][1]["plan"]["content"] == "A block on a ramp"
    both = load(run / "*" / "*.parquet")  # accepted and rejected share one schema
    assert sorted(both["problem_id"]) == ["p1", "p2"]


def _eval(run, tmp_path, capsys):
    problems = tmp_path / "problems.jsonl"
    problems.write_text(
        "".join(
            s.problem.model_dump_json(exclude={"meta"}) + "\n" for s in (_accepted(), _rejected())
        )
    )
    script = tmp_path / "answers.json"
    script.write_text(
        json.dumps(
            [
                {"match": "grading a scientific diagram", "text": json.dumps(JUDGE)},
                {"match": ".", "text": "B"},
            ]
        )
    )
    out = tmp_path / "eval"
    args = ["eval", "--problems", str(problems), "--images", str(run), "--out", str(out)]
    args += ["--metrics", "checks,quiz,judge", "--json"]
    for engine in ("validator", "judge"):
        args += ["--set", f"{engine}.engine=scripted", "--set", f"{engine}.script={script}"]
    args += ["--set", "validator.mode=vision", "--set", "judge.enabled=true"]
    assert main(args) == 0, capsys.readouterr().err
    return out / "scores.parquet"


def test_scores_are_typed_and_load_with_pyarrow_and_datasets(run, tmp_path, capsys, hf_datasets):
    path = _eval(run, tmp_path, capsys)
    table = pq.read_table(path)
    assert "map<" not in str(table.schema)
    by_id = {r["problem_id"]: r for r in table.to_pylist()}
    p1 = by_id["p1"]
    assert {"name": "not_blank", "score": 1.0} in p1["checks"]
    # the scene came back from the shard's struct: the label check read its texts
    assert p1["label_recall"] == 1.0
    assert p1["quiz_answers"][0]["raw"] == "B" and p1["quiz_answers"][0]["correct"] is True
    assert p1["r_inv"] == 100.0 and p1["judge"] == JUDGE and p1["judge_total"] == 8
    assert isinstance(json.loads(p1["image_sent"]), dict)
    assert by_id["p2"]["status"] == "missing_image" and by_id["p2"]["judge"] is None

    _, load = hf_datasets
    rows = {r["problem_id"]: r for r in load(path)}
    assert isinstance(rows["p1"]["accuracy"], float) and rows["p1"]["judge"]["ER"] == 1
    assert rows["p1"]["checks"][0] == {"name": "rendered", "score": 1.0}
    assert rows["p1"]["quiz_answers"][0]["answer"] == "B"
