"""Shard rows -> chat samples: filters, the held-out split, the data mix, finding shards."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sciray.config.models import TrainDataConfig
from sciray.errors import UserError
from sciray.train.demo import load_problems, write_demo_run
from sciray.train.samples import (
    CAPTION_PROMPT,
    caption_text,
    is_holdout,
    keep_row,
    messages,
    row_tasks,
    row_to_samples,
)
from sciray.train.shards import find_shards

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo_rows(tmp_path_factory, scigen_dir):
    """Real SciGenBench problems written as accepted shards in the synth format."""
    run = tmp_path_factory.mktemp("run")
    shards = write_demo_run(load_problems(scigen_dir / "scigen.jsonl", 6), str(run))
    return run, [row for s in shards for row in pq.read_table(s).to_pylist()]


def test_qa_sample_asks_the_multimodal_question_with_the_image(demo_rows, scigen_dir):
    _, rows = demo_rows
    first = json.loads((scigen_dir / "scigen.jsonl").read_text().splitlines()[0])
    samples = row_to_samples(rows[0], TrainDataConfig())
    assert [s["task"] for s in samples] == ["qa"]
    qa = samples[0]
    assert qa["prompt"] == first["multimodal_question"] and qa["answer"] == first["answer"]
    assert qa["image"].startswith(PNG) and qa["problem_id"] == first["id"]
    plain = row_to_samples(rows[0], TrainDataConfig(multimodal_question=False))[0]
    assert plain["prompt"] == first["question"]


def test_caption_share_adds_plan_captions_deterministically(demo_rows):
    _, rows = demo_rows
    all_captions = [s for r in rows for s in row_to_samples(r, TrainDataConfig(caption_share=1.0))]
    captions = [s for s in all_captions if s["task"] == "caption"]
    assert len(captions) == len(rows)
    plan = rows[0]["plan"]
    assert captions[0]["prompt"] == CAPTION_PROMPT
    assert (
        captions[0]["answer"].startswith(plan["content"])
        and plan["labels"] in captions[0]["answer"]
    )
    half = [[t for t in row_tasks(r, TrainDataConfig(caption_share=0.5), seed=1)] for r in rows]
    assert half == [
        [t for t in row_tasks(r, TrainDataConfig(caption_share=0.5), seed=1)] for r in rows
    ]
    assert all(t[0] == "qa" for t in half)


def test_rows_without_image_or_answer_give_fewer_samples(demo_rows):
    _, rows = demo_rows
    assert row_to_samples({**rows[0], "image": None}, TrainDataConfig()) == []
    no_answer = {**rows[0], "problem": {**rows[0]["problem"], "answer": None}}
    assert row_to_samples(no_answer, TrainDataConfig()) == []
    assert [s["task"] for s in row_to_samples(no_answer, TrainDataConfig(caption_share=1.0))] == [
        "caption"
    ]


@pytest.mark.parametrize(
    "row, cfg, kept",
    [
        ({"status": "accepted", "r_inv": 0.8, "subject": "Physics"}, TrainDataConfig(), True),
        ({"status": "rejected", "r_inv": 1.0, "subject": "Physics"}, TrainDataConfig(), False),
        ({"status": "accepted", "r_inv": 0.8}, TrainDataConfig(min_r_inv=0.9), False),
        ({"status": "accepted", "r_inv": 0.9}, TrainDataConfig(min_r_inv=0.9), True),
        ({"status": "accepted", "r_inv": None}, TrainDataConfig(min_r_inv=0.5), False),
        ({"status": "accepted", "r_inv": float("nan")}, TrainDataConfig(min_r_inv=0.5), False),
        (
            {"status": "accepted", "subject": "physics"},
            TrainDataConfig(subjects=["Physics", "Math"]),
            True,
        ),
        (
            {"status": "accepted", "subject": "Chemistry"},
            TrainDataConfig(subjects=["Physics"]),
            False,
        ),
        ({"status": "accepted", "subject": None}, TrainDataConfig(subjects=["Physics"]), False),
    ],
)
def test_filters(row, cfg, kept):
    assert keep_row(row, cfg) is kept


def test_holdout_split_is_stable_and_near_its_share():
    ids = [f"p{i}" for i in range(2000)]
    held = [i for i in ids if is_holdout(i, 0.1, seed=0)]
    assert held == [i for i in ids if is_holdout(i, 0.1, seed=0)]
    assert 150 < len(held) < 250
    assert held != [i for i in ids if is_holdout(i, 0.1, seed=1)]
    assert not any(is_holdout(i, 0.0) for i in ids)


def test_messages_put_the_image_before_the_question():
    sample = {"prompt": "How far?", "answer": "3 m"}
    chat = messages(sample)
    assert chat[0] == {
        "role": "user",
        "content": [{"type": "image"}, {"type": "text", "text": "How far?"}],
    }
    assert chat[1] == {"role": "assistant", "content": [{"type": "text", "text": "3 m"}]}
    assert messages(sample, with_answer=False) == chat[:1]


def test_caption_text_handles_bad_plans():
    assert (
        caption_text(None) is None
        and caption_text("not json") is None
        and caption_text("[1]") is None
    )
    assert caption_text(json.dumps({"content": "A ramp.", "labels": ""})) == "A ramp."


def test_find_shards_accepts_a_run_a_folder_a_glob_and_a_file(demo_rows, tmp_path):
    run, _ = demo_rows
    shards = find_shards(str(run))
    assert shards and all(s.startswith(str(run / "accepted")) for s in shards)
    assert find_shards(str(run / "accepted")) == shards
    assert find_shards(str(run / "accepted" / "*.parquet")) == shards
    assert find_shards(shards[0]) == shards[:1]
    (run / "accepted" / ".part-x.parquet.tmp").write_bytes(
        b"half"
    )  # an unfinished shard is skipped
    assert find_shards(str(run)) == shards


def test_find_shards_says_what_is_wrong(tmp_path):
    with pytest.raises(UserError, match="does not exist; give a run folder"):
        find_shards(str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="holds no Parquet shards"):
        find_shards(str(tmp_path / "empty"))
    pq.write_table(pa.table({"x": [1]}), tmp_path / "other.parquet")
    with pytest.raises(UserError, match="not a SciRay shard"):
        find_shards(str(tmp_path / "other.parquet"))
    (tmp_path / "junk.parquet").write_bytes(b"nope")
    with pytest.raises(UserError, match="not a readable Parquet file"):
        find_shards(str(tmp_path / "junk.parquet"))
