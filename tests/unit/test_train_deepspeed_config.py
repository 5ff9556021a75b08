"""The DeepSpeed config built from train.*, checked as a dict and through DeepSpeed's own parser."""

from __future__ import annotations

import pytest

from sciray.config.models import TrainConfig
from sciray.train.deepspeed_config import build_deepspeed_config


def _cfg(**kw) -> TrainConfig:
    return TrainConfig.model_validate({"micro_batch_size": 2, "grad_accum": 4, **kw})


def test_zero3_defaults():
    d = build_deepspeed_config(_cfg())
    assert d["train_micro_batch_size_per_gpu"] == 2 and d["gradient_accumulation_steps"] == 4
    assert "train_batch_size" not in d  # DeepSpeed multiplies by the world size itself
    z = d["zero_optimization"]
    assert z["stage"] == 3 and z["stage3_gather_16bit_weights_on_model_save"] is True
    assert "offload_optimizer" not in z and "offload_param" not in z
    assert d["bf16"] == {"enabled": False} and d["gradient_clipping"] == 1.0
    assert "optimizer" not in d and d["zero_allow_untested_optimizer"] is True


def test_zero2_bf16_offload_clipping():
    d = build_deepspeed_config(
        _cfg(
            bf16=True,
            max_grad_norm=0.5,
            lr=2e-5,
            weight_decay=0.1,
            deepspeed={"zero_stage": 2, "offload_optimizer": True, "offload_params": True},
        )
    )
    z = d["zero_optimization"]
    assert z["stage"] == 2 and z["offload_optimizer"]["device"] == "cpu"
    assert "offload_param" not in z and "stage3_prefetch_bucket_size" not in z  # stage 3 only
    assert d["bf16"] == {"enabled": True} and d["gradient_clipping"] == 0.5
    assert d["optimizer"] == {
        "type": "AdamW",
        "params": {"lr": 2e-5, "weight_decay": 0.1, "betas": [0.9, 0.999], "eps": 1e-8},
    }


def test_no_clipping_and_param_offload():
    d = build_deepspeed_config(_cfg(max_grad_norm=None, deepspeed={"offload_params": True}))
    assert "gradient_clipping" not in d
    assert d["zero_optimization"]["offload_param"] == {"device": "cpu", "pin_memory": True}


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"bf16": True, "deepspeed": {"zero_stage": 2, "offload_optimizer": True}},
        {"deepspeed": {"zero_stage": 3, "offload_optimizer": True, "offload_params": True}},
    ],
)
def test_deepspeed_parses_the_config(kw):
    config_mod = pytest.importorskip("deepspeed.runtime.config")
    cfg = _cfg(**kw)
    parsed = config_mod.DeepSpeedConfig(build_deepspeed_config(cfg))
    assert parsed.zero_optimization_stage == cfg.deepspeed.zero_stage
    assert parsed.gradient_accumulation_steps == 4 and parsed.train_micro_batch_size_per_gpu == 2
    assert parsed.train_batch_size == 8  # world size 1 here
    assert parsed.bfloat16_config.enabled is cfg.bf16
    assert (parsed.zero_config.offload_optimizer is not None) is cfg.deepspeed.offload_optimizer
