"""Fine-tuning on CUDA, where there is a GPU: the tiny offline Qwen2-VL with DeepSpeed ZeRO-3 in
bf16, and with DDP + LoRA, through Ray Train on a local Ray. Prints samples/s and peak memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def local_ray():
    import ray
    import torch

    from sciray.cluster.runtime import init_ray
    from sciray.config.models import RayConfig

    started = not ray.is_initialized()
    init_ray(RayConfig(num_cpus=4, num_gpus=torch.cuda.device_count()))
    yield ray
    if started:
        ray.shutdown()


@pytest.fixture(scope="module")
def run(tmp_path_factory, scigen_dir):
    from sciray.train.demo import load_problems, write_demo_run

    out = tmp_path_factory.mktemp("run")
    write_demo_run(load_problems(scigen_dir / "scigen.jsonl", 16), str(out))
    return str(out)


@pytest.mark.timeout(900)
@pytest.mark.parametrize(
    "strategy, overrides",
    [
        (
            "deepspeed-zero3",
            ["train.deepspeed.enabled=true", "train.deepspeed.zero_stage=3", "train.bf16=true"],
        ),
        (
            "deepspeed-zero2",
            [
                "train.deepspeed.enabled=true",
                "train.deepspeed.zero_stage=2",
                "train.bf16=true",
                "train.activation_checkpointing=true",
            ],
        ),
        ("ddp", ["train.bf16=true", "train.lora.enabled=true", "train.lr=5e-3"]),
    ],
)
def test_trains_on_gpu(local_ray, run, tmp_path, strategy, overrides):
    import torch

    from sciray.cluster.train import run_training
    from sciray.config import load_config

    workers = min(2, torch.cuda.device_count())
    cfg = load_config(
        str(REPO / "configs" / "train_tiny_cpu.yaml"),
        [
            "train.use_gpu=true",
            f"train.num_workers={workers}",
            "train.resources_per_worker={CPU: 1, GPU: 1}",
            "train.max_steps=20",
            "train.checkpoint_every=10",
            *overrides,
        ],
        env={},
    )
    report = run_training(cfg, run, str(tmp_path), progress=False)
    print(
        json.dumps(
            {
                k: report[k]
                for k in (
                    "strategy",
                    "steps",
                    "loss_first",
                    "loss_last",
                    "samples_per_s",
                    "median_step_samples_per_s",
                    "median_step_tokens_per_s",
                    "peak_gpu_memory_mb",
                )
            }
        )
    )
    assert report["strategy"] == strategy and report["steps"] == 20
    assert report["loss_last"] < report["loss_first"]
    assert report["peak_gpu_memory_mb"] and report["peak_gpu_memory_mb"] > 0
    assert report["eval_after"]["n"] == report["eval_before"]["n"] > 0
