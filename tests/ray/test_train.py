"""Fine-tuning end to end on the session's local Ray: Ray Data -> 2 Ray Train workers -> the tiny
offline Qwen2-VL. Real shards (real SciGenBench problems in the synth shard format), real DDP over
gloo, real checkpoints under the storage path, a real resume; DeepSpeed ZeRO-3 on CPU (slow)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sciray.config import load_config
from sciray.train.demo import load_problems, write_demo_run
from sciray.train.state import REPORT_KEYS

REPO = Path(__file__).resolve().parents[2]
TINY = str(REPO / "configs" / "train_tiny_cpu.yaml")


@pytest.fixture(scope="module")
def run4(tmp_path_factory, scigen_dir):
    """Four accepted rows: small enough for the tiny model to learn their answers."""
    out = tmp_path_factory.mktemp("run4")
    write_demo_run(load_problems(scigen_dir / "scigen.jsonl", 4), str(out))
    return str(out)


def _train(data: str, out: Path, *overrides: str) -> dict:
    from sciray.cluster.train import run_training

    cfg = load_config(TINY, list(overrides), env={})
    return run_training(cfg, data, str(out), progress=False)


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("sciray: error:")]


@pytest.mark.timeout(600)
def test_loss_falls_answers_improve_checkpoint_resume(ray_cluster, run4, tmp_path):
    # evaluated on the training questions themselves: the tiny model can only get better at
    # answers it has seen, which is what shows the evaluation measures the fine-tuned weights
    common = (
        "train.lr=1e-2",
        "train.lr_schedule=constant",
        "train.data.repeat=96",
        f"train.eval.data={run4}",
        "train.eval.max_new_tokens=12",
        "train.checkpoint_every=24",
    )
    first = _train(run4, tmp_path, "train.max_steps=48", *common)
    report = json.loads((tmp_path / "train_report.json").read_text())
    assert (
        tuple(report)[: len(REPORT_KEYS)] == REPORT_KEYS and report["steps"] == first["steps"] == 48
    )
    assert report["resumed_from_step"] is None and report["strategy"] == "ddp"
    assert report["loss_last"] < 0.25 * report["loss_first"], report["loss_history"]
    before, after = report["eval_before"], report["eval_after"]
    assert before["n"] == after["n"] == 4 and before["correct"] == 0
    assert after["correct"] >= 1, report["eval_details"]["after"]
    assert report["samples_per_s"] > 0 and report["tokens_per_s"] > report["samples_per_s"]
    ckpt = Path(report["checkpoint"])
    assert ckpt.parent == tmp_path / "sciray-train"  # under the storage path (--out by default)
    assert {"trainable.pt", "trainer_state.json", "model"} <= {p.name for p in ckpt.iterdir()}
    assert (ckpt / "model" / "model.safetensors").exists() and (
        ckpt / "model" / "tokenizer.json"
    ).exists()
    assert (
        len([p for p in ckpt.parent.glob("checkpoint_*") if p.is_dir()]) == 2
    )  # the step-24 one and the final one

    second = _train(run4, tmp_path, "train.max_steps=56", *common)
    assert second["resumed_from_step"] == 48 and second["steps"] == 56
    assert (
        len(second["loss_history"]) == 56 and second["loss_history"][:48] == report["loss_history"]
    )
    assert (
        second["eval_before"] == before
    )  # kept from the first run, not re-measured on trained weights
    assert second["checkpoint"] != report["checkpoint"]
    assert (
        second["loss_history"][48] < 0.5 * report["loss_first"]
    )  # continued from the trained weights

    # the exported model loads by path like any model
    from transformers import AutoModelForImageTextToText

    from sciray.train.processor import load_processor

    model_dir = Path(second["checkpoint"]) / "model"
    assert AutoModelForImageTextToText.from_pretrained(model_dir) is not None
    assert (
        load_processor(str(model_dir)).tokenizer.convert_tokens_to_ids("<|image_pad|>") is not None
    )


@pytest.mark.timeout(300)
def test_no_rows_after_filters_exits_2(ray_cluster, run4, tmp_path, capsys):
    from sciray.cli.main import main

    code = main(
        [
            "train",
            "--data",
            run4,
            "--config",
            TINY,
            "--out",
            str(tmp_path),
            "--json",
            "--set",
            "train.data.subjects=[Astrology]",
        ]
    )
    errors = _error_lines(capsys.readouterr().err)
    assert (
        code == 2
        and len(errors) == 1
        and "no accepted rows" in errors[0]
        and "subjects=['Astrology']" in errors[0]
    )
    assert not (tmp_path / "train_report.json").exists()


@pytest.mark.timeout(300)
def test_a_worker_side_config_error_exits_2_with_its_line(ray_cluster, run4, tmp_path, capsys):
    from sciray.cli.main import main

    code = main(
        [
            "train",
            "--data",
            run4,
            "--config",
            TINY,
            "--out",
            str(tmp_path),
            "--json",
            "--set",
            "train.max_length=32",
            "--set",
            "train.eval.enabled=false",
        ]
    )
    errors = _error_lines(capsys.readouterr().err)  # Ray's own logs go to stderr too
    assert (
        code == 2 and len(errors) == 1 and "train.max_length=32 cuts off every answer" in errors[0]
    ), errors


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_deepspeed_zero3_on_cpu_trains_checkpoints_and_resumes(ray_cluster, run4, tmp_path):
    common = (
        "train.deepspeed.enabled=true",
        "train.deepspeed.allow_cpu=true",
        "train.deepspeed.zero_stage=3",
        "train.checkpoint_every=3",
        "train.eval.max_rows=3",
        "train.eval.max_new_tokens=4",
        f"train.eval.data={run4}",
        "train.data.repeat=8",
    )
    first = _train(run4, tmp_path, "train.max_steps=6", *common)
    assert first["strategy"] == "deepspeed-zero3" and first["steps"] == 6
    assert first["loss_last"] < first["loss_first"]
    assert (
        first["eval_before"]["n"] == first["eval_after"]["n"] == 3
    )  # odd count: padded synced generation
    ckpt = Path(first["checkpoint"])
    shards = sorted(p.name for p in (ckpt / "deepspeed").iterdir())
    assert any("rank_0" in s for s in shards) and any(
        "rank_1" in s for s in shards
    )  # both workers' shards
    assert (ckpt / "model" / "pytorch_model.bin").exists()  # the gathered 16-bit export
    second = _train(run4, tmp_path, "train.max_steps=8", *common)
    assert second["resumed_from_step"] == 6 and second["steps"] == 8
    assert second["loss_history"][:6] == first["loss_history"]
    assert os.path.isdir(second["checkpoint"])
