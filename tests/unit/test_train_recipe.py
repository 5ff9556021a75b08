"""One worker's training recipe (``sciray.train.recipe``) run in-process on the tiny model, and the
driver's plan (``sciray.train.plan``): no Ray, plain callables for the reporter and the data."""

from __future__ import annotations

import json
import math
import os

import pyarrow.parquet as pq
import pytest

from sciray.config.models import TrainConfig, TrainDataConfig
from sciray.errors import UserError
from sciray.train.demo import load_problems, write_demo_run
from sciray.train.plan import check_strategy, run_report, training_size
from sciray.train.recipe import Recipe, Window, final_metrics, record_step
from sciray.train.samples import row_to_samples
from sciray.train.state import REPORT_KEYS, STATE_FILE, TrainState

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from sciray.train.tiny import build_tiny_qwen2_vl

    return build_tiny_qwen2_vl(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def samples(tmp_path_factory, scigen_dir):
    run = tmp_path_factory.mktemp("run")
    shards = write_demo_run(load_problems(scigen_dir / "scigen.jsonl", 4), str(run))
    rows = [r for s in shards for r in pq.read_table(s).to_pylist()]
    out = [s for r in rows for s in row_to_samples(r, TrainDataConfig(caption_share=0.0))]
    assert len(out) >= 4
    return out


def _cfg(tiny: str, **kw) -> TrainConfig:
    base = {
        "model": tiny,
        "micro_batch_size": 2,
        "grad_accum": 1,
        "lr": 1e-3,
        "max_length": 512,
        "log_every": 1,
        "eval": {"max_new_tokens": 4},
    }
    return TrainConfig.model_validate({**base, **kw})


class Recorder:
    """A reporter that keeps the metrics and what each checkpoint folder held."""

    def __init__(self):
        self.calls: list[tuple[dict, dict | None]] = []

    def __call__(self, metrics, folder):
        listing = None
        if folder is not None:
            listing = {
                os.path.relpath(os.path.join(d, f), folder)
                for d, _, files in os.walk(folder)
                for f in files
            }
        self.calls.append((dict(metrics), listing))


def test_two_steps_train_evaluate_and_report_a_final_checkpoint(tiny, samples):
    cfg = _cfg(tiny, max_steps=2)
    recipe = Recipe(cfg, 2)
    recipe.setup()
    reporter = Recorder()
    passes = []

    def batches(epoch):
        passes.append(epoch)
        return [samples[0:2], samples[2:4]]

    state = recipe.run(batches, reporter, eval_samples=samples[:1])
    assert state.step == 2 and passes == [0] and state.strategy == "ddp"
    assert len(state.loss_history) == 2 and all(math.isfinite(x) for x in state.loss_history)
    assert state.samples == 4 and state.tokens > state.samples and state.train_seconds > 0
    assert state.eval_before["n"] == state.eval_after["n"] == 1 and len(state.eval_rows_after) == 1
    assert state.resumed_from_step is None and state.peak_gpu_memory_mb is None
    # step 1 reported (log_every=1) without a checkpoint; the last step goes with the final one
    (step1, none), (final, listing) = reporter.calls
    assert none is None and step1["step"] == 1 and step1["samples_per_s"] > 0
    assert step1["tokens_per_s"] > step1["samples_per_s"]
    assert step1["lr"] == pytest.approx(0.55e-3)  # after the step: cosine halfway to 10%
    assert final == final_metrics(state) and final["step"] == 2
    assert {"trainable.pt", STATE_FILE, "model/config.json", "model/tokenizer.json"} <= listing
    assert "model/model.safetensors" in listing


def test_checkpoint_content_and_restore(tiny, samples, tmp_path):
    import torch

    from sciray.train.model import WEIGHTS_FILE, trainable_state

    cfg = _cfg(tiny, max_steps=1)
    recipe = Recipe(cfg, 1)
    recipe.setup()
    recipe.run(lambda epoch: [samples[0:2]], Recorder())
    content = trainable_state(recipe.module, recipe.optimizer, recipe.scheduler)
    assert set(content) == {"weights", "optimizer", "scheduler"}
    trainable = {n for n, p in recipe.module.named_parameters() if p.requires_grad}
    assert set(content["weights"]) == trainable
    assert all(w.device.type == "cpu" for w in content["weights"].values())
    assert content["optimizer"]["state"][0]["step"] == 1
    assert content["scheduler"]["last_epoch"] == 1

    folder = tmp_path / "ckpt"
    folder.mkdir()
    assert recipe.write_checkpoint(str(folder)) is True
    assert sorted(p.name for p in folder.iterdir()) == sorted([WEIGHTS_FILE, STATE_FILE])
    assert json.loads((folder / STATE_FILE).read_text())["step"] == 1

    resumed = Recipe(_cfg(tiny, max_steps=3), 3)
    resumed.setup(restore=str(folder))
    assert resumed.state.step == 1 and resumed.state.resumed_from_step == 1
    assert resumed.state.loss_history == recipe.state.loss_history
    assert resumed.optimizer.state_dict()["state"][0]["step"] == 1
    old = dict(recipe.module.named_parameters())
    assert all(torch.equal(p, old[n]) for n, p in resumed.module.named_parameters())


def test_ddp_ranks_other_than_0_write_nothing(tiny, tmp_path):
    recipe = Recipe(_cfg(tiny), 1, rank=1, world_size=2)
    recipe.setup()  # no process group: the model is not wrapped
    assert recipe.write_checkpoint(str(tmp_path), final=True) is False
    assert list(tmp_path.iterdir()) == []


def test_micro_steps_accumulate_to_one_optimizer_step(tiny, samples):
    recipe = Recipe(_cfg(tiny, grad_accum=2, micro_batch_size=1), 1)
    recipe.setup()
    window = Window()
    assert recipe.micro_step(samples[0:1], window) is False
    assert recipe.optimizer.state_dict()["state"] == {}  # no step yet
    assert recipe.micro_step(samples[1:2], window) is True
    assert window.micro == 2 and window.samples == 2 and window.answer_tokens > 0
    assert math.isfinite(window.loss_sum) and len(window.values()) == 5


def test_a_worker_without_data_and_a_failing_reporter(tiny, samples):
    recipe = Recipe(_cfg(tiny, max_steps=1), 1)
    recipe.setup()
    with pytest.raises(UserError, match="got no samples"):
        recipe.run(lambda epoch: [], Recorder())

    seen = []

    def broken(metrics, folder):
        seen.append(folder)
        raise RuntimeError("storage down")

    with pytest.raises(RuntimeError, match="storage down"):
        recipe.report(broken, {"step": 1}, checkpoint=True, final=False)
    assert seen[0] is not None and not os.path.exists(seen[0])  # the folder is removed anyway


def test_record_step_computes_the_step_metrics():
    state = TrainState(step=4, epoch=1, samples=10, tokens=1000, train_seconds=3.0)
    cfg = TrainConfig(max_length=64)
    metrics = record_step(state, [6.0, 3.0, 8.0, 800.0, 40.0], 2.0, 1e-4, cfg)
    assert metrics == {
        "step": 5,
        "epoch": 1,
        "loss": 2.0,
        "lr": 1e-4,
        "samples_per_s": 4.0,
        "tokens_per_s": 400.0,
    }
    assert state.samples == 18 and state.tokens == 1800 and state.train_seconds == 5.0
    assert state.loss_history == [2.0] and state.step_seconds == [2.0]
    with pytest.raises(UserError, match="train.max_length=64 cuts off every answer"):
        record_step(state, [1.0, 1.0, 1.0, 10.0, 0.0], 1.0, 1e-4, cfg)
    assert state.step == 5  # nothing counted


def test_final_metrics_carry_the_accuracies():
    state = TrainState(
        step=3, epoch=2, loss_history=[2.0, 1.5], eval_before={"accuracy": 0.25}, eval_after=None
    )
    assert final_metrics(state) == {
        "step": 3,
        "epoch": 2,
        "loss": 1.5,
        "eval_before": 0.25,
        "eval_after": None,
    }
    assert final_metrics(TrainState())["loss"] is None


def test_run_report_from_the_final_state():
    state = TrainState(
        step=2,
        samples=8,
        tokens=800,
        train_seconds=2.0,
        loss_history=[3.0, 1.0],
        step_seconds=[1.0, 1.0],
        eval_before={"n": 4, "correct": 0, "accuracy": 0.0},
        eval_after={"n": 4, "correct": 2, "accuracy": 0.5},
    )
    counts = {"train_rows": 4, "train_samples": 8, "eval_rows": 4}
    report = run_report(
        state, "/s/ckpt", TrainConfig(num_workers=2), total_steps=2, wall_seconds=9.5, counts=counts
    )
    assert tuple(report)[: len(REPORT_KEYS)] == REPORT_KEYS
    assert report["eval_after"]["accuracy"] == 0.5 and report["eval_before"]["correct"] == 0
    assert report["samples_per_s"] == 4.0 and report["tokens_per_s"] == 400.0
    assert report["median_step_samples_per_s"] == 4.0
    assert report["model_folder"] == "/s/ckpt/model" and report["workers"] == 2
    assert report["total_steps"] == 2 and report["wall_seconds"] == 9.5
    assert report["train_rows"] == 4 and report["model"] == "tiny-qwen2-vl"


def test_training_size_applies_limits_and_refuses_too_little():
    counted = [{"rows": 3, "samples": 3, "eval_rows": 1}, {"rows": 1, "samples": 1, "eval_rows": 0}]
    assert training_size(TrainConfig(num_workers=1), counted, "d") == (4, 4)
    cfg = TrainConfig(num_workers=1, data={"max_rows": 2, "repeat": 3})
    assert training_size(cfg, counted, "d") == (2, 6)
    with pytest.raises(UserError, match="no accepted rows"):
        training_size(TrainConfig(), [{"rows": 0, "samples": 0, "eval_rows": 2}], "d")
    with pytest.raises(UserError, match="cannot fill one micro-batch"):
        training_size(TrainConfig(num_workers=8), counted, "d")


def test_deepspeed_on_cpu_needs_a_yes():
    with pytest.raises(UserError, match="allow_cpu"):
        check_strategy(TrainConfig(deepspeed={"enabled": True}))
    check_strategy(TrainConfig(deepspeed={"enabled": True, "allow_cpu": True}))
    check_strategy(TrainConfig(deepspeed={"enabled": True}, use_gpu=True))
