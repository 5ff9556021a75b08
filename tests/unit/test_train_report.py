"""Trainer state, train_report.json, the schedule, step counts and the driver's row split
(``sciray.train.plan``; no Ray)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from sciray.config.models import TrainConfig
from sciray.train.model import lr_lambda
from sciray.train.plan import count_batch, row_split, total_steps, use_deepspeed
from sciray.train.state import REPORT_KEYS, TrainState, build_report, write_report


def test_report_has_the_required_keys_first(tmp_path):
    state = TrainState(
        step=3,
        samples=24,
        tokens=2400,
        train_seconds=4.0,
        loss_history=[5.0, 4.0, 3.5],
        step_seconds=[2.0, 1.0, 1.0],
        eval_before={"accuracy": 0.0},
        eval_after={"accuracy": 0.5},
        resumed_from_step=1,
    )
    report = build_report(state, "/ckpt/checkpoint_1", model="tiny-qwen2-vl")
    assert tuple(report)[: len(REPORT_KEYS)] == REPORT_KEYS
    assert report["steps"] == 3 and report["loss_first"] == 5.0 and report["loss_last"] == 3.5
    assert report["checkpoint"] == "/ckpt/checkpoint_1" and report["eval_after"] == {
        "accuracy": 0.5
    }
    assert report["samples_per_s"] == 6.0 and report["tokens_per_s"] == 600.0
    assert (
        report["median_step_samples_per_s"] == 8.0 and report["median_step_tokens_per_s"] == 800.0
    )
    assert report["resumed_from_step"] == 1 and report["model"] == "tiny-qwen2-vl"
    path = write_report(str(tmp_path / "new" / "out"), report)
    assert json.loads(Path(path).read_text())["steps"] == 3
    assert sorted(p.name for p in (tmp_path / "new" / "out").iterdir()) == ["train_report.json"]


def test_empty_state_reports_nulls():
    report = build_report(TrainState(), None)
    assert (
        report["loss_first"] is None
        and report["samples_per_s"] is None
        and report["checkpoint"] is None
    )


def test_state_round_trips_and_is_strict():
    state = TrainState(step=2, loss_history=[1.0, 0.5], eval_rows_after=[{"correct": True}])
    assert TrainState.model_validate_json(state.model_dump_json()) == state
    with pytest.raises(ValueError):
        TrainState.model_validate({"steps": 1})


def test_schedule_warms_up_then_decays_to_a_tenth():
    cfg = TrainConfig(warmup_steps=4, lr_schedule="cosine")
    f = lr_lambda(cfg, 20)
    assert [f(s) for s in range(4)] == [0.25, 0.5, 0.75, 1.0]
    assert (
        f(4) == pytest.approx(1.0) and f(12) == pytest.approx(0.55) and f(20) == pytest.approx(0.1)
    )
    assert lr_lambda(TrainConfig(lr_schedule="linear"), 10)(5) == pytest.approx(0.55)
    assert lr_lambda(TrainConfig(lr_schedule="constant"), 10)(9) == 1.0


def test_total_steps():
    assert total_steps(TrainConfig(max_steps=7), 10_000) == 7
    # 100 samples over 2 workers = 50 each, micro 4 -> 13 batches, accum 2 -> 6 steps per epoch
    assert (
        total_steps(TrainConfig(num_workers=2, micro_batch_size=4, grad_accum=2, epochs=3), 100)
        == 19
    )
    assert total_steps(TrainConfig(num_workers=4, micro_batch_size=1, grad_accum=8), 4) == 1


def test_deepspeed_only_with_cuda_unless_allowed():
    on = TrainConfig(deepspeed={"enabled": True})
    assert use_deepspeed(on, cuda=True) and not use_deepspeed(on, cuda=False)
    assert use_deepspeed(TrainConfig(deepspeed={"enabled": True, "allow_cpu": True}), cuda=False)
    assert not use_deepspeed(TrainConfig(), cuda=True)


def test_row_split_and_counts():
    cfg = TrainConfig(data={"min_r_inv": 0.5}, eval={"holdout_share": 0.5})
    problem = json.dumps({"id": "x", "question": "Q?", "answer": "1 m"})
    rows = [
        {
            "problem_id": f"p{i}",
            "status": "accepted",
            "subject": "Physics",
            "r_inv": 0.4 if i == 0 else 1.0,
            "problem": problem,
            "plan": None,
        }
        for i in range(40)
    ]
    splits = [row_split(r, cfg, holdout=True) for r in rows]
    assert splits[0] is None and {"train", "eval"} <= set(splits)
    assert all(row_split(r, cfg, holdout=False) == "train" for r in rows[1:])
    counts = count_batch(pa.Table.from_pylist(rows), cfg, holdout=True)
    assert counts["rows"][0] == splits.count("train") == counts["samples"][0]
    assert counts["eval_rows"][0] == splits.count("eval")
