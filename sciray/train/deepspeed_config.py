"""The DeepSpeed config dict, built from ``train.*`` (pure; unit-tested without DeepSpeed).

Batch sizes are per worker (``train_micro_batch_size_per_gpu``) and DeepSpeed derives the global
batch from the world size. Without optimizer offload the trainer hands DeepSpeed a torch AdamW
(no op to compile); with it, the config names AdamW so DeepSpeed builds its CPU Adam. Activation
checkpointing is the model's own (transformers' gradient checkpointing), not DeepSpeed's
``activation_checkpointing`` section, which only acts on models written against its API.
"""

from __future__ import annotations

from typing import Any

from sciray.config.models import TrainConfig


def build_deepspeed_config(cfg: TrainConfig) -> dict[str, Any]:
    """The config for ``deepspeed.initialize(config=...)``."""
    ds = cfg.deepspeed
    zero: dict[str, Any] = {
        "stage": ds.zero_stage,
        "overlap_comm": ds.overlap_comm,
        "contiguous_gradients": True,
        "reduce_bucket_size": ds.bucket_size,
    }
    if ds.zero_stage == 2:
        zero["allgather_bucket_size"] = ds.bucket_size
    else:
        zero.update(
            {
                "stage3_prefetch_bucket_size": ds.bucket_size,
                "stage3_param_persistence_threshold": 10 * 1024,
                # one 16-bit copy of the weights on rank 0 when the final model is exported
                "stage3_gather_16bit_weights_on_model_save": True,
            }
        )
        if ds.offload_params:
            zero["offload_param"] = {"device": "cpu", "pin_memory": True}
    if ds.offload_optimizer:
        zero["offload_optimizer"] = {"device": "cpu", "pin_memory": True}
    config: dict[str, Any] = {
        "train_micro_batch_size_per_gpu": cfg.micro_batch_size,
        "gradient_accumulation_steps": cfg.grad_accum,
        "bf16": {"enabled": cfg.bf16},
        "fp16": {"enabled": False},
        "zero_optimization": zero,
        "steps_per_print": 10**9,  # Ray Train gets the metrics; keep DeepSpeed's own log quiet
        "wall_clock_breakdown": False,
    }
    if cfg.max_grad_norm is not None:
        config["gradient_clipping"] = cfg.max_grad_norm
    if ds.offload_optimizer:
        config["optimizer"] = {
            "type": "AdamW",
            "params": {
                "lr": cfg.lr,
                "weight_decay": cfg.weight_decay,
                "betas": [0.9, 0.999],
                "eps": 1e-8,
            },
        }
    else:
        config["zero_allow_untested_optimizer"] = (
            True  # torch.optim.AdamW, handed over by the trainer
        )
    return config
